"""Assessment of domain.md §7: cycles, the KPI cascade, coefficients, evaluations, supervised
tasks, ratings with quotas, proposed consequences and conduct reports.

The arithmetic is in assessment.rules; the workflows in assessment.services.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from assessment import rules
from staffing.models import Department, Person
from zonehr.audit import AuditedModel

SCORE = {"max_digits": 6, "decimal_places": 2}
SHARE = {"max_digits": 5, "decimal_places": 4}


class Cycle(AuditedModel):
    class Kind(models.TextChoices):
        ANNUAL = "annual", _("Annual assessment")
        QUARTERLY = "quarterly", _("Usual-time (quarterly) assessment")

    class Status(models.TextChoices):
        PLANNING = "planning", _("Planning")
        SCORING = "scoring", _("Scoring")
        RATING = "rating", _("Rating")
        CONFIRMED = "confirmed", _("Confirmed")
        CLOSED = "closed", _("Closed")

    class Comparison(models.TextChoices):
        DEPARTMENT = "department", _("Each department")
        LEVEL = "level", _("All posts of the same level")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    annual = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="quarters", verbose_name=_("annual cycle")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNING)
    quarterly_weight = models.DecimalField(
        _("weight of the quarters"),
        **SHARE,
        default=rules.QUARTERLY_WEIGHT,
        help_text=_("Share of the usual-time (quarterly) results in the annual score."),
    )
    ratio_cap = models.DecimalField(_("ratio cap"), **SHARE, default=rules.RATIO_CAP)
    comparison = models.CharField(
        _("comparison group"), max_length=20, choices=Comparison.choices, default=Comparison.DEPARTMENT
    )
    excellent_max = models.DecimalField(_("excellent at most"), **SHARE, default=rules.EXCELLENT_MAX)
    basic_min = models.DecimalField(_("basically competent at least"), **SHARE, default=rules.BASIC_MIN)
    incompetent_about = models.DecimalField(_("incompetent about"), **SHARE, default=rules.INCOMPETENT_ABOUT)
    min_group_size = models.PositiveSmallIntegerField(
        _("smallest group for the lower quotas"), default=rules.MIN_GROUP_SIZE
    )
    points_overdue = models.DecimalField(_("points per overdue task"), **SCORE, default=rules.POINTS_OVERDUE)
    points_failed = models.DecimalField(_("points per failed task"), **SCORE, default=rules.POINTS_FAILED)
    task_deduction_cap = models.DecimalField(_("task deductions at most"), **SCORE, default=rules.TASK_DEDUCTION_CAP)

    class Meta:
        ordering = ["-year", "kind", "-quarter"]
        verbose_name = _("assessment cycle")
        verbose_name_plural = _("assessment cycles")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="annual", quarter__isnull=True) | Q(kind="quarterly", quarter__isnull=False),
                name="cycle_quarter_iff_quarterly",
                violation_error_message=_("A quarterly cycle names its quarter; an annual one does not."),
            ),
            models.UniqueConstraint(
                fields=["kind", "year", "quarter"],
                name="cycle_unique_period",
                violation_error_message=_("This period already has a cycle."),
            ),
            models.UniqueConstraint(
                fields=["year"],
                condition=Q(kind="annual"),
                name="cycle_one_annual_per_year",
                violation_error_message=_("This year already has an annual cycle."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Indicator(AuditedModel):
    """A KPI at one level of the cascade, pointing to the indicator it serves one level up."""

    class Level(models.TextChoices):
        ZONE = "zone", _("Zone")
        DEPARTMENT = "department", _("Department")
        INDIVIDUAL = "individual", _("Individual")

    class Rule(models.TextChoices):
        RATIO = "ratio", _("Ratio to target, capped")
        JUDGED = "judged", _("Judged 0–100")
        DEDUCTION = "deduction", _("Deduction per miss")

    cycle = models.ForeignKey(Cycle, models.CASCADE, related_name="indicators", verbose_name=_("cycle"))
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("serves")
    )
    department = models.ForeignKey(
        Department, models.PROTECT, null=True, blank=True, related_name="indicators", verbose_name=_("department")
    )
    person = models.ForeignKey(
        Person, models.PROTECT, null=True, blank=True, related_name="indicators", verbose_name=_("person")
    )
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    rule = models.CharField(_("scoring rule"), max_length=20, choices=Rule.choices)
    target = models.DecimalField(_("target"), max_digits=16, decimal_places=2, null=True, blank=True)
    weight = models.DecimalField(_("weight"), **SCORE, validators=[MinValueValidator(Decimal(0))])
    lower_is_better = models.BooleanField(_("lower is better"), default=False)
    points_per_miss = models.DecimalField(_("points per miss"), **SCORE, default=rules.POINTS_PER_MISS)
    actual = models.DecimalField(_("actual value"), max_digits=16, decimal_places=2, null=True, blank=True)
    judged = models.DecimalField(_("judged score"), **SCORE, null=True, blank=True)
    misses = models.PositiveIntegerField(_("misses"), null=True, blank=True)
    evidence = models.FileField(_("evidence"), upload_to="assessment/evidence/%Y/", blank=True)
    score = models.DecimalField(_("score"), **SCORE, null=True, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["cycle", "level", "id"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.CheckConstraint(
                condition=Q(level="zone", department__isnull=True, person__isnull=True)
                | Q(level="department", department__isnull=False, person__isnull=True)
                | Q(level="individual", person__isnull=False),
                name="indicator_owner_matches_level",
                violation_error_message=_(
                    "A zone indicator has no owner, a department indicator a department, an individual one a person."
                ),
            ),
            models.CheckConstraint(
                condition=Q(judged__isnull=True) | Q(judged__gte=0, judged__lte=100),
                name="indicator_judged_0_100",
                violation_error_message=_("A judged score is from 0 to 100."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def audit_person_id(self) -> int | None:
        return self.person_id


class Adjustment(AuditedModel):
    """A bonus or penalty item (加减分) on a department's or a person's score."""

    cycle = models.ForeignKey(Cycle, models.CASCADE, related_name="adjustments")
    department = models.ForeignKey(Department, models.PROTECT, null=True, blank=True, related_name="+")
    person = models.ForeignKey(Person, models.PROTECT, null=True, blank=True, related_name="+")
    points = models.DecimalField(_("points"), **SCORE, help_text=_("Positive for a bonus, negative for a penalty."))
    reason = models.CharField(_("reason"), max_length=300)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("bonus or penalty")
        verbose_name_plural = _("bonuses and penalties")
        constraints = [
            models.CheckConstraint(
                condition=Q(department__isnull=False, person__isnull=True)
                | Q(department__isnull=True, person__isnull=False),
                name="adjustment_one_owner",
            ),
            models.CheckConstraint(condition=~Q(points=0), name="adjustment_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.points:+} {self.reason}"

    def audit_person_id(self) -> int | None:
        return self.person_id


class DepartmentCoefficient(AuditedModel):
    """A department's value coefficient for a cycle: HR proposes, leadership decides."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    cycle = models.ForeignKey(Cycle, models.CASCADE, related_name="coefficients")
    department = models.ForeignKey(Department, models.PROTECT, related_name="coefficients")
    value = models.DecimalField(_("coefficient"), max_digits=3, decimal_places=2)
    reason = models.CharField(_("reason (workload, difficulty)"), max_length=300)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=300, blank=True)

    class Meta:
        ordering = ["cycle", "department", "-proposed_at"]
        verbose_name = _("department coefficient")
        verbose_name_plural = _("department coefficients")
        constraints = [
            models.CheckConstraint(
                condition=Q(value__gte=Decimal("0.5"), value__lte=Decimal("1.5")),
                name="coefficient_in_range",
                violation_error_message=_("A department coefficient is from 0.5 to 1.5."),
            ),
            models.UniqueConstraint(
                fields=["cycle", "department"],
                condition=Q(status="approved"),
                name="coefficient_one_approved",
                violation_error_message=_("This department already has an approved coefficient for the cycle."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.value}"


class Composition(AuditedModel):
    """How a unit type's score is composed from its sources (one system per zone)."""

    class UnitType(models.TextChoices):
        DEPARTMENT = "department", _("Departments")
        LEADER = "leader", _("Leaders")
        STAFF = "staff", _("Staff")

    cycle = models.ForeignKey(Cycle, models.CASCADE, related_name="compositions")
    unit_type = models.CharField(_("unit type"), max_length=20, choices=UnitType.choices)
    weights = models.JSONField(_("source weights"), help_text=_("Source → weight in percent, summing to 100."))

    class Meta:
        verbose_name = _("score composition")
        verbose_name_plural = _("score compositions")
        constraints = [models.UniqueConstraint(fields=["cycle", "unit_type"], name="composition_unique")]

    def __str__(self) -> str:
        return f"{self.cycle} · {self.get_unit_type_display()}"


class Evaluation(AuditedModel):
    """A score from one source other than the KPIs: leaders and peers, a survey, enterprises."""

    class Source(models.TextChoices):
        COMPREHENSIVE_EVALUATION = "comprehensive_evaluation", _("Comprehensive evaluation (leaders and peers)")
        OPINION_SURVEY = "opinion_survey", _("Public-opinion survey")
        ENTERPRISE_EVALUATION = "enterprise_evaluation", _("Enterprises' evaluation of the zone's service")
        RESIDENT_EVALUATION = "resident_evaluation", _("Residents' evaluation")

    cycle = models.ForeignKey(Cycle, models.CASCADE, related_name="evaluations")
    source = models.CharField(_("source"), max_length=30, choices=Source.choices)
    department = models.ForeignKey(Department, models.PROTECT, null=True, blank=True, related_name="+")
    person = models.ForeignKey(Person, models.PROTECT, null=True, blank=True, related_name="+")
    score = models.DecimalField(
        _("score"), **SCORE, validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]
    )
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=100), name="evaluation_score_0_100"),
            models.CheckConstraint(
                condition=Q(department__isnull=False, person__isnull=True)
                | Q(department__isnull=True, person__isnull=False),
                name="evaluation_one_owner",
            ),
            models.UniqueConstraint(fields=["cycle", "source", "department"], name="evaluation_department_once"),
            models.UniqueConstraint(fields=["cycle", "source", "person"], name="evaluation_person_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()}: {self.score}"

    def audit_person_id(self) -> int | None:
        return self.person_id


class SupervisedTask(AuditedModel):
    """A task under supervision (督查督办) with a deadline; overdue or failed ones cost points."""

    cycle = models.ForeignKey(Cycle, models.CASCADE, related_name="tasks")
    title = models.CharField(_("task"), max_length=200)
    department = models.ForeignKey(Department, models.PROTECT, null=True, blank=True, related_name="tasks")
    person = models.ForeignKey(Person, models.PROTECT, null=True, blank=True, related_name="tasks")
    deadline = models.DateField(_("deadline"))
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    failed = models.BooleanField(_("failed"), default=False)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("supervised task")
        verbose_name_plural = _("supervised tasks")
        constraints = [
            models.CheckConstraint(
                condition=Q(department__isnull=False) | Q(person__isnull=False),
                name="task_has_assignee",
                violation_error_message=_("A task is assigned to a department or a person."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Rating(AuditedModel):
    """A person's grade in a cycle: proposed by rank within his comparison group, confirmed by HR."""

    class Grade(models.TextChoices):
        EXCELLENT = "excellent", _("Excellent")
        COMPETENT = "competent", _("Competent")
        BASICALLY_COMPETENT = "basically_competent", _("Basically competent")
        INCOMPETENT = "incompetent", _("Incompetent")

    cycle = models.ForeignKey(Cycle, models.CASCADE, related_name="ratings")
    person = models.ForeignKey(Person, models.PROTECT, related_name="ratings")
    department = models.ForeignKey(Department, models.PROTECT, null=True, blank=True, related_name="+")
    group = models.CharField(_("comparison group"), max_length=60)
    score = models.DecimalField(_("score"), **SCORE)
    rank = models.PositiveIntegerField(_("rank in group"))
    group_size = models.PositiveIntegerField(_("group size"))
    proposed_grade = models.CharField(_("proposed grade"), max_length=20, choices=Grade.choices)
    grade = models.CharField(_("grade"), max_length=20, choices=Grade.choices)
    override_reason = models.CharField(_("override reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["cycle", "group", "rank"]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "person"], name="rating_once_per_cycle"),
            models.CheckConstraint(
                condition=Q(grade=models.F("proposed_grade")) | ~Q(override_reason=""),
                name="rating_override_has_reason",
                violation_error_message=_("A grade other than the proposed one needs a reason."),
            ),
        ]
        indexes = [models.Index(fields=["cycle", "group"], name="rating_cycle_group")]

    def __str__(self) -> str:
        return f"{self.person} {self.get_grade_display()}"

    def audit_person_id(self) -> int | None:
        return self.person_id


class ConsequenceProposal(AuditedModel):
    """A consequence the rules propose; nothing happens to the person until HR confirms it."""

    class Kind(models.TextChoices):
        BASIC_COMPETENT_MEASURES = "basic_competent_measures", _("Pay cut, waiting or transfer")
        DISMISSAL = "dismissal", _("Dismissal")
        ADVANCED_WORKER_AWARD = "advanced_worker_award", _("Eligible for the advanced-worker award")
        PRIORITY_PROMOTION = "priority_promotion", _("Priority for promotion")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        CONFIRMED = "confirmed", _("Confirmed")
        DISMISSED = "dismissed", _("Not pursued")

    rating = models.ForeignKey(Rating, models.CASCADE, related_name="proposals")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    reasons = models.JSONField(_("reasons"), default=list)
    options = models.JSONField(_("measures to choose from"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=300, blank=True)

    class Meta:
        ordering = ["rating", "id"]
        verbose_name = _("consequence proposal")
        verbose_name_plural = _("consequence proposals")

    def __str__(self) -> str:
        return f"{self.rating.person}: {self.get_kind_display()}"

    def audit_person_id(self) -> int | None:
        return self.rating.person_id


class ConductReport(AuditedModel):
    """A report on an inactive ("lying-flat") cadre, handled by the discipline inspector.

    The filer is always kept, so the inspector can follow up; an anonymous report hides him
    from everyone else.
    """

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        VERIFIED = "verified", _("Verified")
        UNFOUNDED = "unfounded", _("Unfounded")
        ACTION = "action", _("Action taken")

    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    anonymous = models.BooleanField(_("anonymous"), default=False)
    subject = models.ForeignKey(Person, models.PROTECT, null=True, blank=True, related_name="conduct_reports")
    department = models.ForeignKey(Department, models.PROTECT, null=True, blank=True, related_name="+")
    text = models.TextField(_("report"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RECEIVED)
    notes = models.TextField(_("handling notes"), blank=True)
    filed_at = models.DateTimeField(_("filed at"), auto_now_add=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-filed_at"]
        verbose_name = _("conduct report")
        verbose_name_plural = _("conduct reports")

    def __str__(self) -> str:
        return f"{self.filed_at:%Y-%m-%d} {self.get_status_display()}"

    def audit_person_id(self) -> int | None:
        return self.subject_id
