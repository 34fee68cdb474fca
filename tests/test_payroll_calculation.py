"""Individual pay worked out by a calculation, checked by hand to the fen (domain.md §8)."""

import datetime as dt
from decimal import Decimal

import pytest

from payroll import services
from payroll.models import PayInput, PayLine, PayrollJob, SalaryPackage
from payroll.selectors import period_lines, period_totals
from tests.factories import ArchivalEventFactory, PersonFactory
from tests.payroll_fixtures import (
    add_input,
    approve_packages,
    build_pay_zone,
    build_period,
    build_person_on_post,
    build_policy,
    give_profile,
)

pytestmark = pytest.mark.django_db

D = Decimal


def calculate(period, actor) -> dict[int, PayLine]:
    job = services.start_calculation(period=period, actor=actor)
    assert job.status == PayrollJob.Status.SUCCEEDED, job.error
    period.refresh_from_db()
    return {line.person_id: line for line in period_lines(period)}


def set_package(period, department, amount: Decimal) -> None:
    SalaryPackage.objects.filter(period=period, department=department).update(performance_package=amount)


def test_the_package_is_shared_by_score_times_post_coefficient_to_the_fen():
    # Weights 90 × 1.20 = 108, 80 × 1.00 = 80, 70 × 1.20 = 84 (sum 272) share 10,000.00:
    # 3,970.588…, 2,941.176…, 3,088.235…; the two fen left go to the largest remainders.
    zone = build_pay_zone(departments=1, staff_per_department=3, waiting=0, scores=[D(90), D(80), D(70)], grades=(1,))
    department = zone.departments[0]
    set_package(zone.period, department, D("10000.00"))

    lines = calculate(zone.period, zone.finance)

    first, second, third = (lines[person.pk] for person in zone.people)
    performance = [
        line.basic_performance + line.major_work + line.investment_promotion + line.project_construction
        for line in (first, second, third)
    ]
    assert performance == [D("3970.59"), D("2941.18"), D("3088.23")]
    assert sum(performance) == D("10000.00")
    assert (first.score, first.post_coefficient) == (D(90), D("1.20"))
    assert (second.score, second.post_coefficient) == (D(80), D("1.00"))


def test_performance_pay_splits_25_75_and_the_incentive_into_its_three_sub_items():
    zone = build_pay_zone(departments=1, staff_per_department=3, waiting=0, scores=[D(90), D(80), D(70)], grades=(1,))
    set_package(zone.period, zone.departments[0], D("10000.00"))

    first = calculate(zone.period, zone.finance)[zone.people[0].pk]

    # 3,970.59 × 25 % = 992.6475 → 992.65; incentive 2,977.94 shared 40 / 30 / 30 with the
    # one fen left to major work: 1,191.176 → 1,191.18; 893.382 → 893.38 twice.
    assert first.basic_performance == D("992.65")
    assert (first.major_work, first.investment_promotion, first.project_construction) == (
        D("1191.18"),
        D("893.38"),
        D("893.38"),
    )


def test_a_policy_split_and_sub_item_shares_are_used_as_configured():
    policy = build_policy(
        basic_performance_share=D("0.70"),
        major_work_share=D("0.50"),
        investment_promotion_share=D("0.50"),
        project_construction_share=D("0.00"),
    )
    zone = build_pay_zone(departments=1, staff_per_department=1, waiting=0, policy=policy)
    set_package(zone.period, zone.departments[0], D("1000.00"))

    line = calculate(zone.period, zone.finance)[zone.people[0].pk]

    assert (line.basic_performance, line.major_work, line.investment_promotion, line.project_construction) == (
        D("700.00"),
        D("150.00"),
        D("150.00"),
        D("0.00"),
    )


def test_a_waiting_person_gets_his_basic_salary_only_in_the_department_he_left():
    zone = build_pay_zone(departments=1, staff_per_department=2, waiting=1, grades=(2,))

    lines = calculate(zone.period, zone.finance)

    waiting = lines[zone.waiting[0].pk]
    assert waiting.waiting is True
    assert waiting.department_id == zone.departments[0].pk
    assert waiting.post_id is None
    assert waiting.score is None
    assert waiting.basic_salary == D("3500.00")  # grade 1 of his last appointment
    assert (waiting.basic_performance, waiting.major_work, waiting.advanced_worker_award) == (D(0), D(0), D(0))
    assert waiting.gross_pay == D("3500.00")
    # The package is shared among the two on post alone.
    package = zone.packages[zone.departments[0].pk].performance_package
    on_post = [lines[person.pk] for person in zone.people]
    assert sum(line.gross_pay - line.basic_salary for line in on_post) == package


def test_the_award_pool_is_shared_equally_among_the_named_workers_to_the_fen():
    # Pool 3 × 5,000.05 = 15,000.15; the award is 20 % = 3,000.03, shared by the two named.
    policy = build_policy(per_head_base=D("5000.05"))
    zone = build_pay_zone(departments=1, staff_per_department=3, waiting=0, advanced_workers=2, policy=policy)
    assert zone.period.award_pool == D("3000.03")

    lines = calculate(zone.period, zone.finance)

    awards = [lines[person.pk].advanced_worker_award for person in zone.people]
    assert awards == [D("1500.02"), D("1500.01"), D("0.00")]
    assert all(lines[p.pk].gross_pay >= lines[p.pk].advanced_worker_award for p in zone.people)
    # The departments share what the award leaves of the pool.
    assert sum(line.gross_pay - line.basic_salary - line.advanced_worker_award for line in lines.values()) == D(
        "12000.12"
    )


def test_inputs_are_summed_per_kind_and_enter_gross_or_net_pay():
    zone = build_pay_zone(departments=1, staff_per_department=1, waiting=0, grades=(1,))
    person = zone.people[0]
    set_package(zone.period, zone.departments[0], D("6000.00"))
    for kind, amount in [
        (PayInput.Kind.ALLOWANCE, D("300.00")),
        (PayInput.Kind.ALLOWANCE, D("200.50")),
        (PayInput.Kind.OVER_TARGET_BONUS, D("1000.00")),
        (PayInput.Kind.BACK_PAY, D("250.00")),
        (PayInput.Kind.DEDUCTION, D("100.00")),
        (PayInput.Kind.DEDUCTION, D("20.00")),
    ]:
        add_input(zone.period, person, kind, amount)

    line = calculate(zone.period, zone.finance)[person.pk]

    assert (line.allowances, line.over_target_bonus, line.back_pay, line.other_deductions) == (
        D("500.50"),
        D("1000.00"),
        D("250.00"),
        D("120.00"),
    )
    assert line.gross_pay == D("3500.00") + D("6000.00") + D("500.50") + D("1000.00") + D("250.00")
    contributions = line.pension + line.medical + line.unemployment + line.housing_fund
    assert line.net_pay == line.gross_pay - contributions - line.income_tax - D("120.00")


def test_contributions_use_the_declared_wage_or_gross_pay_clamped_to_the_limits():
    # Limits: 60 % and 300 % of the average wage 8,000 = 4,800 and 24,000.
    zone = build_pay_zone(departments=1, staff_per_department=2, waiting=1, grades=(1,))
    high, declared = zone.people
    high.pay_profile.contribution_wage = D("50000.00")
    high.pay_profile.save()
    declared.pay_profile.contribution_wage = D("10000.00")
    declared.pay_profile.save()

    lines = calculate(zone.period, zone.finance)

    top = lines[high.pk]
    assert top.contribution_base == D("24000.00")
    assert (top.pension, top.medical, top.unemployment, top.housing_fund) == (
        D("1920.00"),
        D("480.00"),
        D("120.00"),
        D("2880.00"),
    )
    assert lines[declared.pk].contribution_base == D("10000.00")
    # No declared wage: the gross pay of 3,500 is below the floor.
    floor = lines[zone.waiting[0].pk]
    assert floor.contribution_base == D("4800.00")
    assert (floor.pension, floor.medical, floor.unemployment, floor.housing_fund) == (
        D("384.00"),
        D("96.00"),
        D("24.00"),
        D("576.00"),
    )


def published_example(**policy_values):
    """One person paid 30,000 a month, contributions 4,500 (base 20,000 × 22.5 %), special
    additional deductions 2,000: the published withholding example."""
    policy = build_policy(**policy_values) if policy_values else None
    zone = build_pay_zone(departments=1, staff_per_department=1, waiting=0, grades=(1,), policy=policy)
    person = zone.people[0]
    person.pay_profile.contribution_wage = D("20000.00")
    person.pay_profile.special_additional_deduction = D("2000.00")
    person.pay_profile.save()
    set_package(zone.period, zone.departments[0], D("26500.00"))  # 3,500 basic + 26,500 = 30,000
    return zone, person


def next_month(zone, month: int, *, year: int = 2025):
    period = build_period(year=year, month=month, cycle=zone.cycle)
    approve_packages(period, by=zone.leader)
    set_package(period, zone.departments[0], D("26500.00"))
    return period


def close(period, actor) -> None:
    job = services.start_close(period=period, actor=actor)
    assert job.status == PayrollJob.Status.SUCCEEDED, job.error


def test_cumulative_withholding_reproduces_the_published_example_through_three_closed_months():
    zone, person = published_example()
    taxes = []
    period = zone.period
    for month in (1, 2, 3):
        if month > 1:
            period = next_month(zone, month)
        line = calculate(period, zone.finance)[person.pk]
        assert line.gross_pay == D("30000.00")
        assert line.pension + line.medical + line.unemployment + line.housing_fund == D("4500.00")
        taxes.append(line.income_tax)
        close(period, zone.finance)

    assert taxes == [D("555.00"), D("625.00"), D("1850.00")]
    # March: 3 × (30,000 − 5,000 − 4,500 − 2,000) = 55,500 at 10 % less 2,520 = 3,030 so far.
    assert (line.cumulative_taxable, line.cumulative_tax) == (D("55500.00"), D("3030.00"))
    assert line.net_pay == D("30000.00") - D("4500.00") - D("1850.00")


def test_an_earlier_month_that_is_only_calculated_does_not_count_and_blocks():
    zone, _person = published_example()
    calculate(zone.period, zone.finance)
    february = next_month(zone, 2)

    with pytest.raises(services.ApplicationError) as refused:
        services.start_calculation(period=february, actor=zone.finance)

    assert "2025-01" in refused.value.message
    assert not PayLine.objects.filter(period=february).exists()


def test_january_starts_the_tax_year_afresh():
    zone, person = published_example()
    calculate(zone.period, zone.finance)
    close(zone.period, zone.finance)
    february = next_month(zone, 2)
    calculate(february, zone.finance)
    close(february, zone.finance)

    january = next_month(zone, 1, year=2026)
    line = calculate(january, zone.finance)[person.pk]

    assert line.income_tax == D("555.00")
    assert line.cumulative_taxable == D("18500.00")


def test_an_annual_bonus_is_taxed_on_its_own_while_the_law_allows():
    zone, person = published_example()
    add_input(zone.period, person, PayInput.Kind.ANNUAL_BONUS, D("36000.00"))

    line = calculate(zone.period, zone.finance)[person.pk]

    # 36,000 ÷ 12 = 3,000 is in the 3 % bracket of the monthly table: 1,080.
    assert line.annual_bonus_tax == D("1080.00")
    assert line.income_tax == D("555.00")
    assert line.gross_pay == D("30000.00")
    assert line.net_pay == D("30000.00") + D("36000.00") - D("4500.00") - D("555.00") - D("1080.00")


def test_an_annual_bonus_after_the_separate_regime_joins_the_wage_and_stays_in_the_year():
    zone, person = published_example(separate_bonus_until=dt.date(2024, 12, 31))
    add_input(zone.period, person, PayInput.Kind.ANNUAL_BONUS, D("36000.00"))

    january = calculate(zone.period, zone.finance)[person.pk]
    close(zone.period, zone.finance)
    february = calculate(next_month(zone, 2), zone.finance)[person.pk]

    # January: 66,000 − 5,000 − 4,500 − 2,000 = 54,500 at 10 % less 2,520 = 2,930.
    assert (january.annual_bonus_tax, january.income_tax) == (D("0.00"), D("2930.00"))
    # February counts January's bonus: 96,000 − 10,000 − 9,000 − 4,000 = 73,000 → 4,780 − 2,930.
    assert february.income_tax == D("1850.00")


def test_net_pay_subtracts_contributions_taxes_and_deductions_and_may_go_negative_with_a_warning():
    zone, person = published_example()
    add_input(zone.period, person, PayInput.Kind.ANNUAL_BONUS, D("12000.00"))
    add_input(zone.period, person, PayInput.Kind.DEDUCTION, D("40000.00"))

    job = services.start_calculation(period=zone.period, actor=zone.finance)
    line = PayLine.objects.get(job=job, person=person)

    # Bonus tax: 12,000 ÷ 12 = 1,000 → 3 % → 360.
    assert line.net_pay == D("30000.00") + D("12000.00") - D("4500.00") - D("555.00") - D("360.00") - D("40000.00")
    assert line.net_pay == D("-3415.00")
    assert {"code": "negative_net_pay", "person_id": person.pk, "person": person.name,
            "department": zone.departments[0].name,
            "figures": {"gross_pay": "30000.00", "net_pay": "-3415.00"}} in job.warnings  # fmt: skip


def test_warnings_name_a_low_performance_share_and_a_missing_bank_account():
    zone = build_pay_zone(
        departments=1, staff_per_department=2, waiting=1, grades=(1,), scores=[D(80), D(80)], post_coefficients=(D(1),)
    )
    low, unpaid = zone.people
    set_package(zone.period, zone.departments[0], D("2000.00"))
    unpaid.pay_profile.bank_account = ""
    unpaid.pay_profile.save()

    job = services.start_calculation(period=zone.period, actor=zone.finance)

    by_code = {}
    for warning in job.warnings:
        by_code.setdefault(warning["code"], []).append(warning)
    # 1,000 each of performance pay on 3,500 basic: 22.22 % < 60 %. The waiting person has no
    # performance pay by rule, so no share warning for him.
    assert [w["person_id"] for w in by_code["performance_share_low"]] == [low.pk, unpaid.pk]
    figures = by_code["performance_share_low"][0]["figures"]
    assert figures["performance_pay"] == "1000.00"
    assert figures["total_income"] == "4500.00"
    assert figures["performance_share"] == "0.2222"
    assert figures["minimum_performance_share"] == "0.6000"
    assert [w["person_id"] for w in by_code["no_bank_account"]] == [unpaid.pk]
    assert set(by_code) == {"performance_share_low", "no_bank_account"}


@pytest.mark.parametrize(("package", "warned"), [(D("6000.00"), False), (D("5999.99"), True)])
def test_a_performance_share_of_exactly_the_minimum_is_no_warning_and_one_fen_less_is(package, warned):
    # Basic 4,000 (grade 2) and performance 6,000: exactly 60 % of 10,000.
    zone = build_pay_zone(departments=1, staff_per_department=1, waiting=0, grades=(2,))
    set_package(zone.period, zone.departments[0], package)

    job = services.start_calculation(period=zone.period, actor=zone.finance)

    assert [w["code"] for w in job.warnings] == (["performance_share_low"] if warned else [])


def test_a_person_waiting_who_never_held_a_post_is_not_paid_and_named_in_a_warning():
    zone = build_pay_zone(departments=1, staff_per_department=1, waiting=0)
    never_appointed = PersonFactory(status="waiting")

    job = services.start_calculation(period=zone.period, actor=zone.finance)

    assert not PayLine.objects.filter(job=job, person=never_appointed).exists()
    assert {"code": "waiting_without_appointment", "person_id": never_appointed.pk, "person": never_appointed.name,
            "department": "", "figures": {}} in job.warnings  # fmt: skip


def test_a_person_without_a_pay_profile_has_no_special_deduction_and_no_bank_account():
    zone = build_pay_zone(departments=1, staff_per_department=1, waiting=0)
    person = zone.people[0]
    person.pay_profile.delete()

    job = services.start_calculation(period=zone.period, actor=zone.finance)

    line = PayLine.objects.get(job=job, person=person)
    assert line.special_additional_deduction == D("0.00")
    assert [w["code"] for w in job.warnings if w["person_id"] == person.pk] == ["no_bank_account"]


def test_the_archival_salary_is_kept_beside_pay_and_not_paid():
    zone = build_pay_zone(departments=1, staff_per_department=1, waiting=0, archival_salary=D("4200.00"))
    person = zone.people[0]
    record = person.archival_record
    ArchivalEventFactory(record=record, kind="salary_adjustment", archival_rank="", archival_salary=D("4650.00"))

    line = calculate(zone.period, zone.finance)[person.pk]

    assert line.archival_salary == D("4650.00")
    assert line.gross_pay == line.basic_salary + line.basic_performance + line.major_work + (
        line.investment_promotion + line.project_construction
    )


def test_a_negotiated_salary_is_the_basic_salary_of_its_appointment():
    zone = build_pay_zone(departments=1, staff_per_department=1, waiting=0, packages=False)
    negotiated = build_person_on_post(
        department=zone.departments[0], negotiated_salary=D("18000.00"), cycle=zone.cycle, score=D(85)
    )
    give_profile(negotiated)
    approve_packages(zone.period, by=zone.leader)

    lines = calculate(zone.period, zone.finance)

    assert lines[negotiated.pk].basic_salary == D("18000.00")


def test_the_totals_of_a_calculation_add_up_over_the_lines_of_every_department():
    zone = build_pay_zone(departments=3, staff_per_department=4, waiting=2, advanced_workers=3)

    lines = calculate(zone.period, zone.finance)

    totals = period_totals(zone.period)
    assert totals["headcount"] == len(lines) == 3 * 4 + 2
    assert totals["gross_pay"] == sum(line.gross_pay for line in lines.values())
    performance = sum(
        line.basic_performance + line.major_work + line.investment_promotion + line.project_construction
        for line in lines.values()
    )
    assert performance + totals["advanced_worker_award"] == zone.period.performance_pool
