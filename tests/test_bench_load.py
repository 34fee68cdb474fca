"""The load script's own parts: percentiles and the summary, the URL plan, and reading the pages
its judges fill in (the 60-second run itself is not a test)."""

import random
from decimal import Decimal

import pytest
import requests
from django.urls import reverse

from bench import load
from bench.load import Outcome, ZoneIds
from recruitment.models import ScoreSheet
from tests.matrix_recruitment_scoring import scoring_competition


def ids(**overrides) -> ZoneIds:
    values = {
        "staff": 120,
        "department_ids": (3, 4),
        "person_ids": (11, 12, 13),
        "surnames": ("王", "李"),
        "statuses": ("on_post", "waiting"),
        "identities": ("civil_servant",),
        "cycle_ids": (7,),
        "campaign_ids": (5, 6),
        "round_id": 21,
        "panel_id": 22,
        "roster_page_size": 50,
    }
    return ZoneIds(**{**values, **overrides})


def urls_of(steps, group: str) -> tuple[str, ...]:
    [step] = [step for step in steps if step.group == group]
    return step.urls


# --- Percentiles and the summary ---------------------------------------------------------------


def test_percentiles_are_nearest_rank():
    values = [float(n) for n in range(100, 0, -1)]
    assert load.percentile(values, 0.50) == 50
    assert load.percentile(values, 0.95) == 95
    assert load.percentile(values, 0.99) == 99
    assert load.percentile([7.0], 0.99) == 7
    # With few samples the 95th percentile is the slowest one.
    assert load.percentile([1.0, 2.0, 3.0], 0.95) == 3


def test_a_percentile_of_nothing_is_refused():
    with pytest.raises(ValueError):
        load.percentile([], 0.5)


def test_the_summary_counts_requests_and_errors_by_endpoint_and_reason():
    outcomes = [Outcome("board rows", float(ms)) for ms in range(1, 101)]
    outcomes += [Outcome("person", 40.0), Outcome("person", 50.0, "HTTP 500"), Outcome("person", 60.0, "HTTP 500")]
    outcomes += [Outcome("sheet submit", 30.0, "ConnectionError")]
    summary = load.summarize(outcomes, seconds=10.0)

    assert (summary.requests, summary.errors, summary.rate) == (104, 3, 10.4)
    assert summary.error_reasons == {"person": {"HTTP 500": 2}, "sheet submit": {"ConnectionError": 1}}
    board = next(group for group in summary.groups if group.group == "board rows")
    assert (board.requests, board.errors, board.p50, board.p95, board.p99) == (100, 0, 50, 95, 99)
    person = next(group for group in summary.groups if group.group == "person")
    assert (person.requests, person.errors, person.p50) == (3, 2, 50)
    assert summary.overall.requests == 104
    assert not summary.target_met


def test_the_target_is_missed_by_one_slow_endpoint_group_even_without_errors():
    outcomes = [Outcome("board rows", 20.0)] * 50 + [Outcome("roster export", 250.0)] * 18
    outcomes += [Outcome("roster export", 400.0)] * 2
    summary = load.summarize(outcomes, seconds=60.0)

    assert summary.errors == 0
    assert [group.group for group in summary.slow_groups] == ["roster export"]
    assert not summary.target_met
    text = load.report(summary)
    assert "MISSED" in text
    assert "roster export p95 400.0 ms" in text
    assert "errors by endpoint: none" in text


def test_the_target_is_met_with_no_error_and_every_p95_under_300_ms():
    summary = load.summarize([Outcome("board rows", 20.0), Outcome("person", 299.0)], seconds=1.0)
    assert summary.target_met
    assert "): met" in load.report(summary)


def test_the_report_lists_each_error_reason_under_its_endpoint():
    summary = load.summarize([Outcome("person", 10.0, "HTTP 403"), Outcome("person", 12.0)], seconds=1.0)
    assert "  person: HTTP 403 × 1" in load.report(summary)


def test_a_stall_shows_in_the_95th_percentile_over_time():
    outcomes = [Outcome("board rows", 20.0, at=second + 0.5) for second in range(15)]
    outcomes += [Outcome("board rows", 1800.0, at=7.0), Outcome("person", 1900.0, at=8.2)]
    summary = load.summarize(outcomes, seconds=15.0)
    assert summary.timeline == [(0, 5, 20.0), (5, 7, 1900.0), (10, 5, 20.0)]
    assert "p95 by 5 s of the window: 0s 20 · 5s 1900 · 10s 20" in load.report(summary)


def test_a_summary_of_no_request_is_refused():
    with pytest.raises(ValueError):
        load.summarize([], seconds=60.0)


# --- What counts as an error -------------------------------------------------------------------


def response(status: int, location: str = "") -> requests.Response:
    answer = requests.Response()
    answer.status_code = status
    if location:
        answer.headers["Location"] = location
    return answer


def test_server_errors_refusals_and_a_lost_session_are_errors():
    assert load.failure(response(500), None) == "HTTP 500"
    assert load.failure(response(403), 200) == "HTTP 403"
    assert load.failure(response(302, "/accounts/login/?next=/"), None) == "sent back to the login page"
    # A sheet page shown again instead of the redirect means the submission was not accepted.
    assert load.failure(response(200), 302) == "HTTP 200, expected 302"


def test_expected_answers_are_not_errors():
    assert load.failure(response(200), 200) == ""
    assert load.failure(response(302, "/recruitment/scoring/panels/1/"), 302) == ""
    assert load.failure(response(304), None) == ""


def test_marks_are_half_points_from_60_to_100_percent_of_the_maximum():
    rng = random.Random(1)
    marks = {load.half_points(Decimal(15), rng) for _ in range(500)}
    assert min(marks) == Decimal(9) and max(marks) == Decimal(15)
    assert all(mark * 2 == int(mark * 2) for mark in marks)


# --- The URL plan --------------------------------------------------------------------------------


def test_hr_officers_browse_every_kind_of_page_asked_for():
    plan = load.url_plan(ids())
    assert {step.group for step in plan.hr} == {
        "dashboard",
        "roster",
        "roster filtered",
        "person",
        "department tree",
        "campaign list",
        "campaign detail",
        "cycle list",
        "cycle detail",
        "cycle kpi tree",
        "cycle ratings",
    }
    assert urls_of(plan.hr, "person") == tuple(reverse("staffing:person_detail", args=[pk]) for pk in (11, 12, 13))
    assert urls_of(plan.hr, "cycle ratings") == (reverse("assessment:ratings", args=[7]),)


def test_the_roster_is_filtered_by_department_status_identity_name_and_page():
    roster = reverse("staffing:roster")
    filtered = set(urls_of(load.url_plan(ids()).hr, "roster filtered"))
    assert {f"{roster}?department=3", f"{roster}?status=waiting", f"{roster}?identity=civil_servant"} <= filtered
    assert f"{roster}?q=%E7%8E%8B" in filtered  # 王
    # 120 staff at 50 a page: pages 2 and 3, no page 4.
    assert {f"{roster}?page=2", f"{roster}?page=3"} <= filtered
    assert f"{roster}?page=4" not in filtered


def test_a_zone_without_cycles_has_no_cycle_pages_in_the_plan():
    groups = {step.group for step in load.url_plan(ids(cycle_ids=())).hr}
    assert not any(group.startswith("cycle") for group in groups)


def test_the_board_and_the_panel_are_those_of_the_round_prepared():
    plan = load.url_plan(ids())
    assert plan.board_rows == reverse("recruitment:board_rows", args=[21])
    assert plan.board_page == reverse("recruitment:board", args=[21])
    assert plan.panel == reverse("recruitment:scoring_panel", args=[22])


def test_finance_downloads_roster_exports_without_a_closed_pay_period():
    export = reverse("staffing:roster_export")
    finance = load.url_plan(ids()).finance
    assert [step.group for step in finance] == ["roster export xlsx", "roster export xlsx filtered"]
    assert urls_of(finance, "roster export xlsx") == (export,)
    assert f"{export}?department=4" in urls_of(finance, "roster export xlsx filtered")


def test_finance_downloads_the_payroll_files_once_a_closed_period_is_served():
    downloads = (
        ("payroll salary sheet xlsx", "/payroll/periods/8/salary-sheet.xlsx"),
        ("payroll bank file", "/payroll/periods/8/bank.csv"),
        ("payroll salary sheet xlsx", "/payroll/periods/9/salary-sheet.xlsx"),
    )
    finance = load.url_plan(ids(payroll_downloads=downloads)).finance
    assert {step.group: step.urls for step in finance} == {
        "payroll salary sheet xlsx": ("/payroll/periods/8/salary-sheet.xlsx", "/payroll/periods/9/salary-sheet.xlsx"),
        "payroll bank file": ("/payroll/periods/8/bank.csv",),
    }


def test_a_step_is_picked_by_weight():
    steps = (load.Step("often", ("/a/",), 9), load.Step("never", ("/b/",), 0))
    rng = random.Random(3)
    assert {load.Plan.pick(steps, rng) for _ in range(50)} == {("often", "/a/")}


# --- The pages the judges read -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_judge_finds_the_next_sheet_its_marks_and_submits_it_as_the_tablet_does(client):
    competition = scoring_competition(candidates=2)
    judge = competition.judges[0]
    client.force_login(judge)
    panel = client.get(reverse("recruitment:scoring_panel", args=[competition.panel.pk])).content.decode()

    sheet_url = load.NEXT_SHEET.search(panel).group(1)
    first = competition.panel.candidates.order_by("running_order").first().application
    assert sheet_url == reverse("recruitment:scoring_sheet", args=[competition.panel.pk, first.pk])
    sheet = client.get(sheet_url).content.decode()
    inputs = {tag.group(1): load.MAXIMUM.search(tag.group(0)).group(1) for tag in load.MARK_INPUT.finditer(sheet)}
    assert inputs == {f"criterion_{c.pk}": f"{c.maximum.normalize():f}" for c in competition.criteria}
    assert load.TOTAL_URL.search(sheet).group(1) == f"{sheet_url}total/"
    assert load.CSRF_INPUT.search(sheet)

    form = {name: "30" for name in inputs}
    assert client.post(load.TOTAL_URL.search(sheet).group(1), form, headers=load.HTMX).status_code == 200
    assert client.post(sheet_url, {**form, "action": "submit"}).status_code == 302
    assert ScoreSheet.objects.get(judge=judge, application=first).status == ScoreSheet.Status.SUBMITTED
