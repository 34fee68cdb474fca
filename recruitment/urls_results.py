"""Recruitment URLs: results."""

urlpatterns: list = []
