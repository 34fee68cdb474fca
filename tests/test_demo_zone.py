"""The demo zone: a believable office that keeps every staffing rule, and its command."""

import io
import re
from decimal import Decimal
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F, Q
from django.http import HttpRequest

from staffing import demo
from staffing.models import (
    Appointment,
    ArchivalEvent,
    ArchivalRecord,
    Department,
    Person,
    Post,
    PostSeries,
)
from staffing.national_id import birth_date, gender, validate_national_id
from staffing.selectors import user_department
from zonehr.models import User
from zonehr.roles import Role

STAFF = 60


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    # The demo password is hashed with the first hasher; the default one takes a second.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def zone(db) -> demo.DemoSummary:
    return demo.demo_zone_build(staff=STAFF, seed=7)


def test_it_has_the_staff_asked_for_in_every_status(zone):
    assert Person.objects.count() == STAFF
    assert set(Person.objects.values_list("status", flat=True)) == set(Person.Status.values)
    assert zone.status_counts[Person.Status.ON_POST] > STAFF // 2


def test_it_builds_about_twenty_departments_of_every_kind_as_a_tree(zone):
    departments = list(Department.objects.all())
    assert 18 <= len(departments) <= 22
    assert {d.kind for d in departments} == set(Department.Kind.values)
    names = {d.name for d in departments}
    assert {"党政办公室", "经济发展局", "规划建设局", "财政局", "招商一部", "招商二部", "政务服务中心"} <= names
    children = [d for d in departments if d.parent_id]
    assert len(children) >= 3
    assert Department.objects.get(name="招商一部").parent.name == "投资促进局"


@pytest.mark.parametrize(
    ("series", "levels", "grades", "lowest", "highest", "negotiated"),
    [
        ("文职", 7, 11, 3500, 14900, "特聘行政专员"),
        ("技术", 7, 9, 3300, 11900, "特聘技术顾问"),
        ("其他(技工及勤杂)", 8, 8, 1950, 5100, None),
    ],
)
def test_it_sets_up_the_hengqin_pay_scale(zone, series, levels, grades, lowest, highest, negotiated):
    row = PostSeries.objects.get(name=series)
    amounts = list(row.grades.order_by("number").values_list("monthly_amount", flat=True))
    assert len(amounts) == grades
    assert (amounts[0], amounts[-1]) == (Decimal(lowest), Decimal(highest))
    assert all(low < high for low, high in pairwise(amounts))
    assert all(amount % 50 == 0 for amount in amounts)

    graded = list(row.levels.filter(is_negotiated=False))
    assert len(graded) == levels
    covered = {number for level in graded for number in range(level.min_grade, level.max_grade + 1)}
    assert covered == set(range(1, grades + 1))
    assert list(row.levels.filter(is_negotiated=True).values_list("name", flat=True)) == (
        [negotiated] if negotiated else []
    )


def test_grades_rise_from_lowest_to_highest_in_steps_of_fifty_yuan():
    amounts = demo.grade_amounts(lowest=3500, highest=14900, count=11)
    assert amounts[0] == Decimal("3500.00")
    assert amounts[-1] == Decimal("14900.00")
    steps = [high - low for low, high in pairwise(amounts)]
    assert steps == sorted(steps), "steps widen upwards"


def test_no_post_holds_more_than_its_headcount(zone):
    posts = Post.objects.annotate(used=Count("appointments", filter=Q(appointments__status="active")))
    assert not posts.filter(used__gt=F("headcount")).exists()
    assert (
        posts.filter(is_leadership=True, coefficient__gte=Decimal("1.2")).count()
        == posts.filter(is_leadership=True).count()
    )
    assert set(posts.filter(is_leadership=False).values_list("coefficient", flat=True)) == {Decimal("1.00")}


def test_exactly_those_on_post_hold_an_active_appointment(zone):
    active = Appointment.objects.filter(status=Appointment.Status.ACTIVE)
    assert set(active.values_list("person__status", flat=True)) == {Person.Status.ON_POST}
    assert active.count() == Person.objects.filter(status=Person.Status.ON_POST).count()


def test_every_appointment_is_paid_as_its_post_level_admits(zone):
    appointments = list(Appointment.objects.select_related("post__level", "salary_grade"))
    for appointment in appointments:
        if appointment.post.level.is_negotiated:
            assert appointment.salary_grade is None and appointment.negotiated_salary > 0
        else:
            assert appointment.post.level.admits_grade(appointment.salary_grade), appointment
    assert any(a.post.level.is_negotiated for a in appointments)
    methods = [a.method for a in appointments]
    assert max(set(methods), key=methods.count) == Appointment.Method.COMPETITIVE


def test_every_national_id_is_valid_unique_and_matches_birth_date_and_gender(zone):
    people = list(Person.objects.all())
    for person in people:
        validate_national_id(person.national_id)
        assert birth_date(person.national_id) == person.birth_date
        assert gender(person.national_id) == person.gender
        assert person.joined_on > person.birth_date
    assert len({p.national_id for p in people}) == len(people)


def test_everyone_has_a_sealed_archival_record_changed_only_by_cited_events(zone):
    assert ArchivalRecord.objects.count() == STAFF
    events = list(ArchivalEvent.objects.select_related("record"))
    assert events
    for event in events:
        assert re.fullmatch(r"高新\w+〔20\d\d〕\d+号", event.approval_document)
        assert event.effective_on >= event.record.sealed_on


def test_waiting_staff_were_sent_to_off_post_training_after_not_being_selected(zone):
    waiting = Person.objects.filter(status=Person.Status.WAITING)
    assert waiting.exists()
    for person in waiting:
        change = person.status_changes.get(to_status=Person.Status.WAITING)
        assert "未获聘任" in change.reason and "离岗培训" in change.reason


def test_those_who_left_have_only_ended_appointments(zone):
    gone = Person.objects.filter(status__in=[Person.Status.DEPARTED, Person.Status.DISMISSED, Person.Status.RETIRED])
    for person in gone:
        ended = person.appointments.get()
        assert ended.status == Appointment.Status.ENDED
        assert ended.end_kind == person.status
        assert person.status_changes.filter(to_status=person.status, changed_on=ended.ended_on).exists()


DEMO_ROLES = {
    "hr": {Role.HR_OFFICER},
    "head_a": {Role.DEPARTMENT_HEAD, Role.STAFF_MEMBER},
    "head_b": {Role.DEPARTMENT_HEAD, Role.STAFF_MEMBER},
    "judge": {Role.JUDGE},
    "finance": {Role.FINANCE_OFFICER},
    "leader": {Role.LEADERSHIP},
    "inspector": {Role.DISCIPLINE_INSPECTOR},
    "staff": {Role.STAFF_MEMBER},
}


@pytest.mark.parametrize(("username", "roles"), DEMO_ROLES.items())
def test_each_demo_user_holds_its_roles_and_can_log_in(zone, client, username, roles):
    user = User.objects.get(username=username)
    assert set(user.groups.values_list("name", flat=True)) == {role.value for role in roles}
    assert client.login(request=HttpRequest(), username=username, password=demo.DEMO_PASSWORD)


def test_the_judge_is_an_outsider_with_no_person_record(zone):
    assert not Person.objects.filter(user__username="judge").exists()


def test_head_a_heads_the_first_investment_promotion_department_and_staff_works_there(zone):
    head_a, head_b, staff = (User.objects.get(username=name) for name in ("head_a", "head_b", "staff"))
    assert user_department(head_a).name == "招商一部"
    assert head_a.person.appointments.get(status=Appointment.Status.ACTIVE).post.is_leadership
    assert user_department(staff).name == "招商一部"
    assert not staff.person.appointments.get(status=Appointment.Status.ACTIVE).post.is_leadership
    assert user_department(head_b).name not in ("招商一部", None)
    assert head_a.first_name == head_a.person.name


def test_the_same_seed_gives_the_same_people_and_another_seed_others(db):
    def people() -> list[tuple[str, str]]:
        return list(Person.objects.order_by("national_id").values_list("national_id", "name"))

    demo.demo_zone_build(staff=STAFF, seed=11)
    first = people()
    demo.demo_zone_flush()
    demo.demo_zone_build(staff=STAFF, seed=11)
    assert people() == first
    demo.demo_zone_flush()
    demo.demo_zone_build(staff=STAFF, seed=12)
    assert people() != first


def test_a_large_office_gets_more_zones_with_their_own_departments(db, monkeypatch):
    monkeypatch.setattr(demo, "STAFF_PER_ZONE", 50)
    summary = demo.demo_zone_build(staff=100, seed=1)
    assert summary.zones == 2
    assert Department.objects.count() == 2 * len(demo.DEPARTMENTS)
    assert Department.objects.filter(name="临港片区招商一部", parent__name="临港片区投资促进局").exists()
    assert user_department(User.objects.get(username="head_a")).name == "招商一部"


def test_the_command_builds_the_zone_and_prints_the_logins(db):
    out = io.StringIO()
    call_command("demo_zone", staff=STAFF, seed=3, stdout=out)
    text = out.getvalue()
    assert Person.objects.count() == STAFF
    assert re.search(r"^username\s+role\s+password", text, re.MULTILINE)
    for username in DEMO_ROLES:
        assert re.search(rf"^{username}\s.*\s{demo.DEMO_PASSWORD}\b", text, re.MULTILINE), username


def test_if_empty_leaves_an_existing_zone_alone_but_still_prints_the_logins(db):
    call_command("demo_zone", staff=STAFF, if_empty=True, stdout=io.StringIO())
    before = (Department.objects.count(), Person.objects.count(), Appointment.objects.count())
    out = io.StringIO()
    call_command("demo_zone", staff=STAFF, if_empty=True, stdout=out)
    assert (Department.objects.count(), Person.objects.count(), Appointment.objects.count()) == before
    assert "head_a" in out.getvalue() and demo.DEMO_PASSWORD in out.getvalue()


def test_without_flags_it_refuses_to_build_over_existing_data(zone):
    with pytest.raises(CommandError, match="--flush"):
        call_command("demo_zone", staff=STAFF, stdout=io.StringIO())


def test_flush_replaces_the_zone_and_keeps_the_logins(zone):
    hr = User.objects.get(username="hr")
    call_command("demo_zone", staff=STAFF + 10, seed=8, flush=True, stdout=io.StringIO())
    assert Person.objects.count() == STAFF + 10
    assert Department.objects.count() == len(demo.DEPARTMENTS)
    assert User.objects.get(username="hr").pk == hr.pk
