"""Payroll packages pages."""

urlpatterns: list = []
