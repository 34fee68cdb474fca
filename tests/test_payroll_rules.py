"""Pay rules (domain.md §8): income tax by cumulative withholding and on the annual bonus,
social insurance and housing fund, packages, pools and shares."""

import datetime as dt
import itertools
import random
from decimal import Decimal

import pytest

from payroll.allocation import (
    AllocationError,
    WarningCode,
    award_pool,
    performance_package,
    policy_warnings,
    scale_to_pool,
    share,
    split_basic_incentive,
    weight,
)
from payroll.contributions import (
    DEFAULT_RATES,
    HOUSING_FUND,
    MEDICAL,
    PENSION,
    UNEMPLOYMENT,
    YUAN,
    ContributionError,
    contribution_base,
    contributions,
    validate_rates,
)
from payroll.tax import (
    ANNUAL_TABLE,
    MONTHLY_TABLE,
    Bracket,
    MonthInput,
    TaxError,
    TaxTable,
    annual_bonus_tax,
    cumulative_withholding,
    monthly_tax_series,
    separate_bonus_allowed,
    withholding,
)

D = Decimal
ZERO = D(0)


def withhold(*, income, months=1, special=ZERO, additional=ZERO, exempt=ZERO, other=ZERO, withheld=ZERO, **kw):
    return cumulative_withholding(
        ytd_income=D(income),
        ytd_exempt=D(exempt),
        months_employed=months,
        ytd_special_deductions=D(special),
        ytd_special_additional_deductions=D(additional),
        ytd_other_deductions=D(other),
        ytd_tax_withheld=D(withheld),
        **kw,
    )


PUBLISHED_MONTH = MonthInput(income=D(30000), special_deductions=D(4500), special_additional_deductions=D(2000))


# --- Cumulative withholding ------------------------------------------------------------------


def test_the_published_example_withholds_555_625_and_1850_from_january_to_march():
    series = monthly_tax_series(months=[PUBLISHED_MONTH] * 3)
    assert [month.tax for month in series] == [D("555.00"), D("625.00"), D("1850.00")]
    assert [month.month for month in series] == [1, 2, 3]
    assert [month.ytd_income for month in series] == [D(30000), D(60000), D(90000)]


def test_february_of_the_published_example_from_year_to_date_figures():
    tax = withhold(income="60000", months=2, special="9000", additional="4000", withheld="555")
    assert tax == D("625.00")


def test_it_shows_the_working_a_pay_slip_needs():
    worked = withholding(
        ytd_income=D(90000),
        ytd_exempt=ZERO,
        months_employed=3,
        ytd_special_deductions=D(13500),
        ytd_special_additional_deductions=D(6000),
        ytd_other_deductions=ZERO,
        ytd_tax_withheld=D("1180.00"),
    )
    assert worked.cumulative_taxable == D(55500)
    assert (worked.rate, worked.quick_deduction) == (D("0.10"), D(2520))
    assert worked.cumulative_tax == D("3030.00")
    assert worked.tax_withheld_before == D("1180.00")
    assert worked.tax == D("1850.00")


def test_a_full_year_of_the_published_example_withholds_the_tax_on_the_annual_income():
    series = monthly_tax_series(months=[PUBLISHED_MONTH] * 12)
    # 360,000 − 60,000 − 54,000 − 24,000 = 222,000 taxable: × 20 % − 16,920.
    assert sum(month.tax for month in series) == D(222000) * D("0.20") - D(16920)
    assert series[-1].withholding.rate == D("0.20")


def test_january_starts_afresh_whatever_was_withheld_last_year():
    last_year = monthly_tax_series(months=[PUBLISHED_MONTH] * 12)
    this_year = monthly_tax_series(months=[PUBLISHED_MONTH])
    assert last_year[-1].tax > D(555)
    assert this_year[0].tax == D("555.00")


def test_a_series_longer_than_a_tax_year_is_refused():
    with pytest.raises(TaxError, match="12 months, not 13"):
        monthly_tax_series(months=[PUBLISHED_MONTH] * 13)


def test_a_month_that_would_call_for_a_refund_withholds_nothing():
    # Cumulative tax 555 on January's figures, but 600 already withheld: no refund by the employer.
    tax = withhold(income="30000", special="4500", additional="2000", withheld="600")
    assert tax == D("0.00")


def test_after_a_month_without_pay_the_next_month_counts_what_was_actually_withheld():
    unpaid = MonthInput(income=ZERO, special_deductions=D(4500), special_additional_deductions=D(2000))
    series = monthly_tax_series(months=[PUBLISHED_MONTH, unpaid, PUBLISHED_MONTH])
    # February: 7,000 taxable, 210 owed so far, 555 withheld; March: 25,500 taxable, 765 − 555.
    assert [month.tax for month in series] == [D("555.00"), D("0.00"), D("210.00")]
    assert series[1].withholding.cumulative_tax == D("210.00")


def test_income_below_the_deductions_owes_nothing():
    assert withhold(income="4000") == D("0.00")
    worked = withholding(
        ytd_income=D(4000),
        ytd_exempt=ZERO,
        months_employed=1,
        ytd_special_deductions=D(500),
        ytd_special_additional_deductions=ZERO,
        ytd_other_deductions=ZERO,
        ytd_tax_withheld=ZERO,
    )
    assert worked.cumulative_taxable == ZERO


@pytest.mark.parametrize(
    ("taxable", "rate", "tax"),
    [
        ("36000.00", "0.03", "1080.00"),
        ("36000.01", "0.10", "1080.00"),
        ("144000.00", "0.10", "11880.00"),
        ("144000.01", "0.20", "11880.00"),
    ],
)
def test_a_bound_belongs_to_the_lower_bracket_and_the_tax_runs_on_without_a_jump(taxable, rate, tax):
    assert ANNUAL_TABLE.bracket_for(D(taxable)).rate == D(rate)
    assert withhold(income=D(taxable) + 5000) == D(tax)


def test_exempt_income_and_other_deductions_reduce_the_taxable_income():
    # 40,000 − 1,000 exempt − 5,000 − 500 other = 33,500 at 3 %.
    assert withhold(income="40000", exempt="1000", other="500") == D("1005.00")


def test_the_basic_deduction_counts_each_month_employed():
    # A person who joined in June: three months of 10,000, 5,000 a month taxable at 3 %.
    series = monthly_tax_series(months=[MonthInput(income=D(10000))] * 3)
    assert [month.tax for month in series] == [D("150.00")] * 3
    assert withhold(income="30000", months=3) == D("450.00")


def test_the_cumulative_tax_is_rounded_half_up_to_the_fen():
    # 101.50 taxable × 3 % = 3.045: half-up gives 3.05 (half-even would give 3.04).
    assert withhold(income="5101.50") == D("3.05")


def test_a_policy_can_change_the_basic_deduction():
    assert withhold(income="30000", special="4500", additional="2000", basic_deduction=D(6000)) == D("525.00")


@pytest.mark.parametrize("months", [0, 13])
def test_it_refuses_months_employed_outside_a_year(months):
    with pytest.raises(TaxError, match="months_employed"):
        withhold(income="30000", months=months)


def test_it_refuses_a_negative_figure_and_names_it():
    with pytest.raises(TaxError, match="ytd_special_deductions"):
        withhold(income="30000", special="-1")


def test_it_refuses_a_float():
    with pytest.raises(TypeError, match="ytd_income must be a Decimal, not float"):
        cumulative_withholding(
            ytd_income=30000.0,
            ytd_exempt=ZERO,
            months_employed=1,
            ytd_special_deductions=ZERO,
            ytd_special_additional_deductions=ZERO,
            ytd_other_deductions=ZERO,
            ytd_tax_withheld=ZERO,
        )


# --- Tax tables --------------------------------------------------------------------------------


def _bracket_by_bracket(table: TaxTable, amount: Decimal) -> Decimal:
    tax, lower = ZERO, ZERO
    for bracket in table.brackets:
        upper = amount if bracket.up_to is None else min(amount, bracket.up_to)
        if upper > lower:
            tax += (upper - lower) * bracket.rate
        if bracket.up_to is None or amount <= bracket.up_to:
            break
        lower = bracket.up_to
    return tax


@pytest.mark.parametrize("table", [ANNUAL_TABLE, MONTHLY_TABLE], ids=["annual", "monthly"])
def test_rate_less_quick_deduction_equals_the_tax_bracket_by_bracket(table):
    rng = random.Random(8)
    amounts = [D(rng.randint(0, 150_000_000)) / 100 for _ in range(500)]
    amounts += [bracket.up_to + delta for bracket in table.brackets[:-1] for delta in (D("-0.01"), 0, D("0.01"))]
    for amount in amounts:
        assert table.tax(amount) == _bracket_by_bracket(table, amount), amount


def test_the_top_bracket_of_the_annual_table():
    assert withhold(income="1005000") == D("268080.00")  # 1,000,000 × 45 % − 181,920


def test_a_table_with_a_quick_deduction_the_rates_do_not_imply_is_refused():
    with pytest.raises(
        TaxError, match=r"bracket 2: the quick deduction is 2500, but the rates and bounds make it 2520"
    ):
        TaxTable.of([(36000, "0.03", 0), (None, "0.10", 2500)])


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([], "at least one bracket"),
        ([(36000, "0.03", 0)], "last bracket must have no upper bound"),
        ([(None, "0.03", 0), (None, "0.10", 0)], "only the last bracket"),
        ([(36000, "0.03", 0), (30000, "0.10", 2100), (None, "0.20", 5100)], "does not rise"),
        ([(36000, "0.10", 0), (None, "0.03", -2520)], "falls below"),
        ([(None, "1.5", 0)], "outside 0 to 1"),
        ([(0, "0.03", 0), (None, "0.10", 0)], "not above 0"),
    ],
)
def test_a_malformed_table_is_refused(rows, message):
    with pytest.raises(TaxError, match=message):
        TaxTable.of(rows)


def test_a_table_with_a_float_is_refused():
    with pytest.raises(TypeError, match="must be Decimals"):
        TaxTable((Bracket(up_to=None, rate=0.1, quick_deduction=ZERO),))


def test_a_policy_can_replace_the_brackets():
    flat = TaxTable((Bracket(up_to=None, rate=D("0.10"), quick_deduction=ZERO),))
    assert withhold(income="30000", special="4500", additional="2000", table=flat) == D("1850.00")


# --- Annual bonus ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bonus", "tax"),
    [
        ("0", "0.00"),
        ("24000", "720.00"),  # 2,000 a month: 3 %
        ("36000", "1080.00"),  # exactly 3,000 a month stays at 3 %
        ("36000.01", "3390.00"),  # just above: 10 % less 210, the well-known cliff
        ("120000", "11790.00"),  # 10,000 a month: 10 % less 210
        ("144000", "14190.00"),  # exactly 12,000 a month stays at 10 %
        ("144000.01", "27390.00"),  # 20 % less 1,410
        ("1200000", "524840.00"),  # 100,000 a month: 45 % less 15,160
    ],
)
def test_the_annual_bonus_divided_by_12_picks_the_monthly_rate_and_one_quick_deduction(bonus, tax):
    assert annual_bonus_tax(bonus=D(bonus)) == D(tax)


def test_the_bonus_tax_is_rounded_half_up_to_the_fen():
    assert annual_bonus_tax(bonus=D("1000.50")) == D("30.02")  # 30.015


def test_a_negative_bonus_is_refused():
    with pytest.raises(TaxError, match="bonus"):
        annual_bonus_tax(bonus=D(-1))


@pytest.mark.parametrize(
    ("day", "allowed"),
    [(dt.date(2025, 1, 20), True), (dt.date(2027, 12, 31), True), (dt.date(2028, 1, 1), False)],
)
def test_the_bonus_may_be_taxed_separately_until_the_end_of_2027(day, allowed):
    assert separate_bonus_allowed(day) is allowed


def test_a_later_notice_moves_only_the_date():
    assert separate_bonus_allowed(dt.date(2028, 6, 1), until=dt.date(2030, 12, 31))


def test_the_bonus_date_must_be_a_date_not_a_datetime():
    with pytest.raises(TypeError, match="not a datetime"):
        separate_bonus_allowed(dt.datetime(2027, 12, 31, 23, 0, tzinfo=dt.UTC))


# --- Contribution base -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wage", "base"),
    [
        ("3000", "6000.00"),  # below 60 % of 10,000: the floor
        ("6000", "6000.00"),
        ("12345.67", "12345.67"),
        ("30000", "30000.00"),
        ("45000", "30000.00"),  # above 300 %: the ceiling
    ],
)
def test_the_base_is_the_wage_clamped_to_60_and_300_percent_of_the_average_wage(wage, base):
    assert contribution_base(wage=D(wage), average_wage=D(10000)) == D(base)


def test_the_base_limits_are_rounded_half_up_to_the_fen():
    # 8,333.33 × 0.6 = 4,999.998
    assert contribution_base(wage=D(4000), average_wage=D("8333.33")) == D("5000.00")


def test_a_city_can_set_its_own_base_limits():
    assert contribution_base(wage=D(3000), average_wage=D(10000), floor=D("0.4")) == D("4000.00")
    assert contribution_base(wage=D(30000), average_wage=D(10000), ceiling=D("2.5")) == D("25000.00")


def test_a_floor_above_the_ceiling_is_refused():
    with pytest.raises(ContributionError, match="floor"):
        contribution_base(wage=D(3000), average_wage=D(10000), floor=D(3), ceiling=D("0.6"))


def test_an_average_wage_of_zero_is_refused():
    with pytest.raises(ContributionError, match="average wage is 0"):
        contribution_base(wage=D(3000), average_wage=ZERO)


# --- Contributions -----------------------------------------------------------------------------


def test_the_common_employee_rates_on_a_base_of_10000():
    assert contributions(base=D(10000)) == {
        PENSION: D("800.00"),
        MEDICAL: D("200.00"),
        UNEMPLOYMENT: D("50.00"),
        HOUSING_FUND: D("1200.00"),
    }


def test_each_item_is_rounded_half_up_to_the_fen_on_its_own():
    result = contributions(base=D("6001.00"))
    assert result[UNEMPLOYMENT] == D("30.01")  # 30.005: half-up, not half-even
    result = contributions(base=D("12345.67"))
    assert result == {
        PENSION: D("987.65"),  # 987.6536
        MEDICAL: D("246.91"),  # 246.9134
        UNEMPLOYMENT: D("61.73"),  # 61.72835
        HOUSING_FUND: D("1481.48"),  # 1481.4804
    }


def test_a_city_can_round_the_housing_fund_to_the_yuan():
    result = contributions(base=D("10287.50"), rounding_units={HOUSING_FUND: YUAN})
    assert result[HOUSING_FUND] == D("1235.00")  # 1,234.50 half-up
    assert str(result[HOUSING_FUND]) == "1235.00"
    assert result[PENSION] == D("823.00")


def test_a_rounding_unit_must_be_a_power_of_ten_for_an_item_with_a_rate():
    with pytest.raises(ContributionError, match="power of ten"):
        contributions(base=D(10000), rounding_units={HOUSING_FUND: D(5)})
    with pytest.raises(ContributionError, match="without a rate"):
        contributions(base=D(10000), rounding_units={"maternity": YUAN})


def test_the_rates_are_configurable_and_may_add_a_local_item():
    rates = {PENSION: D("0.08"), HOUSING_FUND: D("0.05"), "serious_illness": D("0.002")}
    assert contributions(base=D(10000), rates=rates) == {
        PENSION: D("800.00"),
        HOUSING_FUND: D("500.00"),
        "serious_illness": D("20.00"),
    }


@pytest.mark.parametrize(
    ("item", "rate", "message"),
    [
        (PENSION, "1.01", "a rate is a share between 0 and 1"),
        (MEDICAL, "-0.02", "cannot be negative"),
        (HOUSING_FUND, "0.04", "between 0.05 and 0.12"),
        (HOUSING_FUND, "0.13", "between 0.05 and 0.12"),
    ],
)
def test_a_rate_outside_its_range_is_refused_and_named(item, rate, message):
    rates = {**DEFAULT_RATES, item: D(rate)}
    with pytest.raises(ContributionError, match=message) as info:
        contributions(base=D(10000), rates=rates)
    assert item.replace("_", " ") in str(info.value)


def test_the_housing_fund_range_ends_are_accepted_and_the_range_can_be_lifted():
    validate_rates({HOUSING_FUND: D("0.05")})
    validate_rates({HOUSING_FUND: D("0.12")})
    validate_rates({HOUSING_FUND: D("0.03"), PENSION: D(1)}, housing_fund_range=None)


def test_a_float_rate_is_refused():
    with pytest.raises(TypeError, match="pension rate must be a Decimal"):
        contributions(base=D(10000), rates={PENSION: 0.08})


# --- Packages and pools ------------------------------------------------------------------------


def test_the_performance_package_is_headcount_times_base_coefficient_and_assessment_factor():
    package = performance_package(
        headcount=20, per_head_base=D(3000), coefficient=D("1.2"), assessment_factor=D("1.05")
    )
    assert package == D("75600.00")


def test_the_performance_package_is_rounded_half_up_to_the_fen():
    # 3 × 1,000.01 × 1.15 × 0.97 = 3,346.533…
    package = performance_package(
        headcount=3, per_head_base=D("1000.01"), coefficient=D("1.15"), assessment_factor=D("0.97")
    )
    assert package == D("3346.53")
    assert performance_package(headcount=0, per_head_base=D(3000), coefficient=D(1), assessment_factor=D(1)) == D(
        "0.00"
    )


def test_a_negative_headcount_or_factor_is_refused():
    with pytest.raises(AllocationError, match="headcount"):
        performance_package(headcount=-1, per_head_base=D(3000), coefficient=D(1), assessment_factor=D(1))
    with pytest.raises(AllocationError, match="assessment factor"):
        performance_package(headcount=5, per_head_base=D(3000), coefficient=D(1), assessment_factor=D("-0.1"))


def test_packages_are_scaled_to_the_pool_in_proportion():
    packages = {"investment": D("75600.00"), "planning": D("50400.00"), "park": D("25200.00")}
    scaled = scale_to_pool(packages=packages, pool=D("120000.00"))
    assert scaled == {"investment": D("60000.00"), "planning": D("40000.00"), "park": D("20000.00")}


def test_scaled_packages_add_up_to_the_pool_to_the_fen():
    packages = {"a": D("300.50"), "b": D(1200), "c": D("0.01"), "d": D("777.77")}
    scaled = scale_to_pool(packages=packages, pool=D("1000000.00"))
    assert sum(scaled.values()) == D("1000000.00")
    assert list(scaled) == list(packages)


def test_equal_packages_leave_the_odd_fen_to_the_department_listed_first():
    scaled = scale_to_pool(packages={"b": D(5000), "a": D(5000), "c": D(5000)}, pool=D("100.00"))
    assert scaled == {"b": D("33.34"), "a": D("33.33"), "c": D("33.33")}


def test_a_pool_with_no_packages_to_scale_by_is_refused():
    with pytest.raises(AllocationError, match="every package is 0"):
        scale_to_pool(packages={"a": ZERO, "b": ZERO}, pool=D("1000.00"))


# --- Shares ------------------------------------------------------------------------------------


def test_100_shared_three_ways_gives_the_odd_fen_to_the_first_listed():
    parts = share(total=D("100.00"), weights={"wang": D(1), "li": D(1), "zhang": D(1)})
    assert parts == {"wang": D("33.34"), "li": D("33.33"), "zhang": D("33.33")}
    parts = share(total=D("100.00"), weights={"zhang": D(1), "li": D(1), "wang": D(1)})
    assert parts == {"zhang": D("33.34"), "li": D("33.33"), "wang": D("33.33")}


def test_the_largest_remainder_gets_the_odd_fen_before_the_listing_order():
    # 1.00 by 1 : 2 is 0.333… and 0.666…: the second has the larger remainder.
    assert share(total=D("1.00"), weights={"a": D(1), "b": D(2)}) == {"a": D("0.33"), "b": D("0.67")}


def test_two_odd_fen_go_to_the_first_two_of_equal_remainders():
    parts = share(total=D("0.05"), weights=dict.fromkeys("abc", D(1)))
    assert parts == {"a": D("0.02"), "b": D("0.02"), "c": D("0.01")}


def test_the_weight_is_score_times_post_coefficient():
    assert weight(score=D("87.5"), post_coefficient=D("1.2")) == D("105.00")
    weights = {
        "head": weight(score=D(90), post_coefficient=D("1.5")),
        "officer": weight(score=D(90), post_coefficient=D(1)),
    }
    assert share(total=D("25000.00"), weights=weights) == {"head": D("15000.00"), "officer": D("10000.00")}


def test_a_person_with_zero_weight_gets_nothing():
    assert share(total=D("100.00"), weights={"a": D(3), "b": ZERO}) == {"a": D("100.00"), "b": D("0.00")}


def test_a_zero_total_gives_everyone_zero_even_without_weights():
    assert share(total=D("0.00"), weights={"a": ZERO, "b": D(2)}) == {"a": D("0.00"), "b": D("0.00")}
    assert share(total=ZERO, weights={}) == {}


def test_sharing_by_zero_total_weight_is_refused_with_a_clear_message():
    with pytest.raises(AllocationError, match=r"cannot share 500.00: every weight is 0"):
        share(total=D("500.00"), weights={"a": ZERO, "b": ZERO})
    with pytest.raises(AllocationError, match="nobody to share it"):
        share(total=D("500.00"), weights={})


def test_a_total_with_a_part_of_a_fen_or_a_negative_weight_is_refused():
    with pytest.raises(AllocationError, match="whole fen"):
        share(total=D("100.005"), weights={"a": D(1)})
    with pytest.raises(AllocationError, match="weight of 'b'"):
        share(total=D("100.00"), weights={"a": D(1), "b": D(-1)})
    with pytest.raises(AllocationError, match="cannot be negative"):
        share(total=D("-100.00"), weights={"a": D(1)})


def test_weights_with_many_digits_are_shared_exactly():
    weights = {"a": D("1E-30"), "b": D("1"), "c": D("123456789012345678901234567890.123")}
    parts = share(total=D("1000000000.00"), weights=weights)
    assert sum(parts.values()) == D("1000000000.00")
    assert parts["a"] == D("0.00")


def _random_weights(rng: random.Random, size: int) -> dict[str, Decimal]:
    weights = {}
    for number in range(size):
        if rng.random() < 0.1:
            weights[f"p{number}"] = ZERO
        else:
            score = D(rng.randint(0, 10000)) / 100  # 0.00 to 100.00
            coefficient = D(rng.randint(50, 200)) / 100  # 0.50 to 2.00
            weights[f"p{number}"] = score * coefficient
    weights["p0"] = D(rng.randint(1, 1000))  # at least one weight above zero
    return weights


def test_every_random_share_adds_up_to_the_total_and_each_part_is_its_quota_within_a_fen():
    rng = random.Random(2026)
    for _ in range(400):
        total = D(rng.choice([1, 2, 3, 7, 100, rng.randint(0, 10_000_000)])) / 100
        weights = _random_weights(rng, rng.randint(1, 40))
        parts = share(total=total, weights=weights)
        assert sum(parts.values()) == total
        assert list(parts) == list(weights)
        weight_sum = sum(weights.values())
        for person, part in parts.items():
            quota = total * weights[person] / weight_sum
            assert part.as_tuple().exponent == -2
            assert part >= 0
            assert abs(part - quota) < D("0.01"), (person, part, quota)
        # A larger weight never gets less.
        ordered = sorted(parts, key=weights.__getitem__)
        for smaller, larger in itertools.pairwise(ordered):
            if weights[smaller] < weights[larger]:
                assert parts[smaller] <= parts[larger]


def test_every_random_pool_adds_up_to_the_pool():
    rng = random.Random(7)
    for _ in range(200):
        packages = {f"d{n}": D(rng.randint(0, 50_000_000)) / 100 for n in range(rng.randint(1, 30))}
        packages["d0"] += D("0.01")
        pool = D(rng.randint(0, 1_000_000_000)) / 100
        assert sum(scale_to_pool(packages=packages, pool=pool).values()) == pool


# --- Two-part splits ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "basic", "incentive"),
    [
        ("10000.00", "2500.00", "7500.00"),
        ("100.01", "25.00", "75.01"),  # 25.0025
        ("0.02", "0.01", "0.01"),  # 0.005 half-up
        ("0.00", "0.00", "0.00"),
    ],
)
def test_performance_pay_splits_25_basic_and_75_incentive_exactly(total, basic, incentive):
    split = split_basic_incentive(total=D(total))
    assert (split.basic, split.incentive) == (D(basic), D(incentive))
    assert split.basic + split.incentive == D(total)


def test_the_basic_share_is_configurable():
    split = split_basic_incentive(total=D("1000.00"), basic_share=D("0.70"))
    assert (split.basic, split.incentive) == (D("700.00"), D("300.00"))


def test_a_fifth_of_the_bonus_pool_goes_to_the_advanced_worker_award():
    split = award_pool(bonus_pool=D("12345.67"))
    assert (split.award, split.rest) == (D("2469.13"), D("9876.54"))  # 2,469.134
    assert split.award + split.rest == D("12345.67")
    assert award_pool(bonus_pool=D("0.03")).award == D("0.01")  # 0.006


def test_a_split_of_more_than_the_whole_or_of_a_part_of_a_fen_is_refused():
    with pytest.raises(AllocationError, match="between 0 and 1"):
        award_pool(bonus_pool=D(1000), share=D("1.2"))
    with pytest.raises(AllocationError, match="whole fen"):
        split_basic_incentive(total=D("1000.001"))


def test_every_random_split_adds_up_to_the_whole():
    rng = random.Random(3)
    for _ in range(300):
        total = D(rng.randint(0, 100_000_000)) / 100
        fraction = D(rng.randint(0, 1000)) / 1000
        split = split_basic_incentive(total=total, basic_share=fraction)
        award = award_pool(bonus_pool=total, share=fraction)
        assert split.basic + split.incentive == total == award.award + award.rest
        assert split.incentive >= 0 and award.rest >= 0


# --- Policy warnings ---------------------------------------------------------------------------


def test_performance_pay_below_60_percent_of_total_income_is_warned_with_the_figures():
    [warning] = policy_warnings(basic_salary=D(5000), performance_pay=D(7000), subject=42)
    assert warning.code == WarningCode.PERFORMANCE_SHARE_LOW
    assert warning.subject == 42
    assert warning.figures == {
        "basic_salary": D(5000),
        "performance_pay": D(7000),
        "other_pay": ZERO,
        "total_income": D(12000),
        "performance_share": D("0.5833"),
        "minimum_performance_share": D("0.60"),
    }
    assert warning.message == "performance pay 7000 is 58.33 % of total income 12000, below the minimum of 60 %"


def test_performance_pay_of_exactly_60_percent_is_not_warned():
    assert policy_warnings(basic_salary=D(4000), performance_pay=D(6000)) == []
    assert policy_warnings(basic_salary=D("4000.01"), performance_pay=D(6000)) != []


def test_other_pay_counts_in_total_income():
    assert policy_warnings(basic_salary=D(4000), performance_pay=D(6000), other_pay=D(500)) != []


def test_the_minimum_share_is_configurable():
    assert policy_warnings(basic_salary=D(5000), performance_pay=D(7000), minimum_performance_share=D("0.5")) == []


def test_nothing_paid_is_not_warned():
    assert policy_warnings(basic_salary=ZERO, performance_pay=ZERO) == []


# --- A month put together ----------------------------------------------------------------------


def test_a_pool_shared_down_to_people_and_split_adds_up_at_every_level():
    packages = {
        dept: performance_package(
            headcount=headcount, per_head_base=D(3000), coefficient=coefficient, assessment_factor=factor
        )
        for dept, headcount, coefficient, factor in [
            ("investment", 7, D("1.3"), D("1.05")),
            ("planning", 5, D("1.0"), D("0.98")),
            ("park", 3, D("0.8"), D("1.00")),
        ]
    }
    pool = award_pool(bonus_pool=D("50000.00"))
    scaled = scale_to_pool(packages=packages, pool=pool.rest)
    assert sum(scaled.values()) == pool.rest
    for dept, package in scaled.items():
        people = {f"{dept}-{n}": weight(score=D(80 + n), post_coefficient=D("1.1")) for n in range(7)}
        parts = share(total=package, weights=people)
        assert sum(parts.values()) == package
        for part in parts.values():
            split = split_basic_incentive(total=part)
            assert split.basic + split.incentive == part
