"""Who may see and change what in staffing: the one place pages and the API ask."""

from typing import Any

from django.db.models import QuerySet

from staffing.models import Appointment, Person
from staffing.selectors import user_department, user_person
from zonehr.roles import Role, has_role

ROSTER_ROLES = (Role.HR_OFFICER, Role.LEADERSHIP, Role.FINANCE_OFFICER, Role.DEPARTMENT_HEAD)
MANAGE_ROLES = (Role.HR_OFFICER,)


def can_manage(user: Any) -> bool:
    return has_role(user, *MANAGE_ROLES)


def sees_full_national_id(user: Any) -> bool:
    return has_role(user, Role.HR_OFFICER)


def department_scope_required(user: Any) -> bool:
    """A department head without a zone-wide role sees his own department only."""
    return has_role(user, Role.DEPARTMENT_HEAD) and not has_role(
        user, Role.HR_OFFICER, Role.LEADERSHIP, Role.FINANCE_OFFICER
    )


def people_visible_to(user: Any, people: QuerySet[Person]) -> QuerySet[Person]:
    """Narrow `people` to those `user` may see: all for HR, leadership and finance;
    a department head his own department; a staff member himself; others nobody."""
    if has_role(user, Role.HR_OFFICER, Role.LEADERSHIP, Role.FINANCE_OFFICER):
        return people
    if has_role(user, Role.DEPARTMENT_HEAD):
        department = user_department(user)
        if department is not None:
            return people.filter(
                appointments__status=Appointment.Status.ACTIVE, appointments__post__department=department
            )
    person = user_person(user)
    if person is not None and has_role(user, Role.STAFF_MEMBER):
        return people.filter(pk=person.pk)
    return people.none()
