"""Staffing pages: roster filters and export, organisation, lifecycle forms, contract terms."""

import datetime as dt
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from staffing.models import Appointment, Department, Person, Post
from tests.factories import (
    AppointmentFactory,
    ArchivalRecordFactory,
    DepartmentFactory,
    PersonFactory,
    PostFactory,
    SalaryGradeFactory,
)

pytestmark = pytest.mark.django_db


def roster_names(client, **params) -> list[str]:
    response = client.get(reverse("staffing:roster"), params)
    assert response.status_code == 200
    return [person.name for person in response.context["page"].object_list]


def test_the_roster_filters_by_identity_status_and_department(client, personas):
    client.force_login(personas.hr)
    waiting = PersonFactory(name="待岗者", status=Person.Status.WAITING, identity=Person.Identity.CIVIL_SERVANT)
    assert roster_names(client, status="waiting") == [waiting.name]
    assert roster_names(client, identity="civil_servant") == [waiting.name]
    in_a = set(roster_names(client, department=personas.department_a.pk))
    assert in_a == {personas.staff_person.name, personas.head_a_person.name}


def test_the_department_filter_includes_sub_departments(client, personas):
    client.force_login(personas.hr)
    child = DepartmentFactory(parent=personas.department_a)
    below = AppointmentFactory(post=PostFactory(department=child)).person
    assert below.name in roster_names(client, department=personas.department_a.pk)


def test_the_roster_finds_terms_ending_soon(client, personas):
    client.force_login(personas.hr)
    soon = AppointmentFactory(term_start=dt.date(2024, 1, 1), term_end=dt.date.today() + dt.timedelta(days=20))
    assert roster_names(client, ending_within=30) == [soon.person.name]


def test_the_roster_sorts(client, personas):
    client.force_login(personas.hr)
    PersonFactory(name="阿")
    PersonFactory(name="左")
    names = roster_names(client, order="-name")
    assert names == sorted(names, reverse=True)


def test_the_roster_query_count_does_not_grow_with_rows(client, personas):
    client.force_login(personas.hr)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            client.get(reverse("staffing:roster"))
        return len(context.captured_queries)

    few = queries()
    AppointmentFactory.create_batch(30)
    assert queries() == few


def test_the_export_follows_the_filter_and_masks_ids_for_non_hr(english, client, personas):
    client.force_login(personas.leader)
    response = client.get(reverse("staffing:roster_export"), {"department": personas.department_a.pk})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("Name", "National ID")
    exported = {row[0]: row[1] for row in rows[1:]}
    assert set(exported) == {personas.staff_person.name, personas.head_a_person.name}
    national_id = personas.staff_person.national_id
    assert exported[personas.staff_person.name] == national_id[:4] + "*" * 10 + national_id[-4:]


def test_the_export_neutralises_formulas(client, personas):
    client.force_login(personas.hr)
    PersonFactory(name="=HYPERLINK(1)")
    sheet = load_workbook(BytesIO(client.get(reverse("staffing:roster_export")).content)).active
    assert "'=HYPERLINK(1)" in [row[0] for row in sheet.iter_rows(values_only=True)]


def test_a_department_head_sees_only_his_department_in_the_tree(client, personas):
    client.force_login(personas.head_a)
    nodes = client.get(reverse("staffing:departments")).context["nodes"]
    assert [node.department for node in nodes] == [personas.department_a]
    assert nodes[0].used == 2


def test_the_tree_shows_headcount_held_and_vacant(client, personas):
    client.force_login(personas.hr)
    post = PostFactory(department=personas.department_b, headcount=4)
    AppointmentFactory(post=post)
    nodes = {node.department: node for node in client.get(reverse("staffing:departments")).context["nodes"]}
    shown = next(p for p in nodes[personas.department_b].posts if p.pk == post.pk)
    assert (shown.headcount, shown.used, shown.vacant) == (4, 1, 3)


def test_merging_moves_posts_and_closes_the_sources(client, personas):
    client.force_login(personas.hr)
    response = client.post(
        reverse("staffing:departments_merge"),
        {"sources": [personas.department_b.pk], "target": personas.department_a.pk, "reason": "大部制改革"},
    )
    assert response.status_code == 302
    merged = Department.objects.get(pk=personas.department_b.pk)
    assert (merged.is_active, merged.merged_into) == (False, personas.department_a)
    assert not Post.objects.filter(department=merged).exists()


def test_a_headcount_below_the_places_held_is_refused(english, client, personas):
    client.force_login(personas.hr)
    post = personas.staff_person.appointments.get().post
    AppointmentFactory(post=post)
    response = client.post(
        reverse("staffing:post_edit", args=[post.pk]),
        {
            "department": post.department_id,
            "name": post.name,
            "code": post.code,
            "level": post.level_id,
            "headcount": 1,
            "coefficient": "1.00",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "below the 2 places held" in response.content.decode()
    assert Post.objects.get(pk=post.pk).headcount == post.headcount


def test_a_department_cannot_be_placed_below_its_own_child(client, personas):
    client.force_login(personas.hr)
    child = DepartmentFactory(parent=personas.department_a)
    response = client.post(
        reverse("staffing:department_edit", args=[personas.department_a.pk]),
        {"name": "招商一部", "code": "A", "kind": "frontline", "parent": child.pk, "sort_order": 0},
    )
    assert response.status_code == 200
    assert Department.objects.get(pk=personas.department_a.pk).parent is None


def test_hr_sends_a_person_to_waiting_from_his_page(client, personas):
    client.force_login(personas.hr)
    person = personas.staff_person
    url = reverse("staffing:person_action", args=[person.pk, "waiting"])
    response = client.post(url, {"on": "2025-11-01", "reason": "竞聘未聘，离岗培训"})
    assert response.status_code == 302
    assert Person.objects.get(pk=person.pk).status == Person.Status.WAITING
    page = client.get(reverse("staffing:person_detail", args=[person.pk])).content.decode()
    assert "竞聘未聘，离岗培训" in page


def test_an_action_that_does_not_apply_is_not_offered(client, personas):
    client.force_login(personas.hr)
    person = personas.staff_person
    assert client.get(reverse("staffing:person_action", args=[person.pk, "return"])).status_code == 404
    actions = [
        slug for slug, _title in client.get(reverse("staffing:person_detail", args=[person.pk])).context["actions"]
    ]
    assert "return" not in actions
    assert "transfer" in actions


def test_the_person_page_shows_both_tracks(client, personas):
    client.force_login(personas.hr)
    record = ArchivalRecordFactory(person=personas.staff_person, archival_rank="四级主任科员")
    page = client.get(reverse("staffing:person_detail", args=[personas.staff_person.pk]))
    text = page.content.decode()
    assert "四级主任科员" in text
    assert personas.staff_person.appointments.get().post.name in text
    assert page.context["archival"].archival_salary == record.archival_salary


def test_contract_terms_lists_terms_and_probations_in_the_window(client, personas):
    client.force_login(personas.hr)
    today = dt.date.today()
    ending = AppointmentFactory(term_start=dt.date(2023, 1, 1), term_end=today + dt.timedelta(days=10))
    probation = AppointmentFactory(
        term_start=dt.date(2025, 1, 1),
        term_end=today + dt.timedelta(days=900),
        probation_end=today + dt.timedelta(days=40),
    )
    AppointmentFactory(term_start=dt.date(2025, 1, 1), term_end=today + dt.timedelta(days=800))
    shown = list(client.get(reverse("staffing:contract_terms"), {"within": 60}).context["appointments"])
    assert shown == [ending, probation]


def test_a_department_head_sees_only_his_department_in_contract_terms(client, personas):
    client.force_login(personas.head_b)
    today = dt.date.today()
    AppointmentFactory(
        post=PostFactory(department=personas.department_a),
        term_start=dt.date(2023, 1, 1),
        term_end=today + dt.timedelta(days=10),
    )
    assert list(client.get(reverse("staffing:contract_terms")).context["appointments"]) == []


def test_the_appoint_form_gives_a_leader_probation(client, personas):
    client.force_login(personas.hr)
    person = PersonFactory()
    post = PostFactory(department=personas.department_a, is_leadership=True)
    grade = SalaryGradeFactory(series=post.level.series, number=1)
    response = client.post(
        reverse("staffing:person_action", args=[person.pk, "appoint"]),
        {
            "post": post.pk,
            "salary_grade": grade.pk,
            "method": "competitive",
            "term_start": "2025-11-01",
            "term_end": "2028-10-31",
        },
    )
    assert response.status_code == 302
    assert Appointment.objects.get(person=person).probation_end == dt.date(2026, 10, 31)


def test_the_department_filter_keeps_the_choice_and_escapes_names(client, personas):
    client.force_login(personas.hr)
    odd = DepartmentFactory(name="<b>园区</b>")
    text = client.get(reverse("staffing:roster"), {"department": odd.pk}).content.decode()
    assert f'<option value="{odd.pk}" selected>&lt;b&gt;园区&lt;/b&gt;</option>' in text
    assert f'<option value="{personas.department_a.pk}">招商一部</option>' in text
