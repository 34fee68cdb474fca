"""Assessment API (registered on the project's router by `register`)."""

from rest_framework.routers import DefaultRouter


def register(router: DefaultRouter) -> None:
    """Add the assessment endpoints to the project's API router."""
