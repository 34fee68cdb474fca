"""Assessment reads, set-based: a cycle's scores in a fixed number of queries, whatever its size."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from assessment import rules
from assessment.models import (
    Adjustment,
    Composition,
    Cycle,
    DepartmentCoefficient,
    Evaluation,
    Indicator,
    Rating,
    SupervisedTask,
)
from staffing.models import Appointment, Department
from staffing.selectors import person_department


def indicator_department(indicator: Indicator):
    """The department an indicator belongs to: its own, or for an individual one the person's."""
    if indicator.department_id or not indicator.person_id:
        return indicator.department
    return person_department(indicator.person)


DEFAULT_WEIGHTS = {rules.Source.PERFORMANCE.value: Decimal(100)}


@dataclass(frozen=True)
class PersonScore:
    person_id: int
    department_id: int
    group: str
    score: Decimal

    def __hash__(self) -> int:
        return hash(self.person_id)


def _kpi_scores(indicators: list[Indicator], key) -> dict[int, Decimal]:
    """Weighted KPI score per owner, for owners whose scorecard is complete and sums to 100."""
    cards: dict[int, list[Indicator]] = defaultdict(list)
    for indicator in indicators:
        cards[key(indicator)].append(indicator)
    scores = {}
    for owner, card in cards.items():
        if any(indicator.score is None for indicator in card):
            continue
        try:
            scores[owner] = rules.weighted_score(
                scores={i.pk: i.score for i in card}, weights={i.pk: i.weight for i in card}
            )
        except rules.AssessmentError:
            continue
    return scores


def department_scores(*, cycle: Cycle) -> dict[int, Decimal]:
    indicators = list(cycle.indicators.filter(level=Indicator.Level.DEPARTMENT))
    scores = _kpi_scores(indicators, lambda indicator: indicator.department_id)
    adjustments: dict[int, Decimal] = defaultdict(Decimal)
    for department_id, points in cycle.adjustments.filter(department__isnull=False).values_list(
        "department_id", "points"
    ):
        adjustments[department_id] += points
    return {
        department: max(Decimal(0), min(Decimal(120), score + adjustments.get(department, Decimal(0))))
        for department, score in scores.items()
    }


def person_scores(*, cycle: Cycle, as_of: dt.date) -> list[PersonScore]:
    """Everyone on post with his score for the cycle: KPI (his own scorecard, else his
    department's), composed with the evaluations by unit type, plus bonuses, minus the
    deductions of supervised tasks; for an annual cycle the quarters enter by their weight."""
    appointments = list(
        Appointment.objects.filter(status=Appointment.Status.ACTIVE).values_list(
            "person_id", "post__department_id", "post__level__series_id", "post__level__rank", "post__is_leadership"
        )
    )
    individual = _kpi_scores(
        list(cycle.indicators.filter(level=Indicator.Level.INDIVIDUAL)), lambda indicator: indicator.person_id
    )
    by_department = department_scores(cycle=cycle)
    evaluations: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for person_id, source, score in Evaluation.objects.filter(cycle=cycle, person__isnull=False).values_list(
        "person_id", "source", "score"
    ):
        evaluations[person_id][source] = score
    compositions = dict(Composition.objects.filter(cycle=cycle).values_list("unit_type", "weights"))
    adjustments: dict[int, Decimal] = defaultdict(Decimal)
    for person_id, points in Adjustment.objects.filter(cycle=cycle, person__isnull=False).values_list(
        "person_id", "points"
    ):
        adjustments[person_id] += points
    tasks: dict[int, list[SupervisedTask]] = defaultdict(list)
    for task in SupervisedTask.objects.filter(cycle=cycle, person__isnull=False):
        tasks[task.person_id].append(task)
    quarterly: dict[int, list[Decimal]] = defaultdict(list)
    if cycle.kind == Cycle.Kind.ANNUAL:
        for person_id, score in Rating.objects.filter(cycle__annual=cycle).values_list("person_id", "score"):
            quarterly[person_id].append(score)
    result = []
    for person_id, department_id, series_id, rank, is_leader in appointments:
        performance = individual.get(person_id, by_department.get(department_id))
        if performance is None:
            continue
        weights = compositions.get("leader" if is_leader else "staff") or DEFAULT_WEIGHTS
        sources = {rules.Source.PERFORMANCE.value: performance, **evaluations.get(person_id, {})}
        composed = rules.compose(
            sources={name: value for name, value in sources.items() if name in weights},
            weights={name: Decimal(weight) for name, weight in weights.items()},
            reweight=True,
        ).score
        deduction = rules.task_deductions(
            tasks=tasks.get(person_id, []),
            as_of=as_of,
            points_overdue=cycle.points_overdue,
            points_failed=cycle.points_failed,
            cap=cycle.task_deduction_cap,
        ).total
        score = max(Decimal(0), composed + adjustments.get(person_id, Decimal(0)) - deduction)
        if quarterly.get(person_id):
            score = rules.annual_score(
                quarterly=quarterly[person_id], annual=score, quarterly_weight=cycle.quarterly_weight
            )
        group = (
            f"department:{department_id}"
            if cycle.comparison == Cycle.Comparison.DEPARTMENT
            else f"level:{series_id}:{rank}"
        )
        result.append(PersonScore(person_id=person_id, department_id=department_id, group=group, score=score))
    return result


@dataclass(frozen=True)
class DepartmentResult:
    department_id: int
    score: Decimal | None
    coefficient: Decimal


def payroll_inputs(*, cycle: Cycle) -> tuple[dict[int, DepartmentResult], dict[int, tuple[Decimal, str]]]:
    """What payroll reads of a confirmed cycle: per department its result and approved
    coefficient (1.00 when none was approved), per person his score and grade."""
    coefficients = dict(
        DepartmentCoefficient.objects.filter(cycle=cycle, status=DepartmentCoefficient.Status.APPROVED).values_list(
            "department_id", "value"
        )
    )
    scores = department_scores(cycle=cycle)
    departments = {
        department: DepartmentResult(department, scores.get(department), coefficients.get(department, Decimal(1)))
        for department in set(scores) | set(coefficients)
    }
    people = {
        person_id: (score, grade)
        for person_id, score, grade in cycle.ratings.values_list("person_id", "score", "grade")
    }
    return departments, people


@dataclass(frozen=True)
class DepartmentRow:
    department_id: int
    name: str
    score: Decimal | None
    rank: int | None  # None while the department has no complete scorecard
    coefficient: Decimal


def department_results(*, cycle: Cycle) -> list[DepartmentRow]:
    """Each department with a score or an approved coefficient: score, rank, coefficient
    (1.00 when none was approved), as payroll reads them; ranked first, by rank."""
    departments, _people = payroll_inputs(cycle=cycle)
    ranks = rules.competition_ranks({pk: row.score for pk, row in departments.items() if row.score is not None})
    names = dict(Department.objects.filter(pk__in=departments).values_list("pk", "name"))
    rows = [DepartmentRow(pk, names[pk], row.score, ranks.get(pk), row.coefficient) for pk, row in departments.items()]
    return sorted(rows, key=lambda row: (row.rank is None, row.rank or 0, row.name))
