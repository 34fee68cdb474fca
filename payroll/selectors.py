"""Reading pay: the policy in force, a period's lines in force and their totals."""

import datetime as dt
from decimal import Decimal

from django.db.models import Count, F, QuerySet, Sum

from payroll.models import DEDUCTIONS, EARNINGS, PayLine, PayPeriod, PayPolicy, PayrollJob
from staffing.models import Person

TOTALLED = (*EARNINGS, "gross_pay", *DEDUCTIONS, "net_pay")


def period_start(period: PayPeriod) -> dt.date:
    return dt.date(period.year, period.month, 1)


def policy_in_force(on: dt.date) -> PayPolicy | None:
    """The latest policy version that took effect on or before `on`."""
    return PayPolicy.objects.filter(effective_from__lte=on).order_by("-effective_from").first()


def period_policy(period: PayPeriod) -> PayPolicy | None:
    return policy_in_force(period_start(period))


def period_lines(period: PayPeriod) -> QuerySet[PayLine]:
    """The lines of the calculation in force; none before the first calculation."""
    if period.current_job_id is None:
        return PayLine.objects.none()
    return PayLine.objects.filter(job_id=period.current_job_id).select_related("person", "department", "post")


def _sums(lines: QuerySet[PayLine]) -> dict:
    return {field: Sum(field) for field in TOTALLED}


def period_totals(period: PayPeriod) -> dict[str, Decimal | int]:
    """Headcount and every component's total over the period's lines in force, in one query."""
    if period.current_job_id is None:
        return {"headcount": 0, **dict.fromkeys(TOTALLED, Decimal("0.00"))}
    lines = PayLine.objects.filter(job_id=period.current_job_id)
    totals = lines.aggregate(headcount=Count("id"), **_sums(lines))
    return {key: (Decimal("0.00") if value is None else value) for key, value in totals.items()}


def department_totals(period: PayPeriod, *, department_id: int | None = None) -> list[dict]:
    """Per department: its id, code, name, headcount and component totals, ordered by code."""
    if period.current_job_id is None:
        return []
    lines = PayLine.objects.filter(job_id=period.current_job_id)
    if department_id is not None:
        lines = lines.filter(department_id=department_id)
    return list(
        lines.values("department_id", "department__code", "department__name")
        .annotate(headcount=Count("id"), **_sums(lines))
        .order_by("department__code")
    )


def active_job(period: PayPeriod) -> PayrollJob | None:
    """The calculation or close of `period` queued or running, if any."""
    return period.jobs.filter(status__in=[PayrollJob.Status.QUEUED, PayrollJob.Status.RUNNING]).first()


def latest_job(period: PayPeriod) -> PayrollJob | None:
    return period.jobs.order_by("-created_at", "-id").first()


def person_pay_lines(person: Person) -> QuerySet[PayLine]:
    """A person's pay slips: his lines in force of closed periods, the latest first."""
    return (
        PayLine.objects.filter(person=person, period__status=PayPeriod.Status.CLOSED)
        .filter(job_id=F("period__current_job_id"))
        .select_related("period", "department", "post")
        .order_by("-period__year", "-period__month")
    )
