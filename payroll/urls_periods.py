"""Payroll periods pages."""

urlpatterns: list = []
