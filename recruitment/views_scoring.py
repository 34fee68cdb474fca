"""On-site scoring pages: a judge's panels and sheets on a tablet, the chair's amendments, the
live ranking board for the hall screen, and the democratic vote ballot.

A judge reaches a panel, a sheet or a chair's list only through the panels he sits on or
chairs, so another panel's pages, or another judge's sheet, answer 404 whatever id is guessed.
"""

import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from recruitment import permissions, selectors, services
from recruitment.forms_scoring import VOTE_CHOICES, AmendForm, BallotForm, ConflictForm, MarksForm, RunningTotal
from recruitment.models import (
    Application,
    Ballot,
    Criterion,
    Panel,
    PanelCandidate,
    Round,
    RoundResult,
    ScoreSheet,
    SheetDigest,
)
from zonehr.errors import ApplicationError
from zonehr.forms import form_add_error
from zonehr.roles import role_required

# htmx stops polling when a response has this status: a closed round's board no longer moves.
STOP_POLLING = 286
SHEET_ACTIONS = ("draft", "submit", "conflict")


# --- A judge's panels and sheets --------------------------------------------------------------------


class SheetState(models.TextChoices):
    NOT_STARTED = "not_started", gettext_lazy("Not started")
    DRAFT = "draft", gettext_lazy("Draft")
    SUBMITTED = "submitted", gettext_lazy("Submitted")
    CONFLICT = "conflict", gettext_lazy("Conflict of interest declared")


def sheet_state(sheet: ScoreSheet | None) -> SheetState:
    if sheet is None:
        return SheetState.NOT_STARTED
    if sheet.status == ScoreSheet.Status.DRAFT:
        return SheetState.DRAFT
    return SheetState.CONFLICT if sheet.conflict_declared else SheetState.SUBMITTED


@dataclass
class RunningOrderRow:
    place: PanelCandidate
    state: SheetState
    total: Decimal | None  # of the judge's own sheet
    result: RoundResult | None  # once the round has closed

    @property
    def scoreable(self) -> bool:
        # A withdrawn or disqualified candidate stays in the running order but is not scored.
        return self.place.application.status == Application.Status.QUALIFIED

    @property
    def done(self) -> bool:
        return self.state in (SheetState.SUBMITTED, SheetState.CONFLICT)


@require_GET
def scoring_home(request: HttpRequest) -> HttpResponse:
    """The panels the user judges on, each with his progress; any user on a panel, whatever his roles."""
    user = request.user
    panels = permissions.judged_panels(user).annotate(
        candidate_count=Count("candidates", distinct=True),
        done_count=Count(
            "sheets", filter=Q(sheets__judge=user, sheets__status=ScoreSheet.Status.SUBMITTED), distinct=True
        ),
    )
    return render(request, "recruitment/scoring/home.html", {"panels": panels})


def _running_order(panel: Panel, judge: Any) -> list[RunningOrderRow]:
    places = panel.candidates.select_related("application__person").order_by("running_order")
    sheets = {
        sheet.application_id: sheet
        for sheet in ScoreSheet.objects.filter(panel=panel, judge=judge).only(
            "application_id", "status", "conflict_declared", "total"
        )
    }
    results: dict[int, RoundResult] = {}
    if panel.round.status == Round.Status.CLOSED:
        results = {r.application_id: r for r in RoundResult.objects.filter(round=panel.round_id)}
    rows = []
    for place in places:
        sheet = sheets.get(place.application_id)
        rows.append(
            RunningOrderRow(
                place=place,
                state=sheet_state(sheet),
                total=sheet.total if sheet is not None else None,
                result=results.get(place.application_id),
            )
        )
    return rows


@require_GET
def scoring_panel(request: HttpRequest, panel_id: int) -> HttpResponse:
    """The running order with the judge's own sheet state per candidate, the next one to score first."""
    panel = get_object_or_404(permissions.judged_panels(request.user), pk=panel_id)
    rows = _running_order(panel, request.user)
    is_open = panel.round.status == Round.Status.OPEN
    current = next((row for row in rows if row.scoreable and not row.done), None) if is_open else None
    return render(
        request,
        "recruitment/scoring/panel.html",
        {
            "panel": panel,
            "rows": rows,
            "current": current,
            "done": sum(row.done for row in rows),
            "is_open": is_open,
            "is_chair": panel.chair_id == request.user.pk,
        },
    )


def _place_or_404(panel: Panel, application_id: int) -> PanelCandidate:
    place = get_object_or_404(
        PanelCandidate.objects.select_related("application__person"), panel=panel, application_id=application_id
    )
    if place.application.status != Application.Status.QUALIFIED:
        raise Http404
    return place


def _neighbours(panel: Panel, place: PanelCandidate) -> tuple[int | None, int | None]:
    """The previous and next scoreable candidates in the running order (application ids)."""
    order = list(
        panel.candidates.filter(application__status=Application.Status.QUALIFIED)
        .order_by("running_order")
        .values_list("application_id", flat=True)
    )
    index = order.index(place.application_id)
    previous = order[index - 1] if index > 0 else None
    following = order[index + 1] if index + 1 < len(order) else None
    return previous, following


def _total_of(criteria: list[Criterion], data: Any) -> RunningTotal:
    form = MarksForm(data, criteria=criteria)
    form.is_valid()
    return form.running_total()


@require_http_methods(["GET", "POST"])
def scoring_sheet(request: HttpRequest, panel_id: int, application_id: int) -> HttpResponse:
    """The judge's own sheet for one candidate: save a draft, submit (locks), or declare a conflict."""
    panel = get_object_or_404(permissions.judged_panels(request.user), pk=panel_id)
    place = _place_or_404(panel, application_id)
    application = place.application
    criteria = list(panel.round.criteria.all())
    action = request.POST.get("action") if request.method == "POST" else None
    if request.method == "POST" and action not in SHEET_ACTIONS:
        return HttpResponseBadRequest()
    marks_form = MarksForm(request.POST if action in ("draft", "submit") else None, criteria=criteria)
    conflict_form = ConflictForm(request.POST if action == "conflict" else None)
    form = conflict_form if action == "conflict" else marks_form
    if action is not None and form.is_valid():
        try:
            saved = services.sheet_save(
                judge=request.user,
                panel=panel,
                application=application,
                marks=marks_form.marks() if action != "conflict" else {},
                submit=action == "submit",
                conflict_note=conflict_form.cleaned_data["conflict_note"] if action == "conflict" else "",
            )
        except ApplicationError as exc:
            form_add_error(form, exc)
        else:
            return _after_save(request, panel, application, saved, action)
    # Read after any attempt: a double tap finds the sheet locked by the first tap, shown as it now is.
    sheet = ScoreSheet.objects.filter(panel=panel, judge=request.user, application=application).first()
    stored = MarksForm.initial_from(sheet.marks) if sheet is not None else {}
    marks_form.initial = stored
    previous, following = _neighbours(panel, place)
    return render(
        request,
        "recruitment/scoring/sheet.html",
        {
            "panel": panel,
            "place": place,
            "application": application,
            "sheet": sheet,
            "state": sheet_state(sheet),
            "marks": _marks_display(criteria, sheet),
            "locked": (sheet is not None and sheet.status == ScoreSheet.Status.SUBMITTED)
            or panel.round.status != Round.Status.OPEN,
            "is_open": panel.round.status == Round.Status.OPEN,
            "form": marks_form,
            "conflict_form": conflict_form,
            "running": _total_of(criteria, request.POST if marks_form.is_bound else stored),
            "previous": previous,
            "next": following,
        },
    )


def _after_save(
    request: HttpRequest, panel: Panel, application: Application, sheet: ScoreSheet, action: str
) -> HttpResponse:
    name = application.candidate_name
    if action == "draft":
        messages.success(request, _("Draft saved for %(candidate)s: nobody else sees it.") % {"candidate": name})
        return redirect("recruitment:scoring_sheet", panel_id=panel.pk, application_id=application.pk)
    if action == "conflict":
        messages.success(
            request,
            _("Conflict of interest declared for %(candidate)s: your sheet is excluded from the score.")
            % {"candidate": name},
        )
    else:
        messages.success(
            request,
            _("Your sheet for %(candidate)s is submitted and locked (total %(total)s).")
            % {"candidate": name, "total": sheet.total},
        )
    return redirect("recruitment:scoring_panel", panel_id=panel.pk)


def _marks_display(criteria: list[Criterion], sheet: ScoreSheet | None) -> list[tuple[Criterion, str]]:
    """The judge's own marks, criterion by criterion, for a locked sheet."""
    stored = sheet.marks if sheet is not None else {}
    return [(criterion, stored.get(str(criterion.pk), "")) for criterion in criteria]


@require_POST
def scoring_sheet_total(request: HttpRequest, panel_id: int, application_id: int) -> HttpResponse:
    """The running total of the marks typed so far (htmx posts the form on each change)."""
    panel = get_object_or_404(permissions.judged_panels(request.user), pk=panel_id)
    _place_or_404(panel, application_id)
    running = _total_of(list(panel.round.criteria.all()), request.POST)
    return render(request, "recruitment/scoring/_total.html", {"running": running})


# --- The panel chair ------------------------------------------------------------------------------


@require_GET
def scoring_submitted(request: HttpRequest, panel_id: int) -> HttpResponse:
    """The chair's list of his panel's submitted sheets (drafts stay secret to their judges)."""
    panel = get_object_or_404(permissions.chaired_panels(request.user).select_related("round__campaign"), pk=panel_id)
    order = dict(panel.candidates.values_list("application_id", "running_order"))
    sheets = ScoreSheet.objects.filter(panel=panel, status=ScoreSheet.Status.SUBMITTED).select_related(
        "judge", "application__person"
    )
    rows = sorted(
        ((order.get(sheet.application_id), sheet) for sheet in sheets),
        key=lambda row: (row[0] or 0, row[1].judge.get_full_name() or row[1].judge.username),
    )
    return render(
        request,
        "recruitment/scoring/submitted.html",
        {"panel": panel, "rows": rows, "is_open": panel.round.status == Round.Status.OPEN},
    )


@require_http_methods(["GET", "POST"])
def scoring_amend(request: HttpRequest, sheet_id: int) -> HttpResponse:
    """The chair corrects a submitted sheet with a reason; the original stays in the audit trail."""
    sheet = get_object_or_404(
        ScoreSheet.objects.filter(
            panel__in=permissions.chaired_panels(request.user),
            status=ScoreSheet.Status.SUBMITTED,
            conflict_declared=False,
        ).select_related("panel__round__campaign", "judge", "application__person"),
        pk=sheet_id,
    )
    criteria = list(sheet.panel.round.criteria.all())
    form = AmendForm(request.POST or None, criteria=criteria, initial=MarksForm.initial_from(sheet.marks))
    if request.method == "POST" and form.is_valid():
        try:
            services.sheet_amend(
                actor=request.user, sheet=sheet, marks=form.marks(), reason=form.cleaned_data["reason"]
            )
        except ApplicationError as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("The sheet has been amended; the original is kept in the audit trail."))
            return redirect("recruitment:scoring_submitted", panel_id=sheet.panel_id)
    return render(request, "recruitment/scoring/amend.html", {"sheet": sheet, "form": form})


# --- The live board -------------------------------------------------------------------------------


@require_GET
@role_required(*permissions.OVERSIGHT_ROLES)
def board_index(request: HttpRequest) -> HttpResponse:
    rounds = Round.objects.filter(kind=Round.Kind.INTERVIEW).select_related("campaign")
    return render(
        request,
        "recruitment/scoring/boards.html",
        {
            "open_rounds": rounds.filter(status=Round.Status.OPEN).order_by("-campaign__created_at", "order"),
            "closed_rounds": rounds.filter(status=Round.Status.CLOSED).order_by("-closed_at")[:20],
        },
    )


def _board_round(request: HttpRequest, round_id: int) -> Round:
    round_ = get_object_or_404(
        Round.objects.select_related("campaign").exclude(status=Round.Status.PENDING),
        pk=round_id,
        kind=Round.Kind.INTERVIEW,
    )
    if not permissions.can_see_board(request.user, round_):
        if permissions.can_see_board(request.user, round_):
            raise PermissionDenied(_("You judge in this round: its board is shown to you once the round has closed."))
        raise PermissionDenied(_("The live board is for the HR office, leadership and the discipline inspector."))
    return round_


# Panels and candidates rarely change during a round; when they do the board catches up this fast.
BOARD_CACHE_SECONDS = 10
# While sheets pour in, the board is computed at most this often and the screens in between share
# it: they poll every 2 s anyway, and each computation reads every submitted sheet of the round.
BOARD_MIN_AGE_SECONDS = 1.0


def board_snapshot(*, round_: Round) -> list[selectors.BoardRow]:
    """selectors.board, computed once per state of the round and shared by every screen polling it.

    Every submission, declared conflict and amendment appends a link to the round's hash chain in
    the same transaction, so the chain's last sequence names the state of the sheets; reading it
    is one indexed query. A board computed less than BOARD_MIN_AGE_SECONDS ago is served even if
    a sheet arrived since: the next poll shows it.
    """
    head = (
        SheetDigest.objects.filter(round=round_).order_by("-sequence").values_list("sequence", flat=True).first()
    ) or 0
    key = f"recruitment:board:{round_.pk}:{round_.status}"
    cached = cache.get(key)
    if cached is not None:
        cached_head, computed_at, rows = cached
        if cached_head == head or time.time() - computed_at < BOARD_MIN_AGE_SECONDS:
            return rows
    rows = selectors.board(round_=round_)
    cache.set(key, (head, time.time(), rows), BOARD_CACHE_SECONDS)
    return rows


def _board_context(round_: Round) -> dict:
    rows = board_snapshot(round_=round_)
    return {
        "round": round_,
        "rows": rows,
        "submitted": sum(row.submitted for row in rows),
        "expected": sum(row.expected for row in rows),
        "is_open": round_.status == Round.Status.OPEN,
    }


@require_GET
def board(request: HttpRequest, round_id: int) -> HttpResponse:
    """The live ranking board for the hall screen: counts and running scores, never a judge's name."""
    round_ = _board_round(request, round_id)
    context = _board_context(round_)
    context["hall"] = request.GET.get("screen") == "hall"
    return render(request, "recruitment/scoring/board.html", context)


@require_GET
def board_rows(request: HttpRequest, round_id: int) -> HttpResponse:
    """The board's tables alone, polled by htmx; a constant number of queries whatever the size."""
    round_ = _board_round(request, round_id)
    status = STOP_POLLING if request.htmx and round_.status != Round.Status.OPEN else 200
    return render(request, "recruitment/scoring/_board_rows.html", _board_context(round_), status=status)


# --- The democratic vote ------------------------------------------------------------------------


@require_GET
@role_required(*permissions.VOTER_ROLES)
def vote_index(request: HttpRequest) -> HttpResponse:
    rounds = (
        Round.objects.filter(kind=Round.Kind.VOTE, status=Round.Status.OPEN)
        .select_related("campaign")
        .annotate(mine=Count("ballots", filter=Q(ballots__voter=request.user)))
        .order_by("-campaign__created_at", "order")
    )
    return render(request, "recruitment/scoring/votes.html", {"rounds": rounds})


@require_http_methods(["GET", "POST"])
@role_required(*permissions.VOTER_ROLES)
def ballot(request: HttpRequest, round_id: int) -> HttpResponse:
    """One ballot per candidate while the vote is open; the page marks those already cast."""
    round_ = get_object_or_404(
        Round.objects.select_related("campaign").exclude(status=Round.Status.PENDING),
        pk=round_id,
        kind=Round.Kind.VOTE,
    )
    candidates = selectors.candidates_in(round_)
    if request.method == "POST":
        form = BallotForm(request.POST, candidates=candidates)
        if not form.is_valid():
            # Only the candidates of this round are offered; anything else is a forged request.
            return HttpResponseBadRequest()
        application = form.candidate()
        try:
            services.ballot_cast(
                voter=request.user, round_=round_, application=application, choice=form.cleaned_data["choice"]
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Your ballot on %(candidate)s is cast.") % {"candidate": application})
        return redirect("recruitment:ballot", round_id=round_.pk)
    cast = set(Ballot.objects.filter(round=round_, voter=request.user).values_list("application_id", flat=True))
    return render(
        request,
        "recruitment/scoring/ballot.html",
        {
            "round": round_,
            "candidates": [(application, application.pk in cast) for application in candidates],
            "cast": len(cast),
            "is_open": round_.status == Round.Status.OPEN,
            "choices": VOTE_CHOICES,
        },
    )
