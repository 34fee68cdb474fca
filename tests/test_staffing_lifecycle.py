"""The lifecycle actions of domain.md §5 as services."""

import datetime as dt

import pytest
from auditlog.models import LogEntry

from staffing import services
from staffing.models import Appointment, ArchivalEvent, Person, StaffingPolicy, StatusChange
from tests.factories import (
    AppointmentFactory,
    ArchivalRecordFactory,
    PersonFactory,
    PositionLevelFactory,
    PostFactory,
    SalaryGradeFactory,
    UserFactory,
)
from zonehr.errors import ApplicationError

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def hr():
    return UserFactory(username="hr_officer")


def grade_for(post, number=1):
    return SalaryGradeFactory(series=post.level.series, number=number)


def test_sending_to_waiting_ends_the_appointment_and_records_the_status(hr):
    appointment = AppointmentFactory()
    services.person_send_to_waiting(actor=hr, person=appointment.person, on=D(2025, 10, 31), reason="竞聘未聘")
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.ENDED
    assert appointment.end_kind == Appointment.EndKind.WAITING
    assert appointment.ended_on == D(2025, 10, 31)
    person = Person.objects.get(pk=appointment.person_id)
    assert person.status == Person.Status.WAITING
    change = StatusChange.objects.filter(person=person).first()
    assert (change.to_status, change.reason, change.actor) == (Person.Status.WAITING, "竞聘未聘", hr)


def test_return_from_waiting_is_refused_before_three_months(hr):
    appointment = AppointmentFactory()
    person = appointment.person
    services.person_send_to_waiting(actor=hr, person=person, on=D(2025, 11, 1), reason="竞聘未聘")
    post = PostFactory(level=appointment.post.level)
    with pytest.raises(ApplicationError) as info:
        services.person_return_from_waiting(
            actor=hr,
            person=person,
            post=post,
            method="competitive",
            term_start=D(2026, 1, 15),
            term_end=D(2028, 12, 31),
            salary_grade=grade_for(post),
        )
    assert "earliest return is 2026-02-01" in info.value.message
    assert Person.objects.get(pk=person.pk).status == Person.Status.WAITING


def test_return_from_waiting_after_three_months_puts_him_on_post(hr):
    appointment = AppointmentFactory()
    person = appointment.person
    services.person_send_to_waiting(actor=hr, person=person, on=D(2025, 11, 1), reason="竞聘未聘")
    post = PostFactory(level=appointment.post.level)
    new = services.person_return_from_waiting(
        actor=hr,
        person=person,
        post=post,
        method="competitive",
        term_start=D(2026, 2, 1),
        term_end=D(2028, 12, 31),
        salary_grade=grade_for(post),
    )
    assert new.status == Appointment.Status.ACTIVE
    assert Person.objects.get(pk=person.pk).status == Person.Status.ON_POST


def test_hr_may_override_the_minimum_with_a_reason_kept_in_the_audit_trail(hr):
    appointment = AppointmentFactory()
    person = appointment.person
    services.person_send_to_waiting(actor=hr, person=person, on=D(2025, 11, 1), reason="竞聘未聘")
    post = PostFactory(level=appointment.post.level)
    new = services.person_return_from_waiting(
        actor=hr,
        person=person,
        post=post,
        method="direct",
        term_start=D(2025, 12, 1),
        term_end=D(2028, 12, 31),
        salary_grade=grade_for(post),
        override_reason="急需专业人才，党工委同意",
    )
    entry = LogEntry.objects.get_for_object(new).get()
    assert entry.additional_data["reason"] == "急需专业人才，党工委同意"
    assert entry.actor == hr


def test_the_minimum_waiting_period_is_a_policy(hr):
    policy = StaffingPolicy.current()
    policy.waiting_minimum_months = 1
    policy.save()
    appointment = AppointmentFactory()
    services.person_send_to_waiting(actor=hr, person=appointment.person, on=D(2025, 11, 1), reason="x")
    post = PostFactory(level=appointment.post.level)
    services.person_return_from_waiting(
        actor=hr,
        person=appointment.person,
        post=post,
        method="direct",
        term_start=D(2025, 12, 1),
        term_end=D(2027, 12, 31),
        salary_grade=grade_for(post),
    )


def test_a_waiting_person_cannot_be_appointed_around_the_training_rule(hr):
    appointment = AppointmentFactory()
    services.person_send_to_waiting(actor=hr, person=appointment.person, on=D(2025, 11, 1), reason="x")
    post = PostFactory(level=appointment.post.level)
    with pytest.raises(ApplicationError, match="return from waiting"):
        services.appointment_create(
            actor=hr,
            person=appointment.person,
            post=post,
            method="direct",
            term_start=D(2025, 11, 2),
            term_end=D(2027, 12, 31),
            salary_grade=grade_for(post),
        )


def test_transfer_after_failure_refuses_a_higher_post(hr):
    low = PositionLevelFactory(rank=2)
    high = PositionLevelFactory(rank=3, series=low.series)
    appointment = AppointmentFactory(post=PostFactory(level=low))
    higher_post = PostFactory(level=high)
    with pytest.raises(ApplicationError) as info:
        services.appointment_transfer(
            actor=hr,
            person=appointment.person,
            post=higher_post,
            on=D(2025, 6, 1),
            reason="考核不称职转岗",
            salary_grade=grade_for(higher_post),
            after_failure=True,
        )
    assert "may not be higher" in info.value.message
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.ACTIVE


def test_transfer_ends_the_old_post_the_day_before_and_keeps_the_term(hr):
    level = PositionLevelFactory(rank=2)
    appointment = AppointmentFactory(post=PostFactory(level=level))
    same_level_post = PostFactory(level=level)
    new = services.appointment_transfer(
        actor=hr,
        person=appointment.person,
        post=same_level_post,
        on=D(2025, 6, 1),
        reason="工作需要",
        salary_grade=grade_for(same_level_post),
        after_failure=True,
    )
    appointment.refresh_from_db()
    assert (appointment.ended_on, appointment.end_kind) == (D(2025, 5, 31), Appointment.EndKind.TRANSFERRED)
    assert (new.term_start, new.term_end, new.post) == (D(2025, 6, 1), appointment.term_end, same_level_post)


def test_transfer_into_a_full_post_is_refused_and_nothing_changes(hr):
    appointment = AppointmentFactory()
    full = PostFactory(level=appointment.post.level, headcount=0)
    with pytest.raises(ApplicationError, match="is full"):
        services.appointment_transfer(
            actor=hr,
            person=appointment.person,
            post=full,
            on=D(2025, 6, 1),
            reason="x",
            salary_grade=grade_for(full),
        )
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.ACTIVE


def test_renewal_extends_the_term_and_is_audited(hr):
    appointment = AppointmentFactory(term_end=D(2026, 12, 31))
    services.appointment_renew(actor=hr, appointment=appointment, term_end=D(2029, 12, 31), reason="考核称职续聘")
    appointment.refresh_from_db()
    assert appointment.term_end == D(2029, 12, 31)
    entry = LogEntry.objects.get_for_object(appointment).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.changes_dict["term_end"] == ["2026-12-31", "2029-12-31"]


def test_renewal_must_end_later_than_the_current_term(hr):
    appointment = AppointmentFactory(term_end=D(2026, 12, 31))
    with pytest.raises(ApplicationError):
        services.appointment_renew(actor=hr, appointment=appointment, term_end=D(2026, 6, 30), reason="x")


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        (Appointment.EndKind.CONTRACT_END, Person.Status.DEPARTED),
        (Appointment.EndKind.DISMISSED, Person.Status.DISMISSED),
        (Appointment.EndKind.DEPARTED, Person.Status.DEPARTED),
        (Appointment.EndKind.RETIRED, Person.Status.RETIRED),
    ],
)
def test_separations_end_the_appointment_and_set_the_status(hr, kind, status):
    appointment = AppointmentFactory()
    services.person_separate(actor=hr, person=appointment.person, kind=kind, on=D(2025, 12, 31), reason="依规办理")
    appointment.refresh_from_db()
    assert (appointment.status, appointment.end_kind) == (Appointment.Status.ENDED, kind)
    assert Person.objects.get(pk=appointment.person_id).status == status


def test_someone_who_left_cannot_be_appointed_again_or_leave_twice(hr):
    appointment = AppointmentFactory()
    person = appointment.person
    services.person_separate(actor=hr, person=person, kind="retired", on=D(2025, 12, 31), reason="到龄退休")
    with pytest.raises(ApplicationError):
        services.person_separate(actor=hr, person=person, kind="dismissed", on=D(2026, 1, 31), reason="x")
    with pytest.raises(ApplicationError):
        services.appointment_create(
            actor=hr,
            person=person,
            post=appointment.post,
            method="direct",
            term_start=D(2026, 1, 1),
            term_end=D(2027, 1, 1),
            salary_grade=appointment.salary_grade,
        )


def test_lifecycle_actions_require_a_reason(hr):
    appointment = AppointmentFactory()
    with pytest.raises(ApplicationError) as info:
        services.person_send_to_waiting(actor=hr, person=appointment.person, on=D(2025, 1, 1), reason=" ")
    assert "reason" in info.value.fields


def test_a_new_leader_gets_a_one_year_probation(hr):
    post = PostFactory(is_leadership=True)
    appointment = services.appointment_create(
        actor=hr,
        person=PersonFactory(),
        post=post,
        method="competitive",
        term_start=D(2025, 11, 1),
        term_end=D(2028, 10, 31),
        salary_grade=grade_for(post),
    )
    assert appointment.probation_end == D(2026, 10, 31)


def test_an_archival_event_cites_its_approval_and_changes_the_effective_values(hr):
    record = ArchivalRecordFactory(sealed_on=D(2024, 1, 1))
    event = services.archival_event_record(
        actor=hr,
        record=record,
        kind=ArchivalEvent.Kind.PROMOTION,
        approval_document="高新党工委〔2025〕12号",
        approved_on=D(2025, 3, 1),
        effective_on=D(2025, 3, 1),
        reason="编制内出现空缺，按规定晋升",
        archival_post="副科长",
        archival_rank="三级主任科员",
    )
    assert event.recorded_by == hr
    assert LogEntry.objects.get_for_object(event).get().additional_data["person"] == record.person_id


def test_an_archival_event_before_sealing_is_refused(hr):
    record = ArchivalRecordFactory(sealed_on=D(2024, 1, 1))
    with pytest.raises(ApplicationError):
        services.archival_event_record(
            actor=hr,
            record=record,
            kind=ArchivalEvent.Kind.PROMOTION,
            approval_document="x",
            approved_on=D(2023, 3, 1),
            effective_on=D(2023, 3, 1),
            reason="x",
            archival_rank="x",
        )


def test_a_second_sealed_record_is_refused(hr):
    record = ArchivalRecordFactory()
    with pytest.raises(ApplicationError, match="already has a sealed archival record"):
        services.archival_record_seal(
            actor=hr,
            person=record.person,
            archival_post="科员",
            archival_rank="一级科员",
            establishment_type="none",
            archival_salary=record.archival_salary,
            sealed_on=D(2025, 1, 1),
        )
