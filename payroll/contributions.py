"""The employee's social insurance and housing fund (五险一金, domain.md §8).

Each item is the contribution base × the item's rate. The base is the person's wage clamped to
a floor and a ceiling set as shares of the local average wage (60 % and 300 % by default).
Rates and limits differ from city to city, so they are arguments; the defaults are the common
employee rates. Pure functions over Decimals; rounding is named in each docstring.
"""

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

from zonehr.money import to_fen

YUAN = Decimal(1)

PENSION = "pension"
MEDICAL = "medical"
UNEMPLOYMENT = "unemployment"
HOUSING_FUND = "housing_fund"

DEFAULT_RATES: Mapping[str, Decimal] = {
    PENSION: Decimal("0.08"),
    MEDICAL: Decimal("0.02"),
    UNEMPLOYMENT: Decimal("0.005"),
    # The national range is 5 % to 12 %; public bodies commonly pay the top of it.
    HOUSING_FUND: Decimal("0.12"),
}
HOUSING_FUND_RANGE = (Decimal("0.05"), Decimal("0.12"))
BASE_FLOOR = Decimal("0.6")  # of the local average wage
BASE_CEILING = Decimal(3)


class ContributionError(ValueError):
    """A base, rate or limit a contribution rule cannot work with; the message says which."""


def _amount(value: object, *, what: str) -> Decimal:
    # A float would bring binary noise into the contribution, so only Decimal and int are accepted.
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{what} must be a Decimal, not {type(value).__name__}")
    number = Decimal(value)
    if not number.is_finite():
        raise ContributionError(f"{what} is {number}, not a number")
    if number < 0:
        raise ContributionError(f"{what} is {number}; it cannot be negative")
    return number


def contribution_base(
    *,
    wage: Decimal,
    average_wage: Decimal,
    floor: Decimal = BASE_FLOOR,
    ceiling: Decimal = BASE_CEILING,
) -> Decimal:
    """The contribution base: `wage` (the declared wage, usually last year's monthly average)
    clamped between `floor` × and `ceiling` × the local monthly `average_wage`.

    The two limits are rounded half-up to the fen before clamping, as the published limits are
    amounts in yuan and fen; the base is therefore always whole fen.
    """
    wage = _amount(wage, what="the wage")
    average_wage = _amount(average_wage, what="the average wage")
    floor = _amount(floor, what="the base floor")
    ceiling = _amount(ceiling, what="the base ceiling")
    if average_wage == 0:
        raise ContributionError("the average wage is 0; the base limits are shares of it")
    if floor > ceiling:
        raise ContributionError(f"the base floor ({floor}) is above the ceiling ({ceiling})")
    low, high = to_fen(average_wage * floor), to_fen(average_wage * ceiling)
    return to_fen(min(max(wage, low), high))


def validate_rates(
    rates: Mapping[str, Decimal], *, housing_fund_range: tuple[Decimal, Decimal] | None = HOUSING_FUND_RANGE
) -> None:
    """Every rate is a share between 0 and 1 (0 % to 100 %) inclusive; the housing fund's, when
    present, also lies within `housing_fund_range` (None: no narrower range)."""
    for item, rate in rates.items():
        number = _amount(rate, what=f"the {item} rate")
        if number > 1:
            raise ContributionError(f"the {item} rate is {number}; a rate is a share between 0 and 1")
    if housing_fund_range is not None and HOUSING_FUND in rates:
        low, high = housing_fund_range
        if not low <= rates[HOUSING_FUND] <= high:
            raise ContributionError(
                f"the housing fund rate is {rates[HOUSING_FUND]}; it must lie between {low} and {high}"
            )


def contributions(
    *,
    base: Decimal,
    rates: Mapping[str, Decimal] = DEFAULT_RATES,
    rounding_units: Mapping[str, Decimal] | None = None,
    housing_fund_range: tuple[Decimal, Decimal] | None = HOUSING_FUND_RANGE,
) -> dict[str, Decimal]:
    """Each item's employee contribution: `base` × its rate, keyed and ordered like `rates`.

    Each item is rounded half-up on its own, to the fen by default; `rounding_units` sets
    another unit (a power of ten) for some items, e.g. {HOUSING_FUND: YUAN} where the city rounds
    the housing fund to the yuan; the amount is still written with two decimals. Items are
    rounded before they are added up, as each is paid to a different fund.

    When the housing fund has its own base (its floor is often the minimum wage, not a share of
    the average wage), call this once per base with the rates that apply to it.
    """
    base = _amount(base, what="the base")
    validate_rates(rates, housing_fund_range=housing_fund_range)
    units = dict(rounding_units or {})
    unknown = [item for item in units if item not in rates]
    if unknown:
        raise ContributionError(f"rounding units for items without a rate: {unknown!r}")
    for item, given in units.items():
        unit = _amount(given, what=f"the {item} rounding unit")
        # quantize() rounds to the unit's decimal place, so only powers of ten make sense as units.
        if unit == 0 or unit.normalize() != Decimal(1).scaleb(unit.adjusted()):
            raise ContributionError(f"the {item} rounding unit is {unit}; use a power of ten such as 0.01 or 1")
    result = {}
    for item, rate in rates.items():
        amount = base * rate
        if item in units:
            # Back to two places afterwards so every item reads like money, whole yuan as 96.00.
            amount = amount.quantize(units[item], rounding=ROUND_HALF_UP)
        result[item] = to_fen(amount)
    return result
