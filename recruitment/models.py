"""Competitive hiring (竞聘) of domain.md §6: campaigns, applications, rounds, sheets, results.

Models hold data and invariants; the rules (trimmed means, ranking, matching, publicity
days) are pure functions in recruitment.scoring, .matching and .publicity, and the
workflows are in recruitment.services.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from staffing.models import Appointment, Person, Post
from zonehr.audit import AuditedModel

HUNDRED = Decimal(100)


class Campaign(AuditedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPLICATIONS_OPEN = "applications_open", _("Applications open")
        QUALIFICATION_REVIEW = "qualification_review", _("Qualification review")
        ROUNDS = "rounds", _("Rounds under way")
        RESULTS = "results", _("Results")
        PUBLICITY = "publicity", _("Publicity")
        APPOINTED = "appointed", _("Appointed")
        CLOSED = "closed", _("Closed")

    class Rounding(models.TextChoices):
        HALF_UP = "half_up", _("Half up")
        TRUNCATE = "truncate", _("Truncate")

    name = models.CharField(_("name"), max_length=200)
    method = models.CharField(_("method"), max_length=30, choices=Appointment.Method.choices)
    status = models.CharField(_("status"), max_length=30, choices=Status.choices, default=Status.DRAFT)
    description = models.TextField(_("description"), blank=True)
    applications_close_on = models.DateField(_("applications close on"), null=True, blank=True)
    # Scoring rules: defaults of domain.md §6, changeable per campaign.
    trim_above = models.PositiveSmallIntegerField(
        _("trim above"),
        default=5,
        help_text=_("With more valid sheets than this, the highest and the lowest are dropped."),
    )
    rounding = models.CharField(_("rounding"), max_length=10, choices=Rounding.choices, default=Rounding.HALF_UP)
    balance_panels = models.BooleanField(
        _("balance panels"),
        default=False,
        help_text=_("Balance the scores of panels that scored the same post (二次平均法)."),
    )
    tie_break = models.JSONField(
        _("tie-break order"),
        default=list,
        blank=True,
        help_text=_("Round kinds compared in order when composites tie, e.g. interview, written."),
    )
    vote_pass_rate = models.DecimalField(_("vote pass rate"), max_digits=5, decimal_places=4, default=Decimal("0.5"))
    vote_turnout = models.DecimalField(
        _("vote turnout required"), max_digits=5, decimal_places=4, default=Decimal("0.6667")
    )
    publicity_working_days = models.PositiveSmallIntegerField(_("publicity (working days)"), default=5)
    publicity_start = models.DateField(_("publicity start"), null=True, blank=True)
    publicity_end = models.DateField(_("publicity end"), null=True, blank=True)
    term_years = models.PositiveSmallIntegerField(_("contract term (years)"), default=3)
    unplaced_to_waiting = models.BooleanField(
        _("unplaced staff go to waiting"),
        default=True,
        help_text=_("All staff re-compete for their posts: those who get no post go to waiting (off-post training)."),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(
                condition=Q(publicity_working_days__gte=5),
                name="campaign_publicity_at_least_5_days",
                violation_error_message=_("Publicity lasts at least 5 working days."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CampaignPost(AuditedModel):
    """A post offered by a campaign, with its places and who may apply (never by identity)."""

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="posts", verbose_name=_("campaign"))
    post = models.ForeignKey(Post, models.PROTECT, related_name="campaign_posts", verbose_name=_("post"))
    places = models.PositiveSmallIntegerField(_("places"), default=1, validators=[MinValueValidator(1)])
    min_level_rank = models.PositiveSmallIntegerField(
        _("lowest current level"),
        null=True,
        blank=True,
        help_text=_("Applicants must hold a post of at least this level rank."),
    )
    min_years_of_service = models.PositiveSmallIntegerField(_("years of service at least"), null=True, blank=True)
    min_education = models.CharField(
        _("education at least"), max_length=20, choices=Person.Education.choices, blank=True
    )

    class Meta:
        ordering = ["campaign", "post__department__sort_order", "post__code"]
        verbose_name = _("post offered")
        verbose_name_plural = _("posts offered")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "post"], name="campaign_post_unique"),
            models.CheckConstraint(condition=Q(places__gte=1), name="campaign_post_places_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.post} × {self.places}"


class Application(AuditedModel):
    """A candidate in a campaign: a staff member, or an external applicant (open recruitment)
    who becomes a Person only when appointed."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        QUALIFIED = "qualified", _("Qualified")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        DISQUALIFIED = "disqualified", _("Disqualified")

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="applications", verbose_name=_("campaign"))
    person = models.ForeignKey(
        Person, models.PROTECT, null=True, blank=True, related_name="applications", verbose_name=_("person")
    )
    external_name = models.CharField(_("name"), max_length=50, blank=True)
    external_national_id = models.CharField(_("national ID"), max_length=18, blank=True)
    external_gender = models.CharField(_("gender"), max_length=1, choices=Person.Gender.choices, blank=True)
    external_birth_date = models.DateField(_("birth date"), null=True, blank=True)
    external_education = models.CharField(_("education"), max_length=20, choices=Person.Education.choices, blank=True)
    statement = models.TextField(_("statement"), blank=True)
    declared_truthful = models.BooleanField(_("declared truthful"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    rejection_reason = models.CharField(_("reason for rejection"), max_length=300, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    class Meta:
        ordering = ["campaign", "id"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "person"],
                condition=Q(person__isnull=False),
                name="application_once_per_person",
                violation_error_message=_("This person has already applied in this campaign."),
            ),
            models.UniqueConstraint(
                fields=["campaign", "external_national_id"],
                condition=Q(person__isnull=True),
                name="application_once_per_external",
                violation_error_message=_("This applicant has already applied in this campaign."),
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=False) | ~Q(external_name="") & ~Q(external_national_id=""),
                name="application_has_candidate",
                violation_error_message=_("An application is by a staff member or names an external applicant."),
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="application_rejection_has_reason",
                violation_error_message=_("A rejection carries a reason the applicant sees."),
            ),
        ]

    def __str__(self) -> str:
        return self.candidate_name

    @property
    def candidate_name(self) -> str:
        return self.person.name if self.person_id else self.external_name

    def audit_person_id(self) -> int | None:
        return self.person_id


class ApplicationChoice(models.Model):
    """A post the candidate applies for; `preference` 1 is his first choice (two-way selection)."""

    application = models.ForeignKey(Application, models.CASCADE, related_name="choices")
    campaign_post = models.ForeignKey(CampaignPost, models.CASCADE, related_name="choices")
    preference = models.PositiveSmallIntegerField(_("preference"), default=1)

    class Meta:
        ordering = ["application", "preference"]
        constraints = [
            models.UniqueConstraint(fields=["application", "campaign_post"], name="application_choice_unique"),
            models.UniqueConstraint(fields=["application", "preference"], name="application_preference_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.application} #{self.preference}: {self.campaign_post}"


class DepartmentPreference(models.Model):
    """How the post's department ranks a candidate who applied to it (two-way selection)."""

    campaign_post = models.ForeignKey(CampaignPost, models.CASCADE, related_name="department_preferences")
    application = models.ForeignKey(Application, models.CASCADE, related_name="department_preferences")
    rank = models.PositiveSmallIntegerField(_("rank"))
    ranked_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    class Meta:
        ordering = ["campaign_post", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["campaign_post", "application"], name="department_preference_unique"),
            models.UniqueConstraint(fields=["campaign_post", "rank"], name="department_preference_rank_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_post} #{self.rank}: {self.application}"


class IntegrityFlag(AuditedModel):
    """A breach of integrity (domain.md §6, [004]) recorded against an application."""

    class Kind(models.TextChoices):
        FALSIFIED = "falsified", _("Falsified application material")
        LOBBYING = "lobbying", _("Lobbying (running for office)")
        UNDECLARED_CONFLICT = "undeclared_conflict", _("Undeclared conflict of interest")

    application = models.ForeignKey(Application, models.CASCADE, related_name="integrity_flags")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    note = models.TextField(_("note"))
    disqualifies = models.BooleanField(_("disqualifies"), default=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at"]
        verbose_name = _("integrity flag")
        verbose_name_plural = _("integrity flags")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.application}"

    def audit_person_id(self) -> int | None:
        return self.application.person_id


class Round(AuditedModel):
    class Kind(models.TextChoices):
        QUALIFICATION = "qualification", _("Qualification review")
        WRITTEN = "written", _("Written exam")
        INTERVIEW = "interview", _("On-site interview")
        VOTE = "vote", _("Democratic vote")
        INSPECTION = "inspection", _("Inspection")

    class Status(models.TextChoices):
        PENDING = "pending", _("Not started")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="rounds", verbose_name=_("campaign"))
    order = models.PositiveSmallIntegerField(_("order"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    weight = models.DecimalField(
        _("weight (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(HUNDRED)],
    )
    pass_line = models.DecimalField(_("pass line"), max_digits=6, decimal_places=2, null=True, blank=True)
    advance_per_place = models.PositiveSmallIntegerField(_("advance per place"), null=True, blank=True)
    eligible_voters = models.PositiveIntegerField(_("eligible voters"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    final_digest = models.CharField(_("final digest"), max_length=64, blank=True)

    class Meta:
        ordering = ["campaign", "order"]
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "order"], name="round_order_unique"),
            models.CheckConstraint(
                condition=Q(weight__gte=0) & Q(weight__lte=100),
                name="round_weight_percent",
                violation_error_message=_("A weight is a percentage from 0 to 100."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.name}"


class Criterion(AuditedModel):
    """One line of an interview score sheet, scored from 0 to its maximum."""

    round = models.ForeignKey(Round, models.CASCADE, related_name="criteria")
    name = models.CharField(_("name"), max_length=100)
    maximum = models.DecimalField(_("maximum"), max_digits=6, decimal_places=2)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["round", "order", "id"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.CheckConstraint(condition=Q(maximum__gt=0), name="criterion_maximum_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.maximum})"


class Panel(AuditedModel):
    """A panel of judges in one room scoring one round's candidates in a running order."""

    round = models.ForeignKey(Round, models.CASCADE, related_name="panels")
    name = models.CharField(_("name"), max_length=100)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("chair")
    )
    judges = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="panels", verbose_name=_("judges"))

    class Meta:
        ordering = ["round", "id"]
        verbose_name = _("panel")
        verbose_name_plural = _("panels")

    def __str__(self) -> str:
        return f"{self.round.name} · {self.name}"


class PanelCandidate(models.Model):
    panel = models.ForeignKey(Panel, models.CASCADE, related_name="candidates")
    application = models.ForeignKey(Application, models.CASCADE, related_name="panel_places")
    running_order = models.PositiveSmallIntegerField(_("running order"))

    class Meta:
        ordering = ["panel", "running_order"]
        constraints = [
            models.UniqueConstraint(fields=["panel", "application"], name="panel_candidate_unique"),
            models.UniqueConstraint(fields=["panel", "running_order"], name="panel_running_order_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.panel} #{self.running_order}: {self.application}"


class ScoreSheet(AuditedModel):
    """One judge's marks for one candidate: secret until submitted, locked once submitted."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    panel = models.ForeignKey(Panel, models.PROTECT, related_name="sheets")
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="score_sheets")
    application = models.ForeignKey(Application, models.PROTECT, related_name="score_sheets")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Criterion id -> mark as a decimal string: one row per sheet keeps submit and digest atomic.
    marks = models.JSONField(_("marks"), default=dict)
    total = models.DecimalField(_("total"), max_digits=7, decimal_places=2, null=True, blank=True)
    conflict_declared = models.BooleanField(_("conflict of interest declared"), default=False)
    conflict_note = models.CharField(_("conflict of interest"), max_length=300, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    amended_reason = models.CharField(_("amendment reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["panel", "application", "judge"]
        verbose_name = _("score sheet")
        verbose_name_plural = _("score sheets")
        constraints = [
            models.UniqueConstraint(fields=["panel", "judge", "application"], name="score_sheet_unique"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="score_sheet_submitted_at",
            ),
        ]
        indexes = [models.Index(fields=["panel", "status"], name="score_sheet_panel_status")]

    def __str__(self) -> str:
        return f"{self.panel} · {self.judge} · {self.application}"

    def audit_person_id(self) -> int | None:
        return self.application.person_id


class SheetDigest(models.Model):
    """One link of a round's hash chain: the content of a sheet as submitted or amended.

    Each link's digest is SHA-256 over the previous link's digest and this content, so a
    sheet changed afterwards outside the amendment path no longer matches its last link,
    and an edited link breaks every digest after it. Append-only.
    """

    round = models.ForeignKey(Round, models.PROTECT, related_name="sheet_digests")
    sequence = models.PositiveIntegerField(_("sequence"))
    sheet = models.ForeignKey(ScoreSheet, models.PROTECT, related_name="digests")
    content = models.TextField(_("content"))
    previous_digest = models.CharField(_("previous digest"), max_length=64, blank=True)
    digest = models.CharField(_("digest"), max_length=64)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["round", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["round", "sequence"], name="sheet_digest_sequence_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}#{self.sequence} {self.digest[:12]}"


class WrittenScore(AuditedModel):
    round = models.ForeignKey(Round, models.PROTECT, related_name="written_scores")
    application = models.ForeignKey(Application, models.PROTECT, related_name="written_scores")
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, validators=[MinValueValidator(0)])
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("written score")
        verbose_name_plural = _("written scores")
        constraints = [
            models.UniqueConstraint(fields=["round", "application"], name="written_score_unique"),
            models.CheckConstraint(condition=Q(score__gte=0), name="written_score_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.application}: {self.score}"

    def audit_person_id(self) -> int | None:
        return self.application.person_id


class Ballot(models.Model):
    """One voter's choice on one candidate in a democratic vote; cast once, never changed."""

    class Choice(models.TextChoices):
        FOR = "for", _("For")
        AGAINST = "against", _("Against")
        ABSTAIN = "abstain", _("Abstain")
        SPOILT = "spoilt", _("Spoilt")

    round = models.ForeignKey(Round, models.PROTECT, related_name="ballots")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    application = models.ForeignKey(Application, models.PROTECT, related_name="ballots")
    choice = models.CharField(_("choice"), max_length=10, choices=Choice.choices)
    cast_at = models.DateTimeField(_("cast at"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "voter", "application"],
                name="ballot_once",
                violation_error_message=_("This ballot has already been cast."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.application}"


class RoundResult(models.Model):
    """A candidate's score in a round, computed when the round closes."""

    round = models.ForeignKey(Round, models.CASCADE, related_name="results")
    application = models.ForeignKey(Application, models.CASCADE, related_name="round_results")
    score = models.DecimalField(_("score"), max_digits=7, decimal_places=2, null=True, blank=True)
    valid_sheets = models.PositiveSmallIntegerField(_("valid sheets"), default=0)
    advanced = models.BooleanField(_("advanced"), default=False)

    class Meta:
        ordering = ["round", "-score"]
        constraints = [
            models.UniqueConstraint(fields=["round", "application"], name="round_result_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.application}: {self.score}"


class Result(AuditedModel):
    """The final ranking of a candidate for a post offered."""

    campaign_post = models.ForeignKey(CampaignPost, models.CASCADE, related_name="results")
    application = models.ForeignKey(Application, models.CASCADE, related_name="results")
    composite = models.DecimalField(_("composite"), max_digits=7, decimal_places=2, null=True, blank=True)
    rank = models.PositiveSmallIntegerField(_("rank"))
    decided_by_lot = models.BooleanField(_("decided by lot"), default=False)
    selected = models.BooleanField(_("selected"), default=False)

    class Meta:
        ordering = ["campaign_post", "rank"]
        verbose_name = _("result")
        verbose_name_plural = _("results")
        constraints = [
            models.UniqueConstraint(fields=["campaign_post", "application"], name="result_unique"),
            models.UniqueConstraint(fields=["campaign_post", "rank"], name="result_rank_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_post} #{self.rank}: {self.application}"

    def audit_person_id(self) -> int | None:
        return self.application.person_id


class Objection(AuditedModel):
    """An objection lodged during publicity, and how it was resolved."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        UPHELD = "upheld", _("Upheld")
        DISMISSED = "dismissed", _("Dismissed")

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="objections")
    application = models.ForeignKey(
        Application,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="objections",
        verbose_name=_("concerning"),
    )
    text = models.TextField(_("objection"))
    lodged_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    lodged_at = models.DateTimeField(_("lodged at"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        ordering = ["-lodged_at"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | ~Q(resolution=""),
                name="objection_resolution_given",
                violation_error_message=_("A resolved objection states its resolution."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign}: {self.text[:30]}"
