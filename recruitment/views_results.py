"""Results pages of a campaign: the ranking, two-way selection, publicity and objections,
appointment, the spreadsheets and the check of the score sheets' hash chain.

Who sees what: the results, the rankings and the spreadsheets are for the oversight roles (HR,
leadership, the discipline inspector); the score sheets and their check for HR and the inspector;
staff see a campaign's selected candidates once its publicity has begun, and lodge objections
during it. A judge sees none of these pages.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from recruitment import exports, permissions, selectors, services
from recruitment.forms_results import (
    DepartmentRankingForm,
    ObjectionForm,
    ObjectionResolveForm,
    PublicityStartForm,
)
from recruitment.models import (
    Application,
    Campaign,
    CampaignPost,
    DepartmentPreference,
    Objection,
    Round,
)
from recruitment.permissions import MANAGE_ROLES, OVERSIGHT_ROLES
from recruitment.publicity import count_working_days
from staffing.models import Appointment
from zonehr.errors import ApplicationError
from zonehr.forms import form_add_error
from zonehr.roles import Role, role_required
from zonehr.xlsx import workbook_response

S = Campaign.Status
TWO_WAY = Appointment.Method.TWO_WAY
# Results are public from the first day of publicity on.
PUBLISHED = (S.PUBLICITY, S.APPOINTED, S.CLOSED)
# Campaigns with something to show on the results pages: rounds scored or results computed.
RESULT_STAGES = (S.ROUNDS, S.RESULTS, *PUBLISHED)
SHEET_ROLES = (Role.HR_OFFICER, Role.DISCIPLINE_INSPECTOR)
PUBLICITY_ROLES = (*OVERSIGHT_ROLES, Role.STAFF_MEMBER, Role.DEPARTMENT_HEAD)


# --- Who may: rules of this area, in the terms of recruitment.permissions -------------------------------


def _tabs(user: Any, campaign: Campaign, current: str) -> dict:
    """What the campaign's tabs need: which of its results pages the user may open."""
    return {
        "campaign": campaign,
        "current": current,
        "oversee": permissions.can_oversee(user),
        "two_way": campaign.method == TWO_WAY,
        "published": campaign.status in PUBLISHED,
    }


# --- Department rankings (two-way selection) ----------------------------------------------------------------


# --- Results -------------------------------------------------------------------------------------------------------


@require_GET
@role_required(*OVERSIGHT_ROLES)
def results_index(request: HttpRequest) -> HttpResponse:
    campaigns = Campaign.objects.filter(status__in=RESULT_STAGES)
    return render(request, "recruitment/results/index.html", {"campaigns": campaigns, "two_way": TWO_WAY})


@require_GET
@role_required(*OVERSIGHT_ROLES)
def results(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=pk)
    user = request.user
    return render(
        request,
        "recruitment/results/results.html",
        {
            **_tabs(user, campaign, "results"),
            "ranking": selectors.campaign_ranking(campaign=campaign),
            "rounds": campaign.rounds.order_by("order"),
            "can_compute": permissions.can_manage(user) and campaign.status == S.RESULTS and campaign.method != TWO_WAY,
            "can_read_sheets": permissions.can_read_sheets(user),
        },
    )


@require_POST
@role_required(*MANAGE_ROLES)
def results_compute(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=pk)
    try:
        computed = services.results_compute(actor=request.user, campaign=campaign)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Results computed: %(count)s candidates ranked.") % {"count": len(computed)})
    return redirect("recruitment:results", pk=campaign.pk)


@require_GET
@role_required(*OVERSIGHT_ROLES)
def ranking_export(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=pk)
    workbook = exports.ranking_workbook(campaign=campaign, ranking=selectors.campaign_ranking(campaign=campaign))
    return workbook_response(workbook, f"{campaign.name}-最终排名.xlsx")


# --- Rounds: spreadsheets and the chain --------------------------------------------------------------------------


@require_GET
@role_required(*SHEET_ROLES)
def round_sheets_export(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = get_object_or_404(Round.objects.select_related("campaign"), pk=pk)
    return workbook_response(
        exports.sheets_workbook(round_=round_), f"{round_.campaign.name}-{round_.name}-评分表.xlsx"
    )


@require_GET
@role_required(*OVERSIGHT_ROLES)
def round_results_export(request: HttpRequest, pk: int) -> HttpResponse:
    # A round's scores exist once it closes; before, the only figures are the live board's.
    round_ = get_object_or_404(Round.objects.select_related("campaign"), pk=pk, status=Round.Status.CLOSED)
    return workbook_response(
        exports.round_results_workbook(round_=round_), f"{round_.campaign.name}-{round_.name}-成绩.xlsx"
    )


@require_GET
@role_required(*SHEET_ROLES)
def round_verify(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = get_object_or_404(Round.objects.select_related("campaign"), pk=pk)
    return render(request, "recruitment/results/verify.html", {"report": exports.chain_report(round_=round_)})


# --- Two-way selection ------------------------------------------------------------------------------------------


def _ranking_campaigns(user: Any) -> QuerySet[Campaign]:
    return permissions.campaigns_visible_to(user, Campaign.objects.filter(method=TWO_WAY))


@require_GET
@role_required(Role.DEPARTMENT_HEAD)
def rankings_index(request: HttpRequest) -> HttpResponse:
    """A department head's posts to rank in the two-way selections under way."""
    offered = (
        CampaignPost.objects.filter(
            campaign__in=_ranking_campaigns(request.user).filter(status__in=services.RANKING_STAGES)
        )
        .select_related("campaign", "post__department")
        .order_by("-campaign__created_at", "post__code")
    )
    own = [post for post in offered if permissions.ranks_for(request.user, post)]
    ranked = set(DepartmentPreference.objects.filter(campaign_post__in=own).values_list("campaign_post_id", flat=True))
    return render(
        request, "recruitment/results/rankings_index.html", {"posts": [(post, post.pk in ranked) for post in own]}
    )


@require_GET
@role_required(*OVERSIGHT_ROLES, Role.DEPARTMENT_HEAD)
def two_way(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(_ranking_campaigns(request.user), pk=pk)
    outcome = selectors.two_way_outcome(campaign=campaign)
    oversee = permissions.can_oversee(request.user)
    posts = outcome.posts if oversee else [p for p in outcome.posts if permissions.ranks_for(request.user, p.offered)]
    return render(
        request,
        "recruitment/results/two_way.html",
        {
            **_tabs(request.user, campaign, "two_way"),
            "outcome": outcome,
            "posts": posts,
            "can_rank": campaign.status in services.RANKING_STAGES and not oversee,
            "can_match": permissions.can_manage(request.user) and campaign.status == S.RESULTS,
        },
    )


@require_POST
@role_required(*MANAGE_ROLES)
def two_way_match(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=pk, method=TWO_WAY)
    try:
        outcome = services.two_way_match(actor=request.user, campaign=campaign)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        match = outcome["match"]
        messages.success(
            request,
            _("Matched: %(placed)s of %(total)s candidates got a post.")
            % {"placed": len(match.assignment) - len(match.unmatched), "total": len(match.assignment)},
        )
    return redirect("recruitment:two_way", pk=campaign.pk)


@require_http_methods(["GET", "POST"])
@role_required(Role.DEPARTMENT_HEAD)
def two_way_rank(request: HttpRequest, pk: int) -> HttpResponse:
    offered = get_object_or_404(
        CampaignPost.objects.select_related("campaign", "post__department"), pk=pk, campaign__method=TWO_WAY
    )
    if not permissions.ranks_for(request.user, offered):
        raise PermissionDenied(
            _("Only the head of %(department)s ranks the candidates for this post.")
            % {"department": offered.post.department}
        )
    candidates = list(
        Application.objects.filter(
            campaign=offered.campaign_id, status=Application.Status.QUALIFIED, choices__campaign_post=offered
        )
        .select_related("person")
        .prefetch_related(
            Prefetch(
                "person__appointments",
                queryset=Appointment.objects.filter(status=Appointment.Status.ACTIVE).select_related(
                    "post__department"
                ),
                to_attr="active_appointments",
            )
        )
        .order_by("id")
    )
    current = dict(offered.department_preferences.values_list("application_id", "rank"))
    form = DepartmentRankingForm(request.POST or None, candidates=candidates, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.department_preferences_set(actor=request.user, campaign_post=offered, ranking=form.ranking())
        except ApplicationError as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("Your ranking for %(post)s is saved.") % {"post": offered.post})
            return redirect("recruitment:two_way", pk=offered.campaign_id)
    return render(
        request,
        "recruitment/results/two_way_rank.html",
        {"offered": offered, "form": form, "open": offered.campaign.status in services.RANKING_STAGES},
    )


# --- Publicity, objections, appointment ---------------------------------------------------------------------


def _published_campaign(user: Any, pk: int) -> Campaign:
    campaign = get_object_or_404(Campaign, pk=pk)
    if not permissions.publicity_visible(user, campaign):
        # Before publicity the results are confidential: not even whether they exist.
        raise Http404
    return campaign


@require_GET
@role_required(*PUBLICITY_ROLES)
def publicity_index(request: HttpRequest) -> HttpResponse:
    stages = (S.RESULTS, *PUBLISHED) if permissions.can_oversee(request.user) else PUBLISHED
    campaigns = Campaign.objects.filter(status__in=stages).order_by("-publicity_start", "-created_at")
    return render(request, "recruitment/results/publicity_index.html", {"campaigns": campaigns})


def _publicity_page(
    request: HttpRequest,
    campaign: Campaign,
    *,
    start_form: PublicityStartForm | None = None,
    objection_form: ObjectionForm | None = None,
) -> HttpResponse:
    user = request.user
    oversee = permissions.can_oversee(user)
    objections = campaign.objections.select_related("application__person", "lodged_by", "resolved_by")
    if not oversee:
        objections = objections.filter(lodged_by=user)
    manage = permissions.can_manage(user)
    ranking = selectors.campaign_ranking(campaign=campaign)
    lodging = permissions.can_lodge_objection(user) and campaign.status == S.PUBLICITY
    return render(
        request,
        "recruitment/results/publicity.html",
        {
            **_tabs(user, campaign, "publicity"),
            "ranking": ranking,
            "objections": objections,
            "manage": manage,
            "working_days": count_working_days(start=campaign.publicity_start, end=campaign.publicity_end)
            if campaign.publicity_start and campaign.publicity_end
            else None,
            # A refused form is shown with its errors even when the stage has moved on meanwhile.
            "start_form": start_form
            if start_form is not None
            else (PublicityStartForm() if manage and campaign.status == S.RESULTS and ranking.computed else None),
            "objection_form": objection_form
            if objection_form is not None
            else (ObjectionForm(campaign=campaign) if lodging else None),
            "can_appoint": manage and campaign.status == S.PUBLICITY,
            "open_objections": campaign.objections.filter(status=Objection.Status.OPEN).count(),
            "today": timezone.localdate(),
        },
    )


@require_GET
@role_required(*PUBLICITY_ROLES)
def publicity(request: HttpRequest, pk: int) -> HttpResponse:
    return _publicity_page(request, _published_campaign(request.user, pk))


@require_POST
@role_required(*MANAGE_ROLES)
def publicity_start(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=pk)
    form = PublicityStartForm(request.POST)
    if form.is_valid():
        try:
            campaign = services.publicity_begin(actor=request.user, campaign=campaign, start=form.cleaned_data["start"])
        except ApplicationError as exc:
            form_add_error(form, exc)
        else:
            messages.success(
                request,
                _("Publicity runs from %(start)s to %(end)s.")
                % {"start": date_format(campaign.publicity_start), "end": date_format(campaign.publicity_end)},
            )
            return redirect("recruitment:publicity", pk=campaign.pk)
    return _publicity_page(request, campaign, start_form=form)


@require_POST
@role_required(Role.STAFF_MEMBER)
def objection_lodge(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _published_campaign(request.user, pk)
    form = ObjectionForm(request.POST, campaign=campaign)
    if form.is_valid():
        try:
            services.objection_lodge(
                actor=request.user,
                campaign=campaign,
                text=form.cleaned_data["text"],
                application=form.cleaned_data["application"],
            )
        except ApplicationError as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("Your objection has been lodged; the personnel office will answer it."))
            return redirect("recruitment:publicity", pk=campaign.pk)
    return _publicity_page(request, campaign, objection_form=form)


@require_http_methods(["GET", "POST"])
@role_required(*MANAGE_ROLES)
def objection_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    objection = get_object_or_404(
        Objection.objects.select_related("campaign", "application__person", "lodged_by"), pk=pk
    )
    form = ObjectionResolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.objection_resolve(
                actor=request.user,
                objection=objection,
                upheld=form.upheld,
                resolution=form.cleaned_data["resolution"],
            )
        except ApplicationError as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("The objection is resolved."))
            return redirect("recruitment:publicity", pk=objection.campaign_id)
    return render(request, "recruitment/results/objection_resolve.html", {"objection": objection, "form": form})


@require_POST
@role_required(*MANAGE_ROLES)
def appointments_create(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=pk)
    try:
        counts = services.appointments_create(actor=request.user, campaign=campaign)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Appointments made: %(appointed)s appointed, %(waiting)s sent to waiting (off-post training).") % counts,
        )
    return redirect("recruitment:publicity", pk=campaign.pk)


@require_GET
@role_required(*PUBLICITY_ROLES)
def publicity_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """The 公示 as posted and printed: its fixed wording is Chinese whatever the screen language."""
    campaign = _published_campaign(request.user, pk)
    ranking = selectors.campaign_ranking(campaign=campaign)
    steps = ["个人报名", "资格审查"]
    if campaign.method == TWO_WAY:
        steps.append("双向选择")
    steps.extend(round_.name for round_ in campaign.rounds.order_by("order"))
    return render(
        request,
        "recruitment/results/notice.html",
        {
            **_tabs(request.user, campaign, "notice"),
            "ranking": ranking,
            "lines": list(
                enumerate(
                    ((exports.post_title(post.offered), row) for post in ranking.posts for row in post.selected),
                    start=1,
                )
            ),
            "steps": "、".join(steps),
            "digests": [r for r in campaign.rounds.order_by("order") if r.kind == Round.Kind.INTERVIEW],
            "working_days": campaign.publicity_working_days,
            "objection_url": request.build_absolute_uri(reverse("recruitment:publicity", args=[campaign.pk])),
            "issued_on": campaign.publicity_start or timezone.localdate(),
        },
    )
