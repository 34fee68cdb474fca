"""Setting a campaign up: its settings, the posts offered, rounds, criteria, panels and running
orders, external applicants of open social recruitment, and written scores from a workbook.

Every service is audited and refuses what the campaign's stage no longer allows: the posts
are fixed once applications open (candidates applied for them), the scoring rules and the
round weights once the rounds start, a round's settings once it opens.
"""

import datetime as dt
import io
import random
import secrets
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import openpyxl
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, ProtectedError, QuerySet, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.utils.exceptions import InvalidFileException

from recruitment import services
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
from recruitment.selectors import EDUCATION_ORDER, SCORED_KINDS, candidates_in
from staffing import national_id as national_ids
from staffing.models import Appointment, Person
from zonehr.audit import audit_context, audit_event
from zonehr.errors import ApplicationError, validated_save
from zonehr.models import User
from zonehr.money import round_to
from zonehr.roles import Role
from zonehr.xlsx import header_row, safe_cell

S = Campaign.Status
LIFECYCLE = services.LIFECYCLE
HUNDRED = Decimal(100)
# Round kinds that yield a score, so they can carry a weight and break ties.
# domain.md §6: usual panels have 7 or 9 judges, at least 5.
MIN_PANEL_JUDGES = 5
JUDGE_ROLES = (Role.JUDGE, Role.DEPARTMENT_HEAD)

# The last stage at which each campaign setting may still change.
CAMPAIGN_FIELDS_UNTIL: dict[str, str] = {
    "name": S.PUBLICITY,
    "description": S.PUBLICITY,
    # Applications were made under the method: two-way selection ranks several posts.
    "method": S.DRAFT,
    "applications_close_on": S.APPLICATIONS_OPEN,
    # The scoring rules are fixed before the first mark is given.
    "trim_above": S.QUALIFICATION_REVIEW,
    "rounding": S.QUALIFICATION_REVIEW,
    "balance_panels": S.QUALIFICATION_REVIEW,
    "tie_break": S.QUALIFICATION_REVIEW,
    "vote_pass_rate": S.QUALIFICATION_REVIEW,
    "vote_turnout": S.QUALIFICATION_REVIEW,
    "publicity_working_days": S.RESULTS,
    "term_years": S.PUBLICITY,
    "unplaced_to_waiting": S.PUBLICITY,
}
# Set by their own services (campaign_advance, publicity_begin), never by an edit.
CAMPAIGN_FIELDS_NEVER = ("status", "publicity_start", "publicity_end")
ROUND_STRUCTURE_FIELDS = ("kind", "order", "weight")
ROUND_PENDING_FIELDS = ("name", "pass_line", "advance_per_place", "eligible_voters")


def _stage_reached(campaign: Campaign, stage: str) -> bool:
    return LIFECYCLE.index(campaign.status) >= LIFECYCLE.index(stage)


def _verbose(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def _require_stage(campaign: Campaign, *statuses: str, what: str) -> None:
    if campaign.status not in statuses:
        raise ApplicationError(
            _("“%(campaign)s” is at “%(status)s”: %(what)s can change only at %(stages)s.")
            % {
                "campaign": campaign.name,
                "status": campaign.get_status_display(),
                "what": what,
                "stages": "、".join(str(S(status).label) for status in statuses),
            }
        )


def _locked_campaign(campaign_id: int) -> Campaign:
    return Campaign.objects.select_for_update().get(pk=campaign_id)


# --- Campaigns ---------------------------------------------------------------------------------


def campaign_locked_fields(campaign: Campaign) -> set[str]:
    """The settings the campaign's stage no longer lets change (the form shows them read-only)."""
    if campaign.pk is None:
        return set()
    return {name for name, until in CAMPAIGN_FIELDS_UNTIL.items() if not _stage_allows(campaign, until)}


def _stage_allows(campaign: Campaign, until: str) -> bool:
    return LIFECYCLE.index(campaign.status) <= LIFECYCLE.index(until)


def campaign_save(*, actor: Any, campaign: Campaign, reason: str = "") -> Campaign:
    """Create a campaign (as a draft) or change its settings as far as its stage allows."""
    with transaction.atomic(), audit_context(actor=actor, reason=reason):
        if campaign.pk is None:
            if campaign.status != S.DRAFT:
                raise ApplicationError(_("A new campaign starts as a draft."))
            campaign.created_by = actor
        else:
            stored = _locked_campaign(campaign.pk)
            if any(getattr(campaign, name) != getattr(stored, name) for name in CAMPAIGN_FIELDS_NEVER):
                raise ApplicationError(
                    _("The stage and the publicity dates change only by advancing the campaign, not by an edit.")
                )
            locked = [
                name for name in campaign_locked_fields(stored) if getattr(campaign, name) != getattr(stored, name)
            ]
            if locked:
                raise ApplicationError(
                    _("At “%(status)s” these settings can no longer change: %(fields)s.")
                    % {
                        "status": stored.get_status_display(),
                        "fields": "、".join(_verbose(Campaign, name) for name in locked),
                    },
                    {name: [_("Fixed at this stage.")] for name in locked},
                )
        _check_campaign_settings(campaign)
        # Campaigns set up before logins were recorded (imports, the demo) have no creator.
        validated_save(campaign, exclude=("created_by",))
    return campaign


def _check_campaign_settings(campaign: Campaign) -> None:
    errors: dict[str, list[str]] = {}
    if campaign.trim_above < 2:
        errors["trim_above"] = [_("At least 2: dropping the highest and the lowest must leave a sheet.")]
    if not Decimal(0) <= campaign.vote_pass_rate < 1:
        errors["vote_pass_rate"] = [_("From 0 % to below 100 %: a vote passes with more than this rate.")]
    if not Decimal(0) < campaign.vote_turnout <= 1:
        errors["vote_turnout"] = [_("Above 0 % and at most 100 % of the eligible voters.")]
    if campaign.term_years < 1:
        errors["term_years"] = [_("At least one year.")]
    kinds = list(campaign.tie_break or [])
    if any(kind not in SCORED_KINDS for kind in kinds):
        errors["tie_break"] = [_("Only scored rounds (written exam, interview, vote) can break a tie.")]
    elif len(set(kinds)) != len(kinds):
        errors["tie_break"] = [_("A round kind appears twice in the tie-break order.")]
    if errors:
        raise ApplicationError(" ".join(messages[0] for messages in errors.values()), errors)


# --- Posts offered ------------------------------------------------------------------------------


def campaign_post_save(*, actor: Any, campaign_post: CampaignPost) -> CampaignPost:
    """Offer a post (or change its places and eligibility) while the campaign is a draft."""
    with transaction.atomic(), audit_context(actor=actor):
        campaign = _locked_campaign(campaign_post.campaign_id)
        _require_stage(campaign, S.DRAFT, what=_("the posts offered"))
        post = campaign_post.post
        if not (post.is_active and post.department.is_active):
            raise ApplicationError(
                _("“%(post)s” is closed and cannot be offered.") % {"post": post}, {"post": [_("Closed.")]}
            )
        if campaign_post.places > post.headcount:
            raise ApplicationError(
                _("%(places)s places exceed the headcount of “%(post)s” (%(headcount)s).")
                % {"places": campaign_post.places, "post": post, "headcount": post.headcount},
                {"places": [_("Above the headcount.")]},
            )
        offered = CampaignPost.objects.filter(campaign=campaign, post=post).exclude(pk=campaign_post.pk)
        if offered.exists():
            raise ApplicationError(
                _("“%(post)s” is already offered by this campaign.") % {"post": post},
                {"post": [_("Already offered.")]},
            )
        validated_save(campaign_post)
    return campaign_post


def campaign_post_remove(*, actor: Any, campaign_post: CampaignPost) -> None:
    with transaction.atomic(), audit_context(actor=actor):
        campaign = _locked_campaign(campaign_post.campaign_id)
        _require_stage(campaign, S.DRAFT, what=_("the posts offered"))
        campaign_post.delete()


# --- Rounds -----------------------------------------------------------------------------------


def round_locked_fields(round_: Round) -> set[str]:
    """The round settings that can no longer change (the form shows them read-only)."""
    if round_.pk is None:
        return set()
    if round_.status != Round.Status.PENDING:
        return {*ROUND_STRUCTURE_FIELDS, *ROUND_PENDING_FIELDS}
    if _stage_reached(round_.campaign, S.ROUNDS):
        return set(ROUND_STRUCTURE_FIELDS)
    return set()


def round_next_order(campaign: Campaign) -> int:
    return (campaign.rounds.aggregate(last=Max("order"))["last"] or 0) + 1


def round_save(*, actor: Any, round_: Round) -> Round:
    """Add a round or change it: kind, order and weight until the rounds start, the rest until it opens."""
    with transaction.atomic(), audit_context(actor=actor):
        campaign = _locked_campaign(round_.campaign_id)
        if round_.pk is None:
            if _stage_reached(campaign, S.ROUNDS):
                raise ApplicationError(
                    _("The rounds have started: no round can be added, since the weights are fixed.")
                )
            if round_.order is None:
                round_.order = round_next_order(campaign)
        else:
            stored = Round.objects.select_for_update().select_related("campaign").get(pk=round_.pk)
            if round_.status != stored.status:
                raise ApplicationError(_("A round opens and closes by its own buttons, not by an edit."))
            locked = [name for name in round_locked_fields(stored) if getattr(round_, name) != getattr(stored, name)]
            if locked:
                reason = (
                    _("The round has been opened: its settings are fixed.")
                    if stored.status != Round.Status.PENDING
                    else _("The rounds have started: the kind, order and weight of every round are fixed.")
                )
                raise ApplicationError(reason, {name: [_("Fixed at this stage.")] for name in locked})
        _check_round(round_)
        if Round.objects.filter(campaign=campaign, order=round_.order).exclude(pk=round_.pk).exists():
            raise ApplicationError(
                _("Another round of this campaign is number %(order)s.") % {"order": round_.order},
                {"order": [_("Taken.")]},
            )
        validated_save(round_)
    return round_


def _check_round(round_: Round) -> None:
    errors: dict[str, list[str]] = {}
    if round_.weight is not None and not Decimal(0) <= round_.weight <= HUNDRED:
        errors["weight"] = [_("A weight is a percentage from 0 to 100.")]
    if round_.kind not in SCORED_KINDS:
        # Qualification review and inspection pass or fail candidates; they give no score.
        if round_.weight:
            errors["weight"] = [_("A qualification review or inspection gives no score, so no weight.")]
        if round_.pass_line is not None:
            errors["pass_line"] = [_("A qualification review or inspection gives no score, so no pass line.")]
        if round_.advance_per_place is not None:
            errors["advance_per_place"] = [_("Everyone who passes a qualification review or inspection advances.")]
    if round_.kind == Round.Kind.VOTE:
        if not round_.eligible_voters:
            errors["eligible_voters"] = [_("A vote needs the number of eligible voters, to check the turnout.")]
        if round_.pass_line is not None or round_.advance_per_place is not None:
            errors["pass_line"] = [_("A vote passes by its approval rate and turnout, set on the campaign.")]
    elif round_.eligible_voters is not None:
        errors["eligible_voters"] = [_("Only a vote has eligible voters.")]
    if round_.pass_line is not None and not Decimal(0) <= round_.pass_line <= HUNDRED:
        errors["pass_line"] = [_("A pass line is a score from 0 to 100.")]
    if round_.advance_per_place == 0:
        errors["advance_per_place"] = [_("At least one candidate per place, or leave it empty.")]
    if errors:
        raise ApplicationError(" ".join(messages[0] for messages in errors.values()), errors)


def round_remove(*, actor: Any, round_: Round) -> None:
    with transaction.atomic(), audit_context(actor=actor):
        campaign = _locked_campaign(round_.campaign_id)
        if _stage_reached(campaign, S.ROUNDS):
            raise ApplicationError(_("The rounds have started: no round can be removed."))
        try:
            round_.delete()
        except ProtectedError:
            raise ApplicationError(
                _("Round “%(round)s” already holds scores; it cannot be removed.") % {"round": round_.name}
            ) from None


def rounds_weight_total(*, campaign: Campaign) -> Decimal:
    return campaign.rounds.aggregate(total=Sum("weight"))["total"] or Decimal(0)


def rounds_weight_warning(*, campaign: Campaign) -> str:
    """Why the rounds cannot start yet for their weights, or "" (two-way selection needs none)."""
    if campaign.method == Appointment.Method.TWO_WAY or _stage_reached(campaign, S.ROUNDS):
        return ""
    total = rounds_weight_total(campaign=campaign)
    if total == HUNDRED:
        return ""
    return _("The weights of the scored rounds sum to %(total)s, not 100: the rounds cannot start.") % {
        "total": f"{total.normalize():f}"
    }


def _pending_round(round_id: int) -> Round:
    round_ = Round.objects.select_for_update().select_related("campaign").get(pk=round_id)
    if round_.status != Round.Status.PENDING:
        raise ApplicationError(
            _("Round “%(round)s” is %(status)s: its criteria and panels are fixed.")
            % {"round": round_.name, "status": round_.get_status_display()}
        )
    return round_


# --- Criteria ----------------------------------------------------------------------------------


def criterion_save(*, actor: Any, criterion: Criterion) -> Criterion:
    """A line of the interview score sheet; the maxima of a sheet add up to at most 100."""
    with transaction.atomic(), audit_context(actor=actor):
        round_ = _pending_round(criterion.round_id)
        if round_.kind != Round.Kind.INTERVIEW:
            raise ApplicationError(_("Score sheet criteria belong to an on-site interview."))
        if criterion.maximum is not None and criterion.maximum <= 0:
            raise ApplicationError(_("A criterion's maximum is above 0."), {"maximum": [_("Above 0.")]})
        others = round_.criteria.exclude(pk=criterion.pk).aggregate(total=Sum("maximum"))["total"] or Decimal(0)
        if criterion.maximum is not None and others + criterion.maximum > HUNDRED:
            raise ApplicationError(
                _("The criteria's maxima would add up to %(total)s; a sheet scores at most 100.")
                % {"total": round_to(others + criterion.maximum, 2)},
                {"maximum": [_("At most %(left)s.") % {"left": round_to(HUNDRED - others, 2)}]},
            )
        if criterion.pk is None and not criterion.order:
            criterion.order = (round_.criteria.aggregate(last=Max("order"))["last"] or 0) + 1
        validated_save(criterion)
    return criterion


def criterion_remove(*, actor: Any, criterion: Criterion) -> None:
    with transaction.atomic(), audit_context(actor=actor):
        _pending_round(criterion.round_id)
        criterion.delete()


def criteria_total(*, round_: Round) -> Decimal:
    return round_.criteria.aggregate(total=Sum("maximum"))["total"] or Decimal(0)


# --- Panels and running orders --------------------------------------------------------------------


def judge_choices() -> QuerySet:
    """Who may sit on a panel: active users holding the judge or the department head role."""
    return (
        User.objects.filter(is_active=True, groups__name__in=[str(role) for role in JUDGE_ROLES])
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def _judge_names(users: Iterable[Any]) -> list[str]:
    return sorted(user.get_full_name() or user.username for user in users)


def panel_save(*, actor: Any, panel: Panel, judges: list[Any], chair: Any) -> Panel:
    """Create or change an interview panel: at least 5 judges, a chair among them, no candidate."""
    judges = list(dict.fromkeys(judges))
    with transaction.atomic(), audit_context(actor=actor):
        round_ = _pending_round(panel.round_id)
        if round_.kind != Round.Kind.INTERVIEW:
            raise ApplicationError(_("Panels of judges score an on-site interview."))
        if len(judges) < MIN_PANEL_JUDGES:
            raise ApplicationError(
                _("A panel has at least %(minimum)s judges; %(count)s chosen.")
                % {"minimum": MIN_PANEL_JUDGES, "count": len(judges)},
                {"judges": [_("At least %(minimum)s.") % {"minimum": MIN_PANEL_JUDGES}]},
            )
        allowed = set(judge_choices().filter(pk__in=[judge.pk for judge in judges]).values_list("pk", flat=True))
        refused = [judge for judge in judges if judge.pk not in allowed]
        if refused:
            raise ApplicationError(
                _("Judges are chosen among judges and department heads: %(names)s hold neither role.")
                % {"names": "、".join(_judge_names(refused))},
                {"judges": [_("Not a judge.")]},
            )
        if chair is None or chair not in judges:
            raise ApplicationError(
                _("The chair is one of the panel's judges: he alone amends submitted sheets."),
                {"chair": [_("Choose a judge of this panel.")]},
            )
        applicants = Application.objects.filter(campaign=round_.campaign_id, person__user__in=judges).select_related(
            "person"
        )
        if applicants:
            raise ApplicationError(
                _("A candidate of this campaign cannot judge it: %(names)s.")
                % {"names": "、".join(sorted(a.candidate_name for a in applicants))},
                {"judges": [_("A candidate.")]},
            )
        before = _judge_names(panel.judges.all()) if panel.pk else []
        panel.chair = chair
        validated_save(panel)
        panel.judges.set(judges)
        after = _judge_names(judges)
        if before != after:
            # The membership is a many-to-many table the field audit does not see.
            audit_event(actor=actor, instance=panel, event="judges_set", changes={"judges": [before, after]})
    return panel


def panel_remove(*, actor: Any, panel: Panel) -> None:
    with transaction.atomic(), audit_context(actor=actor):
        _pending_round(panel.round_id)
        panel.delete()


def round_candidates(*, round_: Round) -> list[Application]:
    """The candidates of a round, once every earlier round has closed and it is known who advanced."""
    open_before = round_.campaign.rounds.filter(order__lt=round_.order).exclude(status=Round.Status.CLOSED)
    earlier = open_before.order_by("order").first()
    if earlier is not None:
        raise ApplicationError(
            _("Rounds run in order: the candidates of “%(round)s” are known once “%(earlier)s” has closed.")
            % {"round": round_.name, "earlier": earlier.name}
        )
    return candidates_in(round_)


def unplaced_candidates(*, panel: Panel) -> list[Application]:
    """The round's candidates not on another panel of the round, in registration order."""
    elsewhere = set(
        PanelCandidate.objects.filter(panel__round=panel.round_id)
        .exclude(panel=panel)
        .values_list("application_id", flat=True)
    )
    candidates = [a for a in round_candidates(round_=panel.round) if a.pk not in elsewhere]
    return sorted(candidates, key=lambda a: (a.submitted_at, a.pk))


def panel_running_order_set(
    *, actor: Any, panel: Panel, applications: list[Application], reason: str = ""
) -> list[PanelCandidate]:
    """Put these candidates on the panel in this running order (replacing its order)."""
    with transaction.atomic(), audit_context(actor=actor, reason=reason):
        round_ = _pending_round(panel.round_id)
        panel = Panel.objects.select_related("round__campaign").get(pk=panel.pk)
        if len({a.pk for a in applications}) != len(applications):
            raise ApplicationError(_("A candidate appears twice in the running order."))
        allowed = {a.pk for a in round_candidates(round_=round_)}
        strangers = [a.candidate_name for a in applications if a.pk not in allowed]
        if strangers:
            raise ApplicationError(
                _("Not candidates of this round (not qualified, or did not advance): %(names)s.")
                % {"names": "、".join(strangers)}
            )
        elsewhere = (
            PanelCandidate.objects.filter(panel__round=round_, application__in=applications)
            .exclude(panel=panel)
            .select_related("application__person")
        )
        if elsewhere.exists():
            raise ApplicationError(
                _("Already on another panel of this round: %(names)s.")
                % {"names": "、".join(sorted(p.application.candidate_name for p in elsewhere))}
            )
        before = [p.application.candidate_name for p in panel.candidates.select_related("application__person")]
        panel.candidates.all().delete()
        places = PanelCandidate.objects.bulk_create(
            PanelCandidate(panel=panel, application=application, running_order=number)
            for number, application in enumerate(applications, start=1)
        )
        after = [a.candidate_name for a in applications]
        if before != after:
            audit_event(
                actor=actor,
                instance=panel,
                event="running_order_set",
                changes={"running_order": [before, after]},
                reason=reason,
            )
    return places


class DrawOrder:
    REGISTRATION = "registration"
    RANDOM = "random"
    CHOICES = (
        (REGISTRATION, gettext_lazy("In registration order")),
        (RANDOM, gettext_lazy("In an order drawn by lot")),
    )


def panel_candidates_draw(
    *, actor: Any, panel: Panel, order: str, rng: random.Random | None = None
) -> list[PanelCandidate]:
    """Put every candidate of the round not on another panel on this one, by registration or by lot."""
    if order not in (DrawOrder.REGISTRATION, DrawOrder.RANDOM):
        raise ApplicationError(_("Choose registration order or an order drawn by lot."), {"order": [_("Required.")]})
    with transaction.atomic():
        _pending_round(panel.round_id)
        candidates = unplaced_candidates(panel=panel)
        if not candidates:
            raise ApplicationError(_("No candidate of this round is left to place on a panel."))
        if order == DrawOrder.RANDOM:
            # The operating system's randomness: nobody can predict or replay the draw.
            (rng or secrets.SystemRandom()).shuffle(candidates)
            reason = _("Running order drawn by lot")
        else:
            reason = _("Running order by registration")
        return panel_running_order_set(actor=actor, panel=panel, applications=candidates, reason=reason)


# --- External applicants (open social recruitment) ----------------------------------------------------


def external_application_register(
    *,
    actor: Any,
    campaign: Campaign,
    campaign_post: CampaignPost,
    name: str,
    national_id: str,
    education: str,
    statement: str = "",
    declared_truthful: bool = False,
) -> Application:
    """HR enters an outside applicant of open social recruitment; gender and birth date come from the ID."""
    name, national_id = name.strip(), national_id.strip().upper()
    with transaction.atomic(), audit_context(actor=actor):
        campaign = _locked_campaign(campaign.pk)
        if campaign.method != Appointment.Method.SOCIAL:
            raise ApplicationError(_("External applicants apply in open social recruitment only."))
        if campaign.status != S.APPLICATIONS_OPEN:
            raise ApplicationError(
                _("“%(campaign)s” is at “%(status)s”: it takes no applications.")
                % {"campaign": campaign.name, "status": campaign.get_status_display()}
            )
        if not name:
            raise ApplicationError(_("Enter the applicant's name."), {"name": [_("Required.")]})
        if education not in Person.Education.values:
            raise ApplicationError(_("Choose the applicant's education."), {"education": [_("Required.")]})
        try:
            national_ids.validate_national_id(national_id)
        except ValidationError as exc:
            raise ApplicationError(exc.messages[0], {"national_id": exc.messages}) from None
        if Person.objects.filter(national_id=national_id).exists():
            raise ApplicationError(
                _("This national ID is on the roster: a staff member applies from his own login."),
                {"national_id": [_("On the roster.")]},
            )
        if campaign_post.campaign_id != campaign.pk:
            raise ApplicationError(_("A post chosen is not offered by this campaign."), {"post": [_("Not offered.")]})
        problems = _external_eligibility(campaign_post, education)
        if problems:
            raise ApplicationError(
                _("Not eligible: %(problems)s") % {"problems": "、".join(problems)}, {"post": problems}
            )
        if not declared_truthful:
            raise ApplicationError(
                _("The applicant signs the declaration that the application is truthful."),
                {"declared_truthful": [_("Required.")]},
            )
        try:
            with transaction.atomic():
                application = Application.objects.create(
                    campaign=campaign,
                    external_name=name,
                    external_national_id=national_id,
                    external_gender=national_ids.gender(national_id),
                    external_birth_date=national_ids.birth_date(national_id),
                    external_education=education,
                    statement=statement,
                    declared_truthful=True,
                )
        except IntegrityError:
            raise ApplicationError(
                _("%(name)s has already applied in this campaign.") % {"name": name},
                {"national_id": [_("Already applied.")]},
            ) from None
        ApplicationChoice.objects.create(application=application, campaign_post=campaign_post, preference=1)
    return application


def _external_eligibility(campaign_post: CampaignPost, education: str) -> list[str]:
    """Education is checked; an outsider holds no post in the zone, so a minimum level excludes him.

    Work experience elsewhere is checked on the paper file, not here.
    """
    problems = []
    if campaign_post.min_level_rank:
        problems.append(
            _("the post needs a current level of %(needed)s; an external applicant holds none")
            % {"needed": campaign_post.min_level_rank}
        )
    if campaign_post.min_education and EDUCATION_ORDER.index(education) < EDUCATION_ORDER.index(
        campaign_post.min_education
    ):
        problems.append(
            _("education below %(needed)s") % {"needed": Person.Education(campaign_post.min_education).label}
        )
    return problems


# --- Written scores ------------------------------------------------------------------------------


# The workbook's headers are Chinese: that is the file the examination office fills in.
WRITTEN_ID, WRITTEN_NAME, WRITTEN_SCORE = "报名编号", "姓名", "成绩"
WRITTEN_HEADERS = (WRITTEN_ID, WRITTEN_NAME, WRITTEN_SCORE)
WRITTEN_SHEET = "笔试成绩"
WRITTEN_MAX_BYTES = 2 * 1024 * 1024
WRITTEN_MAX_ROWS = 5000


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str
    value: str
    reason: str


@dataclass
class WrittenImport:
    scores: dict[Application, Decimal] = field(default_factory=dict)
    problems: list[RowProblem] = field(default_factory=list)


def written_scores_workbook(*, round_: Round) -> openpyxl.Workbook:
    """The import template: the round's candidates with their scores so far, to fill in."""
    existing = dict(round_.written_scores.values_list("application_id", "score"))
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = WRITTEN_SHEET
    header_row(sheet, list(WRITTEN_HEADERS), [12, 14, 10])
    for application in candidates_in(round_):
        sheet.append([application.pk, safe_cell(application.candidate_name), existing.get(application.pk)])
    return workbook


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_workbook(content: bytes) -> list[tuple[int, tuple]]:
    if len(content) > WRITTEN_MAX_BYTES:
        raise ApplicationError(
            _("The file is larger than %(limit)s MB.") % {"limit": WRITTEN_MAX_BYTES // (1024 * 1024)}
        )
    if not content.startswith(b"PK"):
        raise ApplicationError(
            _("The file is not an .xlsx workbook. In Excel, save it as “Excel Workbook (*.xlsx)” and upload that.")
        )
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError, OSError):
        raise ApplicationError(
            _("The workbook could not be read; it may be damaged. Open it in Excel, save it again and upload that.")
        ) from None
    try:
        sheet = workbook[WRITTEN_SHEET] if WRITTEN_SHEET in workbook.sheetnames else workbook.worksheets[0]
        sheet.reset_dimensions()
        rows = sheet.iter_rows(values_only=True)
        header = [str(cell).strip() if cell is not None else "" for cell in next(rows, ())]
        missing = [name for name in WRITTEN_HEADERS if name not in header]
        if missing:
            raise ApplicationError(
                _("The first row must hold the column headers %(headers)s; missing: %(missing)s.")
                % {"headers": "、".join(WRITTEN_HEADERS), "missing": "、".join(missing)}
            )
        positions = [header.index(name) for name in WRITTEN_HEADERS]
        found = []
        for number, cells in enumerate(rows, start=2):
            values = tuple(cells[index] if index < len(cells) else None for index in positions)
            values = tuple(v.strip() or None if isinstance(v, str) else v for v in values)
            if all(value is None for value in values):
                continue
            if len(found) == WRITTEN_MAX_ROWS:
                raise ApplicationError(_("The file has more than %(max)s rows.") % {"max": WRITTEN_MAX_ROWS})
            found.append((number, values))
    finally:
        workbook.close()
    if not found:
        raise ApplicationError(_("The file has no data rows below the headers."))
    return found


def _parse_score(value: Any) -> Decimal:
    if value is None:
        raise ValueError(_("No score: enter it, or delete the row of a candidate who was absent."))
    if isinstance(value, bool | dt.date):
        raise ValueError(_("Not a number."))
    # A float is read as Excel shows it, to 15 significant digits.
    text = f"{value:.15g}" if isinstance(value, float) else str(value).strip()
    try:
        score = Decimal(text)
    except InvalidOperation:
        raise ValueError(_("Not a number.")) from None
    if not score.is_finite() or not Decimal(0) <= score <= HUNDRED:
        raise ValueError(_("A score is from 0 to 100."))
    if score.as_tuple().exponent < -2:
        raise ValueError(_("At most 2 decimal places."))
    return score


def written_scores_read(*, round_: Round, content: bytes) -> WrittenImport:
    """Check every row of an uploaded workbook; the scores are usable only if no row has a problem.

    A file-level problem (not a workbook, headers missing) raises ApplicationError.
    """
    rows = _read_workbook(content)
    candidates = {a.pk: a for a in candidates_in(round_)}
    result = WrittenImport()
    seen: dict[int, int] = {}
    for number, (raw_id, raw_name, raw_score) in rows:
        application = None
        try:
            application_id = int(_shown(raw_id))
        except ValueError:
            result.problems.append(RowProblem(number, WRITTEN_ID, _shown(raw_id), _("Not an application number.")))
        else:
            application = candidates.get(application_id)
            if application is None:
                result.problems.append(
                    RowProblem(number, WRITTEN_ID, _shown(raw_id), _("Not a candidate of this round."))
                )
            elif application_id in seen:
                result.problems.append(
                    RowProblem(
                        number, WRITTEN_ID, _shown(raw_id), _("Also in row %(row)s.") % {"row": seen[application_id]}
                    )
                )
                application = None
            else:
                seen[application_id] = number
        # The name guards against a shifted row giving one candidate another's score.
        if application is not None and _shown(raw_name) != application.candidate_name:
            result.problems.append(
                RowProblem(
                    number,
                    WRITTEN_NAME,
                    _shown(raw_name),
                    _("Application %(id)s is %(name)s.") % {"id": application.pk, "name": application.candidate_name},
                )
            )
            application = None
        try:
            score = _parse_score(raw_score)
        except ValueError as exc:
            result.problems.append(RowProblem(number, WRITTEN_SCORE, _shown(raw_score), str(exc)))
            continue
        if application is not None:
            result.scores[application] = score
    if result.problems:
        result.scores = {}
    return result


# --- Lifecycle -----------------------------------------------------------------------------------

# Publicity starts on a date (services.publicity_begin) and appointment has its own service
# (services.appointments_create); a plain step forward would skip what they do.
ADVANCE_ELSEWHERE = (S.PUBLICITY, S.APPOINTED)


def campaign_next_stage(campaign: Campaign) -> str | None:
    index = LIFECYCLE.index(campaign.status)
    return LIFECYCLE[index + 1] if index + 1 < len(LIFECYCLE) else None


def campaign_step_forward(*, actor: Any, campaign: Campaign) -> Campaign:
    """Advance the campaign one stage from its page; publicity and appointment have their own steps."""
    target = campaign_next_stage(campaign)
    if target in ADVANCE_ELSEWHERE:
        raise ApplicationError(
            _("“%(stage)s” begins through its own step on the results pages, not by a plain advance.")
            % {"stage": S(target).label}
        )
    return services.campaign_advance(actor=actor, campaign=campaign)
