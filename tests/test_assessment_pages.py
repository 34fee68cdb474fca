"""Assessment pages: cycles, the KPI tree and value entry, coefficients, compositions and
evaluations, supervised tasks, ratings with quotas and overrides, and proposals."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment import services
from assessment.models import (
    Composition,
    ConsequenceProposal,
    Cycle,
    DepartmentCoefficient,
    Evaluation,
    Indicator,
    Rating,
    SupervisedTask,
)
from tests.factories import AppointmentFactory, DepartmentFactory, PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle():
    return Cycle.objects.create(name="2026年度考核", kind=Cycle.Kind.ANNUAL, year=2026)


def set_status(cycle, status):
    Cycle.objects.filter(pk=cycle.pk).update(status=status)
    cycle.refresh_from_db()


def zone_indicator(cycle, weight=100):
    return Indicator.objects.create(
        cycle=cycle, level="zone", name="招商引资到位资金", unit="亿元", rule="ratio", target=Decimal(50), weight=weight
    )


def department_indicator(cycle, parent, department, name="签约项目", rule="judged", weight=100, **extra):
    return Indicator.objects.create(
        cycle=cycle,
        level="department",
        parent=parent,
        department=department,
        name=name,
        rule=rule,
        weight=weight,
        **extra,
    )


def individual_indicator(cycle, parent, person, weight=100):
    return Indicator.objects.create(
        cycle=cycle,
        level="individual",
        parent=parent,
        person=person,
        name="个人工作实绩",
        rule="judged",
        weight=weight,
    )


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- Cycles ----------------------------------------------------------------------------------------


def test_hr_creates_an_annual_cycle_and_a_quarter_that_names_it(english, personas):
    english.force_login(personas.hr)
    response = english.post(
        reverse("assessment:cycle_create"),
        {
            "name": "2026年度考核",
            "kind": "annual",
            "year": 2026,
            "comparison": "department",
            "quarterly_weight": "0.3",
            "ratio_cap": "1.2",
            "excellent_max": "0.20",
            "basic_min": "0.06",
            "incompetent_about": "0.05",
            "min_group_size": 10,
            "points_overdue": 2,
            "points_failed": 5,
            "task_deduction_cap": 20,
        },
    )
    annual = Cycle.objects.get(kind="annual")
    assert response.status_code == 302
    quarter_data = {
        "name": "2026年第一季度",
        "kind": "quarterly",
        "year": 2026,
        "quarter": 1,
        "comparison": "department",
        "quarterly_weight": "0.3",
        "ratio_cap": "1.2",
        "excellent_max": "0.15",
        "basic_min": "0.06",
        "incompetent_about": "0.05",
        "min_group_size": 10,
        "points_overdue": 2,
        "points_failed": 5,
        "task_deduction_cap": 20,
    }
    refused = english.post(reverse("assessment:cycle_create"), quarter_data)
    assert "A quarterly cycle names the annual cycle it feeds." in refused.content.decode()
    english.post(reverse("assessment:cycle_create"), {**quarter_data, "annual": annual.pk})
    quarter = Cycle.objects.get(kind="quarterly")
    assert (quarter.annual, quarter.excellent_max) == (annual, Decimal("0.15"))
    page = english.get(reverse("assessment:cycle_detail", args=[annual.pk])).content.decode()
    assert "2026年第一季度" in page


def test_advancing_with_an_inconsistent_cascade_shows_the_problem_and_stays(english, personas, cycle):
    zone = zone_indicator(cycle)
    department_indicator(cycle, zone, personas.department_a, weight=90)
    english.force_login(personas.hr)
    response = english.post(reverse("assessment:cycle_advance", args=[cycle.pk]), follow=True)
    assert any("sum to 90.00, not 100" in message for message in messages_of(response))
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.PLANNING


def test_a_consistent_cascade_advances_to_scoring(english, personas, cycle):
    department_indicator(cycle, zone_indicator(cycle), personas.department_a)
    english.force_login(personas.hr)
    english.post(reverse("assessment:cycle_advance", args=[cycle.pk]))
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.SCORING


# --- The KPI tree ----------------------------------------------------------------------------------


def test_hr_sees_the_whole_tree_with_the_cascade_warnings(english, personas, cycle):
    zone = zone_indicator(cycle)
    department_indicator(cycle, zone, personas.department_a, name="签约项目", weight=60)
    department_indicator(cycle, zone, personas.department_b, name="规划审批时限")
    english.force_login(personas.hr)
    page = english.get(reverse("assessment:kpi", args=[cycle.pk])).content.decode()
    assert "签约项目" in page and "规划审批时限" in page
    assert "sum to 60.00, not 100" in page


def test_a_department_head_sees_only_his_department_under_the_zone(english, personas, cycle):
    zone = zone_indicator(cycle)
    department_indicator(cycle, zone, personas.department_a, name="签约项目")
    department_indicator(cycle, zone, personas.department_b, name="规划审批时限")
    english.force_login(personas.head_a)
    page = english.get(reverse("assessment:kpi", args=[cycle.pk])).content.decode()
    assert "签约项目" in page and "招商引资到位资金" in page
    assert "规划审批时限" not in page


def test_hr_adds_an_individual_indicator_under_the_persons_department(english, personas, cycle):
    zone = zone_indicator(cycle)
    own = department_indicator(cycle, zone, personas.department_a)
    other = department_indicator(cycle, zone, personas.department_b)
    english.force_login(personas.hr)
    data = {
        "level": "individual",
        "person": personas.staff_person.pk,
        "name": "个人实绩",
        "rule": "judged",
        "weight": "100",
        "points_per_miss": "5",
    }
    refused = english.post(reverse("assessment:indicator_create", args=[cycle.pk]), {**data, "parent": other.pk})
    assert "serves an indicator of the person's own department" in refused.context["form"].non_field_errors()[0]
    assert not cycle.indicators.filter(level="individual").exists()
    english.post(reverse("assessment:indicator_create", args=[cycle.pk]), {**data, "parent": own.pk})
    assert cycle.indicators.get(level="individual").parent == own


def test_a_department_indicator_must_serve_a_zone_indicator(english, personas, cycle):
    zone = zone_indicator(cycle)
    sibling = department_indicator(cycle, zone, personas.department_a)
    english.force_login(personas.hr)
    response = english.post(
        reverse("assessment:indicator_create", args=[cycle.pk]),
        {
            "level": "department",
            "parent": sibling.pk,
            "department": personas.department_a.pk,
            "name": "x",
            "rule": "judged",
            "weight": "10",
            "points_per_miss": "5",
        },
    )
    assert "serves a Zone indicator" in response.content.decode()
    assert cycle.indicators.count() == 2


def test_a_department_head_enters_a_value_and_an_individual_score(english, personas, cycle):
    zone = zone_indicator(cycle)
    own = department_indicator(cycle, zone, personas.department_a, rule="ratio", target=Decimal(10), unit="个")
    personal = individual_indicator(cycle, own, personas.staff_person)
    set_status(cycle, Cycle.Status.SCORING)
    english.force_login(personas.head_a)
    english.post(reverse("assessment:indicator_enter", args=[own.pk]), {"actual": "8"})
    english.post(reverse("assessment:indicator_enter", args=[personal.pk]), {"judged": "88"})
    own.refresh_from_db()
    personal.refresh_from_db()
    assert (own.score, own.entered_by) == (Decimal("80.00"), personas.head_a)
    assert personal.score == Decimal("88.00")


def test_a_judged_score_above_100_is_refused_and_nothing_is_written(english, personas, cycle):
    indicator = department_indicator(cycle, zone_indicator(cycle), personas.department_a)
    set_status(cycle, Cycle.Status.SCORING)
    english.force_login(personas.head_a)
    response = english.post(reverse("assessment:indicator_enter", args=[indicator.pk]), {"judged": "120"})
    assert response.status_code == 200
    assert "a judged score lies between 0 and 100, not 120" in response.content.decode()
    indicator.refresh_from_db()
    assert (indicator.judged, indicator.score) == (None, None)


def test_a_department_head_cannot_score_another_department(english, personas, cycle):
    zone = zone_indicator(cycle)
    other = department_indicator(cycle, zone, personas.department_b)
    person_of_b = AppointmentFactory(post=PostFactory(department=personas.department_b)).person
    personal = individual_indicator(cycle, other, person_of_b)
    set_status(cycle, Cycle.Status.SCORING)
    english.force_login(personas.head_a)
    for indicator in (other, personal):
        response = english.post(reverse("assessment:indicator_enter", args=[indicator.pk]), {"judged": "90"})
        assert response.status_code == 404
        indicator.refresh_from_db()
        assert indicator.judged is None


def test_evidence_must_be_a_document_or_image(english, personas, cycle, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    indicator = department_indicator(cycle, zone_indicator(cycle), personas.department_a)
    set_status(cycle, Cycle.Status.SCORING)
    english.force_login(personas.head_a)
    url = reverse("assessment:indicator_enter", args=[indicator.pk])
    script = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")
    refused = english.post(url, {"judged": "90", "evidence": script})
    assert "File extension “exe” is not allowed" in refused.content.decode()
    indicator.refresh_from_db()
    assert indicator.judged is None
    english.post(url, {"judged": "90", "evidence": SimpleUploadedFile("签约.pdf", b"%PDF-1.4", "application/pdf")})
    indicator.refresh_from_db()
    assert indicator.evidence.name.endswith(".pdf") and indicator.score == Decimal("90.00")


# --- Coefficients ----------------------------------------------------------------------------------


def test_a_coefficient_of_one_point_six_is_refused_with_the_message(english, personas, cycle):
    english.force_login(personas.hr)
    response = english.post(
        reverse("assessment:coefficients", args=[cycle.pk]),
        {"department": personas.department_a.pk, "value": "1.6", "reason": "任务重"},
    )
    assert "A department coefficient is from 0.5 to 1.5; 1.6 is outside." in response.content.decode()
    assert not DepartmentCoefficient.objects.exists()


def test_hr_proposes_and_leadership_approves_with_the_history_shown(english, personas, cycle):
    english.force_login(personas.hr)
    english.post(
        reverse("assessment:coefficients", args=[cycle.pk]),
        {"department": personas.department_a.pk, "value": "1.2", "reason": "招商任务重"},
    )
    coefficient = DepartmentCoefficient.objects.get()
    decide = reverse("assessment:coefficient_decide", args=[coefficient.pk])
    assert english.post(decide, {"approve": "1"}).status_code == 403
    english.force_login(personas.leader)
    assert (
        english.post(
            reverse("assessment:coefficients", args=[cycle.pk]),
            {"department": personas.department_a.pk, "value": "1.5", "reason": "x"},
        ).status_code
        == 403
    )
    english.post(reverse("assessment:coefficient_decide", args=[coefficient.pk]), {"approve": "1"})
    coefficient.refresh_from_db()
    assert (coefficient.status, coefficient.decided_by) == ("approved", personas.leader)
    page = english.get(reverse("assessment:coefficients", args=[cycle.pk])).content.decode()
    assert "招商任务重" in page and "Approved" in page


def test_rejecting_a_coefficient_needs_a_note(english, personas, cycle):
    coefficient = services.coefficient_propose(
        actor=personas.hr, cycle=cycle, department=personas.department_a, value=Decimal("1.3"), reason="任务重"
    )
    english.force_login(personas.leader)
    decide = reverse("assessment:coefficient_decide", args=[coefficient.pk])
    response = english.post(decide, {"approve": "0"}, follow=True)
    assert "Give a reason: it is kept in the audit trail." in messages_of(response)
    coefficient.refresh_from_db()
    assert coefficient.status == "proposed"


# --- Compositions and evaluations ------------------------------------------------------------------


def test_composition_weights_must_sum_to_100(english, personas, cycle):
    english.force_login(personas.hr)
    url = reverse("assessment:composition_edit", args=[cycle.pk, "leader"])
    refused = english.post(url, {"performance": "60", "comprehensive_evaluation": "25", "opinion_survey": "10"})
    assert "the weights of the score sources sum to 95, not 100" in refused.content.decode()
    assert not Composition.objects.exists()
    english.post(url, {"performance": "60", "comprehensive_evaluation": "25", "opinion_survey": "15"})
    assert Composition.objects.get(unit_type="leader").weights == {
        "performance": "60",
        "comprehensive_evaluation": "25",
        "opinion_survey": "15",
    }


def workbook(rows) -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    book.active.append(["来源", "部门编码", "身份证号", "分数"])
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("评议.xlsx", buffer.getvalue())


def test_an_evaluations_import_with_a_bad_row_writes_nothing_and_names_the_rows(english, personas, cycle):
    set_status(cycle, Cycle.Status.SCORING)
    english.force_login(personas.hr)
    url = reverse("assessment:evaluations_import", args=[cycle.pk])
    rows = [
        ["enterprise_evaluation", "A", None, 92],
        ["opinion_survey", None, personas.staff_person.national_id, 130],
        ["enterprise_evaluation", "ZZ", None, 80],
    ]
    page = english.post(url, {"file": workbook(rows)}).content.decode()
    assert "Nothing was imported: 2 rows have errors." in page
    assert "Row 3:" in page and "Row 4:" in page
    assert not Evaluation.objects.exists()
    english.post(url, {"file": workbook([*rows[:1], ["opinion_survey", None, personas.staff_person.national_id, 85]])})
    assert Evaluation.objects.filter(cycle=cycle).count() == 2


def test_an_evaluation_typed_in_the_page_is_saved_while_scoring(english, personas, cycle):
    english.force_login(personas.hr)
    url = reverse("assessment:evaluations", args=[cycle.pk])
    data = {"source": "comprehensive_evaluation", "person": personas.staff_person.pk, "score": "86"}
    assert "Scores are entered while the cycle is at" in english.post(url, data).content.decode()
    set_status(cycle, Cycle.Status.SCORING)
    english.post(url, data)
    assert Evaluation.objects.get().score == Decimal("86.00")


# --- Supervised tasks ------------------------------------------------------------------------------


def test_tasks_show_overdue_and_a_head_sees_his_department_only(english, personas, cycle):
    SupervisedTask.objects.create(
        cycle=cycle,
        title="项目签约督办",
        department=personas.department_a,
        deadline=dt.date(2020, 1, 1),
        assigned_by=personas.hr,
    )
    SupervisedTask.objects.create(
        cycle=cycle,
        title="规划审批提速",
        department=personas.department_b,
        deadline=dt.date(2099, 1, 1),
        assigned_by=personas.hr,
    )
    english.force_login(personas.head_a)
    page = english.get(reverse("assessment:tasks", args=[cycle.pk])).content.decode()
    assert "项目签约督办" in page and "规划审批提速" not in page
    assert "1 task is overdue." in page


def test_hr_assigns_and_closes_a_task_and_failing_needs_a_reason(english, personas, cycle):
    english.force_login(personas.hr)
    english.post(
        reverse("assessment:task_create", args=[cycle.pk]),
        {"title": "园区道路竣工", "department": personas.department_b.pk, "deadline": "2026-09-30"},
    )
    task = SupervisedTask.objects.get()
    assert task.assigned_by == personas.hr
    url = reverse("assessment:task_close", args=[task.pk])
    assert "Give a reason" in english.post(url, {"outcome": "failed"}).content.decode()
    english.post(url, {"outcome": "completed", "on": "2026-10-08"})
    task.refresh_from_db()
    assert task.completed_on == dt.date(2026, 10, 8) and not task.failed


# --- Ratings and proposals -------------------------------------------------------------------------


def rated_department(cycle, hr, scores, department=None):
    """A department whose people each have a judged individual score; the cycle ends at rating."""
    department = department or DepartmentFactory()
    post = PostFactory(department=department, headcount=len(scores))
    people = [AppointmentFactory(post=post).person for _ in scores]
    zone = cycle.indicators.filter(level="zone").first() or zone_indicator(cycle)
    parent = department_indicator(cycle, zone, department)
    set_status(cycle, Cycle.Status.SCORING)
    for person, score in zip(people, scores, strict=True):
        services.indicator_value_enter(
            actor=hr, indicator=individual_indicator(cycle, parent, person), judged=Decimal(score)
        )
    set_status(cycle, Cycle.Status.RATING)
    return people


def test_hr_runs_the_ratings_and_sees_each_group_against_its_quotas(english, personas, cycle):
    rated_department(cycle, personas.hr, [100 - i for i in range(20)])
    english.force_login(personas.hr)
    response = english.post(reverse("assessment:ratings_run", args=[cycle.pk]), follow=True)
    assert "20 people rated." in messages_of(response)
    groups = response.context["groups"]
    assert [(row["label"], row["count"]) for row in groups[0].rows] == [
        ("Excellent", 4),
        ("Competent", 13),
        ("Basically competent", 2),
        ("Incompetent", 1),
    ]
    assert groups[0].check.ok
    assert "Quotas not met" not in response.content.decode()


def test_an_override_without_a_reason_is_refused_and_nothing_changes(english, personas, cycle):
    people = rated_department(cycle, personas.hr, [100 - i for i in range(20)])
    services.ratings_run(actor=personas.hr, cycle=cycle)
    rating = Rating.objects.get(person=people[5])
    english.force_login(personas.hr)
    url = reverse("assessment:rating_override", args=[rating.pk])
    response = english.post(url, {"grade": "excellent", "reason": " "})
    assert "Give a reason: it is kept in the audit trail." in response.content.decode()
    rating.refresh_from_db()
    assert rating.grade == "competent"


def test_an_override_that_breaks_a_quota_warns_and_confirming_keeps_it(english, personas, cycle):
    people = rated_department(cycle, personas.hr, [100 - i for i in range(20)])
    services.ratings_run(actor=personas.hr, cycle=cycle)
    rating = Rating.objects.get(person=people[5])
    english.force_login(personas.hr)
    english.post(reverse("assessment:rating_override", args=[rating.pk]), {"grade": "excellent", "reason": "重大项目"})
    page = english.get(reverse("assessment:ratings", args=[cycle.pk])).content.decode()
    assert "5 rated “Excellent”; the quota is at most 4 in a group of 20." in page
    english.post(
        reverse("assessment:cycle_advance", args=[cycle.pk]), {"next": reverse("assessment:ratings", args=[cycle.pk])}
    )
    cycle.refresh_from_db()
    rating.refresh_from_db()
    assert (cycle.status, rating.grade, rating.override_reason) == ("confirmed", "excellent", "重大项目")


def test_proposals_wait_for_hr_and_a_basic_measure_must_be_chosen(english, personas, cycle):
    people = rated_department(cycle, personas.hr, [100 - i for i in range(20)])
    services.ratings_run(actor=personas.hr, cycle=cycle)
    english.force_login(personas.leader)
    page = english.get(reverse("assessment:proposals", args=[cycle.pk])).content.decode()
    assert "Pay cut, waiting or transfer" in page and "Decide" not in page
    proposal = ConsequenceProposal.objects.get(rating__person=people[18], kind="basic_competent_measures")
    english.force_login(personas.hr)
    url = reverse("assessment:proposal_decide", args=[proposal.pk])
    refused = english.post(url, {"decision": "confirm", "note": "年度考核基本称职"})
    assert "Choose one of the measures" in refused.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == "proposed"
    english.post(url, {"decision": "confirm", "measure": "pay_cut", "note": "年度考核基本称职"})
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decision) == ("confirmed", "pay_cut: 年度考核基本称职")


def test_finance_reads_results_and_a_head_sees_his_department_only(english, personas, cycle):
    rated_department(cycle, personas.hr, [90, 80], department=personas.department_b)
    services.ratings_run(actor=personas.hr, cycle=cycle)
    english.force_login(personas.finance)
    assert personas.department_b.name in english.get(reverse("assessment:ratings", args=[cycle.pk])).content.decode()
    english.force_login(personas.head_a)
    response = english.get(reverse("assessment:ratings", args=[cycle.pk]))
    assert response.context["groups"] == []


def test_the_ratings_page_reads_a_fixed_number_of_queries_whatever_the_headcount(english, personas):
    def queries(size: int, year: int) -> int:
        cycle = Cycle.objects.create(name=f"{year}年度考核", kind="annual", year=year)
        rated_department(cycle, personas.hr, [90 - i for i in range(size)])
        rated_department(cycle, personas.hr, [80 - i for i in range(size)])
        services.ratings_run(actor=personas.hr, cycle=cycle)
        with CaptureQueriesContext(connection) as captured:
            assert english.get(reverse("assessment:ratings", args=[cycle.pk])).status_code == 200
        return len(captured.captured_queries)

    english.force_login(personas.hr)
    assert queries(12, 2031) == queries(36, 2032)
