"""Fault test: PostgreSQL stops under a running app, then comes back.

A throwaway PostgreSQL cluster of the test's own (initdb in a temporary directory, a free port)
holds a migrated database; gunicorn serves the app on it. Pages and the API must answer 503 with
a clear message while the cluster is down, and serve again once it is back, without a restart.
The first tests stand the failure in with a mock, to run without PostgreSQL.
"""

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import psycopg
import pytest
import requests
from django.conf import settings
from django.db import OperationalError
from django.test import Client

from tests.factories import UserFactory
from zonehr.roles import Role

DATABASE = "zonehr_fault"
USERNAME, PASSWORD = "fault_hr", "fault-test-password-2026"


UNREACHABLE = OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')


@pytest.fixture
def logged_in(db) -> Client:
    client = Client(raise_request_exception=False)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(UserFactory(roles=[Role.HR_OFFICER]))
    return client


def test_a_page_answers_503_when_the_session_cannot_be_read(logged_in):
    with mock.patch("django.contrib.sessions.backends.db.SessionStore.load", side_effect=UNREACHABLE):
        response = logged_in.get("/staffing/roster/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    text = response.content.decode()
    assert "The database is unavailable at the moment" in text
    assert "Connection refused" not in text


def test_the_api_answers_503_in_its_error_shape(logged_in):
    with mock.patch("django.contrib.sessions.backends.db.SessionStore.load", side_effect=UNREACHABLE):
        response = logged_in.get("/api/staffing/people/")
    assert response.status_code == 503
    assert response.json()["fields"] == {}
    assert response.json()["message"].startswith("The database is unavailable")


def test_the_health_check_reports_the_database_down(client):
    with mock.patch("zonehr.views.connection") as connection:
        connection.cursor.side_effect = UNREACHABLE
        response = client.get("/health/")
    assert (response.status_code, response.json()) == (503, {"status": "unavailable", "database": "down"})


def test_other_errors_stay_500(logged_in):
    with mock.patch("django.contrib.sessions.backends.db.SessionStore.load", side_effect=RuntimeError("bug")):
        assert logged_in.get("/staffing/roster/").status_code == 500


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Cluster:
    """A PostgreSQL cluster in a temporary directory, run as the postgres user when we are root."""

    def __init__(self, directory: Path) -> None:
        initdbs = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        found = initdbs[-1] if initdbs else shutil.which("initdb")
        if found is None:
            pytest.fail("initdb not found: install the postgresql package")
        self.bin = Path(found).parent
        self.directory = directory
        self.data = directory / "data"
        self.port = _free_port()
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(directory, user="postgres")

    def _run(self, program: str, *args: str, check: bool = True) -> None:
        command = [*self.as_postgres, str(self.bin / program), *args]
        subprocess.run(command, check=check, capture_output=True, timeout=120)

    def create(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.start()

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.directory / "log"), "-o", options, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=mode == "fast")

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    directory = Path(tempfile.mkdtemp(prefix="zonehr-fault-"))
    cluster = Cluster(directory)
    try:
        cluster.create()
        yield cluster
    finally:
        cluster.stop(mode="immediate")  # whether it is running or not
        shutil.rmtree(directory, ignore_errors=True)


def _app_env(cluster: Cluster) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "zonehr.settings",
        "DEBUG": "true",
        "DATABASE_URL": cluster.url(DATABASE),
        # Each request in the same worker reuses the connection, as in production.
        "CONN_MAX_AGE": "600",
    }


def _manage(env: dict[str, str], *args: str) -> None:
    completed = subprocess.run(
        [sys.executable, "manage.py", *args],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


@pytest.fixture
def app_url(cluster: Cluster) -> Iterator[str]:
    with psycopg.connect(cluster.url("postgres"), autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {DATABASE}")
    env = _app_env(cluster)
    _manage(env, "migrate", "--no-input", "-v", "0")
    create_user = (
        "from django.contrib.auth.models import Group; from zonehr.models import User; "
        f"user = User.objects.create_user({USERNAME!r}, password={PASSWORD!r}); "
        "user.groups.add(Group.objects.get(name='hr_officer'))"
    )
    _manage(env, "shell", "-c", create_user)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "zonehr.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while _unanswered(f"{url}/health/") and time.monotonic() < deadline:
            time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def _unanswered(url: str) -> bool:
    try:
        requests.get(url, timeout=10)
    except requests.RequestException:
        return True
    return False


def _logged_in(url: str) -> requests.Session:
    session = requests.Session()
    session.cookies.set(settings.LANGUAGE_COOKIE_NAME, "en")
    session.get(f"{url}/accounts/login/", timeout=10)
    response = session.post(
        f"{url}/accounts/login/",
        {"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        timeout=10,
    )
    assert response.status_code == 200 and response.url == f"{url}/", response.text[:500]
    return session


@pytest.mark.postgres
def test_pages_answer_503_while_postgresql_is_down_and_recover_without_a_restart(cluster, app_url):
    session = _logged_in(app_url)
    assert session.get(f"{app_url}/", timeout=10).status_code == 200
    assert session.get(f"{app_url}/api/staffing/people/", timeout=10).status_code == 200

    cluster.stop()
    page = session.get(f"{app_url}/staffing/roster/", timeout=10)
    assert page.status_code == 503
    assert "The database is unavailable at the moment" in page.text
    assert "Traceback" not in page.text
    assert page.headers["Retry-After"] == "30"
    api = session.get(f"{app_url}/api/staffing/people/", timeout=10)
    assert api.status_code == 503
    assert api.json()["fields"] == {}
    assert api.json()["message"].startswith("The database is unavailable")
    health = requests.get(f"{app_url}/health/", timeout=10)
    assert (health.status_code, health.json()) == (503, {"status": "unavailable", "database": "down"})

    cluster.start()
    assert session.get(f"{app_url}/staffing/roster/", timeout=10).status_code == 200
    assert session.get(f"{app_url}/api/staffing/people/", timeout=10).status_code == 200
    health = requests.get(f"{app_url}/health/", timeout=10)
    assert (health.status_code, health.json()) == (200, {"status": "ok", "database": "up"})
