"""Pay period pages (domain.md §8): the list of months, opening one, the finance period page with
its totals, warnings, missing inputs and the progress of a running calculation or close, the
department review, and a department head's own department month by month.

Finance runs the months; leadership reads them and alone reopens a closed one; a department head
sees his own department's package and what it is paid, never anyone's deductions or tax.
"""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessment.models import Cycle
from payroll import permissions, selectors, services
from payroll.models import DEDUCTIONS, PayLine, PayPeriod, PayrollJob, SalaryPackage
from staffing.models import Department
from zonehr import money
from zonehr.errors import ApplicationError
from zonehr.forms import Form, form_add_error
from zonehr.roles import role_required

S = PayPeriod.Status
# What a department head sees of his department: what it is paid. Deductions, tax and net pay
# are each person's own affair (in a small department a total would give one person's tax away).
HEAD_FIGURES = ("department_id", "headcount", "basic_salary", "performance_pay", "other_pay", "gross_pay")
OTHER_PAY = ("allowances", "over_target_bonus", "advanced_worker_award", "back_pay")
PERFORMANCE_PAY = ("basic_performance", "major_work", "investment_promotion", "project_construction")
CONTRIBUTIONS = ("pension", "medical", "unemployment", "housing_fund")
# Shown as a percentage in a warning; every other figure is money.
SHARE_FIGURES = ("performance_share", "minimum_performance_share")
# In the order the page lists them: what stops a payment first.
WARNING_TITLES = {
    "no_bank_account": gettext_lazy("No bank account"),
    "negative_net_pay": gettext_lazy("Negative net pay"),
    "waiting_without_appointment": gettext_lazy("Waiting without an earlier post"),
    "performance_share_low": gettext_lazy("Performance pay below the minimum share"),
}
WARNING_MESSAGES = {
    "no_bank_account": gettext_lazy("No bank account in the pay profile: the bank file cannot pay this person."),
    "negative_net_pay": gettext_lazy("Net pay is %(net_pay)s: the deductions exceed the pay."),
    "waiting_without_appointment": gettext_lazy("Not paid: no earlier appointment to pay the basic salary from."),
    "performance_share_low": gettext_lazy(
        "Performance pay %(performance_pay)s is %(performance_share)s of total income %(total_income)s, "
        "below the minimum of %(minimum_performance_share)s."
    ),
}


# --- Figures ---------------------------------------------------------------------------------------


def _percent(value: Decimal | str) -> str:
    return f"{(Decimal(value) * 100).quantize(Decimal('0.01')).normalize():f} %"


def _figures(totals: dict) -> dict:
    """Totals as the pages show them, money formatted: each component, and the sums of
    performance pay, other pay, contributions, tax (income tax and the annual bonus's own tax)
    and all deductions."""

    def total(fields: tuple[str, ...]) -> Decimal:
        return sum((totals.get(field) or Decimal(0) for field in fields), Decimal("0.00"))

    sums = {
        "performance_pay": total(PERFORMANCE_PAY),
        "other_pay": total(OTHER_PAY),
        "contributions": total(CONTRIBUTIONS),
        "tax": total(("income_tax", "annual_bonus_tax")),
        "deductions": total(DEDUCTIONS),
    }
    return {
        key: money.grouped(value) if isinstance(value, Decimal) else value for key, value in {**totals, **sums}.items()
    }


def _for_head(figures: dict) -> dict:
    return {key: value for key, value in figures.items() if key in HEAD_FIGURES}


def _totals_by_period(periods: list[PayPeriod], *, department_id: int | None = None) -> dict[int, dict]:
    """Per period id: headcount, gross pay, deductions, tax and net pay of its lines in force,
    in one query for all the periods (of one department when `department_id` is given)."""
    lines = PayLine.objects.filter(period__in=periods, job_id=F("period__current_job_id"))
    if department_id is not None:
        lines = lines.filter(department_id=department_id)
    deductions = sum((F(field) for field in DEDUCTIONS[1:]), F(DEDUCTIONS[0]))
    rows = lines.values("period_id").annotate(
        headcount=Count("id"),
        gross_pay=Sum("gross_pay"),
        deductions=Sum(deductions),
        tax=Sum(F("income_tax") + F("annual_bonus_tax")),
        net_pay=Sum("net_pay"),
    )
    return {
        row.pop("period_id"): {key: value if key == "headcount" else money.grouped(value) for key, value in row.items()}
        for row in rows
    }


def _warnings(job: PayrollJob | None) -> list[dict]:
    """The calculation's warnings grouped by code, each with its sentence in the user's language."""
    if job is None:
        return []
    groups: dict[str, dict] = {}
    for warning in job.warnings or []:
        code = warning.get("code", "")
        figures = {
            name: _percent(value) if name in SHARE_FIGURES else money.grouped(value)
            for name, value in (warning.get("figures") or {}).items()
        }
        template = WARNING_MESSAGES.get(code)
        try:
            text = str(template) % figures if template else ", ".join(f"{k} {v}" for k, v in figures.items())
        except KeyError:  # a warning written without one of its figures still reads
            text = ", ".join(f"{k} {v}" for k, v in figures.items())
        group = groups.setdefault(code, {"code": code, "title": WARNING_TITLES.get(code, code), "rows": []})
        group["rows"].append(
            {
                "person": warning.get("person", ""),
                "department": warning.get("department", ""),
                "text": text,
            }
        )
    order = {code: index for index, code in enumerate(WARNING_TITLES)}
    return sorted(groups.values(), key=lambda group: order.get(group["code"], len(order)))


def _job_context(period: PayPeriod, job: PayrollJob | None) -> dict:
    active = job is not None and job.status in (PayrollJob.Status.QUEUED, PayrollJob.Status.RUNNING)
    finished = job is not None and job.status == PayrollJob.Status.SUCCEEDED
    return {
        "period": period,
        "job": job,
        "polling": active,
        # A job of no steps (an empty zone) that finished shows a full bar, not an empty one.
        "progress_max": (job.total_steps or 1) if job else 1,
        "progress_value": (job.done_steps if job.total_steps else int(finished)) if job else 0,
    }


# --- The list of months and opening one -------------------------------------------------------------


class PeriodOpenForm(Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    month = forms.IntegerField(label=gettext_lazy("Month"), min_value=1, max_value=12)
    cycle = forms.ModelChoiceField(
        label=gettext_lazy("Assessment cycle"),
        queryset=Cycle.objects.filter(status=Cycle.Status.CONFIRMED).order_by("-year", "name"),
        help_text=gettext_lazy("The confirmed cycle whose ratings and department results this month pays on."),
    )


def _open_form(data=None) -> PeriodOpenForm:
    """The form with the month after the latest period and the latest confirmed annual cycle."""
    latest = PayPeriod.objects.order_by("-year", "-month").first()
    initial = {}
    if latest is not None:
        initial = {"year": latest.year + latest.month // 12, "month": latest.month % 12 + 1}
    cycle = Cycle.objects.filter(status=Cycle.Status.CONFIRMED, kind=Cycle.Kind.ANNUAL).order_by("-year").first()
    if cycle is not None:
        initial["cycle"] = cycle.pk
    return PeriodOpenForm(data, initial=initial)


@require_GET
@role_required(*permissions.READ_ROLES)
def period_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    periods = list(PayPeriod.objects.select_related("cycle"))
    sees_all = permissions.can_model_packages(user)
    own = None if sees_all else permissions.visible_department(user)
    if sees_all:
        totals = _totals_by_period(periods)
    elif own is not None:
        totals = {pk: _for_head(row) for pk, row in _totals_by_period(periods, department_id=own.pk).items()}
    else:
        totals = {}
    rows = [{"period": period, "totals": totals.get(period.pk)} for period in periods]
    can_manage = permissions.can_manage(user)
    return render(
        request,
        "payroll/period_list.html",
        {
            "rows": rows,
            "sees_all": sees_all,
            "own_department": own,
            "can_manage": can_manage,
            "form": _open_form() if can_manage else None,
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(*permissions.MANAGE_ROLES)
def period_open(request: HttpRequest) -> HttpResponse:
    form = _open_form(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            period = services.open_period(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("The pay period %(period)s is open.") % {"period": period})
            return redirect("payroll:period_detail", pk=period.pk)
    return render(request, "payroll/period_open.html", {"form": form})


# --- One month -------------------------------------------------------------------------------------


@require_GET
@role_required(*permissions.PACKAGE_ROLES)
def period_detail(request: HttpRequest, pk: int) -> HttpResponse:
    period = get_object_or_404(PayPeriod.objects.select_related("cycle", "closed_by", "current_job"), pk=pk)
    user = request.user
    can_manage = permissions.can_manage(user)
    job_context = _job_context(period, selectors.latest_job(period))
    departments = [_figures(row) for row in selectors.department_totals(period)]
    missing = []
    # What blocks a calculation, before finance tries: not while one runs, nor once closed.
    if can_manage and period.status != S.CLOSED and not job_context["polling"]:
        missing = services.missing_inputs(period)
    return render(
        request,
        "payroll/period_detail.html",
        {
            **job_context,
            "policy": selectors.period_policy(period),
            "pool": money.grouped(period.performance_pool),
            "award_pool": money.grouped(period.award_pool),
            "totals": _figures(selectors.period_totals(period)),
            "departments": departments,
            "warnings": _warnings(period.current_job),
            "missing": missing,
            "can_manage": can_manage,
            "can_reopen": permissions.can_reopen(user),
            "packages_approved": period.packages.filter(status=SalaryPackage.Status.APPROVED).count(),
        },
    )


@require_GET
@role_required(*permissions.PACKAGE_ROLES)
def period_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment htmx polls every second while a job runs. Once the job has
    finished the page reloads (HX-Refresh), so totals and warnings show what it wrote."""
    period = get_object_or_404(PayPeriod, pk=pk)
    context = _job_context(period, selectors.latest_job(period))
    response = render(request, "payroll/_progress.html", context)
    if request.htmx and not context["polling"]:
        response["HX-Refresh"] = "true"
    return response


def _started(request: HttpRequest, job: PayrollJob | None) -> None:
    if job is None:  # closed before jobs were kept: closing again changes nothing
        messages.info(request, _("The period is closed."))
    elif job.status == PayrollJob.Status.SUCCEEDED:
        done = {
            PayrollJob.Kind.CALCULATE: _("The calculation has finished."),
            PayrollJob.Kind.CLOSE: _("The period is closed."),
        }
        messages.success(request, done[job.kind])
    elif job.status == PayrollJob.Status.FAILED:
        messages.error(request, _("The job failed: %(error)s") % {"error": job.error})
    else:
        messages.info(request, _("Started; the progress is shown below."))


def _start(request: HttpRequest, pk: int, start) -> HttpResponse:
    """Start a calculation or close of the period (`start` is the service) and show its progress."""
    period = get_object_or_404(PayPeriod, pk=pk)
    try:
        job = start(actor=request.user, period=period)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        _started(request, job)
    return redirect("payroll:period_detail", pk=period.pk)


@require_POST
@role_required(*permissions.MANAGE_ROLES)
def period_calculate(request: HttpRequest, pk: int) -> HttpResponse:
    return _start(request, pk, services.start_calculation)


@require_POST
@role_required(*permissions.MANAGE_ROLES)
def period_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _start(request, pk, services.start_close)


@require_POST
@role_required(*permissions.REOPEN_ROLES)
def period_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    period = get_object_or_404(PayPeriod, pk=pk)
    try:
        period = services.reopen_period(actor=request.user, period=period, reason=request.POST.get("reason", ""))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The period %(period)s is reopened.") % {"period": period})
    return redirect("payroll:period_detail", pk=period.pk)


# --- Departments -----------------------------------------------------------------------------------


@require_GET
@role_required(*permissions.READ_ROLES)
def department_review(request: HttpRequest, pk: int, department_pk: int) -> HttpResponse:
    """Finance and leadership read every line of the department; its own head its package and
    what the department is paid in total. Another department is not found."""
    period = get_object_or_404(PayPeriod.objects.select_related("cycle"), pk=pk)
    department = get_object_or_404(Department, pk=department_pk)
    user = request.user
    if not permissions.can_see_department(user, department):
        raise Http404
    every_figure = permissions.can_model_packages(user)
    totals = selectors.department_totals(period, department_id=department.pk)
    lines = []
    if every_figure:
        lines = [
            _figures({field: getattr(line, field) for field in selectors.TOTALLED}) | {"line": line}
            for line in selectors.period_lines(period).filter(department=department)
        ]
    package = period.packages.filter(department=department).first()
    return render(
        request,
        "payroll/department.html",
        {
            "period": period,
            "department": department,
            "package": package,
            "package_basic": money.grouped(package.basic_package) if package else "",
            "package_performance": money.grouped(package.performance_package) if package else "",
            "totals": (_figures(totals[0]) if every_figure else _for_head(_figures(totals[0]))) if totals else None,
            "lines": lines,
            "every_figure": every_figure,
            "can_manage": permissions.can_manage(user),
        },
    )


@require_GET
def my_department(request: HttpRequest) -> HttpResponse:
    """A department head's department, month by month: its package and what it is paid."""
    department = permissions.visible_department(request.user)
    if department is None:
        raise PermissionDenied(_("This page is for a department head, about the department he works in."))
    periods = list(PayPeriod.objects.select_related("cycle"))
    packages = {
        package.period_id: package
        for package in SalaryPackage.objects.filter(period__in=periods, department=department)
    }
    totals = {pk: _for_head(row) for pk, row in _totals_by_period(periods, department_id=department.pk).items()}
    rows = []
    for period in periods:
        package = packages.get(period.pk)
        if package is None and period.pk not in totals:
            continue
        rows.append(
            {
                "period": period,
                "package": package,
                "basic_package": money.grouped(package.basic_package) if package else "",
                "performance_package": money.grouped(package.performance_package) if package else "",
                "totals": totals.get(period.pk),
            }
        )
    return render(request, "payroll/department_mine.html", {"department": department, "rows": rows})
