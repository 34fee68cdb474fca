"""Staffing reads that cross relations, written so the query count does not grow with rows."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, FilteredRelation, Q, QuerySet
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from staffing.models import Appointment, ArchivalRecord, Department, Person, PositionLevel, Post, PostSeries


def active_appointments() -> QuerySet[Appointment]:
    return Appointment.objects.filter(status=Appointment.Status.ACTIVE).select_related(
        "post__department", "post__level__series", "salary_grade"
    )


ROSTER_ORDERINGS = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "joined_on": ("joined_on", "id"),
    "-joined_on": ("-joined_on", "-id"),
    "department": ("current__post__department__code", "name", "id"),
    "term_end": ("current__term_end", "name", "id"),
    "-term_end": ("-current__term_end", "name", "id"),
}


@dataclass(frozen=True)
class RosterFilters:
    search: str = ""
    department: Department | None = None
    identity: str = ""
    status: str = ""
    series: PostSeries | None = None
    level: PositionLevel | None = None
    term_ending_within_days: int | None = None
    ordering: str = "name"

    @property
    def uses_current_post(self) -> bool:
        return (
            self.department is not None
            or self.series is not None
            or self.level is not None
            or self.term_ending_within_days is not None
            or self.ordering in ("department", "term_end", "-term_end")
        )


def _with_current(people: QuerySet[Person]) -> QuerySet[Person]:
    # The one-active-appointment constraint makes this join at most one row per person.
    return people.annotate(
        current=FilteredRelation("appointments", condition=Q(appointments__status=Appointment.Status.ACTIVE)),
    )


def person_list(filters: RosterFilters = RosterFilters(), *, today: dt.date | None = None) -> QuerySet[Person]:
    """The roster's people, filtered and ordered, without their posts (see roster_rows).

    It joins the current appointment only when a filter or the order needs it, so that the
    count and the page of a large roster stay on the person table and its name index.
    """
    people = _with_current(Person.objects.all()) if filters.uses_current_post else Person.objects.all()
    if filters.search:
        people = people.filter(Q(name__icontains=filters.search) | Q(national_id__startswith=filters.search))
    if filters.department is not None:
        people = people.filter(current__post__department__in=department_subtree_ids(filters.department))
    if filters.identity:
        people = people.filter(identity=filters.identity)
    if filters.status:
        people = people.filter(status=filters.status)
    if filters.series is not None:
        people = people.filter(current__post__level__series=filters.series)
    if filters.level is not None:
        people = people.filter(current__post__level=filters.level)
    if filters.term_ending_within_days is not None:
        start = today or timezone.localdate()
        people = people.filter(
            current__term_end__gte=start,
            current__term_end__lte=start + dt.timedelta(days=filters.term_ending_within_days),
        )
    return people.order_by(*ROSTER_ORDERINGS.get(filters.ordering, ROSTER_ORDERINGS["name"]))


def roster_rows(ids: list[int]) -> list[Person]:
    """The people of one roster page, in the order of `ids`, with their current post as plain
    attributes (post_name, department_name, level_name, grade_number, term_end): one query."""
    people = _with_current(Person.objects.filter(pk__in=ids)).annotate(
        appointment_id=F("current__id"),
        post_name=F("current__post__name"),
        department_name=F("current__post__department__name"),
        level_name=F("current__post__level__name"),
        grade_number=F("current__salary_grade__number"),
        term_end=F("current__term_end"),
    )
    by_id = {person.pk: person for person in people}
    return [by_id[pk] for pk in ids if pk in by_id]


def department_subtree_ids(department: Department) -> list[int]:
    """The department and every department below it (one query: the tree is small)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Department.objects.values_list("id", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found, stack = [], [department.pk]
    while stack:
        pk = stack.pop()
        found.append(pk)
        stack.extend(children.get(pk, []))
    return found


def user_person(user: Any) -> Person | None:
    """The person record of a login, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_zonehr_person"):
        user._zonehr_person = Person.objects.filter(user=user).first()
    return user._zonehr_person


def person_department(person: Person) -> Department | None:
    """The department of a person's active appointment, if he holds one."""
    appointment = (
        Appointment.objects.filter(person=person, status=Appointment.Status.ACTIVE)
        .select_related("post__department")
        .first()
    )
    return appointment.post.department if appointment else None


def user_department(user: Any) -> Department | None:
    """The department a user works in: that of his active appointment."""
    person = user_person(user)
    return person_department(person) if person is not None else None


@dataclass(frozen=True)
class ArchivalValues:
    archival_post: str
    archival_rank: str
    establishment_type: str
    archival_salary: Decimal


def archival_effective(record: ArchivalRecord) -> ArchivalValues:
    """The sealed values with every event applied in order of effect."""
    values = {
        "archival_post": record.archival_post,
        "archival_rank": record.archival_rank,
        "establishment_type": record.establishment_type,
        "archival_salary": record.archival_salary,
    }
    for event in record.events.all():
        for field in ("archival_post", "archival_rank", "establishment_type"):
            if getattr(event, field):
                values[field] = getattr(event, field)
        if event.archival_salary is not None:
            values["archival_salary"] = event.archival_salary
    return ArchivalValues(**values)


def status_counts() -> dict[str, int]:
    counts = dict(Person.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return {status: counts.get(status, 0) for status in Person.Status.values}


def post_occupancy(*, department: Department | None = None) -> QuerySet[Post]:
    """Posts with how many places are held (`used`) and free (`vacant`), in one query."""
    posts = Post.objects.filter(is_active=True).select_related("department", "level__series")
    if department is not None:
        posts = posts.filter(department=department)
    return posts.annotate(
        used=Count("appointments", filter=Q(appointments__status=Appointment.Status.ACTIVE)),
    ).annotate(vacant=F("headcount") - F("used"))


@dataclass
class DepartmentNode:
    department: Department
    depth: int
    posts: list[Post]

    @property
    def headcount(self) -> int:
        return sum(post.headcount for post in self.posts)

    @property
    def used(self) -> int:
        return sum(post.used for post in self.posts)


def department_tree(*, only: Department | None = None, include_inactive: bool = False) -> list[DepartmentNode]:
    """Departments in tree order with their posts and occupancy: two queries for the whole zone."""
    departments = list(Department.objects.all() if include_inactive else Department.objects.filter(is_active=True))
    posts_by_department: dict[int, list[Post]] = {}
    for post in post_occupancy():
        posts_by_department.setdefault(post.department_id, []).append(post)
    children: dict[int | None, list[Department]] = {}
    known = {d.pk for d in departments}
    for department in departments:
        parent = department.parent_id if department.parent_id in known else None
        children.setdefault(parent, []).append(department)
    roots = [only] if only is not None else children.get(None, [])
    nodes: list[DepartmentNode] = []

    def walk(department: Department, depth: int) -> None:
        nodes.append(DepartmentNode(department, depth, posts_by_department.get(department.pk, [])))
        for child in children.get(department.pk, []):
            walk(child, depth + 1)

    for root in roots:
        walk(root, 0)
    return nodes


def appointments_ending(
    *, within_days: int, department: Department | None = None, today: dt.date | None = None
) -> QuerySet[Appointment]:
    """Active appointments whose term or probation ends in the window, soonest first."""
    start = today or timezone.localdate()
    end = start + dt.timedelta(days=within_days)
    ending = Q(term_end__range=(start, end)) | Q(probation_end__range=(start, end))
    appointments = active_appointments().filter(ending).select_related("person")
    if department is not None:
        appointments = appointments.filter(post__department=department)
    return appointments.annotate(ends_first=Least("term_end", Coalesce("probation_end", "term_end"))).order_by(
        "ends_first", "person__name"
    )
