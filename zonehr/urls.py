from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from assessment import api as assessment_api
from payroll import api as payroll_api
from recruitment import api as recruitment_api
from staffing import api as staffing_api
from zonehr import views

router = DefaultRouter()
router.register("staffing/departments", staffing_api.DepartmentViewSet)
router.register("staffing/posts", staffing_api.PostViewSet)
router.register("staffing/people", staffing_api.PersonViewSet, basename="person")
router.register("staffing/appointments", staffing_api.AppointmentViewSet, basename="appointment")
router.register("staffing/archival-events", staffing_api.ArchivalEventViewSet, basename="archivalevent")
recruitment_api.register(router)
assessment_api.register(router)
payroll_api.register(router)

# Unknown URLs under /api/ answer in the API's error shape, not with the 404 page.
handler404 = "zonehr.api.not_found"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("audit/", views.audit_trail, name="audit_trail"),
    path("audit/export/", views.audit_trail_export, name="audit_trail_export"),
    path("health/", views.health, name="health"),
    path("staffing/", include("staffing.urls")),
    path("recruitment/", include("recruitment.urls")),
    path("assessment/", include("assessment.urls")),
    path("payroll/", include("payroll.urls")),
    path("admin/", admin.site.urls),
    path("api/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view loads its start-up script from a URL instead of inlining it; Swagger UI's page
    # still carries a small inline <style>, allowed for this page alone.
    path(
        "api/docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
]
