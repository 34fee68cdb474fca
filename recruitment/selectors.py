"""Recruitment reads: eligibility, a judge's rounds, the live board, the ranking per post and the
outcome of two-way selection."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from recruitment import scoring
from recruitment.matching import RefusalReason, stable_match
from recruitment.models import (
    Application,
    ApplicationChoice,
    Ballot,
    Campaign,
    CampaignPost,
    DepartmentPreference,
    Panel,
    PanelCandidate,
    Result,
    Round,
    RoundResult,
    ScoreSheet,
)
from staffing.models import Appointment, Person
from zonehr.money import round_to

# The rounds that give a candidate a score; qualification and inspection only pass or stop him.
SCORED_KINDS = (Round.Kind.WRITTEN, Round.Kind.INTERVIEW, Round.Kind.VOTE)
EDUCATION_ORDER = [
    Person.Education.SECONDARY,
    Person.Education.COLLEGE,
    Person.Education.BACHELOR,
    Person.Education.MASTER,
    Person.Education.DOCTORATE,
]


def eligibility_problems(*, person: Person, campaign_post: CampaignPost) -> list[str]:
    """Why `person` may not apply for the post offered: level, years of service, education.

    Identity is never a criterion (domain.md §4: break identity boundaries).
    """
    problems = []
    if campaign_post.min_level_rank:
        current = (
            Appointment.objects.filter(person=person, status=Appointment.Status.ACTIVE)
            .select_related("post__level")
            .first()
        )
        rank = current.post.level.rank if current else 0
        if rank < campaign_post.min_level_rank:
            problems.append(
                _("current level %(rank)s is below %(needed)s") % {"rank": rank, "needed": campaign_post.min_level_rank}
            )
    if campaign_post.min_years_of_service:
        today = timezone.localdate()
        years = (
            today.year
            - person.joined_on.year
            - ((today.month, today.day) < (person.joined_on.month, person.joined_on.day))
        )
        if years < campaign_post.min_years_of_service:
            problems.append(
                _("%(years)s years of service, %(needed)s needed")
                % {"years": years, "needed": campaign_post.min_years_of_service}
            )
    if campaign_post.min_education and EDUCATION_ORDER.index(person.education) < EDUCATION_ORDER.index(
        campaign_post.min_education
    ):
        problems.append(
            _("education below %(needed)s") % {"needed": Person.Education(campaign_post.min_education).label}
        )
    return problems


def judge_panels(user: Any) -> QuerySet[Panel]:
    """The panels a judge sits on, of rounds that are open or closed (never others')."""
    return (
        Panel.objects.filter(judges=user)
        .exclude(round__status=Round.Status.PENDING)
        .select_related("round__campaign")
        .order_by("-round__campaign__created_at", "round__order")
    )


@dataclass
class BoardRow:
    application_id: int
    candidate: str
    post: str
    submitted: int
    expected: int
    score: Decimal | None
    rank: int | None


def board(*, round_: Round) -> list[BoardRow]:
    """The live board: per candidate, sheets submitted of expected and the running score and rank.

    No judge's name and no single sheet appears: only counts and the aggregated score.
    """
    expected_per_panel = dict(Panel.objects.filter(round=round_).annotate(n=Count("judges")).values_list("id", "n"))
    rows: dict[int, BoardRow] = {}
    places = (
        PanelCandidate.objects.filter(panel__round=round_)
        .select_related("application__person", "panel")
        .order_by("panel", "running_order")
    )
    submitted = dict(
        ScoreSheet.objects.filter(panel__round=round_, status=ScoreSheet.Status.SUBMITTED)
        .values("application_id")
        .annotate(n=Count("id"))
        .values_list("application_id", "n")
    )
    posts = dict(
        Application.objects.filter(campaign=round_.campaign_id, choices__preference=1).values_list(
            "id", "choices__campaign_post__post__name"
        )
    )
    scores = round_scores(round_=round_)
    for place in places:
        application = place.application
        rows[application.pk] = BoardRow(
            application_id=application.pk,
            candidate=application.candidate_name,
            post=posts.get(application.pk, ""),
            submitted=submitted.get(application.pk, 0),
            expected=expected_per_panel.get(place.panel_id, 0),
            score=scores.get(application.pk, (None, 0))[0],
            rank=None,
        )
    by_post: dict[str, list[BoardRow]] = {}
    for row in rows.values():
        by_post.setdefault(row.post, []).append(row)
    for group in by_post.values():
        ranked = sorted((r for r in group if r.score is not None), key=lambda r: r.score, reverse=True)
        for position, row in enumerate(ranked, start=1):
            row.rank = position
    return sorted(rows.values(), key=lambda r: (r.post, r.rank or 10**6, r.candidate))


def candidates_in(round_: Round) -> list[Application]:
    """Who takes part in a round: the qualified candidates who advanced from the round before."""
    applications = Application.objects.filter(
        campaign=round_.campaign_id, status=Application.Status.QUALIFIED
    ).select_related("person")
    before = round_.campaign.rounds.filter(order__lt=round_.order, status=Round.Status.CLOSED).order_by("-order")
    previous = before.first()
    if previous is not None:
        applications = applications.filter(round_results__round=previous, round_results__advanced=True)
    return list(applications.order_by("id"))


def round_scores(*, round_: Round) -> dict[int, tuple[Decimal | None, int]]:
    """Each candidate's score in the round and the number of valid sheets behind it."""
    campaign = round_.campaign
    if round_.kind == Round.Kind.WRITTEN:
        return {ws.application_id: (ws.score, 1) for ws in round_.written_scores.all()}
    if round_.kind == Round.Kind.VOTE:
        return _vote_scores(round_)
    if round_.kind != Round.Kind.INTERVIEW:
        return {}
    totals: dict[int, list[Decimal]] = defaultdict(list)
    panel_of: dict[int, int] = {}
    for sheet in ScoreSheet.objects.filter(panel__round=round_, status=ScoreSheet.Status.SUBMITTED):
        panel_of[sheet.application_id] = sheet.panel_id
        if not sheet.conflict_declared:
            totals[sheet.application_id].append(sheet.total)
    scores = {
        application: scoring.round_score(totals=values, trim_above=campaign.trim_above, rounding=campaign.rounding)
        for application, values in totals.items()
    }
    if campaign.balance_panels and len(set(panel_of.values())) > 1:
        scored = {application: score for application, score in scores.items() if score is not None}
        scores.update(
            scoring.balance(scores=scored, panel_of={a: panel_of[a] for a in scored}, rounding=campaign.rounding)
        )
    return {application: (scores[application], len(totals[application])) for application in scores}


def _vote_scores(round_: Round) -> dict[int, tuple[Decimal | None, int]]:
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for application_id, choice in round_.ballots.values_list("application_id", "choice"):
        counts[application_id][choice] += 1
    result = {}
    for application_id, tally in counts.items():
        rate = vote_of(round_, tally).approval_rate
        result[application_id] = (
            None if rate is None else round_to(rate * 100, 2, round_.campaign.rounding),
            sum(tally.values()),
        )
    return result


def vote_of(round_: Round, tally: dict[str, int]) -> scoring.VoteResult:
    eligible = round_.eligible_voters or sum(tally.values())
    return scoring.vote_result(
        count=scoring.VoteCount(
            for_=tally.get(Ballot.Choice.FOR, 0),
            against=tally.get(Ballot.Choice.AGAINST, 0),
            abstain=tally.get(Ballot.Choice.ABSTAIN, 0),
            spoilt=tally.get(Ballot.Choice.SPOILT, 0),
            eligible=eligible,
        ),
        pass_rate=round_.campaign.vote_pass_rate,
        turnout=round_.campaign.vote_turnout,
    )


# --- Results: the ranking per post and the outcome of two-way selection ---------------------------------


@dataclass(frozen=True)
class RankingRow:
    result: Result
    candidate: str
    scores: tuple[Decimal | None, ...]  # one per scored round of the campaign, in round order


@dataclass(frozen=True)
class PostRanking:
    offered: CampaignPost
    rows: tuple[RankingRow, ...]

    @property
    def selected(self) -> list[RankingRow]:
        return [row for row in self.rows if row.result.selected]


@dataclass(frozen=True)
class CampaignRanking:
    rounds: tuple[Round, ...]  # the scored rounds, in order
    posts: tuple[PostRanking, ...]

    @property
    def computed(self) -> bool:
        return any(post.rows for post in self.posts)


def campaign_ranking(*, campaign: Campaign) -> CampaignRanking:
    """Every post offered with its ranked candidates and their score in each scored round.

    Four queries, however many candidates and posts.
    """
    rounds = tuple(campaign.rounds.filter(kind__in=SCORED_KINDS).order_by("order"))
    scores = {
        (result.application_id, result.round_id): result.score
        for result in RoundResult.objects.filter(round__in=rounds).only("application_id", "round_id", "score")
    }
    rows: dict[int, list[RankingRow]] = defaultdict(list)
    results = (
        Result.objects.filter(campaign_post__campaign=campaign)
        .select_related("application__person")
        .order_by("campaign_post_id", "rank")
    )
    for result in results:
        rows[result.campaign_post_id].append(
            RankingRow(
                result=result,
                candidate=result.application.candidate_name,
                scores=tuple(scores.get((result.application_id, round_.pk)) for round_ in rounds),
            )
        )
    offered = campaign.posts.select_related("post__department")
    return CampaignRanking(
        rounds=rounds, posts=tuple(PostRanking(offered=post, rows=tuple(rows[post.pk])) for post in offered)
    )


@dataclass(frozen=True)
class RefusalLine:
    choice: int  # the candidate's preference number for the post
    post: str
    reason: str
    holders: tuple[str, ...]


@dataclass(frozen=True)
class UnplacedCandidate:
    candidate: str
    refusals: tuple[RefusalLine, ...]


@dataclass
class PostOutcome:
    offered: CampaignPost
    applicants: int = 0
    ranked: int = 0
    holders: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class TwoWayOutcome:
    posts: list[PostOutcome]
    unplaced: list[UnplacedCandidate]
    matched: bool  # the match has been run
    stale: bool  # rankings changed since it ran


def refusal_text(reason: RefusalReason, holders: tuple[str, ...]) -> str:
    if reason == RefusalReason.NOT_RANKED:
        return _("The department did not rank him.")
    if reason == RefusalReason.NO_PLACES:
        return _("The post has no places.")
    return _("Filled by candidates the department ranked higher: %(holders)s.") % {"holders": "、".join(holders)}


def two_way_outcome(*, campaign: Campaign) -> TwoWayOutcome:
    """Each post's applicants, rankings and holders, and for each candidate left without a post,
    why each post he wanted did not take him.

    The explanations come from the match recomputed from the stored preferences, which is the
    one services.two_way_match stored as long as nobody has ranked anew since (`stale`).
    """
    applications = {
        a.pk: a for a in campaign.applications.filter(status=Application.Status.QUALIFIED).select_related("person")
    }
    candidate_prefs: dict[int, list[int]] = {pk: [] for pk in applications}
    posts = {offered.pk: PostOutcome(offered=offered) for offered in campaign.posts.select_related("post__department")}
    choices = ApplicationChoice.objects.filter(application__in=list(applications)).order_by("preference")
    for choice in choices:
        candidate_prefs[choice.application_id].append(choice.campaign_post_id)
        posts[choice.campaign_post_id].applicants += 1
    post_prefs: dict[int, list[int]] = {pk: [] for pk in posts}
    for preference in DepartmentPreference.objects.filter(campaign_post__campaign=campaign).order_by("rank"):
        if preference.application_id in applications:
            post_prefs[preference.campaign_post_id].append(preference.application_id)
            posts[preference.campaign_post_id].ranked += 1
    stored: dict[int, list[int]] = defaultdict(list)
    for post_id, application_id in (
        Result.objects.filter(campaign_post__campaign=campaign)
        .order_by("rank")
        .values_list("campaign_post_id", "application_id")
    ):
        stored[post_id].append(application_id)
    names = {pk: application.candidate_name for pk, application in applications.items()}
    for post_id, holders in stored.items():
        posts[post_id].holders = [names.get(pk, "") for pk in holders]
    matched = bool(stored)
    if not matched:
        return TwoWayOutcome(posts=list(posts.values()), unplaced=[], matched=False, stale=False)
    match = stable_match(
        candidate_prefs=candidate_prefs,
        post_prefs=post_prefs,
        capacity={pk: outcome.offered.places for pk, outcome in posts.items()},
    )
    stale = any(sorted(match.holders[pk]) != sorted(stored.get(pk, [])) for pk in posts)
    unplaced = []
    for candidate in match.unmatched:
        lines = []
        for refusal in match.explanations[candidate]:
            holders = tuple(names[pk] for pk in refusal.holders)
            lines.append(
                RefusalLine(
                    choice=candidate_prefs[candidate].index(refusal.post) + 1,
                    post=str(posts[refusal.post].offered.post),
                    reason=refusal_text(refusal.reason, holders),
                    holders=holders,
                )
            )
        unplaced.append(UnplacedCandidate(candidate=names[candidate], refusals=tuple(lines)))
    return TwoWayOutcome(posts=list(posts.values()), unplaced=unplaced, matched=True, stale=stale)
