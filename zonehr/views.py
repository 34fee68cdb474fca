from auditlog.models import LogEntry
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from staffing import selectors as staffing_selectors
from staffing.models import Person
from zonehr.filters import AuditEntryFilter
from zonehr.roles import Role, has_role, role_required


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    context: dict = {}
    if has_role(user, Role.HR_OFFICER, Role.LEADERSHIP, Role.FINANCE_OFFICER):
        counts = staffing_selectors.status_counts()
        context["status_counts"] = [(label, counts[value]) for value, label in Person.Status.choices]
        context["staff_total"] = sum(counts.values())
    if has_role(user, Role.DEPARTMENT_HEAD):
        department = staffing_selectors.user_department(user)
        context["own_department"] = department
        if department is not None:
            context["own_posts"] = staffing_selectors.post_occupancy(department=department)
    if has_role(user, Role.STAFF_MEMBER):
        person = staffing_selectors.user_person(user)
        context["own_person"] = person
        if person is not None:
            context["own_appointment"] = staffing_selectors.active_appointments().filter(person=person).first()
    if has_role(user, Role.DISCIPLINE_INSPECTOR):
        context["recent_entries"] = LogEntry.objects.select_related("actor", "content_type")[:10]
    return render(request, "dashboard.html", context)


@require_GET
@role_required(Role.DISCIPLINE_INSPECTOR, Role.LEADERSHIP)
def audit_trail(request: HttpRequest) -> HttpResponse:
    entries = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-id")
    entry_filter = AuditEntryFilter(request.GET, queryset=entries)
    page = Paginator(entry_filter.qs, 50).get_page(request.GET.get("page"))
    return render(request, "audit/trail.html", {"filter": entry_filter, "page": page})


@login_not_required
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """For the load balancer and docker-compose: is the database answering?"""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
