"""The assessment API: the services' rules and permissions, in the one error shape."""

import datetime as dt
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from assessment import services
from assessment.models import ConductReport, Cycle, DepartmentCoefficient, Evaluation, Indicator, SupervisedTask
from tests.factories import AppointmentFactory, PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle():
    return Cycle.objects.create(name="2026年度考核", kind=Cycle.Kind.ANNUAL, year=2026)


def post(client, user, name, data=None, **kwargs):
    client.force_login(user)
    return client.post(reverse(name, kwargs=kwargs), data or {}, content_type="application/json")


def get(client, user, name, params=None, **kwargs):
    client.force_login(user)
    return client.get(reverse(name, kwargs=kwargs), params or {})


def card(cycle, department, weight=100):
    zone = Indicator.objects.create(cycle=cycle, level="zone", name="招商引资", rule="ratio", target=50, weight=100)
    return Indicator.objects.create(
        cycle=cycle,
        level="department",
        parent=zone,
        department=department,
        name="到位资金",
        rule="ratio",
        target=Decimal(10),
        weight=weight,
    )


def test_advancing_an_inconsistent_cascade_answers_in_the_error_shape(english, personas, cycle):
    card(cycle, personas.department_a, weight=90)
    response = post(english, personas.hr, "assessment-cycle-advance", pk=cycle.pk)
    assert response.status_code == 400
    assert set(response.json()) == {"message", "fields"}
    assert "90" in response.json()["message"]
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.PLANNING


def test_hr_advances_a_consistent_cycle(english, personas, cycle):
    card(cycle, personas.department_a)
    response = post(english, personas.hr, "assessment-cycle-advance", pk=cycle.pk)
    assert response.status_code == 200
    assert response.json()["status"] == "scoring"


def test_a_head_enters_values_for_his_own_department_only(english, personas, cycle):
    indicator = card(cycle, personas.department_a)
    cycle.status = Cycle.Status.SCORING
    cycle.save()
    response = post(english, personas.head_a, "assessment-indicator-values", {"actual": "15"}, pk=indicator.pk)
    assert response.status_code == 200
    assert response.json()["score"] == "120.00"  # 150 % of target, capped at 120
    other = post(english, personas.head_b, "assessment-indicator-values", {"actual": "5"}, pk=indicator.pk)
    assert other.status_code == 404
    indicator.refresh_from_db()
    assert indicator.actual == Decimal(15)


def test_indicators_are_filtered_by_cycle_and_narrowed_for_a_head(english, personas, cycle):
    own = card(cycle, personas.department_a)
    later = Cycle.objects.create(name="2027年度考核", kind=Cycle.Kind.ANNUAL, year=2027)
    card(later, personas.department_b)
    ids = [
        row["id"]
        for row in get(english, personas.hr, "assessment-indicator-list", {"cycle": cycle.pk}).json()["results"]
    ]
    assert sorted(ids) == [own.parent_id, own.pk]
    seen = get(english, personas.head_b, "assessment-indicator-list", {"level": "department"}).json()["results"]
    assert [row["department"] for row in seen] == [personas.department_b.pk]


def test_hr_proposes_a_coefficient_and_the_leadership_decides(english, personas, cycle):
    data = {"cycle": cycle.pk, "department": personas.department_a.pk, "value": "1.60", "reason": "任务重"}
    refused = post(english, personas.hr, "assessment-coefficient-list", data)
    assert refused.status_code == 400
    assert refused.json()["fields"] == {"value": ["From 0.5 to 1.5."]}
    created = post(english, personas.hr, "assessment-coefficient-list", {**data, "value": "1.20"})
    assert created.status_code == 201
    pk = created.json()["id"]
    assert post(english, personas.hr, "assessment-coefficient-decide", {"approve": True}, pk=pk).status_code == 403
    decided = post(english, personas.leader, "assessment-coefficient-decide", {"approve": True}, pk=pk)
    assert decided.status_code == 200
    assert DepartmentCoefficient.objects.get(pk=pk).status == "approved"
    assert post(english, personas.leader, "assessment-coefficient-list", data).status_code == 403


def test_hr_enters_an_evaluation_once_per_source_in_the_audit_trail(english, personas, cycle):
    data = {"cycle": cycle.pk, "source": "enterprise_evaluation", "department": personas.department_a.pk, "score": "88"}
    planning = post(english, personas.hr, "assessment-evaluation-list", data)
    assert planning.status_code == 400
    assert set(planning.json()) == {"message", "fields"}
    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.SCORING)
    response = post(english, personas.hr, "assessment-evaluation-list", data)
    assert response.status_code == 201
    evaluation = Evaluation.objects.get()
    assert evaluation.entered_by == personas.hr
    assert LogEntry.objects.get_for_object(evaluation).get().actor == personas.hr
    # A second score from the same source replaces the first, and the trail keeps both.
    assert post(english, personas.hr, "assessment-evaluation-list", {**data, "score": "90"}).status_code == 201
    assert Evaluation.objects.get().score == 90
    out_of_range = post(
        english, personas.hr, "assessment-evaluation-list", {**data, "source": "opinion_survey", "score": "101"}
    )
    assert out_of_range.status_code == 400
    assert Evaluation.objects.count() == 1


def test_an_evaluation_needs_exactly_one_owner(english, personas, cycle):
    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.SCORING)
    data = {"cycle": cycle.pk, "source": "opinion_survey", "score": "80"}
    assert post(english, personas.hr, "assessment-evaluation-list", data).status_code == 400
    assert not Evaluation.objects.exists()


def rated_cycle(cycle, personas, count=10):
    """Ten staff of a department with judged individual scores, at the rating stage."""
    post_ = PostFactory(department=personas.department_b, headcount=count)
    people = [AppointmentFactory(post=post_).person for _ in range(count)]
    cycle.status = Cycle.Status.SCORING
    cycle.save()
    for index, person in enumerate(people):
        indicator = Indicator.objects.create(
            cycle=cycle, level="individual", person=person, name="工作实绩", rule="judged", weight=100
        )
        services.indicator_value_enter(actor=personas.hr, indicator=indicator, judged=Decimal(95 - index))
    cycle.status = Cycle.Status.RATING
    cycle.save()
    return people


def test_hr_runs_the_ratings_and_overrides_one_with_a_reason(english, personas, cycle):
    people = rated_cycle(cycle, personas)
    response = post(english, personas.hr, "assessment-rating-run", {"cycle": cycle.pk, "as_of": "2026-12-31"})
    assert response.status_code == 200
    grades = {row["person"]: row["grade"] for row in response.json()}
    assert grades[people[0].pk] == "excellent"
    last = next(row for row in response.json() if row["person"] == people[-1].pk)
    refused = post(
        english, personas.hr, "assessment-rating-override", {"grade": "competent", "reason": " "}, pk=last["id"]
    )
    assert refused.status_code == 400
    assert "reason" in refused.json()["fields"]
    done = post(
        english,
        personas.hr,
        "assessment-rating-override",
        {"grade": "excellent", "reason": "重大招商贡献"},
        pk=last["id"],
    )
    assert done.status_code == 200
    assert (done.json()["grade"], done.json()["override_reason"]) == ("excellent", "重大招商贡献")


def test_a_staff_member_reads_only_his_own_rating(english, personas, cycle):
    rated_cycle(cycle, personas)
    services.ratings_run(actor=personas.hr, cycle=cycle, as_of=dt.date(2026, 12, 31))
    assert get(english, personas.staff, "assessment-rating-list").json()["results"] == []
    assert len(get(english, personas.head_b, "assessment-rating-list").json()["results"]) == 10
    assert get(english, personas.head_a, "assessment-rating-list").json()["results"] == []


def test_hr_decides_a_proposed_consequence(english, personas, cycle):
    rated_cycle(cycle, personas, count=20)
    services.ratings_run(actor=personas.hr, cycle=cycle, as_of=dt.date(2026, 12, 31))
    proposals = get(english, personas.hr, "assessment-proposal-list", {"kind": "dismissal"}).json()["results"]
    assert len(proposals) == 1
    response = post(
        english,
        personas.hr,
        "assessment-proposal-decide",
        {"confirm": False, "note": "另行安排"},
        pk=proposals[0]["id"],
    )
    assert response.status_code == 200
    assert response.json()["status"] == "dismissed"


def test_hr_assigns_a_supervised_task(english, personas, cycle):
    data = {"cycle": cycle.pk, "title": "项目开工", "department": personas.department_a.pk, "deadline": "2026-06-30"}
    response = post(english, personas.hr, "assessment-task-list", data)
    assert response.status_code == 201
    task = SupervisedTask.objects.get()
    assert task.assigned_by == personas.hr
    assert LogEntry.objects.get_for_object(task).get().actor == personas.hr
    nobody = post(english, personas.hr, "assessment-task-list", {**data, "department": None})
    assert nobody.status_code == 400
    assert "department or a person" in nobody.json()["message"]
    assert post(english, personas.head_a, "assessment-task-list", data).status_code == 403


def test_an_anonymous_report_shows_its_filer_to_the_inspector_alone(english, personas):
    created = post(english, personas.staff, "assessment-conduct-report-list", {"text": "某干部躺平", "anonymous": True})
    assert created.status_code == 201
    assert created.json()["filed_by"] is None
    report = ConductReport.objects.get()
    assert report.filed_by == personas.staff
    own = get(english, personas.staff, "assessment-conduct-report-list").json()["results"]
    assert [(row["id"], row["filed_by"]) for row in own] == [(report.pk, None)]
    assert get(english, personas.hr, "assessment-conduct-report-list").json()["results"] == []
    assert get(english, personas.leader, "assessment-conduct-report-detail", pk=report.pk).status_code == 404
    seen = get(english, personas.inspector, "assessment-conduct-report-list").json()["results"]
    assert [row["filed_by"] for row in seen] == [personas.staff.pk]


def test_an_empty_report_is_refused(english, personas):
    response = post(english, personas.outsider, "assessment-conduct-report-list", {"text": "  "})
    assert response.status_code == 400
    assert not ConductReport.objects.exists()


def test_the_inspector_handles_a_report_in_order(english, personas):
    report = services.conduct_report_file(actor=personas.staff, text="躺平线索")
    early = post(
        english,
        personas.inspector,
        "assessment-conduct-report-handle",
        {"status": "action", "notes": "x"},
        pk=report.pk,
    )
    assert early.status_code == 400
    assert "cannot move" in early.json()["message"]
    done = post(
        english,
        personas.inspector,
        "assessment-conduct-report-handle",
        {"status": "unfounded", "notes": "查无实据"},
        pk=report.pk,
    )
    assert done.status_code == 200
    assert done.json()["status"] == "unfounded"
    # The filer sees the outcome, not the inspector's notes.
    mine = get(english, personas.staff, "assessment-conduct-report-detail", pk=report.pk).json()
    assert (mine["status"], mine["notes"]) == ("unfounded", "")
