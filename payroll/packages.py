"""Salary packages per department and period (薪酬包, domain.md §8): the what-if and the approval.

package_plan works every department's package out without writing anything, so finance and
leadership can try another zone factor or department coefficient; approve_packages records the
packages and the zone's pools. Both read a fixed number of queries whatever the number of staff:
the staff are counted and their salaries summed per department in the database.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.models import Cycle, DepartmentCoefficient
from assessment.selectors import department_scores
from payroll import allocation, permissions, selectors
from payroll.inputs import lock_changeable
from payroll.models import PayPeriod, PayPolicy, SalaryPackage
from staffing.models import Appointment, Department, Person
from zonehr.audit import audit_context
from zonehr.errors import ApplicationError, require_reason, validated_save
from zonehr.money import round_to, to_fen

# Within the bounds of PayPeriod.zone_factor and of an assessment coefficient.
FACTOR_RANGE = (Decimal("0.50"), Decimal("1.50"))
FACTOR_PLACES = 2
PAYABLE_CYCLE = (Cycle.Status.CONFIRMED, Cycle.Status.CLOSED)
NO_COEFFICIENT = Decimal("1.00")


def coefficient_field(department_id: int) -> str:
    """The name under which a department's coefficient is entered (forms) and refused (errors)."""
    return f"coefficient-{department_id}"


@dataclass(frozen=True, kw_only=True)
class PackageRow:
    department: Department
    headcount: int
    coefficient: Decimal  # the one the figures use: modelled, else the cycle's approved one, else 1.00
    cycle_coefficient: Decimal
    score: Decimal | None  # the department's assessment result; None counts as 100
    basic_package: Decimal
    raw_performance: Decimal  # headcount × base × coefficient × score / 100, before scaling into the pool
    performance_package: Decimal
    approved: SalaryPackage | None

    @property
    def total(self) -> Decimal:
        return self.basic_package + self.performance_package

    @property
    def coefficient_modelled(self) -> bool:
        return self.coefficient != self.cycle_coefficient

    @property
    def approved_total(self) -> Decimal | None:
        if self.approved is None:
            return None
        return self.approved.basic_package + self.approved.performance_package

    @property
    def difference(self) -> Decimal | None:
        """This package less the approved one (basic and performance together)."""
        approved = self.approved_total
        return None if approved is None else self.total - approved


@dataclass(frozen=True, kw_only=True)
class PackagePlan:
    period: PayPeriod
    policy: PayPolicy
    zone_factor: Decimal
    pool: Decimal  # the zone's performance pool: departments' packages plus the award pool
    award_pool: Decimal
    advanced_workers: int
    rows: list[PackageRow]
    # Packages recorded for departments that no longer have paid staff; approving removes them.
    withdrawn: list[SalaryPackage]

    @property
    def headcount(self) -> int:
        return sum(row.headcount for row in self.rows)

    @property
    def basic_package(self) -> Decimal:
        return sum((row.basic_package for row in self.rows), Decimal("0.00"))

    @property
    def performance_package(self) -> Decimal:
        return sum((row.performance_package for row in self.rows), Decimal("0.00"))

    @property
    def total(self) -> Decimal:
        return self.basic_package + self.performance_package

    @property
    def withdrawn_totals(self) -> list[tuple[SalaryPackage, Decimal]]:
        return [(package, package.basic_package + package.performance_package) for package in self.withdrawn]

    @property
    def approved_total(self) -> Decimal | None:
        approved = [row.approved for row in self.rows if row.approved] + self.withdrawn
        if not approved:
            return None
        return sum((package.basic_package + package.performance_package for package in approved), Decimal("0.00"))

    @property
    def difference(self) -> Decimal | None:
        approved = self.approved_total
        return None if approved is None else self.total - approved

    @property
    def is_approved(self) -> bool:
        """Every department's package is approved and none is left over."""
        return bool(self.rows) and not self.withdrawn and all(row.approved for row in self.rows)


def _factor(value: Any, *, field: str, label: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        number = None
    low, high = FACTOR_RANGE
    if number is None or not number.is_finite():
        raise ApplicationError(
            _("%(what)s “%(value)s” is not a number.") % {"what": label, "value": value}, {field: [_("Not a number.")]}
        )
    if not low <= number <= high or number != round_to(number, FACTOR_PLACES):
        message = _("%(what)s is %(value)s; it lies between %(low)s and %(high)s, with at most two decimals.") % {
            "what": label,
            "value": number,
            "low": low,
            "high": high,
        }
        raise ApplicationError(message, {field: [message]})
    return round_to(number, FACTOR_PLACES)


def _checked_coefficients(coefficients: Mapping[int, Any], names: Mapping[int, Department]) -> dict[int, Decimal]:
    checked = {}
    for department_id, value in coefficients.items():
        # A department without paid staff has no package to model; its figure is ignored.
        if department_id not in names:
            continue
        label = _("The coefficient of %(department)s") % {"department": names[department_id].name}
        checked[department_id] = _factor(value, field=coefficient_field(department_id), label=label)
    return checked


def payable_cycle(period: PayPeriod) -> Cycle:
    """The confirmed assessment cycle the period pays on; refused when there is none yet."""
    cycle = period.cycle
    if cycle is None:
        raise ApplicationError(
            _("Pay period %(period)s has no assessment cycle: choose the confirmed cycle it pays on.")
            % {"period": period},
            {"cycle": [_("Required.")]},
        )
    if cycle.status not in PAYABLE_CYCLE:
        raise ApplicationError(
            _("Assessment cycle “%(cycle)s” is at “%(status)s”; pay uses a confirmed cycle.")
            % {"cycle": cycle.name, "status": cycle.get_status_display()},
            {"cycle": [_("Not confirmed.")]},
        )
    return cycle


def paid_department_staff() -> dict[int, tuple[int, Decimal]]:
    """Per department with paid on-post staff: their number and the sum of their basic
    salaries (the grade's amount, or the negotiated salary of a negotiated level), in one query."""
    rows = (
        Appointment.objects.filter(status=Appointment.Status.ACTIVE, person__status=Person.Status.ON_POST)
        .values("post__department_id")
        .annotate(headcount=Count("id"), basic=Sum(Coalesce("salary_grade__monthly_amount", "negotiated_salary")))
        .order_by()
    )
    return {row["post__department_id"]: (row["headcount"], to_fen(row["basic"] or 0)) for row in rows}


def paid_departments() -> list[Department]:
    """The departments that have paid on-post staff, by code: those that get a package."""
    ids = (
        Appointment.objects.filter(status=Appointment.Status.ACTIVE, person__status=Person.Status.ON_POST)
        .values("post__department_id")
        .distinct()
    )
    return list(Department.objects.filter(id__in=ids).order_by("code"))


def approved_coefficients(period: PayPeriod) -> dict[int, Decimal]:
    """The coefficients the period's packages were approved with, by department id: where the
    what-if page starts, so an unchanged approval shows no difference."""
    return dict(
        period.packages.filter(status=SalaryPackage.Status.APPROVED).values_list("department_id", "coefficient")
    )


def package_plan(
    *, period: PayPeriod, zone_factor: Any = None, coefficients: Mapping[int, Any] | None = None
) -> PackagePlan:
    """Every department's package for `period` as the rules make it, writing nothing.

    `zone_factor` replaces the period's own; `coefficients` (by department id) replace the
    cycle's approved coefficients, for modelling. Refused with an ApplicationError when the
    policy or the confirmed cycle is missing or a figure is out of bounds.
    """
    factor = _factor(
        period.zone_factor if zone_factor is None else zone_factor,
        field="zone_factor",
        label=_("The zone result factor"),
    )
    policy = selectors.period_policy(period)
    if policy is None:
        raise ApplicationError(
            _("No pay policy is in force on %(date)s: add a pay policy version first.")
            % {"date": selectors.period_start(period).isoformat()}
        )
    cycle = payable_cycle(period)
    staff = paid_department_staff()
    departments = Department.objects.in_bulk(list(staff))
    overrides = _checked_coefficients(coefficients or {}, departments)
    # Not assessment.selectors.payroll_inputs: that also reads every person's rating, which
    # packages do not need.
    scores = department_scores(cycle=cycle)
    cycle_coefficients = dict(
        DepartmentCoefficient.objects.filter(cycle=cycle, status=DepartmentCoefficient.Status.APPROVED).values_list(
            "department_id", "value"
        )
    )
    existing = {package.department_id: package for package in period.packages.select_related("department")}
    advanced_workers = period.advanced_workers.count()

    ordered = sorted(departments.values(), key=lambda department: (department.code, department.pk))
    raw: dict[int, Decimal] = {}
    figures = {}
    for department in ordered:
        headcount, basic = staff[department.pk]
        cycle_coefficient = cycle_coefficients.get(department.pk, NO_COEFFICIENT)
        coefficient = overrides.get(department.pk, cycle_coefficient)
        score = scores.get(department.pk)
        score = None if score is None else round_to(score, 2)
        raw[department.pk] = allocation.performance_package(
            headcount=headcount,
            per_head_base=policy.per_head_base,
            coefficient=coefficient,
            assessment_factor=Decimal(1) if score is None else score / 100,
        )
        figures[department.pk] = (headcount, basic, coefficient, cycle_coefficient, score)

    pool = to_fen(sum(staff[pk][0] for pk in raw) * policy.per_head_base * factor)
    award = (
        allocation.award_pool(bonus_pool=pool, share=policy.award_share).award if advanced_workers else Decimal("0.00")
    )
    try:
        scaled = allocation.scale_to_pool(packages=raw, pool=pool - award)
    except allocation.AllocationError as exc:
        raise ApplicationError(
            _("The pool of %(pool)s cannot be shared: every department's performance package works out at 0.")
            % {"pool": pool - award}
        ) from exc

    rows = []
    for department in ordered:
        headcount, basic, coefficient, cycle_coefficient, score = figures[department.pk]
        package = existing.get(department.pk)
        rows.append(
            PackageRow(
                department=department,
                headcount=headcount,
                coefficient=coefficient,
                cycle_coefficient=cycle_coefficient,
                score=score,
                basic_package=basic,
                raw_performance=raw[department.pk],
                performance_package=scaled[department.pk],
                approved=package if package and package.status == SalaryPackage.Status.APPROVED else None,
            )
        )
    withdrawn = [package for department_id, package in existing.items() if department_id not in departments]
    return PackagePlan(
        period=period,
        policy=policy,
        zone_factor=factor,
        pool=pool,
        award_pool=award,
        advanced_workers=advanced_workers,
        rows=rows,
        withdrawn=sorted(withdrawn, key=lambda package: package.department.code),
    )


def approve_packages(
    *,
    period: PayPeriod,
    actor: Any,
    zone_factor: Any,
    coefficients: Mapping[int, Any] | None = None,
    reason: str,
) -> list[SalaryPackage]:
    """Leadership records the packages of `period` as package_plan works them out with the given
    zone factor and coefficients, and the zone's pools on the period, audited with `reason`.
    Approving again replaces the earlier packages; a closed period refuses."""
    if not permissions.can_approve_packages(actor):
        raise ApplicationError(_("Salary packages are approved by the leadership."))
    require_reason(reason)
    with transaction.atomic(), audit_context(actor=actor, reason=reason):
        period = lock_changeable(period)
        plan = package_plan(period=period, zone_factor=zone_factor, coefficients=coefficients)
        now = timezone.now()
        existing = {package.department_id: package for package in period.packages.all()}
        approved = []
        for row in plan.rows:
            package = existing.get(row.department.pk) or SalaryPackage(period=period, department=row.department)
            package.headcount = row.headcount
            package.coefficient = row.coefficient
            package.assessment_score = row.score
            package.basic_package = row.basic_package
            package.performance_package = row.performance_package
            package.status = SalaryPackage.Status.APPROVED
            package.approved_by = actor
            package.approved_at = now
            validated_save(package)
            approved.append(package)
        for package in plan.withdrawn:
            package.delete()
        period.zone_factor = plan.zone_factor
        period.performance_pool = plan.pool
        period.award_pool = plan.award_pool
        validated_save(period)
    return approved
