"""Demo campaigns for the demo zone (domain.md §6), run through the real recruitment services.

Two campaigns, built after the staffing zone (staffing.demo):

- a finished competition for middle-level leadership posts, like Baoding's three rounds "open,
  competition, competition" (seed 000): qualification review of the applications, a written exam
  (40 %), an on-site interview (60 %) scored by two 7-judge panels, and a democratic vote that a
  candidate must pass; then the results, a publicity in October 2026 and the appointments;
- a campaign whose interview round is open, with the demo users `judge` and `head_a` (chair) on
  its panel and no sheet yet, so a new user can score at once.

Unlike the staffing zone (written with bulk_create), every step here goes through the services:
the scores, the hash chains of the sheets, the results and the audit trail are those a real
competition leaves. Only the set-up rows (campaign, posts offered, rounds, criteria, panels) are
written directly, audited as the HR officer's. The services stamp the moment they run; the dates a
campaign keeps (applications close, publicity, appointment) are fixed before the demo's "today"
(staffing.demo.AS_OF), and the same seed gives the same candidates, marks, ballots and results.
"""

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management.color import no_style
from django.db import connection
from django.db.models import Count, Q

from recruitment import services
from recruitment.models import (
    Application,
    Campaign,
    CampaignPost,
    Criterion,
    Panel,
    PanelCandidate,
    Round,
)
from recruitment.publicity import is_working_day
from recruitment.selectors import candidates_in, eligibility_problems
from staffing import demo as zone
from staffing import services as staffing_services
from staffing.models import Appointment, Department, Person, PositionLevel, Post
from zonehr.audit import audit_context
from zonehr.models import User
from zonehr.roles import Role

# External committee members and experts who judge with `judge` (周启明); same demo password.
EXTRA_JUDGES = (
    ("judge2", "李文博"),
    ("judge3", "孙雅琴"),
    ("judge4", "郑国栋"),
    ("judge5", "何丽君"),
    ("judge6", "冯志远"),
    ("judge7", "蒋慧敏"),
)
FINISHED_NAME = "2026年中层干部竞争上岗"
OPEN_NAME = "2026年四季度岗位竞聘"
APPROVAL = "高新党工委〔2026〕21号"
# The finished campaign's calendar: everything over before the demo's today (2026-11-01).
FINISHED_APPLICATIONS_CLOSE = dt.date(2026, 9, 11)
PUBLICITY_START = dt.date(2026, 10, 12)  # the Monday after the National Day holiday
OPEN_APPLICATIONS_CLOSE = dt.date(2026, 10, 23)

CANDIDATES = 30  # for the finished campaign, at most; a small zone has fewer to draw from
OPEN_CANDIDATES = 8
PER_POST = 6
# (name, maximum): an on-site interview sheet out of 100.
CRITERIA = (
    ("岗位认知与工作思路", 30),
    ("综合分析能力", 25),
    ("组织协调能力", 20),
    ("语言表达", 15),
    ("仪表举止", 10),
)


@dataclass(frozen=True)
class _Offer:
    """A post the finished campaign offers and who may apply (never by identity)."""

    department: str  # department code in the first zone
    name: str
    series: str
    rank: int
    min_level_rank: int
    new: bool  # a new supervisor post, or one more place on an existing deputy post


# Two more deputy places and three new supervisor posts: every head post of the demo zone is held,
# and a place must be free for the winner (the losers keep their posts).
OFFERS = (
    _Offer("TZCJJ", "副局长", "clerical", 6, 4, new=False),
    _Offer("KJCXJ", "副局长", "clerical", 6, 4, new=False),
    _Offer("ZSEB", "招商主管", "clerical", 5, 3, new=True),
    _Offer("GHJSJ", "工程管理主管", "technical", 5, 3, new=True),
    _Offer("ZWFW", "窗口服务主管", "clerical", 5, 3, new=True),
)


@dataclass(frozen=True)
class DemoCampaigns:
    finished: Campaign
    open: Campaign
    open_panel: Panel
    candidates: int
    appointed: int
    sheets: int
    ballots: int


# --- Entry points ------------------------------------------------------------------------------


def demo_campaigns_flush() -> None:
    """Empty every recruitment table, as staffing.demo.demo_zone_flush does for the zone (no
    row-by-row deletes through the audit signals). Logins are kept."""
    models = apps.get_app_config("recruitment").get_models(include_auto_created=True)
    tables = [model._meta.db_table for model in models]
    if connection.vendor == "postgresql":
        connection.check_constraints()  # see demo_zone_flush: pending deferred checks block TRUNCATE
    connection.ops.execute_sql_flush(connection.ops.sql_flush(no_style(), tables, allow_cascade=True))


def demo_campaigns_build(*, seed: int = zone.DEFAULT_SEED) -> DemoCampaigns:
    """Build both campaigns into the demo zone just built; run it inside transaction.atomic."""
    rng = random.Random(seed)
    hr = User.objects.get(username="hr")
    judges = _judges_upsert()
    voters = _voters()
    departments = _departments_of_staff()
    pool = _candidate_pool(rng)
    # head_a chairs the open panel: its candidates come from other departments, so he scores them all.
    open_count = min(OPEN_CANDIDATES, max(2, len(pool) // 4))
    open_people = [person for person in pool if departments[person.pk].code != zone.HEAD_A_DEPARTMENT][:open_count]
    finished_pool = [person for person in pool if person not in open_people]
    finished, applied, appointed, sheets, ballots = _finished_campaign(
        rng, hr, judges, voters, departments, finished_pool
    )
    open_campaign, panel = _open_campaign(rng, hr, judges, open_people)
    return DemoCampaigns(
        finished=finished,
        open=open_campaign,
        open_panel=panel,
        candidates=applied,
        appointed=appointed,
        sheets=sheets,
        ballots=ballots,
    )


def open_panel_note() -> str:
    """One line saying where `judge` and `head_a` can score now; empty when nowhere."""
    panel = (
        Panel.objects.filter(round__status=Round.Status.OPEN, judges__username="judge", chair__username="head_a")
        .select_related("round__campaign")
        .annotate(candidates_count=Count("candidates", distinct=True))
        .order_by("-id")
        .first()
    )
    if panel is None:
        return ""
    return (
        f"Scoring now: judge and head_a (chair) sit on {panel.name} of “{panel.round.campaign}” "
        f"({panel.round.name}, {panel.candidates_count} candidates); judge2–judge7 share the password."
    )


# --- People ------------------------------------------------------------------------------------


def _judges_upsert() -> dict[str, User]:
    """The panel pool: the demo judge, the two heads, and the extra judges (same password)."""
    known = User.objects.get(username="judge")
    group = Group.objects.get(name=Role.JUDGE.value)
    users = {username: User.objects.get(username=username) for username in ("judge", "head_a", "head_b")}
    for username, name in EXTRA_JUDGES:
        # The password hash of the demo logins is reused: hashing is slow by design.
        user, _created = User.objects.update_or_create(
            username=username, defaults={"first_name": name, "last_name": "", "password": known.password}
        )
        user.groups.set([group])
        users[username] = user
    return users


def _departments_of_staff() -> dict[int, Department]:
    """Person id → the department of his active appointment, as the campaigns find them."""
    return {
        appointment.person_id: appointment.post.department
        for appointment in Appointment.objects.filter(status=Appointment.Status.ACTIVE).select_related(
            "post__department"
        )
    }


def _candidate_pool(rng: random.Random) -> list[Person]:
    """Staff on ordinary posts, in an order drawn from the seed. The demo logins are left out so
    that their story (staff on an ordinary post of head_a's department) stays as the zone built it."""
    people = list(
        Person.objects.filter(
            status=Person.Status.ON_POST,
            user__isnull=True,
            appointments__status=Appointment.Status.ACTIVE,
            appointments__post__is_leadership=False,
            appointments__post__level__is_negotiated=False,
        ).order_by("national_id")
    )
    rng.shuffle(people)
    return people


def _voters() -> list[User]:
    """The democratic evaluation is by the heads of the first zone's departments: head_a, head_b
    and a voting account for every other head (no password: they exist to cast the ballots)."""
    groups = list(Group.objects.filter(name__in=[Role.DEPARTMENT_HEAD.value, Role.STAFF_MEMBER.value]))
    codes = [spec.code for spec in zone.DEPARTMENTS]
    heads: dict[str, Appointment] = {}
    appointments = (
        Appointment.objects.filter(
            status=Appointment.Status.ACTIVE, post__is_leadership=True, post__department__code__in=codes
        )
        .select_related("person__user", "post__department", "post__level")
        .order_by("post__department__sort_order", "-post__level__rank", "post__code")
    )
    for appointment in appointments:
        heads.setdefault(appointment.post.department.code, appointment)
    voters = []
    for code, appointment in heads.items():
        person = appointment.person
        if person.user_id is None:
            user, _created = User.objects.update_or_create(
                username=f"head_{code.lower()}", defaults={"first_name": person.name, "last_name": ""}
            )
            user.set_unusable_password()
            user.save(update_fields=["password"])
            user.groups.set(groups)
            # Written like the zone itself: generated data is nobody's act (see staffing.demo).
            Person.objects.filter(pk=person.pk).update(user=user)
            voters.append(user)
        else:
            voters.append(person.user)
    return voters


# --- Marks -------------------------------------------------------------------------------------


def _halves(maximum: int, percent: int) -> Decimal:
    """`percent` of `maximum` to the nearest half point, within 0 and the maximum."""
    halves = (maximum * 2 * percent + 50) // 100
    return Decimal(min(max(halves, 0), maximum * 2)) / 2


def _sheet_marks(rng: random.Random, criteria: list[Criterion], ability: int, severity: int) -> dict[str, Decimal]:
    return {str(c.pk): _halves(int(c.maximum), min(98, ability + severity + rng.randint(-5, 5))) for c in criteria}


def _written(rng: random.Random, ability: int) -> Decimal:
    return Decimal(min(99, ability + rng.randint(-7, 5))) + (Decimal("0.5") if rng.random() < 0.5 else 0)


# --- The finished leadership competition -------------------------------------------------------------


def _offered_posts(hr: User) -> list[Post]:
    """The posts the campaign offers: one more place on two deputy posts, and three new supervisor
    posts, as the zone's party working committee decided (audited, citing the decision)."""
    departments = {d.code: d for d in Department.objects.filter(code__in=[offer.department for offer in OFFERS])}
    posts = []
    for offer in OFFERS:
        department = departments[offer.department]
        if offer.new:
            level = PositionLevel.objects.get(series__code=offer.series, rank=offer.rank)
            number = department.posts.count() + 1
            while Post.objects.filter(code=f"{department.code}-{number:03d}").exists():
                number += 1
            post = Post(
                department=department,
                name=offer.name,
                code=f"{department.code}-{number:03d}",
                level=level,
                headcount=1,
                coefficient=Decimal("1.20"),
                is_leadership=True,
            )
            reason = f"{APPROVAL}：{department.name}增设{offer.name}岗位"
        else:
            post = department.posts.get(name=offer.name, is_leadership=True)
            post.headcount += 1
            reason = f"{APPROVAL}：{department.name}增加{offer.name}职数1名"
        posts.append(staffing_services.post_save(actor=hr, post=post, reason=reason))
    return posts


def _finished_campaign(
    rng: random.Random,
    hr: User,
    judges: dict[str, User],
    voters: list[User],
    departments: dict[int, Department],
    pool: list[Person],
) -> tuple[Campaign, int, int, int, int]:
    """Returns the campaign and the numbers of applications, appointments, sheets and ballots."""
    posts = _offered_posts(hr)
    with audit_context(actor=hr, reason=APPROVAL):
        campaign = Campaign.objects.create(
            name=FINISHED_NAME,
            method=Appointment.Method.COMPETITIVE,
            description=(
                "按照“公开、竞争、择优”原则，面向全区在岗人员竞聘副局长和主管岗位：资格审查后，"
                "笔试（40%）于9月19日、现场面试（60%）于9月26日进行，9月29日中层干部民主测评，"
                "赞成率须过半；综合成绩按岗位排名，拟任人选公示5个工作日。"
            ),
            tie_break=[Round.Kind.INTERVIEW, Round.Kind.WRITTEN],
            # Leadership posts: those not chosen keep the posts they hold.
            unplaced_to_waiting=False,
            created_by=hr,
        )
        offered = []
        for offer, post in zip(OFFERS, posts, strict=True):
            offered.append(
                CampaignPost.objects.create(
                    campaign=campaign,
                    post=post,
                    places=1,
                    min_level_rank=offer.min_level_rank,
                    min_education=Person.Education.BACHELOR,
                )
            )
        written = Round.objects.create(
            campaign=campaign,
            order=1,
            kind=Round.Kind.WRITTEN,
            name="笔试",
            weight=Decimal(40),
            pass_line=Decimal(60),
            advance_per_place=3,
        )
        interview = Round.objects.create(
            campaign=campaign,
            order=2,
            kind=Round.Kind.INTERVIEW,
            name="现场面试",
            weight=Decimal(60),
            pass_line=Decimal(60),
            advance_per_place=2,
        )
        criteria = _criteria_create(interview)
        vote = Round.objects.create(
            campaign=campaign, order=3, kind=Round.Kind.VOTE, name="民主测评", eligible_voters=len(voters)
        )

    services.campaign_advance(actor=hr, campaign=campaign)  # applications open
    applications, ability = _apply(rng, campaign, offered, pool)
    _close_applications(campaign, FINISHED_APPLICATIONS_CLOSE)
    services.campaign_advance(actor=hr, campaign=campaign)  # qualification review
    _review(rng, hr, offered, applications)
    services.campaign_advance(actor=hr, campaign=campaign)  # rounds

    services.round_open(actor=hr, round_=written)
    services.written_scores_enter(
        actor=hr, round_=written, scores={a: _written(rng, ability[a.pk]) for a in candidates_in(written)}
    )
    services.round_close(actor=hr, round_=written)

    panels = _interview_panels(rng, hr, judges, interview, deputies=set(offered[:2]))
    services.round_open(actor=hr, round_=interview)
    sheets = _score(rng, panels, criteria, ability, departments)
    services.round_close(actor=hr, round_=interview)

    vote = services.round_open(actor=hr, round_=vote)
    ballots = _vote(rng, vote, voters)
    services.round_close(actor=hr, round_=vote)

    services.campaign_advance(actor=hr, campaign=campaign)  # results
    services.results_compute(actor=hr, campaign=campaign, lot=lambda group: rng.sample(group, len(group)))
    campaign = services.publicity_begin(actor=hr, campaign=campaign, start=PUBLICITY_START)
    _objection(rng, hr, campaign)
    on = campaign.publicity_end + dt.timedelta(days=1)
    while not is_working_day(on):
        on += dt.timedelta(days=1)
    outcome = services.appointments_create(actor=hr, campaign=campaign, on=on)
    campaign.refresh_from_db()
    return campaign, len(applications), outcome["appointed"], sheets, ballots


def _criteria_create(round_: Round) -> list[Criterion]:
    return [
        Criterion.objects.create(round=round_, name=name, maximum=Decimal(maximum), order=order)
        for order, (name, maximum) in enumerate(CRITERIA, start=1)
    ]


def _apply(
    rng: random.Random, campaign: Campaign, offered: list[CampaignPost], pool: list[Person]
) -> tuple[list[Application], dict[int, int]]:
    """Up to PER_POST eligible candidates per post, taken in turn, each applying for himself."""
    by_post: dict[CampaignPost, list[Person]] = defaultdict(list)
    taken: set[int] = set()
    limit = min(CANDIDATES, len(pool))
    for person in pool:
        if len(taken) >= limit:
            break
        # The post with the fewest candidates so far that he may apply for.
        for post in sorted(offered, key=lambda p: len(by_post[p])):
            if len(by_post[post]) < PER_POST and not eligibility_problems(person=person, campaign_post=post):
                by_post[post].append(person)
                taken.add(person.pk)
                break
    applications, ability = [], {}
    for post in offered:
        for person in by_post[post]:
            application = services.application_submit(
                actor=None,
                campaign=campaign,
                person=person,
                posts=[post],
                statement=_statement(rng, post),
                declared_truthful=True,
            )
            applications.append(application)
            ability[application.pk] = rng.randint(65, 94)
    return applications, ability


def _statement(rng: random.Random, post: CampaignPost) -> str:
    years = rng.choice(("三", "四", "五", "六"))
    return f"本人在现岗位工作{years}年，熟悉{post.post.department.name}业务，申请竞聘{post.post.name}。"


def _review(rng: random.Random, hr: User, offered: list[CampaignPost], applications: list[Application]) -> None:
    """Qualify all but two: one rejected for his assessment record, one disqualified for falsified
    material, each from a post with enough other candidates."""
    by_post: dict[int, list[Application]] = defaultdict(list)
    for application in applications:
        by_post[application.choices.get().campaign_post_id].append(application)
    crowded = [post for post in offered if len(by_post[post.pk]) >= 4]
    rejected = flagged = None
    if crowded:
        rejected = rng.choice(by_post[crowded[0].pk])
        flagged = rng.choice([a for a in by_post[crowded[-1].pk] if a != rejected])
    for application in applications:
        if application == flagged:
            note = "报名表所填学历学位与人事档案记载不符，经核实系虚报"
            services.integrity_flag_record(actor=hr, application=application, kind="falsified", note=note)
        elif application == rejected:
            reason = "近三年年度考核中有“基本称职”等次，不符合报名条件"
            services.application_review(actor=hr, application=application, qualified=False, reason=reason)
        else:
            services.application_review(actor=hr, application=application, qualified=True)


def _interview_panels(
    rng: random.Random, hr: User, judges: dict[str, User], interview: Round, deputies: set[CampaignPost]
) -> list[tuple[Panel, list[Application]]]:
    """Two rooms one after the other: the deputy posts in the morning, chaired by head_b, and the
    supervisor posts in the afternoon, chaired by head_a; running orders drawn by lot."""
    deputy_ids = {post.pk for post in deputies}
    morning, afternoon = [], []
    for application in candidates_in(interview):
        post_id = application.choices.get(preference=1).campaign_post_id
        (morning if post_id in deputy_ids else afternoon).append(application)
    rooms = (
        ("第一考场（上午）", "head_b", ("judge", "judge2", "judge3", "judge4", "judge5", "judge6"), morning),
        ("第二考场（下午）", "head_a", ("judge", "judge2", "judge3", "judge5", "judge6", "judge7"), afternoon),
    )
    panels = []
    with audit_context(actor=hr):
        for name, chair, members, candidates in rooms:
            if not candidates:
                continue
            panel = Panel.objects.create(round=interview, name=name, chair=judges[chair])
            panel.judges.set([judges[chair], *(judges[member] for member in members)])
            order = rng.sample(candidates, len(candidates))
            PanelCandidate.objects.bulk_create(
                PanelCandidate(panel=panel, application=application, running_order=number)
                for number, application in enumerate(order, start=1)
            )
            panels.append((panel, order))
    return panels


def _score(
    rng: random.Random,
    panels: list[tuple[Panel, list[Application]]],
    criteria: list[Criterion],
    ability: dict[int, int],
    departments: dict[int, Department],
) -> int:
    """Every judge submits a sheet for every candidate in running order; a head judging a candidate
    from his own department declares the conflict instead, and that sheet does not count."""
    sheets = 0
    for panel, order in panels:
        judges = list(panel.judges.order_by("username"))
        severity = {judge.pk: rng.randint(-4, 3) for judge in judges}
        own = dict(Person.objects.filter(user__in=judges).values_list("user_id", "pk"))
        for application in order:
            department = departments[application.person_id]
            for judge in judges:
                if judge.pk in own and departments.get(own[judge.pk]) == department:
                    note = f"与考生同在{department.name}工作，申请回避"
                    services.sheet_save(judge=judge, panel=panel, application=application, marks={}, conflict_note=note)
                else:
                    marks = _sheet_marks(rng, criteria, ability[application.pk], severity[judge.pk])
                    services.sheet_save(judge=judge, panel=panel, application=application, marks=marks, submit=True)
                sheets += 1
    return sheets


def _vote(rng: random.Random, vote: Round, voters: list[User]) -> int:
    """Most voters turn out; most finalists are approved, but one falls short of a majority, so
    the next candidate of his post takes the place if he had it."""
    finalists = candidates_in(vote)
    by_post: dict[int, list[Application]] = defaultdict(list)
    for application in finalists:
        by_post[application.choices.get(preference=1).campaign_post_id].append(application)
    contested = [group for _post, group in sorted(by_post.items()) if len(group) > 1]
    rejected = rng.choice(rng.choice(contested)) if contested else None
    turnout = rng.sample(voters, max(len(voters) - 2, (len(voters) * 2 + 2) // 3))
    ballots = 0
    for application in finalists:
        approval = 38 if application == rejected else rng.randint(72, 95)
        for voter in turnout:
            draw = rng.randrange(100)
            choice = "for" if draw < approval else "against" if draw < 97 else "abstain"
            services.ballot_cast(voter=voter, round_=vote, application=application, choice=choice)
            ballots += 1
    return ballots


def _objection(rng: random.Random, hr: User, campaign: Campaign) -> None:
    """An anonymous objection against one of those selected, checked and dismissed."""
    selected = list(
        Application.objects.filter(results__campaign_post__campaign=campaign, results__selected=True).order_by("pk")
    )
    if not selected:
        return
    concerning = rng.choice(selected)
    objection = services.objection_lodge(
        actor=None, campaign=campaign, application=concerning, text="反映该同志在单位推荐阶段有拉票行为。"
    )
    services.objection_resolve(
        actor=hr,
        objection=objection,
        upheld=False,
        resolution="经纪工委调查核实，所反映拉票问题无事实依据，不影响拟任。",
    )


# --- The open campaign: an interview to score now ---------------------------------------------------


def _open_posts() -> list[Post]:
    """Two ordinary posts of the first zone with a place free (any two when none is free)."""
    codes = [spec.code for spec in zone.DEPARTMENTS]
    ordinary = (
        Post.objects.filter(is_leadership=False, level__is_negotiated=False, department__code__in=codes)
        .annotate(held=Count("appointments", filter=Q(appointments__status=Appointment.Status.ACTIVE)))
        .exclude(department__code=zone.HEAD_A_DEPARTMENT)
        .order_by("code")
    )
    vacant = [post for post in ordinary if post.held < post.headcount]
    return (vacant or list(ordinary))[:2]


def _close_applications(campaign: Campaign, on: dt.date) -> None:
    """The demo replays applications made before their closing date, which lies in the past
    by the time the demo is built: the date is written once they are in."""
    Campaign.objects.filter(pk=campaign.pk).update(applications_close_on=on)


def _open_campaign(
    rng: random.Random, hr: User, judges: dict[str, User], people: list[Person]
) -> tuple[Campaign, Panel]:
    with audit_context(actor=hr):
        campaign = Campaign.objects.create(
            name=OPEN_NAME,
            method=Appointment.Method.COMPETITIVE,
            description="面向全区在岗人员竞聘空缺岗位：笔试（40%）已结束，现场面试（60%）进行中。",
            tie_break=[Round.Kind.INTERVIEW, Round.Kind.WRITTEN],
            unplaced_to_waiting=False,
            created_by=hr,
        )
        offered = [CampaignPost.objects.create(campaign=campaign, post=post, places=1) for post in _open_posts()]
        written = Round.objects.create(
            campaign=campaign, order=1, kind=Round.Kind.WRITTEN, name="笔试", weight=Decimal(40)
        )
        interview = Round.objects.create(
            campaign=campaign, order=2, kind=Round.Kind.INTERVIEW, name="现场面试", weight=Decimal(60)
        )
        _criteria_create(interview)

    services.campaign_advance(actor=hr, campaign=campaign)  # applications open
    applications = [
        services.application_submit(
            actor=None,
            campaign=campaign,
            person=person,
            posts=[offered[index % len(offered)]],
            statement="服从组织安排，申请竞聘该岗位。",
            declared_truthful=True,
        )
        for index, person in enumerate(people)
    ]
    _close_applications(campaign, OPEN_APPLICATIONS_CLOSE)
    services.campaign_advance(actor=hr, campaign=campaign)  # qualification review
    for application in applications:
        services.application_review(actor=hr, application=application, qualified=True)
    services.campaign_advance(actor=hr, campaign=campaign)  # rounds

    services.round_open(actor=hr, round_=written)
    services.written_scores_enter(
        actor=hr, round_=written, scores={a: _written(rng, rng.randint(66, 92)) for a in applications}
    )
    services.round_close(actor=hr, round_=written)
    with audit_context(actor=hr):
        panel = Panel.objects.create(round=interview, name="第一考场", chair=judges["head_a"])
        members = ("head_a", "judge", "judge2", "judge3", "judge4", "judge5", "judge6")
        panel.judges.set([judges[member] for member in members])
        order = rng.sample(candidates_in(interview), len(applications))
        PanelCandidate.objects.bulk_create(
            PanelCandidate(panel=panel, application=application, running_order=number)
            for number, application in enumerate(order, start=1)
        )
    services.round_open(actor=hr, round_=interview)
    campaign.refresh_from_db()
    return campaign, panel
