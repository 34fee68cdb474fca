"""Pages: login, language, the 403 that says why, and bad input refused on forms and in the admin."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from staffing.models import Appointment, ArchivalRecord, Person
from tests.factories import (
    ArchivalRecordFactory,
    PersonFactory,
    PostFactory,
    PostSeriesFactory,
    SalaryGradeFactory,
    UserFactory,
    national_id_for,
)

pytestmark = pytest.mark.django_db


def test_every_page_requires_login(client):
    response = client.get(reverse("staffing:roster"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_default_language_is_chinese_and_english_can_be_chosen(client, personas):
    client.force_login(personas.hr)
    # An English browser still gets Chinese until the user switches.
    page = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert b'<html lang="zh-hans">' in page.content
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("dashboard"))
    assert b'<html lang="en">' in page.content
    assert "Log out" in page.content.decode()
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "退出登录" in client.get(reverse("dashboard")).content.decode()


def test_the_403_page_names_the_roles_the_page_is_for(client, personas):
    client.force_login(personas.staff)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("staffing:roster"))
    assert response.status_code == 403
    text = response.content.decode()
    assert "This page is for: " in text
    assert "HR officer" in text
    assert "Your roles: Staff member." in text


def test_navigation_shows_only_what_the_role_may_use(client, personas):
    client.force_login(personas.staff)
    text = client.get(reverse("dashboard")).content.decode()
    assert reverse("staffing:roster") not in text.split("<main")[0]
    client.force_login(personas.hr)
    text = client.get(reverse("dashboard")).content.decode()
    assert reverse("staffing:roster") in text.split("<main")[0]


def test_the_roster_masks_ids_for_leadership_and_shows_them_to_hr(client, personas):
    full = personas.staff_person.national_id
    client.force_login(personas.leader)
    assert full not in client.get(reverse("staffing:roster")).content.decode()
    client.force_login(personas.hr)
    assert full in client.get(reverse("staffing:roster")).content.decode()


def test_a_department_head_sees_only_his_department_on_the_roster(client, personas):
    client.force_login(personas.head_b)
    text = client.get(reverse("staffing:roster")).content.decode()
    assert personas.staff_person.name not in text


def test_the_person_form_refuses_a_wrong_check_digit_and_writes_nothing(client, personas):
    client.force_login(personas.hr)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    good = national_id_for(dt.date(1992, 2, 2), 5)
    response = client.post(
        reverse("staffing:person_create"),
        {
            "name": "钱七",
            "national_id": good[:17] + ("1" if good[17] == "0" else "0"),
            "identity": "contract",
            "gender": "M",
            "birth_date": "1992-02-02",
            "education": "bachelor",
            "joined_on": "2015-07-01",
        },
    )
    assert response.status_code == 200
    assert "check digit" in response.content.decode()
    assert not Person.objects.filter(name="钱七").exists()


def test_the_appointment_form_refuses_a_grade_of_another_series(client, personas):
    client.force_login(personas.hr)
    person = PersonFactory()
    post = PostFactory(department=personas.department_a)
    grade = SalaryGradeFactory(series=PostSeriesFactory(code="other", name="其他"), number=1)
    response = client.post(
        reverse("staffing:person_action", kwargs={"pk": person.pk, "action": "appoint"}),
        {
            "post": post.pk,
            "method": "direct",
            "term_start": "2025-01-01",
            "term_end": "2027-12-31",
            "salary_grade": grade.pk,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["salary_grade"]
    assert not Appointment.objects.filter(person=person).exists()


@pytest.fixture
def admin_client_(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_the_admin_refuses_a_wrong_check_digit(admin_client_):
    good = national_id_for(dt.date(1992, 2, 2), 7)
    response = admin_client_.post(
        reverse("admin:staffing_person_add"),
        {
            "name": "孙八",
            "national_id": good[:17] + ("1" if good[17] == "0" else "0"),
            "identity": "contract",
            "gender": "M",
            "birth_date": "1992-02-02",
            "education": "bachelor",
            "joined_on": "2015-07-01",
            "status": "pending",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["national_id"]
    assert not Person.objects.filter(name="孙八").exists()


def test_the_admin_refuses_a_second_active_appointment(admin_client_, personas):
    existing = personas.staff_person.appointments.get()
    response = admin_client_.post(
        reverse("admin:staffing_appointment_add"),
        {
            "person": existing.person_id,
            "post": existing.post_id,
            "method": "direct",
            "term_start": "2025-01-01",
            "term_end": "2027-12-31",
            "salary_grade": existing.salary_grade_id,
            "status": "active",
        },
    )
    assert response.status_code == 200
    with translation.override("zh-hans"):
        expected = translation.gettext("This person already holds an active appointment.")
    assert expected in response.content.decode()
    assert Appointment.objects.filter(person=existing.person).count() == 1


def test_the_admin_cannot_change_a_sealed_record(admin_client_):
    record = ArchivalRecordFactory()
    url = reverse("admin:staffing_archivalrecord_change", args=[record.pk])
    response = admin_client_.post(url, {"archival_salary": "99999.00"})
    assert response.status_code == 403
    assert ArchivalRecord.objects.get(pk=record.pk).archival_salary == record.archival_salary
    assert admin_client_.get(reverse("admin:staffing_archivalrecord_add")).status_code == 403
