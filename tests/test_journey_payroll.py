"""Finance closes the demo zone's open month in Chromium: open November, calculate it, watch the
progress bar fill and read the warnings, review a department, close the month, download the
salary sheet and find in it the net pay the page showed. Then a department head reads his own
department's month: the package and what it was paid, nobody's lines.

A job running on a worker is followed by the bar as htmx polls it, and the page reloads when the
job ends.

Screenshots go to test-artifacts/screenshots/<test name>-<step>.png: the list of months, the
month before and after calculating, the department review, the closed month, the head's page and
the bar of a running job.
"""

import io
from decimal import Decimal

import openpyxl
import pytest
from playwright.sync_api import expect

from assessment import demo as assessment_demo
from payroll import demo as payroll_demo
from payroll.models import PayPeriod, PayrollJob
from payroll.selectors import period_totals
from recruitment import demo as recruitment_demo
from staffing import demo as zone
from staffing.selectors import user_department
from tests.payroll_fixtures import build_pay_zone
from tests.plugins.browser import log_in, screenshot_path
from zonehr.models import User

pytestmark = pytest.mark.browser

STAFF = 60
PASSWORD = "pw"  # what tests.factories.UserFactory sets


@pytest.fixture
def november(live_site) -> PayPeriod:
    zone.demo_zone_build(staff=STAFF, seed=7)
    recruitment_demo.demo_campaigns_build(seed=7)
    assessment_demo.demo_assessment_build(seed=7)
    return payroll_demo.demo_payroll_build(seed=7).open


def amount(text: str) -> Decimal:
    return Decimal(text.replace(",", "").strip())


def test_finance_calculates_reviews_closes_and_downloads_the_salary_sheet(november, new_page, request):
    def shot(page, step: str) -> None:
        page.screenshot(path=screenshot_path(request, suffix=f"-{step}"), full_page=True)

    page = new_page()
    log_in(page, "finance", zone.DEMO_PASSWORD)
    page.locator(".mainnav a[href='/payroll/periods/']").click()
    page.wait_for_url("**/payroll/periods/")
    rows = page.locator("table.periods tbody tr")
    expect(rows).to_have_count(3)
    shot(page, "months")

    page.get_by_role("link", name=str(november), exact=True).click()
    page.wait_for_url(f"**/payroll/periods/{november.pk}/")
    expect(page.locator("h1 .status-open")).to_be_visible()
    expect(page.locator("#job-progress progress")).to_have_count(0)
    shot(page, "open")

    with page.expect_navigation():
        page.locator(f"form[action$='/periods/{november.pk}/calculate/'] button").click()
    expect(page.locator("h1 .status-calculated")).to_be_visible()
    bar = page.locator("#job-progress progress")
    expect(bar).to_be_visible()
    assert bar.get_attribute("value") == bar.get_attribute("max")
    warnings = page.locator("section.warnings")
    expect(warnings).to_be_visible()
    expect(warnings.locator("details.warning-no_bank_account")).to_be_visible()
    november.refresh_from_db()
    totals = period_totals(november)
    net_shown = amount(page.locator("#total-net_pay").inner_text())
    assert net_shown == totals["net_pay"]
    assert amount(page.locator("#total-gross_pay").inner_text()) == totals["gross_pay"]
    shot(page, "calculated")

    first = page.locator("table.departments tbody tr").first
    headcount = int(first.locator("td").nth(1).inner_text())
    first.locator("a").click()
    page.wait_for_url(f"**/payroll/periods/{november.pk}/departments/*/")
    expect(page.locator("table.lines tbody tr")).to_have_count(headcount)
    shot(page, "department")

    page.go_back()
    with page.expect_navigation():
        page.locator(f"form[action$='/periods/{november.pk}/close/'] button").click()
    expect(page.locator("h1 .status-closed")).to_be_visible()
    expect(page.locator(f"form[action$='/periods/{november.pk}/calculate/']")).to_have_count(0)
    shot(page, "closed")

    with page.expect_download() as download:
        page.locator(f"a[href$='/periods/{november.pk}/salary-sheet.xlsx']").click()
    workbook = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    overall = list(workbook.worksheets[0].iter_rows(values_only=True))[-1]
    assert Decimal(str(overall[-1])) == net_shown
    assert overall[1] == int(page.locator("#total-headcount").inner_text())

    head = new_page()
    log_in(head, "head_a", zone.DEMO_PASSWORD)
    department = user_department(User.objects.get(username="head_a"))
    head.locator(".mainnav a[href='/payroll/periods/']").click()
    head.wait_for_url("**/payroll/periods/")
    expect(head.locator("table.periods thead th")).to_have_count(5)  # no deductions, tax or net pay
    shot(head, "head-months")
    head.get_by_role("link", name=department.name).click()
    head.wait_for_url("**/payroll/my-department/")
    expect(head.locator("main table.data tbody tr")).to_have_count(3)
    head.get_by_role("link", name=str(november), exact=True).click()
    head.wait_for_url(f"**/payroll/periods/{november.pk}/departments/{department.pk}/")
    expect(head.locator("#package-performance")).to_be_visible()
    expect(head.locator("table.lines")).to_have_count(0)
    shot(head, "head")


def test_the_progress_bar_follows_a_running_job_and_the_page_reloads_when_it_ends(live_site, new_page, request):
    zone = build_pay_zone(departments=1, staff_per_department=2)
    job = PayrollJob.objects.create(
        period=zone.period, kind=PayrollJob.Kind.CALCULATE, status=PayrollJob.Status.RUNNING, total_steps=4
    )
    PayrollJob.objects.filter(pk=job.pk).update(done_steps=1)
    page = new_page()
    log_in(page, zone.finance.username, PASSWORD)
    page.goto(f"/payroll/periods/{zone.period.pk}/")
    bar = page.locator("#job-progress progress")
    expect(bar).to_have_attribute("value", "1")
    expect(page.locator(f"form[action$='/periods/{zone.period.pk}/calculate/'] button")).to_be_disabled()

    PayrollJob.objects.filter(pk=job.pk).update(done_steps=3)
    expect(bar).to_have_attribute("value", "3")
    page.screenshot(path=screenshot_path(request, suffix="-running"))

    with page.expect_navigation():
        PayrollJob.objects.filter(pk=job.pk).update(done_steps=4, status=PayrollJob.Status.SUCCEEDED)
    expect(page.locator("#job-progress .status-succeeded")).to_be_visible()
    expect(bar).to_have_attribute("value", "4")
    assert page.locator("#job-progress").get_attribute("hx-trigger") is None
    expect(page.locator(f"form[action$='/periods/{zone.period.pk}/calculate/'] button")).to_be_enabled()
