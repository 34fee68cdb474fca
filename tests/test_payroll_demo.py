"""The demo payroll: two closed months whose totals agree with their lines and their salary
sheets, and an open month ready to calculate, built through the real payroll services."""

import io
import sys
from decimal import Decimal

import openpyxl
import pytest
from django.db import transaction
from django.db.models import Sum
from django.test import override_settings

from assessment import demo as assessment_demo
from payroll import demo as payroll_demo
from payroll import services
from payroll.models import PayInput, PayLine, PayPeriod, PayProfile, PayrollJob, SalaryPackage
from payroll.selectors import TOTALLED, department_totals, period_lines, period_totals
from recruitment import demo as recruitment_demo
from staffing import demo as zone
from staffing.models import Person
from zonehr.models import User

STAFF = zone.DEFAULT_STAFF
SEED = zone.DEFAULT_SEED


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo zone with its campaigns, assessment and payroll for the whole module, rolled back
    afterwards; each test runs in a savepoint inside it."""
    with (
        django_db_blocker.unblock(),
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            MEDIA_ROOT=tmp_path_factory.mktemp("media"),
        ),
    ):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            zone.demo_zone_build(staff=STAFF, seed=SEED)
            recruitment_demo.demo_campaigns_build(seed=SEED)
            assessment_demo.demo_assessment_build(seed=SEED)
            payroll = payroll_demo.demo_payroll_build(seed=SEED)
        except BaseException:
            outer.__exit__(*sys.exc_info())
            raise
        yield payroll
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def months(built, db) -> dict[str, PayPeriod]:
    return {str(period): period for period in PayPeriod.objects.order_by("year", "month")}


def test_two_months_are_closed_and_november_is_open(built, months):
    assert list(months) == ["2026-09", "2026-10", "2026-11"]
    finance = User.objects.get(username="finance")
    for name in ("2026-09", "2026-10"):
        period = months[name]
        assert period.status == PayPeriod.Status.CLOSED
        assert (period.closed_by, bool(period.salary_sheet)) == (finance, True)
        assert period.cycle.name == assessment_demo.ANNUAL_NAME
        assert period.jobs.filter(kind=PayrollJob.Kind.CLOSE, status=PayrollJob.Status.SUCCEEDED).count() == 1
    assert months["2026-11"].status == PayPeriod.Status.OPEN
    assert months["2026-11"].current_job_id is None


def test_the_closed_months_totals_agree_with_their_lines_and_their_salary_sheets(built, months):
    for name in ("2026-09", "2026-10"):
        period = months[name]
        totals = period_totals(period)
        lines = PayLine.objects.filter(job_id=period.current_job_id)
        assert totals["headcount"] == lines.count() > 0
        summed = lines.aggregate(**{field: Sum(field) for field in TOTALLED})
        assert all(totals[field] == summed[field] for field in TOTALLED)
        for line in lines:
            assert line.net_pay == (
                line.gross_pay
                + line.annual_bonus
                - line.pension
                - line.medical
                - line.unemployment
                - line.housing_fund
                - line.income_tax
                - line.annual_bonus_tax
                - line.other_deductions
            )
        assert sum(row["net_pay"] for row in department_totals(period)) == totals["net_pay"]
        with period.salary_sheet.open("rb") as stored:
            summary = openpyxl.load_workbook(io.BytesIO(stored.read())).worksheets[0]
        overall = list(summary.iter_rows(values_only=True))[-1]
        assert (overall[1], Decimal(str(overall[-1]))) == (totals["headcount"], totals["net_pay"])
    assert built.lines == sum(period_totals(months[name])["headcount"] for name in ("2026-09", "2026-10"))


def test_october_withholds_tax_on_the_year_to_date_of_september(built, months):
    september = {line.person_id: line for line in period_lines(months["2026-09"])}
    october = list(period_lines(months["2026-10"]))
    assert any(line.income_tax > 0 for line in october)
    for line in october:
        earlier = september.get(line.person_id)
        # A month whose year-to-date tax is already withheld withholds nothing more.
        if earlier is not None and line.income_tax > 0:
            assert line.cumulative_tax == earlier.income_tax + line.income_tax


def test_everyone_paid_has_a_pay_profile_and_one_has_no_bank_account_yet(built, db):
    paid = Person.objects.filter(status__in=[Person.Status.ON_POST, Person.Status.WAITING])
    assert PayProfile.objects.count() == paid.count() == built.profiles
    assert PayProfile.objects.filter(bank_account="").count() == 1
    assert PayProfile.objects.filter(special_additional_deduction__gt=0).exists()


def test_november_is_ready_to_calculate_with_its_inputs_and_advanced_workers(built, months):
    november = months["2026-11"]
    assert services.missing_inputs(november) == []
    kinds = set(november.inputs.values_list("kind", flat=True))
    assert {PayInput.Kind.ALLOWANCE, PayInput.Kind.OVER_TARGET_BONUS} <= kinds
    assert november.advanced_workers.count() == payroll_demo.ADVANCED_WORKERS
    assert november.award_pool > 0
    assert november.packages.filter(status=SalaryPackage.Status.APPROVED).count() == november.packages.count() > 0

    job = services.start_calculation(period=november, actor=User.objects.get(username="finance"))
    assert job.status == PayrollJob.Status.SUCCEEDED, job.error
    november.refresh_from_db()
    lines = period_lines(november)
    awards = lines.filter(advanced_worker_award__gt=0)
    assert awards.count() == payroll_demo.ADVANCED_WORKERS
    assert sum(line.advanced_worker_award for line in awards) == november.award_pool
    assert {warning["code"] for warning in job.warnings} >= {"no_bank_account"}
