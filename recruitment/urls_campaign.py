"""Recruitment URLs: campaign set-up and running (HR), applying (staff)."""

from django.urls import path

from recruitment import views_campaign as views

urlpatterns = [
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/new/", views.campaign_edit, name="campaign_create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/advance/", views.campaign_advance, name="campaign_advance"),
    path("campaigns/<int:pk>/posts/new/", views.campaign_post_add, name="campaign_post_add"),
    path("campaigns/posts/<int:pk>/remove/", views.campaign_post_remove, name="campaign_post_remove"),
    path("campaigns/<int:pk>/external/new/", views.external_register, name="external_register"),
    path("campaigns/applications/<int:pk>/review/", views.application_review, name="application_review"),
    path("campaigns/applications/<int:pk>/integrity/", views.integrity_flag, name="integrity_flag"),
    path("campaigns/<int:campaign_pk>/rounds/new/", views.round_edit, name="round_create"),
    path("campaigns/rounds/<int:pk>/", views.round_setup, name="round_setup"),
    path("campaigns/rounds/<int:pk>/edit/", views.round_edit, name="round_edit"),
    path("campaigns/rounds/<int:pk>/remove/", views.round_remove, name="round_remove"),
    path("campaigns/rounds/<int:pk>/open/", views.round_open, name="round_open"),
    path("campaigns/rounds/<int:pk>/close/", views.round_close, name="round_close"),
    path("campaigns/rounds/<int:pk>/criteria/", views.criterion_add, name="criterion_add"),
    path("campaigns/criteria/<int:pk>/remove/", views.criterion_remove, name="criterion_remove"),
    path("campaigns/rounds/<int:round_pk>/panels/new/", views.panel_edit, name="panel_create"),
    path("campaigns/panels/<int:pk>/edit/", views.panel_edit, name="panel_edit"),
    path("campaigns/panels/<int:pk>/remove/", views.panel_remove, name="panel_remove"),
    path("campaigns/panels/<int:pk>/draw/", views.panel_draw, name="panel_draw"),
    path("campaigns/panels/<int:pk>/order/", views.panel_order, name="panel_order"),
    path("campaigns/rounds/<int:pk>/written-scores/", views.written_scores, name="written_scores"),
    path("campaigns/rounds/<int:pk>/written-scores/import/", views.written_scores_import, name="written_scores_import"),
    path(
        "campaigns/rounds/<int:pk>/written-scores/template/",
        views.written_scores_template,
        name="written_scores_template",
    ),
    path("campaigns/<int:pk>/apply/", views.apply, name="apply"),
    path("my-applications/", views.my_applications, name="my_applications"),
    path("my-applications/<int:pk>/", views.my_application, name="my_application"),
]
