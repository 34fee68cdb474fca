"""Recruitment URLs: results, two-way selection, publicity and objections, appointment, exports."""

from django.urls import path

from recruitment import views_results as views

urlpatterns: list = [
    path("results/", views.results_index, name="results_index"),
    path("campaigns/<int:pk>/results/", views.results, name="results"),
    path("campaigns/<int:pk>/results/compute/", views.results_compute, name="results_compute"),
    path("campaigns/<int:pk>/results/ranking.xlsx", views.ranking_export, name="ranking_export"),
    path("rounds/<int:pk>/sheets.xlsx", views.round_sheets_export, name="round_sheets_export"),
    path("rounds/<int:pk>/results.xlsx", views.round_results_export, name="round_results_export"),
    path("rounds/<int:pk>/verify/", views.round_verify, name="round_verify"),
    path("two-way/", views.rankings_index, name="rankings_index"),
    path("campaigns/<int:pk>/two-way/", views.two_way, name="two_way"),
    path("campaigns/<int:pk>/two-way/match/", views.two_way_match, name="two_way_match"),
    path("two-way/posts/<int:pk>/rank/", views.two_way_rank, name="two_way_rank"),
    path("publicity/", views.publicity_index, name="publicity_index"),
    path("campaigns/<int:pk>/publicity/", views.publicity, name="publicity"),
    path("campaigns/<int:pk>/publicity/start/", views.publicity_start, name="publicity_start"),
    path("campaigns/<int:pk>/publicity/notice/", views.publicity_notice, name="publicity_notice"),
    path("campaigns/<int:pk>/objections/", views.objection_lodge, name="objection_lodge"),
    path("objections/<int:pk>/resolve/", views.objection_resolve, name="objection_resolve"),
    path("campaigns/<int:pk>/appointments/", views.appointments_create, name="appointments_create"),
]
