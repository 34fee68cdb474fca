"""A pay period's lifecycle: open → calculated → closed → reopened, jobs and refusals."""

import datetime as dt
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from assessment.models import Cycle, Rating
from payroll import calculation, services
from payroll.models import PayLine, PayPeriod, PayPolicy, PayrollJob, SalaryPackage
from payroll.selectors import department_totals, period_lines, period_totals
from tests.factories import UserFactory
from tests.payroll_fixtures import (
    build_cycle,
    build_pay_zone,
    build_period,
    build_person_on_post,
    build_policy,
)
from zonehr.errors import ApplicationError
from zonehr.roles import Role

pytestmark = pytest.mark.django_db

D = Decimal


def calculated(zone) -> PayrollJob:
    job = services.start_calculation(period=zone.period, actor=zone.finance)
    assert job.status == PayrollJob.Status.SUCCEEDED, job.error
    zone.period.refresh_from_db()
    return job


def period_entries(period) -> list[LogEntry]:
    return list(LogEntry.objects.get_for_object(period).order_by("pk"))


# --- Opening -----------------------------------------------------------------------------------


def test_finance_opens_a_month_on_a_confirmed_cycle_audited():
    zone = build_pay_zone(departments=1, staff_per_department=1)

    period = services.open_period(year=2025, month=2, cycle=zone.cycle, actor=zone.finance)

    assert (period.status, period.cycle) == (PayPeriod.Status.OPEN, zone.cycle)
    [entry] = period_entries(period)
    assert (entry.actor, entry.action) == (zone.finance, LogEntry.Action.CREATE)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"month": 1}, "This month already has a pay period."),
        ({"cycle_status": Cycle.Status.RATING}, "A pay period pays on a confirmed assessment cycle."),
        ({"actor": "leader"}, "Only a finance officer may open, calculate or close a pay period."),
    ],
)
def test_opening_is_refused_for_a_taken_month_an_unconfirmed_cycle_or_a_non_finance_role(change, message):
    zone = build_pay_zone(departments=1, staff_per_department=1)
    cycle = build_cycle(year=2023)
    cycle.status = change.get("cycle_status", Cycle.Status.CONFIRMED)
    cycle.save()
    before = PayPeriod.objects.count()

    with pytest.raises(ApplicationError) as refused:
        services.open_period(
            year=2025, month=change.get("month", 2), cycle=cycle, actor=getattr(zone, change.get("actor", "finance"))
        )

    assert message in refused.value.message
    assert PayPeriod.objects.count() == before


def test_a_month_cannot_be_opened_before_a_closed_month_of_the_same_year():
    zone = build_pay_zone(departments=1, staff_per_department=1, month=3)
    PayPeriod.objects.filter(pk=zone.period.pk).update(status=PayPeriod.Status.CLOSED)

    with pytest.raises(ApplicationError, match="later month of 2025 is already closed"):
        services.open_period(year=2025, month=2, cycle=zone.cycle, actor=zone.finance)

    assert services.open_period(year=2025, month=4, cycle=zone.cycle, actor=zone.finance).month == 4


# --- Calculating -------------------------------------------------------------------------------


def test_a_calculation_puts_one_line_per_paid_person_in_force_and_audits_the_totals():
    zone = build_pay_zone(departments=2, staff_per_department=3, waiting=1)

    job = calculated(zone)

    assert zone.period.status == PayPeriod.Status.CALCULATED
    assert zone.period.current_job == job
    assert zone.period.calculated_at is not None
    assert (job.kind, job.done_steps, job.total_steps, job.percent) == (PayrollJob.Kind.CALCULATE, 1, 1, 100)
    people = sorted(line.person_id for line in period_lines(zone.period))
    assert people == sorted(p.pk for p in [*zone.people, *zone.waiting])
    event = period_entries(zone.period)[-1]
    assert event.additional_data["event"] == "pay_period_calculated"
    assert event.actor == zone.finance
    totals = period_totals(zone.period)
    assert event.changes["headcount"] == [None, "7"]
    assert D(event.changes["net_pay"][1]) == totals["net_pay"]


def test_totals_equal_the_sums_of_the_lines_in_force_overall_and_per_department():
    zone = build_pay_zone(departments=2, staff_per_department=4, waiting=1, advanced_workers=2)
    calculated(zone)

    lines = list(period_lines(zone.period))
    totals = period_totals(zone.period)
    for name in ("basic_salary", "gross_pay", "pension", "income_tax", "net_pay", "advanced_worker_award"):
        assert totals[name] == sum(getattr(line, name) for line in lines), name
    by_department = {row["department_id"]: row for row in department_totals(zone.period)}
    for department in zone.departments:
        mine = [line for line in lines if line.department_id == department.pk]
        assert by_department[department.pk]["headcount"] == len(mine)
        assert by_department[department.pk]["net_pay"] == sum(line.net_pay for line in mine)


def test_a_recalculation_replaces_the_lines_in_force_with_the_new_figures():
    zone = build_pay_zone(departments=2, staff_per_department=3, waiting=0)
    first = calculated(zone)
    department = zone.departments[0]
    package = zone.packages[department.pk]
    SalaryPackage.objects.filter(pk=package.pk).update(performance_package=package.performance_package + D("300.00"))

    second = calculated(zone)

    assert zone.period.current_job == second
    assert not PayLine.objects.filter(job=first).exists()
    assert PayLine.objects.filter(period=zone.period).count() == 6
    before = sum(line.gross_pay for line in PayLine.objects.filter(job=second, department=department))
    assert before == package.basic_package + package.performance_package + D("300.00")
    assert period_totals(zone.period)["headcount"] == 6


def test_until_the_last_chunk_is_written_readers_see_the_lines_in_force_before():
    zone = build_pay_zone(departments=2, staff_per_department=3, waiting=0)
    first = calculated(zone)
    in_force = sorted(period_lines(zone.period).values_list("pk", "net_pay"))
    job = PayrollJob.objects.create(period=zone.period, kind=PayrollJob.Kind.CALCULATE, total_steps=2)
    one, two = (department.pk for department in zone.departments)

    calculation.calculate_chunk(job_id=job.pk, department_ids=[one])

    zone.period.refresh_from_db()
    assert zone.period.current_job == first
    assert sorted(period_lines(zone.period).values_list("pk", "net_pay")) == in_force
    assert PayLine.objects.filter(job=job).count() == 3

    calculation.calculate_chunk(job_id=job.pk, department_ids=[two])

    zone.period.refresh_from_db()
    assert zone.period.current_job_id == job.pk
    assert PayLine.objects.filter(period=zone.period).count() == 6
    assert not PayLine.objects.filter(job=first).exists()


def test_a_chunk_delivered_twice_writes_and_counts_its_lines_once():
    zone = build_pay_zone(departments=2, staff_per_department=2, waiting=0)
    job = PayrollJob.objects.create(period=zone.period, kind=PayrollJob.Kind.CALCULATE, total_steps=2)
    one, two = (department.pk for department in zone.departments)

    calculation.calculate_chunk(job_id=job.pk, department_ids=[one])
    calculation.calculate_chunk(job_id=job.pk, department_ids=[one])

    job.refresh_from_db()
    assert (job.status, job.done_steps) == (PayrollJob.Status.RUNNING, 1)
    assert PayLine.objects.filter(job=job).count() == 2
    calculation.calculate_chunk(job_id=job.pk, department_ids=[two])
    job.refresh_from_db()
    assert (job.status, job.done_steps) == (PayrollJob.Status.SUCCEEDED, 2)
    assert PayLine.objects.filter(job=job).count() == 4


def test_a_chunk_that_fails_fails_the_job_and_leaves_the_period_as_it_was():
    zone = build_pay_zone(departments=2, staff_per_department=2, waiting=0)
    first = calculated(zone)
    in_force = sorted(period_lines(zone.period).values_list("pk", flat=True))
    job = PayrollJob.objects.create(period=zone.period, kind=PayrollJob.Kind.CALCULATE, total_steps=2)
    one, two = (department.pk for department in zone.departments)
    calculation.calculate_chunk(job_id=job.pk, department_ids=[one])
    # The second department's package is gone by the time its chunk runs.
    SalaryPackage.objects.filter(period=zone.period, department_id=two).delete()

    with pytest.raises(KeyError):
        calculation.calculate_chunk(job_id=job.pk, department_ids=[two])

    job.refresh_from_db()
    zone.period.refresh_from_db()
    assert job.status == PayrollJob.Status.FAILED
    assert "KeyError" in job.error
    assert not PayLine.objects.filter(job=job).exists()
    assert zone.period.current_job == first
    assert sorted(period_lines(zone.period).values_list("pk", flat=True)) == in_force


def test_a_chunk_of_a_settled_job_does_nothing():
    zone = build_pay_zone(departments=1, staff_per_department=2, waiting=0)
    job = PayrollJob.objects.create(
        period=zone.period, kind=PayrollJob.Kind.CALCULATE, total_steps=1, status=PayrollJob.Status.FAILED
    )

    calculation.calculate_chunk(job_id=job.pk, department_ids=[zone.departments[0].pk])
    calculation.calculate_chunk(job_id=job.pk + 1000, department_ids=[zone.departments[0].pk])

    assert not PayLine.objects.exists()
    zone.period.refresh_from_db()
    assert zone.period.status == PayPeriod.Status.OPEN


# --- Refusals ----------------------------------------------------------------------------------


def assert_nothing_written(period, jobs_before: int) -> None:
    assert PayrollJob.objects.filter(period=period).count() == jobs_before
    assert not PayLine.objects.filter(period=period).exists()
    period.refresh_from_db()
    assert period.status == PayPeriod.Status.OPEN


def test_missing_inputs_are_each_named_and_block_the_calculation_writing_nothing():
    zone = build_pay_zone(departments=2, staff_per_department=2, waiting=0)
    unrated = zone.people[0]
    Rating.objects.filter(person=unrated).delete()
    SalaryPackage.objects.filter(period=zone.period, department=zone.departments[1]).delete()

    with pytest.raises(ApplicationError) as refused:
        services.start_calculation(period=zone.period, actor=zone.finance)

    missing = refused.value.fields["missing"]
    assert missing == [
        f"{unrated.name} ({zone.departments[0].name}) has no rating in {zone.cycle.name}.",
        f"{zone.departments[1].name} has no approved salary package for this period.",
    ]
    assert all(problem in refused.value.message for problem in missing)
    assert_nothing_written(zone.period, 0)


def test_missing_inputs_name_the_policy_the_cycle_and_an_earlier_open_month():
    zone = build_pay_zone(departments=1, staff_per_department=1, waiting=0, month=3)
    build_period(year=2025, month=1, cycle=zone.cycle, status=PayPeriod.Status.CALCULATED)
    PayPolicy.objects.update(effective_from=dt.date(2025, 4, 1))
    Cycle.objects.filter(pk=zone.cycle.pk).update(status=Cycle.Status.RATING)
    zone.period.refresh_from_db()

    problems = calculation.missing_inputs(zone.period)

    assert [problem.code for problem in problems] == ["no_policy", "cycle_not_confirmed", "earlier_period_open"]
    assert [problem.message for problem in problems] == [
        "No pay policy is in force on 2025-03-01.",
        f"The assessment cycle {zone.cycle.name} is not confirmed yet.",
        "The pay period 2025-01 of the same year is not closed yet: close it first.",
    ]
    with pytest.raises(ApplicationError):
        services.start_calculation(period=zone.period, actor=zone.finance)
    assert_nothing_written(zone.period, 0)


def test_an_award_pool_nobody_named_is_paid_from_is_a_missing_input():
    zone = build_pay_zone(departments=1, staff_per_department=2, waiting=0, advanced_workers=1)
    zone.people[0].status = "departed"
    zone.people[0].save()

    codes = [problem.code for problem in calculation.missing_inputs(zone.period)]

    assert "award_without_workers" in codes


def test_only_finance_may_calculate():
    zone = build_pay_zone(departments=1, staff_per_department=1)

    with pytest.raises(ApplicationError, match="Only a finance officer"):
        services.start_calculation(period=zone.period, actor=zone.leader)

    assert_nothing_written(zone.period, 0)


def test_a_second_start_while_a_job_of_the_period_runs_is_refused():
    zone = build_pay_zone(departments=1, staff_per_department=1)
    running = PayrollJob.objects.create(
        period=zone.period, kind=PayrollJob.Kind.CALCULATE, status=PayrollJob.Status.RUNNING, total_steps=3
    )

    with pytest.raises(ApplicationError, match="already running"):
        services.start_calculation(period=zone.period, actor=zone.finance)

    assert_nothing_written(zone.period, 1)
    running.refresh_from_db()
    assert running.status == PayrollJob.Status.RUNNING


def test_a_stale_running_job_is_failed_and_the_calculation_goes_ahead(settings):
    settings.PAYROLL_JOB_STALE_SECONDS = 60
    zone = build_pay_zone(departments=1, staff_per_department=2, waiting=0)
    lost = PayrollJob.objects.create(
        period=zone.period, kind=PayrollJob.Kind.CALCULATE, status=PayrollJob.Status.RUNNING, total_steps=2
    )
    PayLine.objects.bulk_create(
        [PayLine(job=lost, period=zone.period, person=zone.people[0], department=zone.departments[0], identity="x")]
    )
    PayrollJob.objects.filter(pk=lost.pk).update(heartbeat_at=timezone.now() - dt.timedelta(seconds=61))

    job = calculated(zone)

    lost.refresh_from_db()
    assert lost.status == PayrollJob.Status.FAILED
    assert "60 s" in lost.error
    assert job.status == PayrollJob.Status.SUCCEEDED
    assert PayLine.objects.filter(period=zone.period).count() == 2


def test_a_running_job_with_a_recent_heartbeat_is_not_stale(settings):
    settings.PAYROLL_JOB_STALE_SECONDS = 60
    zone = build_pay_zone(departments=1, staff_per_department=1)
    running = PayrollJob.objects.create(
        period=zone.period, kind=PayrollJob.Kind.CALCULATE, status=PayrollJob.Status.RUNNING, total_steps=2
    )
    PayrollJob.objects.filter(pk=running.pk).update(heartbeat_at=timezone.now() - dt.timedelta(seconds=59))

    with pytest.raises(ApplicationError, match="already running"):
        services.start_calculation(period=zone.period, actor=zone.finance)


def test_nobody_to_pay_is_refused():
    build_policy()
    period = build_period(cycle=build_cycle())
    finance = UserFactory(roles=[Role.FINANCE_OFFICER])

    with pytest.raises(ApplicationError, match="Nobody is paid"):
        services.start_calculation(period=period, actor=finance)

    assert not PayrollJob.objects.exists()


# --- Closing and reopening ---------------------------------------------------------------------


def test_closing_stores_the_salary_sheet_and_locks_the_period_and_closing_again_is_harmless():
    zone = build_pay_zone(departments=2, staff_per_department=2)
    calculated(zone)

    job = services.start_close(period=zone.period, actor=zone.finance)

    zone.period.refresh_from_db()
    assert (job.kind, job.status, job.percent) == (PayrollJob.Kind.CLOSE, PayrollJob.Status.SUCCEEDED, 100)
    assert zone.period.status == PayPeriod.Status.CLOSED
    assert (zone.period.closed_by, zone.period.closed_at is not None) == (zone.finance, True)
    assert zone.period.salary_sheet.name.endswith(".xlsx")
    with zone.period.salary_sheet.open("rb") as sheet:
        assert sheet.read(2) == b"PK"
    entries, jobs, closed_at = len(period_entries(zone.period)), PayrollJob.objects.count(), zone.period.closed_at

    again = services.start_close(period=zone.period, actor=zone.finance)

    zone.period.refresh_from_db()
    assert again == job
    assert (len(period_entries(zone.period)), PayrollJob.objects.count()) == (entries, jobs)
    assert zone.period.closed_at == closed_at


def test_closing_a_period_closed_without_a_close_job_returns_none_and_changes_nothing():
    zone = build_pay_zone(departments=1, staff_per_department=1)
    PayPeriod.objects.filter(pk=zone.period.pk).update(status=PayPeriod.Status.CLOSED)

    assert services.start_close(period=zone.period, actor=zone.finance) is None

    assert not PayrollJob.objects.exists()


def test_a_closed_period_refuses_calculation():
    zone = build_pay_zone(departments=1, staff_per_department=2)
    calculated(zone)
    services.start_close(period=zone.period, actor=zone.finance)
    lines = sorted(period_lines(zone.period).values_list("pk", flat=True))

    with pytest.raises(ApplicationError, match="is closed; leadership must reopen it"):
        services.start_calculation(period=zone.period, actor=zone.finance)

    assert sorted(period_lines(zone.period).values_list("pk", flat=True)) == lines
    assert PayrollJob.objects.filter(kind=PayrollJob.Kind.CALCULATE).count() == 1


@pytest.mark.parametrize("who", ["leader", "other"])
def test_only_finance_may_close(who, personas):
    zone = build_pay_zone(departments=1, staff_per_department=1)
    calculated(zone)
    actor = zone.leader if who == "leader" else personas.head_a

    with pytest.raises(ApplicationError, match="Only a finance officer"):
        services.start_close(period=zone.period, actor=actor)

    zone.period.refresh_from_db()
    assert zone.period.status == PayPeriod.Status.CALCULATED
    assert not PayrollJob.objects.filter(kind=PayrollJob.Kind.CLOSE).exists()


def test_an_open_period_cannot_be_closed_before_it_is_calculated():
    zone = build_pay_zone(departments=1, staff_per_department=1)

    with pytest.raises(ApplicationError, match=r"Calculate the pay period 2025-01 before closing it\."):
        services.start_close(period=zone.period, actor=zone.finance)

    assert not PayrollJob.objects.exists()


def test_leadership_reopens_a_closed_period_with_a_reason_audited_then_it_recalculates_and_closes_again():
    zone = build_pay_zone(departments=1, staff_per_department=2)
    calculated(zone)
    first_close = services.start_close(period=zone.period, actor=zone.finance)

    services.reopen_period(period=zone.period, actor=zone.leader, reason="补发漏算的津贴")

    zone.period.refresh_from_db()
    assert zone.period.status == PayPeriod.Status.CALCULATED
    assert zone.period.reopen_reason == "补发漏算的津贴"
    assert (zone.period.closed_at, zone.period.closed_by) == (None, None)
    entry = period_entries(zone.period)[-1]
    assert entry.actor == zone.leader
    assert entry.additional_data["reason"] == "补发漏算的津贴"
    assert entry.changes["status"] == ["closed", "calculated"]

    calculated(zone)
    second_close = services.start_close(period=zone.period, actor=zone.finance)
    assert second_close != first_close
    zone.period.refresh_from_db()
    assert zone.period.status == PayPeriod.Status.CLOSED


@pytest.mark.parametrize(
    ("actor", "reason", "message"),
    [
        ("finance", "更正", "Only leadership may reopen a closed pay period."),
        ("leader", "  ", "Give a reason"),
    ],
)
def test_reopening_needs_leadership_and_a_reason(actor, reason, message):
    zone = build_pay_zone(departments=1, staff_per_department=1)
    calculated(zone)
    services.start_close(period=zone.period, actor=zone.finance)
    entries = len(period_entries(zone.period))

    with pytest.raises(ApplicationError, match=message):
        services.reopen_period(period=zone.period, actor=getattr(zone, actor), reason=reason)

    zone.period.refresh_from_db()
    assert zone.period.status == PayPeriod.Status.CLOSED
    assert len(period_entries(zone.period)) == entries


def test_only_a_closed_period_is_reopened_and_not_behind_a_closed_later_month():
    zone = build_pay_zone(departments=1, staff_per_department=1)
    with pytest.raises(ApplicationError, match="Only a closed pay period can be reopened"):
        services.reopen_period(period=zone.period, actor=zone.leader, reason="更正")
    calculated(zone)
    services.start_close(period=zone.period, actor=zone.finance)
    february = build_period(year=2025, month=2, cycle=zone.cycle, status=PayPeriod.Status.CLOSED)

    with pytest.raises(ApplicationError, match="2025-02 is closed"):
        services.reopen_period(period=zone.period, actor=zone.leader, reason="更正")

    february.status = PayPeriod.Status.OPEN
    february.save()
    assert services.reopen_period(period=zone.period, actor=zone.leader, reason="更正").status == "calculated"


def test_people_on_post_appear_in_the_next_calculation_only_after_they_are_rated():
    zone = build_pay_zone(departments=1, staff_per_department=1)
    calculated(zone)
    newcomer = build_person_on_post(department=zone.departments[0], cycle=None)

    with pytest.raises(ApplicationError) as refused:
        services.start_calculation(period=zone.period, actor=zone.finance)

    assert refused.value.fields["missing"] == [
        f"{newcomer.name} ({zone.departments[0].name}) has no rating in {zone.cycle.name}."
    ]
    assert period_totals(zone.period)["headcount"] == 2
