"""The pay period pages: the list of months, opening one, calculating with its progress, missing
inputs and warnings, closing and reopening, and the department pages by who may see what."""

from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from payroll import selectors, services
from payroll.models import PayPeriod, PayProfile, PayrollJob
from tests.factories import UserFactory
from tests.payroll_fixtures import build_cycle, build_pay_zone, build_person_on_post

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def zone(personas):
    """Two departments of the fixtures plus the personas' A and B (rated and packaged too)."""
    return build_pay_zone(departments=2, staff_per_department=3)


def money(value: Decimal) -> str:
    return f"{value:,.2f}"


def calculated(zone) -> PayPeriod:
    job = services.start_calculation(period=zone.period, actor=zone.finance)
    assert job.status == PayrollJob.Status.SUCCEEDED, job.error
    zone.period.refresh_from_db()
    return zone.period


def page(client, user, name, **kwargs):
    client.force_login(user)
    return client.get(reverse(f"payroll:{name}", kwargs=kwargs))


def post(client, user, name, data=None, **kwargs):
    client.force_login(user)
    return client.post(reverse(f"payroll:{name}", kwargs=kwargs), data or {})


# --- The list and opening a month -----------------------------------------------------------------


def test_finance_sees_every_month_with_its_totals_and_may_open_one(english, zone):
    period = calculated(zone)
    totals = selectors.period_totals(period)
    response = page(english, zone.finance, "periods")
    text = response.content.decode()
    assert response.status_code == 200
    assert str(period) in text and "Calculated" in text
    assert money(totals["net_pay"]) in text and money(totals["gross_pay"]) in text
    assert 'action="/payroll/periods/open/"' in text
    # The form suggests the month after the latest one and the confirmed annual cycle.
    assert response.context["form"].initial == {"year": 2025, "month": 2, "cycle": zone.cycle.pk}


def test_leadership_reads_the_months_but_opens_none(english, zone):
    response = page(english, zone.leader, "periods")
    assert response.status_code == 200
    assert response.context["form"] is None
    refused = post(english, zone.leader, "period_open", {"year": 2025, "month": 2, "cycle": zone.cycle.pk})
    assert refused.status_code == 403


def test_a_department_head_sees_his_own_departments_pay_and_no_deductions(english, zone, personas):
    calculated(zone)
    response = page(english, personas.head_a, "periods")
    text = response.content.decode()
    own = selectors.department_totals(zone.period, department_id=personas.department_a.pk)[0]
    assert money(own["gross_pay"]) in text
    assert "Net pay" not in text and "Deductions" not in text
    assert money(selectors.period_totals(zone.period)["gross_pay"]) not in text
    assert reverse("payroll:department_review", args=[zone.period.pk, personas.department_a.pk]) in text
    assert f'href="{reverse("payroll:period_detail", args=[zone.period.pk])}"' not in text


def test_staff_and_hr_do_not_see_the_months(client, zone, personas):
    assert page(client, personas.staff, "periods").status_code == 403
    assert page(client, personas.hr, "periods").status_code == 403


def test_finance_opens_the_next_month_on_a_confirmed_cycle(english, zone):
    response = post(english, zone.finance, "period_open", {"year": 2025, "month": 2, "cycle": zone.cycle.pk})
    period = PayPeriod.objects.get(year=2025, month=2)
    assert response.status_code == 302
    assert response["Location"] == reverse("payroll:period_detail", args=[period.pk])
    assert (period.status, period.cycle) == (PayPeriod.Status.OPEN, zone.cycle)


def test_opening_a_month_twice_or_on_an_unconfirmed_cycle_is_refused_and_writes_nothing(english, zone):
    again = post(english, zone.finance, "period_open", {"year": 2025, "month": 1, "cycle": zone.cycle.pk})
    assert again.status_code == 200
    assert "already has a pay period" in again.content.decode()
    planning = build_cycle(year=2026)
    planning.status = "planning"
    planning.save()
    refused = post(english, zone.finance, "period_open", {"year": 2025, "month": 3, "cycle": planning.pk})
    assert refused.status_code == 200
    assert refused.context["form"].errors["cycle"]
    assert PayPeriod.objects.count() == 1


# --- Calculating -----------------------------------------------------------------------------------


def test_calculating_shows_the_full_progress_bar_the_totals_and_every_department(english, zone):
    response = post(english, zone.finance, "period_calculate", pk=zone.period.pk)
    assert response.status_code == 302
    zone.period.refresh_from_db()
    assert zone.period.status == PayPeriod.Status.CALCULATED
    detail = english.get(response["Location"])
    text = detail.content.decode()
    assert "The calculation has finished." in text
    job = zone.period.current_job
    assert f'<progress max="{job.total_steps}" value="{job.total_steps}"' in text
    assert "hx-trigger" not in text  # nothing left to poll
    totals = selectors.period_totals(zone.period)
    assert f'<dd id="total-net_pay" class="net">{money(totals["net_pay"])}</dd>' in text
    assert f'<dd id="total-gross_pay">{money(totals["gross_pay"])}</dd>' in text
    for department in zone.departments:
        assert reverse("payroll:department_review", args=[zone.period.pk, department.pk]) in text
    assert "Recalculate" in text and "Close the month" in text


def test_missing_inputs_refuse_the_calculation_naming_each_and_write_nothing(english, zone):
    unrated = build_person_on_post(department=zone.departments[1], name="未评定")
    response = post(english, zone.finance, "period_calculate", pk=zone.period.pk)
    assert response.status_code == 302
    text = english.get(response["Location"]).content.decode()
    assert "cannot be calculated yet" in text
    assert "Missing inputs: the calculation is blocked" in text
    assert f"{unrated.name} ({zone.departments[1].name}) has no rating" in text
    assert not PayrollJob.objects.exists()
    zone.period.refresh_from_db()
    assert zone.period.status == PayPeriod.Status.OPEN


def test_the_warnings_are_shown_with_their_figures_in_the_users_language(english, zone):
    person = zone.people[0]
    PayProfile.objects.filter(person=person).update(bank_account="")
    period = calculated(zone)
    text = page(english, zone.finance, "period_detail", pk=period.pk).content.decode()
    assert "No bank account" in text
    assert "the bank file cannot pay this person" in text
    low = [w for w in period.current_job.warnings if w["code"] == "performance_share_low"]
    assert low, "the fixture zone pays someone below the 60 % minimum"
    figures = low[0]["figures"]
    assert "Performance pay below the minimum share" in text
    share = f"{Decimal(figures['performance_share']) * 100:.2f}".rstrip("0").rstrip(".")
    assert (
        f"Performance pay {money(Decimal(figures['performance_pay']))} is {share} % of total income "
        f"{money(Decimal(figures['total_income']))}, below the minimum of 60 %."
    ) in text


def test_the_warnings_read_in_chinese_by_default(client, zone):
    PayProfile.objects.filter(person=zone.people[0]).update(bank_account="")
    period = calculated(zone)
    client.force_login(zone.finance)
    text = client.get(reverse("payroll:period_detail", args=[period.pk])).content.decode()
    assert '<html lang="zh-hans">' in text
    assert zone.people[0].name in text


def test_the_progress_fragment_polls_while_the_job_runs_and_reloads_the_page_when_done(english, zone):
    job = PayrollJob.objects.create(
        period=zone.period, kind=PayrollJob.Kind.CALCULATE, status=PayrollJob.Status.RUNNING, total_steps=4
    )
    PayrollJob.objects.filter(pk=job.pk).update(done_steps=1)
    detail = page(english, zone.finance, "period_detail", pk=zone.period.pk).content.decode()
    assert 'hx-trigger="every 1s"' in detail
    assert '<progress max="4" value="1"' in detail
    assert "disabled" in detail  # no second start while one runs

    url = reverse("payroll:period_progress", args=[zone.period.pk])
    running = english.get(url, HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 1s"' in running.content.decode()
    assert "HX-Refresh" not in running

    PayrollJob.objects.filter(pk=job.pk).update(status=PayrollJob.Status.SUCCEEDED, done_steps=4)
    done = english.get(url, HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"
    assert "hx-trigger" not in done.content.decode()
    assert '<progress max="4" value="4"' in done.content.decode()


def test_a_second_start_while_a_job_runs_is_refused_with_a_message(english, zone):
    PayrollJob.objects.create(period=zone.period, kind=PayrollJob.Kind.CALCULATE, status=PayrollJob.Status.RUNNING)
    response = post(english, zone.finance, "period_calculate", pk=zone.period.pk)
    text = english.get(response["Location"]).content.decode()
    assert "already running" in text
    assert PayrollJob.objects.count() == 1


def test_leadership_may_not_calculate_or_close(client, zone):
    assert post(client, zone.leader, "period_calculate", pk=zone.period.pk).status_code == 403
    assert post(client, zone.leader, "period_close", pk=zone.period.pk).status_code == 403
    assert not PayrollJob.objects.exists()


# --- Closing and reopening ---------------------------------------------------------------------------


def test_closing_locks_the_month_closing_again_is_harmless_and_leadership_reopens_with_a_reason(english, zone):
    period = calculated(zone)
    response = post(english, zone.finance, "period_close", pk=period.pk)
    text = english.get(response["Location"]).content.decode()
    period.refresh_from_db()
    assert period.status == PayPeriod.Status.CLOSED
    assert "The period is closed." in text
    assert "Recalculate" not in text and "Close the month" not in text
    closed_at = period.closed_at

    post(english, zone.finance, "period_close", pk=period.pk)
    period.refresh_from_db()
    assert (period.status, period.closed_at) == (PayPeriod.Status.CLOSED, closed_at)

    leader_page = page(english, zone.leader, "period_detail", pk=period.pk).content.decode()
    assert 'name="reason"' in leader_page
    refused = post(english, zone.leader, "period_reopen", {"reason": "  "}, pk=period.pk)
    assert "Give a reason" in english.get(refused["Location"]).content.decode()
    period.refresh_from_db()
    assert period.status == PayPeriod.Status.CLOSED

    post(english, zone.leader, "period_reopen", {"reason": "补发9月津贴"}, pk=period.pk)
    period.refresh_from_db()
    assert (period.status, period.reopen_reason) == (PayPeriod.Status.CALCULATED, "补发9月津贴")
    assert LogEntry.objects.get_for_object(period).filter(additional_data__reason="补发9月津贴").exists()


def test_finance_may_not_reopen(client, zone):
    period = calculated(zone)
    services.start_close(period=period, actor=zone.finance)
    assert post(client, zone.finance, "period_reopen", {"reason": "想改"}, pk=period.pk).status_code == 403
    period.refresh_from_db()
    assert period.status == PayPeriod.Status.CLOSED


def test_the_period_page_links_to_packages_inputs_and_the_downloads(english, zone):
    period = calculated(zone)
    text = page(english, zone.finance, "period_detail", pk=period.pk).content.decode()
    assert reverse("payroll:packages", args=[period.pk]) in text
    assert reverse("payroll:inputs", args=[period.pk]) in text
    leader = page(english, zone.leader, "period_detail", pk=period.pk).content.decode()
    assert reverse("payroll:inputs", args=[period.pk]) not in leader


# --- Departments -----------------------------------------------------------------------------------


def test_finance_reviews_every_line_of_a_department_with_its_tax(english, zone):
    period = calculated(zone)
    department = zone.departments[0]
    response = page(english, zone.finance, "department_review", pk=period.pk, department_pk=department.pk)
    text = response.content.decode()
    for person in zone.staff[department.pk]:
        assert person.name in text
    line = selectors.period_lines(period).filter(department=department).first()
    assert money(line.income_tax + line.annual_bonus_tax) in text
    total = selectors.department_totals(period, department_id=department.pk)[0]
    assert f'id="department-net_pay">{money(total["net_pay"])}<' in text
    assert zone.waiting[0].name in text and "Waiting" in text


def test_a_head_sees_his_departments_package_and_pay_but_nobodys_lines(english, zone, personas):
    period = calculated(zone)
    response = page(english, personas.head_a, "department_review", pk=period.pk, department_pk=personas.department_a.pk)
    text = response.content.decode()
    assert response.status_code == 200
    package = period.packages.get(department=personas.department_a)
    assert f'id="package-performance">{money(package.performance_package)}<' in text
    total = selectors.department_totals(period, department_id=personas.department_a.pk)[0]
    assert f'id="department-gross_pay">{money(total["gross_pay"])}<' in text
    assert personas.staff_person.name not in text
    assert "department-net_pay" not in text and "Tax" not in text
    assert response.context["lines"] == []


def test_a_head_may_not_open_another_departments_review(client, zone, personas):
    period = calculated(zone)
    response = page(client, personas.head_b, "department_review", pk=period.pk, department_pk=personas.department_a.pk)
    assert response.status_code == 404


def test_a_head_follows_his_department_month_by_month(english, zone, personas):
    period = calculated(zone)
    response = page(english, personas.head_a, "my_department")
    text = response.content.decode()
    package = period.packages.get(department=personas.department_a)
    assert str(period) in text
    assert money(package.basic_package) in text
    assert reverse("payroll:department_review", args=[period.pk, personas.department_a.pk]) in text
    assert page(english, zone.finance, "my_department").status_code == 403


# --- Admin -----------------------------------------------------------------------------------------


def test_the_admin_shows_payroll_and_changes_no_pay_line_job_or_period(client, zone):
    period = calculated(zone)
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    line = selectors.period_lines(period).first()
    for url in (
        reverse("admin:payroll_payline_changelist"),
        reverse("admin:payroll_payrolljob_changelist"),
        reverse("admin:payroll_payperiod_changelist"),
        reverse("admin:payroll_payprofile_changelist"),
    ):
        assert client.get(url).status_code == 200, url
    page = client.get(reverse("admin:payroll_payline_change", args=[line.pk])).content.decode()
    assert 'name="net_pay"' not in page  # shown read-only
    assert client.get(reverse("admin:payroll_payline_add")).status_code == 403
    assert (
        client.post(
            reverse("admin:payroll_payrolljob_delete", args=[period.current_job_id]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert (
        client.post(reverse("admin:payroll_payperiod_change", args=[period.pk]), {"status": "open"}).status_code == 403
    )
    period.refresh_from_db()
    assert period.status == PayPeriod.Status.CALCULATED
