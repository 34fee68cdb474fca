"""Journeys through the real pages in Chromium, on the demo zone, as the people who use them.

Each journey ends with a screenshot in test-artifacts/screenshots/<test name>.png, so a
reviewer can see what the office sees.
"""

import io
import re

import pytest
from django.core.management import call_command
from django.utils import translation

from staffing.models import Person
from staffing.permissions import ROSTER_ROLES
from tests.plugins.browser import log_in, rendering_fonts
from zonehr.models import User
from zonehr.roles import Role

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "zonehr2026"
CJK = re.compile(r"[\u4e00-\u9fff]")
# 18 characters in full (17 digits and a check digit), or masked to the first and last four.
NATIONAL_ID = re.compile(r"^\d{4}(\d{10}|\*{10})\d{3}[\dX]$")
STYLESHEET_LOADED = (
    "[...document.styleSheets].some(sheet => sheet.href?.endsWith('/zonehr.css') && sheet.cssRules.length)"
)


@pytest.fixture
def demo_zone(live_site) -> None:
    call_command("demo_zone", "--staff", "60", "--seed", "7", stdout=io.StringIO())


def in_chinese(text: str) -> str:
    """What the Chinese UI shows for `text`, read from the same catalogue the server uses."""
    with translation.override("zh-hans"):
        return translation.gettext(text)


def expect_language(page, code: str) -> None:
    page.wait_for_function("code => document.documentElement.lang === code", arg=code)
    assert page.locator(".langswitch button.current").get_attribute("value") == code


@pytest.mark.parametrize("viewport", ["desktop", "tablet"])
def test_hr_officer_switches_language_and_opens_the_roster(demo_zone, new_page, screenshot, viewport):
    page = new_page(viewport=viewport)
    log_in(page, "hr", DEMO_PASSWORD)

    # A zh-CN browser gets the Chinese interface without choosing it.
    expect_language(page, "zh-hans")
    assert page.evaluate(STYLESHEET_LOADED), "zonehr.css was not served"
    nav = page.locator(".mainnav")
    roster_label = in_chinese("Roster")
    assert CJK.search(roster_label), "the Chinese catalogue has no translation for the navigation"
    roster_link = nav.get_by_role("link", name=roster_label, exact=True)
    assert roster_link.is_visible()
    hr = User.objects.get(username="hr")
    welcome = in_chinese("Welcome, %(name)s") % {"name": hr.get_full_name() or hr.username}
    assert page.locator("h1").inner_text() == welcome
    # Chinese must be drawn with a CJK font, not fall back to one that shows empty boxes.
    fonts = rendering_fonts(page, ".mainnav")
    assert any("CJK" in family for family in fonts), f"navigation drawn with {fonts} (install fonts-noto-cjk)"

    # Switching language is a POST from the header; the page comes back in the other language.
    with page.expect_navigation():
        page.locator(".langswitch button[value=en]").click()
    expect_language(page, "en")
    assert nav.get_by_role("link", name="Roster", exact=True).is_visible()
    with page.expect_navigation():
        page.locator(".langswitch").get_by_role("button", name="中文").click()
    expect_language(page, "zh-hans")

    roster_link.click()
    page.wait_for_url("**/staffing/roster/")
    assert nav.locator("a[aria-current=page]").inner_text() == roster_label
    rows = page.locator("table.data tbody tr")
    assert rows.count() > 0
    names = rows.locator("td:nth-child(1)").all_inner_texts()
    assert set(names) <= set(Person.objects.values_list("name", flat=True)), "roster shows people not in the zone"
    assert any(CJK.search(name) for name in names), "the demo people should have Chinese names"
    id_header = page.locator("table.data thead th").nth(1).inner_text()
    assert id_header == in_chinese("National ID")
    for national_id in rows.locator("td:nth-child(2)").all_inner_texts():
        assert NATIONAL_ID.match(national_id), national_id

    screenshot(page)


def test_staff_member_sees_his_record_but_not_the_roster(demo_zone, new_page, screenshot):
    person = Person.objects.get(user__username="staff")
    page = new_page()
    log_in(page, "staff", DEMO_PASSWORD)

    card = page.locator(".card", has=page.get_by_role("heading", name=in_chinese("My record")))
    assert person.name in card.locator(".figure").inner_text()
    assert card.get_by_role("link", name=in_chinese("Open my record")).is_visible()
    assert page.locator(".mainnav a[href='/staffing/roster/']").count() == 0, "nav links to a page he may not open"

    response = page.goto("/staffing/roster/")
    assert response is not None and response.status == 403
    assert page.locator("h1").inner_text() == in_chinese("You may not open this page")
    explanation = page.locator(".lead").inner_text()
    for role in (*ROSTER_ROLES, Role.STAFF_MEMBER):  # the roles it is for, and the one he holds
        assert in_chinese(role.label) in explanation, f"the 403 page should name {role.label}: {explanation}"

    screenshot(page)
