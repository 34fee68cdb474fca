"""Pay slips, a member of staff's own pay history, and finance's downloads: who sees what."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from openpyxl import load_workbook

from payroll.models import PayLine, PayPeriod
from tests.test_payroll_exports import calculated_period, paid_person, pay_line
from zonehr.money import grouped

pytestmark = pytest.mark.django_db

CLOSED, CALCULATED, OPEN = PayPeriod.Status.CLOSED, PayPeriod.Status.CALCULATED, PayPeriod.Status.OPEN


def slip_url(line: PayLine) -> str:
    return reverse("payroll:slip", args=[line.period_id, line.person_id])


@pytest.fixture
def months(personas):
    """January and February closed, March closed, April calculated: the staff member is paid in
    each; a colleague in March."""
    lines = {}
    for month, status, tax in ((1, CLOSED, "30.00"), (2, CLOSED, "45.50"), (3, CLOSED, "60.25"), (4, CALCULATED, "7")):
        period = calculated_period(month=month, status=status)
        lines[month] = pay_line(
            period,
            personas.staff_person,
            department=personas.department_a,
            basic_salary="5000.00",
            basic_performance="2345.67",
            pension="400.00",
            income_tax=tax,
            archival_salary="4321.00",
            cumulative_taxable="1000.00",
            cumulative_tax="135.75",
        )
    lines["colleague"] = pay_line(
        lines[3].period, paid_person("同事甲"), department=personas.department_a, basic_salary="4000.00"
    )
    return lines


# --- The slip -------------------------------------------------------------------------------------------


def test_staff_read_their_own_slip_with_the_tax_working_and_the_archival_salary(english, personas, months):
    english.force_login(personas.staff)
    response = english.get(slip_url(months[3]))
    assert response.status_code == 200
    page = response.content.decode()
    assert personas.staff_person.name in page
    assert "7,345.67" in page  # gross pay
    assert grouped(months[3].net_pay) in page
    assert "4,321.00" in page  # archival salary beside actual pay
    assert "1,000.00" in page and "135.75" in page  # cumulative taxable income and tax


def test_the_slip_shows_the_tax_withheld_earlier_in_the_year(english, personas, months):
    english.force_login(personas.staff)
    working = {item.label: item.value for item in english.get(slip_url(months[3])).context["tax_working"]}
    assert working["Income tax withheld earlier this year"] == Decimal("75.50")  # January and February
    assert working["Income tax"] == Decimal("60.25")
    january = {item.label: item.value for item in english.get(slip_url(months[1])).context["tax_working"]}
    assert january["Income tax withheld earlier this year"] == Decimal("0.00")


def test_a_staff_member_may_not_open_a_colleagues_slip(client, personas, months):
    client.force_login(personas.staff)
    response = client.get(slip_url(months["colleague"]))
    assert response.status_code == 403


@pytest.mark.parametrize("user", ["head_a", "leader", "hr"])
def test_no_role_but_finance_opens_someone_elses_slip(client, personas, months, user):
    client.force_login(getattr(personas, user))
    assert client.get(slip_url(months[3])).status_code == 403


def test_finance_opens_anyones_slip_also_of_a_calculated_month(client, personas, months):
    client.force_login(personas.finance)
    assert client.get(slip_url(months["colleague"])).status_code == 200
    response = client.get(slip_url(months[4]))
    assert response.status_code == 200
    assert response.context["final"] is False


def test_staff_do_not_see_their_slip_of_a_month_not_yet_closed(client, personas, months):
    client.force_login(personas.staff)
    assert client.get(slip_url(months[4])).status_code == 404


def test_a_slip_of_a_person_not_paid_in_the_month_is_not_found(client, personas, months):
    client.force_login(personas.finance)
    url = reverse("payroll:slip", args=[months[3].period_id, personas.head_a_person.pk])
    assert client.get(url).status_code == 404


def test_the_slip_prints_without_inline_script(client, personas, months):
    client.force_login(personas.staff)
    page = client.get(slip_url(months[3])).content.decode()
    assert 'href="/static/css/print.css" media="print"' in page
    assert 'src="/static/js/print-button.js"' in page
    assert "<script>" not in page and "onclick" not in page
    assert "data-print hidden" in page  # shown by the script, so no dead button without it


# --- My pay ---------------------------------------------------------------------------------------------


def test_my_pay_lists_the_closed_months_latest_first(client, personas, months):
    client.force_login(personas.staff)
    response = client.get(reverse("payroll:my_pay"))
    assert response.status_code == 200
    assert [line.period.month for line in response.context["lines"]] == [3, 2, 1]
    page = response.content.decode()
    assert slip_url(months[3]) in page
    assert slip_url(months[4]) not in page  # calculated, not closed
    assert "同事甲" not in page


def test_my_pay_ignores_lines_of_a_calculation_no_longer_in_force(client, personas, months):
    march = months[3].period
    replaced = march.current_job
    march.current_job = None
    march.save(update_fields=["current_job"])
    client.force_login(personas.staff)
    lines = client.get(reverse("payroll:my_pay")).context["lines"]
    assert [line.period.month for line in lines] == [2, 1]
    assert PayLine.objects.filter(job=replaced).exists()


@pytest.mark.parametrize("user", ["finance", "outsider", "judge"])
def test_my_pay_is_refused_to_a_login_without_a_person_record(english, personas, user):
    english.force_login(getattr(personas, user))
    response = english.get(reverse("payroll:my_pay"))
    assert response.status_code == 403
    assert "not linked to a person" in response.content.decode()


def test_a_department_head_reads_his_own_pay(client, personas, months):
    pay_line(months[3].period, personas.head_a_person, department=personas.department_a, basic_salary="6000.00")
    client.force_login(personas.head_a)
    lines = client.get(reverse("payroll:my_pay")).context["lines"]
    assert [line.person_id for line in lines] == [personas.head_a_person.pk]


def test_pages_need_a_login(client, months):
    response = client.get(reverse("payroll:my_pay"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- Downloads ------------------------------------------------------------------------------------------

DOWNLOADS = ["payroll:salary_sheet", "payroll:bank_file", "payroll:pivot_report"]


@pytest.mark.parametrize("name", DOWNLOADS)
@pytest.mark.parametrize("user", ["staff", "head_a", "leader", "hr", "outsider"])
def test_only_finance_downloads_the_files(client, personas, months, name, user):
    client.force_login(getattr(personas, user))
    assert client.get(reverse(name, args=[months[4].period_id])).status_code == 403


@pytest.mark.parametrize("name", DOWNLOADS)
def test_nothing_to_download_for_a_month_not_calculated(client, personas, name):
    open_period = PayPeriod.objects.create(year=2026, month=9, status=OPEN)
    client.force_login(personas.finance)
    assert client.get(reverse(name, args=[open_period.pk])).status_code == 404


def test_finance_downloads_a_calculated_months_salary_sheet_built_now(client, personas, months):
    client.force_login(personas.finance)
    response = client.get(reverse("payroll:salary_sheet", args=[months[4].period_id]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames[1:] == [personas.department_a.name]


def test_a_closed_months_salary_sheet_is_the_one_stored_at_the_close(client, personas, months, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    march = months[3].period
    march.salary_sheet.save("2026-03.xlsx", ContentFile(b"the sheet of the close"))
    client.force_login(personas.finance)
    response = client.get(reverse("payroll:salary_sheet", args=[march.pk]))
    assert b"".join(response.streaming_content) == b"the sheet of the close"


def test_finance_downloads_the_bank_file_and_the_pivot_report(client, personas, months):
    client.force_login(personas.finance)
    march = months[3].period
    response = client.get(reverse("payroll:bank_file", args=[march.pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    *_transfers, totals = list(csv.reader(io.StringIO(text)))
    assert totals[1:] == ["1", f"{months['colleague'].net_pay:.2f}"]  # the staff member has no bank account
    response = client.get(reverse("payroll:pivot_report", args=[march.pk]))
    assert len(load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets) == 2
