"""Payroll pages for what goes into a month's pay: the pay policy versions, the departments'
salary packages with the what-if, a period's pay inputs and advanced workers, and the pay profiles.

Finance edits the policy, inputs and profiles; finance and leadership model the packages and
leadership approves them; a department head sees his own department's approved package.
"""

from decimal import Decimal
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from payroll import forms, inputs, permissions, selectors
from payroll.models import AdvancedWorker, PayInput, PayPeriod, PayPolicy, PayProfile
from payroll.packages import approve_packages, approved_coefficients, coefficient_field, package_plan, paid_departments
from staffing.models import Appointment, Person
from zonehr.errors import ApplicationError
from zonehr.forms import form_add_error
from zonehr.roles import refusal
from zonehr.xlsx import XLSX_TYPE

INPUTS_PAGE_SIZE = 100
IMPORT_TEMPLATE_NAME = "薪酬录入模板.xlsx"
PROFILES_PAGE_SIZE = 50


def _require_manage(request: HttpRequest) -> None:
    if not permissions.can_manage(request.user):
        raise refusal(request.user, permissions.MANAGE_ROLES)


def _period(pk: int) -> PayPeriod:
    return get_object_or_404(PayPeriod.objects.select_related("cycle"), pk=pk)


# --- Pay policy ----------------------------------------------------------------------------------


def _percent(share: Decimal) -> str:
    return f"{(share * 100).normalize():f} %"


def _policy_row(policy: PayPolicy, *, locked: bool, in_force: bool) -> dict:
    shares = {
        "basic": policy.basic_performance_share,
        "incentive": 1 - policy.basic_performance_share,
        "major_work": policy.major_work_share,
        "investment_promotion": policy.investment_promotion_share,
        "project_construction": policy.project_construction_share,
        "award": policy.award_share,
        "minimum": policy.minimum_performance_share,
        "pension": policy.pension_rate,
        "medical": policy.medical_rate,
        "unemployment": policy.unemployment_rate,
        "housing_fund": policy.housing_fund_rate,
        "floor": policy.base_floor,
        "ceiling": policy.base_ceiling,
    }
    return {"policy": policy, "locked": locked, "in_force": in_force} | {
        name: _percent(share) for name, share in shares.items()
    }


@require_GET
def policy_list(request: HttpRequest) -> HttpResponse:
    _require_manage(request)
    in_force = selectors.policy_in_force(timezone.localdate())
    latest_closed = inputs.latest_closed_period()
    rows = [
        _policy_row(
            policy,
            locked=inputs.policy_locked(policy=policy, latest_closed=latest_closed),
            in_force=policy == in_force,
        )
        for policy in PayPolicy.objects.order_by("-effective_from")
    ]
    return render(request, "payroll/policy_list.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
def policy_new(request: HttpRequest) -> HttpResponse:
    _require_manage(request)
    latest = PayPolicy.objects.order_by("-effective_from").first()
    form = forms.PayPolicyForm(request.POST or None, policy=latest, new=True)
    if request.method == "POST" and form.is_valid():
        try:
            policy = inputs.pay_policy_create(actor=request.user, values=form.values())
        except ApplicationError as exc:
            form_add_error(form, exc)
        else:
            messages.success(
                request, _("Pay policy from %(date)s saved.") % {"date": policy.effective_from.isoformat()}
            )
            return redirect("payroll:policy")
    return render(request, "payroll/policy_form.html", {"form": form, "title": _("New pay policy version")})


@require_http_methods(["GET", "POST"])
def policy_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manage(request)
    policy = get_object_or_404(PayPolicy, pk=pk)
    locked = inputs.policy_locked(policy=policy, latest_closed=inputs.latest_closed_period())
    form = forms.PayPolicyForm(request.POST or None, policy=policy)
    if request.method == "POST" and form.is_valid():
        try:
            policy = inputs.pay_policy_update(actor=request.user, policy=policy, values=form.values())
        except ApplicationError as exc:
            form_add_error(form, exc)
        else:
            messages.success(
                request, _("Pay policy from %(date)s saved.") % {"date": policy.effective_from.isoformat()}
            )
            return redirect("payroll:policy")
    return render(
        request,
        "payroll/policy_form.html",
        {"form": form, "policy": policy, "locked": locked, "title": _("Edit the pay policy version")},
    )


# --- Salary packages -----------------------------------------------------------------------------


def _plan_context(period: PayPeriod, form: forms.WhatIfForm) -> dict:
    """The plan for the figures of a bound what-if form; its refusals go onto the form."""
    plan = None
    if form.is_valid():
        try:
            plan = package_plan(
                period=period, zone_factor=form.cleaned_data["zone_factor"], coefficients=form.coefficients()
            )
        except ApplicationError as exc:
            form_add_error(form, exc)
    return {"period": period, "form": form, "plan": plan}


def _initial_context(period: PayPeriod) -> dict:
    """The what-if as it opens: the period's zone factor and the coefficients last approved."""
    try:
        plan = package_plan(period=period, coefficients=approved_coefficients(period))
    except ApplicationError as exc:
        return {"period": period, "plan": None, "error": exc.message, "form": None}
    initial = {"zone_factor": plan.zone_factor}
    initial.update({coefficient_field(row.department.pk): row.coefficient for row in plan.rows})
    form = forms.WhatIfForm(initial=initial, departments=[row.department for row in plan.rows])
    return {"period": period, "plan": plan, "form": form}


def _packages_page(request: HttpRequest, context: dict) -> HttpResponse:
    period = context["period"]
    context |= {
        "can_approve": permissions.can_approve_packages(request.user) and period.status != PayPeriod.Status.CLOSED,
        "award_pool_outdated": inputs.award_pool_outdated(period),
    }
    return render(request, "payroll/packages.html", context)


def _own_package(request: HttpRequest, period: PayPeriod) -> HttpResponse:
    department = permissions.visible_department(request.user)
    if department is None:
        raise refusal(request.user, permissions.READ_ROLES)
    package = period.packages.filter(department=department, status="approved").select_related("approved_by").first()
    return render(
        request, "payroll/packages_own.html", {"period": period, "department": department, "package": package}
    )


@require_http_methods(["GET", "POST"])
def packages(request: HttpRequest, pk: int) -> HttpResponse:
    """Finance and leadership: every department's package and the what-if (a POST without
    script shows the figures entered); a department head: his own department's package."""
    period = _period(pk)
    if not permissions.can_model_packages(request.user):
        if request.method == "POST":
            raise refusal(request.user, permissions.PACKAGE_ROLES)
        return _own_package(request, period)
    if request.method == "POST":
        context = _plan_context(period, forms.WhatIfForm(request.POST, departments=paid_departments()))
    else:
        context = _initial_context(period)
    return _packages_page(request, context)


@require_POST
def packages_plan(request: HttpRequest, pk: int) -> HttpResponse:
    """The what-if's figures as a fragment, posted by the page as the figures are typed."""
    if not permissions.can_model_packages(request.user):
        raise refusal(request.user, permissions.PACKAGE_ROLES)
    period = _period(pk)
    context = _plan_context(period, forms.WhatIfForm(request.POST, departments=paid_departments()))
    return render(request, "payroll/packages_plan.html", context)


@require_POST
def packages_approve(request: HttpRequest, pk: int) -> HttpResponse:
    if not permissions.can_approve_packages(request.user):
        raise PermissionDenied(_("Salary packages are approved by the leadership."))
    period = _period(pk)
    form = forms.WhatIfForm(request.POST, departments=paid_departments())
    context = _plan_context(period, form)
    if context["plan"] is not None:
        try:
            approved = approve_packages(
                period=period,
                actor=request.user,
                zone_factor=form.cleaned_data["zone_factor"],
                coefficients=form.coefficients(),
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as exc:
            form_add_error(form, exc)
        else:
            messages.success(
                request,
                _("Salary packages of %(count)s departments approved for %(period)s.")
                % {"count": len(approved), "period": period},
            )
            return redirect("payroll:packages", pk=period.pk)
    return _packages_page(request, context)


# --- Pay inputs and advanced workers -------------------------------------------------------------


def _department_of_person():
    return Subquery(
        Appointment.objects.filter(person=OuterRef("person"), status=Appointment.Status.ACTIVE).values(
            "post__department__name"
        )[:1]
    )


def _inputs_page(
    request: HttpRequest,
    period: PayPeriod,
    *,
    input_form=None,
    worker_form=None,
    import_form=None,
    import_errors=(),
) -> HttpResponse:
    filters = forms.DepartmentFilterForm(request.GET or None)
    department = filters.cleaned_data["department"] if filters.is_valid() else None
    entered = period.inputs.all()
    if department is not None:
        entered = entered.filter(
            person__appointments__status=Appointment.Status.ACTIVE, person__appointments__post__department=department
        )
    totals = {row["kind"]: row for row in entered.values("kind").annotate(count=Count("id"), total=Sum("amount"))}
    rows = (
        entered.select_related("person")
        .annotate(department_name=_department_of_person())
        .order_by("person__name", "person_id", "kind", "id")
    )
    page = Paginator(rows, INPUTS_PAGE_SIZE).get_page(request.GET.get("page"))
    workers = period.advanced_workers.select_related("person").annotate(department_name=_department_of_person())
    return render(
        request,
        "payroll/inputs.html",
        {
            "period": period,
            "page": page,
            "filters": filters,
            "totals": [(label, totals.get(kind)) for kind, label in PayInput.Kind.choices],
            "workers": workers.order_by("person__name", "person_id"),
            "input_form": input_form or forms.PayInputForm(),
            "worker_form": worker_form or forms.AdvancedWorkerForm(),
            "import_form": import_form or forms.PayInputImportForm(),
            "import_errors": import_errors,
            "editable": period.status != PayPeriod.Status.CLOSED,
            "award_pool_outdated": inputs.award_pool_outdated(period),
        },
    )


@require_http_methods(["GET", "POST"])
def pay_inputs(request: HttpRequest, pk: int) -> HttpResponse:
    """A period's pay inputs, filtered by department, with the form to add one (POST)."""
    _require_manage(request)
    period = _period(pk)
    form = forms.PayInputForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            inputs.pay_input_add(actor=request.user, period=period, **form.cleaned_data)
        except ApplicationError as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("Pay input added for %(person)s.") % {"person": form.cleaned_data["person"]})
            return redirect("payroll:inputs", pk=period.pk)
    return _inputs_page(request, period, input_form=form)


@require_POST
def pay_inputs_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Add the pay inputs of an uploaded workbook, all or nothing; refusals listed cell by cell."""
    _require_manage(request)
    period = _period(pk)
    form = forms.PayInputImportForm(request.POST, request.FILES)
    errors = []
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            created = inputs.pay_inputs_import(
                actor=request.user, period=period, filename=upload.name, content=upload.read()
            )
        except inputs.PayInputImportError as exc:
            form_add_error(form, exc)
            errors = exc.errors
        except ApplicationError as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("%(count)s pay inputs imported.") % {"count": len(created)})
            return redirect("payroll:inputs", pk=period.pk)
    return _inputs_page(request, period, import_form=form, import_errors=errors)


@require_GET
def pay_inputs_template(request: HttpRequest) -> HttpResponse:
    _require_manage(request)
    response = HttpResponse(inputs.pay_inputs_template(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(IMPORT_TEMPLATE_NAME)}"
    return response


@require_http_methods(["GET", "POST"])
def pay_input_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manage(request)
    pay_input = get_object_or_404(PayInput.objects.select_related("period", "person"), pk=pk)
    form = forms.PayInputEditForm(
        request.POST or None, initial={"kind": pay_input.kind, "amount": pay_input.amount, "note": pay_input.note}
    )
    if request.method == "POST" and form.is_valid():
        try:
            inputs.pay_input_update(actor=request.user, pay_input=pay_input, **form.cleaned_data)
        except ApplicationError as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("Pay input of %(person)s saved.") % {"person": pay_input.person})
            return redirect("payroll:inputs", pk=pay_input.period_id)
    return render(request, "payroll/inputs_edit.html", {"form": form, "pay_input": pay_input})


@require_POST
def pay_input_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manage(request)
    pay_input = get_object_or_404(PayInput.objects.select_related("period", "person"), pk=pk)
    try:
        inputs.pay_input_delete(actor=request.user, pay_input=pay_input)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Pay input of %(person)s deleted.") % {"person": pay_input.person})
    return redirect("payroll:inputs", pk=pay_input.period_id)


@require_POST
def advanced_worker_add(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manage(request)
    period = _period(pk)
    form = forms.AdvancedWorkerForm(request.POST)
    if form.is_valid():
        try:
            inputs.advanced_worker_name(actor=request.user, period=period, person=form.cleaned_data["person"])
        except ApplicationError as exc:
            form_add_error(form, exc)
        else:
            messages.success(
                request, _("%(person)s named an advanced worker.") % {"person": form.cleaned_data["person"]}
            )
            return redirect("payroll:inputs", pk=period.pk)
    return _inputs_page(request, period, worker_form=form)


@require_POST
def advanced_worker_remove(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manage(request)
    worker = get_object_or_404(AdvancedWorker.objects.select_related("period", "person"), pk=pk)
    try:
        inputs.advanced_worker_unname(actor=request.user, advanced_worker=worker)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(person)s is no longer named an advanced worker.") % {"person": worker.person})
    return redirect("payroll:inputs", pk=worker.period_id)


# --- Pay profiles --------------------------------------------------------------------------------


@require_GET
def pay_profiles(request: HttpRequest) -> HttpResponse:
    """The paid staff with their bank accounts and deductions, searchable."""
    _require_manage(request)
    search = forms.ProfileSearchForm(request.GET or None)
    people = Person.objects.filter(status__in=inputs.PAID_STATUSES)
    if search.is_valid():
        if text := search.cleaned_data["q"].strip():
            people = people.filter(Q(name__icontains=text) | Q(national_id__startswith=text.upper()))
        if search.cleaned_data["missing_account"]:
            people = people.filter(Q(pay_profile__isnull=True) | Q(pay_profile__bank_account=""))
    page = Paginator(people.order_by("name", "id").values_list("id", flat=True), PROFILES_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    shown = Person.objects.filter(id__in=list(page.object_list)).select_related("pay_profile").order_by("name", "id")
    return render(request, "payroll/inputs_profiles.html", {"page": page, "people": shown, "search": search})


@require_http_methods(["GET", "POST"])
def pay_profile_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manage(request)
    person = get_object_or_404(Person, pk=pk)
    profile = PayProfile.objects.filter(person=person).first()
    initial = (
        {
            "bank_name": profile.bank_name,
            "bank_account": profile.bank_account,
            "special_additional_deduction": profile.special_additional_deduction,
            "contribution_wage": profile.contribution_wage,
        }
        if profile
        else {}
    )
    form = forms.PayProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            inputs.pay_profile_save(actor=request.user, person=person, **form.cleaned_data)
        except ApplicationError as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("Pay profile of %(person)s saved.") % {"person": person.name})
            return redirect("payroll:profiles")
    return render(request, "payroll/inputs_profile.html", {"form": form, "person": person})
