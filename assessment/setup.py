"""Setting an assessment cycle up: the cycle and its quotas, the KPI cascade, score compositions,
evaluations (typed in or imported from a workbook), supervised tasks and bonus and penalty items.

Every write is audited. The cascade is fixed once scoring starts: values are entered against it.
"""

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import openpyxl
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessment import rules
from assessment.models import Adjustment, Composition, Cycle, Evaluation, Indicator, SupervisedTask
from staffing.models import Department, Person
from staffing.selectors import person_department
from zonehr.audit import audit_context, audit_event
from zonehr.errors import ApplicationError, validated_save
from zonehr.xlsx import header_row

S = Cycle.Status
L = Indicator.Level
PARENT_LEVEL = {L.DEPARTMENT: L.ZONE, L.INDIVIDUAL: L.DEPARTMENT}
EVALUATION_HEADERS = [
    gettext_lazy("Source"),
    gettext_lazy("Department code"),
    gettext_lazy("National ID"),
    gettext_lazy("Score"),
]


def _require_planning(cycle: Cycle) -> None:
    if cycle.status != S.PLANNING:
        raise ApplicationError(_("The KPI cascade of “%(cycle)s” is fixed once scoring starts.") % {"cycle": cycle})


# --- Cycles ----------------------------------------------------------------------------------------


def cycle_save(*, actor: Any, cycle: Cycle) -> Cycle:
    """Create or change a cycle; a quarterly cycle names its quarter and the annual cycle it feeds."""
    if cycle.kind == Cycle.Kind.QUARTERLY:
        if cycle.annual is None:
            raise ApplicationError(
                _("A quarterly cycle names the annual cycle it feeds."), {"annual": [_("Required.")]}
            )
        if cycle.annual.kind != Cycle.Kind.ANNUAL or cycle.annual.year != cycle.year:
            raise ApplicationError(
                _("A quarterly cycle feeds the annual cycle of its own year."),
                {"annual": [_("Choose the annual cycle of %(year)s.") % {"year": cycle.year}]},
            )
    else:
        cycle.annual = None
        cycle.quarter = None
    if cycle.pk and Cycle.objects.filter(pk=cycle.pk).exclude(status=S.PLANNING).exists():
        # Quotas and points decide grades: changing them after scoring starts would change results silently.
        raise ApplicationError(_("A cycle's settings are fixed once scoring starts."))
    with transaction.atomic(), audit_context(actor=actor):
        validated_save(cycle)
    return cycle


# --- The KPI cascade -------------------------------------------------------------------------------


def indicator_save(*, actor: Any, indicator: Indicator) -> Indicator:
    """Add or change an indicator while the cycle is being planned.

    The owner matches the level (the zone, a department, a person); the parent is an indicator of
    the same cycle one level up, and an individual indicator serves his own department's one.
    """
    cycle = indicator.cycle
    _require_planning(cycle)
    level = indicator.level
    if level == L.ZONE:
        indicator.parent = None
        indicator.department = None
        indicator.person = None
    elif level == L.DEPARTMENT:
        indicator.person = None
        if indicator.department is None:
            raise ApplicationError(_("A department indicator names its department."), {"department": [_("Required.")]})
    elif indicator.person is None:
        raise ApplicationError(_("An individual indicator names its person."), {"person": [_("Required.")]})
    if level != L.ZONE:
        parent = indicator.parent
        above = PARENT_LEVEL[L(level)]
        if parent is None or parent.cycle_id != cycle.pk or parent.level != above:
            raise ApplicationError(
                _("A %(level)s indicator serves a %(above)s indicator of the same cycle.")
                % {"level": L(level).label, "above": above.label},
                {"parent": [_("Choose a %(above)s indicator.") % {"above": above.label}]},
            )
        if level == L.INDIVIDUAL:
            # The owner stays the person alone: the cascade check groups scorecards by owner.
            indicator.department = None
            if parent.department_id != getattr(person_department(indicator.person), "pk", None):
                raise ApplicationError(
                    _("An individual indicator serves an indicator of the person's own department."),
                    {"parent": [_("Choose an indicator of the person's department.")]},
                )
    if indicator.pk and indicator.children.exists() and indicator.level != _stored_level(indicator):
        raise ApplicationError(_("Indicators serve this one; its level cannot change."))
    with transaction.atomic(), audit_context(actor=actor):
        validated_save(indicator)
    return indicator


def _stored_level(indicator: Indicator) -> str:
    return Indicator.objects.filter(pk=indicator.pk).values_list("level", flat=True).first() or indicator.level


def indicator_remove(*, actor: Any, indicator: Indicator) -> None:
    _require_planning(indicator.cycle)
    if indicator.children.exists():
        raise ApplicationError(_("Indicators serve this one; remove them first."))
    with transaction.atomic(), audit_context(actor=actor):
        indicator.delete()


# --- Score composition -----------------------------------------------------------------------------


def composition_save(*, actor: Any, cycle: Cycle, unit_type: str, weights: dict[str, Decimal]) -> Composition:
    """A unit type's source weights, in percent; they must sum to 100. Fixed once ratings run."""
    if cycle.status not in (S.PLANNING, S.SCORING):
        raise ApplicationError(_("The score composition is fixed once rating starts."))
    kept = {source: weight for source, weight in weights.items() if weight}
    try:
        rules.validate_weights(kept, group="the score sources")
    except rules.AssessmentError as exc:
        raise ApplicationError(str(exc)) from None
    with transaction.atomic(), audit_context(actor=actor):
        composition, _created = Composition.objects.update_or_create(
            cycle=cycle, unit_type=unit_type, defaults={"weights": {key: str(value) for key, value in kept.items()}}
        )
    return composition


# --- Evaluations -----------------------------------------------------------------------------------


def evaluation_save(
    *,
    actor: Any,
    cycle: Cycle,
    source: str,
    score: Decimal,
    department: Department | None = None,
    person: Person | None = None,
) -> Evaluation:
    """One score from a source other than the KPIs, for a department or a person; replaces an earlier one."""
    _require_open_for_scores(cycle)
    if (department is None) == (person is None):
        raise ApplicationError(_("An evaluation is for a department or for a person, not both."))
    if not Decimal(0) <= score <= rules.FULL_MARKS:
        raise ApplicationError(
            _("An evaluation score is from 0 to 100, not %(score)s.") % {"score": score}, {"score": [_("0 to 100.")]}
        )
    with transaction.atomic(), audit_context(actor=actor):
        evaluation, _created = Evaluation.objects.update_or_create(
            cycle=cycle,
            source=source,
            department=department,
            person=person,
            defaults={"score": score, "entered_by": actor},
        )
    return evaluation


def _require_open_for_scores(cycle: Cycle) -> None:
    if cycle.status != S.SCORING:
        raise ApplicationError(
            _("Scores are entered while the cycle is at “%(status)s”.") % {"status": S.SCORING.label}
        )


def evaluations_workbook(*, cycle: Cycle) -> openpyxl.Workbook:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = _("Evaluations")
    header_row(sheet, [str(header) for header in EVALUATION_HEADERS], [28, 16, 22, 10])
    help_sheet = workbook.create_sheet(_("Sources"))
    for value, label in Evaluation.Source.choices:
        help_sheet.append([value, str(label)])
    return workbook


@dataclass(frozen=True)
class RowError:
    row: int
    message: str


@dataclass
class EvaluationRow:
    source: str
    score: Decimal
    department: Department | None = None
    person: Person | None = None


def evaluations_read(*, cycle: Cycle, content: bytes) -> tuple[list[EvaluationRow], list[RowError]]:
    """The rows of an evaluations workbook, or the errors of every bad row (nothing is written)."""
    try:
        sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
    except Exception:  # any unreadable upload gets the same answer
        raise ApplicationError(_("This is not an Excel workbook (.xlsx).")) from None
    raw = [
        (number, row)
        for number, row in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2)
        if any(cell not in (None, "") for cell in row[:4])
    ]
    codes = {str(row[1]).strip() for _n, row in raw if len(row) > 1 and row[1] not in (None, "")}
    ids = {str(row[2]).strip().upper() for _n, row in raw if len(row) > 2 and row[2] not in (None, "")}
    departments = {d.code: d for d in Department.objects.filter(code__in=codes)}
    people = {p.national_id: p for p in Person.objects.filter(national_id__in=ids)}
    rows, errors = [], []
    for number, row in raw:
        source, code, national_id, score = (list(row) + [None] * 4)[:4]
        problem = None
        parsed = None
        if source not in Evaluation.Source.values:
            problem = _("unknown source “%(source)s”") % {"source": source}
        else:
            try:
                parsed = Decimal(str(score).strip())
            except (InvalidOperation, ValueError):
                parsed = None
            if parsed is None or not parsed.is_finite() or not Decimal(0) <= parsed <= rules.FULL_MARKS:
                problem = _("the score “%(score)s” is not a number from 0 to 100") % {"score": score}
        department = departments.get(str(code).strip()) if code not in (None, "") else None
        person = people.get(str(national_id).strip().upper()) if national_id not in (None, "") else None
        if problem is None:
            if code not in (None, "") and national_id not in (None, ""):
                problem = _("give a department code or a national ID, not both")
            elif code not in (None, "") and department is None:
                problem = _("no department has the code “%(code)s”") % {"code": code}
            elif national_id not in (None, "") and person is None:
                problem = _("nobody has the national ID “%(id)s”") % {"id": national_id}
            elif department is None and person is None:
                problem = _("give a department code or a national ID")
        if problem:
            errors.append(RowError(number, problem))
        else:
            rows.append(EvaluationRow(source=source, score=parsed, department=department, person=person))
    if not raw:
        errors.append(RowError(2, _("the workbook has no rows")))
    return rows, errors


def evaluations_import(*, actor: Any, cycle: Cycle, content: bytes, filename: str = "") -> int:
    """Import a workbook all or nothing: any bad row refuses the whole file, naming every bad row."""
    _require_open_for_scores(cycle)
    rows, errors = evaluations_read(cycle=cycle, content=content)
    if errors:
        raise ApplicationError(
            _("Nothing was imported: %(count)s rows have errors.") % {"count": len(errors)},
            {"rows": [_("Row %(row)s: %(message)s") % {"row": e.row, "message": e.message} for e in errors]},
        )
    with transaction.atomic(), audit_context(actor=actor, reason=filename):
        for row in rows:
            Evaluation.objects.update_or_create(
                cycle=cycle,
                source=row.source,
                department=row.department,
                person=row.person,
                defaults={"score": row.score, "entered_by": actor},
            )
        audit_event(
            actor=actor,
            instance=cycle,
            event="evaluations_import",
            changes={"rows": [None, len(rows)]},
            reason=filename,
        )
    return len(rows)


# --- Supervised tasks ------------------------------------------------------------------------------


def task_save(*, actor: Any, task: SupervisedTask) -> SupervisedTask:
    if task.department is None and task.person is None:
        raise ApplicationError(_("A task is assigned to a department or a person."), {"department": [_("Required.")]})
    if task.cycle.status in (S.CONFIRMED, S.CLOSED):
        raise ApplicationError(_("The cycle's results are confirmed; its tasks are fixed."))
    if not task.pk:
        task.assigned_by = actor
    with transaction.atomic(), audit_context(actor=actor):
        validated_save(task)
    return task


def _open_task(task: SupervisedTask) -> SupervisedTask:
    task = SupervisedTask.objects.select_for_update().select_related("cycle").get(pk=task.pk)
    if task.completed_on or task.failed:
        raise ApplicationError(_("This task is already closed."))
    if task.cycle.status in (S.CONFIRMED, S.CLOSED):
        raise ApplicationError(_("The cycle's results are confirmed; its tasks are fixed."))
    return task


def task_complete(*, actor: Any, task: SupervisedTask, on: dt.date, note: str = "") -> SupervisedTask:
    """Record a task as completed on a day; completed after the deadline it still counts as overdue."""
    with transaction.atomic(), audit_context(actor=actor, reason=note):
        task = _open_task(task)
        task.completed_on = on
        if note:
            task.note = note
        task.save(update_fields=["completed_on", "note"])
    return task


def task_fail(*, actor: Any, task: SupervisedTask, note: str) -> SupervisedTask:
    """Judge a task not accomplished; it costs the failed-task points, with the reason kept."""
    if not note.strip():
        raise ApplicationError(_("Give a reason: it is kept in the audit trail."), {"note": [_("Required.")]})
    with transaction.atomic(), audit_context(actor=actor, reason=note):
        task = _open_task(task)
        task.failed = True
        task.note = note
        task.save(update_fields=["failed", "note"])
    return task


def task_overdue(task: SupervisedTask, *, today: dt.date) -> bool:
    """Deadline passed and not completed (nor judged failed): the flag on the tasks page."""
    return not task.failed and task.completed_on is None and today > task.deadline


# --- Bonus and penalty items -----------------------------------------------------------------------


def _require_open_for_adjustments(cycle: Cycle) -> None:
    # Once rating starts the scores are ranked; a later item would change grades silently.
    if cycle.status not in (S.PLANNING, S.SCORING):
        raise ApplicationError(
            _("Bonuses and penalties are recorded while the cycle is at “%(planning)s” or “%(scoring)s”.")
            % {"planning": S.PLANNING.label, "scoring": S.SCORING.label}
        )


def adjustment_save(*, actor: Any, adjustment: Adjustment) -> Adjustment:
    """Record or change a bonus (points above zero) or a penalty (below zero) for one department
    or one person, with its reason."""
    _require_open_for_adjustments(adjustment.cycle)
    if (adjustment.department_id is None) == (adjustment.person_id is None):
        raise ApplicationError(
            _("A bonus or penalty is for one department or for one person, not both."),
            {"department": [_("Choose a department or a person.")]},
        )
    if adjustment.points is None or adjustment.points == 0:
        raise ApplicationError(
            _("A bonus has points above zero, a penalty below zero; zero changes nothing."),
            {"points": [_("Not zero.")]},
        )
    adjustment.reason = (adjustment.reason or "").strip()
    if not adjustment.reason:
        raise ApplicationError(_("Give a reason: it is kept in the audit trail."), {"reason": [_("Required.")]})
    if not adjustment.pk:
        adjustment.recorded_by = actor
    with transaction.atomic(), audit_context(actor=actor, reason=adjustment.reason):
        validated_save(adjustment)
    return adjustment


def adjustment_remove(*, actor: Any, adjustment: Adjustment) -> None:
    _require_open_for_adjustments(adjustment.cycle)
    with transaction.atomic(), audit_context(actor=actor, reason=adjustment.reason):
        adjustment.delete()
