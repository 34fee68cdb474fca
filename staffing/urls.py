from django.urls import path

from staffing import import_views, views

app_name = "staffing"

urlpatterns = [
    path("roster/", views.roster, name="roster"),
    path("roster/export/", views.roster_export, name="roster_export"),
    path("roster/import/", import_views.roster_import, name="roster_import"),
    path("roster/import/template/", import_views.roster_import_template, name="roster_import_template"),
    path("roster/import/errors/<str:token>/", import_views.roster_import_error_copy, name="roster_import_errors"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/<slug:action>/", views.person_action, name="person_action"),
    path("departments/", views.department_tree, name="departments"),
    path("departments/new/", views.department_edit, name="department_create"),
    path("departments/<int:pk>/edit/", views.department_edit, name="department_edit"),
    path("departments/merge/", views.departments_merge, name="departments_merge"),
    path("posts/new/", views.post_edit, name="post_create"),
    path("posts/<int:pk>/edit/", views.post_edit, name="post_edit"),
    path("contract-terms/", views.contract_terms, name="contract_terms"),
]
