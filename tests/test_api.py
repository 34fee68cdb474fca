"""The API: authentication, the one error shape, and the same rules as the pages."""

import datetime as dt

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from staffing.models import Appointment, Person
from tests.factories import (
    AppointmentFactory,
    PersonFactory,
    PostFactory,
    PostSeriesFactory,
    SalaryGradeFactory,
    national_id_for,
)

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def person_payload(**overrides) -> dict:
    payload = {
        "name": "赵六",
        "national_id": national_id_for(dt.date(1990, 5, 6), 21),
        "identity": "dispatched",
        "gender": "M",
        "birth_date": "1990-05-06",
        "education": "bachelor",
        "joined_on": "2013-07-01",
    }
    payload.update(overrides)
    return payload


def test_anonymous_calls_get_401_in_the_error_shape():
    response = APIClient().get("/api/staffing/people/")
    assert response.status_code == 401
    body = response.json()
    assert set(body) == {"message", "fields"}
    # A plain refusal is a message, not a field called "detail".
    assert body["fields"] == {}
    assert body["message"] and not body["message"].startswith("detail")


def test_a_token_authenticates(personas):
    token = Token.objects.create(user=personas.hr)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/staffing/people/").status_code == 200


def test_hr_creates_a_person(personas):
    response = client_for(personas.hr).post("/api/staffing/people/", person_payload(), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "pending"
    assert Person.objects.filter(name="赵六").exists()


def test_a_wrong_check_digit_is_refused_naming_the_field(personas):
    good = national_id_for(dt.date(1990, 5, 6), 21)
    bad = good[:17] + ("1" if good[17] == "0" else "0")
    response = client_for(personas.hr).post("/api/staffing/people/", person_payload(national_id=bad), format="json")
    assert response.status_code == 400
    body = response.json()
    assert "check digit" in body["fields"]["national_id"][0]
    assert "national_id" in body["message"]
    assert not Person.objects.filter(name="赵六").exists()


def test_a_salary_grade_of_another_series_is_refused(personas):
    post = PostFactory(department=personas.department_a)
    grade = SalaryGradeFactory(series=PostSeriesFactory(code="technical", name="技术"), number=1)
    person = PersonFactory()
    response = client_for(personas.hr).post(
        "/api/staffing/appointments/",
        {
            "person": person.pk,
            "post": post.pk,
            "method": "competitive",
            "term_start": "2025-01-01",
            "term_end": "2027-12-31",
            "salary_grade": grade.pk,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "salary_grade" in response.json()["fields"]
    assert not Appointment.objects.filter(person=person).exists()


def test_a_second_active_appointment_is_refused(personas):
    existing = AppointmentFactory(post=PostFactory(department=personas.department_a))
    other = PostFactory(level=existing.post.level)
    response = client_for(personas.hr).post(
        "/api/staffing/appointments/",
        {
            "person": existing.person.pk,
            "post": other.pk,
            "method": "direct",
            "term_start": "2025-01-01",
            "term_end": "2027-12-31",
            "salary_grade": existing.salary_grade.pk,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "already holds an active appointment" in response.json()["message"]
    assert Appointment.objects.filter(person=existing.person).count() == 1


def test_only_hr_may_create_and_the_refusal_says_why(personas):
    response = client_for(personas.finance).post("/api/staffing/people/", person_payload(), format="json")
    assert response.status_code == 403
    assert "HR" in response.json()["message"] or "人力" in response.json()["message"]


def test_national_ids_are_masked_for_everyone_but_hr(personas):
    person_id = personas.staff_person.national_id
    as_hr = client_for(personas.hr).get(f"/api/staffing/people/{personas.staff_person.pk}/").json()
    as_leader = client_for(personas.leader).get(f"/api/staffing/people/{personas.staff_person.pk}/").json()
    assert as_hr["national_id"] == person_id
    assert as_leader["national_id"] == person_id[:4] + "*" * 10 + person_id[-4:]


def test_a_department_head_gets_404_for_a_person_of_another_department(personas):
    other = AppointmentFactory(post=PostFactory(department=personas.department_b)).person
    client = client_for(personas.head_a)
    assert client.get(f"/api/staffing/people/{other.pk}/").status_code == 404
    listed = {row["id"] for row in client.get("/api/staffing/people/").json()["results"]}
    assert personas.staff_person.pk in listed
    assert other.pk not in listed


def test_the_schema_and_docs_are_served(personas):
    client = client_for(personas.hr)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/staffing/people/" in schema.content
    client.force_login(personas.hr)
    assert client.get("/api/docs/").status_code == 200
