"""Shared fixtures: the personas every feature is tested against, and the markers
that need real services (PostgreSQL, a Celery worker on Redis, Chromium)."""

import os
import shutil
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.utils import translation

from tests.factories import AppointmentFactory, DepartmentFactory, PostFactory, UserFactory
from zonehr.celery import app as celery_app
from zonehr.roles import Role

pytest_plugins = ["tests.plugins.worker", "tests.plugins.browser"]

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _missing_services() -> dict[str, str]:
    missing = {}
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        missing["postgres"] = "needs PostgreSQL: set DATABASE_URL=postgres://... (running on SQLite)"
    if not settings.CELERY_BROKER_URL:
        missing["celery_worker"] = "needs a Celery broker: set CELERY_BROKER_URL=redis://127.0.0.1:6379/0"
    if not shutil.which(CHROMIUM):
        missing["browser"] = f"needs Chromium at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)"
    return missing


def pytest_collection_modifyitems(config, items):
    missing = _missing_services()
    needed = {mark for item in items for mark in missing if mark in item.keywords}
    if os.environ.get("CI") == "true" and needed:
        # In CI every test must run: a skipped service test would hide a failure.
        raise pytest.UsageError("CI=true but " + "; ".join(missing[mark] for mark in sorted(needed)))
    for item in items:
        for mark, reason in missing.items():
            if mark in item.keywords:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    # The production hasher is slow by design; tests log in dozens of personas.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def tasks_in_process(request):
    """Celery tasks run in-process, as with no broker, even where one is configured (CI sets one):
    a start then returns a finished job. Tests marked celery_worker use the real worker."""
    if request.node.get_closest_marker("celery_worker"):
        yield
        return
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = saved


@pytest.fixture(autouse=True)
def english_messages():
    # Rules are asserted on their English messages; pages and the API pick the language per request.
    with translation.override("en"):
        yield


@pytest.fixture
def english(client):
    """The page client with the language switch set to English (pages ignore Accept-Language)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@dataclass
class Personas:
    """One user per role, two department heads of different departments, and an outsider."""

    hr: object
    head_a: object
    head_b: object
    judge: object
    finance: object
    leader: object
    inspector: object
    staff: object
    outsider: object
    department_a: object
    department_b: object
    staff_person: object
    head_a_person: object


@pytest.fixture
def personas(db) -> Personas:
    department_a = DepartmentFactory(name="招商一部", code="A")
    department_b = DepartmentFactory(name="规划建设局", code="B")
    head_a = UserFactory(username="head_a", roles=[Role.DEPARTMENT_HEAD, Role.STAFF_MEMBER])
    head_b = UserFactory(username="head_b", roles=[Role.DEPARTMENT_HEAD, Role.STAFF_MEMBER])
    staff = UserFactory(username="staff", roles=[Role.STAFF_MEMBER])
    head_a_appointment = AppointmentFactory(
        post=PostFactory(department=department_a, is_leadership=True), person__user=head_a
    )
    AppointmentFactory(post=PostFactory(department=department_b, is_leadership=True), person__user=head_b)
    staff_appointment = AppointmentFactory(post=PostFactory(department=department_a), person__user=staff)
    return Personas(
        hr=UserFactory(username="hr", roles=[Role.HR_OFFICER]),
        head_a=head_a,
        head_b=head_b,
        judge=UserFactory(username="judge", roles=[Role.JUDGE]),
        finance=UserFactory(username="finance", roles=[Role.FINANCE_OFFICER]),
        leader=UserFactory(username="leader", roles=[Role.LEADERSHIP]),
        inspector=UserFactory(username="inspector", roles=[Role.DISCIPLINE_INSPECTOR]),
        staff=staff,
        outsider=UserFactory(username="outsider"),
        department_a=department_a,
        department_b=department_b,
        staff_person=staff_appointment.person,
        head_a_person=head_a_appointment.person,
    )
