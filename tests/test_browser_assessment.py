"""An assessment cycle in Chromium, on the demo zone: a department head enters his department's
values and individual scores, HR proposes a coefficient, leadership approves it, HR runs the
ratings, overrides one grade with a reason and confirms; the proposals appear.

Screenshots go to test-artifacts/screenshots/: the KPI tree, the coefficients, the ratings, the proposals.
"""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from assessment import services
from assessment.models import ConsequenceProposal, Cycle, DepartmentCoefficient, Indicator, Rating
from staffing.models import Appointment
from staffing.selectors import user_department
from tests.plugins.browser import log_in, screenshot_path
from zonehr.models import User

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "zonehr2026"


@pytest.fixture
def cycle_in_scoring(live_site):
    """The demo zone, and a cycle whose KPI cascade covers head_a's department and two of its staff."""
    call_command("demo_zone", "--staff", "60", "--seed", "7", stdout=io.StringIO())
    hr = User.objects.get(username="hr")
    head = User.objects.get(username="head_a")
    department = user_department(head)
    staff = list(
        Appointment.objects.filter(status=Appointment.Status.ACTIVE, post__department=department)
        .exclude(person__user=head)
        .select_related("person")
        .order_by("person__name")[:2]
    )
    # The demo zone holds the 2025 and 2026 cycles already.
    cycle = Cycle.objects.create(name="2027年度考核", kind=Cycle.Kind.ANNUAL, year=2027)
    zone = Indicator.objects.create(
        cycle=cycle, level="zone", name="营商环境满意度", unit="分", rule="judged", weight=Decimal(100)
    )
    own = Indicator.objects.create(
        cycle=cycle,
        level="department",
        parent=zone,
        department=department,
        name="重点项目推进",
        rule="judged",
        weight=Decimal(100),
    )
    personal = [
        Indicator.objects.create(
            cycle=cycle,
            level="individual",
            parent=own,
            person=appointment.person,
            name="个人工作实绩",
            rule="judged",
            weight=Decimal(100),
        )
        for appointment in staff
    ]
    services.cycle_advance(actor=hr, cycle=cycle)
    return cycle, department, own, personal


def enter(page, indicator, value: str) -> None:
    page.locator(f"a[href$='/indicators/{indicator.pk}/enter/']").click()
    page.wait_for_url(f"**/indicators/{indicator.pk}/enter/")
    page.locator("input[name=judged]").fill(value)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


def test_a_cycle_from_value_entry_to_confirmed_ratings(cycle_in_scoring, new_page, request):
    cycle, department, own, personal = cycle_in_scoring
    base = f"/assessment/cycles/{cycle.pk}"

    head = new_page()
    log_in(head, "head_a", DEMO_PASSWORD)
    head.goto(f"{base}/kpi/")
    enter(head, own, "88")
    for indicator, value in zip(personal, ("96", "72"), strict=False):
        enter(head, indicator, value)
    expect(head.locator("table.kpi")).to_contain_text("96.00")
    head.screenshot(path=screenshot_path(request, suffix="-kpi"), full_page=True)
    assert Indicator.objects.get(pk=own.pk).score == Decimal("88.00")

    hr = new_page()
    log_in(hr, "hr", DEMO_PASSWORD)
    hr.goto(f"{base}/coefficients/")
    form = hr.locator("form.propose")
    form.locator("select[name=department]").select_option(str(department.pk))
    form.locator("input[name=value]").fill("1.2")
    form.locator("textarea[name=reason]").fill("重点项目多、招商任务重")
    with hr.expect_navigation():
        form.locator("button[type=submit]").click()

    leader = new_page()
    log_in(leader, "leader", DEMO_PASSWORD)
    leader.goto(f"{base}/coefficients/")
    coefficient = DepartmentCoefficient.objects.get(cycle=cycle)
    with leader.expect_navigation():
        leader.locator(f"form[action$='/coefficients/{coefficient.pk}/decide/'] button.primary").click()
    expect(leader.locator(".msg-success")).to_be_visible()
    leader.screenshot(path=screenshot_path(request, suffix="-coefficients"), full_page=True)
    assert DepartmentCoefficient.objects.get(pk=coefficient.pk).status == "approved"

    hr.goto(f"{base}/")
    with hr.expect_navigation():
        hr.locator(f"form[action$='/cycles/{cycle.pk}/advance/'] button").click()
    hr.goto(f"{base}/ratings/")
    with hr.expect_navigation():
        hr.locator(f"form[action$='/cycles/{cycle.pk}/ratings/run/'] button").click()
    group = hr.locator("section.group")
    expect(group).to_have_count(1)
    expect(group.locator("table.quotas")).to_be_visible()

    # The lowest-ranked person is raised to excellent, which the group's quota does not allow.
    lowest = Rating.objects.filter(cycle=cycle).order_by("-rank", "id").first()
    hr.locator(f"a[href$='/ratings/{lowest.pk}/override/']").click()
    hr.wait_for_url(f"**/ratings/{lowest.pk}/override/")
    hr.locator("select[name=grade]").select_option("excellent")
    hr.locator("textarea[name=reason]").fill("抗洪抢险表现突出")
    with hr.expect_navigation():
        hr.locator("main form button[type=submit]").click()
    expect(hr.locator(".quota-warnings")).to_be_visible()
    expect(group.locator("td.broken")).to_have_count(1)
    hr.screenshot(path=screenshot_path(request, suffix="-ratings"), full_page=True)

    with hr.expect_navigation():
        hr.locator(f"form[action$='/cycles/{cycle.pk}/advance/'] button").click()
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.CONFIRMED
    assert Rating.objects.get(pk=lowest.pk).grade == "excellent"

    hr.goto(f"{base}/proposals/")
    expect(hr.locator("table.data")).to_contain_text(lowest.person.name)
    assert ConsequenceProposal.objects.filter(rating=lowest, status="proposed").count() == 2
    hr.screenshot(path=screenshot_path(request, suffix="-proposals"), full_page=True)
