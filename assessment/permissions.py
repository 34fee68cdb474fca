"""Who may do what in assessment: the one place pages, the API and the services ask."""

from typing import Any

from staffing.models import Department
from staffing.selectors import user_department
from zonehr.roles import Role, has_role

MANAGE_ROLES = (Role.HR_OFFICER,)
READ_ROLES = (Role.HR_OFFICER, Role.LEADERSHIP, Role.DEPARTMENT_HEAD, Role.FINANCE_OFFICER)


def can_manage(user: Any) -> bool:
    return has_role(user, *MANAGE_ROLES)


def can_approve_coefficients(user: Any) -> bool:
    return has_role(user, Role.LEADERSHIP)


def can_enter_for(user: Any, department: Department | None) -> bool:
    """HR enters for every department; a department head only for his own."""
    if can_manage(user):
        return True
    if department is None or not has_role(user, Role.DEPARTMENT_HEAD):
        return False
    own = user_department(user)
    return own is not None and own.pk == department.pk


def can_handle_conduct_reports(user: Any) -> bool:
    return has_role(user, Role.DISCIPLINE_INSPECTOR)
