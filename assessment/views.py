"""Assessment pages (domain.md §7): cycles, the KPI tree and its evidence files, coefficients,
compositions and evaluations, supervised tasks, bonus and penalty items, ratings with their
quotas, and the proposals HR confirms.

HR runs everything; a department head sees and enters for his own department; leadership reads
and approves coefficients; finance reads results.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessment import forms, permissions, rules, selectors, services, setup
from assessment.models import (
    Adjustment,
    Composition,
    ConsequenceProposal,
    Cycle,
    DepartmentCoefficient,
    Evaluation,
    Indicator,
    Rating,
    SupervisedTask,
)
from assessment.permissions import MANAGE_ROLES, READ_ROLES
from staffing.models import Appointment, Department, PostSeries
from zonehr.errors import ApplicationError
from zonehr.forms import form_add_error
from zonehr.roles import Role, has_role, refusal, role_required
from zonehr.xlsx import workbook_response

S = Cycle.Status
FORM_TEMPLATE = "assessment/form.html"
# Coefficients and proposals are about the whole zone: not for a department head.
PROPOSAL_ROLES = (Role.HR_OFFICER, Role.LEADERSHIP)
REASON_LABELS = {
    rules.Reason.EXCELLENT.value: gettext_lazy("rated excellent"),
    rules.Reason.BASICALLY_COMPETENT.value: gettext_lazy("rated basically competent"),
    rules.Reason.INCOMPETENT.value: gettext_lazy("rated incompetent"),
    rules.Reason.INCOMPETENT_TWO_YEARS_RUNNING.value: gettext_lazy("rated incompetent two years in a row"),
    rules.Reason.BOTTOM_EVERY_YEAR_OF_TERM.value: gettext_lazy(
        "in the bottom share of the same-level posts in every year of the contract term"
    ),
}


def _back(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return fallback


def _form_page(request: HttpRequest, form, *, title: str, back: str, cycle: Cycle, **extra) -> HttpResponse:
    return render(request, FORM_TEMPLATE, {"form": form, "title": title, "back": back, "cycle": cycle, **extra})


def _stepper(cycle: Cycle) -> list[dict]:
    current = services.LIFECYCLE.index(cycle.status)
    return [
        {"label": S(stage).label, "state": "done" if index < current else "current" if index == current else "todo"}
        for index, stage in enumerate(services.LIFECYCLE)
    ]


# --- Cycles ----------------------------------------------------------------------------------------


@require_GET
@role_required(*READ_ROLES)
def cycle_list(request: HttpRequest) -> HttpResponse:
    cycles = Cycle.objects.select_related("annual").annotate(indicators_count=Count("indicators"))
    return render(
        request,
        "assessment/cycles.html",
        {"cycles": cycles, "can_manage": permissions.can_manage(request.user)},
    )


@require_GET
@role_required(*READ_ROLES)
def cycle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle.objects.select_related("annual"), pk=pk)
    index = services.LIFECYCLE.index(cycle.status)
    next_stage = services.LIFECYCLE[index + 1] if index + 1 < len(services.LIFECYCLE) else None
    compositions = {c.unit_type: c for c in cycle.compositions.all()}
    return render(
        request,
        "assessment/cycle_detail.html",
        {
            "cycle": cycle,
            "stepper": _stepper(cycle),
            "next_stage": S(next_stage).label if next_stage else None,
            "can_manage": permissions.can_manage(request.user),
            "sees_zone": permissions.sees_zone(request.user),
            "quarters": cycle.quarters.all() if cycle.kind == Cycle.Kind.ANNUAL else [],
            "compositions": [
                (value, label, _composition_rows(compositions.get(value)))
                for value, label in Composition.UnitType.choices
            ],
        },
    )


def _composition_rows(composition: Composition | None) -> list[tuple[str, str]]:
    if composition is None:
        return []
    labels = {"performance": _("Performance (KPI)"), **dict(Evaluation.Source.choices)}
    return [(str(labels.get(source, source)), weight) for source, weight in composition.weights.items()]


@require_http_methods(["GET", "POST"])
@role_required(*MANAGE_ROLES)
def cycle_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    cycle = get_object_or_404(Cycle, pk=pk) if pk else Cycle()
    form = forms.CycleForm(request.POST or None, instance=cycle)
    if request.method == "POST" and form.is_valid():
        try:
            cycle = setup.cycle_save(actor=request.user, cycle=form.instance)
        except (ApplicationError, ValidationError) as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("assessment:cycle_detail", pk=cycle.pk)
    back = reverse("assessment:cycle_detail", args=[pk]) if pk else reverse("assessment:cycles")
    return _form_page(
        request,
        form,
        title=_("Edit cycle") if pk else _("New assessment cycle"),
        back=back,
        cycle=cycle if pk else None,
    )


@require_POST
@role_required(*MANAGE_ROLES)
def cycle_advance(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle, pk=pk)
    try:
        cycle = services.cycle_advance(actor=request.user, cycle=cycle)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("“%(cycle)s” is now at “%(status)s”.") % {"cycle": cycle, "status": cycle.get_status_display()}
        )
    return redirect(_back(request, reverse("assessment:cycle_detail", args=[pk])))


# --- The KPI tree ----------------------------------------------------------------------------------


@dataclass
class TreeRow:
    indicator: Indicator
    depth: int
    can_enter: bool = False
    problem: bool = False
    evidence: bool = False


def _tree(indicators: list[Indicator]) -> list[tuple[Indicator, int]]:
    """Zone → department → individual, depth first; orphans (a problem already listed) at the end."""
    children: dict[int | None, list[Indicator]] = defaultdict(list)
    ids = {indicator.pk for indicator in indicators}
    for indicator in indicators:
        children[indicator.parent_id if indicator.parent_id in ids else None].append(indicator)
    ordered: list[tuple[Indicator, int]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for indicator in children.get(parent_id, []):
            ordered.append((indicator, depth))
            walk(indicator.pk, depth + 1)

    walk(None, 0)
    return ordered


@require_GET
@role_required(*READ_ROLES)
def kpi_tree(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle, pk=pk)
    indicators = list(cycle.indicators.select_related("department", "person", "entered_by").order_by("level", "id"))
    person_ids = {i.person_id for i in indicators if i.person_id}
    departments_of = dict(
        Appointment.objects.filter(person_id__in=person_ids, status=Appointment.Status.ACTIVE).values_list(
            "person_id", "post__department_id"
        )
    )
    own = permissions.own_department_id(request.user)
    manage = permissions.can_manage(request.user)
    scoring = cycle.status == S.SCORING
    rows = []
    for indicator, depth in _tree(indicators):
        department_id = indicator.department_id or departments_of.get(indicator.person_id)
        mine = own is None or department_id == own
        if not mine and indicator.level != Indicator.Level.ZONE:
            continue
        rows.append(
            TreeRow(
                indicator,
                depth,
                can_enter=scoring and indicator.level != Indicator.Level.ZONE and (manage or mine),
                # The same rule as indicator_evidence, so no link leads to a 404.
                evidence=bool(indicator.evidence)
                and (own is None or (mine and indicator.level != Indicator.Level.ZONE)),
            )
        )
    problems = services.cascade_problems(cycle=cycle) if own is None else []
    return render(
        request,
        "assessment/kpi.html",
        {
            "cycle": cycle,
            "rows": rows,
            "problems": problems,
            "can_manage": manage,
            "planning": cycle.status == S.PLANNING,
            "own_only": own is not None,
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(*MANAGE_ROLES)
def indicator_edit(request: HttpRequest, pk: int | None = None, cycle_pk: int | None = None) -> HttpResponse:
    if pk:
        indicator = get_object_or_404(Indicator.objects.select_related("cycle"), pk=pk)
        cycle = indicator.cycle
    else:
        cycle = get_object_or_404(Cycle, pk=cycle_pk)
        indicator = Indicator(cycle=cycle, level=request.GET.get("level") or Indicator.Level.ZONE)
        if request.GET.get("parent", "").isdigit():
            indicator.parent = cycle.indicators.filter(pk=request.GET["parent"]).first()
    form = forms.IndicatorForm(request.POST or None, instance=indicator, cycle=cycle)
    if request.method == "POST" and form.is_valid():
        try:
            setup.indicator_save(actor=request.user, indicator=form.instance)
        except (ApplicationError, ValidationError) as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("assessment:kpi", pk=cycle.pk)
    return _form_page(
        request,
        form,
        title=_("Edit indicator") if pk else _("New indicator"),
        back=reverse("assessment:kpi", args=[cycle.pk]),
        cycle=cycle,
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.HR_OFFICER, Role.DEPARTMENT_HEAD)
def indicator_enter(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = get_object_or_404(
        Indicator.objects.select_related("cycle", "department", "person").exclude(level=Indicator.Level.ZONE), pk=pk
    )
    department = selectors.indicator_department(indicator)
    if not permissions.can_enter_for(request.user, department):
        # Another department's indicator is not shown to exist, so ids cannot be probed.
        raise Http404
    form = forms.IndicatorValueForm(request.POST or None, request.FILES or None, indicator=indicator)
    if request.method == "POST" and form.is_valid():
        value = {form.value_field: form.cleaned_data[form.value_field]}
        try:
            services.indicator_value_enter(
                actor=request.user, indicator=indicator, evidence=form.cleaned_data.get("evidence"), **value
            )
        except ApplicationError as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("Value entered for “%(indicator)s”.") % {"indicator": indicator})
            return redirect("assessment:kpi", pk=indicator.cycle_id)
    return _form_page(
        request,
        form,
        title=_("Enter the value"),
        back=reverse("assessment:kpi", args=[indicator.cycle_id]),
        cycle=indicator.cycle,
        indicator=indicator,
        multipart=True,
    )


@require_GET
def indicator_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """The evidence file of an indicator, for those who may see the indicator only: the files
    are never linked by their storage address, which anyone holding the link could open."""
    indicator = get_object_or_404(Indicator.objects.select_related("department", "person"), pk=pk)
    # Anyone else is not told the indicator or its file exists.
    if not permissions.can_see_indicator(request.user, indicator) or not indicator.evidence:
        raise Http404
    try:
        handle = indicator.evidence.open("rb")
    except OSError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=Path(indicator.evidence.name).name)


# --- Coefficients ----------------------------------------------------------------------------------


@dataclass
class CoefficientRow:
    department: Department
    approved: DepartmentCoefficient | None = None
    pending: list[DepartmentCoefficient] = field(default_factory=list)
    history: list[DepartmentCoefficient] = field(default_factory=list)


def _coefficient_rows(cycle: Cycle) -> list[CoefficientRow]:
    rows = {d.pk: CoefficientRow(d) for d in Department.objects.filter(is_active=True).order_by("sort_order", "name")}
    for coefficient in cycle.coefficients.select_related("department", "proposed_by", "decided_by").order_by(
        "department", "-proposed_at", "-id"
    ):
        row = rows.setdefault(coefficient.department_id, CoefficientRow(coefficient.department))
        row.history.append(coefficient)
        if coefficient.status == DepartmentCoefficient.Status.APPROVED:
            row.approved = coefficient
        elif coefficient.status == DepartmentCoefficient.Status.PROPOSED:
            row.pending.append(coefficient)
    return list(rows.values())


@require_http_methods(["GET", "POST"])
@role_required(*permissions.ZONE_READ_ROLES)
def coefficients(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle, pk=pk)
    manage = permissions.can_manage(request.user)
    form = forms.CoefficientProposeForm(request.POST or None) if manage else None
    if request.method == "POST":
        if not manage:
            raise refusal(request.user, MANAGE_ROLES)
        if form.is_valid():
            try:
                services.coefficient_propose(actor=request.user, cycle=cycle, **form.cleaned_data)
            except ApplicationError as exc:
                form_add_error(form, exc)
            else:
                messages.success(request, _("Coefficient proposed; it awaits the leadership's approval."))
                return redirect("assessment:coefficients", pk=cycle.pk)
    return render(
        request,
        "assessment/coefficients.html",
        {
            "cycle": cycle,
            "rows": _coefficient_rows(cycle),
            "form": form,
            "can_approve": permissions.can_approve_coefficients(request.user),
        },
    )


@require_POST
@role_required(Role.LEADERSHIP)
def coefficient_decide(request: HttpRequest, pk: int) -> HttpResponse:
    coefficient = get_object_or_404(DepartmentCoefficient, pk=pk)
    approve = request.POST.get("approve") == "1"
    try:
        services.coefficient_decide(
            actor=request.user, coefficient=coefficient, approve=approve, note=request.POST.get("note", "")
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        done = _("Approved: %(department)s %(value)s.") if approve else _("Rejected: %(department)s %(value)s.")
        messages.success(request, done % {"department": coefficient.department, "value": coefficient.value})
    return redirect("assessment:coefficients", pk=coefficient.cycle_id)


# --- Compositions and evaluations ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(*MANAGE_ROLES)
def composition_edit(request: HttpRequest, pk: int, unit_type: str) -> HttpResponse:
    cycle = get_object_or_404(Cycle, pk=pk)
    if unit_type not in Composition.UnitType.values:
        raise Http404
    existing = cycle.compositions.filter(unit_type=unit_type).first()
    initial = existing.weights if existing else {"performance": 100}
    form = forms.CompositionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            setup.composition_save(actor=request.user, cycle=cycle, unit_type=unit_type, weights=form.weights())
        except ApplicationError as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("assessment:cycle_detail", pk=cycle.pk)
    return _form_page(
        request,
        form,
        title=_("Score composition: %(unit)s") % {"unit": Composition.UnitType(unit_type).label},
        back=reverse("assessment:cycle_detail", args=[cycle.pk]),
        cycle=cycle,
        lead=_("Weights in percent, summing to 100. Leave a source empty when it is not used."),
    )


@require_http_methods(["GET", "POST"])
@role_required(*MANAGE_ROLES)
def evaluations(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle, pk=pk)
    form = forms.EvaluationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            setup.evaluation_save(actor=request.user, cycle=cycle, **form.cleaned_data)
        except ApplicationError as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("assessment:evaluations", pk=cycle.pk)
    return render(
        request,
        "assessment/evaluations.html",
        {
            "cycle": cycle,
            "form": form,
            "import_form": forms.EvaluationImportForm(),
            "evaluations": cycle.evaluations.select_related("department", "person").order_by("source", "id"),
        },
    )


@require_POST
@role_required(*MANAGE_ROLES)
def evaluations_import(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle, pk=pk)
    form = forms.EvaluationImportForm(request.POST, request.FILES)
    row_errors: list[str] = []
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            count = setup.evaluations_import(
                actor=request.user, cycle=cycle, content=upload.read(), filename=upload.name
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            row_errors = exc.fields.get("rows", [])
        else:
            messages.success(request, _("%(count)s evaluations imported.") % {"count": count})
            return redirect("assessment:evaluations", pk=cycle.pk)
    return render(
        request,
        "assessment/evaluations.html",
        {
            "cycle": cycle,
            "form": forms.EvaluationForm(),
            "import_form": form,
            "row_errors": row_errors,
            "evaluations": cycle.evaluations.select_related("department", "person").order_by("source", "id"),
        },
    )


@require_GET
@role_required(*MANAGE_ROLES)
def evaluations_template(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle, pk=pk)
    return workbook_response(setup.evaluations_workbook(cycle=cycle), f"{cycle.name}-{_('Evaluations')}.xlsx")


# --- Supervised tasks ------------------------------------------------------------------------------


@require_GET
@role_required(*READ_ROLES)
def tasks(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle, pk=pk)
    own = permissions.own_department_id(request.user)
    found = cycle.tasks.select_related("department", "person")
    if own is not None:
        people = Appointment.objects.filter(status=Appointment.Status.ACTIVE, post__department_id=own).values(
            "person_id"
        )
        found = found.filter(department_id=own) | found.filter(person_id__in=people)
    today = timezone.localdate()
    rows = [(task, setup.task_overdue(task, today=today)) for task in found.order_by("deadline", "id")]
    return render(
        request,
        "assessment/tasks.html",
        {
            "cycle": cycle,
            "rows": rows,
            "overdue_count": sum(1 for _task, overdue in rows if overdue),
            "can_manage": permissions.can_manage(request.user),
            "today": today,
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(*MANAGE_ROLES)
def task_create(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle, pk=pk)
    form = forms.TaskForm(request.POST or None, instance=SupervisedTask(cycle=cycle, assigned_by=request.user))
    if request.method == "POST" and form.is_valid():
        try:
            setup.task_save(actor=request.user, task=form.instance)
        except (ApplicationError, ValidationError) as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("Task assigned."))
            return redirect("assessment:tasks", pk=cycle.pk)
    return _form_page(
        request, form, title=_("New supervised task"), back=reverse("assessment:tasks", args=[cycle.pk]), cycle=cycle
    )


@require_http_methods(["GET", "POST"])
@role_required(*MANAGE_ROLES)
def task_close(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(SupervisedTask.objects.select_related("cycle"), pk=pk)
    form = forms.TaskCloseForm(request.POST or None, initial={"on": timezone.localdate(), "outcome": "completed"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["outcome"] == "completed":
                setup.task_complete(actor=request.user, task=task, on=data["on"], note=data["note"])
            else:
                setup.task_fail(actor=request.user, task=task, note=data["note"])
        except ApplicationError as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("Task closed."))
            return redirect("assessment:tasks", pk=task.cycle_id)
    return _form_page(
        request,
        form,
        title=_("Close the task"),
        back=reverse("assessment:tasks", args=[task.cycle_id]),
        cycle=task.cycle,
        lead=f"{task.title} · {_('deadline')} {task.deadline:%Y-%m-%d}",
    )


# --- Bonus and penalty items -----------------------------------------------------------------------


def _adjustments_seen(cycle: Cycle, own: int | None):
    found = cycle.adjustments.select_related("department", "person", "recorded_by")
    if own is not None:
        people = Appointment.objects.filter(status=Appointment.Status.ACTIVE, post__department_id=own).values(
            "person_id"
        )
        found = found.filter(department_id=own) | found.filter(person_id__in=people)
    return found.order_by("-id")


@require_http_methods(["GET", "POST"])
@role_required(*READ_ROLES)
def adjustments(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle, pk=pk)
    manage = permissions.can_manage(request.user)
    form = forms.AdjustmentForm(request.POST or None) if manage else None
    if request.method == "POST":
        if not manage:
            raise refusal(request.user, MANAGE_ROLES)
        if form.is_valid():
            adjustment = Adjustment(cycle=cycle, **form.cleaned_data)
            try:
                setup.adjustment_save(actor=request.user, adjustment=adjustment)
            except (ApplicationError, ValidationError) as exc:
                form_add_error(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("assessment:adjustments", pk=cycle.pk)
    open_for_items = cycle.status in (S.PLANNING, S.SCORING)
    return render(
        request,
        "assessment/adjustments.html",
        {
            "cycle": cycle,
            "adjustments": _adjustments_seen(cycle, permissions.own_department_id(request.user)),
            # A refused form stays in view even once the cycle has moved on, so its error shows.
            "form": form if form is not None and (open_for_items or form.is_bound) else None,
            "can_remove": manage and open_for_items,
            "own_only": not permissions.sees_zone(request.user),
        },
    )


@require_POST
@role_required(*MANAGE_ROLES)
def adjustment_remove(request: HttpRequest, pk: int) -> HttpResponse:
    adjustment = get_object_or_404(Adjustment.objects.select_related("cycle"), pk=pk)
    try:
        setup.adjustment_remove(actor=request.user, adjustment=adjustment)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Removed: %(item)s.") % {"item": adjustment})
    return redirect("assessment:adjustments", pk=adjustment.cycle_id)


# --- Ratings ---------------------------------------------------------------------------------------


@dataclass
class GroupView:
    key: str
    label: str
    ratings: list[Rating]
    check: rules.QuotaCheck
    rows: list[dict]


def _group_labels(keys: set[str]) -> dict[str, str]:
    """A readable name per comparison group: the department, or the post series and level rank."""
    department_ids, series_ids = set(), set()
    for key in keys:
        kind, *parts = key.split(":")
        if kind == "department":
            department_ids.add(int(parts[0]))
        elif kind == "level":
            series_ids.add(int(parts[0]))
    departments = Department.objects.in_bulk(department_ids)
    series = PostSeries.objects.in_bulk(series_ids)
    labels = {}
    for key in keys:
        kind, *parts = key.split(":")
        if kind == "department" and int(parts[0]) in departments:
            labels[key] = departments[int(parts[0])].name
        elif kind == "level" and int(parts[0]) in series:
            labels[key] = _("%(series)s, level rank %(rank)s") % {
                "series": series[int(parts[0])].name,
                "rank": parts[1],
            }
        else:
            labels[key] = key
    return labels


def _quota_rows(check: rules.QuotaCheck) -> list[dict]:
    quotas = check.quotas
    bounds = {
        rules.Grade.EXCELLENT: (_("at most %(count)s") % {"count": quotas.excellent_max}, True),
        rules.Grade.BASICALLY_COMPETENT: (
            _("waived (small group)") if quotas.lower_waived else _("at least %(count)s") % {"count": quotas.basic_min},
            not quotas.lower_waived,
        ),
        rules.Grade.INCOMPETENT: (
            _("waived (small group)") if quotas.lower_waived else _("about %(count)s") % {"count": quotas.incompetent},
            not quotas.lower_waived,
        ),
    }
    broken = {deviation.grade for deviation in check.deviations}
    return [
        {
            "grade": grade.value,
            "label": Rating.Grade(grade.value).label,
            "count": check.counts[grade],
            "quota": bounds.get(grade, ("—", False))[0],
            "broken": grade in broken,
        }
        for grade in rules.GRADES
    ]


def _deviation_text(deviation: rules.QuotaDeviation) -> str:
    texts = {
        rules.Bound.AT_MOST: _("%(count)s rated “%(grade)s”; the quota is at most %(quota)s in a group of %(size)s."),
        rules.Bound.AT_LEAST: _("%(count)s rated “%(grade)s”; the quota is at least %(quota)s in a group of %(size)s."),
        rules.Bound.ABOUT: _("%(count)s rated “%(grade)s”; the quota is about %(quota)s in a group of %(size)s."),
    }
    return texts[deviation.bound] % {
        "count": deviation.count,
        "grade": Rating.Grade(deviation.grade.value).label,
        "quota": deviation.quota,
        "size": deviation.size,
    }


def ratings_groups(*, cycle: Cycle, department_id: int | None = None) -> list[GroupView]:
    """The cycle's ratings by comparison group with each group's quota check, in a fixed number
    of queries: the counts come from the whole group even when a department head sees his part."""
    ratings = cycle.ratings.select_related("person", "department").prefetch_related(
        Prefetch("proposals", queryset=ConsequenceProposal.objects.order_by("id"))
    )
    if department_id is not None:
        ratings = ratings.filter(department_id=department_id)
    by_group: dict[str, list[Rating]] = defaultdict(list)
    for rating in ratings.order_by("group", "rank", "id"):
        by_group[rating.group].append(rating)
    tallies: dict[str, Counter] = defaultdict(Counter)
    for group, grade, count in (
        cycle.ratings.filter(group__in=list(by_group)).values_list("group", "grade").annotate(n=Count("id"))
    ):
        tallies[group][grade] = count
    labels = _group_labels(set(by_group))
    groups = []
    for key, members in sorted(by_group.items(), key=lambda item: labels[item[0]]):
        size = members[0].group_size
        quotas = rules.quota_counts(
            size=size,
            excellent_max=cycle.excellent_max,
            basic_min=cycle.basic_min,
            incompetent_about=cycle.incompetent_about,
            min_group_size=cycle.min_group_size,
        )
        grades = [grade for grade, count in tallies[key].items() for _i in range(count)]
        check = rules.quota_check(grades=grades, quotas=quotas)
        groups.append(GroupView(key, labels[key], members, check, _quota_rows(check)))
    return groups


@require_GET
@role_required(*READ_ROLES)
def ratings(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle, pk=pk)
    own = permissions.own_department_id(request.user)
    groups = ratings_groups(cycle=cycle, department_id=own)
    return render(
        request,
        "assessment/ratings.html",
        {
            "cycle": cycle,
            "groups": groups,
            "warnings": [(group.label, _deviation_text(d)) for group in groups for d in group.check.deviations],
            "can_manage": permissions.can_manage(request.user),
            "rating_open": cycle.status == S.RATING,
            "sees_proposals": has_role(request.user, *PROPOSAL_ROLES),
            "kind_labels": dict(ConsequenceProposal.Kind.choices),
        },
    )


@require_POST
@role_required(*MANAGE_ROLES)
def ratings_run(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle, pk=pk)
    try:
        rated = services.ratings_run(actor=request.user, cycle=cycle)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(count)s people rated.") % {"count": len(rated)})
    return redirect("assessment:ratings", pk=cycle.pk)


@require_http_methods(["GET", "POST"])
@role_required(*MANAGE_ROLES)
def rating_override(request: HttpRequest, pk: int) -> HttpResponse:
    rating = get_object_or_404(Rating.objects.select_related("cycle", "person"), pk=pk)
    form = forms.OverrideForm(request.POST or None, initial={"grade": rating.grade, "reason": rating.override_reason})
    if request.method == "POST" and form.is_valid():
        try:
            services.rating_override(actor=request.user, rating=rating, **form.cleaned_data)
        except ApplicationError as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("Grade of %(person)s changed.") % {"person": rating.person})
            return redirect("assessment:ratings", pk=rating.cycle_id)
    return _form_page(
        request,
        form,
        title=_("Override a grade"),
        back=reverse("assessment:ratings", args=[rating.cycle_id]),
        cycle=rating.cycle,
        lead=_("%(person)s: score %(score)s, rank %(rank)s of %(size)s, proposed “%(grade)s”.")
        % {
            "person": rating.person,
            "score": rating.score,
            "rank": rating.rank,
            "size": rating.group_size,
            "grade": rating.get_proposed_grade_display(),
        },
    )


# --- Proposals -------------------------------------------------------------------------------------


@require_GET
@role_required(*PROPOSAL_ROLES)
def proposals(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle, pk=pk)
    found = (
        ConsequenceProposal.objects.filter(rating__cycle=cycle)
        .select_related("rating__person", "rating__department", "decided_by")
        .order_by("status", "kind", "rating__group", "rating__rank", "id")
    )
    rows = [
        (
            proposal,
            [str(REASON_LABELS.get(reason, reason)) for reason in proposal.reasons],
            [str(forms.MEASURE_LABELS.get(option, option)) for option in proposal.options],
        )
        for proposal in found
    ]
    return render(
        request,
        "assessment/proposals.html",
        {"cycle": cycle, "rows": rows, "can_manage": permissions.can_manage(request.user)},
    )


@require_http_methods(["GET", "POST"])
@role_required(*MANAGE_ROLES)
def proposal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(ConsequenceProposal.objects.select_related("rating__person", "rating__cycle"), pk=pk)
    cycle = proposal.rating.cycle
    form = forms.ProposalDecideForm(request.POST or None, options=proposal.options)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.proposal_decide(
                actor=request.user,
                proposal=proposal,
                confirm=data["decision"] == "confirm",
                note=data["note"],
                measure=data.get("measure", ""),
            )
        except ApplicationError as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("Decision recorded for %(person)s.") % {"person": proposal.rating.person})
            return redirect("assessment:proposals", pk=cycle.pk)
    return _form_page(
        request,
        form,
        title=_("Decide on a proposal"),
        back=reverse("assessment:proposals", args=[cycle.pk]),
        cycle=cycle,
        lead=f"{proposal.rating.person} · {proposal.get_kind_display()} · "
        + "；".join(str(REASON_LABELS.get(r, r)) for r in proposal.reasons),
    )
