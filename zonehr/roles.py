"""The roles of domain.md §1 and the one place that tells which roles a user holds.

Roles are Django groups named by `Role` values (created by a data migration); a user
may hold several. Each app's `permissions.py` decides what a role may see, using these
helpers, so pages and the API ask the same question the same way.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission


class Role(models.TextChoices):
    HR_OFFICER = "hr_officer", _("HR officer")
    DEPARTMENT_HEAD = "department_head", _("Department head")
    JUDGE = "judge", _("Judge")
    FINANCE_OFFICER = "finance_officer", _("Finance officer")
    LEADERSHIP = "leadership", _("Leadership")
    DISCIPLINE_INSPECTOR = "discipline_inspector", _("Discipline inspector")
    STAFF_MEMBER = "staff_member", _("Staff member")


def user_roles(user: Any) -> frozenset[Role]:
    """The roles of `user`, read once per request and kept on the user object."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_zonehr_roles", None)
    if cached is None:
        names = user.groups.values_list("name", flat=True)
        cached = frozenset(Role(name) for name in names if name in Role.values)
        user._zonehr_roles = cached
    return cached


def has_role(user: Any, *roles: Role) -> bool:
    return not user_roles(user).isdisjoint(roles)


def role_names(roles: frozenset[Role] | tuple[Role, ...]) -> str:
    return "、".join(str(role.label) for role in sorted(roles))


def refusal(user: Any, roles: tuple[Role, ...]) -> PermissionDenied:
    """A PermissionDenied whose message tells the user which roles the page is for."""
    held = user_roles(user)
    return PermissionDenied(
        format_lazy(
            _("This page is for: {needed}. Your roles: {held}."),
            needed=role_names(roles),
            held=role_names(held) if held else _("none"),
        )
    )


def role_required(*roles: Role) -> Callable:
    """View decorator: refuse with a 403 that names the roles the view is for."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not has_role(request.user, *roles):
                raise refusal(request.user, roles)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def HasRole(*roles: Role) -> type[BasePermission]:  # noqa: N802  (reads like a class in permission_classes)
    """DRF permission class admitting users who hold any of `roles`."""

    class _HasRole(BasePermission):
        def has_permission(self, request, view) -> bool:
            if has_role(request.user, *roles):
                return True
            self.message = str(refusal(request.user, roles))
            return False

    _HasRole.__name__ = "HasRole_" + "_".join(roles)
    return _HasRole
