"""Payroll jobs on a real Celery worker (Redis, PostgreSQL), and on a broker that is down.

The worker test holds a lock that makes the second chunk of a recalculation wait, kills the
worker with SIGKILL while it waits, and checks that the period still shows the lines it had;
then a new worker and a new start complete the calculation without duplicates.
"""

import os
import signal
import time
from decimal import Decimal

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from bench.payroll_close import build_zone, open_month
from payroll import calculation, services
from payroll.models import PayLine, PayPeriod, PayrollJob
from payroll.selectors import period_lines, period_totals
from tests.payroll_fixtures import build_pay_zone
from tests.plugins.worker import start_worker, stop_worker
from zonehr.celery import app as celery_app
from zonehr.errors import ApplicationError

TIMEOUT = 90.0


def wait_for(condition, what: str, timeout: float = TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def job_state(job_id: int) -> tuple[str, int]:
    return tuple(PayrollJob.objects.filter(pk=job_id).values_list("status", "done_steps").get())


def finished(job: PayrollJob) -> PayrollJob:
    wait_for(lambda: job_state(job.pk)[0] in (PayrollJob.Status.SUCCEEDED, PayrollJob.Status.FAILED), "the job")
    job.refresh_from_db()
    assert job.status == PayrollJob.Status.SUCCEEDED, job.error
    return job


def lock_connection() -> psycopg.Connection:
    """A connection of its own to the test database, outside Django's."""
    db = connection.settings_dict
    return psycopg.connect(
        dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"] or None, host=db["HOST"] or None,
        port=db["PORT"] or None, autocommit=False,
    )  # fmt: skip


def waiting_on_a_lock(lock: psycopg.Connection) -> bool:
    """Whether another session (the worker's) waits for a lock this connection holds."""
    with lock.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))", [lock.info.backend_pid]
        )
        return cursor.fetchone()[0] > 0


@pytest.fixture
def redis_unacked_cleanup():
    """A message whose worker was killed stays in Redis' unacked set until its visibility
    timeout; drop it so it cannot reach a later run."""
    yield
    import redis

    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete("unacked", "unacked_index")


@pytest.mark.celery_worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_mid_calculation_leaves_the_period_as_it_was_and_a_new_start_completes_it(
    tmp_path, settings, redis_unacked_cleanup
):
    settings.PAYROLL_JOB_STALE_SECONDS = 1
    celery_app.control.purge()
    zone = build_zone(staff=1100, departments=2, seed=11)
    period = open_month(zone, month=1, seed=11)
    first_department, second_department = calculation.plan_chunks(period)
    paid = zone.staff + zone.waiting
    worker = start_worker(tmp_path / "worker-1.log", name="payroll-1")
    try:
        first = finished(services.start_calculation(period=period, actor=zone.finance))
        in_force = sorted(PayLine.objects.filter(job=first).values_list("pk", "net_pay"))
        assert len(in_force) == paid

        # The second chunk cannot write its lines while this lock is held on its department.
        lock = lock_connection()
        lock.execute("SELECT id FROM staffing_department WHERE id = %s FOR UPDATE", second_department)
        second = services.start_calculation(period=period, actor=zone.finance)
        wait_for(lambda: job_state(second.pk)[1] == 1, "the first chunk")
        wait_for(lambda: waiting_on_a_lock(lock), "the second chunk to wait on the lock")
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
        lock.rollback()
        lock.close()
    finally:
        stop_worker(worker)

    period.refresh_from_db()
    assert period.current_job_id == first.pk
    assert period.status == PayPeriod.Status.CALCULATED
    assert sorted(period_lines(period).values_list("pk", "net_pay")) == in_force
    # The job never finished; whether the step it was killed in got counted depends on the
    # instant of the kill, and does not matter: its lines are never in force.
    assert job_state(second.pk)[0] == PayrollJob.Status.RUNNING

    time.sleep(1.5)  # the killed job's heartbeat grows older than PAYROLL_JOB_STALE_SECONDS
    worker = start_worker(tmp_path / "worker-2.log", name="payroll-2")
    try:
        third = finished(services.start_calculation(period=period, actor=zone.finance))
    finally:
        stop_worker(worker)

    second.refresh_from_db()
    assert second.status == PayrollJob.Status.FAILED
    period.refresh_from_db()
    assert period.current_job_id == third.pk
    lines = PayLine.objects.filter(period=period)
    assert lines.count() == lines.values("person").distinct().count() == paid
    assert set(lines.values_list("job_id", flat=True)) == {third.pk}
    # The same inputs, so the same pay as the first calculation.
    assert sorted(period_lines(period).values_list("net_pay", flat=True)) == sorted(net for _pk, net in in_force)
    assert period_totals(period)["net_pay"] == sum((net for _pk, net in in_force), Decimal(0))
    assert {first_department[0], second_department[0]} == set(lines.values_list("department_id", flat=True))


@pytest.fixture
def unreachable_broker():
    """The app configured for a broker on a port nobody listens on, then set back."""
    conf = celery_app.conf
    saved = (conf.get("broker_write_url"), conf.task_always_eager, celery_app._pool)
    # Publishing connects to broker_write_url; broker_url would yield to the CELERY_BROKER_URL
    # environment variable of a run with a real broker.
    conf.broker_write_url = "redis://127.0.0.1:6390/0"
    conf.task_always_eager = False
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    yield
    conf.broker_write_url, conf.task_always_eager, celery_app._pool = saved
    celery_app.amqp._producer_pool = None


@pytest.mark.django_db
@pytest.mark.usefixtures("unreachable_broker")
@pytest.mark.parametrize("start", ["calculation", "close"])
def test_with_the_broker_unreachable_a_start_is_refused_and_leaves_no_job_and_no_line(start):
    zone = build_pay_zone(departments=2, staff_per_department=2)
    if start == "close":
        PayPeriod.objects.filter(pk=zone.period.pk).update(status=PayPeriod.Status.CALCULATED)
    begin = services.start_calculation if start == "calculation" else services.start_close

    with pytest.raises(ApplicationError, match="The task queue is unavailable"):
        begin(period=zone.period, actor=zone.finance)

    assert not PayrollJob.objects.exists()
    assert not PayLine.objects.exists()
    zone.period.refresh_from_db()
    assert zone.period.current_job is None
