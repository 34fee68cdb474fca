"""Invariants of the dual track: refused bad input, sealed records, one active appointment."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from staffing import selectors, services
from staffing.models import Appointment, ArchivalEvent, Person, SealedRecordError, StatusChange
from tests.factories import (
    AppointmentFactory,
    ArchivalRecordFactory,
    PersonFactory,
    PositionLevelFactory,
    PostFactory,
    PostSeriesFactory,
    SalaryGradeFactory,
    UserFactory,
    national_id_for,
)
from zonehr.errors import ApplicationError

pytestmark = pytest.mark.django_db


def appoint(person, post, grade, **overrides):
    fields = {
        "actor": None,
        "person": person,
        "post": post,
        "method": Appointment.Method.COMPETITIVE,
        "term_start": dt.date(2025, 1, 1),
        "term_end": dt.date(2027, 12, 31),
        "salary_grade": grade,
    }
    fields.update(overrides)
    return services.appointment_create(**fields)


def test_it_refuses_a_person_whose_national_id_check_digit_is_wrong():
    good = national_id_for(dt.date(1985, 3, 4), 12)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(ApplicationError) as info:
        services.person_create(
            actor=None,
            name="李四",
            national_id=bad,
            identity=Person.Identity.CONTRACT,
            gender="M",
            birth_date=dt.date(1985, 3, 4),
            education=Person.Education.BACHELOR,
            joined_on=dt.date(2008, 7, 1),
        )
    assert "national_id" in info.value.fields
    assert "check digit" in info.value.fields["national_id"][0]
    assert not Person.objects.exists()


def test_it_refuses_a_birth_date_that_contradicts_the_national_id():
    with pytest.raises(ApplicationError) as info:
        services.person_create(
            actor=None,
            name="王五",
            national_id=national_id_for(dt.date(1985, 3, 4), 3),
            identity=Person.Identity.CIVIL_SERVANT,
            gender="M",
            birth_date=dt.date(1985, 3, 5),
            education=Person.Education.MASTER,
            joined_on=dt.date(2008, 7, 1),
        )
    assert list(info.value.fields) == ["birth_date"]


def test_it_appoints_within_the_level_band_and_puts_the_person_on_post():
    post = PostFactory(level=PositionLevelFactory(min_grade=2, max_grade=4))
    grade = SalaryGradeFactory(series=post.level.series, number=3, monthly_amount=Decimal("5200.00"))
    person = PersonFactory()
    appointment = appoint(person, post, grade)
    person.refresh_from_db()
    assert person.status == Person.Status.ON_POST
    assert appointment.monthly_salary == Decimal("5200.00")
    change = StatusChange.objects.get(person=person)
    assert (change.from_status, change.to_status) == (Person.Status.PENDING, Person.Status.ON_POST)


def test_it_refuses_a_salary_grade_of_another_series():
    post = PostFactory()
    technical = PostSeriesFactory(code="technical", name="技术")
    foreign_grade = SalaryGradeFactory(series=technical, number=1)
    person = PersonFactory()
    with pytest.raises(ApplicationError) as info:
        appoint(person, post, foreign_grade)
    assert "salary_grade" in info.value.fields
    assert "outside the post's series and level" in info.value.fields["salary_grade"][0]
    assert not Appointment.objects.exists()
    person.refresh_from_db()
    assert person.status == Person.Status.PENDING


def test_it_refuses_a_grade_above_the_level_band():
    post = PostFactory(level=PositionLevelFactory(min_grade=1, max_grade=3))
    person = PersonFactory()
    with pytest.raises(ApplicationError):
        appoint(person, post, SalaryGradeFactory(series=post.level.series, number=4))


def test_it_refuses_a_second_active_appointment():
    first = AppointmentFactory()
    other_post = PostFactory(level=first.post.level)
    with pytest.raises(ApplicationError) as info:
        appoint(first.person, other_post, first.salary_grade)
    assert "already holds an active appointment" in info.value.message
    assert Appointment.objects.filter(person=first.person).count() == 1


def test_the_database_itself_refuses_two_active_appointments():
    first = AppointmentFactory()
    duplicate = Appointment(
        person=first.person,
        post=first.post,
        method=first.method,
        term_start=first.term_start,
        term_end=first.term_end,
        salary_grade=first.salary_grade,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_it_refuses_an_appointment_beyond_the_headcount():
    post = PostFactory(headcount=1)
    grade = SalaryGradeFactory(series=post.level.series, number=1)
    appoint(PersonFactory(), post, grade)
    late = PersonFactory()
    with pytest.raises(ApplicationError) as info:
        appoint(late, post, grade)
    assert "is full: headcount 1, 1 held" in info.value.message


def test_a_negotiated_level_takes_a_negotiated_salary_and_no_grade():
    level = PositionLevelFactory(is_negotiated=True, min_grade=None, max_grade=None)
    post = PostFactory(level=level)
    appointment = appoint(PersonFactory(), post, None, negotiated_salary=Decimal("25000.00"))
    assert appointment.monthly_salary == Decimal("25000.00")
    with pytest.raises(ApplicationError) as info:
        appoint(PersonFactory(), PostFactory(), None, negotiated_salary=Decimal("9000.00"))
    assert "negotiated_salary" in info.value.fields


def test_it_refuses_a_term_that_ends_before_it_starts():
    post = PostFactory()
    with pytest.raises(ApplicationError) as info:
        appoint(
            PersonFactory(),
            post,
            SalaryGradeFactory(series=post.level.series, number=1),
            term_start=dt.date(2025, 1, 1),
            term_end=dt.date(2024, 1, 1),
        )
    assert "must end after it starts" in info.value.message


def test_the_database_refuses_negative_headcount():
    post = PostFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        type(post).objects.filter(pk=post.pk).update(headcount=-1)


def test_a_sealed_record_cannot_be_saved_again_or_deleted():
    record = ArchivalRecordFactory()
    record.archival_salary = Decimal("9999.00")
    with pytest.raises(SealedRecordError):
        record.save()
    with pytest.raises(SealedRecordError):
        record.delete()
    record.refresh_from_db()
    assert record.archival_salary == Decimal("4200.00")


def test_effective_archival_values_apply_events_in_order():
    record = ArchivalRecordFactory()
    user = UserFactory()
    common = {
        "record": record,
        "approval_document": "高新党工委〔2025〕12号",
        "reason": "职级晋升",
        "recorded_by": user,
    }
    ArchivalEvent.objects.create(
        kind=ArchivalEvent.Kind.PROMOTION,
        archival_rank="四级主任科员",
        archival_salary=Decimal("4800.00"),
        approved_on=dt.date(2025, 3, 1),
        effective_on=dt.date(2025, 4, 1),
        **common,
    )
    ArchivalEvent.objects.create(
        kind=ArchivalEvent.Kind.SALARY_ADJUSTMENT,
        archival_salary=Decimal("5100.00"),
        approved_on=dt.date(2026, 1, 1),
        effective_on=dt.date(2026, 1, 1),
        **common,
    )
    values = selectors.archival_effective(record)
    assert values.archival_post == "科员"
    assert values.archival_rank == "四级主任科员"
    assert values.archival_salary == Decimal("5100.00")
