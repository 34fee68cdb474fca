import datetime as dt
import re
from io import BytesIO

import pytest
from auditlog.models import LogEntry
from drf_spectacular.generators import SchemaGenerator
from openpyxl import load_workbook
from rest_framework.test import APIClient

from staffing import services
from staffing.models import Appointment, Person
from tests.factories import PersonFactory, PostFactory, SalaryGradeFactory, UserFactory
from zonehr.audit import audit_bulk_created, audit_context, audit_event
from zonehr.roles import Role
from zonehr.urls import router
from zonehr.xlsx import XLSX_TYPE

pytestmark = pytest.mark.django_db


def test_a_service_write_records_actor_reason_person_and_values():
    hr = UserFactory(username="hr1", roles=[Role.HR_OFFICER])
    post = PostFactory()
    person = PersonFactory()
    appointment = services.appointment_create(
        actor=hr,
        person=person,
        post=post,
        method=Appointment.Method.DIRECT,
        term_start=dt.date(2025, 1, 1),
        term_end=dt.date(2027, 12, 31),
        salary_grade=SalaryGradeFactory(series=post.level.series, number=1),
        reason="党工委会议决定",
    )
    entry = LogEntry.objects.get_for_object(appointment).get()
    assert entry.actor == hr
    assert entry.action == LogEntry.Action.CREATE
    assert entry.additional_data == {"reason": "党工委会议决定", "person": person.pk}
    status_entry = LogEntry.objects.get_for_object(person).filter(action=LogEntry.Action.UPDATE).get()
    assert status_entry.changes_dict["status"] == [Person.Status.PENDING, Person.Status.ON_POST]
    assert status_entry.actor == hr


def test_an_update_records_before_and_after():
    person = PersonFactory(education=Person.Education.BACHELOR)
    actor = UserFactory()
    with audit_context(actor=actor, reason="学历认证"):
        person.education = Person.Education.MASTER
        person.save()
    entry = LogEntry.objects.get_for_object(person).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.changes_dict == {"education": [Person.Education.BACHELOR, Person.Education.MASTER]}
    assert entry.additional_data["reason"] == "学历认证"


def test_the_context_restores_the_reason_after_the_block():
    actor = UserFactory()
    with audit_context(actor=actor, reason="first"):
        pass
    person = PersonFactory()
    entry = LogEntry.objects.get_for_object(person).get()
    assert entry.additional_data == {"person": person.pk}
    assert entry.actor is None


def test_an_event_goes_into_the_same_trail():
    actor = UserFactory()
    person = PersonFactory()
    audit_event(actor=actor, instance=person, event="roster_import", changes={"rows": [0, 12]}, reason="年度花名册")
    entry = LogEntry.objects.get_for_object(person).filter(additional_data__event="roster_import").get()
    assert entry.actor == actor
    assert entry.changes_dict == {"rows": [0, 12]}


def test_bulk_created_rows_get_one_entry_each():
    actor = UserFactory()
    people = [PersonFactory.build() for _ in range(3)]
    created = Person.objects.bulk_create(people)
    audit_bulk_created(actor=actor, instances=created, reason="花名册导入")
    entries = LogEntry.objects.filter(action=LogEntry.Action.CREATE, actor=actor)
    assert entries.count() == 3
    entry = entries.get(object_id=created[0].pk)
    assert entry.changes_dict["national_id"] == [None, created[0].national_id]
    assert entry.additional_data == {"person": created[0].pk, "reason": "花名册导入"}


def test_the_inspector_filters_the_trail_by_person_name_and_sees_masked_ids(client):
    inspector = UserFactory(roles=[Role.DISCIPLINE_INSPECTOR])
    person = PersonFactory(name="欧阳修")
    PersonFactory(name="司马光")
    client.force_login(inspector)
    response = client.get("/audit/", {"person": "欧阳"})
    entries = list(response.context["page"].object_list)
    assert [entry.object_id for entry in entries] == [person.pk]
    text = response.content.decode()
    assert person.national_id not in text
    assert person.national_id[:4] + "*" * 10 + person.national_id[-4:] in text


@pytest.mark.postgres
def test_the_database_refuses_to_change_or_delete_an_audit_entry():
    from django.db import DatabaseError, transaction

    person = PersonFactory()
    entry = LogEntry.objects.get_for_object(person).get()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).update(object_repr="rewritten")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).delete()
    entry.refresh_from_db()
    assert entry.object_repr == str(person)


def test_the_admin_offers_no_way_to_change_or_delete_the_trail(client):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    entry = LogEntry.objects.get_for_object(PersonFactory()).get()
    delete_url = f"/admin/auditlog/logentry/{entry.pk}/delete/"
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert LogEntry.objects.filter(pk=entry.pk).exists()


# --- Export ----------------------------------------------------------------------------------------


def _exported_rows(client, **query) -> list[tuple]:
    response = client.get("/audit/export/", query)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    return list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))


def test_the_export_follows_the_page_filter_and_masks_ids(english, personas):
    person = PersonFactory(name="欧阳修")
    PersonFactory(name="司马光")
    english.force_login(personas.inspector)
    header, *rows = _exported_rows(english, person="欧阳")
    assert header == ("When", "Who", "Record type", "Record", "Action", "Before → after", "Reason")
    assert [row[3] for row in rows] == ["欧阳修"]
    changes = rows[0][5]
    assert person.national_id[:4] + "*" * 10 + person.national_id[-4:] in changes
    assert person.national_id not in changes


def test_the_export_keeps_the_reason_and_the_actor(english, personas):
    person = PersonFactory(education=Person.Education.BACHELOR)
    with audit_context(actor=personas.hr, reason="学历认证"):
        person.education = Person.Education.MASTER
        person.save()
    english.force_login(personas.leader)
    rows = _exported_rows(english, user="hr")[1:]
    assert [(row[1], row[4], row[5], row[6]) for row in rows] == [
        ("hr", "update", "education: bachelor → master", "学历认证")
    ]


def test_the_export_neutralises_formulas(english, personas):
    actor = UserFactory()
    audit_event(actor=actor, instance=PersonFactory(), event="=HYPERLINK(\"http://x\")", changes={}, reason="+1+1")
    english.force_login(personas.inspector)
    rows = _exported_rows(english, user=actor.username)[1:]
    assert [(row[4], row[6]) for row in rows] == [("'=HYPERLINK(\"http://x\")", "'+1+1")]


# --- Nobody edits or deletes the trail: not the admin, not the API --------------------------------


def test_the_admin_refuses_to_change_an_entry(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    entry = LogEntry.objects.get_for_object(PersonFactory()).get()
    response = client.post(f"/admin/auditlog/logentry/{entry.pk}/change/", {"object_repr": "rewritten"})
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.object_repr != "rewritten"


def test_the_admin_list_offers_no_bulk_delete(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    entry = LogEntry.objects.get_for_object(PersonFactory()).get()
    response = client.post(
        "/admin/auditlog/logentry/", {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"}
    )
    assert response.status_code in (200, 302)
    assert LogEntry.objects.filter(pk=entry.pk).exists()
    assert "delete_selected" not in client.get("/admin/auditlog/logentry/").content.decode()


def test_no_api_endpoint_serves_the_audit_trail():
    served = {viewset.serializer_class.Meta.model for _prefix, viewset, _basename in router.registry}
    assert LogEntry not in served
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    assert not [path for path in paths if "audit" in path or "log" in path]


def test_no_api_write_changes_or_deletes_an_entry(personas):
    """Every unsafe operation of the API, called by a user holding every role on the id of an
    existing entry, leaves the entries there were exactly as they were."""
    person = PersonFactory()
    with audit_context(actor=personas.hr, reason="before"):
        person.education = Person.Education.MASTER
        person.save()
    entry = LogEntry.objects.get_for_object(person).last()
    before = list(LogEntry.objects.order_by("pk").values())
    everyone = UserFactory(username="all_roles", roles=list(Role))
    client = APIClient()
    client.force_authenticate(everyone)
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    calls = 0
    for path, operations in paths.items():
        for method in ("post", "put", "patch", "delete"):
            if method in operations:
                url = re.sub(r"\{[^}]+\}", str(entry.pk), path)
                response = getattr(client, method)(url, {}, format="json")
                assert response.status_code < 500, (method, url, response.status_code)
                calls += 1
    assert calls > 20
    after = {row["id"]: row for row in LogEntry.objects.order_by("pk").values()}
    assert [after.get(row["id"]) for row in before] == before


@pytest.mark.postgres
def test_the_database_refuses_raw_sql_that_rewrites_or_deletes_an_entry():
    from django.db import DatabaseError, connection, transaction

    entry = LogEntry.objects.get_for_object(PersonFactory()).get()
    for statement in (
        "UPDATE auditlog_logentry SET changes = '{}' WHERE id = %s",
        "DELETE FROM auditlog_logentry WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [entry.pk])
    assert LogEntry.objects.filter(pk=entry.pk, changes=entry.changes).exists()
