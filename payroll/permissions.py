"""Who may do what in payroll: the one place pages, the API and the services ask.

Finance runs the months; leadership approves packages and alone may reopen a closed month; a
department head sees his department's package and totals but no one's tax; every member of
staff sees his own pay slips.
"""

from typing import Any

from staffing.models import Department, Person
from staffing.selectors import user_department, user_person
from zonehr.roles import Role, has_role

MANAGE_ROLES = (Role.FINANCE_OFFICER,)
PACKAGE_ROLES = (Role.FINANCE_OFFICER, Role.LEADERSHIP)
READ_ROLES = (Role.FINANCE_OFFICER, Role.LEADERSHIP, Role.DEPARTMENT_HEAD)
REOPEN_ROLES = (Role.LEADERSHIP,)


def can_manage(user: Any) -> bool:
    """Edit the pay policy and inputs, calculate, close, and read every pay line and export."""
    return has_role(user, *MANAGE_ROLES)


def can_model_packages(user: Any) -> bool:
    """Use the what-if page on packages."""
    return has_role(user, *PACKAGE_ROLES)


def can_approve_packages(user: Any) -> bool:
    return has_role(user, Role.LEADERSHIP)


def can_reopen(user: Any) -> bool:
    return has_role(user, *REOPEN_ROLES)


def can_read_periods(user: Any) -> bool:
    """See the list of periods with their status and totals."""
    return has_role(user, *READ_ROLES)


def visible_department(user: Any) -> Department | None:
    """The one department whose package and totals a department head may see; None for
    everyone else (finance and leadership see all departments through can_model_packages)."""
    if not has_role(user, Role.DEPARTMENT_HEAD):
        return None
    return user_department(user)


def can_see_department(user: Any, department: Department) -> bool:
    if has_role(user, *PACKAGE_ROLES):
        return True
    own = visible_department(user)
    return own is not None and own.pk == department.pk


def can_see_pay_slip(user: Any, person: Person) -> bool:
    """Finance sees every slip; anyone else only his own."""
    if can_manage(user):
        return True
    own = user_person(user)
    return own is not None and own.pk == person.pk
