"""Payroll URLs: pay slips, a member of staff's own pay, and the files finance downloads."""

from django.urls import path

from payroll import views_slips as views

urlpatterns: list = [
    path("my-pay/", views.my_pay, name="my_pay"),
    path("periods/<int:period_pk>/slips/<int:person_pk>/", views.slip, name="slip"),
    path("periods/<int:pk>/salary-sheet.xlsx", views.salary_sheet, name="salary_sheet"),
    path("periods/<int:pk>/bank-transfers.csv", views.bank_file, name="bank_file"),
    path("periods/<int:pk>/pivot-report.xlsx", views.pivot_report, name="pivot_report"),
]
