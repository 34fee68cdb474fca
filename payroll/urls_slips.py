"""Payroll slips pages."""

urlpatterns: list = []
