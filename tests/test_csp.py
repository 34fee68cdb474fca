"""Content-Security-Policy: every page sends the policy and carries nothing it would block.

Scripts and styles may only come from our static files, so a page must hold no inline <script>,
<style>, style="" attribute, on*= handler, javascript: URL or htmx attribute that needs eval.
"""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from assessment import demo as assessment_demo
from recruitment import demo as recruitment_demo
from staffing import demo
from staffing.models import Person
from tests.plugins.browser import log_in
from tests.test_permission_matrix import MATRIX
from zonehr.models import User

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}
# <script> types a browser does not run, e.g. Django's json_script.
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href"}
# htmx evaluates these as JavaScript when their value starts with js: or javascript:.
HTMX_EVAL_ATTRIBUTES = {"hx-vals", "hx-headers", "hx-vars", "data-hx-vals", "data-hx-headers", "data-hx-vars"}


class InlineCodeFinder(HTMLParser):
    """Collects what the policy would refuse, one line per offence."""

    def __init__(self) -> None:
        super().__init__()
        self.offences: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "script" and "src" not in named and (named.get("type") or "").lower() not in DATA_SCRIPT_TYPES:
            self.offences.append(f"inline <script> at line {self.getpos()[0]}")
        if tag == "style":
            self.offences.append(f"<style> element at line {self.getpos()[0]}")
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name == "style":
                self.offences.append(f'style="" on <{tag}>')
            elif name.startswith("on"):
                self.offences.append(f"{name}= handler on <{tag}>")
            elif name.startswith(("hx-on", "data-hx-on")):
                self.offences.append(f"{name} (htmx needs eval) on <{tag}>")
            elif name in URL_ATTRIBUTES and value.startswith("javascript:"):
                self.offences.append(f"javascript: URL in {name} of <{tag}>")
            elif name in HTMX_EVAL_ATTRIBUTES and value.startswith(("js:", "javascript:")):
                self.offences.append(f"{name} evaluated as JavaScript on <{tag}>")

    handle_startendtag = handle_starttag


def inline_code(html: str) -> list[str]:
    finder = InlineCodeFinder()
    finder.feed(html)
    finder.close()
    return finder.offences


def policy_of(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    directives = (part.strip().split(None, 1) for part in header.split(";") if part.strip())
    return {name: value for name, value in directives}


def problems(response) -> list[str]:
    found = [] if policy_of(response) == POLICY else [f"policy {response['Content-Security-Policy']!r}"]
    return found + inline_code(response.content.decode())


def test_the_finder_catches_every_kind_of_inline_code():
    page = """
        <script>alert(1)</script><script src="/static/a.js"></script>
        <script type="application/json">{"a": 1}</script>
        <style>p {}</style><p style="color: red">x</p><button onclick="go()">go</button>
        <a href="JavaScript:go()">a</a><div hx-on:click="go()"></div><div hx-vals='js:{a: go()}'></div>
        <svg><rect style="fill: red"/></svg>
    """

    assert inline_code(page) == [
        "inline <script> at line 2",
        "<style> element at line 4",
        'style="" on <p>',
        "onclick= handler on <button>",
        "javascript: URL in href of <a>",
        "hx-on:click (htmx needs eval) on <div>",
        "hx-vals evaluated as JavaScript on <div>",
        'style="" on <rect>',
    ]


@pytest.fixture
def zone(db):
    demo.demo_zone_build(staff=demo.MIN_STAFF, seed=7)
    return recruitment_demo.demo_campaigns_build(seed=7), assessment_demo.demo_assessment_build(seed=7)


def test_the_demo_zone_pages_send_the_policy_and_hold_no_inline_code(client, zone):
    campaigns, assessment = zone
    staff_person = Person.objects.get(user__username="staff")
    pages = {
        None: [reverse("login")],
        "hr": [
            reverse("dashboard"),
            reverse("staffing:roster"),
            reverse("staffing:person_detail", args=[staff_person.pk]),
            reverse("recruitment:campaigns"),
            reverse("recruitment:campaign_detail", args=[campaigns.finished.pk]),
            reverse("recruitment:results", args=[campaigns.finished.pk]),
            reverse("assessment:cycles"),
            reverse("assessment:cycle_detail", args=[assessment.annual.pk]),
            reverse("assessment:ratings", args=[assessment.annual.pk]),
            reverse("assessment:dashboard"),
            reverse("password_change"),
        ],
        "inspector": [reverse("audit_trail")],
        "staff": [reverse("staffing:person_detail", args=[staff_person.pk])],
    }
    found = {}
    for username, urls in pages.items():
        client.logout()
        if username:
            client.force_login(User.objects.get(username=username))
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            if offences := problems(response):
                found[url] = offences

    assert not found


def test_the_lockout_page_holds_no_inline_code(client, db):
    User.objects.create_user(username="zhang", password="Correct-Horse-9")
    for _ in range(5):
        response = client.post(reverse("login"), {"username": "zhang", "password": "wrong"})

    assert response.status_code == 429
    assert problems(response) == []


# Each page or download some persona may open (GET, 200), opened by the first such persona.
MATRIX_PAGES = {
    url_name: next(persona for persona, status in expected.items() if status == 200 and persona != "anonymous")
    for url_name, (_, expected, *method) in MATRIX.items()
    if not method
    and url_name != "api-docs"  # its own test below
    and any(status == 200 and persona != "anonymous" for persona, status in expected.items())
}


@pytest.mark.parametrize(("url_name", "persona"), MATRIX_PAGES.items())
def test_every_page_of_the_permission_matrix_holds_no_inline_code(client, personas, url_name, persona):
    kwargs_for = MATRIX[url_name][0]
    client.force_login(getattr(personas, persona))

    response = client.get(reverse(url_name, kwargs=kwargs_for(personas)))

    assert response.status_code == 200
    assert policy_of(response) == POLICY
    if response["Content-Type"].startswith("text/html"):
        assert inline_code(response.content.decode()) == []


def test_the_api_docs_relax_the_policy_for_their_own_styles_only(client, personas):
    client.force_login(personas.hr)

    response = client.get(reverse("api-docs"))

    assert policy_of(response) == {**POLICY, "style-src": "'self' 'unsafe-inline'"}
    assert [offence for offence in inline_code(response.content.decode()) if "<style>" not in offence] == []


@pytest.mark.browser
def test_the_api_docs_render_within_their_policy(new_page, screenshot):
    User.objects.create_user(username="zhang", password="Correct-Horse-9")
    page = new_page()
    log_in(page, "zhang", "Correct-Horse-9")

    page.goto(reverse("api-docs"))

    assert "ZoneHR API" in page.locator(".swagger-ui .info .title").inner_text()
    screenshot(page)
