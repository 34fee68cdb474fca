"""Tasks travel through the broker to a real worker process, or run in-process without one."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

from tests.factories import DepartmentFactory
from zonehr.tasks import system_check


@pytest.mark.celery_worker
@pytest.mark.postgres
def test_a_worker_answers_system_check_from_the_test_database(celery_worker_process):
    DepartmentFactory.create_batch(2)

    result = system_check.delay().get(timeout=30)

    assert result["database"] == "postgresql"
    assert result["departments"] == 2
    assert "test-worker" in result["hostname"]
    assert celery_worker_process.poll() is None


def test_system_check_runs_in_process(db):
    DepartmentFactory()

    result = system_check.apply().get()

    assert result["database"] == connection.vendor
    assert result["departments"] == 1
    assert result["hostname"]


def _celery_settings(**env: str) -> str:
    clean = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "zonehr.settings", "DEBUG": "true", **env}
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL or '-')"
    )
    return subprocess.run(
        [sys.executable, "-c", code], env=clean, cwd=settings.BASE_DIR, capture_output=True, text=True, check=True
    ).stdout.strip()


def test_without_a_broker_tasks_run_eagerly():
    assert _celery_settings() == "True -"


def test_a_broker_url_turns_eager_mode_off():
    assert _celery_settings(CELERY_BROKER_URL="redis://127.0.0.1:6379/0") == "False redis://127.0.0.1:6379/0"


def test_redis_url_serves_as_broker_when_no_broker_is_named():
    assert _celery_settings(REDIS_URL="redis://127.0.0.1:6379/1") == "False redis://127.0.0.1:6379/1"
