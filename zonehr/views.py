from auditlog.models import LogEntry
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.styles import Alignment

from staffing import selectors as staffing_selectors
from staffing.models import Person
from zonehr.filters import AuditEntryFilter
from zonehr.middleware import DATABASE_DOWN
from zonehr.roles import Role, has_role, role_required
from zonehr.templatetags.audit_tags import audit_changes
from zonehr.xlsx import header_row, safe_cell, workbook_response

# Who may read the audit trail, on the page and in its export.
AUDIT_READERS = (Role.DISCIPLINE_INSPECTOR, Role.LEADERSHIP)
AUDIT_EXPORT_HEADERS = [
    gettext_lazy("When"),
    gettext_lazy("Who"),
    gettext_lazy("Record type"),
    gettext_lazy("Record"),
    gettext_lazy("Action"),
    gettext_lazy("Before → after"),
    gettext_lazy("Reason"),
]


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


def _audit_filter(request: HttpRequest) -> AuditEntryFilter:
    entries = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-id")
    return AuditEntryFilter(request.GET, queryset=entries)


@require_GET
@role_required(*AUDIT_READERS)
def audit_trail(request: HttpRequest) -> HttpResponse:
    entry_filter = _audit_filter(request)
    page = Paginator(entry_filter.qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/trail.html", {"filter": entry_filter, "page": page, "query": query.urlencode()})


@require_GET
@role_required(*AUDIT_READERS)
def audit_trail_export(request: HttpRequest) -> HttpResponse:
    """The entries of the page's filter as xlsx, personal IDs masked as on the page."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Audit trail")
    header_row(sheet, [str(h) for h in AUDIT_EXPORT_HEADERS], [20, 14, 16, 28, 16, 60, 30])
    wrap = Alignment(wrap_text=True, vertical="top")
    for entry in _audit_filter(request).qs.iterator(chunk_size=2000):
        sheet.append([safe_cell(value) for value in _audit_row(entry)])
        sheet.cell(row=sheet.max_row, column=1).number_format = "yyyy-mm-dd hh:mm:ss"
        sheet.cell(row=sheet.max_row, column=6).alignment = wrap
    return workbook_response(workbook, f"{_('Audit trail')}-{timezone.localdate():%Y%m%d}.xlsx")


def _audit_row(entry: LogEntry) -> tuple:
    data = entry.additional_data or {}
    changes = "\n".join(
        f"{field}: {_or_empty(before)} → {_or_empty(after)}" for field, before, after in audit_changes(entry)
    )
    return (
        # Excel has no time zones: the office's local time, as the page shows it.
        timezone.localtime(entry.timestamp).replace(tzinfo=None),
        entry.actor.username if entry.actor else _("system"),
        entry.content_type.name,
        entry.object_repr,
        data.get("event") or entry.get_action_display(),
        changes,
        data.get("reason", ""),
    )


def _or_empty(value) -> str:
    return "∅" if value in (None, "") else str(value)


@login_not_required
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """For the load balancer and docker-compose: is the database answering?"""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DATABASE_DOWN:
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})
