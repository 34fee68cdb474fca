"""Who may do what in assessment: the one place pages, the API and the services ask."""

from typing import Any

from assessment import selectors
from assessment.models import Indicator
from staffing.models import Department
from staffing.selectors import user_department
from zonehr.roles import Role, has_role

MANAGE_ROLES = (Role.HR_OFFICER,)
READ_ROLES = (Role.HR_OFFICER, Role.LEADERSHIP, Role.DEPARTMENT_HEAD, Role.FINANCE_OFFICER)
# Those who read every department's figures; a department head reads his own department's.
ZONE_READ_ROLES = (Role.HR_OFFICER, Role.LEADERSHIP, Role.FINANCE_OFFICER)


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


def sees_zone(user: Any, *, zone_roles: tuple[Role, ...] = ZONE_READ_ROLES) -> bool:
    return has_role(user, *zone_roles)


def own_department_id(user: Any, *, zone_roles: tuple[Role, ...] = ZONE_READ_ROLES) -> int | None:
    """None for those who see every department; otherwise the user's own department (0 when he
    holds no post, so a filter on it finds nothing)."""
    if sees_zone(user, zone_roles=zone_roles):
        return None
    department = user_department(user)
    return department.pk if department else 0


def can_see_indicator(user: Any, indicator: Indicator) -> bool:
    """The zone readers see every indicator; a department head his own department's and those of
    its staff."""
    if sees_zone(user):
        return True
    if not has_role(user, Role.DEPARTMENT_HEAD) or indicator.level == Indicator.Level.ZONE:
        return False
    department = selectors.indicator_department(indicator)
    own = user_department(user)
    return department is not None and own is not None and own.pk == department.pk
