"""Recruitment URLs: on-site scoring, the live board and the vote ballot."""

from django.urls import path

from recruitment import views_scoring as views

urlpatterns = [
    path("scoring/", views.scoring_home, name="scoring"),
    path("scoring/panels/<int:panel_id>/", views.scoring_panel, name="scoring_panel"),
    path(
        "scoring/panels/<int:panel_id>/candidates/<int:application_id>/",
        views.scoring_sheet,
        name="scoring_sheet",
    ),
    path(
        "scoring/panels/<int:panel_id>/candidates/<int:application_id>/total/",
        views.scoring_sheet_total,
        name="scoring_sheet_total",
    ),
    path("scoring/panels/<int:panel_id>/submitted/", views.scoring_submitted, name="scoring_submitted"),
    path("scoring/sheets/<int:sheet_id>/amend/", views.scoring_amend, name="scoring_amend"),
    path("board/", views.board_index, name="boards"),
    path("board/<int:round_id>/", views.board, name="board"),
    path("board/<int:round_id>/rows/", views.board_rows, name="board_rows"),
    path("votes/", views.vote_index, name="votes"),
    path("votes/<int:round_id>/", views.ballot, name="ballot"),
]
