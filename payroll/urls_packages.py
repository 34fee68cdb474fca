"""Payroll pages for the pay policy, salary packages, pay inputs and pay profiles."""

from django.urls import path

from payroll import views_packages as views

urlpatterns = [
    path("policy/", views.policy_list, name="policy"),
    path("policy/new/", views.policy_new, name="policy_new"),
    path("policy/<int:pk>/edit/", views.policy_edit, name="policy_edit"),
    path("periods/<int:pk>/packages/", views.packages, name="packages"),
    path("periods/<int:pk>/packages/plan/", views.packages_plan, name="packages_plan"),
    path("periods/<int:pk>/packages/approve/", views.packages_approve, name="packages_approve"),
    path("periods/<int:pk>/inputs/", views.pay_inputs, name="inputs"),
    path("periods/<int:pk>/inputs/import/", views.pay_inputs_import, name="inputs_import"),
    path("inputs/template/", views.pay_inputs_template, name="inputs_template"),
    path("inputs/<int:pk>/edit/", views.pay_input_edit, name="input_edit"),
    path("inputs/<int:pk>/delete/", views.pay_input_delete, name="input_delete"),
    path("periods/<int:pk>/advanced-workers/", views.advanced_worker_add, name="advanced_worker_add"),
    path("advanced-workers/<int:pk>/remove/", views.advanced_worker_remove, name="advanced_worker_remove"),
    path("profiles/", views.pay_profiles, name="profiles"),
    path("profiles/<int:pk>/", views.pay_profile_edit, name="profile_edit"),
]
