"""The navigation bar: each entry names the roles that may use it, so nobody sees a link to a 403."""

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from zonehr.roles import Role, user_roles


@dataclass(frozen=True)
class NavEntry:
    label: str | Promise
    url_name: str
    roles: tuple[Role, ...]


ENTRIES = (
    NavEntry(_("Dashboard"), "dashboard", tuple(Role)),
    NavEntry(
        _("Roster"),
        "staffing:roster",
        (Role.HR_OFFICER, Role.LEADERSHIP, Role.FINANCE_OFFICER, Role.DEPARTMENT_HEAD),
    ),
    NavEntry(
        _("Departments"),
        "staffing:departments",
        (Role.HR_OFFICER, Role.LEADERSHIP, Role.FINANCE_OFFICER, Role.DEPARTMENT_HEAD),
    ),
    NavEntry(
        _("Contract terms"),
        "staffing:contract_terms",
        (Role.HR_OFFICER, Role.LEADERSHIP, Role.FINANCE_OFFICER, Role.DEPARTMENT_HEAD),
    ),
    NavEntry(
        _("Competitive hiring"),
        "recruitment:campaigns",
        (Role.HR_OFFICER, Role.LEADERSHIP, Role.DISCIPLINE_INSPECTOR, Role.STAFF_MEMBER, Role.DEPARTMENT_HEAD),
    ),
    # External judges may hold only the judge role; department heads judge too.
    NavEntry(_("On-site scoring"), "recruitment:scoring", (Role.JUDGE, Role.DEPARTMENT_HEAD)),
    NavEntry(
        _("Assessment"),
        "assessment:cycles",
        (Role.HR_OFFICER, Role.LEADERSHIP, Role.DEPARTMENT_HEAD, Role.FINANCE_OFFICER),
    ),
    NavEntry(_("Conduct reports"), "assessment:conduct_reports", (Role.DISCIPLINE_INSPECTOR,)),
    NavEntry(_("Payroll"), "payroll:periods", (Role.FINANCE_OFFICER, Role.LEADERSHIP, Role.DEPARTMENT_HEAD)),
    # Every member of staff (department heads too) reads his own pay slips.
    NavEntry(_("My pay"), "payroll:my_pay", (Role.STAFF_MEMBER,)),
    NavEntry(_("Audit trail"), "audit_trail", (Role.DISCIPLINE_INSPECTOR, Role.LEADERSHIP)),
    NavEntry(_("API"), "api-docs", (Role.HR_OFFICER, Role.FINANCE_OFFICER)),
)


def entries_for(user: Any) -> list[dict]:
    roles = user_roles(user)
    return [
        {"label": entry.label, "url": reverse(entry.url_name), "name": entry.url_name}
        for entry in ENTRIES
        if not roles.isdisjoint(entry.roles)
    ]
