"""Recruitment URLs: campaign."""

urlpatterns: list = []
