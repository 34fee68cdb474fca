"""Assessment API: the same services, selectors and permissions as the pages.

Writes call assessment.services, so the rules, the audit trail and the error shape
({"message", "fields"}) are those of the pages. Reads are narrowed: a department head reads
his own department, a staff member his own rating and everyone his own conduct reports; a row
the user may not see is not found (404), so ids cannot be probed.
"""

from typing import Any

from django.db.models import Q, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from assessment import permissions, services, setup
from assessment.models import (
    ConductReport,
    ConsequenceProposal,
    Cycle,
    DepartmentCoefficient,
    Evaluation,
    Indicator,
    Rating,
    SupervisedTask,
)
from staffing.models import Appointment, Department, Person
from staffing.selectors import user_department, user_person
from zonehr.api import ApplicationErrorSerializer
from zonehr.roles import HasRole, Role, has_role

HR = (Role.HR_OFFICER,)
LEADERSHIP = (Role.LEADERSHIP,)
INSPECTOR = (Role.DISCIPLINE_INSPECTOR,)
READERS = permissions.READ_ROLES
# Evaluations and consequences are about named people: HR and the leadership.
OVERSIGHT = (Role.HR_OFFICER, Role.LEADERSHIP)
# A staff member reads his own rating.
RATING_READERS = (*READERS, Role.STAFF_MEMBER)
TASK_READERS = (Role.HR_OFFICER, Role.LEADERSHIP, Role.DEPARTMENT_HEAD)


def _payload(serializer_class: type[serializers.Serializer], request: Request) -> dict:
    serializer = serializer_class(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _sees_all(user: Any) -> bool:
    """HR, the leadership and finance read every department; a department head only his own."""
    return has_role(user, Role.HR_OFFICER, Role.LEADERSHIP, Role.FINANCE_OFFICER)


def _own_people(department: Department | None) -> QuerySet:
    return Appointment.objects.filter(post__department=department, status=Appointment.Status.ACTIVE).values("person_id")


ERRORS = {400: ApplicationErrorSerializer}


# --- Serializers ----------------------------------------------------------------------------------


class CycleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Cycle
        fields = [
            "id",
            "name",
            "kind",
            "year",
            "quarter",
            "annual",
            "status",
            "quarterly_weight",
            "ratio_cap",
            "comparison",
            "excellent_max",
            "basic_min",
            "incompetent_about",
            "min_group_size",
            "points_overdue",
            "points_failed",
            "task_deduction_cap",
        ]
        read_only_fields = fields


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = [
            "id",
            "cycle",
            "level",
            "parent",
            "department",
            "person",
            "name",
            "unit",
            "rule",
            "target",
            "weight",
            "lower_is_better",
            "points_per_miss",
            "actual",
            "judged",
            "misses",
            "score",
        ]
        read_only_fields = fields


class IndicatorValuesSerializer(serializers.Serializer):
    actual = serializers.DecimalField(
        max_digits=16, decimal_places=2, required=False, allow_null=True, default=None, help_text="For a ratio rule."
    )
    judged = serializers.DecimalField(
        max_digits=6, decimal_places=2, required=False, allow_null=True, default=None, help_text="0–100."
    )
    misses = serializers.IntegerField(
        min_value=0, required=False, allow_null=True, default=None, help_text="For a deduction rule."
    )


class CoefficientSerializer(serializers.ModelSerializer):
    class Meta:
        model = DepartmentCoefficient
        fields = [
            "id",
            "cycle",
            "department",
            "value",
            "reason",
            "status",
            "proposed_by",
            "proposed_at",
            "decided_by",
            "decided_at",
            "decision_note",
        ]
        read_only_fields = fields


class CoefficientProposeSerializer(serializers.Serializer):
    cycle = serializers.PrimaryKeyRelatedField(queryset=Cycle.objects.all())
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.filter(is_active=True))
    value = serializers.DecimalField(max_digits=3, decimal_places=2, help_text="From 0.5 to 1.5.")
    reason = serializers.CharField(max_length=300, help_text="Workload and difficulty.")


class CoefficientDecideSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default="", help_text="Required for a rejection."
    )


class EvaluationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Evaluation
        fields = ["id", "cycle", "source", "department", "person", "score", "entered_by"]
        read_only_fields = ["entered_by"]
        # The model's constraints answer in the one error shape (full_clean).
        validators: list = []


class RatingSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    # Plain text: a second enum of the same grades would need a schema name override.
    proposed_grade = serializers.CharField(read_only=True, help_text="The grade the quotas gave; a grade code.")

    class Meta:
        model = Rating
        fields = [
            "id",
            "cycle",
            "person",
            "person_name",
            "department",
            "group",
            "score",
            "rank",
            "group_size",
            "proposed_grade",
            "grade",
            "override_reason",
        ]
        read_only_fields = fields


class RatingRunSerializer(serializers.Serializer):
    cycle = serializers.PrimaryKeyRelatedField(queryset=Cycle.objects.all())
    as_of = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="The day overdue tasks are counted; today if empty."
    )


class RatingOverrideSerializer(serializers.Serializer):
    grade = serializers.ChoiceField(choices=Rating.Grade.choices)
    reason = serializers.CharField(max_length=300)


class ProposalSerializer(serializers.ModelSerializer):
    person = serializers.IntegerField(source="rating.person_id", read_only=True)
    cycle = serializers.IntegerField(source="rating.cycle_id", read_only=True)

    class Meta:
        model = ConsequenceProposal
        fields = [
            "id",
            "rating",
            "cycle",
            "person",
            "kind",
            "reasons",
            "options",
            "status",
            "decided_by",
            "decided_at",
            "decision",
        ]
        read_only_fields = fields


class ProposalDecideSerializer(serializers.Serializer):
    confirm = serializers.BooleanField()
    note = serializers.CharField(max_length=300)
    measure = serializers.CharField(
        max_length=30, required=False, allow_blank=True, default="", help_text="One of the proposal's options."
    )
    on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Effective day; today if empty."
    )


class TaskSerializer(serializers.ModelSerializer):
    class Meta:
        model = SupervisedTask
        fields = ["id", "cycle", "title", "department", "person", "deadline", "completed_on", "failed", "note"]
        validators: list = []


class ConductReportSerializer(serializers.ModelSerializer):
    filed_by = serializers.IntegerField(
        source="filed_by_id", read_only=True, allow_null=True, help_text="The filer; shown to the inspector only."
    )

    class Meta:
        model = ConductReport
        fields = [
            "id",
            "anonymous",
            "subject",
            "department",
            "text",
            "status",
            "filed_at",
            "filed_by",
            "notes",
            "handled_by",
        ]
        read_only_fields = fields

    def to_representation(self, instance: ConductReport) -> dict:
        data = super().to_representation(instance)
        if not permissions.can_handle_conduct_reports(self.context["request"].user):
            # The filer reads his own reports' status; the filer's identity and the
            # inspector's notes stay with the inspector.
            for private in ("filed_by", "notes", "handled_by"):
                data[private] = None if private != "notes" else ""
        return data


class ConductReportCreateSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000)
    anonymous = serializers.BooleanField(default=False)
    subject = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), required=False, allow_null=True, default=None
    )
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, allow_null=True, default=None
    )


class ConductHandleSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[
            (s.value, s.label)
            for s in (ConductReport.Status.VERIFIED, ConductReport.Status.UNFOUNDED, ConductReport.Status.ACTION)
        ]
    )
    notes = serializers.CharField(max_length=2000)


# --- Views -----------------------------------------------------------------------------------------


class RolesMixin:
    """`read_roles` for list and retrieve, `write_roles[action]` for everything else."""

    read_roles: tuple[Role, ...] = READERS
    write_roles: dict[str, tuple[Role, ...]] = {}

    def get_permissions(self):
        roles = self.read_roles if self.action in ("list", "retrieve") else self.write_roles.get(self.action, HR)
        return [HasRole(*roles)()]


class CycleViewSet(RolesMixin, viewsets.ReadOnlyModelViewSet):
    """Assessment cycles; HR moves them through planning, scoring, rating, confirmed, closed."""

    serializer_class = CycleSerializer
    queryset = Cycle.objects.all()
    filterset_fields = ["kind", "year", "status"]
    ordering_fields = ["year", "id"]

    @extend_schema(request=None, responses={200: CycleSerializer, **ERRORS}, summary="Next stage")
    @action(detail=True, methods=["post"])
    def advance(self, request, pk=None):
        """Move the cycle one stage on; leaving planning needs a consistent KPI cascade."""
        return Response(CycleSerializer(services.cycle_advance(actor=request.user, cycle=self.get_object())).data)


class IndicatorViewSet(RolesMixin, viewsets.ReadOnlyModelViewSet):
    """The KPI cascade; a department head reads the zone's, his department's and his staff's."""

    serializer_class = IndicatorSerializer
    filterset_fields = ["cycle", "level", "department", "person"]
    ordering_fields = ["id"]
    write_roles = {"values": (Role.HR_OFFICER, Role.DEPARTMENT_HEAD)}

    def get_queryset(self):
        indicators = Indicator.objects.order_by("cycle", "level", "id")
        user = self.request.user
        if _sees_all(user):
            return indicators
        own = user_department(user)
        return indicators.filter(Q(level=Indicator.Level.ZONE) | Q(department=own) | Q(person__in=_own_people(own)))

    @extend_schema(
        request=IndicatorValuesSerializer, responses={200: IndicatorSerializer, **ERRORS}, summary="Enter a value"
    )
    @action(detail=True, methods=["post"])
    def values(self, request, pk=None):
        """Enter the actual value (ratio), the judged score or the misses, and score the indicator.
        A department head enters for his own department only, while the cycle is scoring."""
        indicator = services.indicator_value_enter(
            actor=request.user, indicator=self.get_object(), **_payload(IndicatorValuesSerializer, request)
        )
        return Response(IndicatorSerializer(indicator).data)


class CoefficientViewSet(RolesMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Department value coefficients: HR proposes, the leadership decides; the history stays."""

    serializer_class = CoefficientSerializer
    filterset_fields = ["cycle", "department", "status"]
    ordering_fields = ["proposed_at", "id"]
    write_roles = {"create": HR, "decide": LEADERSHIP}

    def get_queryset(self):
        coefficients = DepartmentCoefficient.objects.order_by("cycle", "department", "-proposed_at", "-id")
        if _sees_all(self.request.user):
            return coefficients
        return coefficients.filter(department=user_department(self.request.user))

    @extend_schema(request=CoefficientProposeSerializer, responses={201: CoefficientSerializer, **ERRORS})
    def create(self, request, *args, **kwargs):
        """Propose a department's coefficient for a cycle, with the reason (workload, difficulty)."""
        coefficient = services.coefficient_propose(
            actor=request.user, **_payload(CoefficientProposeSerializer, request)
        )
        return Response(CoefficientSerializer(coefficient).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=CoefficientDecideSerializer, responses={200: CoefficientSerializer, **ERRORS}, summary="Decide"
    )
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """Approve (replacing the earlier approved value) or reject with a note."""
        coefficient = services.coefficient_decide(
            actor=request.user, coefficient=self.get_object(), **_payload(CoefficientDecideSerializer, request)
        )
        return Response(CoefficientSerializer(coefficient).data)


class EvaluationViewSet(RolesMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Scores from sources other than the KPIs (leaders and peers, surveys, enterprises); HR enters them."""

    serializer_class = EvaluationSerializer
    queryset = Evaluation.objects.order_by("cycle", "source", "id")
    filterset_fields = ["cycle", "source", "department", "person"]
    ordering_fields = ["id"]
    read_roles = OVERSIGHT
    write_roles = {"create": HR}

    @extend_schema(request=EvaluationSerializer, responses={201: EvaluationSerializer, **ERRORS})
    def create(self, request, *args, **kwargs):
        """Enter one source's score (0–100) for a department or a person, once per cycle."""
        evaluation = setup.evaluation_save(actor=request.user, **_payload(EvaluationSerializer, request))
        return Response(EvaluationSerializer(evaluation).data, status=status.HTTP_201_CREATED)


class RatingViewSet(RolesMixin, viewsets.ReadOnlyModelViewSet):
    """Grades by rank within comparison groups; HR runs them and overrides with a reason."""

    serializer_class = RatingSerializer
    filterset_fields = ["cycle", "department", "grade", "group"]
    ordering_fields = ["rank", "score", "id"]
    read_roles = RATING_READERS
    write_roles = {"run": HR, "override": HR}

    def get_queryset(self):
        ratings = Rating.objects.select_related("person").order_by("cycle", "group", "rank", "id")
        user = self.request.user
        if _sees_all(user):
            return ratings
        visible = Q(person=user_person(user)) if user_person(user) else Q(pk__in=[])
        if has_role(user, Role.DEPARTMENT_HEAD):
            visible |= Q(department=user_department(user))
        return ratings.filter(visible)

    @extend_schema(
        request=RatingRunSerializer, responses={200: RatingSerializer(many=True), **ERRORS}, summary="Run the ratings"
    )
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def run(self, request):
        """Grade everyone on post by rank in his group under the cycle's quotas; a rerun replaces the set."""
        data = _payload(RatingRunSerializer, request)
        services.ratings_run(actor=request.user, cycle=data["cycle"], as_of=data["as_of"])
        return Response(RatingSerializer(self.get_queryset().filter(cycle=data["cycle"]), many=True).data)

    @extend_schema(
        request=RatingOverrideSerializer, responses={200: RatingSerializer, **ERRORS}, summary="Override a grade"
    )
    @action(detail=True, methods=["post"])
    def override(self, request, pk=None):
        """Change a proposed grade, with the reason; the proposed consequences follow the new grade."""
        rating = services.rating_override(
            actor=request.user, rating=self.get_object(), **_payload(RatingOverrideSerializer, request)
        )
        return Response(RatingSerializer(rating).data)


class ProposalViewSet(RolesMixin, viewsets.ReadOnlyModelViewSet):
    """Consequences the rules propose; nothing happens to the person until HR confirms."""

    serializer_class = ProposalSerializer
    queryset = ConsequenceProposal.objects.select_related("rating").order_by("rating", "id")
    filterset_fields = ["rating__cycle", "kind", "status"]
    ordering_fields = ["id"]
    read_roles = OVERSIGHT
    write_roles = {"decide": HR}

    @extend_schema(
        request=ProposalDecideSerializer, responses={200: ProposalSerializer, **ERRORS}, summary="Confirm or decline"
    )
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """Confirm (a dismissal ends the appointment, waiting starts off-post training) or decline."""
        proposal = services.proposal_decide(
            actor=request.user, proposal=self.get_object(), **_payload(ProposalDecideSerializer, request)
        )
        return Response(ProposalSerializer(proposal).data)


class TaskViewSet(RolesMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Supervised tasks with deadlines (督查督办); overdue or failed ones cost points."""

    serializer_class = TaskSerializer
    filterset_fields = ["cycle", "department", "person", "failed"]
    ordering_fields = ["deadline", "id"]
    read_roles = TASK_READERS
    write_roles = {"create": HR}

    def get_queryset(self):
        tasks = SupervisedTask.objects.order_by("deadline", "id")
        user = self.request.user
        if has_role(user, Role.HR_OFFICER, Role.LEADERSHIP):
            return tasks
        own = user_department(user)
        return tasks.filter(Q(department=own) | Q(person__in=_own_people(own)))

    @extend_schema(request=TaskSerializer, responses={201: TaskSerializer, **ERRORS})
    def create(self, request, *args, **kwargs):
        """Assign a task to a department or a person, with its deadline."""
        task = setup.task_save(actor=request.user, task=SupervisedTask(**_payload(TaskSerializer, request)))
        return Response(TaskSerializer(task).data, status=status.HTTP_201_CREATED)


class ConductReportViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Reports on inactive cadres: anyone files one and reads his own; the inspector reads all,
    with their filers, and handles them."""

    serializer_class = ConductReportSerializer
    filterset_fields = ["status", "anonymous", "department", "subject"]
    ordering_fields = ["filed_at", "id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ConductReport.objects.none()
        reports = ConductReport.objects.order_by("-filed_at", "-id")
        if permissions.can_handle_conduct_reports(self.request.user):
            return reports
        return reports.filter(filed_by=self.request.user)

    def get_permissions(self):
        if self.action == "handle":
            return [HasRole(*INSPECTOR)()]
        return super().get_permissions()

    @extend_schema(request=ConductReportCreateSerializer, responses={201: ConductReportSerializer, **ERRORS})
    def create(self, request, *args, **kwargs):
        """File a report, optionally anonymous: then only the inspector can see who filed it."""
        report = services.conduct_report_file(actor=request.user, **_payload(ConductReportCreateSerializer, request))
        return Response(self.get_serializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ConductHandleSerializer, responses={200: ConductReportSerializer, **ERRORS}, summary="Handle"
    )
    @action(detail=True, methods=["post"])
    def handle(self, request, pk=None):
        """Move the report on (received → verified / unfounded; verified → action), with notes."""
        report = services.conduct_report_handle(
            actor=request.user, report=self.get_object(), **_payload(ConductHandleSerializer, request)
        )
        return Response(self.get_serializer(report).data)


def register(router: DefaultRouter) -> None:
    """Add the assessment endpoints to the project's API router."""
    router.register("assessment/cycles", CycleViewSet, basename="assessment-cycle")
    router.register("assessment/indicators", IndicatorViewSet, basename="assessment-indicator")
    router.register("assessment/coefficients", CoefficientViewSet, basename="assessment-coefficient")
    router.register("assessment/evaluations", EvaluationViewSet, basename="assessment-evaluation")
    router.register("assessment/ratings", RatingViewSet, basename="assessment-rating")
    router.register("assessment/proposals", ProposalViewSet, basename="assessment-proposal")
    router.register("assessment/tasks", TaskViewSet, basename="assessment-task")
    router.register("assessment/conduct-reports", ConductReportViewSet, basename="assessment-conduct-report")
