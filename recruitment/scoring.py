"""Scoring rules of competitive hiring (domain.md §6): score sheets, round scores, panel balancing,
pass lines, votes, the composite and the ranking per post.

Pure functions over Decimals and plain values, so pages, the API and Celery jobs share them.
Every number the domain calls a default is an argument carrying that default; the campaign's
policy passes its own values.
"""

import itertools
import random
from collections import Counter
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Generic, TypeVar

from zonehr.money import round_to

C = TypeVar("C", bound=Hashable)  # a candidate: an id, a model instance, a name in tests
K = TypeVar("K", bound=Hashable)  # a panel (room)

TRIM_ABOVE = 5  # more than 5 valid sheets: drop one highest and one lowest
SCORE_PLACES = 2
SCORE_ROUNDING = "half_up"
COEFFICIENT_PLACES = 4
COMMON_PASS_LINE = Decimal(60)
PASS_RATE = Decimal("0.5")
# Computed the way a turnout is, so that exactly two thirds compares equal (see vote_result).
TURNOUT = Decimal(2) / Decimal(3)
VOTE_POINTS = Decimal(30)
DEFAULT_TIE_BREAK = ("interview", "written")


class ScoringError(ValueError):
    """Input a scoring rule cannot work with; the message says what and where."""


class ScoreOutOfRangeError(ScoringError):
    """A mark below 0 or above its criterion's maximum."""

    def __init__(self, *, criterion: str, value: Decimal, maximum: Decimal) -> None:
        super().__init__(f"the mark for {criterion!r} is {value}, outside 0 to {maximum}")
        self.criterion = criterion
        self.value = value
        self.maximum = maximum


class IncompleteSheetError(ScoringError):
    """A sheet that leaves out a criterion of the round, or marks one the round does not have."""

    def __init__(self, *, missing: Sequence[str], unknown: Sequence[str]) -> None:
        parts = []
        if missing:
            parts.append("no mark for " + ", ".join(repr(name) for name in missing))
        if unknown:
            parts.append("marks for unknown criteria " + ", ".join(repr(name) for name in unknown))
        super().__init__("; ".join(parts))
        self.missing = list(missing)
        self.unknown = list(unknown)


def _decimal(value: object, *, what: str) -> Decimal:
    # A float mark would carry binary noise into every sum after it, so refuse it here.
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{what} must be a Decimal, not {type(value).__name__}")
    number = Decimal(value)
    if not number.is_finite():
        raise ScoringError(f"{what} is {number}, not a number")
    return number


def _mean(values: Sequence[Decimal]) -> Decimal:
    # Decimal division keeps 28 significant digits, far beyond the 2 to 4 decimals any rule keeps,
    # so the mean is as good as exact until the one rounding at the end.
    return sum(values, Decimal(0)) / len(values)


# --- Score sheets and round scores -------------------------------------------------------------


def sheet_total(*, marks: Mapping[str, Decimal], maxima: Mapping[str, Decimal]) -> Decimal:
    """The total of one judge's sheet: the sum of its marks, each between 0 and its criterion's
    maximum. Every criterion of the round must be marked and no other."""
    missing = [name for name in maxima if name not in marks]
    unknown = [name for name in marks if name not in maxima]
    if missing or unknown:
        raise IncompleteSheetError(missing=missing, unknown=unknown)
    total = Decimal(0)
    for criterion, maximum in maxima.items():
        value = _decimal(marks[criterion], what=f"the mark for {criterion!r}")
        if not Decimal(0) <= value <= maximum:
            raise ScoreOutOfRangeError(criterion=criterion, value=value, maximum=maximum)
        total += value
    return total


def round_score(
    *,
    totals: Sequence[Decimal],
    trim_above: int = TRIM_ABOVE,
    places: int = SCORE_PLACES,
    rounding: str = SCORE_ROUNDING,
) -> Decimal | None:
    """A candidate's score in a round from the totals of the valid sheets.

    With more than `trim_above` totals, one highest and one lowest are dropped and the rest
    averaged; otherwise all are averaged. None when there is no valid sheet yet. The mean is
    kept exact and rounded once, at the end, to `places` decimals by `rounding` ("half_up" or
    "truncate"), so the two modes differ only in that last step. Sheets excluded for a conflict
    of interest are simply not passed in.
    """
    if trim_above < 2:
        raise ScoringError(f"trim_above must be at least 2, not {trim_above}: trimming needs a sheet left over")
    if not totals:
        return None
    kept = sorted(_decimal(total, what="a sheet total") for total in totals)
    if len(kept) > trim_above:
        kept = kept[1:-1]
    return round_to(_mean(kept), places, rounding)


# --- Panel balancing (二次平均法) ----------------------------------------------------------------


def panel_averages(*, scores: Mapping[C, Decimal], panel_of: Mapping[C, K]) -> dict[K, Decimal]:
    """Each panel's average of its candidates' round scores, kept exact."""
    unplaced = [candidate for candidate in scores if candidate not in panel_of]
    if unplaced:
        raise ScoringError(f"no panel for candidates {unplaced!r}")
    by_panel: dict[K, list[Decimal]] = {}
    for candidate, score in scores.items():
        by_panel.setdefault(panel_of[candidate], []).append(score)
    return {panel: _mean(values) for panel, values in by_panel.items()}


def panel_coefficients(
    *,
    panel_averages: Mapping[K, Decimal],
    places: int = COEFFICIENT_PLACES,
    rounding: str = "half_up",
) -> dict[K, Decimal]:
    """Each panel's coefficient: the mean of all panels' averages ÷ that panel's average.

    The coefficient is rounded to 4 decimals (half-up) by default, as results notices publish
    it, so anyone can redo score × coefficient from the notice and get the published score.
    """
    if not panel_averages:
        return {}
    for panel, average in panel_averages.items():
        if average <= 0:
            raise ScoringError(f"panel {panel!r} averages {average}; only positive averages can be balanced")
    overall = _mean(list(panel_averages.values()))
    return {panel: round_to(overall / average, places, rounding) for panel, average in panel_averages.items()}


def balance(
    *,
    scores: Mapping[C, Decimal],
    panel_of: Mapping[C, K],
    places: int = SCORE_PLACES,
    rounding: str = SCORE_ROUNDING,
    coefficient_places: int = COEFFICIENT_PLACES,
) -> dict[C, Decimal]:
    """Balanced round scores when one post's candidates sat before several panels: each score
    times its panel's coefficient (see panel_coefficients), rounded to `places` by `rounding`."""
    coefficients = panel_coefficients(
        panel_averages=panel_averages(scores=scores, panel_of=panel_of), places=coefficient_places
    )
    return {
        candidate: round_to(score * coefficients[panel_of[candidate]], places, rounding)
        for candidate, score in scores.items()
    }


# --- Pass lines and advancement ----------------------------------------------------------------


def advancing(
    *,
    scores: Mapping[C, Decimal | None],
    pass_line: Decimal | None = None,
    per_place: int | None = None,
    places: int = 1,
) -> list[C]:
    """The candidates who go on to the next round, best first.

    Those at or above `pass_line` (when the round has one; a candidate with no score never
    advances). When `per_place` is set, at most `per_place` × `places` of them by score, `places`
    being the number of places the post offers, except that everyone tied with the last one
    inside the quota advances too: a cut cannot tell equal scores apart.
    """
    passed = [
        (candidate, score)
        for candidate, score in scores.items()
        if score is not None and (pass_line is None or score >= pass_line)
    ]
    passed.sort(key=lambda item: item[1], reverse=True)
    if per_place is not None:
        if per_place < 1 or places < 1:
            raise ScoringError(f"per_place ({per_place}) and places ({places}) must be at least 1")
        quota = per_place * places
        if len(passed) > quota:
            cut = passed[quota - 1][1]
            passed = [item for item in passed if item[1] >= cut]
    return [candidate for candidate, _ in passed]


# --- Votes (民主测评) ----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class VoteCount:
    """The ballots of one vote on one candidate."""

    for_: int
    against: int
    abstain: int
    spoilt: int
    eligible: int

    def __post_init__(self) -> None:
        counts = {"for": self.for_, "against": self.against, "abstain": self.abstain, "spoilt": self.spoilt}
        negative = [name for name, number in counts.items() if number < 0]
        if negative:
            raise ScoringError(f"ballot counts cannot be negative: {', '.join(negative)}")
        if self.eligible < 1:
            raise ScoringError(f"a vote needs at least one eligible voter, not {self.eligible}")
        if self.cast > self.eligible:
            raise ScoringError(f"{self.cast} ballots cast but only {self.eligible} eligible voters")

    @property
    def cast(self) -> int:
        """Every ballot handed in, abstentions and spoilt ones included."""
        return self.for_ + self.against + self.abstain + self.spoilt

    @property
    def decisive(self) -> int:
        return self.for_ + self.against


class VoteFailure(StrEnum):
    LOW_TURNOUT = "low_turnout"
    NO_DECISIVE_BALLOTS = "no_decisive_ballots"  # nobody voted for or against
    NOT_ENOUGH_APPROVAL = "not_enough_approval"


@dataclass(frozen=True, kw_only=True)
class VoteResult:
    count: VoteCount
    approval_rate: Decimal | None  # for ÷ (for + against); None when both are zero
    turnout: Decimal  # ballots cast ÷ eligible voters
    pass_rate: Decimal
    turnout_required: Decimal
    failures: tuple[VoteFailure, ...]  # empty when the vote passed

    @property
    def passed(self) -> bool:
        return not self.failures


def vote_result(*, count: VoteCount, pass_rate: Decimal = PASS_RATE, turnout: Decimal = TURNOUT) -> VoteResult:
    """Whether a vote passed: the approval rate (abstentions and spoilt ballots left out) is
    strictly above `pass_rate`, and the turnout (every ballot cast ÷ eligible voters) reaches
    `turnout`. The result lists every condition that failed, not only the first.

    Rates are Decimal quotients at the context's precision, like the default threshold 2 ÷ 3,
    so a turnout of exactly two thirds compares equal to it and passes.
    """
    rate = Decimal(count.for_) / Decimal(count.decisive) if count.decisive else None
    actual_turnout = Decimal(count.cast) / Decimal(count.eligible)
    failures = []
    if actual_turnout < turnout:
        failures.append(VoteFailure.LOW_TURNOUT)
    if rate is None:
        failures.append(VoteFailure.NO_DECISIVE_BALLOTS)
    elif rate <= pass_rate:
        failures.append(VoteFailure.NOT_ENOUGH_APPROVAL)
    return VoteResult(
        count=count,
        approval_rate=rate,
        turnout=actual_turnout,
        pass_rate=pass_rate,
        turnout_required=turnout,
        failures=tuple(failures),
    )


def vote_score(
    *, rate: Decimal, points: Decimal = VOTE_POINTS, places: int = SCORE_PLACES, rounding: str = SCORE_ROUNDING
) -> Decimal:
    """An approval rate entering the composite as a round score: rate × points, rounded once."""
    if not Decimal(0) <= rate <= Decimal(1):
        raise ScoringError(f"an approval rate lies between 0 and 1, not {rate}")
    return round_to(rate * points, places, rounding)


# --- Composite and ranking ---------------------------------------------------------------------


def validate_weights(weights: Mapping[str, Decimal]) -> None:
    """Round weights are percentages, none negative, summing to exactly 100."""
    negative = [name for name, weight in weights.items() if weight < 0]
    if negative:
        raise ScoringError(f"negative weights for {negative!r}")
    total = sum(weights.values(), Decimal(0))
    if total != 100:
        raise ScoringError(f"round weights sum to {total}, not 100")


def composite(
    *,
    round_scores: Mapping[str, Decimal | None],
    weights: Mapping[str, Decimal],
    places: int | None = SCORE_PLACES,
    rounding: str = SCORE_ROUNDING,
) -> Decimal:
    """The composite score: Σ round score × weight ÷ 100, weights being percentages of rounds.

    A round the candidate has no score for (absent, or not scored yet on a live board) adds
    nothing. Rounded once at the end to `places` decimals; `places=None` keeps it exact.
    """
    validate_weights(weights)
    unknown = [name for name in round_scores if name not in weights]
    if unknown:
        raise ScoringError(f"scores for rounds without a weight: {unknown!r}")
    total = sum(
        (score * weights[name] / 100 for name, score in round_scores.items() if score is not None),
        Decimal(0),
    )
    return total if places is None else round_to(total, places, rounding)


@dataclass(frozen=True, kw_only=True)
class RankEntry(Generic[C]):
    """One candidate for one post: the composite and the round scores the tie-break reads."""

    candidate: C
    composite: Decimal | None
    round_scores: Mapping[str, Decimal | None] = field(default_factory=dict)
    post: Hashable | None = None


@dataclass(frozen=True, kw_only=True)
class Ranked(Generic[C]):
    rank: int  # 1-based, consecutive: nobody shares a rank
    entry: RankEntry[C]
    # When this place was decided by lot: the whole tied group, in the order drawn. The caller
    # records it in the audit trail. Empty when scores decided.
    lot: tuple[C, ...] = ()

    @property
    def candidate(self) -> C:
        return self.entry.candidate

    @property
    def composite(self) -> Decimal | None:
        return self.entry.composite


def draw_lots(group: list[C]) -> list[C]:
    """The default lot: the tied group in a random order from the operating system's source,
    which nobody can seed or replay."""
    drawn = list(group)
    random.SystemRandom().shuffle(drawn)
    return drawn


def _higher_first(value: Decimal | None) -> tuple[bool, Decimal]:
    # Sorted in reverse: any score ranks above no score.
    return (value is not None, value if value is not None else Decimal(0))


def rank(
    *,
    entries: Sequence[RankEntry[C]],
    tie_break: Sequence[str] = DEFAULT_TIE_BREAK,
    lot: Callable[[list[C]], list[C]] | None = None,
) -> list[Ranked[C]]:
    """Rank the candidates of one post: composite, higher first, then each round in `tie_break`
    in turn, higher first (a missing score ranks lower). Candidates still tied are ordered by
    `lot`, which receives the group and returns it reordered; by default a random draw.

    Ranks are 1-based and consecutive: after the lot nobody shares a rank. Each place decided by
    lot carries the drawn group in `Ranked.lot` (see lots_drawn).
    """
    repeated = [candidate for candidate, times in Counter(e.candidate for e in entries).items() if times > 1]
    if repeated:
        raise ScoringError(f"candidates entered more than once: {repeated!r}")
    draw = lot or draw_lots

    def key(entry: RankEntry[C]) -> tuple:
        return (_higher_first(entry.composite), *(_higher_first(entry.round_scores.get(name)) for name in tie_break))

    ranked: list[Ranked[C]] = []
    for _, tied_entries in itertools.groupby(sorted(entries, key=key, reverse=True), key=key):
        group = list(tied_entries)
        if len(group) == 1:
            ranked.append(Ranked(rank=len(ranked) + 1, entry=group[0]))
            continue
        by_candidate = {entry.candidate: entry for entry in group}
        drawn = list(draw([entry.candidate for entry in group]))
        if Counter(drawn) != Counter(by_candidate.keys()):
            raise ScoringError(f"the lot returned {drawn!r}, not an order of {list(by_candidate)!r}")
        for candidate in drawn:
            ranked.append(Ranked(rank=len(ranked) + 1, entry=by_candidate[candidate], lot=tuple(drawn)))
    return ranked


def rank_per_post(
    *,
    entries: Sequence[RankEntry[C]],
    tie_break: Sequence[str] = DEFAULT_TIE_BREAK,
    lot: Callable[[list[C]], list[C]] | None = None,
) -> dict[Hashable | None, list[Ranked[C]]]:
    """rank() for each post separately, posts in the order they first appear in `entries`."""
    by_post: dict[Hashable | None, list[RankEntry[C]]] = {}
    for entry in entries:
        by_post.setdefault(entry.post, []).append(entry)
    return {post: rank(entries=group, tie_break=tie_break, lot=lot) for post, group in by_post.items()}


def lots_drawn(ranked: Sequence[Ranked[C]]) -> list[tuple[C, ...]]:
    """The groups a ranking decided by lot, each in the order drawn, for the audit trail."""
    groups: list[tuple[C, ...]] = []
    for place in ranked:
        if place.lot and place.lot not in groups:
            groups.append(place.lot)
    return groups
