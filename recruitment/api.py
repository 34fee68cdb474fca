"""Recruitment API: the same services, selectors and permissions as the pages.

Every write calls recruitment.services, so the rules, the audit trail and the error shape
({"message", "fields"}) are those of the pages. Reads are narrowed by recruitment.permissions:
a row the user may not see is not found (404), so ids cannot be probed.
"""

from decimal import Decimal
from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from recruitment import permissions, services
from recruitment.matching import RefusalReason
from recruitment.models import (
    Application,
    Ballot,
    Campaign,
    CampaignPost,
    Criterion,
    IntegrityFlag,
    Panel,
    PanelCandidate,
    Result,
    Round,
    ScoreSheet,
)
from recruitment.selectors import candidates_in
from staffing.selectors import user_person
from zonehr.api import ApplicationErrorSerializer
from zonehr.roles import HasRole

# Results are public from the publicity on (公示); before that only the oversight roles read them.
PUBLISHED = (Campaign.Status.PUBLICITY, Campaign.Status.APPOINTED, Campaign.Status.CLOSED)
# A democratic evaluation is by the zone's staff, as on the ballot page.


def _user_name(user: Any) -> str:
    return user.get_full_name() or user.username


def _payload(serializer_class: type[serializers.Serializer], request: Request) -> dict:
    serializer = serializer_class(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class CanApply(BasePermission):
    """A staff member with a personnel record applies for himself."""

    def has_permission(self, request, view) -> bool:
        if permissions.can_apply(request.user):
            return True
        self.message = _("Applications are made by staff members with a personnel record.")
        return False


class SitsOnAPanel(BasePermission):
    """Sheets are written by the judges and chairs of panels; the service checks which panel."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if user.is_authenticated and Panel.objects.filter(Q(judges=user) | Q(chair=user)).exists():
            return True
        self.message = _("Score sheets are written by the judges of a panel.")
        return False


# --- Serializers ----------------------------------------------------------------------------------


ERRORS = {400: ApplicationErrorSerializer}


class CampaignSerializer(serializers.ModelSerializer):
    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "method",
            "status",
            "description",
            "applications_close_on",
            "trim_above",
            "rounding",
            "balance_panels",
            "tie_break",
            "vote_pass_rate",
            "vote_turnout",
            "publicity_working_days",
            "publicity_start",
            "publicity_end",
            "term_years",
            "unplaced_to_waiting",
            "created_at",
        ]
        read_only_fields = fields


class CampaignPostSerializer(serializers.ModelSerializer):
    post_name = serializers.CharField(source="post.name", read_only=True)
    department = serializers.IntegerField(source="post.department_id", read_only=True)
    department_name = serializers.CharField(source="post.department.name", read_only=True)
    # Plain text: a second enum of the same education codes would need a schema name override.
    min_education = serializers.CharField(read_only=True, help_text="A person's education code, or blank.")

    class Meta:
        model = CampaignPost
        fields = [
            "id",
            "campaign",
            "post",
            "post_name",
            "department",
            "department_name",
            "places",
            "min_level_rank",
            "min_years_of_service",
            "min_education",
        ]
        read_only_fields = fields


class ApplicationSerializer(serializers.ModelSerializer):
    candidate = serializers.CharField(source="candidate_name", read_only=True)
    posts = serializers.SerializerMethodField(help_text="Posts offered applied for, first choice first.")

    class Meta:
        model = Application
        fields = [
            "id",
            "campaign",
            "person",
            "candidate",
            "posts",
            "statement",
            "declared_truthful",
            "status",
            "rejection_reason",
            "submitted_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_posts(self, application: Application) -> list[int]:
        # Read from the prefetched choices (already in preference order), not one query per row.
        return [choice.campaign_post_id for choice in application.choices.all()]


class ApplicationCreateSerializer(serializers.Serializer):
    campaign = serializers.PrimaryKeyRelatedField(queryset=Campaign.objects.all())
    posts = serializers.PrimaryKeyRelatedField(
        queryset=CampaignPost.objects.all(), many=True, help_text="Posts offered, in order of preference."
    )
    statement = serializers.CharField(required=False, allow_blank=True, default="")
    declared_truthful = serializers.BooleanField(default=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # A draft campaign does not exist for its would-be applicants.
            self.fields["campaign"].queryset = permissions.campaigns_visible_to(request.user, Campaign.objects.all())


class ApplicationReviewSerializer(serializers.Serializer):
    qualified = serializers.BooleanField()
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=300, help_text="Required for a rejection."
    )


class IntegrityFlagSerializer(serializers.ModelSerializer):
    class Meta:
        model = IntegrityFlag
        fields = ["id", "application", "kind", "note", "disqualifies", "recorded_by", "recorded_at"]
        read_only_fields = ["application", "recorded_by", "recorded_at"]


class CampaignAdvanceSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class PublicityBeginSerializer(serializers.Serializer):
    start = serializers.DateField(help_text="The day the results are posted.")


class AppointmentsOutcomeSerializer(serializers.Serializer):
    appointed = serializers.IntegerField()
    waiting = serializers.IntegerField()


class CampaignResultSerializer(serializers.ModelSerializer):
    campaign = serializers.IntegerField(source="campaign_post.campaign_id", read_only=True)
    post_name = serializers.CharField(source="campaign_post.post.name", read_only=True)
    candidate = serializers.CharField(source="application.candidate_name", read_only=True)

    class Meta:
        model = Result
        fields = [
            "id",
            "campaign",
            "campaign_post",
            "post_name",
            "application",
            "candidate",
            "composite",
            "rank",
            "selected",
            "decided_by_lot",
        ]
        read_only_fields = fields


class MatchRefusalSerializer(serializers.Serializer):
    post = serializers.IntegerField(help_text="A post offered the candidate preferred to the one he got.")
    reason = serializers.ChoiceField(choices=[(reason.value, reason.value) for reason in RefusalReason])
    explanation = serializers.CharField()
    holders = serializers.ListField(child=serializers.IntegerField(), help_text="Applications holding its places.")
    capacity = serializers.IntegerField()


class MatchAssignmentSerializer(serializers.Serializer):
    application = serializers.IntegerField()
    candidate = serializers.CharField()
    post = serializers.IntegerField(allow_null=True, help_text="The post offered he got; null when none.")
    explanations = MatchRefusalSerializer(many=True)


class TwoWayMatchSerializer(serializers.Serializer):
    assignment = MatchAssignmentSerializer(many=True)
    results = CampaignResultSerializer(many=True)


class CriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Criterion
        fields = ["id", "name", "maximum", "order"]
        read_only_fields = fields


class RoundSerializer(serializers.ModelSerializer):
    criteria = CriterionSerializer(many=True, read_only=True)

    class Meta:
        model = Round
        fields = [
            "id",
            "campaign",
            "order",
            "kind",
            "name",
            "weight",
            "pass_line",
            "advance_per_place",
            "eligible_voters",
            "status",
            "closed_at",
            "final_digest",
            "criteria",
        ]
        read_only_fields = fields


class PanelJudgeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField()

    def get_name(self, user: Any) -> str:
        return _user_name(user)


class PanelCandidateSerializer(serializers.ModelSerializer):
    candidate = serializers.CharField(source="application.candidate_name", read_only=True)

    class Meta:
        model = PanelCandidate
        fields = ["running_order", "application", "candidate"]
        read_only_fields = fields


class PanelSerializer(serializers.ModelSerializer):
    judges = PanelJudgeSerializer(many=True, read_only=True)
    candidates = PanelCandidateSerializer(many=True, read_only=True)

    class Meta:
        model = Panel
        fields = ["id", "round", "name", "chair", "judges", "candidates"]
        read_only_fields = fields


class ScoreSheetSerializer(serializers.ModelSerializer):
    judge_name = serializers.SerializerMethodField()
    candidate = serializers.CharField(source="application.candidate_name", read_only=True)
    marks = serializers.DictField(child=serializers.CharField(), read_only=True, help_text="Criterion id → mark.")

    class Meta:
        model = ScoreSheet
        fields = [
            "id",
            "panel",
            "application",
            "candidate",
            "judge",
            "judge_name",
            "status",
            "marks",
            "total",
            "conflict_declared",
            "conflict_note",
            "submitted_at",
            "amended_reason",
        ]
        read_only_fields = fields

    def get_judge_name(self, sheet: ScoreSheet) -> str:
        return _user_name(sheet.judge)


def _marks_field(*, allow_null: bool, **kwargs) -> serializers.DictField:
    # Strings such as "12.5" become Decimals here; the range against each maximum is the service's.
    return serializers.DictField(
        child=serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=allow_null),
        help_text='Criterion id → mark, e.g. {"12": "17.5"}.',
        **kwargs,
    )


class SheetSaveSerializer(serializers.Serializer):
    panel = serializers.PrimaryKeyRelatedField(queryset=Panel.objects.all())
    application = serializers.PrimaryKeyRelatedField(queryset=Application.objects.all())
    marks = _marks_field(allow_null=True, required=False, default=dict)  # a draft may leave marks empty
    submit = serializers.BooleanField(default=False, help_text="Submit and lock the sheet; otherwise a draft.")
    conflict_note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=300,
        help_text="Declaring a conflict of interest submits an empty sheet that does not count.",
    )


class SheetAmendSerializer(serializers.Serializer):
    marks = _marks_field(allow_null=False)
    reason = serializers.CharField(max_length=300)


class BallotSerializer(serializers.ModelSerializer):
    # A spoilt ballot is a paper one; a voter here casts for, against or abstains, as on the page.
    choice = serializers.ChoiceField(
        choices=[(c.value, c.label) for c in (Ballot.Choice.FOR, Ballot.Choice.AGAINST, Ballot.Choice.ABSTAIN)]
    )

    class Meta:
        model = Ballot
        fields = ["id", "round", "application", "choice", "cast_at"]
        read_only_fields = ["cast_at"]
        # Casting twice is refused by the service, in the one error shape.
        validators: list = []

    def validate(self, attrs: dict) -> dict:
        if attrs["application"] not in candidates_in(attrs["round"]):
            raise serializers.ValidationError({"application": [_("Not a candidate in this round.")]})
        return attrs


# --- Filters ---------------------------------------------------------------------------------------


class ResultFilter(django_filters.FilterSet):
    campaign = django_filters.NumberFilter(field_name="campaign_post__campaign")

    class Meta:
        model = Result
        fields = ["campaign", "campaign_post", "selected"]


# --- Views -----------------------------------------------------------------------------------------


def _visible_campaigns(user: Any) -> QuerySet[Campaign]:
    return permissions.campaigns_visible_to(user, Campaign.objects.all())


class ManagedActionsMixin:
    """List and retrieve by the queryset's narrowing; every other action is HR's."""

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return super().get_permissions()
        return [HasRole(*permissions.MANAGE_ROLES)()]


class CampaignViewSet(ManagedActionsMixin, viewsets.ReadOnlyModelViewSet):
    """Campaigns past their draft for staff, every campaign for the oversight roles; HR runs them."""

    serializer_class = CampaignSerializer
    filterset_fields = ["status", "method"]
    ordering_fields = ["created_at", "name"]

    def get_queryset(self):
        return _visible_campaigns(self.request.user)

    @extend_schema(
        request=CampaignAdvanceSerializer, responses={200: CampaignSerializer, **ERRORS}, summary="Next stage"
    )
    @action(detail=True, methods=["post"])
    def advance(self, request, pk=None):
        """Move the campaign one stage on (applications, review, rounds, results), as its state allows."""
        campaign = services.campaign_advance(
            actor=request.user, campaign=self.get_object(), **_payload(CampaignAdvanceSerializer, request)
        )
        return Response(CampaignSerializer(campaign).data)

    @extend_schema(
        request=None, responses={200: CampaignResultSerializer(many=True), **ERRORS}, summary="Rank candidates"
    )
    @action(detail=True, methods=["post"], url_path="compute-results", filter_backends=[], pagination_class=None)
    def compute_results(self, request, pk=None):
        """Rank each post's finalists by composite and tie-break; a lot, recorded, decides what stays tied."""
        campaign = self.get_object()
        services.results_compute(actor=request.user, campaign=campaign)
        return Response(CampaignResultSerializer(_results_of(campaign), many=True).data)

    @extend_schema(request=PublicityBeginSerializer, responses={200: CampaignSerializer, **ERRORS}, summary="Publicise")
    @action(detail=True, methods=["post"], url_path="begin-publicity")
    def begin_publicity(self, request, pk=None):
        """Publish the results from `start` for the campaign's working days, holidays as they fall."""
        campaign = services.publicity_begin(
            actor=request.user, campaign=self.get_object(), **_payload(PublicityBeginSerializer, request)
        )
        return Response(CampaignSerializer(campaign).data)

    # The day is today's: a date from the client could step over the end of the publicity.
    @extend_schema(
        request=None, responses={200: AppointmentsOutcomeSerializer, **ERRORS}, summary="Appoint after publicity"
    )
    @action(detail=True, methods=["post"], url_path="create-appointments")
    def create_appointments(self, request, pk=None):
        """After the publicity: appoint the selected; staff who got no post go to waiting if the campaign says so."""
        outcome = services.appointments_create(actor=request.user, campaign=self.get_object())
        return Response(AppointmentsOutcomeSerializer(outcome).data)

    @extend_schema(request=None, responses={200: TwoWayMatchSerializer, **ERRORS}, summary="Two-way selection match")
    @action(detail=True, methods=["post"])
    def match(self, request, pk=None):
        """Two-way selection: the candidate-optimal stable match, and why each candidate missed the posts
        he preferred to the one he got."""
        campaign = self.get_object()
        outcome = services.two_way_match(actor=request.user, campaign=campaign)
        names = {a.pk: a.candidate_name for a in campaign.applications.select_related("person")}
        assignment = [
            {
                "application": application_id,
                "candidate": names[application_id],
                "post": post_id,
                "explanations": [_refusal(refusal) for refusal in outcome["match"].explanations[application_id]],
            }
            for application_id, post_id in outcome["match"].assignment.items()
        ]
        return Response(TwoWayMatchSerializer({"assignment": assignment, "results": _results_of(campaign)}).data)


REFUSALS = {
    RefusalReason.NOT_RANKED: gettext_lazy("The department did not rank the candidate for this post."),
    RefusalReason.NO_PLACES: gettext_lazy("The post offers no places."),
    RefusalReason.FULL_WITH_PREFERRED: gettext_lazy("Every place went to a candidate the department ranked higher."),
}


def _refusal(refusal) -> dict:
    return {
        "post": refusal.post,
        "reason": refusal.reason.value,
        "explanation": str(REFUSALS[refusal.reason]),
        "holders": list(refusal.holders),
        "capacity": refusal.capacity,
    }


def _results_of(campaign: Campaign) -> QuerySet[Result]:
    return Result.objects.filter(campaign_post__campaign=campaign).select_related(
        "campaign_post__post", "application__person"
    )


class CampaignPostViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CampaignPostSerializer
    filterset_fields = ["campaign"]
    ordering_fields = ["id", "places"]

    def get_queryset(self):
        return CampaignPost.objects.filter(campaign__in=_visible_campaigns(self.request.user)).select_related(
            "post__department"
        )


class ApplicationViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """HR and the oversight roles read every application; a staff member reads and makes his own."""

    serializer_class = ApplicationSerializer
    filterset_fields = ["campaign", "status"]
    ordering_fields = ["id", "submitted_at"]

    def get_queryset(self):
        applications = Application.objects.select_related("person").prefetch_related("choices")
        if permissions.can_oversee(self.request.user):
            return applications
        return applications.filter(pk__in=permissions.own_applications(self.request.user).values("pk"))

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return super().get_permissions()
        if self.action == "create":
            return [CanApply()]
        return [HasRole(*permissions.MANAGE_ROLES)()]

    @extend_schema(request=ApplicationCreateSerializer, responses={201: ApplicationSerializer, **ERRORS})
    def create(self, request, *args, **kwargs):
        data = _payload(ApplicationCreateSerializer, request)
        application = services.application_submit(actor=request.user, person=user_person(request.user), **data)
        return Response(self._read(application), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ApplicationReviewSerializer, responses={200: ApplicationSerializer, **ERRORS}, summary="Qualify"
    )
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """Qualification review; a rejection carries the reason the applicant sees."""
        application = services.application_review(
            actor=request.user, application=self.get_object(), **_payload(ApplicationReviewSerializer, request)
        )
        return Response(self._read(application))

    @extend_schema(
        request=IntegrityFlagSerializer, responses={201: IntegrityFlagSerializer, **ERRORS}, summary="Integrity flag"
    )
    @action(detail=True, methods=["post"])
    def flag(self, request, pk=None):
        """Record falsified material, lobbying or an undeclared conflict; by default it disqualifies."""
        flag = services.integrity_flag_record(
            actor=request.user, application=self.get_object(), **_payload(IntegrityFlagSerializer, request)
        )
        return Response(IntegrityFlagSerializer(flag).data, status=status.HTTP_201_CREATED)

    def _read(self, application: Application) -> dict:
        return ApplicationSerializer(self.get_queryset().get(pk=application.pk)).data


class RoundViewSet(ManagedActionsMixin, viewsets.ReadOnlyModelViewSet):
    """Rounds of the campaigns a user sees, and those he judges in."""

    serializer_class = RoundSerializer
    filterset_fields = ["campaign", "kind", "status"]
    ordering_fields = ["campaign", "order"]

    def get_queryset(self):
        user = self.request.user
        rounds = Round.objects.prefetch_related("criteria").order_by("campaign", "order")
        if permissions.can_oversee(user):
            return rounds
        judged = permissions.judge_panels(user).values("round")
        return rounds.filter(Q(campaign__in=_visible_campaigns(user)) | Q(pk__in=judged)).distinct()

    @extend_schema(request=None, responses={200: RoundSerializer, **ERRORS}, summary="Open the round")
    @action(detail=True, methods=["post"])
    def open(self, request, pk=None):
        """Open the round: rounds run in order, an interview needs its criteria."""
        return Response(RoundSerializer(services.round_open(actor=request.user, round_=self.get_object())).data)

    @extend_schema(request=None, responses={200: RoundSerializer, **ERRORS}, summary="Close and score the round")
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close the round: score every candidate, mark who advances, seal the hash chain."""
        return Response(RoundSerializer(services.round_close(actor=request.user, round_=self.get_object())).data)


class PanelViewSet(viewsets.ReadOnlyModelViewSet):
    """Oversight roles read every panel; a judge his own, once their round has opened."""

    serializer_class = PanelSerializer
    filterset_fields = ["round"]
    ordering_fields = ["id"]

    def get_queryset(self):
        user = self.request.user
        panels = Panel.objects.prefetch_related("judges", "candidates__application__person").order_by("round", "id")
        if permissions.can_oversee(user):
            return panels
        own = permissions.judge_panels(user).exclude(round__status=Round.Status.PENDING)
        return panels.filter(pk__in=own.values("pk"))


class ScoreSheetViewSet(viewsets.ReadOnlyModelViewSet):
    """A judge's own sheets; his panel's submitted ones to the chair; all submitted ones to the
    oversight roles once the round has closed. Anything else is not found."""

    serializer_class = ScoreSheetSerializer
    filterset_fields = ["panel", "application", "status"]
    ordering_fields = ["id", "submitted_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ScoreSheet.objects.none()
        user = self.request.user
        submitted = ScoreSheet.Status.SUBMITTED
        visible = Q(judge=user)
        if self.action != "submit":  # only one's own draft is submitted
            visible |= Q(panel__chair=user, status=submitted)
            if permissions.can_oversee(user):
                visible |= Q(status=submitted, panel__round__status=Round.Status.CLOSED)
        return (
            ScoreSheet.objects.filter(visible)
            .select_related("judge", "application__person")
            .order_by("panel", "application", "judge")
        )

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return super().get_permissions()
        return [SitsOnAPanel()]

    @extend_schema(
        request=SheetSaveSerializer,
        responses={200: ScoreSheetSerializer, 201: ScoreSheetSerializer, **ERRORS},
        summary="Save or submit one's sheet for a candidate",
    )
    def create(self, request, *args, **kwargs):
        """Create one's sheet for a candidate (201) or update one's draft (200); submitting locks it."""
        data = _payload(SheetSaveSerializer, request)
        existed = ScoreSheet.objects.filter(
            panel=data["panel"], application=data["application"], judge=request.user
        ).exists()
        sheet = services.sheet_save(judge=request.user, **data)
        return Response(self._read(sheet), status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: ScoreSheetSerializer, **ERRORS}, summary="Submit one's draft")
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit one's own draft as it stands, which locks it."""
        draft = self.get_object()
        sheet = services.sheet_save(
            judge=request.user,
            panel=draft.panel,
            application=draft.application,
            marks={key: Decimal(value) for key, value in draft.marks.items()},
            submit=True,
        )
        return Response(self._read(sheet))

    @extend_schema(
        request=SheetAmendSerializer, responses={200: ScoreSheetSerializer, **ERRORS}, summary="Chair's amendment"
    )
    @action(detail=True, methods=["post"])
    def amend(self, request, pk=None):
        """The panel chair corrects a submitted sheet with a reason; the original stays in the trail."""
        sheet = services.sheet_amend(
            actor=request.user, sheet=self.get_object(), **_payload(SheetAmendSerializer, request)
        )
        return Response(self._read(sheet))

    def _read(self, sheet: ScoreSheet) -> dict:
        return ScoreSheetSerializer(
            ScoreSheet.objects.select_related("judge", "application__person").get(pk=sheet.pk)
        ).data


class BallotViewSet(mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Cast one ballot on one candidate of an open vote; ballots are never read back or changed."""

    serializer_class = BallotSerializer
    permission_classes = [HasRole(*permissions.VOTER_ROLES)]
    queryset = Ballot.objects.none()

    @extend_schema(responses={201: BallotSerializer, **ERRORS})
    def create(self, request, *args, **kwargs):
        data = _payload(BallotSerializer, request)
        ballot = services.ballot_cast(
            voter=request.user, round_=data["round"], application=data["application"], choice=data["choice"]
        )
        return Response(BallotSerializer(ballot).data, status=status.HTTP_201_CREATED)


class ResultViewSet(viewsets.ReadOnlyModelViewSet):
    """Oversight roles read every ranking; from the publicity on, staff read who was selected
    and their own place."""

    serializer_class = CampaignResultSerializer
    filterset_class = ResultFilter
    ordering_fields = ["campaign_post", "rank"]

    def get_queryset(self):
        user = self.request.user
        results = Result.objects.select_related("campaign_post__post", "application__person").order_by(
            "campaign_post", "rank"
        )
        if permissions.can_oversee(user):
            return results
        published = _visible_campaigns(user).filter(status__in=PUBLISHED)
        person = user_person(user)
        shown = (Q(selected=True) | Q(application__person=person)) if person else Q(selected=True)
        return results.filter(shown, campaign_post__campaign__in=published)


def register(router: DefaultRouter) -> None:
    """Add the recruitment endpoints to the project's API router."""
    router.register("recruitment/campaigns", CampaignViewSet, basename="recruitment-campaign")
    router.register("recruitment/posts", CampaignPostViewSet, basename="recruitment-post")
    router.register("recruitment/applications", ApplicationViewSet, basename="recruitment-application")
    router.register("recruitment/rounds", RoundViewSet, basename="recruitment-round")
    router.register("recruitment/panels", PanelViewSet, basename="recruitment-panel")
    router.register("recruitment/sheets", ScoreSheetViewSet, basename="recruitment-sheet")
    router.register("recruitment/ballots", BallotViewSet, basename="recruitment-ballot")
    router.register("recruitment/results", ResultViewSet, basename="recruitment-result")
