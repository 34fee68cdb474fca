"""The payroll API: jobs started with 202 and their progress, the same permissions and error shape as
the pages, the narrowed reads, the downloads, and the endpoints in the OpenAPI schema."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from rest_framework.test import APIClient

from payroll import selectors, services
from payroll.models import PayPeriod, PayPolicy, PayrollJob
from tests.payroll_fixtures import build_pay_zone, build_person_on_post
from zonehr.xlsx import XLSX_TYPE

pytestmark = pytest.mark.django_db

PERIODS = "/api/payroll/periods/"


def client_for(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def error_shape(response) -> dict:
    body = response.json()
    assert set(body) == {"message", "fields"}, body
    return body


@pytest.fixture
def zone(personas):
    return build_pay_zone(departments=2, staff_per_department=3)


def calculate(zone) -> PayPeriod:
    response = client_for(zone.finance).post(f"{PERIODS}{zone.period.pk}/calculate/")
    assert response.status_code == 202, response.json()
    zone.period.refresh_from_db()
    return zone.period


# --- Jobs -----------------------------------------------------------------------------------------


def test_calculating_answers_202_with_the_job_and_its_progress_url(zone):
    client = client_for(zone.finance)
    response = client.post(f"{PERIODS}{zone.period.pk}/calculate/")
    assert response.status_code == 202
    body = response.json()
    job = PayrollJob.objects.get()
    assert body["job"] == job.pk
    assert body["status"] == "succeeded"  # no broker here: the tasks ran in-process
    assert body["progress_url"].endswith(f"/api/payroll/jobs/{job.pk}/")

    progress = client.get(body["progress_url"]).json()
    assert progress["done_steps"] == progress["total_steps"] == job.total_steps
    assert (progress["status"], progress["percent"], progress["kind"]) == ("succeeded", 100, "calculate")
    assert client.get(f"{PERIODS}{zone.period.pk}/progress/").json()["id"] == job.pk
    zone.period.refresh_from_db()
    assert zone.period.status == PayPeriod.Status.CALCULATED


def test_missing_inputs_refuse_the_calculation_naming_each_in_the_error_shape(zone):
    unrated = build_person_on_post(department=zone.departments[0], name="未评定")
    response = client_for(zone.finance).post(f"{PERIODS}{zone.period.pk}/calculate/")
    assert response.status_code == 400
    body = error_shape(response)
    assert any(unrated.name in missing for missing in body["fields"]["missing"])
    assert not PayrollJob.objects.exists()


def test_a_second_calculation_while_one_runs_is_refused(zone):
    PayrollJob.objects.create(period=zone.period, kind="calculate", status=PayrollJob.Status.RUNNING)
    response = client_for(zone.finance).post(f"{PERIODS}{zone.period.pk}/calculate/")
    assert response.status_code == 400
    assert "already running" in error_shape(response)["message"]
    assert PayrollJob.objects.count() == 1


def test_a_period_without_a_job_has_no_progress_yet(zone):
    response = client_for(zone.finance).get(f"{PERIODS}{zone.period.pk}/progress/")
    assert response.status_code == 404
    assert "not been calculated" in error_shape(response)["message"]


def test_only_finance_closes_and_closing_twice_answers_the_same_finished_job(zone):
    period = calculate(zone)
    refused = client_for(zone.leader).post(f"{PERIODS}{period.pk}/close/")
    assert refused.status_code == 403
    error_shape(refused)
    first = client_for(zone.finance).post(f"{PERIODS}{period.pk}/close/")
    again = client_for(zone.finance).post(f"{PERIODS}{period.pk}/close/")
    assert first.status_code == again.status_code == 202
    assert first.json()["job"] == again.json()["job"]
    assert PayrollJob.objects.filter(kind="close").count() == 1
    period.refresh_from_db()
    assert period.status == PayPeriod.Status.CLOSED


def test_closing_a_month_not_calculated_is_refused(zone):
    response = client_for(zone.finance).post(f"{PERIODS}{zone.period.pk}/close/")
    assert response.status_code == 400
    assert "before closing" in error_shape(response)["message"]


def test_leadership_reopens_a_closed_month_with_a_reason_only(zone):
    period = calculate(zone)
    services.start_close(period=period, actor=zone.finance)
    client = client_for(zone.leader)
    refused = client.post(f"{PERIODS}{period.pk}/reopen/", {"reason": ""}, format="json")
    assert refused.status_code == 400
    assert "reason" in error_shape(refused)["fields"]
    assert client_for(zone.finance).post(f"{PERIODS}{period.pk}/reopen/", {"reason": "补发"}).status_code == 403
    response = client.post(f"{PERIODS}{period.pk}/reopen/", {"reason": "补发9月津贴"}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["reopen_reason"]) == ("calculated", "补发9月津贴")


def test_finance_opens_a_month_and_a_duplicate_is_refused(zone):
    client = client_for(zone.finance)
    response = client.post(PERIODS, {"year": 2025, "month": 2, "cycle": zone.cycle.pk}, format="json")
    assert response.status_code == 201
    assert response.json()["status"] == "open"
    again = client.post(PERIODS, {"year": 2025, "month": 2, "cycle": zone.cycle.pk}, format="json")
    assert again.status_code == 400
    error_shape(again)
    assert PayPeriod.objects.filter(year=2025, month=2).count() == 1


# --- Reads ------------------------------------------------------------------------------------------


def test_a_head_reads_the_months_and_his_own_departments_package_only(zone, personas):
    calculate(zone)
    assert client_for(personas.head_a).get(PERIODS).json()["count"] == 1
    packages = client_for(personas.head_a).get("/api/payroll/packages/").json()["results"]
    assert [p["department"] for p in packages] == [personas.department_a.pk]
    everyone = client_for(zone.leader).get("/api/payroll/packages/", {"period": zone.period.pk}).json()
    assert everyone["count"] == len(zone.packages)
    assert client_for(personas.staff).get("/api/payroll/packages/").status_code == 403


def test_totals_agree_with_the_lines_and_a_head_gets_his_earnings_without_tax(zone, personas):
    period = calculate(zone)
    rows = client_for(zone.finance).get(f"{PERIODS}{period.pk}/totals/").json()
    overall = selectors.period_totals(period)
    assert rows[0]["department"] is None
    assert Decimal(rows[0]["net_pay"]) == overall["net_pay"]
    assert Decimal(rows[0]["gross_pay"]) == overall["gross_pay"]
    assert sum(Decimal(row["net_pay"]) for row in rows[1:]) == overall["net_pay"]

    own = client_for(personas.head_a).get(f"{PERIODS}{period.pk}/totals/").json()
    assert [row["department"] for row in own] == [personas.department_a.pk]
    assert own[0]["tax"] is None and own[0]["net_pay"] is None and own[0]["deductions"] is None
    department = selectors.department_totals(period, department_id=personas.department_a.pk)[0]
    assert Decimal(own[0]["gross_pay"]) == department["gross_pay"]


def test_finance_reads_the_lines_in_force_and_staff_only_their_own_of_closed_months(zone, personas):
    period = calculate(zone)
    lines = client_for(zone.finance).get("/api/payroll/lines/", {"period": period.pk}).json()
    assert lines["count"] == selectors.period_lines(period).count()
    assert client_for(personas.staff).get("/api/payroll/lines/").status_code == 403

    mine = client_for(personas.staff).get("/api/payroll/lines/mine/")
    assert (mine.status_code, mine.json()["count"]) == (200, 0)  # not closed yet
    services.start_close(period=period, actor=zone.finance)
    own = client_for(personas.staff).get("/api/payroll/lines/mine/").json()["results"]
    assert [line["person"] for line in own] == [personas.staff_person.pk]
    assert Decimal(own[0]["net_pay"]) == selectors.period_lines(period).get(person=personas.staff_person).net_pay
    assert client_for(zone.leader).get("/api/payroll/lines/mine/").json()["count"] == 0


def test_jobs_are_read_by_finance_and_leadership(zone, personas):
    calculate(zone)
    assert client_for(zone.leader).get("/api/payroll/jobs/").json()["count"] == 1
    assert client_for(personas.head_a).get("/api/payroll/jobs/").status_code == 403


# --- Policies ---------------------------------------------------------------------------------------


def test_finance_adds_a_policy_version_and_a_rate_above_100_percent_is_refused(zone, personas):
    client = client_for(zone.finance)
    response = client.post(
        "/api/payroll/policies/",
        {"effective_from": "2026-01-01", "per_head_base": "6500.00", "reason": "2026年绩效基数调整"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["per_head_base"] == "6500.00"
    refused = client.post(
        "/api/payroll/policies/", {"effective_from": "2027-01-01", "pension_rate": "1.2"}, format="json"
    )
    assert refused.status_code == 400
    assert "pension_rate" in error_shape(refused)["fields"]
    assert not PayPolicy.objects.filter(effective_from="2027-01-01").exists()
    assert client_for(personas.hr).get("/api/payroll/policies/").status_code == 403


# --- Downloads --------------------------------------------------------------------------------------


def test_the_salary_sheet_and_bank_file_total_what_the_database_holds(zone, personas):
    period = calculate(zone)
    client = client_for(zone.finance)
    sheet = client.get(f"{PERIODS}{period.pk}/salary-sheet/")
    assert sheet.status_code == 200
    assert sheet["Content-Type"] == XLSX_TYPE
    summary = openpyxl.load_workbook(io.BytesIO(sheet.content)).worksheets[0]
    overall = [row for row in summary.iter_rows(values_only=True)][-1]
    assert Decimal(str(overall[-1])) == selectors.period_totals(period)["net_pay"]

    bank = client.get(f"{PERIODS}{period.pk}/bank-file/")
    assert bank.status_code == 200 and bank["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(bank.content.decode("utf-8-sig"))))
    paid = sum(Decimal(row[2]) for row in rows[1:-1])
    # The personas have no pay profile, so no bank account: they are paid by other means.
    with_account = selectors.period_lines(period).exclude(person__pay_profile__bank_account="")
    expected = sum(line.net_pay for line in with_account.filter(person__pay_profile__isnull=False))
    assert Decimal(rows[-1][2]) == paid == expected
    assert client_for(zone.leader).get(f"{PERIODS}{period.pk}/bank-file/").status_code == 403


def test_a_closed_month_gives_the_salary_sheet_it_was_closed_with(zone, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    period = calculate(zone)
    services.start_close(period=period, actor=zone.finance)
    period.refresh_from_db()
    stored = period.salary_sheet.read()
    response = client_for(zone.finance).get(f"{PERIODS}{period.pk}/salary-sheet/", HTTP_ACCEPT=XLSX_TYPE)
    assert response.status_code == 200
    assert response.content == stored


# --- Plumbing ----------------------------------------------------------------------------------------


def test_anonymous_calls_get_401_in_the_error_shape():
    response = APIClient().get(PERIODS)
    assert response.status_code == 401
    error_shape(response)


def test_the_schema_documents_every_payroll_endpoint(personas):
    client = client_for(personas.hr)
    paths = client.get("/api/schema/", {"format": "json"}).json()["paths"]
    for path in (
        "/api/payroll/policies/",
        "/api/payroll/packages/",
        "/api/payroll/periods/",
        "/api/payroll/periods/{id}/calculate/",
        "/api/payroll/periods/{id}/close/",
        "/api/payroll/periods/{id}/reopen/",
        "/api/payroll/periods/{id}/progress/",
        "/api/payroll/periods/{id}/salary-sheet/",
        "/api/payroll/periods/{id}/bank-file/",
        "/api/payroll/jobs/{id}/",
        "/api/payroll/lines/",
        "/api/payroll/lines/mine/",
    ):
        assert path in paths, path
    calculate_op = paths["/api/payroll/periods/{id}/calculate/"]["post"]
    assert set(calculate_op["responses"]) >= {"202", "400"}
    sheet_op = paths["/api/payroll/periods/{id}/salary-sheet/"]["get"]
    assert XLSX_TYPE in sheet_op["responses"]["200"]["content"]


def test_a_month_not_calculated_has_nothing_to_download(zone):
    response = client_for(zone.finance).get(f"{PERIODS}{zone.period.pk}/salary-sheet/")
    assert response.status_code == 404
    assert "not been calculated" in error_shape(response)["message"]


def test_a_refused_download_answers_json_even_when_the_file_type_was_asked_for(zone, personas):
    response = client_for(personas.hr).get(f"{PERIODS}{zone.period.pk}/salary-sheet/", {"format": "xlsx"})
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    error_shape(response)
