"""Recruitment writes: the campaign lifecycle, applications, sheets, ballots, results, appointment.

The arithmetic lives in recruitment.scoring, .matching and .publicity; these services read
the rows, call those rules, and write the outcome in one transaction, audited.
"""

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from recruitment import scoring
from recruitment.matching import stable_match
from recruitment.models import (
    Application,
    ApplicationChoice,
    Ballot,
    Campaign,
    CampaignPost,
    DepartmentPreference,
    IntegrityFlag,
    Objection,
    Panel,
    Result,
    Round,
    RoundResult,
    ScoreSheet,
    SheetDigest,
    WrittenScore,
)
from recruitment.publicity import publicity_end
from recruitment.selectors import candidates_in, eligibility_problems, round_scores, vote_of
from staffing import services as staffing_services
from staffing.models import Appointment, Person, SalaryGrade, StaffingPolicy
from zonehr.audit import audit_context, audit_event
from zonehr.errors import ApplicationError, require_reason
from zonehr.money import round_to

S = Campaign.Status
# The lifecycle in order; a campaign moves one step forward at a time.
LIFECYCLE = [
    S.DRAFT,
    S.APPLICATIONS_OPEN,
    S.QUALIFICATION_REVIEW,
    S.ROUNDS,
    S.RESULTS,
    S.PUBLICITY,
    S.APPOINTED,
    S.CLOSED,
]
ACTIVE_APPLICATION = (Application.Status.SUBMITTED, Application.Status.QUALIFIED)


def _require_status(campaign: Campaign, *statuses: str) -> None:
    if campaign.status not in statuses:
        raise ApplicationError(
            _("Campaign “%(campaign)s” is at “%(status)s”; this needs %(needed)s.")
            % {
                "campaign": campaign,
                "status": campaign.get_status_display(),
                "needed": "、".join(str(S(status).label) for status in statuses),
            }
        )


# --- Campaigns -------------------------------------------------------------------------------------


def campaign_advance(*, actor: Any, campaign: Campaign, reason: str = "") -> Campaign:
    """Move the campaign one step along its lifecycle, checking what the next step needs."""
    with transaction.atomic(), audit_context(actor=actor, reason=reason):
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        index = LIFECYCLE.index(campaign.status)
        if index == len(LIFECYCLE) - 1:
            raise ApplicationError(_("The campaign is closed."))
        target = LIFECYCLE[index + 1]
        if target == S.APPLICATIONS_OPEN and not campaign.posts.exists():
            raise ApplicationError(_("Offer at least one post before opening applications."))
        if target == S.ROUNDS:
            _check_rounds_ready(campaign)
        if target == S.RESULTS and campaign.rounds.exclude(status=Round.Status.CLOSED).exists():
            raise ApplicationError(_("Close every round before publishing results."))
        if target == S.PUBLICITY:
            # Publicity needs its dates, counted in working days: publicity_begin sets them.
            raise ApplicationError(_("Start the publicity with its start date; it counts the working days."))
        if target == S.APPOINTED:
            raise ApplicationError(_("Create the appointments to leave publicity."))
        campaign.status = target
        campaign.save(update_fields=["status"])
    return campaign


def _check_rounds_ready(campaign: Campaign) -> None:
    if campaign.applications.filter(status=Application.Status.SUBMITTED).exists():
        raise ApplicationError(_("Review every application's qualification before the rounds start."))
    weights = {str(r.pk): r.weight for r in campaign.rounds.all() if r.weight}
    if campaign.method != Appointment.Method.TWO_WAY:
        if not weights:
            raise ApplicationError(_("Add the scored rounds, with weights summing to 100, before they start."))
        try:
            scoring.validate_weights(weights)
        except scoring.ScoringError:
            total = sum(weights.values(), Decimal(0))
            raise ApplicationError(
                _("The round weights sum to %(total)s, not 100.") % {"total": total}, {"weight": [_("Not 100.")]}
            ) from None


# --- Applications ------------------------------------------------------------------------------


def application_submit(
    *,
    actor: Any,
    campaign: Campaign,
    person: Person,
    posts: list[CampaignPost],
    statement: str = "",
    declared_truthful: bool = False,
) -> Application:
    """A staff member applies for one or more posts (in preference order for two-way selection)."""
    with transaction.atomic(), audit_context(actor=actor):
        # Locked so that the campaign cannot leave the application stage meanwhile.
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        _require_status(campaign, S.APPLICATIONS_OPEN)
        if campaign.applications_close_on and timezone.localdate() > campaign.applications_close_on:
            raise ApplicationError(_("Applications closed on %(date)s.") % {"date": campaign.applications_close_on})
        _check_application(campaign, person, posts, statement, declared_truthful)
        try:
            with transaction.atomic():
                application = Application.objects.create(
                    campaign=campaign, person=person, statement=statement, declared_truthful=declared_truthful
                )
        except IntegrityError:
            raise ApplicationError(
                _("%(person)s has already applied in this campaign.") % {"person": person},
                {"person": [_("Already applied.")]},
            ) from None
        ApplicationChoice.objects.bulk_create(
            ApplicationChoice(application=application, campaign_post=post, preference=index)
            for index, post in enumerate(posts, start=1)
        )
    return application


def _check_application(
    campaign: Campaign, person: Person, posts: list[CampaignPost], statement: str, declared_truthful: bool
) -> None:
    if not posts:
        raise ApplicationError(_("Choose at least one post."), {"posts": [_("Required.")]})
    if len(set(posts)) != len(posts):
        raise ApplicationError(_("A post is chosen twice."), {"posts": [_("Chosen twice.")]})
    if any(post.campaign_id != campaign.pk for post in posts):
        raise ApplicationError(_("A post chosen is not offered by this campaign."), {"posts": [_("Not offered.")]})
    # Only two-way selection ranks several posts; elsewhere a candidate competes for one post,
    # so that he cannot win two places in the same campaign.
    if campaign.method != Appointment.Method.TWO_WAY and len(posts) > 1:
        raise ApplicationError(_("This campaign takes one post per application."), {"posts": [_("One post.")]})
    if campaign.method == Appointment.Method.SELF_RECOMMENDATION and not statement.strip():
        raise ApplicationError(
            _("A self-recommendation needs a statement of why you suit the post."), {"statement": [_("Required.")]}
        )
    if not declared_truthful:
        raise ApplicationError(
            _("Declare that the application is truthful: falsified material disqualifies."),
            {"declared_truthful": [_("Required.")]},
        )
    problems = {str(post.post): eligibility_problems(person=person, campaign_post=post) for post in posts}
    problems = {post: reasons for post, reasons in problems.items() if reasons}
    if problems:
        details = [f"{post}: {'、'.join(reasons)}" for post, reasons in problems.items()]
        raise ApplicationError(_("Not eligible: %(problems)s") % {"problems": "; ".join(details)}, {"posts": details})


def application_review(*, actor: Any, application: Application, qualified: bool, reason: str = "") -> Application:
    """HR's qualification review; a rejection carries the reason the applicant sees."""
    if not qualified:
        require_reason(reason)
    with transaction.atomic(), audit_context(actor=actor, reason=reason):
        application = Application.objects.select_for_update().get(pk=application.pk)
        _require_status(application.campaign, S.APPLICATIONS_OPEN, S.QUALIFICATION_REVIEW)
        if application.status not in ACTIVE_APPLICATION:
            raise ApplicationError(
                _("The application is “%(status)s” and cannot be reviewed.")
                % {"status": application.get_status_display()}
            )
        application.status = Application.Status.QUALIFIED if qualified else Application.Status.REJECTED
        application.rejection_reason = "" if qualified else reason
        application.save(update_fields=["status", "rejection_reason"])
    return application


def integrity_flag_record(
    *, actor: Any, application: Application, kind: str, note: str, disqualifies: bool = True
) -> IntegrityFlag:
    """Record falsified material, lobbying or an undeclared conflict; it may disqualify."""
    require_reason(note)
    with transaction.atomic(), audit_context(actor=actor, reason=note):
        flag = IntegrityFlag.objects.create(
            application=application, kind=kind, note=note, disqualifies=disqualifies, recorded_by=actor
        )
        if disqualifies:
            application.status = Application.Status.DISQUALIFIED
            application.save(update_fields=["status"])
    return flag


# --- Score sheets -----------------------------------------------------------------------------


def _sheet_content(sheet: ScoreSheet) -> str:
    """The canonical text a sheet's digest covers."""
    return json.dumps(
        {
            "sheet": sheet.pk,
            "panel": sheet.panel_id,
            "judge": sheet.judge_id,
            "application": sheet.application_id,
            "marks": {key: str(value) for key, value in sorted(sheet.marks.items())},
            "total": str(sheet.total),
            "conflict": sheet.conflict_declared,
            "amended_reason": sheet.amended_reason,
        },
        sort_keys=True,
        ensure_ascii=False,
    )


def _digest(previous: str, content: str) -> str:
    return hashlib.sha256((previous + "\n" + content).encode()).hexdigest()


def _chain(round_: Round, sheet: ScoreSheet) -> SheetDigest:
    """Append the sheet's content to the round's hash chain; the caller holds the round lock."""
    last = SheetDigest.objects.filter(round=round_).order_by("-sequence").first()
    previous = last.digest if last else ""
    content = _sheet_content(sheet)
    return SheetDigest.objects.create(
        round=round_,
        sequence=(last.sequence + 1) if last else 1,
        sheet=sheet,
        content=content,
        previous_digest=previous,
        digest=_digest(previous, content),
    )


def _marks_total(round_: Round, marks: dict[str, Decimal]) -> Decimal:
    maxima = {str(c.pk): c.maximum for c in round_.criteria.all()}
    names = {str(c.pk): c.name for c in round_.criteria.all()}
    try:
        # Quantized so the stored total and the digested one read the same ("80.00", not "80").
        return round_to(scoring.sheet_total(marks=marks, maxima=maxima), 2)
    except scoring.ScoreOutOfRangeError as exc:
        raise ApplicationError(
            _("The mark for “%(criterion)s” is %(value)s; it must be from 0 to %(maximum)s.")
            % {"criterion": names[exc.criterion], "value": exc.value, "maximum": exc.maximum},
            {f"criterion_{exc.criterion}": [_("From 0 to %(maximum)s.") % {"maximum": exc.maximum}]},
        ) from None
    except scoring.IncompleteSheetError as exc:
        raise ApplicationError(
            _("Mark every criterion: missing %(missing)s.")
            % {"missing": "、".join(names.get(key, key) for key in exc.missing + exc.unknown)},
            {f"criterion_{key}": [_("Required.")] for key in exc.missing},
        ) from None


def sheet_save(
    *,
    judge: Any,
    panel: Panel,
    application: Application,
    marks: dict[str, Decimal],
    submit: bool = False,
    conflict_note: str = "",
) -> ScoreSheet:
    """A judge saves his sheet for a candidate as a draft, or submits it, which locks it.

    Declaring a conflict of interest submits an empty sheet that is excluded from the score.
    Submissions of one round are serialised on the round row, so the hash chain has one order
    and a double tap yields one locked sheet.
    """
    conflict = bool(conflict_note.strip())
    with transaction.atomic(), audit_context(actor=judge):
        round_ = Round.objects.select_for_update().get(pk=panel.round_id)
        if round_.status != Round.Status.OPEN:
            raise ApplicationError(
                _("Round “%(round)s” is not open for scoring (%(status)s).")
                % {"round": round_.name, "status": round_.get_status_display()}
            )
        if not panel.judges.filter(pk=judge.pk).exists():
            raise ApplicationError(_("You are not a judge on this panel."))
        if not panel.candidates.filter(application=application).exists():
            raise ApplicationError(_("This candidate is not in this panel's running order."))
        # Read afresh: a candidate may have been disqualified since the judge opened his sheet.
        status = Application.objects.values_list("status", flat=True).get(pk=application.pk)
        if status != Application.Status.QUALIFIED:
            raise ApplicationError(
                _("%(candidate)s is %(status)s and is no longer scored.")
                % {"candidate": application.candidate_name, "status": Application.Status(status).label}
            )
        sheet, _created = ScoreSheet.objects.select_for_update().get_or_create(
            panel=panel, judge=judge, application=application
        )
        if sheet.status == ScoreSheet.Status.SUBMITTED:
            raise ApplicationError(
                _("Your sheet for %(candidate)s is already submitted and locked.")
                % {"candidate": application.candidate_name}
            )
        if conflict:
            sheet.marks, sheet.total = {}, None
        else:
            clean = {key: value for key, value in marks.items() if value is not None}
            if submit:
                sheet.total = _marks_total(round_, clean)
            else:
                _check_partial_marks(round_, clean)
                sheet.total = None
            sheet.marks = {key: str(value) for key, value in clean.items()}
        sheet.conflict_declared = conflict
        sheet.conflict_note = conflict_note.strip()
        if submit or conflict:
            sheet.status = ScoreSheet.Status.SUBMITTED
            sheet.submitted_at = timezone.now()
        sheet.save()
        if sheet.status == ScoreSheet.Status.SUBMITTED:
            _chain(round_, sheet)
    return sheet


def _check_partial_marks(round_: Round, marks: dict[str, Decimal]) -> None:
    """A draft may leave criteria empty but not mark one out of range."""
    criteria = {str(c.pk): c for c in round_.criteria.all()}
    for key, value in marks.items():
        criterion = criteria.get(key)
        if criterion is None:
            raise ApplicationError(_("Unknown criterion."))
        if not Decimal(0) <= value <= criterion.maximum:
            raise ApplicationError(
                _("The mark for “%(criterion)s” is %(value)s; it must be from 0 to %(maximum)s.")
                % {"criterion": criterion.name, "value": value, "maximum": criterion.maximum},
                {f"criterion_{key}": [_("From 0 to %(maximum)s.") % {"maximum": criterion.maximum}]},
            )


def sheet_amend(*, actor: Any, sheet: ScoreSheet, marks: dict[str, Decimal], reason: str) -> ScoreSheet:
    """The panel chair corrects a submitted sheet; the original stays in the audit trail and the chain."""
    require_reason(reason)
    with transaction.atomic(), audit_context(actor=actor, reason=reason):
        # Round first, then sheet: the same order as sheet_save, so the two cannot deadlock.
        round_id = ScoreSheet.objects.filter(pk=sheet.pk).values_list("panel__round_id", flat=True).get()
        round_ = Round.objects.select_for_update().get(pk=round_id)
        sheet = ScoreSheet.objects.select_for_update().select_related("panel").get(pk=sheet.pk)
        if sheet.conflict_declared:
            raise ApplicationError(_("A sheet excluded for a conflict of interest is not amended."))
        if sheet.panel.chair_id != actor.pk:
            raise ApplicationError(_("Only the panel chair may amend a submitted sheet."))
        if sheet.status != ScoreSheet.Status.SUBMITTED:
            raise ApplicationError(_("Only a submitted sheet is amended; a draft is changed by its judge."))
        if round_.status == Round.Status.CLOSED:
            raise ApplicationError(_("The round is closed; its sheets can no longer change."))
        sheet.total = _marks_total(round_, marks)
        sheet.marks = {key: str(value) for key, value in marks.items()}
        sheet.amended_reason = reason
        sheet.save()
        _chain(round_, sheet)
    return sheet


def chain_verify(*, round_: Round) -> list[str]:
    """Recompute the round's hash chain; name every link broken and every sheet altered afterwards."""
    problems: list[str] = []
    previous = ""
    last_content: dict[int, str] = {}
    for link in SheetDigest.objects.filter(round=round_).order_by("sequence"):
        if link.previous_digest != previous or link.digest != _digest(previous, link.content):
            problems.append(
                _("Link %(sequence)s (sheet %(sheet)s) does not match its digest: the chain was altered.")
                % {"sequence": link.sequence, "sheet": link.sheet_id}
            )
        previous = link.digest
        last_content[link.sheet_id] = link.content
    sheets = ScoreSheet.objects.filter(panel__round=round_, status=ScoreSheet.Status.SUBMITTED).select_related(
        "judge", "application__person"
    )
    for sheet in sheets:
        if last_content.get(sheet.pk) != _sheet_content(sheet):
            problems.append(
                _("Sheet %(sheet)s (judge %(judge)s, candidate %(candidate)s) was altered after it was submitted.")
                % {"sheet": sheet.pk, "judge": sheet.judge.username, "candidate": sheet.application.candidate_name}
            )
    return problems


# --- Written scores and ballots --------------------------------------------------------------------


def written_scores_enter(*, actor: Any, round_: Round, scores: dict[Application, Decimal]) -> int:
    """Enter or correct written-exam scores while the round is open, for its candidates; all or nothing."""
    with transaction.atomic(), audit_context(actor=actor):
        round_ = Round.objects.select_for_update().select_related("campaign").get(pk=round_.pk)
        if round_.kind != Round.Kind.WRITTEN:
            raise ApplicationError(_("Written scores belong to a written-exam round."))
        if round_.status != Round.Status.OPEN:
            raise ApplicationError(
                _("Round “%(round)s” is %(status)s: written scores are entered while it is open.")
                % {"round": round_.name, "status": round_.get_status_display()}
            )
        allowed = {application.pk for application in candidates_in(round_)}
        strangers = [application.candidate_name for application in scores if application.pk not in allowed]
        if strangers:
            raise ApplicationError(_("Not candidates of this round: %(names)s.") % {"names": "、".join(strangers)})
        bad = [application.candidate_name for application, score in scores.items() if score < 0 or score > 100]
        if bad:
            raise ApplicationError(
                _("Scores must be from 0 to 100: %(names)s.") % {"names": "、".join(bad)},
                {"score": [_("0 to 100.")]},
            )
        for application, score in scores.items():
            WrittenScore.objects.update_or_create(
                round=round_, application=application, defaults={"score": score, "entered_by": actor}
            )
    return len(scores)


def ballot_cast(*, voter: Any, round_: Round, application: Application, choice: str) -> Ballot:
    """One voter, one ballot per candidate; a second one is refused."""
    if round_.kind != Round.Kind.VOTE or round_.status != Round.Status.OPEN:
        raise ApplicationError(_("This vote is not open."))
    if application.pk not in {candidate.pk for candidate in candidates_in(round_)}:
        raise ApplicationError(
            _("%(candidate)s is not a candidate in this vote.") % {"candidate": application.candidate_name}
        )
    try:
        with transaction.atomic():
            return Ballot.objects.create(round=round_, voter=voter, application=application, choice=choice)
    except IntegrityError:
        raise ApplicationError(
            _("You have already voted on %(candidate)s.") % {"candidate": application.candidate_name}
        ) from None


# --- Rounds -----------------------------------------------------------------------------------------


def round_open(*, actor: Any, round_: Round) -> Round:
    with transaction.atomic(), audit_context(actor=actor):
        round_ = Round.objects.select_for_update().select_related("campaign").get(pk=round_.pk)
        _require_status(round_.campaign, S.ROUNDS)
        if round_.status != Round.Status.PENDING:
            raise ApplicationError(_("The round has already been opened."))
        earlier = round_.campaign.rounds.filter(order__lt=round_.order).exclude(status=Round.Status.CLOSED)
        if earlier.exists():
            raise ApplicationError(_("Close the earlier rounds first: rounds run in order."))
        if round_.kind == Round.Kind.INTERVIEW and not round_.criteria.exists():
            raise ApplicationError(_("An interview round needs its score sheet criteria."))
        round_.status = Round.Status.OPEN
        round_.save(update_fields=["status"])
    return round_


def round_close(*, actor: Any, round_: Round) -> Round:
    """Close the round: compute every candidate's score, who advances, and seal the chain."""
    with transaction.atomic(), audit_context(actor=actor):
        round_ = Round.objects.select_for_update().select_related("campaign").get(pk=round_.pk)
        if round_.status != Round.Status.OPEN:
            raise ApplicationError(_("Only an open round can be closed."))
        drafts = ScoreSheet.objects.filter(panel__round=round_, status=ScoreSheet.Status.DRAFT).count()
        if drafts:
            raise ApplicationError(
                _("%(count)s sheets are still drafts; their judges must submit them first.") % {"count": drafts}
            )
        participants = candidates_in(round_)
        scores = round_scores(round_=round_)
        places = _places_of(round_.campaign)
        advancing = _advancing(round_, participants, scores, places)
        RoundResult.objects.filter(round=round_).delete()
        RoundResult.objects.bulk_create(
            RoundResult(
                round=round_,
                application=application,
                score=scores.get(application.pk, (None, 0))[0],
                valid_sheets=scores.get(application.pk, (None, 0))[1],
                advanced=application.pk in advancing,
            )
            for application in participants
        )
        last = SheetDigest.objects.filter(round=round_).order_by("-sequence").first()
        round_.final_digest = last.digest if last else ""
        round_.status = Round.Status.CLOSED
        round_.closed_at = timezone.now()
        round_.save(update_fields=["status", "closed_at", "final_digest"])
    return round_


def _places_of(campaign: Campaign) -> dict[int, int]:
    """For each application, the places of the posts it competes for (the largest)."""
    places: dict[int, int] = {}
    for application_id, count in ApplicationChoice.objects.filter(application__campaign=campaign).values_list(
        "application_id", "campaign_post__places"
    ):
        places[application_id] = max(places.get(application_id, 0), count)
    return places


def _advancing(
    round_: Round, participants: list[Application], scores: dict[int, tuple[Decimal | None, int]], places
) -> set[int]:
    if round_.kind in (Round.Kind.QUALIFICATION, Round.Kind.INSPECTION):
        return {application.pk for application in participants}
    if round_.kind == Round.Kind.VOTE:
        return {application.pk for application in participants if _vote_passes(round_, application)}
    by_post: dict[int, list[Application]] = defaultdict(list)
    for choice in ApplicationChoice.objects.filter(application__in=participants, preference=1):
        by_post[choice.campaign_post_id].append(choice.application)
    post_places = dict(CampaignPost.objects.filter(campaign=round_.campaign).values_list("id", "places"))
    advancing: set[int] = set()
    for post_id, applications in by_post.items():
        advancing.update(
            scoring.advancing(
                scores={a.pk: scores.get(a.pk, (None, 0))[0] for a in applications},
                pass_line=round_.pass_line,
                per_place=round_.advance_per_place,
                places=post_places[post_id],
            )
        )
    return advancing


def _vote_passes(round_: Round, application: Application) -> bool:
    tally: dict[str, int] = defaultdict(int)
    for choice in round_.ballots.filter(application=application).values_list("choice", flat=True):
        tally[choice] += 1
    return bool(tally) and vote_of(round_, tally).passed


# --- Results ------------------------------------------------------------------------------------------


def results_compute(*, actor: Any, campaign: Campaign, lot: Callable[[list], list] | None = None) -> list[Result]:
    """Rank each post's candidates by composite and tie-break; a lot decides what is still tied."""
    with transaction.atomic(), audit_context(actor=actor):
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        _require_status(campaign, S.RESULTS)
        rounds = list(campaign.rounds.order_by("order"))
        weights = {str(r.pk): r.weight for r in rounds if r.weight}
        kind_key = {}
        for r in rounds:
            kind_key.setdefault(r.kind, str(r.pk))
        finalists = _finalists(campaign, rounds)
        scores: dict[int, dict[str, Decimal | None]] = defaultdict(dict)
        for result in RoundResult.objects.filter(round__in=rounds, application__in=finalists):
            if str(result.round_id) in weights:
                scores[result.application_id][str(result.round_id)] = result.score
        entries = []
        for choice in ApplicationChoice.objects.filter(application__in=finalists, preference=1):
            round_scores_ = scores[choice.application_id]
            entries.append(
                scoring.RankEntry(
                    candidate=choice.application_id,
                    composite=scoring.composite(round_scores=round_scores_, weights=weights, rounding=campaign.rounding)
                    if round_scores_
                    else None,
                    round_scores={kind: round_scores_.get(key) for kind, key in kind_key.items()},
                    post=choice.campaign_post_id,
                )
            )
        tie_break = campaign.tie_break or list(scoring.DEFAULT_TIE_BREAK)
        ranking = scoring.rank_per_post(entries=entries, tie_break=tie_break, lot=lot)
        places = dict(CampaignPost.objects.filter(campaign=campaign).values_list("id", "places"))
        Result.objects.filter(campaign_post__campaign=campaign).delete()
        results = Result.objects.bulk_create(
            Result(
                campaign_post_id=post_id,
                application_id=place.candidate,
                composite=place.composite,
                rank=place.rank,
                decided_by_lot=bool(place.lot),
                selected=place.rank <= places[post_id] and place.composite is not None,
            )
            for post_id, ranked in ranking.items()
            for place in ranked
        )
        for post_id, ranked in ranking.items():
            for group in scoring.lots_drawn(ranked):
                audit_event(
                    actor=actor,
                    instance=CampaignPost.objects.get(pk=post_id),
                    event="lot_drawn",
                    changes={"order_drawn": [None, [str(Application.objects.get(pk=a)) for a in group]]},
                    reason=_("Tied candidates ordered by lot"),
                )
    return results


def _finalists(campaign: Campaign, rounds: list[Round]) -> list[Application]:
    """The qualified candidates who advanced from the last round (all qualified ones when none)."""
    applications = Application.objects.filter(campaign=campaign, status=Application.Status.QUALIFIED)
    if rounds:
        applications = applications.filter(round_results__round=rounds[-1], round_results__advanced=True)
    return list(applications)


def two_way_match(*, actor: Any, campaign: Campaign) -> dict:
    """Two-way selection: candidates' post preferences against departments' rankings."""
    with transaction.atomic(), audit_context(actor=actor):
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.method != Appointment.Method.TWO_WAY:
            raise ApplicationError(_("Matching is for two-way selection campaigns."))
        _require_status(campaign, S.RESULTS)
        applications = list(campaign.applications.filter(status=Application.Status.QUALIFIED))
        candidate_prefs = {a.pk: [] for a in applications}
        for choice in ApplicationChoice.objects.filter(application__in=applications).order_by("preference"):
            candidate_prefs[choice.application_id].append(choice.campaign_post_id)
        posts = list(campaign.posts.all())
        post_prefs = {post.pk: [] for post in posts}
        preferences = DepartmentPreference.objects.filter(campaign_post__campaign=campaign).order_by(
            "campaign_post", "rank"
        )
        for preference in preferences:
            if preference.application_id in candidate_prefs:
                post_prefs[preference.campaign_post_id].append(preference.application_id)
        match = stable_match(
            candidate_prefs=candidate_prefs,
            post_prefs=post_prefs,
            capacity={post.pk: post.places for post in posts},
        )
        Result.objects.filter(campaign_post__campaign=campaign).delete()
        results = []
        for post_id, holders in match.holders.items():
            for rank, application_id in enumerate(holders, start=1):
                results.append(
                    Result(campaign_post_id=post_id, application_id=application_id, rank=rank, selected=True)
                )
        Result.objects.bulk_create(results)
    return {"match": match, "results": results}


# Departments rank two-way candidates from the qualification review until publicity.
RANKING_STAGES = (S.QUALIFICATION_REVIEW, S.ROUNDS, S.RESULTS)


def department_preferences_set(
    *, actor: Any, campaign_post: CampaignPost, ranking: list[Application]
) -> list[DepartmentPreference]:
    """The department's ranking of the candidates for a post offered, best first, replacing any
    earlier one; a candidate left out is one the department does not accept. Audited."""
    if len({application.pk for application in ranking}) != len(ranking):
        raise ApplicationError(_("A candidate is ranked twice."))
    with transaction.atomic(), audit_context(actor=actor):
        # Locked so that the match cannot run on half a ranking.
        campaign = Campaign.objects.select_for_update().get(pk=campaign_post.campaign_id)
        if campaign.method != Appointment.Method.TWO_WAY:
            raise ApplicationError(_("Departments rank candidates in two-way selection campaigns only."))
        if campaign.status not in RANKING_STAGES:
            raise ApplicationError(
                _("Rankings are open from the qualification review until publicity; the campaign is at “%(status)s”.")
                % {"status": campaign.get_status_display()}
            )
        applicants = set(
            Application.objects.filter(
                campaign=campaign, status=Application.Status.QUALIFIED, choices__campaign_post=campaign_post
            ).values_list("pk", flat=True)
        )
        strangers = [application.candidate_name for application in ranking if application.pk not in applicants]
        if strangers:
            raise ApplicationError(
                _("%(names)s did not apply for this post or are not qualified.") % {"names": "、".join(strangers)}
            )
        earlier = campaign_post.department_preferences.select_related("application__person").order_by("rank")
        before = [preference.application.candidate_name for preference in earlier]
        campaign_post.department_preferences.all().delete()
        preferences = DepartmentPreference.objects.bulk_create(
            DepartmentPreference(campaign_post=campaign_post, application=application, rank=rank, ranked_by=actor)
            for rank, application in enumerate(ranking, start=1)
        )
        # DepartmentPreference is no audited model: the ranking is recorded on the post offered.
        audit_event(
            actor=actor,
            instance=campaign_post,
            event="department_ranking",
            changes={"ranking": [before, [application.candidate_name for application in ranking]]},
        )
    return preferences


# --- Publicity, objections, appointment -----------------------------------------------------------------


def publicity_begin(*, actor: Any, campaign: Campaign, start: dt.date) -> Campaign:
    """Publish the results for at least the campaign's working days (holidays as they fall)."""
    with transaction.atomic(), audit_context(actor=actor):
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        _require_status(campaign, S.RESULTS)
        if not Result.objects.filter(campaign_post__campaign=campaign).exists():
            raise ApplicationError(_("Compute the results before publicity."))
        campaign.publicity_start = start
        campaign.publicity_end = publicity_end(start=start, working_days=campaign.publicity_working_days)
        campaign.status = S.PUBLICITY
        campaign.save(update_fields=["publicity_start", "publicity_end", "status"])
    return campaign


def objection_lodge(*, actor: Any, campaign: Campaign, text: str, application: Application | None = None) -> Objection:
    _require_status(campaign, S.PUBLICITY)
    if not text.strip():
        raise ApplicationError(_("Write the objection."), {"text": [_("Required.")]})
    with transaction.atomic(), audit_context(actor=actor):
        return Objection.objects.create(campaign=campaign, application=application, text=text, lodged_by=actor)


def objection_resolve(*, actor: Any, objection: Objection, upheld: bool, resolution: str) -> Objection:
    require_reason(resolution)
    with transaction.atomic(), audit_context(actor=actor, reason=resolution):
        objection = Objection.objects.select_for_update().get(pk=objection.pk)
        if objection.status != Objection.Status.OPEN:
            raise ApplicationError(_("The objection has already been resolved."))
        objection.status = Objection.Status.UPHELD if upheld else Objection.Status.DISMISSED
        objection.resolution = resolution
        objection.resolved_by = actor
        objection.resolved_at = timezone.now()
        objection.save()
    return objection


def appointments_create(*, actor: Any, campaign: Campaign, on: dt.date | None = None) -> dict[str, int]:
    """After publicity: appoint the selected candidates; staff who got no post go to waiting."""
    today = on or timezone.localdate()
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        _require_status(campaign, S.PUBLICITY)
        if campaign.publicity_end and today <= campaign.publicity_end:
            raise ApplicationError(
                _("Publicity runs until %(end)s; appointments can be made after it.") % {"end": campaign.publicity_end}
            )
        if campaign.objections.filter(status=Objection.Status.OPEN).exists():
            raise ApplicationError(_("Resolve every objection before the appointments."))
        reason = _("Campaign %(campaign)s") % {"campaign": campaign}
        selected = (
            Result.objects.filter(campaign_post__campaign=campaign, selected=True)
            .exclude(application__objections__status=Objection.Status.UPHELD)
            .select_related("campaign_post__post__level", "application__person")
        )
        winners = [
            (result, result.application.person or _external_to_person(actor, result.application, today))
            for result in selected
        ]
        # Places are freed before any is filled: when every post is re-competed, one winner may
        # take the post another winner or a loser leaves.
        for result, person in winners:
            current = person.appointments.filter(status=Appointment.Status.ACTIVE).first()
            if current is not None and current.post_id != result.campaign_post.post_id:
                staffing_services.appointment_close(
                    actor=actor,
                    appointment=current,
                    on=today - dt.timedelta(days=1),
                    kind=Appointment.EndKind.TRANSFERRED,
                    reason=reason,
                )
        chosen_people = {person.pk for _, person in winners}
        unplaced = (
            Person.objects.filter(
                applications__campaign=campaign, status__in=(Person.Status.ON_POST, Person.Status.PENDING)
            )
            .exclude(pk__in=chosen_people)
            .distinct()
        )
        waiting = 0
        for person in unplaced if campaign.unplaced_to_waiting else []:
            staffing_services.person_send_to_waiting(
                actor=actor, person=person, on=today, reason=_("Not selected in %(campaign)s") % {"campaign": campaign}
            )
            waiting += 1
        for result, person in winners:
            _appoint_from_campaign(actor, campaign, result, person, today, reason)
        with audit_context(actor=actor):
            campaign.status = S.APPOINTED
            campaign.save(update_fields=["status"])
    return {"appointed": len(winners), "waiting": waiting}


def _appoint_from_campaign(actor, campaign: Campaign, result: Result, person: Person, today, reason: str) -> None:
    post = result.campaign_post.post
    level = post.level
    current = person.appointments.filter(status=Appointment.Status.ACTIVE).select_related("salary_grade").first()
    previous = current or person.appointments.order_by("-term_start", "-id").select_related("salary_grade").first()
    grade = _grade_for(level, previous.salary_grade if previous else None)
    term_end = today + relativedelta(years=campaign.term_years) - dt.timedelta(days=1)
    if current is not None:
        # Re-appointed to the post he holds: a new term, no new probation.
        staffing_services.appointment_renew(
            actor=actor,
            appointment=current,
            term_end=max(term_end, current.term_end + dt.timedelta(days=1)),
            salary_grade=grade,
            reason=reason,
        )
        return
    if person.status == Person.Status.WAITING:
        months = StaffingPolicy.current().leadership_probation_months
        staffing_services.person_return_from_waiting(
            actor=actor,
            person=person,
            post=post,
            method=campaign.method,
            term_start=today,
            term_end=term_end,
            salary_grade=grade,
            override_reason=reason,
            probation_end=today + relativedelta(months=months) - dt.timedelta(days=1)
            if post.is_leadership and months
            else None,
        )
        return
    # A new leader gets the policy's probation (domain.md §6): appointment_create sets it.
    staffing_services.appointment_create(
        actor=actor,
        person=person,
        post=post,
        method=campaign.method,
        term_start=today,
        term_end=term_end,
        salary_grade=grade,
        reason=reason,
    )


def _grade_for(level, current: SalaryGrade | None) -> SalaryGrade | None:
    """Keep the current grade when the new level admits it, else the level's lowest grade."""
    if level.is_negotiated:
        return None
    if current is not None and level.admits_grade(current):
        return current
    return SalaryGrade.objects.get(series=level.series, number=level.min_grade)


def _external_to_person(actor, application: Application, today: dt.date) -> Person:
    """An external candidate becomes a Person only when appointed, on a contract (合同制)."""
    return staffing_services.person_create(
        actor=actor,
        name=application.external_name,
        national_id=application.external_national_id,
        identity=Person.Identity.CONTRACT,
        gender=application.external_gender,
        birth_date=application.external_birth_date,
        education=application.external_education,
        joined_on=today,
    )
