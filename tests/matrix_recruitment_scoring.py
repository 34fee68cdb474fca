"""Permission matrix rows for recruitment (scoring); see tests/matrix.py.

Also the builders the scoring tests share: an interview round open for scoring with the
`judge` persona chairing a panel on which department head A sits too, and an open vote.
"""

from decimal import Decimal

from recruitment import services
from recruitment.models import Application, Campaign, CampaignPost, Criterion, Panel, PanelCandidate, Round
from staffing.models import Appointment
from tests.factories import AppointmentFactory, PositionLevelFactory, PostFactory, UserFactory
from tests.matrix import only
from tests.recruitment_fixtures import Competition, marks, start_rounds
from zonehr.roles import Role

PANEL_JUDGES = {"judge": 200, "head_a": 200}
BOARD_VIEWERS = {"hr": 200, "leader": 200, "inspector": 200}
VOTERS = {"head_a": 200, "head_b": 200, "staff": 200}


def open_interview(competition: Competition) -> None:
    """Take a competition at the rounds stage through its written round and open the interview."""
    hr = competition.hr
    services.round_open(actor=hr, round_=competition.written)
    services.written_scores_enter(
        actor=hr,
        round_=competition.written,
        scores={application: Decimal(70) for application in competition.candidates},
    )
    services.round_close(actor=hr, round_=competition.written)
    services.round_open(actor=hr, round_=competition.interview)


def scoring_competition(*, chair=None, extra_judges=(), candidates: int = 3, judges: int = 5) -> Competition:
    """An interview round open for scoring (written 40 %, interview 60 %, one panel of `judges`).

    Built like tests.recruitment_fixtures.build_competition but callable several times in a
    test; `extra_judges` join the panel and `chair` chairs it.
    """
    hr = UserFactory(roles=[Role.HR_OFFICER])
    level = PositionLevelFactory()
    post = PostFactory(level=level, headcount=3, is_leadership=True, name="招商一部部长")
    campaign = Campaign.objects.create(
        name="2025年中层干部竞聘", method=Appointment.Method.COMPETITIVE, status=Campaign.Status.APPLICATIONS_OPEN
    )
    offered = CampaignPost.objects.create(campaign=campaign, post=post, places=1)
    written = Round.objects.create(campaign=campaign, order=1, kind=Round.Kind.WRITTEN, name="笔试", weight=40)
    interview = Round.objects.create(campaign=campaign, order=2, kind=Round.Kind.INTERVIEW, name="现场面试", weight=60)
    criteria = [
        Criterion.objects.create(round=interview, name="综合分析", maximum=Decimal(60), order=1),
        Criterion.objects.create(round=interview, name="岗位认知", maximum=Decimal(40), order=2),
    ]
    panel_judges = [UserFactory(roles=[Role.JUDGE]) for _ in range(judges)]
    panel_judges += [judge for judge in extra_judges if judge not in panel_judges]
    chair = chair or panel_judges[0]
    panel = Panel.objects.create(round=interview, name="第一考场", chair=chair)
    panel.judges.set(panel_judges)
    competition = Competition(
        campaign=campaign,
        offered=offered,
        written=written,
        interview=interview,
        panel=panel,
        judges=panel_judges,
        chair=chair,
        hr=hr,
        criteria=criteria,
    )
    for index in range(candidates):
        person = AppointmentFactory().person
        application = services.application_submit(
            actor=person.user, campaign=campaign, person=person, posts=[offered], declared_truthful=True
        )
        PanelCandidate.objects.create(panel=panel, application=application, running_order=index + 1)
        competition.candidates.append(application)
    start_rounds(competition)
    open_interview(competition)
    return competition


def persona_competition(p) -> Competition:
    return scoring_competition(chair=p.judge, extra_judges=(p.judge, p.head_a))


def submitted_sheet(p) -> int:
    competition = persona_competition(p)
    sheet = services.sheet_save(
        judge=competition.judges[1],
        panel=competition.panel,
        application=competition.candidates[0],
        marks=marks(competition, 50, 30),
        submit=True,
    )
    return sheet.pk


def open_vote(*, candidates: int = 3, eligible_voters: int | None = None) -> Round:
    """A campaign whose only round is a democratic vote, open."""
    hr = UserFactory(roles=[Role.HR_OFFICER])
    campaign = Campaign.objects.create(
        name="2025年科级干部民主测评",
        method=Appointment.Method.COMPETITIVE,
        status=Campaign.Status.APPLICATIONS_OPEN,
    )
    offered = CampaignPost.objects.create(campaign=campaign, post=PostFactory(name="综合办副主任"))
    vote = Round.objects.create(
        campaign=campaign,
        order=1,
        kind=Round.Kind.VOTE,
        name="民主测评",
        weight=100,
        eligible_voters=eligible_voters,
    )
    for _ in range(candidates):
        person = AppointmentFactory().person
        application = services.application_submit(
            actor=hr, campaign=campaign, person=person, posts=[offered], declared_truthful=True
        )
        services.application_review(actor=hr, application=application, qualified=True)
    services.campaign_advance(actor=hr, campaign=campaign)  # qualification review
    services.campaign_advance(actor=hr, campaign=campaign)  # rounds
    return services.round_open(actor=hr, round_=vote)


def vote_candidates(round_: Round) -> list[Application]:
    return list(Application.objects.filter(campaign=round_.campaign_id).order_by("id"))


ROWS: dict = {
    # Anyone signed in may open the judge home: it lists only the panels he sits on (none for most).
    "recruitment:scoring": (lambda p: {}, only({}, denied=200)),
    # Off the panel, the panel and its sheets do not exist for you: 404, so ids cannot be probed.
    "recruitment:scoring_panel": (
        lambda p: {"panel_id": persona_competition(p).panel.pk},
        only(PANEL_JUDGES, denied=404),
    ),
    "recruitment:scoring_sheet": (
        lambda p: (lambda c: {"panel_id": c.panel.pk, "application_id": c.candidates[0].pk})(persona_competition(p)),
        only(PANEL_JUDGES, denied=404),
    ),
    "recruitment:scoring_sheet_total": (
        lambda p: (lambda c: {"panel_id": c.panel.pk, "application_id": c.candidates[0].pk})(persona_competition(p)),
        only(PANEL_JUDGES, denied=404),
        "post",
    ),
    # Only the chair sees his panel's submitted sheets and amends them; head A judges but does not chair.
    "recruitment:scoring_submitted": (
        lambda p: {"panel_id": persona_competition(p).panel.pk},
        only({"judge": 200}, denied=404),
    ),
    "recruitment:scoring_amend": (lambda p: {"sheet_id": submitted_sheet(p)}, only({"judge": 200}, denied=404)),
    # The board adds up everyone's sheets: oversight roles only, and not the judges of the open round.
    "recruitment:boards": (lambda p: {}, only(BOARD_VIEWERS)),
    "recruitment:board": (lambda p: {"round_id": persona_competition(p).interview.pk}, only(BOARD_VIEWERS)),
    "recruitment:board_rows": (lambda p: {"round_id": persona_competition(p).interview.pk}, only(BOARD_VIEWERS)),
    "recruitment:votes": (lambda p: {}, only(VOTERS)),
    "recruitment:ballot": (lambda p: {"round_id": open_vote().pk}, only(VOTERS)),
}
