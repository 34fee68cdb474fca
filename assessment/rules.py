"""Assessment rules (domain.md §7): KPI indicator scores and their zone → department → individual
cascade, the department value coefficient, score composition per unit type, usual-time scores
feeding the annual one, supervised tasks, grades with quotas per comparison group, and the
consequences a grade proposes.

Pure functions over Decimals and plain values, so pages, the API and Celery jobs share them.
Every number the domain calls a default is an argument carrying that default; the cycle's policy
passes its own values. Scores are on a 0–100 scale and weights are percentages.
"""

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Generic, Literal, Protocol, TypeVar

from zonehr.money import round_to

P = TypeVar("P", bound=Hashable)  # a person: an id, a model instance, a name in tests
Y = TypeVar("Y", bound=Hashable)  # an assessment year

FULL_MARKS = Decimal(100)
SCORE_PLACES = 2
SCORE_ROUNDING = "half_up"

RATIO_CAP = Decimal("1.2")  # a ratio indicator scores at most 120
POINTS_PER_MISS = Decimal(5)

COEFFICIENT_LOW = Decimal("0.5")
COEFFICIENT_HIGH = Decimal("1.5")

QUARTERS = 4
QUARTERLY_WEIGHT = Decimal("0.3")

POINTS_OVERDUE = Decimal(2)
POINTS_FAILED = Decimal(5)
TASK_DEDUCTION_CAP = Decimal(20)

EXCELLENT_MAX = Decimal("0.20")
BASIC_MIN = Decimal("0.06")
INCOMPETENT_ABOUT = Decimal("0.05")
# Below this size a comparison group is not forced to have anyone basically competent or
# incompetent: 6 % of a group of 7 is 0.42 of a person, and a forced grade there would fall on
# whoever came last, however well he did.
MIN_GROUP_SIZE = 10
BOTTOM_SHARE = Decimal("0.05")


class AssessmentError(ValueError):
    """Input an assessment rule cannot work with; the message says what and where."""


def _decimal(value: object, *, what: str) -> Decimal:
    # A float would carry binary noise into every sum after it, so refuse it here.
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{what} must be a Decimal, not {type(value).__name__}")
    number = Decimal(value)
    if not number.is_finite():
        raise AssessmentError(f"{what} is {number}, not a number")
    return number


def _count(value: object, *, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be a whole number, not {type(value).__name__}")
    if value < 0:
        raise AssessmentError(f"{what} cannot be negative, not {value}")
    return value


def _share(value: object, *, what: str) -> Decimal:
    share = _decimal(value, what=what)
    if not Decimal(0) <= share <= Decimal(1):
        raise AssessmentError(f"{what} is a share between 0 and 1, not {share}")
    return share


def _round(value: Decimal, places: int | None, rounding: str) -> Decimal:
    return value if places is None else round_to(value, places, rounding)


def _names(keys: Iterable[object]) -> str:
    return ", ".join(str(key) for key in keys)


# --- KPI indicators ----------------------------------------------------------------------------


class ScoringRule(StrEnum):
    RATIO = "ratio"  # actual ÷ target × 100, capped
    JUDGED = "judged"  # a judged score from 0 to 100
    DEDUCTION = "deduction"  # 100 − misses × points per miss


def indicator_score(
    *,
    rule: ScoringRule | str,
    target: Decimal | None = None,
    actual: Decimal | None = None,
    judged: Decimal | None = None,
    misses: int | None = None,
    cap: Decimal = RATIO_CAP,
    points_per_miss: Decimal = POINTS_PER_MISS,
    lower_is_better: bool = False,
    places: int | None = SCORE_PLACES,
    rounding: str = SCORE_ROUNDING,
) -> Decimal:
    """An indicator's score on the 0–100 scale by its scoring rule.

    - ratio: actual ÷ target × 100, at most cap × 100 (120 by default) and at least 0, so an
      actual below zero (a fall where growth was the target) scores 0. With `lower_is_better`
      (complaints, days to approve) the ratio turns over, target ÷ actual × 100 under the same
      cap, and an actual of 0 earns the cap. The target must be positive: a ratio to zero means
      nothing, and an indicator whose target is zero ("no accidents") is a deduction indicator.
    - judged: the judged score itself, which must lie between 0 and 100.
    - deduction: 100 − misses × points_per_miss, never below 0.

    Inputs that another rule reads are ignored, so a service can pass an indicator's whole
    record. Rounded to `places` (None keeps it exact), so a published indicator score is the
    one the weighted total is computed from.
    """
    try:
        rule = ScoringRule(rule)
    except ValueError:
        raise AssessmentError(f"unknown scoring rule {rule!r}; use one of {_names(ScoringRule)}") from None
    if rule is ScoringRule.JUDGED:
        score = _judged_score(judged)
    elif rule is ScoringRule.DEDUCTION:
        score = _deduction_score(misses, points_per_miss)
    else:
        score = _ratio_score(target, actual, cap, lower_is_better)
    return _round(score, places, rounding)


def _ratio_score(target: Decimal | None, actual: Decimal | None, cap: Decimal, lower_is_better: bool) -> Decimal:
    if target is None or actual is None:
        raise AssessmentError("a ratio indicator needs both a target and an actual value")
    target = _decimal(target, what="the target")
    actual = _decimal(actual, what="the actual value")
    cap = _decimal(cap, what="the cap")
    if cap < 1:
        raise AssessmentError(f"the cap is {cap}; below 1 even meeting the target would not score 100")
    if target <= 0:
        raise AssessmentError(
            f"a ratio indicator needs a positive target, not {target}; score a zero target by deduction per miss"
        )
    ceiling = cap * FULL_MARKS
    if not lower_is_better:
        return max(min(actual / target * FULL_MARKS, ceiling), Decimal(0))
    if actual < 0:
        raise AssessmentError(f"a lower-is-better indicator cannot have a negative actual value ({actual})")
    if actual == 0:
        return ceiling
    return min(target / actual * FULL_MARKS, ceiling)


def _judged_score(judged: Decimal | None) -> Decimal:
    if judged is None:
        raise AssessmentError("a judged indicator needs the judged score")
    score = _decimal(judged, what="the judged score")
    if not Decimal(0) <= score <= FULL_MARKS:
        raise AssessmentError(f"a judged score lies between 0 and 100, not {score}")
    return score


def _deduction_score(misses: int | None, points_per_miss: Decimal) -> Decimal:
    if misses is None:
        raise AssessmentError("a deduction indicator needs the number of misses")
    count = _count(misses, what="the number of misses")
    points = _decimal(points_per_miss, what="the points per miss")
    if points < 0:
        raise AssessmentError(f"the points per miss cannot be negative, not {points}")
    return max(FULL_MARKS - count * points, Decimal(0))


def apply_adjustments(
    *,
    score: Decimal,
    bonuses: Iterable[Decimal],
    penalties: Iterable[Decimal],
    bonus_cap: Decimal | None = None,
    ceiling: Decimal | None = None,
) -> Decimal:
    """A total after bonus and penalty items (加减分): score + bonuses − penalties.

    Bonuses and penalties are given as positive amounts; a negative one is refused, since a
    penalty entered as −2 would otherwise add 2. Bonuses together add at most `bonus_cap` when
    the policy has one; the result is at most `ceiling` when given, and never below 0.
    """
    total = _decimal(score, what="the score")
    added = [_decimal(bonus, what="a bonus") for bonus in bonuses]
    taken = [_decimal(penalty, what="a penalty") for penalty in penalties]
    negative = [amount for amount in (*added, *taken) if amount < 0]
    if negative:
        raise AssessmentError(f"bonuses and penalties are positive amounts, not {_names(negative)}")
    bonus = sum(added, Decimal(0))
    if bonus_cap is not None:
        bonus = min(bonus, _decimal(bonus_cap, what="the bonus cap"))
    total += bonus - sum(taken, Decimal(0))
    if ceiling is not None:
        total = min(total, _decimal(ceiling, what="the ceiling"))
    return max(total, Decimal(0))


# --- Weights -----------------------------------------------------------------------------------


def _weights_problem(weights: Sequence[tuple[object, Decimal]], group: str) -> str | None:
    negative = [key for key, weight in weights if weight < 0]
    if negative:
        return f"the weights of {group} include negative ones, for {_names(negative)}"
    total = sum((weight for _, weight in weights), Decimal(0))
    if total != FULL_MARKS:
        return f"the weights of {group} sum to {total}, not 100"
    return None


def validate_weights(weights: Mapping[Hashable, Decimal], *, group: str = "the indicators") -> None:
    """Weights are percentages, none negative, summing to exactly 100. `group` names the level or
    parent they belong to ("the indicators under 'GDP growth'") so the message says where."""
    pairs = [(key, _decimal(weight, what=f"the weight of {key}")) for key, weight in weights.items()]
    problem = _weights_problem(pairs, group)
    if problem:
        raise AssessmentError(problem)


def weighted_score(
    *,
    scores: Mapping[Hashable, Decimal],
    weights: Mapping[Hashable, Decimal],
    group: str = "the indicators",
    places: int | None = SCORE_PLACES,
    rounding: str = SCORE_ROUNDING,
) -> Decimal:
    """Σ score × weight ÷ 100 over indicators whose weights sum to 100.

    Every weighted indicator needs a score and every score a weight: a missing score is an
    error to fix, not a zero. Rounded once, at the end.
    """
    validate_weights(weights, group=group)
    missing = [key for key in weights if key not in scores]
    unknown = [key for key in scores if key not in weights]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"no score for {_names(missing)}")
        if unknown:
            parts.append(f"scores without a weight for {_names(unknown)}")
        raise AssessmentError(f"{group}: " + "; ".join(parts))
    total = sum(
        (_decimal(scores[key], what=f"the score of {key}") * weight for key, weight in weights.items()),
        Decimal(0),
    )
    return _round(total / FULL_MARKS, places, rounding)


# --- The cascade: zone → department → individual ----------------------------------------------


class Level(StrEnum):
    ZONE = "zone"
    DEPARTMENT = "department"
    INDIVIDUAL = "individual"


LEVELS = (Level.ZONE, Level.DEPARTMENT, Level.INDIVIDUAL)  # top first


class IndicatorLike(Protocol):
    """What the cascade check reads of an indicator; a model instance with these fields will do."""

    id: Hashable
    parent_id: Hashable | None
    level: str
    weight: Decimal
    owner: Hashable


@dataclass(frozen=True, kw_only=True)
class IndicatorRecord:
    id: Hashable
    level: str
    weight: Decimal
    owner: Hashable = None  # the zone, a department or a person
    parent_id: Hashable | None = None


@dataclass(frozen=True, kw_only=True)
class CascadeProblem:
    message: str
    indicators: tuple[Hashable, ...]  # the ids it concerns, for the page to mark
    # What went wrong and with what, so a page can say it in its own language.
    kind: str = ""
    params: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return self.message


def cascade_problems(
    *,
    indicators: Iterable[IndicatorLike],
    group_by: Literal["parent", "owner"] = "parent",
) -> list[CascadeProblem]:
    """Everything wrong with a cycle's indicator tree, as readable problems; empty when sound.

    Each zone indicator has no parent; each department or individual indicator points to an
    existing indicator exactly one level up. Weights are not negative and sum to 100 in each
    group of siblings: with `group_by="parent"` the children of one parent (and the zone level
    as a whole); with `group_by="owner"` the indicators of one owner at one level, i.e. each
    department's and each person's own scorecard. When grouping by parent, an indicator whose
    parent is missing or misplaced is left out of the weight check, which would only repeat it.
    """
    records = list(indicators)
    problems: list[CascadeProblem] = []
    by_id: dict[Hashable, IndicatorLike] = {}
    for record in records:
        if record.id in by_id:
            problems.append(
                CascadeProblem(
                    message=f"indicator {record.id} appears twice",
                    indicators=(record.id,),
                    kind="duplicate",
                    params={"indicator": record.id},
                )
            )
        else:
            by_id[record.id] = record

    levels: dict[Hashable, Level] = {}
    for record in records:
        try:
            levels[record.id] = Level(record.level)
        except ValueError:
            problems.append(
                CascadeProblem(
                    message=f"indicator {record.id} has the unknown level {record.level!r}",
                    indicators=(record.id,),
                    kind="unknown_level",
                    params={"indicator": record.id, "level": record.level},
                )
            )

    groups: dict[tuple[Level, Hashable], list[tuple[Hashable, Decimal]]] = {}
    for record in records:
        level = levels.get(record.id)
        if level is None:
            continue
        weight = _decimal(record.weight, what=f"the weight of indicator {record.id}")
        problem = _parent_problem(record, level, by_id, levels)
        if problem:
            problems.append(
                CascadeProblem(
                    message=problem,
                    indicators=(record.id,),
                    kind="parent",
                    params={
                        "indicator": record.id,
                        "level": level.value,
                        "parent": record.parent_id,
                        "parent_level": levels[record.parent_id].value if record.parent_id in levels else None,
                    },
                )
            )
            # Grouped by parent it has no real siblings; grouped by owner it still counts in its scorecard.
            if group_by == "parent" and level is not Level.ZONE:
                continue
        if group_by == "owner":
            key = (level, record.owner)
        else:
            key = (level, None if level is Level.ZONE else record.parent_id)
        groups.setdefault(key, []).append((record.id, weight))

    for (level, anchor), weights in groups.items():
        if group_by == "owner":
            group = f"the {level} indicators of {anchor}"
        elif level is Level.ZONE:
            group = "the zone level"
        else:
            group = f"the indicators under indicator {anchor}"
        problem = _weights_problem(weights, group)
        if problem:
            problems.append(
                CascadeProblem(
                    message=problem,
                    indicators=tuple(key for key, _ in weights),
                    kind="weights",
                    params={
                        "level": level.value,
                        "anchor": anchor,
                        "group_by": group_by,
                        "total": sum((weight for _, weight in weights), Decimal(0)),
                        "negative": any(weight < 0 for _, weight in weights),
                    },
                )
            )
    return problems


def _parent_problem(
    record: IndicatorLike, level: Level, by_id: Mapping[Hashable, IndicatorLike], levels: Mapping[Hashable, Level]
) -> str | None:
    if level is Level.ZONE:
        if record.parent_id is not None:
            return f"indicator {record.id} is at the zone level but points to a parent, {record.parent_id}"
        return None
    above = LEVELS[LEVELS.index(level) - 1]
    if record.parent_id is None:
        return f"indicator {record.id} ({level} level) has no parent; it should point to a {above} indicator"
    if record.parent_id not in by_id:
        return f"indicator {record.id} points to indicator {record.parent_id}, which does not exist"
    parent_level = levels.get(record.parent_id)
    if parent_level is not None and parent_level is not above:
        return (
            f"indicator {record.id} ({level} level) points to indicator {record.parent_id} at the "
            f"{parent_level} level; its parent should be a {above} indicator"
        )
    return None


# --- Department value coefficient --------------------------------------------------------------


def validate_coefficient(
    value: Decimal, *, low: Decimal = COEFFICIENT_LOW, high: Decimal = COEFFICIENT_HIGH
) -> Decimal:
    """A department value coefficient lies in the closed range [low, high], 0.5 to 1.5 by
    default; returns it, refuses anything else."""
    coefficient = _decimal(value, what="the department value coefficient")
    low = _decimal(low, what="the lowest coefficient")
    high = _decimal(high, what="the highest coefficient")
    if low > high:
        raise AssessmentError(f"the coefficient range is empty: {low} is above {high}")
    if not low <= coefficient <= high:
        raise AssessmentError(f"the department value coefficient {coefficient} is outside {low} to {high}")
    return coefficient


# --- Score composition per unit type -----------------------------------------------------------


class Source(StrEnum):
    PERFORMANCE = "performance"  # the KPI score
    COMPREHENSIVE_EVALUATION = "comprehensive_evaluation"  # by leaders and peers
    OPINION_SURVEY = "opinion_survey"
    ENTERPRISE_EVALUATION = "enterprise_evaluation"  # enterprises on the zone's service
    RESIDENT_EVALUATION = "resident_evaluation"


# Leaders in Liangjiang: performance 60 %, comprehensive evaluation and opinion survey the rest;
# the split of that rest is ours.
LEADER_COMPOSITION = {
    Source.PERFORMANCE: Decimal(60),
    Source.COMPREHENSIVE_EVALUATION: Decimal(25),
    Source.OPINION_SURVEY: Decimal(15),
}


@dataclass(frozen=True, kw_only=True)
class ComposedScore:
    score: Decimal
    weights: dict[str, Decimal]  # the weights applied: the policy's, or re-weighted ones (exact)
    missing: tuple[str, ...]  # weighted sources with no score, left out by re-weighting

    @property
    def reweighted(self) -> bool:
        return bool(self.missing)


def compose(
    *,
    sources: Mapping[str, Decimal | None],
    weights: Mapping[str, Decimal],
    reweight: bool = False,
    places: int | None = SCORE_PLACES,
    rounding: str = SCORE_ROUNDING,
) -> ComposedScore:
    """A unit's or person's score from its sources: Σ source score × weight ÷ 100, the weights
    (per unit type) summing to 100.

    A weighted source with no score (absent or None) is refused by default, naming it: a
    survey not yet run should hold the result back, not lower it. With `reweight` the present
    sources share the whole 100 in proportion to their weights, and the result lists the
    missing ones. A source with weight 0 is never missing. Rounded once, at the end.
    """
    validate_weights(weights, group="the score sources")
    unknown = [name for name in sources if name not in weights]
    if unknown:
        raise AssessmentError(f"scores from sources without a weight: {_names(unknown)}")
    missing = tuple(name for name, weight in weights.items() if weight > 0 and sources.get(name) is None)
    if missing and not reweight:
        raise AssessmentError(f"no score from {_names(missing)}; enter it, or re-weight over the sources present")
    used = {name: weight for name, weight in weights.items() if sources.get(name) is not None}
    present_weight = sum(used.values(), Decimal(0))
    if present_weight == 0:
        raise AssessmentError("no weighted source has a score")
    if missing:
        used = {name: weight * FULL_MARKS / present_weight for name, weight in used.items()}
    total = sum(
        (_decimal(sources[name], what=f"the score from {name}") * weight for name, weight in used.items()),
        Decimal(0),
    )
    return ComposedScore(score=_round(total / FULL_MARKS, places, rounding), weights=used, missing=missing)


# --- Usual-time (quarterly) and annual ---------------------------------------------------------


def annual_score(
    *,
    quarterly: Sequence[Decimal],
    annual: Decimal,
    quarterly_weight: Decimal = QUARTERLY_WEIGHT,
    places: int | None = SCORE_PLACES,
    rounding: str = SCORE_ROUNDING,
) -> Decimal:
    """The year's result: the mean of the usual-time (quarterly) scores × quarterly_weight plus
    the annual assessment score × (1 − quarterly_weight); 30 % / 70 % by default.

    Only the quarters a person was assessed in are passed (someone appointed in May has three);
    with none at all the annual score stands alone. More than four are refused.
    """
    weight = _share(quarterly_weight, what="the quarterly weight")
    year_end = _decimal(annual, what="the annual score")
    quarters = [_decimal(score, what="a quarterly score") for score in quarterly]
    if len(quarters) > QUARTERS:
        raise AssessmentError(f"a year has {QUARTERS} quarters, not {len(quarters)} quarterly scores")
    if not quarters:
        return _round(year_end, places, rounding)
    mean = sum(quarters, Decimal(0)) / len(quarters)
    return _round(mean * weight + year_end * (1 - weight), places, rounding)


# --- Supervised tasks (督查督办) ---------------------------------------------------------------


class TaskLike(Protocol):
    deadline: date
    completed_on: date | None
    failed: bool


@dataclass(frozen=True, kw_only=True)
class TaskRecord:
    deadline: date
    completed_on: date | None = None
    failed: bool = False  # judged not accomplished
    ref: Hashable = None  # whatever the caller needs to find the task again


class TaskCharge(StrEnum):
    OVERDUE = "overdue"
    FAILED = "failed"


@dataclass(frozen=True, kw_only=True)
class ChargedTask:
    task: TaskLike
    charge: TaskCharge
    points: Decimal


@dataclass(frozen=True, kw_only=True)
class TaskDeductions:
    total: Decimal  # what comes off the usual-time score
    uncapped: Decimal
    charged: tuple[ChargedTask, ...]  # the tasks that cost points, in the order given

    @property
    def capped(self) -> bool:
        return self.total < self.uncapped


def task_deductions(
    *,
    tasks: Iterable[TaskLike],
    as_of: date,
    points_overdue: Decimal = POINTS_OVERDUE,
    points_failed: Decimal = POINTS_FAILED,
    cap: Decimal | None = TASK_DEDUCTION_CAP,
) -> TaskDeductions:
    """The points supervised tasks cost the usual-time score, as of a day (the quarter's end).

    A task is overdue when it was not completed by its deadline: still open after the deadline,
    or completed after it (late is late, however late). Completed on the deadline is on time.
    A completion recorded after `as_of` did not exist yet, so recomputing a past quarter gives
    what it gave then. A failed task costs `points_failed` and not also `points_overdue`: one
    task, one charge. A flat amount per task, not per day late; the total is at most `cap`
    (None: no cap).
    """
    overdue_points = _decimal(points_overdue, what="the points for an overdue task")
    failed_points = _decimal(points_failed, what="the points for a failed task")
    if overdue_points < 0 or failed_points < 0:
        raise AssessmentError(f"task points are deductions, not negative ({overdue_points}, {failed_points})")
    charged = []
    for task in tasks:
        if task.failed:
            charged.append(ChargedTask(task=task, charge=TaskCharge.FAILED, points=failed_points))
            continue
        completed = task.completed_on if task.completed_on is not None and task.completed_on <= as_of else None
        late = completed > task.deadline if completed is not None else as_of > task.deadline
        if late:
            charged.append(ChargedTask(task=task, charge=TaskCharge.OVERDUE, points=overdue_points))
    uncapped = sum((item.points for item in charged), Decimal(0))
    total = uncapped if cap is None else min(uncapped, _decimal(cap, what="the deduction cap"))
    return TaskDeductions(total=total, uncapped=uncapped, charged=tuple(charged))


# --- Grades and quotas -------------------------------------------------------------------------


class Grade(StrEnum):
    # Institution staff see 优秀 / 合格 / 基本合格 / 不合格; the labels differ in the UI only.
    EXCELLENT = "excellent"
    COMPETENT = "competent"
    BASICALLY_COMPETENT = "basically_competent"
    INCOMPETENT = "incompetent"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


GRADES = (Grade.EXCELLENT, Grade.COMPETENT, Grade.BASICALLY_COMPETENT, Grade.INCOMPETENT)  # best first


def _better(first: Grade, second: Grade) -> Grade:
    return min(first, second, key=GRADES.index)


@dataclass(frozen=True, kw_only=True)
class Quotas:
    """The grade quotas of one comparison group, in persons."""

    size: int
    excellent_max: int  # at most this many excellent
    basic_min: int  # at least this many basically competent
    incompetent: int  # about this many incompetent
    lower_waived: bool  # the group is too small for the lower quotas to be forced


def quota_counts(
    *,
    size: int,
    excellent_max: Decimal = EXCELLENT_MAX,
    basic_min: Decimal = BASIC_MIN,
    incompetent_about: Decimal = INCOMPETENT_ABOUT,
    min_group_size: int = MIN_GROUP_SIZE,
) -> Quotas:
    """A comparison group's quotas: excellent at most floor(20 % × size), basically competent at
    least ceil(6 % × size), incompetent about round-half-up(5 % × size).

    In a group smaller than `min_group_size` (10) the two lower quotas are waived and come out
    0: nobody is made basically competent or incompetent only to fill a share of a handful of
    people, though a pass line may still make someone so (see rate_group). The excellent cap
    always holds, so a group of 1 to 4 has no excellent place: pool small groups for ratings.
    """
    size = _count(size, what="the group size")
    min_size = _count(min_group_size, what="the minimum group size")
    excellent = _share(excellent_max, what="the excellent share") * size
    basic = _share(basic_min, what="the basically competent share") * size
    incompetent = _share(incompetent_about, what="the incompetent share") * size
    waived = size < min_size
    quotas = Quotas(
        size=size,
        excellent_max=int(excellent.to_integral_value(rounding=ROUND_FLOOR)),
        basic_min=0 if waived else int(basic.to_integral_value(rounding=ROUND_CEILING)),
        incompetent=0 if waived else int(incompetent.to_integral_value(rounding=ROUND_HALF_UP)),
        lower_waived=waived,
    )
    if quotas.excellent_max + quotas.basic_min + quotas.incompetent > size:
        raise AssessmentError(
            f"the quotas ({quotas.excellent_max} excellent, {quotas.basic_min} basically competent, "
            f"{quotas.incompetent} incompetent) need more than the group's {size} people"
        )
    return quotas


class Bound(StrEnum):
    AT_MOST = "at_most"
    AT_LEAST = "at_least"
    ABOUT = "about"


@dataclass(frozen=True, kw_only=True)
class QuotaDeviation:
    grade: Grade
    count: int
    quota: int
    bound: Bound
    size: int

    @property
    def message(self) -> str:
        bound = self.bound.value.replace("_", " ")
        return (
            f"{self.count} rated {self.grade.label} where the quota is {bound} {self.quota} in a group of {self.size}"
        )


@dataclass(frozen=True, kw_only=True)
class QuotaCheck:
    quotas: Quotas
    counts: dict[Grade, int]  # every grade, zeros included
    deviations: tuple[QuotaDeviation, ...]

    @property
    def ok(self) -> bool:
        return not self.deviations

    @property
    def messages(self) -> list[str]:
        return [deviation.message for deviation in self.deviations]


def quota_check(*, grades: Iterable[Grade | str] | Mapping[Hashable, Grade | str], quotas: Quotas) -> QuotaCheck:
    """How a group's grades compare with its quotas: more excellent than allowed, fewer basically
    competent than required, or an incompetent count other than the one expected. Waived lower
    quotas are not checked. The page warns with this when an HR override breaks a quota; the
    grades must be the whole group's, since quotas of another size would mislead."""
    given = list(grades.values()) if isinstance(grades, Mapping) else list(grades)
    try:
        given = [Grade(grade) for grade in given]
    except ValueError as error:
        raise AssessmentError(f"unknown grade: {error}") from None
    if len(given) != quotas.size:
        raise AssessmentError(f"{len(given)} grades for a group of {quotas.size}")
    tally = Counter(given)
    counts = {grade: tally[grade] for grade in GRADES}
    checks = [(Grade.EXCELLENT, quotas.excellent_max, Bound.AT_MOST)]
    if not quotas.lower_waived:
        checks += [
            (Grade.BASICALLY_COMPETENT, quotas.basic_min, Bound.AT_LEAST),
            (Grade.INCOMPETENT, quotas.incompetent, Bound.ABOUT),
        ]
    broken = {
        Bound.AT_MOST: lambda count, quota: count > quota,
        Bound.AT_LEAST: lambda count, quota: count < quota,
        Bound.ABOUT: lambda count, quota: count != quota,
    }
    deviations = tuple(
        QuotaDeviation(grade=grade, count=counts[grade], quota=quota, bound=bound, size=quotas.size)
        for grade, quota, bound in checks
        if broken[bound](counts[grade], quota)
    )
    return QuotaCheck(quotas=quotas, counts=counts, deviations=deviations)


@dataclass(frozen=True, kw_only=True)
class Rating(Generic[P]):
    person: P
    score: Decimal
    rank: int  # 1 is best; tied persons share the better rank (1, 2, 2, 4)
    grade: Grade


@dataclass(frozen=True, kw_only=True)
class GroupRating(Generic[P]):
    ratings: tuple[Rating[P], ...]  # best first; tied persons in the order given
    check: QuotaCheck

    @property
    def grades(self) -> dict[P, Grade]:
        return {rating.person: rating.grade for rating in self.ratings}


def rate_group(
    *,
    scores: Sequence[tuple[P, Decimal]],
    quotas: Quotas,
    excellent_threshold: Decimal | None = None,
    incompetent_below: Decimal | None = None,
) -> GroupRating[P]:
    """Grades of one comparison group by rank.

    Places are filled from the top and the bottom: the top `excellent_max` places are
    excellent (only for a score at or above `excellent_threshold` when the policy sets one,
    commonly 90), the last `incompetent` places incompetent, the `basic_min` places above them
    basically competent, the rest competent. A score below `incompetent_below` (a pass line,
    when the policy sets one) is incompetent whatever its place.

    Persons with equal scores always get the same grade: the better grade of the places they
    occupy. So a tie at a quota boundary can put more than the cap in excellent or fewer than
    the quota in the lower grades; the quota check in the result shows it and HR settles it.
    A grade with pay cuts or dismissal behind it is not decided by the order of equal scores.
    """
    entries = [(person, _decimal(score, what=f"the score of {person}")) for person, score in scores]
    repeated = [person for person, times in Counter(person for person, _ in entries).items() if times > 1]
    if repeated:
        raise AssessmentError(f"persons rated more than once: {_names(repeated)}")
    if len(entries) != quotas.size:
        raise AssessmentError(f"{len(entries)} scores for quotas of a group of {quotas.size}")
    threshold = None if excellent_threshold is None else _decimal(excellent_threshold, what="the excellent threshold")
    pass_line = None if incompetent_below is None else _decimal(incompetent_below, what="the pass line")

    size = len(entries)
    incompetent_from = size - quotas.incompetent
    basic_from = incompetent_from - quotas.basic_min

    def place_grade(index: int) -> Grade:
        if index < quotas.excellent_max:
            return Grade.EXCELLENT
        if index >= incompetent_from:
            return Grade.INCOMPETENT
        if index >= basic_from:
            return Grade.BASICALLY_COMPETENT
        return Grade.COMPETENT

    ordered = sorted(entries, key=lambda entry: entry[1], reverse=True)  # stable: ties keep input order
    first_place: dict[Decimal, int] = {}
    tie_grade: dict[Decimal, Grade] = {}
    for index, (_, score) in enumerate(ordered):
        first_place.setdefault(score, index)
        grade = place_grade(index)
        tie_grade[score] = _better(tie_grade.get(score, grade), grade)

    ratings = []
    for person, score in ordered:
        grade = tie_grade[score]
        if grade is Grade.EXCELLENT and threshold is not None and score < threshold:
            grade = Grade.COMPETENT
        if pass_line is not None and score < pass_line:
            grade = Grade.INCOMPETENT
        ratings.append(Rating(person=person, score=score, rank=first_place[score] + 1, grade=grade))
    return GroupRating(
        ratings=tuple(ratings), check=quota_check(grades=[rating.grade for rating in ratings], quotas=quotas)
    )


# --- Consequences (proposed, confirmed by HR) --------------------------------------------------


class ProposalKind(StrEnum):
    DISMISSAL = "dismissal"
    BASIC_COMPETENT_MEASURES = "basic_competent_measures"  # one of the measures, HR chooses
    ADVANCED_WORKER_AWARD = "advanced_worker_award"  # eligibility for the award
    PRIORITY_PROMOTION = "priority_promotion"


class Measure(StrEnum):
    PAY_CUT = "pay_cut"
    WAITING = "waiting"
    TRANSFER = "transfer"


class Reason(StrEnum):
    EXCELLENT = "excellent"
    BASICALLY_COMPETENT = "basically_competent"
    INCOMPETENT = "incompetent"
    INCOMPETENT_TWO_YEARS_RUNNING = "incompetent_two_years_running"
    BOTTOM_EVERY_YEAR_OF_TERM = "bottom_every_year_of_term"


REASON_TEXT = {
    Reason.EXCELLENT: "rated excellent this year",
    Reason.BASICALLY_COMPETENT: "rated basically competent this year",
    Reason.INCOMPETENT: "rated incompetent this year",
    Reason.INCOMPETENT_TWO_YEARS_RUNNING: "rated incompetent two years in a row",
    Reason.BOTTOM_EVERY_YEAR_OF_TERM: (
        "in the bottom share of the same-level posts in every year of the contract term; "
        "dismissed if reassignment is refused"
    ),
}


@dataclass(frozen=True, kw_only=True)
class Proposal:
    kind: ProposalKind
    reasons: tuple[Reason, ...]
    options: tuple[Measure, ...] = ()  # the measures HR chooses one of, for basic_competent_measures

    @property
    def explanation(self) -> str:
        return "; ".join(REASON_TEXT[reason] for reason in self.reasons)


def propose_consequences(
    *,
    grade: Grade | str,
    previous_grades: Sequence[Grade | str | None],
    bottom_five_every_year_of_term: bool,
) -> list[Proposal]:
    """What a year's grade proposes; nothing is applied here, HR confirms each proposal.

    - incompetent: dismissal; when the year before (the last of `previous_grades`, oldest
      first, None for a year without a grade) was incompetent too, the reason says two years
      in a row.
    - in the bottom share of the same-level posts in every year of the contract term (see
      bottom_share): dismissal, which the rule applies to those who refuse reassignment.
      Both reasons make one dismissal proposal.
    - basically competent: one proposal of measures, pay cut, waiting or transfer, as
      alternatives: the person gets one of them, chosen by HR.
    - excellent: eligibility for the advanced-worker award, and priority for promotion.
    Heaviest first.
    """
    try:
        grade = Grade(grade)
        previous = [None if earlier is None else Grade(earlier) for earlier in previous_grades]
    except ValueError as error:
        raise AssessmentError(f"unknown grade: {error}") from None

    proposals = []
    dismissal_reasons = []
    if grade is Grade.INCOMPETENT:
        running = bool(previous) and previous[-1] is Grade.INCOMPETENT
        dismissal_reasons.append(Reason.INCOMPETENT_TWO_YEARS_RUNNING if running else Reason.INCOMPETENT)
    if bottom_five_every_year_of_term:
        dismissal_reasons.append(Reason.BOTTOM_EVERY_YEAR_OF_TERM)
    if dismissal_reasons:
        proposals.append(Proposal(kind=ProposalKind.DISMISSAL, reasons=tuple(dismissal_reasons)))
    if grade is Grade.BASICALLY_COMPETENT:
        proposals.append(
            Proposal(
                kind=ProposalKind.BASIC_COMPETENT_MEASURES,
                reasons=(Reason.BASICALLY_COMPETENT,),
                options=(Measure.PAY_CUT, Measure.WAITING, Measure.TRANSFER),
            )
        )
    if grade is Grade.EXCELLENT:
        proposals.append(Proposal(kind=ProposalKind.ADVANCED_WORKER_AWARD, reasons=(Reason.EXCELLENT,)))
        proposals.append(Proposal(kind=ProposalKind.PRIORITY_PROMOTION, reasons=(Reason.EXCELLENT,)))
    return proposals


def bottom_share(
    *,
    ranks_by_year: Mapping[Y, Mapping[P, int]],
    share: Decimal = BOTTOM_SHARE,
    min_group_size: int = MIN_GROUP_SIZE,
) -> dict[Y, frozenset[P]]:
    """Who was in the bottom share (5 %) of his same-level group, year by year.

    `ranks_by_year` gives, for one group of same-level posts, each year's rank of every person
    ranked that year (1 is best, tied persons sharing the better rank as rate_group gives them);
    the group's size that year is the number ranked. The bottom count is round-half-up(share ×
    size): 1 from 10 people to 29, 2 from 30. A group smaller than `min_group_size` has no
    bottom, as the last of three is not the last 5 % of anything. Tied persons share a rank, so
    a tie straddling the boundary stays out of the bottom, as it stays in the better grade.
    """
    share = _share(share, what="the bottom share")
    min_size = _count(min_group_size, what="the minimum group size")
    bottom: dict[Y, frozenset[P]] = {}
    for year, ranks in ranks_by_year.items():
        size = len(ranks)
        for person, place in ranks.items():
            if _count(place, what=f"the rank of {person} in {year}") < 1 or place > size:
                raise AssessmentError(f"{person} ranks {place} in {year}, outside 1 to {size}")
        count = 0 if size < min_size else int((share * size).to_integral_value(rounding=ROUND_HALF_UP))
        bottom[year] = frozenset(person for person, place in ranks.items() if place > size - count)
    return bottom


def in_bottom_every_year(*, bottom: Mapping[Y, Iterable[P]], person: P, years: Iterable[Y]) -> bool:
    """Whether `person` was in the bottom share in each of `years` (a contract term's years, as
    bottom_share gives them). A year with no ranking does not count against him: False."""
    term = list(years)
    return bool(term) and all(person in bottom.get(year, ()) for year in term)


def competition_ranks(scores: dict[int, Decimal]) -> dict[int, int]:
    """Rank 1 for the highest score; equal scores share the better rank (1, 2, 2, 4)."""
    ordered = sorted(scores.values(), reverse=True)
    return {key: ordered.index(score) + 1 for key, score in scores.items()}
