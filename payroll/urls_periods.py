"""Payroll URLs: pay periods, the progress of their jobs, and the department pages."""

from django.urls import path

from payroll import views_periods

urlpatterns: list = [
    path("periods/", views_periods.period_list, name="periods"),
    path("periods/open/", views_periods.period_open, name="period_open"),
    path("periods/<int:pk>/", views_periods.period_detail, name="period_detail"),
    path("periods/<int:pk>/progress/", views_periods.period_progress, name="period_progress"),
    path("periods/<int:pk>/calculate/", views_periods.period_calculate, name="period_calculate"),
    path("periods/<int:pk>/close/", views_periods.period_close, name="period_close"),
    path("periods/<int:pk>/reopen/", views_periods.period_reopen, name="period_reopen"),
    path(
        "periods/<int:pk>/departments/<int:department_pk>/",
        views_periods.department_review,
        name="department_review",
    ),
    path("my-department/", views_periods.my_department, name="my_department"),
]
