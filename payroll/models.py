"""Pay of domain.md §8: the zone's pay policy by effective date, pay periods and the jobs that
calculate and close them, salary packages, pay inputs, and the pay lines a calculation writes.

The arithmetic is in payroll.tax, payroll.contributions and payroll.allocation; the workflows in
payroll.services and payroll.calculation.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from payroll import allocation, contributions, tax
from staffing.models import Department, Person, Post
from zonehr.audit import AuditedModel

MONEY = {"max_digits": 14, "decimal_places": 2}
SHARE = {"max_digits": 5, "decimal_places": 4}
NOT_NEGATIVE = [MinValueValidator(Decimal(0))]
A_SHARE = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))]


SHARE_FIELDS = (
    "basic_performance_share",
    "major_work_share",
    "investment_promotion_share",
    "project_construction_share",
    "award_share",
    "minimum_performance_share",
    "pension_rate",
    "medical_rate",
    "unemployment_rate",
    "housing_fund_rate",
)


def _table_rows(table: tax.TaxTable) -> list[list]:
    return [[None if b.up_to is None else str(b.up_to), str(b.rate), str(b.quick_deduction)] for b in table.brackets]


def default_annual_table() -> list[list]:
    return _table_rows(tax.ANNUAL_TABLE)


def default_bonus_table() -> list[list]:
    return _table_rows(tax.MONTHLY_TABLE)


class PayPolicy(AuditedModel):
    """The zone's pay rules from `effective_from` on; a period uses the latest version in force
    on its first day, so a change never rewrites a month already paid."""

    effective_from = models.DateField(
        _("effective from"),
        unique=True,
        error_messages={"unique": _("A pay policy already takes effect on this date.")},
    )
    per_head_base = models.DecimalField(
        _("performance base per head (monthly)"), **MONEY, default=Decimal(6000), validators=NOT_NEGATIVE
    )
    basic_performance_share = models.DecimalField(
        _("basic performance share"),
        **SHARE,
        default=allocation.BASIC_SHARE,
        validators=A_SHARE,
        help_text=_("Of performance pay; the rest is incentive performance (Baoding: 25 % / 75 %)."),
    )
    major_work_share = models.DecimalField(
        _("major work share of incentive"), **SHARE, default=Decimal("0.40"), validators=A_SHARE
    )
    investment_promotion_share = models.DecimalField(
        _("investment promotion share of incentive"), **SHARE, default=Decimal("0.30"), validators=A_SHARE
    )
    project_construction_share = models.DecimalField(
        _("project construction share of incentive"), **SHARE, default=Decimal("0.30"), validators=A_SHARE
    )
    award_share = models.DecimalField(
        _("advanced-worker award share of the pool"),
        **SHARE,
        default=allocation.AWARD_SHARE,
        validators=A_SHARE,
        help_text=_("Taken from the zone's performance pool in a month that names advanced workers (Linwu: 20 %)."),
    )
    minimum_performance_share = models.DecimalField(
        _("minimum performance share of total pay"),
        **SHARE,
        default=allocation.MINIMUM_PERFORMANCE_SHARE,
        validators=A_SHARE,
    )
    pension_rate = models.DecimalField(
        _("pension rate"), **SHARE, default=contributions.DEFAULT_RATES[contributions.PENSION], validators=A_SHARE
    )
    medical_rate = models.DecimalField(
        _("medical insurance rate"),
        **SHARE,
        default=contributions.DEFAULT_RATES[contributions.MEDICAL],
        validators=A_SHARE,
    )
    unemployment_rate = models.DecimalField(
        _("unemployment insurance rate"),
        **SHARE,
        default=contributions.DEFAULT_RATES[contributions.UNEMPLOYMENT],
        validators=A_SHARE,
    )
    housing_fund_rate = models.DecimalField(
        _("housing fund rate"),
        **SHARE,
        default=contributions.DEFAULT_RATES[contributions.HOUSING_FUND],
        validators=[
            MinValueValidator(contributions.HOUSING_FUND_RANGE[0]),
            MaxValueValidator(contributions.HOUSING_FUND_RANGE[1]),
        ],
    )
    average_wage = models.DecimalField(
        _("local average monthly wage"), **MONEY, default=Decimal(8000), validators=NOT_NEGATIVE
    )
    base_floor = models.DecimalField(
        _("contribution base floor"),
        **SHARE,
        default=contributions.BASE_FLOOR,
        validators=NOT_NEGATIVE,
        help_text=_("As a share of the local average wage."),
    )
    base_ceiling = models.DecimalField(
        _("contribution base ceiling"),
        **SHARE,
        default=contributions.BASE_CEILING,
        validators=NOT_NEGATIVE,
        help_text=_("As a share of the local average wage."),
    )
    basic_deduction = models.DecimalField(
        _("basic deduction per month"), **MONEY, default=tax.BASIC_DEDUCTION, validators=NOT_NEGATIVE
    )
    annual_tax_table = models.JSONField(
        _("annual tax table"),
        default=default_annual_table,
        help_text=_("Brackets from the lowest: [upper bound or null, rate, quick deduction]."),
    )
    bonus_tax_table = models.JSONField(_("annual bonus tax table (monthly)"), default=default_bonus_table)
    separate_bonus_until = models.DateField(_("annual bonus taxed separately until"), default=tax.SEPARATE_BONUS_UNTIL)

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("pay policy")
        verbose_name_plural = _("pay policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(**{f"{share}__gte": 0 for share in SHARE_FIELDS})
                & Q(**{f"{share}__lte": 1 for share in SHARE_FIELDS}),
                name="pay_policy_shares_within_0_and_1",
                violation_error_message=_("A share or rate is between 0 % and 100 %."),
            ),
            models.CheckConstraint(condition=Q(base_floor__lte=models.F("base_ceiling")), name="pay_policy_base_order"),
        ]

    def __str__(self) -> str:
        return _("Pay policy from %(date)s") % {"date": self.effective_from.isoformat()}

    def clean(self) -> None:
        errors = {}
        shares = (self.major_work_share, self.investment_promotion_share, self.project_construction_share)
        if None not in shares and sum(shares) != 1:
            errors["major_work_share"] = _(
                "The three incentive sub-items must add up to 100 %%; they add up to %(sum)s."
            ) % {"sum": f"{sum(shares):.2%}"}
        for field in ("annual_tax_table", "bonus_tax_table"):
            try:
                self._table(field)
            except (tax.TaxError, TypeError, ValueError, ArithmeticError) as error:
                errors[field] = _("The tax table is not valid: %(error)s") % {"error": error}
        if errors:
            raise ValidationError(errors)

    def _table(self, field: str) -> tax.TaxTable:
        rows = getattr(self, field)
        if not isinstance(rows, list) or not all(isinstance(row, list | tuple) and len(row) == 3 for row in rows):
            raise ValueError("each bracket is [upper bound or null, rate, quick deduction]")
        return tax.TaxTable.of([tuple(None if f is None else str(f) for f in row) for row in rows])

    def annual_table(self) -> tax.TaxTable:
        return self._table("annual_tax_table")

    def bonus_table(self) -> tax.TaxTable:
        return self._table("bonus_tax_table")

    def contribution_rates(self) -> dict[str, Decimal]:
        return {
            contributions.PENSION: self.pension_rate,
            contributions.MEDICAL: self.medical_rate,
            contributions.UNEMPLOYMENT: self.unemployment_rate,
            contributions.HOUSING_FUND: self.housing_fund_rate,
        }


class PayPeriod(AuditedModel):
    """One month of pay: open → calculated (reviewable, recalculable) → closed (locked);
    reopened only by a privileged role with a reason."""

    class Status(models.TextChoices):
        # A context of their own: "Open" and "Closed" mean otherwise elsewhere (a campaign, a task).
        OPEN = "open", pgettext_lazy("pay period", "Open")
        CALCULATED = "calculated", pgettext_lazy("pay period", "Calculated")
        CLOSED = "closed", pgettext_lazy("pay period", "Closed")

    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    cycle = models.ForeignKey(
        "assessment.Cycle",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="pay_periods",
        verbose_name=_("assessment cycle"),
        help_text=_("The confirmed cycle whose ratings and department results this month pays on."),
    )
    zone_factor = models.DecimalField(
        _("zone result factor"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0.50")), MaxValueValidator(Decimal("1.50"))],
        help_text=_("The zone's performance pool moves with the zone's results."),
    )
    performance_pool = models.DecimalField(
        _("zone performance pool"),
        **MONEY,
        null=True,
        blank=True,
        validators=NOT_NEGATIVE,
        help_text=_("Set when leadership approves the packages: departments' packages plus the award pool."),
    )
    award_pool = models.DecimalField(
        _("advanced-worker award pool"), **MONEY, default=Decimal(0), validators=NOT_NEGATIVE
    )
    current_job = models.ForeignKey(
        "PayrollJob",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("calculation in force"),
    )
    calculated_at = models.DateTimeField(_("calculated at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("closed by")
    )
    reopen_reason = models.CharField(_("reason for reopening"), max_length=300, blank=True)
    # Written by the close, so the sheet finance hands on is the one the month was closed with.
    salary_sheet = models.FileField(_("salary sheet"), upload_to="payroll/", blank=True)

    class Meta:
        ordering = ["-year", "-month"]
        verbose_name = _("pay period")
        verbose_name_plural = _("pay periods")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "month"],
                name="pay_period_unique_month",
                violation_error_message=_("This month already has a pay period."),
            ),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="pay_period_month_range"),
        ]

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}"


class PayrollJob(models.Model):
    """A calculation or close of a period running as Celery tasks, one per department chunk; the
    browser polls its progress. At most one job per period is queued or running."""

    class Kind(models.TextChoices):
        CALCULATE = "calculate", pgettext_lazy("payroll job", "Calculation")
        CLOSE = "close", pgettext_lazy("payroll job", "Close")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    period = models.ForeignKey(PayPeriod, models.CASCADE, related_name="jobs", verbose_name=_("pay period"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    total_steps = models.PositiveIntegerField(_("steps"), default=0)
    done_steps = models.PositiveIntegerField(_("steps done"), default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+", verbose_name=_("started by")
    )
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    # Touched by every finished step: a running job whose heartbeat is old lost its worker.
    heartbeat_at = models.DateTimeField(_("last progress at"), auto_now=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("payroll job")
        verbose_name_plural = _("payroll jobs")
        constraints = [
            models.UniqueConstraint(
                fields=["period"],
                condition=Q(status__in=["queued", "running"]),
                name="payroll_job_one_active_per_period",
                violation_error_message=_("A calculation or close of this period is already running."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.get_kind_display()} #{self.pk}"

    @property
    def percent(self) -> int:
        return 100 * self.done_steps // self.total_steps if self.total_steps else 0


class SalaryPackage(AuditedModel):
    """A department's salary package for a period: the basic package from the grades of its
    staff, the performance package from headcount × base × coefficient × result inside the
    zone's pool. Recorded when leadership approves it."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")

    period = models.ForeignKey(PayPeriod, models.CASCADE, related_name="packages", verbose_name=_("pay period"))
    department = models.ForeignKey(
        Department, models.PROTECT, related_name="salary_packages", verbose_name=_("department")
    )
    headcount = models.PositiveIntegerField(_("headcount"))
    coefficient = models.DecimalField(_("department coefficient"), max_digits=3, decimal_places=2)
    assessment_score = models.DecimalField(
        _("department assessment score"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    basic_package = models.DecimalField(_("basic package"), **MONEY, validators=NOT_NEGATIVE)
    performance_package = models.DecimalField(_("performance package"), **MONEY, validators=NOT_NEGATIVE)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("approved by")
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        ordering = ["period", "department__code"]
        verbose_name = _("salary package")
        verbose_name_plural = _("salary packages")
        constraints = [
            models.UniqueConstraint(fields=["period", "department"], name="salary_package_one_per_department"),
            models.CheckConstraint(
                condition=Q(basic_package__gte=0, performance_package__gte=0), name="salary_package_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.department}"


class PayProfile(AuditedModel):
    """What pay needs of a person beyond staffing: the bank account paid into, the monthly
    special additional deductions declared for income tax, and the declared contribution wage."""

    person = models.OneToOneField(Person, models.CASCADE, related_name="pay_profile", verbose_name=_("person"))
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=34, blank=True)
    special_additional_deduction = models.DecimalField(
        _("special additional deductions (monthly)"),
        **MONEY,
        default=Decimal(0),
        validators=NOT_NEGATIVE,
        help_text=_("Children's education, elderly parents, housing loan or rent, as declared."),
    )
    contribution_wage = models.DecimalField(
        _("declared contribution wage"),
        **MONEY,
        null=True,
        blank=True,
        validators=NOT_NEGATIVE,
        help_text=_("Usually last year's monthly average; when empty the month's gross pay is used."),
    )

    class Meta:
        verbose_name = _("pay profile")
        verbose_name_plural = _("pay profiles")
        constraints = [
            models.CheckConstraint(
                condition=Q(special_additional_deduction__gte=0), name="pay_profile_deduction_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return str(self.person)

    def audit_person_id(self) -> int | None:
        return self.person_id


class PayInput(AuditedModel):
    """An amount entered for one person in one period: allowances, over-target bonus, back pay,
    a deduction, or a one-off annual bonus."""

    class Kind(models.TextChoices):
        ALLOWANCE = "allowance", _("Allowance")
        OVER_TARGET_BONUS = "over_target_bonus", _("Over-target bonus")
        BACK_PAY = "back_pay", _("Back pay")
        DEDUCTION = "deduction", _("Other deduction")
        ANNUAL_BONUS = "annual_bonus", _("One-off annual bonus")

    period = models.ForeignKey(PayPeriod, models.CASCADE, related_name="inputs", verbose_name=_("pay period"))
    person = models.ForeignKey(Person, models.PROTECT, related_name="pay_inputs", verbose_name=_("person"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    amount = models.DecimalField(_("amount"), **MONEY, validators=NOT_NEGATIVE)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["period", "person__name", "kind"]
        verbose_name = _("pay input")
        verbose_name_plural = _("pay inputs")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="pay_input_not_negative",
                violation_error_message=_("An amount cannot be negative; enter a deduction as its own kind."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.person} {self.get_kind_display()} {self.amount}"

    def audit_person_id(self) -> int | None:
        return self.person_id


class AdvancedWorker(AuditedModel):
    """A person named for the advanced-worker award in a period; the award pool is shared among
    those named."""

    period = models.ForeignKey(PayPeriod, models.CASCADE, related_name="advanced_workers", verbose_name=_("pay period"))
    person = models.ForeignKey(Person, models.PROTECT, related_name="+", verbose_name=_("person"))

    class Meta:
        verbose_name = _("advanced worker")
        verbose_name_plural = _("advanced workers")
        constraints = [models.UniqueConstraint(fields=["period", "person"], name="advanced_worker_once_per_period")]

    def __str__(self) -> str:
        return f"{self.period} {self.person}"

    def audit_person_id(self) -> int | None:
        return self.person_id


class PayLine(models.Model):
    """One person's pay in one calculation of a period. A recalculation writes a new set under a
    new job and switches the period to it in one transaction, so readers see one whole set."""

    job = models.ForeignKey(PayrollJob, models.CASCADE, related_name="lines", verbose_name=_("calculation"))
    period = models.ForeignKey(PayPeriod, models.CASCADE, related_name="lines", verbose_name=_("pay period"))
    person = models.ForeignKey(Person, models.PROTECT, related_name="pay_lines", verbose_name=_("person"))
    department = models.ForeignKey(Department, models.PROTECT, related_name="+", verbose_name=_("department"))
    post = models.ForeignKey(Post, models.PROTECT, null=True, related_name="+", verbose_name=_("post"))
    identity = models.CharField(_("identity category"), max_length=20, choices=Person.Identity.choices)
    waiting = models.BooleanField(_("waiting for a post"), default=False)
    score = models.DecimalField(_("individual score"), max_digits=6, decimal_places=2, null=True)
    post_coefficient = models.DecimalField(_("post coefficient"), max_digits=4, decimal_places=2, default=Decimal(1))

    basic_salary = models.DecimalField(_("basic salary"), **MONEY, default=Decimal(0))
    basic_performance = models.DecimalField(_("basic performance"), **MONEY, default=Decimal(0))
    major_work = models.DecimalField(_("incentive: major work"), **MONEY, default=Decimal(0))
    investment_promotion = models.DecimalField(_("incentive: investment promotion"), **MONEY, default=Decimal(0))
    project_construction = models.DecimalField(_("incentive: project construction"), **MONEY, default=Decimal(0))
    allowances = models.DecimalField(_("allowances"), **MONEY, default=Decimal(0))
    over_target_bonus = models.DecimalField(_("over-target bonus"), **MONEY, default=Decimal(0))
    advanced_worker_award = models.DecimalField(_("advanced-worker award"), **MONEY, default=Decimal(0))
    back_pay = models.DecimalField(_("back pay"), **MONEY, default=Decimal(0))
    gross_pay = models.DecimalField(_("gross pay"), **MONEY, default=Decimal(0))

    contribution_base = models.DecimalField(_("contribution base"), **MONEY, default=Decimal(0))
    pension = models.DecimalField(_("pension"), **MONEY, default=Decimal(0))
    medical = models.DecimalField(_("medical insurance"), **MONEY, default=Decimal(0))
    unemployment = models.DecimalField(_("unemployment insurance"), **MONEY, default=Decimal(0))
    housing_fund = models.DecimalField(_("housing fund"), **MONEY, default=Decimal(0))
    special_additional_deduction = models.DecimalField(_("special additional deductions"), **MONEY, default=Decimal(0))
    cumulative_taxable = models.DecimalField(_("cumulative taxable income"), **MONEY, default=Decimal(0))
    cumulative_tax = models.DecimalField(_("cumulative tax"), **MONEY, default=Decimal(0))
    income_tax = models.DecimalField(_("income tax"), **MONEY, default=Decimal(0))
    annual_bonus = models.DecimalField(_("annual bonus"), **MONEY, default=Decimal(0))
    annual_bonus_tax = models.DecimalField(_("annual bonus tax"), **MONEY, default=Decimal(0))
    other_deductions = models.DecimalField(_("other deductions"), **MONEY, default=Decimal(0))
    net_pay = models.DecimalField(_("net pay"), **MONEY, default=Decimal(0))

    # Not paid: kept beside actual pay for pensions and transfers (domain.md §8).
    archival_salary = models.DecimalField(_("archival salary"), **MONEY, null=True)

    class Meta:
        ordering = ["department__code", "person__name", "person_id"]
        verbose_name = _("pay line")
        verbose_name_plural = _("pay lines")
        constraints = [
            models.UniqueConstraint(fields=["job", "person"], name="pay_line_once_per_job"),
        ]
        indexes = [models.Index(fields=["job", "department"], name="pay_line_job_department")]

    def __str__(self) -> str:
        return f"{self.period} {self.person}"


# The components in the order of the salary sheet and the pivot report.
EARNINGS = (
    "basic_salary",
    "basic_performance",
    "major_work",
    "investment_promotion",
    "project_construction",
    "allowances",
    "over_target_bonus",
    "advanced_worker_award",
    "back_pay",
    "annual_bonus",
)
DEDUCTIONS = (
    "pension",
    "medical",
    "unemployment",
    "housing_fund",
    "income_tax",
    "annual_bonus_tax",
    "other_deductions",
)
