"""Individual income tax on wages (个人所得税, domain.md §8).

Wages are withheld month by month by the cumulative withholding method (累计预扣法): each month
the employer works out the tax on the income of the year so far and withholds what has not been
withheld yet. A one-off annual bonus may instead be taxed on its own (全年一次性奖金单独计税)
until 2027-12-31.

Pure functions over Decimals and plain values. The brackets are data (TaxTable), so a policy
can replace them when the law changes; the published tables are ANNUAL_TABLE and MONTHLY_TABLE.
Tax is rounded half-up to the fen at one point per function, named in each docstring.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from zonehr.money import to_fen

MONTHS_PER_YEAR = 12
BASIC_DEDUCTION = Decimal(5000)  # per month employed (基本减除费用)
SEPARATE_BONUS_UNTIL = dt.date(2027, 12, 31)


class TaxError(ValueError):
    """Input a tax rule cannot work with; the message says which figure and why."""


def _amount(value: object, *, what: str) -> Decimal:
    # A float would bring binary noise into the tax, so only Decimal and int are accepted.
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{what} must be a Decimal, not {type(value).__name__}")
    number = Decimal(value)
    if not number.is_finite():
        raise TaxError(f"{what} is {number}, not a number")
    if number < 0:
        raise TaxError(f"{what} is {number}; it cannot be negative")
    return number


# --- Tables ----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Bracket:
    """One line of a rate table: income up to and including `up_to` (None: no upper bound) is
    taxed at `rate` less `quick_deduction`."""

    up_to: Decimal | None
    rate: Decimal
    quick_deduction: Decimal


@dataclass(frozen=True)
class TaxTable:
    """A progressive rate table with quick deductions (速算扣除数).

    Brackets are listed from the lowest; each upper bound belongs to its own bracket (不超过), the
    last bracket has no bound. The quick deductions must be those the rates imply: the first is
    0 and each next one is the previous plus the previous bound × the rise in rate. That is what
    makes rate × income − quick deduction equal the bracket-by-bracket tax, so a table with a
    mistyped figure is refused rather than used.
    """

    brackets: tuple[Bracket, ...]

    def __post_init__(self) -> None:
        if not self.brackets:
            raise TaxError("a tax table needs at least one bracket")
        *bounded, top = self.brackets
        if top.up_to is not None:
            raise TaxError(f"the last bracket must have no upper bound, not {top.up_to}")
        if any(bracket.up_to is None for bracket in bounded):
            raise TaxError("only the last bracket may have no upper bound")
        expected = Decimal(0)
        previous: Bracket | None = None
        for number, bracket in enumerate(self.brackets, start=1):
            figures = (bracket.rate, bracket.quick_deduction) + (() if bracket.up_to is None else (bracket.up_to,))
            if not all(isinstance(figure, Decimal) for figure in figures):
                raise TypeError(f"bracket {number}: the bound, rate and quick deduction must be Decimals")
            if bracket.up_to is not None and bracket.up_to <= 0:
                raise TaxError(f"bracket {number}: the bound {bracket.up_to} is not above 0")
            if not Decimal(0) <= bracket.rate <= Decimal(1):
                raise TaxError(f"bracket {number}: the rate {bracket.rate} is outside 0 to 1")
            if previous is not None and previous.up_to is not None:
                if bracket.up_to is not None and bracket.up_to <= previous.up_to:
                    raise TaxError(f"bracket {number}: the bound {bracket.up_to} does not rise above {previous.up_to}")
                if bracket.rate < previous.rate:
                    raise TaxError(f"bracket {number}: the rate {bracket.rate} falls below {previous.rate}")
                expected += previous.up_to * (bracket.rate - previous.rate)
            if bracket.quick_deduction != expected:
                raise TaxError(
                    f"bracket {number}: the quick deduction is {bracket.quick_deduction}, "
                    f"but the rates and bounds make it {expected}"
                )
            previous = bracket

    @classmethod
    def of(cls, rows: Sequence[tuple[int | str | None, str, int | str]]) -> "TaxTable":
        """A table from (upper bound, rate, quick deduction) rows as published, e.g.
        (36000, "0.03", 0); figures given as int or str so no float can slip in."""
        return cls(
            tuple(
                Bracket(
                    up_to=None if up_to is None else Decimal(up_to),
                    rate=Decimal(rate),
                    quick_deduction=Decimal(quick),
                )
                for up_to, rate, quick in rows
            )
        )

    def bracket_for(self, amount: Decimal) -> Bracket:
        """The bracket `amount` falls in; an amount equal to a bound is in the lower bracket."""
        for bracket in self.brackets:
            if bracket.up_to is None or amount <= bracket.up_to:
                return bracket
        raise AssertionError("unreachable: the last bracket has no bound")

    def tax(self, amount: Decimal) -> Decimal:
        """amount × rate − quick deduction, exact (not rounded); nothing on an amount ≤ 0."""
        if amount <= 0:
            return Decimal(0)
        bracket = self.bracket_for(amount)
        return amount * bracket.rate - bracket.quick_deduction


# 预扣率表一 (居民个人工资、薪金所得预扣预缴适用), applied to cumulative taxable income.
ANNUAL_TABLE = TaxTable.of(
    [
        (36000, "0.03", 0),
        (144000, "0.10", 2520),
        (300000, "0.20", 16920),
        (420000, "0.25", 31920),
        (660000, "0.30", 52920),
        (960000, "0.35", 85920),
        (None, "0.45", 181920),
    ]
)

# 按月换算后的综合所得税率表, used for the separately taxed annual bonus.
MONTHLY_TABLE = TaxTable.of(
    [
        (3000, "0.03", 0),
        (12000, "0.10", 210),
        (25000, "0.20", 1410),
        (35000, "0.25", 2660),
        (55000, "0.30", 4410),
        (80000, "0.35", 7160),
        (None, "0.45", 15160),
    ]
)


# --- Cumulative withholding (累计预扣法) ------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Withholding:
    """One month's withholding worked out, with the figures a pay slip shows."""

    cumulative_taxable: Decimal  # never below 0
    rate: Decimal
    quick_deduction: Decimal
    cumulative_tax: Decimal  # on the year so far, to the fen
    tax_withheld_before: Decimal
    tax: Decimal  # to withhold this month, to the fen, never below 0


def withholding(
    *,
    ytd_income: Decimal,
    ytd_exempt: Decimal,
    months_employed: int,
    ytd_special_deductions: Decimal,
    ytd_special_additional_deductions: Decimal,
    ytd_other_deductions: Decimal,
    ytd_tax_withheld: Decimal,
    table: TaxTable = ANNUAL_TABLE,
    basic_deduction: Decimal = BASIC_DEDUCTION,
) -> Withholding:
    """cumulative_withholding() with its working shown; see there for the rule."""
    if isinstance(months_employed, bool) or not isinstance(months_employed, int):
        raise TypeError(f"months_employed must be an int, not {type(months_employed).__name__}")
    if not 1 <= months_employed <= MONTHS_PER_YEAR:
        raise TaxError(f"months_employed is {months_employed}; a tax year has 1 to {MONTHS_PER_YEAR}")
    income = _amount(ytd_income, what="ytd_income")
    deductions = (
        _amount(ytd_exempt, what="ytd_exempt")
        + _amount(basic_deduction, what="basic_deduction") * months_employed
        + _amount(ytd_special_deductions, what="ytd_special_deductions")
        + _amount(ytd_special_additional_deductions, what="ytd_special_additional_deductions")
        + _amount(ytd_other_deductions, what="ytd_other_deductions")
    )
    withheld = _amount(ytd_tax_withheld, what="ytd_tax_withheld")
    taxable = max(income - deductions, Decimal(0))
    bracket = table.bracket_for(taxable)
    cumulative_tax = to_fen(table.tax(taxable))
    return Withholding(
        cumulative_taxable=taxable,
        rate=bracket.rate,
        quick_deduction=bracket.quick_deduction,
        cumulative_tax=cumulative_tax,
        tax_withheld_before=withheld,
        # Withholding never refunds: tax withheld in excess is settled in the annual reconciliation.
        tax=to_fen(max(cumulative_tax - withheld, Decimal(0))),
    )


def cumulative_withholding(
    *,
    ytd_income: Decimal,
    ytd_exempt: Decimal,
    months_employed: int,
    ytd_special_deductions: Decimal,
    ytd_special_additional_deductions: Decimal,
    ytd_other_deductions: Decimal,
    ytd_tax_withheld: Decimal,
    table: TaxTable = ANNUAL_TABLE,
    basic_deduction: Decimal = BASIC_DEDUCTION,
) -> Decimal:
    """The income tax to withhold from this month's wage.

    Cumulative taxable income = year-to-date income − exempt income − `basic_deduction` (5,000)
    × months employed − special deductions (the employee's social insurance and housing fund)
    − special additional deductions (children, elderly parents, housing loan …) − other
    deductions, never below 0. This month's tax = cumulative taxable × rate − quick deduction,
    from `table`, less the tax already withheld this year; never below 0, as withholding does
    not refund.

    Every `ytd_` figure runs from January of the current tax year (or from the first month with
    this employer, when the person joined during the year) to this month inclusive, and
    `months_employed` counts the same months. January therefore starts afresh: the caller passes
    January's figures alone and nothing withheld; no figure carries over from the previous year.

    Rounding: the cumulative tax is rounded half-up to the fen, once; the tax already withheld
    is whole fen, so what is left to withhold is whole fen too.
    """
    return withholding(
        ytd_income=ytd_income,
        ytd_exempt=ytd_exempt,
        months_employed=months_employed,
        ytd_special_deductions=ytd_special_deductions,
        ytd_special_additional_deductions=ytd_special_additional_deductions,
        ytd_other_deductions=ytd_other_deductions,
        ytd_tax_withheld=ytd_tax_withheld,
        table=table,
        basic_deduction=basic_deduction,
    ).tax


@dataclass(frozen=True, kw_only=True)
class MonthInput:
    """One month's own figures (not year-to-date) for monthly_tax_series."""

    income: Decimal
    exempt: Decimal = Decimal(0)
    special_deductions: Decimal = Decimal(0)  # the employee's social insurance and housing fund
    special_additional_deductions: Decimal = Decimal(0)
    other_deductions: Decimal = Decimal(0)


@dataclass(frozen=True, kw_only=True)
class MonthTax:
    """One month of a series: its month number in the employment, its income, the year-to-date
    income and the withholding worked out on it."""

    month: int  # 1 for the first month of the series
    income: Decimal
    ytd_income: Decimal
    withholding: Withholding

    @property
    def tax(self) -> Decimal:
        return self.withholding.tax


def monthly_tax_series(
    *,
    months: Sequence[MonthInput],
    table: TaxTable = ANNUAL_TABLE,
    basic_deduction: Decimal = BASIC_DEDUCTION,
) -> list[MonthTax]:
    """The tax withheld month by month over one tax year, by cumulative_withholding.

    `months` are the consecutive months worked for this employer in one tax year, in order,
    starting with the first: January for someone employed all year, the month he joined
    otherwise. At most 12. Each month's withholding counts what the earlier months of the
    series actually withheld (not what they would have owed), just as a payroll run does.
    """
    if len(months) > MONTHS_PER_YEAR:
        raise TaxError(f"a tax year has {MONTHS_PER_YEAR} months, not {len(months)}; start a new series in January")
    ytd_income = ytd_exempt = ytd_special = ytd_additional = ytd_other = withheld = Decimal(0)
    series = []
    for number, month in enumerate(months, start=1):
        ytd_income += _amount(month.income, what=f"the income of month {number}")
        ytd_exempt += _amount(month.exempt, what=f"the exempt income of month {number}")
        ytd_special += _amount(month.special_deductions, what=f"the special deductions of month {number}")
        ytd_additional += _amount(
            month.special_additional_deductions, what=f"the special additional deductions of month {number}"
        )
        ytd_other += _amount(month.other_deductions, what=f"the other deductions of month {number}")
        worked = withholding(
            ytd_income=ytd_income,
            ytd_exempt=ytd_exempt,
            months_employed=number,
            ytd_special_deductions=ytd_special,
            ytd_special_additional_deductions=ytd_additional,
            ytd_other_deductions=ytd_other,
            ytd_tax_withheld=withheld,
            table=table,
            basic_deduction=basic_deduction,
        )
        withheld += worked.tax
        series.append(MonthTax(month=number, income=month.income, ytd_income=ytd_income, withholding=worked))
    return series


# --- One-off annual bonus (全年一次性奖金) -----------------------------------------------------


def annual_bonus_tax(*, bonus: Decimal, table: TaxTable = MONTHLY_TABLE) -> Decimal:
    """The tax on a one-off annual bonus taxed on its own, apart from the wages.

    The bonus ÷ 12 picks the bracket of the monthly `table`; the tax is the whole bonus × that
    rate − that bracket's quick deduction, taken once (not twelve times). This is the law as
    written, cliffs included: a bonus of 36,000.00 pays 1,080.00 and one of 36,000.01 pays
    3,390.00. Rounded half-up to the fen, once, at the end.

    Whether the bonus may be taxed this way at all is separate_bonus_allowed(); otherwise it
    is added to the month's wage income.
    """
    amount = _amount(bonus, what="bonus")
    bracket = table.bracket_for(amount / MONTHS_PER_YEAR)
    return to_fen(max(amount * bracket.rate - bracket.quick_deduction, Decimal(0)))


def separate_bonus_allowed(on: dt.date, *, until: dt.date = SEPARATE_BONUS_UNTIL) -> bool:
    """Whether an annual bonus paid on `on` may be taxed on its own: up to and including `until`
    (2027-12-31 under the current notice; a later notice extending it changes only the date)."""
    if isinstance(on, dt.datetime):
        # A datetime's date depends on its time zone; the caller must say which day he means.
        raise TypeError("pass a date, not a datetime")
    return on <= until
