"""A pay period's lifecycle: open → calculated (recalculable) → closed (locked) → reopened by
leadership with a reason (domain.md §8).

Calculating and closing run as PayrollJobs on Celery (payroll.tasks), in-process when no broker
is configured. Every refusal is an ApplicationError and writes nothing. The pages and the API
call these functions and nothing else, so they share the permission checks.

start_calculation and start_close publish their tasks after the job row is committed, so a
worker always finds it: call them outside a transaction when a broker is configured.
"""

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError

from assessment.models import Cycle
from payroll import permissions, tasks
from payroll.calculation import PAYABLE_CYCLE, MissingInput, fail_job, missing_inputs, plan_chunks
from payroll.models import PayPeriod, PayrollJob
from zonehr.audit import audit_context
from zonehr.errors import ApplicationError, require_reason, validated_save

__all__ = [
    "MissingInput",
    "missing_inputs",
    "open_period",
    "recover_stale_jobs",
    "reopen_period",
    "start_calculation",
    "start_close",
]

ACTIVE = (PayrollJob.Status.QUEUED, PayrollJob.Status.RUNNING)


def _require_manager(actor: Any) -> None:
    if not permissions.can_manage(actor):
        raise ApplicationError(_("Only a finance officer may open, calculate or close a pay period."))


def _refuse_if_closed(period: PayPeriod) -> None:
    if period.status == PayPeriod.Status.CLOSED:
        raise ApplicationError(
            _("The pay period %(period)s is closed; leadership must reopen it before it can change.")
            % {"period": period}
        )


def open_period(*, year: int, month: int, cycle: Cycle, actor: Any) -> PayPeriod:
    """Open the month `year`-`month`, paying on the confirmed assessment `cycle`."""
    _require_manager(actor)
    if cycle is None or cycle.status not in PAYABLE_CYCLE:
        raise ApplicationError(
            _("A pay period pays on a confirmed assessment cycle."), {"cycle": [_("Choose a confirmed cycle.")]}
        )
    if PayPeriod.objects.filter(year=year, month__gt=month, status=PayPeriod.Status.CLOSED).exists():
        # Its income tax was withheld on the months before it; a month opened behind it would not count.
        raise ApplicationError(
            _("A later month of %(year)s is already closed; a month cannot be opened before it.") % {"year": year},
            {"month": [_("Choose a month after the last closed one.")]},
        )
    period = PayPeriod(year=year, month=month, cycle=cycle)
    with transaction.atomic(), audit_context(actor=actor, reason=_("Pay period opened.")):
        validated_save(period)
    return period


def recover_stale_jobs(period: PayPeriod) -> int:
    """Mark failed the queued or running jobs of `period` with no progress for
    settings.PAYROLL_JOB_STALE_SECONDS: their worker was lost. Returns how many."""
    now = timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.PAYROLL_JOB_STALE_SECONDS)
    stale = list(
        PayrollJob.objects.filter(period=period, status__in=ACTIVE, heartbeat_at__lt=cutoff).values_list(
            "pk", flat=True
        )
    )
    for job_id in stale:
        fail_job(
            job_id,
            _("No progress for %(seconds)s s: its worker was lost.") % {"seconds": settings.PAYROLL_JOB_STALE_SECONDS},
        )
    return len(stale)


def _create_job(*, period: PayPeriod, kind: str, total_steps: int, actor: Any) -> PayrollJob:
    try:
        with transaction.atomic():
            return PayrollJob.objects.create(
                period=period, kind=kind, total_steps=total_steps, started_by=actor, heartbeat_at=timezone.now()
            )
    except IntegrityError:
        raise ApplicationError(
            _("A calculation or close of %(period)s is already running; wait for it to finish.") % {"period": period}
        ) from None


def _publish(job: PayrollJob, send) -> PayrollJob:
    """Send the job's tasks; with the broker unreachable the job is removed again and the start
    refused. Without a broker the tasks run here and the job comes back finished."""
    try:
        send()
    except OperationalError:
        job.delete()
        raise ApplicationError(
            _("The task queue is unavailable, so the job could not start. Try again in a few minutes.")
        ) from None
    job.refresh_from_db()
    return job


def start_calculation(*, period: PayPeriod, actor: Any) -> PayrollJob:
    """Start calculating `period`, one task per chunk of departments. Refused, writing nothing,
    for a closed period, missing inputs (each named in `fields["missing"]`), or while another job
    of the period runs. A recalculation replaces the lines in force only when it has finished."""
    _require_manager(actor)
    period = PayPeriod.objects.select_related("cycle").get(pk=period.pk)
    _refuse_if_closed(period)
    missing = missing_inputs(period)
    if missing:
        messages = [problem.message for problem in missing]
        raise ApplicationError(
            _("The pay period %(period)s cannot be calculated yet: %(missing)s")
            % {"period": period, "missing": "; ".join(messages)},
            {"missing": messages},
        )
    chunks = plan_chunks(period)
    if not chunks:
        raise ApplicationError(_("Nobody is paid in %(period)s: no one is on post or waiting.") % {"period": period})
    recover_stale_jobs(period)
    job = _create_job(period=period, kind=PayrollJob.Kind.CALCULATE, total_steps=len(chunks), actor=actor)

    def send() -> None:
        for department_ids in chunks:
            tasks.calculate_chunk.delay(job.pk, department_ids)

    return _publish(job, send)


def start_close(*, period: PayPeriod, actor: Any) -> PayrollJob | None:
    """Start closing `period`: its salary sheet is stored and it is locked.

    Closing a closed period changes nothing and is not an error: it returns the close job that
    closed it (None if it was closed without one), so a repeated click or API call reads the
    same finished job. Refused for a period not calculated, or while another job of it runs.
    """
    _require_manager(actor)
    period = PayPeriod.objects.get(pk=period.pk)
    if period.status == PayPeriod.Status.CLOSED:
        return (
            period.jobs.filter(kind=PayrollJob.Kind.CLOSE, status=PayrollJob.Status.SUCCEEDED)
            .order_by("-created_at", "-id")
            .first()
        )
    if period.status != PayPeriod.Status.CALCULATED:
        raise ApplicationError(_("Calculate the pay period %(period)s before closing it.") % {"period": period})
    recover_stale_jobs(period)
    job = _create_job(period=period, kind=PayrollJob.Kind.CLOSE, total_steps=1, actor=actor)
    return _publish(job, lambda: tasks.close_period.delay(job.pk))


def reopen_period(*, period: PayPeriod, actor: Any, reason: str) -> PayPeriod:
    """Reopen a closed period for corrections (back to calculated): leadership only, with a
    reason kept in the audit trail. Refused while a later month of the year is closed, as its
    income tax was withheld on this month's figures."""
    if not permissions.can_reopen(actor):
        raise ApplicationError(_("Only leadership may reopen a closed pay period."))
    require_reason(reason)
    with transaction.atomic(), audit_context(actor=actor, reason=reason):
        period = PayPeriod.objects.select_for_update().get(pk=period.pk)
        if period.status != PayPeriod.Status.CLOSED:
            raise ApplicationError(
                _("Only a closed pay period can be reopened; %(period)s is not closed.") % {"period": period}
            )
        later = (
            PayPeriod.objects.filter(year=period.year, month__gt=period.month, status=PayPeriod.Status.CLOSED)
            .order_by("month")
            .first()
        )
        if later is not None:
            raise ApplicationError(
                _("%(later)s is closed and its income tax counts this month's; reopen it first.") % {"later": later}
            )
        period.status = PayPeriod.Status.CALCULATED
        period.reopen_reason = reason.strip()
        period.closed_at = None
        period.closed_by = None
        period.save(update_fields=["status", "reopen_reason", "closed_at", "closed_by"])
    return period
