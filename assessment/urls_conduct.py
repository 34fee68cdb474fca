"""Assessment URLs: conduct reports, dashboards and the results export."""

from django.urls import path

from assessment import views_conduct, views_dashboard

urlpatterns: list = [
    path("conduct/", views_conduct.conduct_mine, name="conduct_mine"),
    path("conduct/new/", views_conduct.conduct_file, name="conduct_file"),
    path("conduct/reports/", views_conduct.conduct_reports, name="conduct_reports"),
    path("conduct/reports/<int:pk>/", views_conduct.conduct_report, name="conduct_report"),
    path("dashboard/", views_dashboard.dashboard, name="dashboard"),
    path("cycles/<int:pk>/results.xlsx", views_dashboard.results_export, name="results_export"),
]
