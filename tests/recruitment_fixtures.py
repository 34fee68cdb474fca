"""Builders for recruitment tests: a campaign with posts, candidates, rounds and a panel."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from recruitment import services
from recruitment.models import Application, Campaign, CampaignPost, Criterion, Panel, PanelCandidate, Round
from staffing.models import Appointment
from tests.factories import AppointmentFactory, PositionLevelFactory, PostFactory, SalaryGradeFactory, UserFactory
from zonehr.roles import Role


@dataclass
class Competition:
    campaign: Campaign
    offered: CampaignPost
    written: Round
    interview: Round
    panel: Panel
    judges: list
    chair: object
    hr: object
    candidates: list[Application] = field(default_factory=list)
    criteria: list[Criterion] = field(default_factory=list)


def build_competition(*, candidates: int = 4, judges: int = 7, places: int = 1) -> Competition:
    """A competitive campaign at the rounds stage: written 40 %, interview 60 %, one panel."""
    hr = UserFactory(roles=[Role.HR_OFFICER])
    level = PositionLevelFactory(rank=3, min_grade=1, max_grade=5)
    SalaryGradeFactory(series=level.series, number=1)
    post = PostFactory(level=level, headcount=places + 2, is_leadership=True, name="招商一部部长")
    campaign = Campaign.objects.create(
        name="2025年中层干部竞聘", method=Appointment.Method.COMPETITIVE, status=Campaign.Status.APPLICATIONS_OPEN,
        tie_break=["interview", "written"],
    )
    offered = CampaignPost.objects.create(campaign=campaign, post=post, places=places)
    written = Round.objects.create(campaign=campaign, order=1, kind=Round.Kind.WRITTEN, name="笔试", weight=40)
    interview = Round.objects.create(
        campaign=campaign, order=2, kind=Round.Kind.INTERVIEW, name="现场面试", weight=60
    )
    criteria = [
        Criterion.objects.create(round=interview, name="综合分析", maximum=Decimal(60), order=1),
        Criterion.objects.create(round=interview, name="岗位认知", maximum=Decimal(40), order=2),
    ]
    panel_judges = [UserFactory(roles=[Role.JUDGE]) for _ in range(judges)]
    panel = Panel.objects.create(round=interview, name="第一考场", chair=panel_judges[0])
    panel.judges.set(panel_judges)
    competition = Competition(
        campaign=campaign, offered=offered, written=written, interview=interview, panel=panel,
        judges=panel_judges, chair=panel_judges[0], hr=hr, criteria=criteria,
    )
    lower = PositionLevelFactory(rank=2, series=level.series)
    for index in range(candidates):
        person = AppointmentFactory(post=PostFactory(level=lower)).person
        application = services.application_submit(
            actor=person.user, campaign=campaign, person=person, posts=[offered], declared_truthful=True
        )
        PanelCandidate.objects.create(panel=panel, application=application, running_order=index + 1)
        competition.candidates.append(application)
    return competition


def start_rounds(competition: Competition) -> None:
    hr = competition.hr
    for application in competition.candidates:
        services.application_review(actor=hr, application=application, qualified=True)
    services.campaign_advance(actor=hr, campaign=competition.campaign)  # qualification review
    services.campaign_advance(actor=hr, campaign=competition.campaign)  # rounds


def marks(competition: Competition, first: int | str, second: int | str) -> dict[str, Decimal]:
    a, b = competition.criteria
    return {str(a.pk): Decimal(first), str(b.pk): Decimal(second)}


def score_everyone(competition: Competition, totals: dict[int, list[tuple[int, int]]]) -> None:
    """Each candidate index → the (criterion 1, criterion 2) marks of each judge in order."""
    for index, per_judge in totals.items():
        application = competition.candidates[index]
        for judge, (first, second) in zip(competition.judges, per_judge, strict=True):
            services.sheet_save(
                judge=judge, panel=competition.panel, application=application,
                marks=marks(competition, first, second), submit=True,
            )


TODAY = dt.date(2025, 10, 13)
