"""Campaign pages: HR sets a campaign up and runs its stages; staff apply and follow their applications."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from recruitment import forms_campaign as forms
from recruitment import permissions, services, setup
from recruitment.models import (
    Application,
    ApplicationChoice,
    Campaign,
    CampaignPost,
    Criterion,
    Panel,
    PanelCandidate,
    Round,
)
from recruitment.permissions import MANAGE_ROLES, OVERSIGHT_ROLES
from recruitment.selectors import candidates_in, eligibility_problems
from staffing.models import Appointment
from staffing.selectors import user_person
from zonehr.errors import ApplicationError
from zonehr.forms import form_add_error
from zonehr.roles import Role, role_required
from zonehr.xlsx import workbook_response

S = Campaign.Status
LIST_ROLES = (*OVERSIGHT_ROLES, Role.STAFF_MEMBER, Role.DEPARTMENT_HEAD)
APPLICANT_ROLES = (Role.STAFF_MEMBER,)
CAMPAIGN_PAGE_SIZE = 30
FORM_TEMPLATE = "recruitment/campaign/form.html"


def _choices_prefetch() -> Prefetch:
    return Prefetch("choices", queryset=ApplicationChoice.objects.select_related("campaign_post__post__department"))


def _back(request: HttpRequest, fallback: str) -> str:
    """Where a button on several pages returns to: the page it was pressed on, if it is ours."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return fallback


def _form_page(request: HttpRequest, form, *, title: str, back: str, lead: str = "", **extra) -> HttpResponse:
    return render(request, FORM_TEMPLATE, {"form": form, "title": title, "back": back, "lead": lead, **extra})


# --- Campaign list and detail ---------------------------------------------------------------------


@require_GET
@role_required(*LIST_ROLES)
def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = (
        permissions.campaigns_visible_to(request.user, Campaign.objects.all())
        .annotate(posts_count=Count("posts", distinct=True), applications_count=Count("applications", distinct=True))
        .order_by("-created_at", "-id")
    )
    can_apply = permissions.can_apply(request.user)
    page = Paginator(campaigns, CAMPAIGN_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "recruitment/campaign/list.html",
        {
            "page": page,
            "can_manage": permissions.can_manage(request.user),
            "can_oversee": permissions.can_oversee(request.user),
            "can_apply": can_apply,
            "open_campaigns": campaigns.filter(status=S.APPLICATIONS_OPEN) if can_apply else [],
            "applied": set(permissions.own_applications(request.user).values_list("campaign_id", flat=True)),
        },
    )


def _stepper(campaign: Campaign) -> list[dict]:
    current = services.LIFECYCLE.index(campaign.status)
    return [
        {"label": S(stage).label, "state": "done" if index < current else "current" if index == current else "todo"}
        for index, stage in enumerate(services.LIFECYCLE)
    ]


def _percent(fraction: Decimal) -> str:
    return f"{(fraction * 100).quantize(Decimal('0.01')).normalize():f} %"


def _settings(campaign: Campaign) -> list[tuple[str, object]]:
    """The scoring and appointment settings as label and shown value."""
    yes, no = _("Yes"), _("No")
    tie_break = [str(Round.Kind(kind).label) for kind in campaign.tie_break if kind in Round.Kind.values]
    return [
        (_("Trim above"), _("more than %(count)s valid sheets") % {"count": campaign.trim_above}),
        (_("Rounding"), campaign.get_rounding_display()),
        (_("Balance panels"), yes if campaign.balance_panels else no),
        (_("Tie-break order"), " → ".join(tie_break) or _("interview, then written exam (default)")),
        (_("Vote pass rate"), _percent(campaign.vote_pass_rate)),
        (_("Vote turnout required"), _percent(campaign.vote_turnout)),
        (_("Publicity (working days)"), campaign.publicity_working_days),
        (_("Contract term (years)"), campaign.term_years),
        (_("Unplaced staff go to waiting"), yes if campaign.unplaced_to_waiting else no),
    ]


@require_GET
@role_required(*OVERSIGHT_ROLES)
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=pk)
    next_stage = setup.campaign_next_stage(campaign)
    applications = campaign.applications.select_related("person").prefetch_related(
        _choices_prefetch(), "integrity_flags"
    )
    return render(
        request,
        "recruitment/campaign/detail.html",
        {
            "campaign": campaign,
            "can_manage": permissions.can_manage(request.user),
            "stepper": _stepper(campaign),
            "settings": _settings(campaign),
            "next_stage": S(next_stage).label if next_stage else None,
            "advance_here": next_stage is not None and next_stage not in setup.ADVANCE_ELSEWHERE,
            "posts": campaign.posts.select_related("post__department", "post__level").annotate(
                applicants=Count("choices")
            ),
            "applications": applications,
            "rounds": campaign.rounds.annotate(panels_count=Count("panels")),
            "posts_editable": campaign.status == S.DRAFT,
            "review_open": campaign.status in (S.APPLICATIONS_OPEN, S.QUALIFICATION_REVIEW),
            "rounds_editable": services.LIFECYCLE.index(campaign.status) < services.LIFECYCLE.index(S.ROUNDS),
            "rounds_running": campaign.status == S.ROUNDS,
            "weight_warning": setup.rounds_weight_warning(campaign=campaign),
            "weight_total": setup.rounds_weight_total(campaign=campaign),
            "takes_external": campaign.method == Appointment.Method.SOCIAL and campaign.status == S.APPLICATIONS_OPEN,
            "reviewable": services.ACTIVE_APPLICATION,
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(*MANAGE_ROLES)
def campaign_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=pk) if pk else Campaign()
    form = forms.CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = setup.campaign_save(actor=request.user, campaign=form.instance)
        except (ApplicationError, ValidationError) as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("recruitment:campaign_detail", pk=campaign.pk)
    back = reverse("recruitment:campaign_detail", args=[pk]) if pk else reverse("recruitment:campaigns")
    title = _("Edit campaign") if pk else _("New campaign")
    return _form_page(request, form, title=title, back=back, campaign=campaign if pk else None)


@require_POST
@role_required(*MANAGE_ROLES)
def campaign_advance(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=pk)
    try:
        campaign = setup.campaign_step_forward(actor=request.user, campaign=campaign)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("“%(campaign)s” is now at “%(status)s”.")
            % {"campaign": campaign.name, "status": campaign.get_status_display()},
        )
    return redirect("recruitment:campaign_detail", pk=campaign.pk)


# --- Posts offered ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(*MANAGE_ROLES)
def campaign_post_add(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=pk)
    form = forms.CampaignPostForm(request.POST or None, instance=CampaignPost(campaign=campaign))
    if request.method == "POST" and form.is_valid():
        try:
            setup.campaign_post_save(actor=request.user, campaign_post=form.instance)
        except (ApplicationError, ValidationError) as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("Post offered."))
            return redirect("recruitment:campaign_detail", pk=campaign.pk)
    back = reverse("recruitment:campaign_detail", args=[campaign.pk])
    return _form_page(request, form, title=_("Offer a post"), back=back, campaign=campaign)


@require_POST
@role_required(*MANAGE_ROLES)
def campaign_post_remove(request: HttpRequest, pk: int) -> HttpResponse:
    offered = get_object_or_404(CampaignPost.objects.select_related("post"), pk=pk)
    try:
        setup.campaign_post_remove(actor=request.user, campaign_post=offered)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("“%(post)s” is no longer offered.") % {"post": offered.post.name})
    return redirect("recruitment:campaign_detail", pk=offered.campaign_id)


# --- Applications (HR) ---------------------------------------------------------------------------


@require_POST
@role_required(*MANAGE_ROLES)
def application_review(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(Application.objects.select_related("person"), pk=pk)
    form = forms.ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to qualify or to reject the application."))
    else:
        qualified = form.cleaned_data["decision"] == forms.ReviewForm.QUALIFY
        try:
            services.application_review(
                actor=request.user, application=application, qualified=qualified, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as exc:
            messages.error(request, f"{application.candidate_name}: {exc.message}")
        else:
            done = _("%(name)s is qualified.") if qualified else _("%(name)s is rejected.")
            messages.success(request, done % {"name": application.candidate_name})
    return redirect(reverse("recruitment:campaign_detail", args=[application.campaign_id]) + "#applications")


@require_http_methods(["GET", "POST"])
@role_required(*MANAGE_ROLES)
def integrity_flag(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(Application.objects.select_related("person", "campaign"), pk=pk)
    form = forms.IntegrityFlagForm(request.POST or None)
    back = reverse("recruitment:campaign_detail", args=[application.campaign_id]) + "#applications"
    if request.method == "POST" and form.is_valid():
        try:
            services.integrity_flag_record(actor=request.user, application=application, **form.cleaned_data)
        except ApplicationError as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("Integrity flag recorded for %(name)s.") % {"name": application.candidate_name})
            return redirect(back)
    title = _("Record an integrity flag")
    lead = f"{application.candidate_name} · {application.campaign.name}"
    return _form_page(request, form, title=title, back=back, lead=lead)


@require_http_methods(["GET", "POST"])
@role_required(*MANAGE_ROLES)
def external_register(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=pk, method=Appointment.Method.SOCIAL)
    form = forms.ExternalApplicantForm(request.POST or None, campaign=campaign)
    back = reverse("recruitment:campaign_detail", args=[campaign.pk]) + "#applications"
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            application = setup.external_application_register(
                actor=request.user,
                campaign=campaign,
                campaign_post=data["post"],
                name=data["name"],
                national_id=data["national_id"],
                education=data["education"],
                statement=data["statement"],
                declared_truthful=data["declared_truthful"],
            )
        except ApplicationError as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("%(name)s is registered.") % {"name": application.candidate_name})
            return redirect(back)
    return _form_page(request, form, title=_("Register an external applicant"), back=back, lead=campaign.name)


# --- Rounds ------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(*MANAGE_ROLES)
def round_edit(request: HttpRequest, pk: int | None = None, campaign_pk: int | None = None) -> HttpResponse:
    if pk:
        round_ = get_object_or_404(Round.objects.select_related("campaign"), pk=pk)
    else:
        round_ = Round(campaign=get_object_or_404(Campaign, pk=campaign_pk))
    form = forms.RoundForm(request.POST or None, instance=round_)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = setup.round_save(actor=request.user, round_=form.instance)
        except (ApplicationError, ValidationError) as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("recruitment:round_setup", pk=round_.pk)
    back = reverse("recruitment:campaign_detail", args=[round_.campaign_id]) + "#rounds"
    title = _("Edit round") if pk else _("New round")
    return _form_page(request, form, title=title, back=back, lead=round_.campaign.name)


@require_POST
@role_required(*MANAGE_ROLES)
def round_remove(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = get_object_or_404(Round, pk=pk)
    try:
        setup.round_remove(actor=request.user, round_=round_)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Round “%(round)s” removed.") % {"round": round_.name})
    return redirect(reverse("recruitment:campaign_detail", args=[round_.campaign_id]) + "#rounds")


@require_POST
@role_required(*MANAGE_ROLES)
def round_open(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = get_object_or_404(Round, pk=pk)
    try:
        services.round_open(actor=request.user, round_=round_)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Round “%(round)s” is open.") % {"round": round_.name})
    return redirect(_back(request, reverse("recruitment:round_setup", args=[round_.pk])))


@require_POST
@role_required(*MANAGE_ROLES)
def round_close(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = get_object_or_404(Round, pk=pk)
    try:
        services.round_close(actor=request.user, round_=round_)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Round “%(round)s” is closed and its scores computed.") % {"round": round_.name})
    return redirect(_back(request, reverse("recruitment:round_setup", args=[round_.pk])))


def _round_page(
    request: HttpRequest,
    round_: Round,
    *,
    criterion_form: forms.CriterionForm | None = None,
    scores_form: forms.WrittenScoresForm | None = None,
    import_form: forms.WrittenImportForm | None = None,
    import_problems: list | None = None,
) -> HttpResponse:
    campaign = round_.campaign
    can_manage = permissions.can_manage(request.user)
    pending = round_.status == Round.Status.PENDING
    try:
        candidates = setup.round_candidates(round_=round_)
        candidates_note = ""
    except ApplicationError as exc:
        candidates, candidates_note = [], exc.message
    written = round_.kind == Round.Kind.WRITTEN
    existing = dict(round_.written_scores.values_list("application_id", "score")) if written else {}
    if written and round_.status == Round.Status.OPEN and can_manage:
        scores_form = scores_form or forms.WrittenScoresForm(candidates=candidates, existing=existing)
        import_form = import_form or forms.WrittenImportForm()
    else:
        scores_form = import_form = None
    interview = round_.kind == Round.Kind.INTERVIEW
    panels = (
        round_.panels.select_related("chair").prefetch_related(
            "judges", Prefetch("candidates", queryset=PanelCandidate.objects.select_related("application__person"))
        )
        if interview
        else []
    )
    total = setup.criteria_total(round_=round_) if interview else None
    return render(
        request,
        "recruitment/campaign/round.html",
        {
            "round": round_,
            "campaign": campaign,
            "can_manage": can_manage,
            "pending": pending,
            "interview": interview,
            "written": written,
            "criteria": round_.criteria.all() if interview else [],
            "criteria_total": total,
            "criteria_incomplete": interview and total != Decimal(100),
            "criterion_form": (criterion_form or forms.CriterionForm())
            if interview and pending and can_manage
            else None,
            "panels": panels,
            "draw_form": forms.PanelDrawForm() if interview and pending and can_manage else None,
            "candidates": candidates,
            "candidates_note": candidates_note,
            "written_scores": [(a, existing.get(a.pk)) for a in candidates] if written else [],
            "scores_form": scores_form,
            "import_form": import_form,
            "import_problems": import_problems,
            "campaign_running": campaign.status == S.ROUNDS,
        },
    )


@require_GET
@role_required(*OVERSIGHT_ROLES)
def round_setup(request: HttpRequest, pk: int) -> HttpResponse:
    return _round_page(request, get_object_or_404(Round.objects.select_related("campaign"), pk=pk))


@require_POST
@role_required(*MANAGE_ROLES)
def criterion_add(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = get_object_or_404(Round.objects.select_related("campaign"), pk=pk)
    form = forms.CriterionForm(request.POST, instance=Criterion(round=round_))
    if form.is_valid():
        try:
            setup.criterion_save(actor=request.user, criterion=form.instance)
        except (ApplicationError, ValidationError) as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("Criterion added."))
            return redirect(reverse("recruitment:round_setup", args=[round_.pk]) + "#criteria")
    return _round_page(request, round_, criterion_form=form)


@require_POST
@role_required(*MANAGE_ROLES)
def criterion_remove(request: HttpRequest, pk: int) -> HttpResponse:
    criterion = get_object_or_404(Criterion, pk=pk)
    try:
        setup.criterion_remove(actor=request.user, criterion=criterion)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Criterion “%(name)s” removed.") % {"name": criterion.name})
    return redirect(reverse("recruitment:round_setup", args=[criterion.round_id]) + "#criteria")


# --- Panels -----------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(*MANAGE_ROLES)
def panel_edit(request: HttpRequest, pk: int | None = None, round_pk: int | None = None) -> HttpResponse:
    if pk:
        panel = get_object_or_404(Panel.objects.select_related("round__campaign"), pk=pk)
    else:
        panel = Panel(round=get_object_or_404(Round.objects.select_related("campaign"), pk=round_pk))
    form = forms.PanelForm(request.POST or None, instance=panel)
    back = reverse("recruitment:round_setup", args=[panel.round_id]) + "#panels"
    if request.method == "POST" and form.is_valid():
        try:
            setup.panel_save(
                actor=request.user,
                panel=form.instance,
                judges=list(form.cleaned_data["judges"]),
                chair=form.cleaned_data["chair"],
            )
        except (ApplicationError, ValidationError) as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("Panel saved."))
            return redirect(back)
    title = _("Edit panel") if pk else _("New panel")
    lead = f"{panel.round.campaign.name} · {panel.round.name}"
    return _form_page(request, form, title=title, back=back, lead=lead)


@require_POST
@role_required(*MANAGE_ROLES)
def panel_remove(request: HttpRequest, pk: int) -> HttpResponse:
    panel = get_object_or_404(Panel, pk=pk)
    try:
        setup.panel_remove(actor=request.user, panel=panel)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Panel “%(panel)s” removed.") % {"panel": panel.name})
    return redirect(reverse("recruitment:round_setup", args=[panel.round_id]) + "#panels")


@require_POST
@role_required(*MANAGE_ROLES)
def panel_draw(request: HttpRequest, pk: int) -> HttpResponse:
    panel = get_object_or_404(Panel.objects.select_related("round__campaign"), pk=pk)
    form = forms.PanelDrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose registration order or an order drawn by lot."))
    else:
        try:
            places = setup.panel_candidates_draw(actor=request.user, panel=panel, order=form.cleaned_data["order"])
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("%(count)s candidates placed on “%(panel)s”.") % {"count": len(places), "panel": panel.name},
            )
    return redirect(reverse("recruitment:round_setup", args=[panel.round_id]) + "#panels")


@require_http_methods(["GET", "POST"])
@role_required(*MANAGE_ROLES)
def panel_order(request: HttpRequest, pk: int) -> HttpResponse:
    panel = get_object_or_404(Panel.objects.select_related("round__campaign"), pk=pk)
    back = reverse("recruitment:round_setup", args=[panel.round_id]) + "#panels"
    try:
        candidates = setup.unplaced_candidates(panel=panel)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    current = dict(panel.candidates.values_list("application_id", "running_order"))
    form = forms.PanelOrderForm(request.POST or None, candidates=candidates, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            setup.panel_running_order_set(actor=request.user, panel=panel, applications=form.ordered())
        except ApplicationError as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("Running order saved."))
            return redirect(back)
    lead = _(
        "Number the candidates of “%(panel)s” in the order they appear; leave a box empty to keep him off this panel."
    ) % {"panel": panel.name}
    return _form_page(request, form, title=_("Running order"), back=back, lead=lead)


# --- Written scores ---------------------------------------------------------------------------------


def _written_round(pk: int) -> Round:
    return get_object_or_404(Round.objects.select_related("campaign"), pk=pk, kind=Round.Kind.WRITTEN)


@require_POST
@role_required(*MANAGE_ROLES)
def written_scores(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _written_round(pk)
    back = reverse("recruitment:round_setup", args=[round_.pk])
    if round_.status != Round.Status.OPEN:
        messages.error(request, _("Written scores are entered while the round is open."))
        return redirect(back)
    existing = dict(round_.written_scores.values_list("application_id", "score"))
    form = forms.WrittenScoresForm(request.POST, candidates=candidates_in(round_), existing=existing)
    if form.is_valid():
        try:
            count = services.written_scores_enter(actor=request.user, round_=round_, scores=form.scores())
        except ApplicationError as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("%(count)s written scores saved.") % {"count": count})
            return redirect(back + "#written")
    return _round_page(request, round_, scores_form=form)


@require_POST
@role_required(*MANAGE_ROLES)
def written_scores_import(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _written_round(pk)
    form = forms.WrittenImportForm(request.POST, request.FILES)
    problems = None
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if not upload.name.lower().endswith(".xlsx"):
                raise ApplicationError(_("“%(name)s” is not an Excel workbook (.xlsx).") % {"name": upload.name})
            checked = setup.written_scores_read(round_=round_, content=upload.read())
            problems = checked.problems
            if not problems:
                count = services.written_scores_enter(actor=request.user, round_=round_, scores=checked.scores)
        except ApplicationError as exc:
            form.add_error("file", exc.message)
        else:
            if not problems:
                messages.success(request, _("%(count)s written scores imported.") % {"count": count})
                return redirect(reverse("recruitment:round_setup", args=[round_.pk]) + "#written")
    return _round_page(request, round_, import_form=form, import_problems=problems)


@require_GET
@role_required(*MANAGE_ROLES)
def written_scores_template(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _written_round(pk)
    workbook = setup.written_scores_workbook(round_=round_)
    return workbook_response(workbook, f"{round_.campaign.name}-{round_.name}.xlsx")


# --- Applying (staff) -------------------------------------------------------------------------------


def _applicant(request: HttpRequest):
    person = user_person(request.user)
    if person is None:
        raise PermissionDenied(_("Applying needs a staff record linked to your login; ask the HR office."))
    return person


@require_http_methods(["GET", "POST"])
@role_required(*APPLICANT_ROLES)
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    person = _applicant(request)
    campaign = get_object_or_404(permissions.campaigns_visible_to(request.user, Campaign.objects.all()), pk=pk)
    mine = permissions.own_applications(request.user).filter(campaign=campaign).first()
    if mine is not None:
        messages.info(request, _("You have already applied in “%(campaign)s”.") % {"campaign": campaign.name})
        return redirect("recruitment:my_application", pk=mine.pk)
    if campaign.status != S.APPLICATIONS_OPEN:
        messages.error(request, _("“%(campaign)s” takes no applications now.") % {"campaign": campaign.name})
        return redirect("recruitment:campaigns")
    form = forms.ApplyForm(request.POST or None, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_submit(
                actor=request.user,
                campaign=campaign,
                person=person,
                posts=form.chosen_posts(),
                statement=form.cleaned_data.get("statement", ""),
                declared_truthful=form.cleaned_data["declared_truthful"],
            )
        except ApplicationError as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("Your application has been submitted."))
            return redirect("recruitment:my_application", pk=application.pk)
    offered = [(offered, eligibility_problems(person=person, campaign_post=offered)) for offered in form.offered]
    return render(request, "recruitment/campaign/apply.html", {"campaign": campaign, "form": form, "offered": offered})


@require_GET
@role_required(*APPLICANT_ROLES)
def my_applications(request: HttpRequest) -> HttpResponse:
    applications = (
        permissions.own_applications(request.user)
        .select_related("campaign")
        .prefetch_related(_choices_prefetch())
        .order_by("-submitted_at")
    )
    return render(request, "recruitment/campaign/mine.html", {"applications": applications})


@require_GET
@role_required(*APPLICANT_ROLES)
def my_application(request: HttpRequest, pk: int) -> HttpResponse:
    # Only one's own: another person's id is not found, so ids cannot be probed.
    application = get_object_or_404(
        permissions.own_applications(request.user)
        .select_related("campaign")
        .prefetch_related(_choices_prefetch(), "integrity_flags"),
        pk=pk,
    )
    flags = [flag for flag in application.integrity_flags.all() if flag.disqualifies]
    return render(request, "recruitment/campaign/application.html", {"application": application, "flags": flags})
