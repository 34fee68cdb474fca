from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from staffing import permissions, selectors, services
from staffing.forms import AppointmentForm, PersonForm, RosterFilterForm
from staffing.models import Person, StatusChange
from staffing.permissions import MANAGE_ROLES, ROSTER_ROLES
from zonehr.errors import ApplicationError
from zonehr.forms import form_add_error
from zonehr.roles import role_required

ROSTER_PAGE_SIZE = 50


@require_GET
@role_required(*ROSTER_ROLES)
def roster(request: HttpRequest) -> HttpResponse:
    form = RosterFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    people = selectors.person_list(
        search=filters.get("q", ""), department=filters.get("department"), status=filters.get("status", "")
    )
    people = permissions.people_visible_to(request.user, people)
    page = Paginator(people, ROSTER_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "staffing/roster.html",
        {"form": form, "page": page, "full_ids": permissions.sees_full_national_id(request.user)},
    )


@require_GET
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    people = permissions.people_visible_to(request.user, Person.objects.all())
    person = get_object_or_404(people, pk=pk)
    record = getattr(person, "archival_record", None)
    context = {
        "person": person,
        "full_ids": permissions.sees_full_national_id(request.user),
        "record": record,
        "archival": selectors.archival_effective(record) if record else None,
        "events": record.events.select_related("recorded_by") if record else [],
        "appointments": person.appointments.select_related("post__department", "post__level__series", "salary_grade"),
        "status_changes": StatusChange.objects.filter(person=person),
        "can_manage": permissions.can_manage(request.user),
    }
    return render(request, "staffing/person_detail.html", context)


@require_http_methods(["GET", "POST"])
@role_required(*MANAGE_ROLES)
def person_create(request: HttpRequest) -> HttpResponse:
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_create(actor=request.user, **form.cleaned_data)
        except (ApplicationError, ValidationError) as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("%(person)s has been added to the roster.") % {"person": person})
            return redirect("staffing:person_detail", pk=person.pk)
    return render(request, "staffing/person_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@role_required(*MANAGE_ROLES)
def appointment_create(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=pk)
    form = AppointmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.appointment_create(actor=request.user, person=person, **form.cleaned_data)
        except ApplicationError as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("%(person)s has been appointed.") % {"person": person})
            return redirect("staffing:person_detail", pk=person.pk)
    return render(request, "staffing/appointment_form.html", {"form": form, "person": person})
