"""Conduct reports on inactive ("lying-flat") cadres: anyone files one and follows its status;
the discipline inspector reads them all, with their filers, and handles them.

Who filed an anonymous report is shown on the inspector's pages only.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from assessment import forms_conduct as forms
from assessment import services
from assessment.forms_conduct import NEXT_STATUSES
from assessment.models import ConductReport
from zonehr.errors import ApplicationError
from zonehr.forms import form_add_error
from zonehr.roles import Role, role_required

INSPECTOR_ROLES = (Role.DISCIPLINE_INSPECTOR,)
REPORTS_PAGE_SIZE = 30


@require_GET
def conduct_mine(request: HttpRequest) -> HttpResponse:
    reports = ConductReport.objects.filter(filed_by=request.user).select_related("subject", "department")
    return render(request, "assessment/conduct/mine.html", {"reports": reports})


@require_http_methods(["GET", "POST"])
def conduct_file(request: HttpRequest) -> HttpResponse:
    form = forms.ConductReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.conduct_report_file(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("Your report has been filed with the discipline inspector."))
            return redirect("assessment:conduct_mine")
    return render(request, "assessment/conduct/file.html", {"form": form})


@require_GET
@role_required(*INSPECTOR_ROLES)
def conduct_reports(request: HttpRequest) -> HttpResponse:
    form = forms.ConductFilterForm(request.GET or None)
    reports = form.apply(ConductReport.objects.select_related("subject", "department", "filed_by", "handled_by"))
    page = Paginator(reports, REPORTS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "assessment/conduct/reports.html", {"form": form, "page": page})


@require_http_methods(["GET", "POST"])
@role_required(*INSPECTOR_ROLES)
def conduct_report(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(
        ConductReport.objects.select_related("subject", "department", "filed_by", "handled_by"), pk=pk
    )
    form = forms.ConductHandleForm(request.POST or None, report=report) if report.status in NEXT_STATUSES else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            services.conduct_report_handle(actor=request.user, report=report, **form.cleaned_data)
        except ApplicationError as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("The report has been updated."))
            return redirect("assessment:conduct_report", pk=report.pk)
    return render(request, "assessment/conduct/report.html", {"report": report, "form": form})
