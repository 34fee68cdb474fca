"""Login protection: lockout after repeated failures, password rules and changes, idle sessions."""

import datetime as dt
import io

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from staffing.demo import DEMO_PASSWORD
from tests.factories import UserFactory
from tests.plugins.browser import log_in as browser_log_in

OFFICE = "10.20.0.7"
ELSEWHERE = "10.20.0.8"


def log_in(client: Client, username: str, password: str, address: str = OFFICE):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def logged_in(client: Client) -> bool:
    return client.get(reverse("dashboard")).status_code == 200


def fail(client: Client, username: str, times: int, address: str = OFFICE):
    return [log_in(client, username, "wrong-password", address).status_code for _ in range(times)]


# --- Lockout ------------------------------------------------------------------------------------


def test_the_fifth_wrong_password_locks_the_username_from_that_address(client, db):
    UserFactory(username="zhang")

    assert fail(client, "zhang", 5) == [200, 200, 200, 200, 429]
    response = log_in(client, "zhang", "pw")

    assert response.status_code == 429
    assert not logged_in(client)


def test_the_lockout_page_says_why_and_for_how_long(english, db):
    UserFactory(username="zhang")
    fail(english, "zhang", 5)

    response = log_in(english, "zhang", "pw")

    text = response.content.decode()
    assert "5 failed logins in a row" in text
    assert "“zhang”" in text
    assert "locked for 15 minutes" in text
    assert reverse("login") in text


def test_four_wrong_passwords_still_let_the_right_one_in(client, db):
    UserFactory(username="zhang")
    fail(client, "zhang", 4)

    log_in(client, "zhang", "pw")

    assert logged_in(client)


def test_a_successful_login_clears_the_count(client, db):
    UserFactory(username="zhang")
    fail(client, "zhang", 4)
    log_in(client, "zhang", "pw")
    client.post(reverse("logout"))

    assert fail(client, "zhang", 4) == [200] * 4
    log_in(client, "zhang", "pw")
    assert logged_in(client)


def test_the_lock_holds_only_for_that_username_and_address(db):
    UserFactory(username="zhang")
    UserFactory(username="li")
    fail(Client(), "zhang", 5)

    from_elsewhere, colleague = Client(), Client()
    log_in(from_elsewhere, "zhang", "pw", address=ELSEWHERE)
    log_in(colleague, "li", "pw")

    assert logged_in(from_elsewhere)
    assert logged_in(colleague)


def test_the_lock_lifts_once_the_cool_off_has_passed(client, db):
    UserFactory(username="zhang")
    fail(client, "zhang", 5)
    assert log_in(client, "zhang", "pw").status_code == 429

    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - dt.timedelta(minutes=1))
    log_in(client, "zhang", "pw")

    assert logged_in(client)


def test_an_administrator_can_lift_the_lock(client, db):
    UserFactory(username="zhang")
    fail(client, "zhang", 5)

    call_command("axes_reset_username", "zhang", stdout=io.StringIO())
    log_in(client, "zhang", "pw")

    assert logged_in(client)


def test_trying_again_during_the_lock_restarts_the_cool_off(client, db):
    UserFactory(username="zhang")
    fail(client, "zhang", 5)
    almost_over = timezone.now() - settings.AXES_COOLOFF_TIME + dt.timedelta(minutes=1)
    AccessAttempt.objects.update(attempt_time=almost_over)

    fail(client, "zhang", 1)

    assert AccessAttempt.objects.get().attempt_time > almost_over + dt.timedelta(minutes=5)


def test_a_locked_out_user_keeps_the_api_through_his_token(client, personas):
    fail(client, "hr", 5)
    assert log_in(client, "hr", "pw").status_code == 429
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=personas.hr).key}")

    assert api.get("/api/staffing/departments/").status_code == 200


# --- Passwords ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Zh7#kq2p", "too short"),
        ("4829105738", "entirely numeric"),
        ("password123", "too common"),
        ("zhangwei2026", "too similar"),
    ],
)
def test_a_weak_password_is_refused(db, password, reason):
    user = UserFactory(username="zhangwei2026")

    with pytest.raises(ValidationError) as refused:
        validate_password(password, user)

    assert reason in " ".join(refused.value.messages)


def test_the_demo_password_meets_the_rules(db):
    validate_password(DEMO_PASSWORD, UserFactory(username="hr"))


def test_every_page_links_to_the_password_change(client, personas):
    client.force_login(personas.staff)

    assert f'href="{reverse("password_change")}"' in client.get(reverse("dashboard")).content.decode()


def test_a_weak_new_password_is_refused_on_the_page(english, personas):
    english.force_login(personas.staff)

    response = english.post(
        reverse("password_change"),
        {"old_password": "pw", "new_password1": "short1", "new_password2": "short1"},
    )

    assert response.status_code == 200
    assert "This password is too short. It must contain at least 10 characters." in response.content.decode()
    personas.staff.refresh_from_db()
    assert personas.staff.check_password("pw")


def test_a_password_change_logs_out_the_other_sessions_but_keeps_this_one(personas):
    at_desk, at_home = Client(), Client()
    at_desk.force_login(personas.staff)
    at_home.force_login(personas.staff)

    response = at_desk.post(
        reverse("password_change"),
        {"old_password": "pw", "new_password1": "Qm7-harbour-Lantern", "new_password2": "Qm7-harbour-Lantern"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    assert logged_in(at_desk)
    assert not logged_in(at_home)
    assert at_home.get(reverse("dashboard"))["Location"].startswith(reverse("login"))


# --- Sessions -----------------------------------------------------------------------------------


def test_an_idle_session_expires_while_an_active_one_stays(personas, monkeypatch, settings):
    settings.SESSION_COOKIE_AGE = 3600
    start = timezone.now()
    active, idle = Client(), Client()
    active.force_login(personas.hr)
    idle.force_login(personas.staff)

    def at(minutes: int) -> None:
        monkeypatch.setattr(timezone, "now", lambda: start + dt.timedelta(minutes=minutes))

    # Each request of the active user pushes the expiry an hour further.
    for minutes in (40, 80, 120):
        at(minutes)
        assert logged_in(active), minutes
    assert not logged_in(idle)


def test_the_expiry_is_renewed_at_most_once_a_minute(personas, monkeypatch):
    start = timezone.now()
    client = Client()
    client.force_login(personas.hr)
    monkeypatch.setattr(timezone, "now", lambda: start + dt.timedelta(seconds=90))
    client.get(reverse("dashboard"))  # renews the expiry

    def session_writes(seconds: int) -> int:
        monkeypatch.setattr(timezone, "now", lambda: start + dt.timedelta(seconds=seconds))
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("dashboard")).status_code == 200
        return sum("django_session" in query["sql"] and "UPDATE" in query["sql"] for query in captured)

    assert session_writes(100) == 0  # within the minute: nothing written
    assert session_writes(160) == 1  # a minute on: the expiry moves


def test_the_session_cookie_ends_with_the_browser(client, personas):
    personas.hr.set_password("a-Long-passphrase-2026")
    personas.hr.save()

    cookie = log_in(client, personas.hr.username, "a-Long-passphrase-2026").cookies[settings.SESSION_COOKIE_NAME]

    assert cookie["max-age"] == ""
    assert cookie["expires"] == ""
    assert cookie["httponly"]


# --- In the browser -----------------------------------------------------------------------------


@pytest.mark.browser
def test_changing_the_password_in_one_browser_logs_the_other_out(new_page, screenshot):
    UserFactory(username="zhang")
    at_desk, at_home = new_page(), new_page()
    browser_log_in(at_desk, "zhang", "pw")
    browser_log_in(at_home, "zhang", "pw")

    at_desk.locator(f'.userbox a[href="{reverse("password_change")}"]').click()
    at_desk.locator("#id_old_password").fill("pw")
    at_desk.locator("#id_new_password1").fill("Qm7-harbour-Lantern")
    at_desk.locator("#id_new_password2").fill("Qm7-harbour-Lantern")
    with at_desk.expect_navigation():
        at_desk.locator("main button[type=submit]").click()

    assert at_desk.url.endswith(reverse("password_change_done"))
    at_home.goto(reverse("dashboard"))
    assert reverse("login") in at_home.url
    at_desk.goto(reverse("dashboard"))
    assert at_desk.url.endswith(reverse("dashboard"))
    screenshot(at_desk)


@pytest.mark.browser
def test_the_login_page_says_when_an_account_is_locked(new_page, screenshot):
    UserFactory(username="zhang")
    page = new_page()
    page.goto(reverse("login"))
    for _ in range(5):
        page.locator("input[name=username]").fill("zhang")
        page.locator("input[name=password]").fill("wrong-password")
        with page.expect_navigation():
            page.locator("main button[type=submit]").click()

    alert = page.get_by_role("alert")
    assert "zhang" in alert.inner_text()
    assert "15" in alert.inner_text()
    screenshot(page)
