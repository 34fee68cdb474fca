"""Payroll API."""

from rest_framework.routers import DefaultRouter


def register(router: DefaultRouter) -> None:
    """Add the payroll endpoints to the project's API router."""
