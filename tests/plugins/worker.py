"""Celery worker fixture (see tests/test_celery_worker.py).

`celery_worker_process` runs a real worker in a child process, against the
broker from the settings and the test database, and yields its Popen so a
test can also kill it in the middle of a task. The worker reads only
committed rows, so the fixture brings `transactional_db` with it.
"""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from zonehr.celery import app as celery_app

WORKER_NAME = "test-worker"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


def worker_database_url() -> str:
    """The URL of the database this test run uses (pytest-django has renamed it to test_<name>)."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.postgresql":
        credentials = quote(db["USER"] or "", safe="")
        if db["PASSWORD"]:
            credentials += ":" + quote(db["PASSWORD"], safe="")
        host = db["HOST"] or "localhost"
        port = f":{db['PORT']}" if db["PORT"] else ""
        return f"postgres://{credentials}@{host}{port}/{quote(db['NAME'], safe='')}"
    if db["ENGINE"] == "django.db.backends.sqlite3" and not connection.is_in_memory_db():
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    pytest.fail(f"a worker process cannot share the test database {db['NAME']!r} ({db['ENGINE']})", pytrace=False)


def start_worker(log_path: Path, name: str = WORKER_NAME) -> subprocess.Popen:
    """Start `celery worker` and return once it answers a ping."""
    if not settings.CELERY_BROKER_URL:
        pytest.fail("a worker process needs CELERY_BROKER_URL", pytrace=False)
    env = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "DEBUG": "true",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(settings.BASE_DIR), os.environ.get("PYTHONPATH")])),
    }
    celery = Path(sys.executable).with_name("celery")
    command = [
        str(celery), "-A", "zonehr", "worker",
        "--pool=solo", "--concurrency=1", "-l", "warning", "-n", f"{name}@%h",
        # No other workers to sync with: skipping these saves seconds per start.
        "--without-mingle", "--without-gossip",
    ]  # fmt: skip
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    nodename = f"{name}@{socket.gethostname()}"
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"celery worker exited with {process.returncode}:\n{log_path.read_text()}", pytrace=False)
        if celery_app.control.ping(destination=[nodename], timeout=0.5):
            return process
    stop_worker(process)
    pytest.fail(
        f"celery worker {nodename} did not answer a ping within {START_TIMEOUT:.0f} s:\n{log_path.read_text()}",
        pytrace=False,
    )


def stop_worker(process: subprocess.Popen) -> None:
    """Warm shutdown (the current task finishes), then kill if it hangs."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def celery_worker_process(transactional_db, django_db_serialized_rollback, tmp_path) -> Iterator[subprocess.Popen]:
    # Serialized rollback restores the rows migrations made (content types, role groups):
    # an earlier transactional test may have emptied them while this process caches their ids.
    log_path = tmp_path / "celery-worker.log"
    # Messages left by an aborted earlier run would otherwise run against this test's database.
    celery_app.control.purge()
    process = start_worker(log_path)
    try:
        yield process
    finally:
        stop_worker(process)
        # Printed during teardown, so pytest shows it only when the test failed.
        print(f"--- celery worker log ({log_path}) ---\n{log_path.read_text()}")
