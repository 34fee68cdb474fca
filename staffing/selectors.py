"""Staffing reads that cross relations, written so the query count does not grow with rows."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet

from staffing.models import Appointment, ArchivalRecord, Department, Person, Post


def active_appointments() -> QuerySet[Appointment]:
    return Appointment.objects.filter(status=Appointment.Status.ACTIVE).select_related(
        "post__department", "post__level__series", "salary_grade"
    )


def person_list(*, search: str = "", department: Department | None = None, status: str = "") -> QuerySet[Person]:
    """People with their active appointment prefetched (two queries per page, whatever its size)."""
    people = Person.objects.prefetch_related(
        Prefetch("appointments", queryset=active_appointments(), to_attr="active_appointments")
    )
    if search:
        people = people.filter(Q(name__icontains=search) | Q(national_id__startswith=search))
    if department is not None:
        people = people.filter(
            appointments__status=Appointment.Status.ACTIVE, appointments__post__department=department
        )
    if status:
        people = people.filter(status=status)
    return people.order_by("name", "id")


def user_person(user: Any) -> Person | None:
    """The person record of a login, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_zonehr_person"):
        user._zonehr_person = Person.objects.filter(user=user).first()
    return user._zonehr_person


def user_department(user: Any) -> Department | None:
    """The department a user works in: that of his active appointment."""
    person = user_person(user)
    if person is None:
        return None
    appointment = (
        Appointment.objects.filter(person=person, status=Appointment.Status.ACTIVE)
        .select_related("post__department")
        .first()
    )
    return appointment.post.department if appointment else None


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
