"""Salary packages and how they are shared (薪酬包, domain.md §8).

A department's performance package comes from its headcount, coefficient and assessment
result; the zone's pool scales all packages to the money there is; each package is shared
among the department's staff by individual score × post coefficient. Baoding splits
performance pay 25 % basic / 75 % incentive; Linwu keeps 20 % of the bonus pool for the
advanced-worker award and wants performance pay to be at least 60 % of total income.

Pure functions over Decimals and plain values. Every split is exact to the fen: the parts add
up to the whole, with the rounding stated in each docstring.
"""

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

from zonehr.money import FEN, round_to, to_fen

K = TypeVar("K", bound=Hashable)  # a department or a person: an id, a model instance, a name

BASIC_SHARE = Decimal("0.25")  # Baoding: basic performance 25 %, incentive performance 75 %
AWARD_SHARE = Decimal("0.20")  # Linwu: the advanced-worker award's part of the bonus pool
MINIMUM_PERFORMANCE_SHARE = Decimal("0.60")  # Linwu: performance pay in total income
SHARE_PLACES = 4  # a share shown in a warning, e.g. 0.5833


class AllocationError(ValueError):
    """Figures a package or share rule cannot work with; the message says which."""


def _amount(value: object, *, what: str) -> Decimal:
    # A float would bring binary noise into the money, so only Decimal and int are accepted.
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{what} must be a Decimal, not {type(value).__name__}")
    number = Decimal(value)
    if not number.is_finite():
        raise AllocationError(f"{what} is {number}, not a number")
    if number < 0:
        raise AllocationError(f"{what} is {number}; it cannot be negative")
    return number


def _fen(total: object, *, what: str) -> int:
    amount = _amount(total, what=what)
    fen = amount / FEN
    if fen != fen.to_integral_value():
        raise AllocationError(f"{what} is {amount}; only whole fen can be shared exactly")
    return int(fen)


def _from_fen(fen: int) -> Decimal:
    return Decimal(fen).scaleb(-2)


# --- Packages --------------------------------------------------------------------------------


def performance_package(
    *, headcount: int, per_head_base: Decimal, coefficient: Decimal, assessment_factor: Decimal
) -> Decimal:
    """A department's performance package: headcount × per-head base × the department's value
    coefficient × its assessment result as a factor (e.g. 1.05 for a good year). Rounded
    half-up to the fen, once, at the end."""
    if isinstance(headcount, bool) or not isinstance(headcount, int):
        raise TypeError(f"headcount must be an int, not {type(headcount).__name__}")
    if headcount < 0:
        raise AllocationError(f"headcount is {headcount}; it cannot be negative")
    return to_fen(
        headcount
        * _amount(per_head_base, what="the per-head base")
        * _amount(coefficient, what="the coefficient")
        * _amount(assessment_factor, what="the assessment factor")
    )


# --- Exact sharing -----------------------------------------------------------------------------


def _as_integers(weights: list[Decimal]) -> list[int]:
    # Integers in the same ratios as the weights (each over the common denominator), so quotas
    # and remainders are exact integer arithmetic whatever the number of digits.
    ratios = [weight.as_integer_ratio() for weight in weights]
    common = math.lcm(*(denominator for _, denominator in ratios))
    return [numerator * (common // denominator) for numerator, denominator in ratios]


def _largest_remainder(*, total: Decimal, weights: Mapping[K, Decimal], what: str) -> dict[K, Decimal]:
    # The exact split behind scale_to_pool and share; the rule is told in share().
    keys = list(weights)
    total_fen = _fen(total, what="the total")
    values = [_amount(weights[key], what=f"the {what} of {key!r}") for key in keys]
    if total_fen == 0:
        return dict.fromkeys(keys, _from_fen(0))
    scaled = _as_integers(values)
    weight_sum = sum(scaled)
    if weight_sum == 0:
        reason = f"every {what} is 0" if keys else "there is nobody to share it among"
        raise AllocationError(f"cannot share {_from_fen(total_fen)}: {reason}")
    parts = []
    remainders = []
    for weight in scaled:
        part, remainder = divmod(total_fen * weight, weight_sum)
        parts.append(part)
        remainders.append(remainder)
    left_over = total_fen - sum(parts)
    # Sorting is stable, so equal remainders keep the order of `weights`.
    for index in sorted(range(len(keys)), key=remainders.__getitem__, reverse=True)[:left_over]:
        parts[index] += 1
    return {key: _from_fen(part) for key, part in zip(keys, parts, strict=True)}


def scale_to_pool(*, packages: Mapping[K, Decimal], pool: Decimal) -> dict[K, Decimal]:
    """The departments' performance packages scaled so that together they are exactly the
    zone's `pool` (whole fen): each gets pool × its package ÷ the sum of all packages.

    Rounded to the fen by largest remainder, exactly as share() does: each department first gets
    its exact amount rounded down to the fen, then the fen left over go one each to the largest
    remainders, ties to the department listed first in `packages`.
    """
    return _largest_remainder(total=pool, weights=packages, what="package")


def weight(*, score: Decimal, post_coefficient: Decimal) -> Decimal:
    """A person's weight in his department's share-out: individual score × post coefficient,
    exact."""
    return _amount(score, what="the score") * _amount(post_coefficient, what="the post coefficient")


def share(*, total: Decimal, weights: Mapping[K, Decimal]) -> dict[K, Decimal]:
    """A department's package `total` (whole fen) shared in proportion to `weights` (see weight()),
    to the fen, the parts adding up to `total` exactly.

    Each person first gets his exact quota rounded down to the fen; the fen left over (fewer than
    there are people) go one each to the largest remainders. Equal remainders go to the one
    listed first in `weights`, so callers pass people in a stable order (by staff number, say):
    100.00 shared three ways equally is 33.34, 33.33, 33.33 in that order.

    Weights are not negative. A total of 0 gives everyone 0.00. Any other total with no weight
    to share it by (nobody, or every weight 0) is refused with AllocationError.
    """
    return _largest_remainder(total=total, weights=weights, what="weight")


# --- Two-part splits ---------------------------------------------------------------------------


def _two_parts(*, total: Decimal, fraction: Decimal, what: str) -> tuple[Decimal, Decimal]:
    amount = _amount(total, what=what)
    if amount != to_fen(amount):
        raise AllocationError(f"{what} is {amount}; only whole fen can be split exactly")
    fraction = _amount(fraction, what="the share")
    if fraction > 1:
        raise AllocationError(f"the share is {fraction}; it lies between 0 and 1")
    first = to_fen(amount * fraction)
    return first, to_fen(amount - first)


@dataclass(frozen=True, kw_only=True)
class PerformanceSplit:
    basic: Decimal  # basic performance pay (基础绩效)
    incentive: Decimal  # incentive performance pay (奖励绩效)


def split_basic_incentive(*, total: Decimal, basic_share: Decimal = BASIC_SHARE) -> PerformanceSplit:
    """Performance pay split into basic and incentive parts (Baoding: 25 % / 75 %).

    The basic part is `total` × `basic_share` rounded half-up to the fen; the incentive part is
    the rest, so the two add up to `total` exactly.
    """
    basic, incentive = _two_parts(total=total, fraction=basic_share, what="the performance pay")
    return PerformanceSplit(basic=basic, incentive=incentive)


@dataclass(frozen=True, kw_only=True)
class AwardSplit:
    award: Decimal  # reserved for the advanced-worker award (先进工作者奖)
    rest: Decimal  # shared out as usual


def award_pool(*, bonus_pool: Decimal, share: Decimal = AWARD_SHARE) -> AwardSplit:
    """The part of the bonus pool reserved for the advanced-worker award (Linwu: 20 %).

    The award is `bonus_pool` × `share` rounded half-up to the fen; the rest is what remains,
    so the two add up to the pool exactly.
    """
    award, rest = _two_parts(total=bonus_pool, fraction=share, what="the bonus pool")
    return AwardSplit(award=award, rest=rest)


# --- Policy checks -----------------------------------------------------------------------------


class WarningCode(StrEnum):
    PERFORMANCE_SHARE_LOW = "performance_share_low"


@dataclass(frozen=True, kw_only=True)
class PolicyWarning:
    """A pay figure outside the zone's policy, with the figures that show it. A warning, not an
    error: the finance officer decides."""

    code: WarningCode
    subject: Hashable | None  # whom it concerns, as the caller named him
    figures: Mapping[str, Decimal]

    @property
    def message(self) -> str:
        """The warning in plain English with its figures; pages translate by `code` instead."""
        figures = self.figures
        return (
            f"performance pay {figures['performance_pay']} is {_percent(figures['performance_share'])} of total "
            f"income {figures['total_income']}, below the minimum of {_percent(figures['minimum_performance_share'])}"
        )


def _percent(share: Decimal) -> str:
    return f"{(share * 100).normalize():f} %"


def policy_warnings(
    *,
    basic_salary: Decimal,
    performance_pay: Decimal,
    minimum_performance_share: Decimal = MINIMUM_PERFORMANCE_SHARE,
    other_pay: Decimal = Decimal(0),
    subject: Hashable | None = None,
) -> list[PolicyWarning]:
    """The ways one person's pay departs from the pay policy; empty when it does not.

    Performance pay below `minimum_performance_share` (Linwu: 60 %) of total income, total
    income being basic salary + performance pay + `other_pay` (allowances and the like). The
    comparison is exact; the share in the figures is rounded half-up to 4 decimals for reading.
    Nothing is paid at all: no warning, there is no share to judge.
    """
    basic_salary = _amount(basic_salary, what="the basic salary")
    performance_pay = _amount(performance_pay, what="the performance pay")
    other_pay = _amount(other_pay, what="the other pay")
    minimum = _amount(minimum_performance_share, what="the minimum performance share")
    if minimum > 1:
        raise AllocationError(f"the minimum performance share is {minimum}; it lies between 0 and 1")
    total_income = basic_salary + performance_pay + other_pay
    warnings = []
    # Multiplying rather than dividing keeps the test exact.
    if total_income > 0 and performance_pay < minimum * total_income:
        warnings.append(
            PolicyWarning(
                code=WarningCode.PERFORMANCE_SHARE_LOW,
                subject=subject,
                figures={
                    "basic_salary": basic_salary,
                    "performance_pay": performance_pay,
                    "other_pay": other_pay,
                    "total_income": total_income,
                    "performance_share": round_to(performance_pay / total_income, SHARE_PLACES),
                    "minimum_performance_share": minimum,
                },
            )
        )
    return warnings
