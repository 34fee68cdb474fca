"""A calculation and a close make a number of queries that grows with the chunks of departments,
never with the staff: each chunk reads its inputs and writes its lines in fixed queries, and a
chunk holds whole departments of about calculation.CHUNK_STAFF people.

(Django skips a prefetch with nothing to prefetch for: a chunk where nobody has an archival
record reads their events in one query less. The zones here have records in every department.)"""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from bench.payroll_close import build_zone, open_month
from payroll import calculation, services
from payroll.models import PayLine, PayrollJob
from tests.payroll_fixtures import build_pay_zone

pytestmark = pytest.mark.django_db


def queries_of(start, **arguments) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        result = start(**arguments)
    return len(captured), result


def february(*, staff: int, departments: int) -> dict[str, int]:
    """Build a zone, calculate and close January, then count the queries of February's
    calculation and close (February's tax reads January); everything is rolled back after."""
    rollback = transaction.savepoint()
    try:
        zone = build_zone(staff=staff, departments=departments, seed=7)
        for month in (1, 2):
            period = open_month(zone, month=month, seed=7)
            calculate, job = queries_of(services.start_calculation, period=period, actor=zone.finance)
            assert job.status == PayrollJob.Status.SUCCEEDED, job.error
            close, job = queries_of(services.start_close, period=period, actor=zone.finance)
            assert job.status == PayrollJob.Status.SUCCEEDED, job.error
        paid = zone.staff + zone.waiting
        assert PayLine.objects.filter(period=period).count() == paid
        return {"chunks": len(calculation.plan_chunks(period)), "calculate": calculate, "close": close}
    finally:
        transaction.savepoint_rollback(rollback)


def test_the_queries_grow_with_chunks_of_departments_and_not_with_staff():
    february(staff=4, departments=2)  # warm-up: the first run fills caches such as content types

    small = february(staff=10, departments=2)
    ten_times = february(staff=100, departments=2)
    two_chunks = february(staff=1000, departments=2)
    more_staff = february(staff=1400, departments=2)
    four_chunks = february(staff=2000, departments=4)

    assert (small["chunks"], ten_times["chunks"], two_chunks["chunks"], four_chunks["chunks"]) == (1, 1, 2, 4)
    # Ten times the staff in the same departments: the same queries.
    assert ten_times == small
    assert more_staff == two_chunks
    # Each further chunk of departments costs the same fixed number of queries.
    per_chunk = two_chunks["calculate"] - small["calculate"]
    assert 0 < per_chunk <= 20
    assert four_chunks["calculate"] == two_chunks["calculate"] + 2 * per_chunk
    # The close reads the lines in force as a whole.
    assert small["close"] == ten_times["close"] == two_chunks["close"] == four_chunks["close"]


def test_a_small_zone_built_by_the_fixtures_makes_the_same_queries_at_5_and_50_staff_per_department():
    def counted(staff_per_department: int) -> tuple[int, int]:
        rollback = transaction.savepoint()
        try:
            zone = build_pay_zone(departments=2, staff_per_department=staff_per_department, advanced_workers=3)
            calculate, job = queries_of(services.start_calculation, period=zone.period, actor=zone.finance)
            assert job.status == PayrollJob.Status.SUCCEEDED, job.error
            close, _job = queries_of(services.start_close, period=zone.period, actor=zone.finance)
            return calculate, close
        finally:
            transaction.savepoint_rollback(rollback)

    counted(1)  # warm-up

    assert counted(5) == counted(50)
