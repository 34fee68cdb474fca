from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods
from openpyxl import Workbook

from staffing import forms as staffing_forms
from staffing import permissions, selectors, services
from staffing.models import Appointment, Department, Person, Post, StatusChange
from staffing.national_id import mask
from staffing.permissions import MANAGE_ROLES, ROSTER_ROLES
from zonehr.errors import ApplicationError
from zonehr.forms import form_add_error
from zonehr.roles import role_required
from zonehr.xlsx import header_row, safe_cell, workbook_response

ROSTER_PAGE_SIZE = 50
EXPORT_BATCH = 2000


def _visible_roster(request: HttpRequest) -> tuple[staffing_forms.RosterFilterForm, Any]:
    form = staffing_forms.RosterFilterForm(request.GET or None)
    people = permissions.people_visible_to(request.user, selectors.person_list(form.filters()))
    return form, people


@require_GET
@role_required(*ROSTER_ROLES)
def roster(request: HttpRequest) -> HttpResponse:
    form, people = _visible_roster(request)
    # Page through ids only, then load the page's rows with their posts: a deep page of a
    # large roster then walks the name index instead of joining every person's post.
    page = Paginator(people.values_list("id", flat=True), ROSTER_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.roster_rows(list(page.object_list))
    return render(
        request,
        "staffing/roster.html",
        {
            "form": form,
            "page": page,
            "full_ids": permissions.sees_full_national_id(request.user),
            "can_manage": permissions.can_manage(request.user),
            "query": request.GET.urlencode(),
        },
    )


ROSTER_EXPORT_HEADERS = [
    gettext_lazy("Name"),
    gettext_lazy("National ID"),
    gettext_lazy("Identity"),
    gettext_lazy("Gender"),
    gettext_lazy("Birth date"),
    gettext_lazy("Education"),
    gettext_lazy("Joined on"),
    gettext_lazy("Department"),
    gettext_lazy("Post"),
    gettext_lazy("Position level"),
    gettext_lazy("Grade"),
    gettext_lazy("Term end"),
    gettext_lazy("Status"),
]


@require_GET
@role_required(*ROSTER_ROLES)
def roster_export(request: HttpRequest) -> HttpResponse:
    """The roster under the current filter as xlsx; IDs masked as on the page."""
    _form, people = _visible_roster(request)
    full_ids = permissions.sees_full_national_id(request.user)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Roster")
    header_row(sheet, [str(h) for h in ROSTER_EXPORT_HEADERS], [10, 22, 16, 6, 12, 12, 12, 18, 18, 14, 6, 12, 10])
    ids = list(people.values_list("id", flat=True))
    for start in range(0, len(ids), EXPORT_BATCH):
        for person in selectors.roster_rows(ids[start : start + EXPORT_BATCH]):
            sheet.append([safe_cell(value) for value in _export_row(person, full_ids)])
    return workbook_response(workbook, f"{_('Roster')}-{timezone.localdate():%Y%m%d}.xlsx")


def _export_row(person: Person, full_ids: bool) -> tuple:
    return (
        person.name,
        person.national_id if full_ids else mask(person.national_id),
        person.get_identity_display(),
        person.get_gender_display(),
        person.birth_date,
        person.get_education_display(),
        person.joined_on,
        person.department_name,
        person.post_name,
        person.level_name,
        person.grade_number,
        person.term_end,
        person.get_status_display(),
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
        "status_changes": StatusChange.objects.filter(person=person).select_related("actor"),
        "actions": [(slug, action.title) for slug, action in PERSON_ACTIONS.items() if action.applies(person)]
        if permissions.can_manage(request.user)
        else [],
    }
    return render(request, "staffing/person_detail.html", context)


@require_http_methods(["GET", "POST"])
@role_required(*MANAGE_ROLES)
def person_create(request: HttpRequest) -> HttpResponse:
    form = staffing_forms.PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_create(actor=request.user, **form.cleaned_data)
        except (ApplicationError, ValidationError) as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("%(person)s has been added to the roster.") % {"person": person})
            return redirect("staffing:person_detail", pk=person.pk)
    return render(request, "staffing/form.html", {"form": form, "title": _("Add a person")})


def _current(person: Person) -> Appointment:
    appointment = person.appointments.filter(status=Appointment.Status.ACTIVE).first()
    if appointment is None:
        raise ApplicationError(_("%(person)s holds no active appointment.") % {"person": person})
    return appointment


@dataclass(frozen=True)
class PersonAction:
    """A lifecycle action on the person page: its form, the service it calls, and when it applies."""

    title: str | Promise
    form: type[forms.Form]
    run: Callable[[Any, Person, dict], object]
    applies: Callable[[Person], bool]
    done: str | Promise


S = Person.Status
PERSON_ACTIONS: dict[str, PersonAction] = {
    "appoint": PersonAction(
        gettext_lazy("Appoint to a post"),
        staffing_forms.AppointForm,
        lambda actor, person, data: services.appointment_create(actor=actor, person=person, **data),
        lambda person: person.status == S.PENDING,
        gettext_lazy("Appointed."),
    ),
    "renew": PersonAction(
        gettext_lazy("Renew the contract"),
        staffing_forms.RenewForm,
        lambda actor, person, data: services.appointment_renew(actor=actor, appointment=_current(person), **data),
        lambda person: person.status == S.ON_POST,
        gettext_lazy("Contract renewed."),
    ),
    "transfer": PersonAction(
        gettext_lazy("Transfer to another post"),
        staffing_forms.TransferForm,
        lambda actor, person, data: services.appointment_transfer(actor=actor, person=person, **data),
        lambda person: person.status == S.ON_POST,
        gettext_lazy("Transferred."),
    ),
    "waiting": PersonAction(
        gettext_lazy("Send to waiting"),
        staffing_forms.WaitingForm,
        lambda actor, person, data: services.person_send_to_waiting(actor=actor, person=person, **data),
        lambda person: person.status in (S.ON_POST, S.PENDING),
        gettext_lazy("Sent to waiting (off-post training)."),
    ),
    "return": PersonAction(
        gettext_lazy("Return from waiting"),
        staffing_forms.ReturnFromWaitingForm,
        lambda actor, person, data: services.person_return_from_waiting(actor=actor, person=person, **data),
        lambda person: person.status == S.WAITING,
        gettext_lazy("Returned to a post."),
    ),
    "separate": PersonAction(
        gettext_lazy("End contract, dismiss, depart or retire"),
        staffing_forms.SeparationForm,
        lambda actor, person, data: services.person_separate(actor=actor, person=person, **data),
        lambda person: person.status not in services.GONE,
        gettext_lazy("The person has left."),
    ),
    "archival-event": PersonAction(
        gettext_lazy("Record an archival event"),
        staffing_forms.ArchivalEventForm,
        lambda actor, person, data: services.archival_event_record(actor=actor, record=person.archival_record, **data),
        lambda person: hasattr(person, "archival_record"),
        gettext_lazy("Archival event recorded."),
    ),
}


@require_http_methods(["GET", "POST"])
@role_required(*MANAGE_ROLES)
def person_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    person = get_object_or_404(Person, pk=pk)
    spec = PERSON_ACTIONS.get(action)
    if spec is None or not spec.applies(person):
        raise Http404
    form = spec.form(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            spec.run(request.user, person, form.cleaned_data)
        except (ApplicationError, ValidationError) as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, spec.done)
            return redirect("staffing:person_detail", pk=person.pk)
    return render(request, "staffing/form.html", {"form": form, "title": spec.title, "person": person})


@require_GET
@role_required(*ROSTER_ROLES)
def department_tree(request: HttpRequest) -> HttpResponse:
    if permissions.department_scope_required(request.user):
        scope = selectors.user_department(request.user)
        nodes = selectors.department_tree(only=scope) if scope is not None else []
    else:
        nodes = selectors.department_tree()
    return render(
        request,
        "staffing/departments.html",
        {"nodes": nodes, "can_manage": permissions.can_manage(request.user)},
    )


def _model_form_view(request: HttpRequest, form_class, instance, title, save, redirect_to: str) -> HttpResponse:
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            save(actor=request.user, **{form_class.Meta.model._meta.model_name: form.instance})
        except (ApplicationError, ValidationError) as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(redirect_to)
    return render(request, "staffing/form.html", {"form": form, "title": title})


@require_http_methods(["GET", "POST"])
@role_required(*MANAGE_ROLES)
def department_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    department = get_object_or_404(Department, pk=pk) if pk else None
    title = _("Edit department") if department else _("New department")
    return _model_form_view(
        request, staffing_forms.DepartmentForm, department, title, services.department_save, "staffing:departments"
    )


@require_http_methods(["GET", "POST"])
@role_required(*MANAGE_ROLES)
def post_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    post = get_object_or_404(Post, pk=pk) if pk else None
    title = _("Edit post") if post else _("New post")
    return _model_form_view(request, staffing_forms.PostForm, post, title, services.post_save, "staffing:departments")


@require_http_methods(["GET", "POST"])
@role_required(*MANAGE_ROLES)
def departments_merge(request: HttpRequest) -> HttpResponse:
    form = staffing_forms.MergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            target = services.departments_merge(
                actor=request.user,
                sources=list(form.cleaned_data["sources"]),
                target=form.cleaned_data["target"],
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("Merged into %(department)s.") % {"department": target})
            return redirect("staffing:departments")
    return render(request, "staffing/form.html", {"form": form, "title": _("Merge departments")})


@require_GET
@role_required(*ROSTER_ROLES)
def contract_terms(request: HttpRequest) -> HttpResponse:
    form = staffing_forms.ContractTermsForm(request.GET or {"within": 90})
    within = form.cleaned_data["within"] if form.is_valid() else 90
    department = form.cleaned_data.get("department") if form.is_valid() else None
    if permissions.department_scope_required(request.user):
        department = selectors.user_department(request.user)
        appointments = (
            selectors.appointments_ending(within_days=within, department=department)
            if department is not None
            else Appointment.objects.none()
        )
    else:
        appointments = selectors.appointments_ending(within_days=within, department=department)
    return render(
        request,
        "staffing/contract_terms.html",
        {
            "form": form,
            "appointments": appointments,
            "within": within,
            "can_manage": permissions.can_manage(request.user),
        },
    )
