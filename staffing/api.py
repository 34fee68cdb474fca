"""Staffing API: the same services, selectors and permissions as the pages."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from staffing import permissions, services
from staffing.filters import AppointmentFilter, PersonFilter
from staffing.models import (
    Appointment,
    ArchivalEvent,
    Department,
    EstablishmentType,
    Person,
    Post,
    SalaryGrade,
)
from staffing.national_id import mask
from zonehr.roles import HasRole, Role


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "code", "name", "kind", "parent", "is_active", "merged_into"]


class PostSerializer(serializers.ModelSerializer):
    series = serializers.CharField(source="level.series.code", read_only=True)

    class Meta:
        model = Post
        fields = [
            "id",
            "code",
            "name",
            "department",
            "series",
            "level",
            "headcount",
            "coefficient",
            "is_leadership",
            "is_active",
        ]


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = [
            "id",
            "name",
            "national_id",
            "identity",
            "gender",
            "birth_date",
            "education",
            "joined_on",
            "status",
        ]
        read_only_fields = ["status"]
        # Model validation (check digit, birth date consistency) runs in the service.
        extra_kwargs = {"national_id": {"validators": []}}

    def to_representation(self, instance: Person) -> dict:
        data = super().to_representation(instance)
        if not permissions.sees_full_national_id(self.context["request"].user):
            data["national_id"] = mask(instance.national_id)
        return data


class AppointmentSerializer(serializers.ModelSerializer):
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all())
    post = serializers.PrimaryKeyRelatedField(queryset=Post.objects.all())
    salary_grade = serializers.PrimaryKeyRelatedField(
        queryset=SalaryGrade.objects.all(), required=False, allow_null=True
    )
    reason = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=300)
    # Declared so the schema admits the blank of an appointment that has not ended.
    end_kind = serializers.ChoiceField(choices=Appointment.EndKind.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Appointment
        fields = [
            "id",
            "person",
            "post",
            "method",
            "term_start",
            "term_end",
            "salary_grade",
            "negotiated_salary",
            "probation_end",
            "status",
            "ended_on",
            "end_kind",
            "end_reason",
            "reason",
        ]
        read_only_fields = ["status", "ended_on", "end_kind", "end_reason"]
        validators: list = []


class ArchivalEventSerializer(serializers.ModelSerializer):
    person = serializers.IntegerField(source="record.person_id", read_only=True)
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)

    class Meta:
        model = ArchivalEvent
        fields = [
            "id",
            "person",
            "kind",
            "archival_post",
            "archival_rank",
            "establishment_type",
            "archival_salary",
            "approval_document",
            "approved_on",
            "effective_on",
            "reason",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = ["recorded_at"]


class PostPaySerializer(serializers.Serializer):
    post = serializers.PrimaryKeyRelatedField(queryset=Post.objects.all())
    salary_grade = serializers.PrimaryKeyRelatedField(
        queryset=SalaryGrade.objects.all(), required=False, allow_null=True
    )
    negotiated_salary = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
    )


class TransferSerializer(PostPaySerializer):
    on = serializers.DateField()
    term_end = serializers.DateField(required=False, allow_null=True)
    after_failure = serializers.BooleanField(default=False)
    reason = serializers.CharField(max_length=300)


class ReturnSerializer(PostPaySerializer):
    method = serializers.ChoiceField(choices=Appointment.Method.choices)
    term_start = serializers.DateField()
    term_end = serializers.DateField()
    override_reason = serializers.CharField(max_length=300, required=False, allow_blank=True)


class RenewSerializer(serializers.Serializer):
    term_end = serializers.DateField()
    salary_grade = serializers.PrimaryKeyRelatedField(
        queryset=SalaryGrade.objects.all(), required=False, allow_null=True
    )
    reason = serializers.CharField(max_length=300)


class WaitingSerializer(serializers.Serializer):
    on = serializers.DateField()
    reason = serializers.CharField(max_length=300)


class SeparationSerializer(WaitingSerializer):
    kind = serializers.ChoiceField(choices=sorted(services.SEPARATIONS))


class ArchivalEventCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ArchivalEvent.Kind.choices)
    archival_post = serializers.CharField(max_length=100, required=False, allow_blank=True)
    archival_rank = serializers.CharField(max_length=100, required=False, allow_blank=True)
    establishment_type = serializers.ChoiceField(choices=EstablishmentType.choices, required=False, allow_blank=True)
    archival_salary = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    approval_document = serializers.CharField(max_length=100)
    approved_on = serializers.DateField()
    effective_on = serializers.DateField()
    reason = serializers.CharField(max_length=300)


class DepartmentViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Department.objects.all()
    serializer_class = DepartmentSerializer
    permission_classes = [HasRole(*permissions.ROSTER_ROLES)]
    filterset_fields = ["kind", "is_active", "parent"]


class PostViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Post.objects.select_related("level__series")
    serializer_class = PostSerializer
    permission_classes = [HasRole(*permissions.ROSTER_ROLES)]
    filterset_fields = ["department", "level", "is_leadership", "is_active"]


def _lifecycle(serializer_class, summary: str):
    """A POST action on a person that runs a lifecycle service and returns the person."""
    return extend_schema(request=serializer_class, responses={200: PersonSerializer}, summary=summary)


class PersonViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    ordering_fields = ["name", "joined_on", "birth_date"]

    def get_queryset(self):
        return permissions.people_visible_to(self.request.user, Person.objects.order_by("name", "id"))

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return super().get_permissions()
        return [HasRole(*permissions.MANAGE_ROLES)()]

    def perform_create(self, serializer: PersonSerializer) -> None:
        serializer.instance = services.person_create(actor=self.request.user, **serializer.validated_data)

    @_lifecycle(TransferSerializer, "Transfer to another post")
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        return self._act(request, TransferSerializer, services.appointment_transfer)

    @_lifecycle(WaitingSerializer, "Send to waiting (off-post training)")
    @action(detail=True, methods=["post"], url_path="send-to-waiting")
    def send_to_waiting(self, request, pk=None):
        return self._act(request, WaitingSerializer, services.person_send_to_waiting)

    @_lifecycle(ReturnSerializer, "Return from waiting to a post")
    @action(detail=True, methods=["post"], url_path="return-from-waiting")
    def return_from_waiting(self, request, pk=None):
        return self._act(request, ReturnSerializer, services.person_return_from_waiting)

    @_lifecycle(SeparationSerializer, "End contract, dismiss, depart or retire")
    @action(detail=True, methods=["post"])
    def separate(self, request, pk=None):
        return self._act(request, SeparationSerializer, services.person_separate)

    @_lifecycle(RenewSerializer, "Renew the active appointment")
    @action(detail=True, methods=["post"])
    def renew(self, request, pk=None):
        person = self.get_object()
        payload = RenewSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        appointment = person.appointments.filter(status=Appointment.Status.ACTIVE).first()
        if appointment is None:
            return Response(
                {"message": f"{person} holds no active appointment.", "fields": {}},
                status=status.HTTP_400_BAD_REQUEST,
            )
        services.appointment_renew(actor=request.user, appointment=appointment, **payload.validated_data)
        return Response(PersonSerializer(person, context={"request": request}).data)

    @extend_schema(request=ArchivalEventCreateSerializer, responses={201: ArchivalEventSerializer})
    @action(detail=True, methods=["post"], url_path="archival-events")
    def archival_event(self, request, pk=None):
        person = self.get_object()
        payload = ArchivalEventCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        record = getattr(person, "archival_record", None)
        if record is None:
            return Response(
                {"message": f"{person} has no sealed archival record.", "fields": {}},
                status=status.HTTP_400_BAD_REQUEST,
            )
        event = services.archival_event_record(actor=request.user, record=record, **payload.validated_data)
        return Response(ArchivalEventSerializer(event).data, status=status.HTTP_201_CREATED)

    def _act(self, request, serializer_class, service) -> Response:
        person = self.get_object()
        payload = serializer_class(data=request.data)
        payload.is_valid(raise_exception=True)
        service(actor=request.user, person=person, **payload.validated_data)
        person.refresh_from_db()
        return Response(PersonSerializer(person, context={"request": request}).data)


class AppointmentViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = AppointmentSerializer
    filterset_class = AppointmentFilter
    ordering_fields = ["term_start", "term_end"]

    def get_queryset(self):
        visible = permissions.people_visible_to(self.request.user, Person.objects.all())
        return (
            Appointment.objects.filter(person__in=visible)
            .select_related("person", "post", "salary_grade")
            .order_by("-term_start", "-id")
        )

    def get_permissions(self):
        if self.action == "create":
            return [HasRole(*permissions.MANAGE_ROLES)()]
        return [HasRole(*permissions.ROSTER_ROLES, Role.STAFF_MEMBER)()]

    @extend_schema(responses={201: AppointmentSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        appointment = services.appointment_create(actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(appointment).data, status=status.HTTP_201_CREATED)


class ArchivalEventViewSet(viewsets.ReadOnlyModelViewSet):
    """Archival events are appended through /people/{id}/archival-events/ and never changed."""

    serializer_class = ArchivalEventSerializer
    permission_classes = [HasRole(Role.HR_OFFICER, Role.LEADERSHIP, Role.DEPARTMENT_HEAD, Role.STAFF_MEMBER)]
    filterset_fields = ["kind"]

    def get_queryset(self):
        visible = permissions.people_visible_to(self.request.user, Person.objects.all())
        return ArchivalEvent.objects.filter(record__person__in=visible).select_related("record", "recorded_by")
