"""Assessment dashboards with server-drawn charts, and the cycle's results as xlsx.

HR and the leadership see every department; a department head sees his own department only.
"""

from collections import Counter, defaultdict
from decimal import Decimal

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from assessment import charts, exports, permissions, rules, selectors
from assessment.models import Cycle, Indicator, Rating, SupervisedTask
from staffing.models import Appointment, Department, PositionLevel
from zonehr.forms import Form
from zonehr.roles import Role, has_role, role_required
from zonehr.xlsx import workbook_response

DASHBOARD_ROLES = (Role.HR_OFFICER, Role.LEADERSHIP, Role.DEPARTMENT_HEAD)
# The individual sheet names everyone's grade: not for a department head.
EXPORT_ROLES = (Role.HR_OFFICER, Role.LEADERSHIP, Role.FINANCE_OFFICER)
COMPLETION_ROWS = 40  # more bars than this do not read on a projector
GRADE_CLASSES = [
    (Rating.Grade.EXCELLENT, "grade-excellent"),
    (Rating.Grade.COMPETENT, "grade-competent"),
    (Rating.Grade.BASICALLY_COMPETENT, "grade-basic"),
    (Rating.Grade.INCOMPETENT, "grade-incompetent"),
]
HUNDRED = Decimal(100)


class CycleChoiceForm(Form):
    cycle = forms.ModelChoiceField(label=gettext_lazy("Cycle"), queryset=Cycle.objects.all(), required=False)


def _department_chart(cycle: Cycle, own: Department | None, everything: bool) -> tuple[list, str]:
    rows = [
        row for row in selectors.department_results(cycle=cycle) if everything or (own and row.department_id == own.pk)
    ]
    bars = [
        charts.Bar(
            label=row.name,
            value=row.score,
            note=_("×%(coefficient)s · No. %(rank)s") % {"coefficient": row.coefficient, "rank": row.rank},
        )
        for row in rows
        if row.score is not None
    ]
    title = _("Department scores and ranks, with value coefficients")
    return rows, charts.bar_chart(bars=bars, title=title, maximum=Decimal(120)) if bars else ""


def _grade_chart(cycle: Cycle, own: Department | None, everything: bool) -> tuple[list, str]:
    ratings = cycle.ratings.all() if everything else cycle.ratings.filter(department=own)
    counts: dict[str, Counter] = defaultdict(Counter)
    sizes: dict[str, int] = {}
    for group, grade, size in ratings.values_list("group", "grade", "group_size"):
        counts[group][grade] += 1
        sizes[group] = size
    departments = dict(Department.objects.values_list("pk", "name"))
    levels = {
        (series, rank): f"{series_name}·{name}"
        for series, rank, series_name, name in PositionLevel.objects.values_list(
            "series_id", "rank", "series__name", "name"
        )
    }
    stacks, table = [], []
    for group in sorted(counts):
        tally = counts[group]
        total = sum(tally.values())
        marks: tuple[charts.Mark, ...] = ()
        quotas = None
        # Quotas hold for a whole group; a head seeing part of a level group gets no marks.
        if total == sizes[group]:
            quotas = rules.quota_counts(
                size=total,
                excellent_max=cycle.excellent_max,
                basic_min=cycle.basic_min,
                incompetent_about=cycle.incompetent_about,
                min_group_size=cycle.min_group_size,
            )
            marks = (charts.Mark(quotas.excellent_max, _("Excellent at most %(n)s") % {"n": quotas.excellent_max}),)
            if not quotas.lower_waived:
                lower = quotas.basic_min + quotas.incompetent
                marks += (
                    charts.Mark(total - lower, _("Basically competent at least %(n)s") % {"n": quotas.basic_min}),
                    charts.Mark(total - quotas.incompetent, _("Incompetent about %(n)s") % {"n": quotas.incompetent}),
                )
        label = exports.group_label(group, departments, levels)
        stacks.append(
            charts.Stack(
                label=label,
                segments=tuple(charts.Segment(tally[grade], css) for grade, css in GRADE_CLASSES),
                marks=marks,
            )
        )
        table.append({"label": label, "counts": [tally[grade] for grade, _css in GRADE_CLASSES], "quotas": quotas})
    legend = [(str(grade.label), css) for grade, css in GRADE_CLASSES]
    title = _("Grade distribution per comparison group, against the quotas")
    return table, charts.stacked_chart(stacks=stacks, legend=legend, title=title) if stacks else ""


def _completion(indicator: Indicator) -> Decimal:
    if indicator.lower_is_better:
        return indicator.target / indicator.actual * HUNDRED if indicator.actual else HUNDRED
    return indicator.actual / indicator.target * HUNDRED


def _completion_chart(cycle: Cycle, own: Department | None, everything: bool) -> str:
    indicators = cycle.indicators.filter(
        level=Indicator.Level.DEPARTMENT, rule=Indicator.Rule.RATIO, target__gt=0, actual__isnull=False
    ).select_related("department")
    if not everything:
        indicators = indicators.filter(department=own)
    indicators = indicators.order_by("department__name", "name")[:COMPLETION_ROWS]
    bars = []
    for indicator in indicators:
        completion = _completion(indicator).quantize(Decimal("0.1"))
        label = indicator.name if not everything else f"{indicator.department.name} · {indicator.name}"
        bars.append(charts.Bar(label=label, value=completion, css="" if completion >= HUNDRED else "short"))
    if not bars:
        return ""
    return charts.bar_chart(
        bars=bars,
        title=_("Indicator completion against target"),
        maximum=max(Decimal(150), *(bar.value for bar in bars)),
        reference=HUNDRED,
        reference_label=_("target"),
        unit=" %",
    )


def _overdue_chart(cycle: Cycle, own: Department | None, everything: bool) -> str:
    tasks = list(SupervisedTask.objects.filter(cycle=cycle))
    person_departments = dict(
        Appointment.objects.filter(
            person__in=[task.person_id for task in tasks if task.department_id is None],
            status=Appointment.Status.ACTIVE,
        ).values_list("person_id", "post__department_id")
    )
    charged = rules.task_deductions(tasks=tasks, as_of=timezone.localdate(), cap=None).charged
    overdue: Counter = Counter()
    for item in charged:
        if item.charge == rules.TaskCharge.OVERDUE:
            task = item.task
            overdue[task.department_id or person_departments.get(task.person_id)] += 1
    overdue.pop(None, None)
    if not everything:
        overdue = Counter({pk: n for pk, n in overdue.items() if own and pk == own.pk})
    if not overdue:
        return ""
    names = dict(Department.objects.filter(pk__in=overdue).values_list("pk", "name"))
    bars = [
        charts.Bar(label=names[pk], value=Decimal(count), css="warn")
        for pk, count in sorted(overdue.items(), key=lambda item: (-item[1], names[item[0]]))
    ]
    return charts.bar_chart(bars=bars, title=_("Overdue supervised tasks per department"))


@require_GET
@role_required(*DASHBOARD_ROLES)
def dashboard(request: HttpRequest) -> HttpResponse:
    form = CycleChoiceForm(request.GET or None)
    cycle = form.cleaned_data.get("cycle") if form.is_valid() else None
    # Without a choice, the latest cycle that has results: a cycle still being planned shows nothing.
    cycle = cycle or Cycle.objects.filter(ratings__isnull=False).distinct().first() or Cycle.objects.first()
    if not request.GET and cycle is not None:
        form = CycleChoiceForm(initial={"cycle": cycle})
    # Leadership and HR see every department; a department head only his own.
    own_id = permissions.own_department_id(request.user, zone_roles=(Role.HR_OFFICER, Role.LEADERSHIP))
    everything = own_id is None
    own = None if everything else Department.objects.filter(pk=own_id).first()
    context: dict = {"form": form, "cycle": cycle, "everything": everything, "own": own}
    if cycle is not None and (everything or own is not None):
        departments, context["department_chart"] = _department_chart(cycle, own, everything)
        context["departments"] = departments
        context["grades"], context["grade_chart"] = _grade_chart(cycle, own, everything)
        context["grade_names"] = [grade.label for grade, _css in GRADE_CLASSES]
        context["completion_chart"] = _completion_chart(cycle, own, everything)
        context["overdue_chart"] = _overdue_chart(cycle, own, everything)
        context["can_export"] = has_role(request.user, *EXPORT_ROLES)
    return render(request, "assessment/dashboard/dashboard.html", context)


@require_GET
@role_required(*EXPORT_ROLES)
def results_export(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle, pk=pk)
    return workbook_response(exports.results_workbook(cycle=cycle), f"{cycle.name}-考核结果.xlsx")
