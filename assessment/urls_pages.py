"""Assessment URLs: pages."""

from django.urls import path

from assessment import views

urlpatterns = [
    path("cycles/", views.cycle_list, name="cycles"),
    path("cycles/new/", views.cycle_edit, name="cycle_create"),
    path("cycles/<int:pk>/", views.cycle_detail, name="cycle_detail"),
    path("cycles/<int:pk>/edit/", views.cycle_edit, name="cycle_edit"),
    path("cycles/<int:pk>/advance/", views.cycle_advance, name="cycle_advance"),
    path("cycles/<int:pk>/kpi/", views.kpi_tree, name="kpi"),
    path("cycles/<int:cycle_pk>/kpi/new/", views.indicator_edit, name="indicator_create"),
    path("indicators/<int:pk>/edit/", views.indicator_edit, name="indicator_edit"),
    path("indicators/<int:pk>/enter/", views.indicator_enter, name="indicator_enter"),
    path("indicators/<int:pk>/evidence/", views.indicator_evidence, name="indicator_evidence"),
    path("cycles/<int:pk>/coefficients/", views.coefficients, name="coefficients"),
    path("coefficients/<int:pk>/decide/", views.coefficient_decide, name="coefficient_decide"),
    path("cycles/<int:pk>/compositions/<str:unit_type>/", views.composition_edit, name="composition_edit"),
    path("cycles/<int:pk>/evaluations/", views.evaluations, name="evaluations"),
    path("cycles/<int:pk>/evaluations/import/", views.evaluations_import, name="evaluations_import"),
    path("cycles/<int:pk>/evaluations/template/", views.evaluations_template, name="evaluations_template"),
    path("cycles/<int:pk>/tasks/", views.tasks, name="tasks"),
    path("cycles/<int:pk>/tasks/new/", views.task_create, name="task_create"),
    path("tasks/<int:pk>/close/", views.task_close, name="task_close"),
    path("cycles/<int:pk>/adjustments/", views.adjustments, name="adjustments"),
    path("adjustments/<int:pk>/remove/", views.adjustment_remove, name="adjustment_remove"),
    path("cycles/<int:pk>/ratings/", views.ratings, name="ratings"),
    path("cycles/<int:pk>/ratings/run/", views.ratings_run, name="ratings_run"),
    path("ratings/<int:pk>/override/", views.rating_override, name="rating_override"),
    path("cycles/<int:pk>/proposals/", views.proposals, name="proposals"),
    path("proposals/<int:pk>/decide/", views.proposal_decide, name="proposal_decide"),
]
