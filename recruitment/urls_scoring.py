"""Recruitment URLs: scoring."""

urlpatterns: list = []
