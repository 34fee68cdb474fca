"""Lifecycle actions, archival events and filters through the API."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from staffing.models import Appointment, ArchivalEvent, Person
from tests.factories import (
    AppointmentFactory,
    ArchivalEventFactory,
    ArchivalRecordFactory,
    PositionLevelFactory,
    PostFactory,
    SalaryGradeFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(personas) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(personas.hr)
    return client


def test_send_to_waiting_and_back_through_the_api(api, personas):
    person = personas.staff_person
    response = api.post(
        f"/api/staffing/people/{person.pk}/send-to-waiting/", {"on": "2025-11-01", "reason": "竞聘未聘"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "waiting"
    post = PostFactory(department=personas.department_a)
    early = api.post(
        f"/api/staffing/people/{person.pk}/return-from-waiting/",
        {
            "post": post.pk,
            "salary_grade": SalaryGradeFactory(series=post.level.series, number=1).pk,
            "method": "competitive",
            "term_start": "2025-12-01",
            "term_end": "2028-11-30",
        },
        format="json",
    )
    assert early.status_code == 400
    assert "earliest return is 2026-02-01" in early.json()["message"]
    assert Person.objects.get(pk=person.pk).status == Person.Status.WAITING


def test_transfer_after_failure_to_a_higher_post_is_refused_in_the_error_shape(api, personas):
    low = PositionLevelFactory(rank=1)
    appointment = AppointmentFactory(post=PostFactory(level=low, department=personas.department_a))
    higher = PostFactory(level=PositionLevelFactory(rank=4, series=low.series))
    response = api.post(
        f"/api/staffing/people/{appointment.person_id}/transfer/",
        {
            "post": higher.pk,
            "salary_grade": SalaryGradeFactory(series=low.series, number=2).pk,
            "on": "2025-06-01",
            "after_failure": True,
            "reason": "竞聘落选",
        },
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert "may not be higher" in body["message"]
    assert body["fields"] == {"post": ["Higher than the original post."]}


def test_separation_ends_the_appointment(api, personas):
    person = personas.staff_person
    response = api.post(
        f"/api/staffing/people/{person.pk}/separate/",
        {"kind": "retired", "on": "2026-01-31", "reason": "到龄退休"},
        format="json",
    )
    assert response.json()["status"] == "retired"
    assert person.appointments.get().end_kind == Appointment.EndKind.RETIRED


def test_renewal_through_the_api(api, personas):
    response = api.post(
        f"/api/staffing/people/{personas.staff_person.pk}/renew/",
        {"term_end": "2031-12-31", "reason": "考核称职"},
        format="json",
    )
    assert response.status_code == 200
    assert personas.staff_person.appointments.get().term_end == dt.date(2031, 12, 31)


def test_an_archival_event_is_appended_and_the_record_cannot_be_edited(api, personas):
    ArchivalRecordFactory(person=personas.staff_person)
    response = api.post(
        f"/api/staffing/people/{personas.staff_person.pk}/archival-events/",
        {
            "kind": "promotion",
            "archival_rank": "三级主任科员",
            "approval_document": "高新党工委〔2026〕3号",
            "approved_on": "2026-03-01",
            "effective_on": "2026-03-01",
            "reason": "编制内空缺晋升",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    event_id = response.json()["id"]
    assert ArchivalEvent.objects.get(pk=event_id).recorded_by == personas.hr
    assert api.put(f"/api/staffing/archival-events/{event_id}/", {"reason": "x"}, format="json").status_code == 405
    assert api.delete(f"/api/staffing/archival-events/{event_id}/").status_code == 405


def test_an_archival_event_without_an_approval_document_is_refused(api, personas):
    ArchivalRecordFactory(person=personas.staff_person)
    response = api.post(
        f"/api/staffing/people/{personas.staff_person.pk}/archival-events/",
        {
            "kind": "promotion",
            "archival_rank": "三级主任科员",
            "approved_on": "2026-03-01",
            "effective_on": "2026-03-01",
            "reason": "x",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "approval_document" in response.json()["fields"]


def test_a_department_head_reads_only_his_departments_archival_events(personas):
    own = ArchivalEventFactory(record__person=personas.staff_person)
    other = ArchivalEventFactory(
        record__person=AppointmentFactory(post=PostFactory(department=personas.department_b)).person
    )
    client = APIClient()
    client.force_authenticate(personas.head_a)
    ids = {row["id"] for row in client.get("/api/staffing/archival-events/").json()["results"]}
    assert own.pk in ids
    assert other.pk not in ids


def test_appointments_filter_by_department_and_ending_window(api, personas):
    soon = AppointmentFactory(
        post=PostFactory(department=personas.department_b),
        term_start=dt.date(2024, 1, 1),
        term_end=dt.date.today() + dt.timedelta(days=15),
    )
    rows = api.get("/api/staffing/appointments/", {"ending_within_days": 30}).json()["results"]
    assert [row["id"] for row in rows] == [soon.pk]
    rows = api.get("/api/staffing/appointments/", {"department": personas.department_a.pk}).json()["results"]
    assert {row["person"] for row in rows} == {personas.staff_person.pk, personas.head_a_person.pk}


def test_people_search_and_department_filter(api, personas):
    rows = api.get("/api/staffing/people/", {"department": personas.department_a.pk}).json()["results"]
    assert {row["id"] for row in rows} == {personas.staff_person.pk, personas.head_a_person.pk}
    rows = api.get("/api/staffing/people/", {"search": personas.staff_person.name}).json()["results"]
    assert [row["id"] for row in rows] == [personas.staff_person.pk]
