"""Demo assessment for the demo zone (domain.md §7), run through the real assessment services.

Built after the staffing zone (staffing.demo) and its campaigns (recruitment.demo):

- the 2025 annual assessment, confirmed: a KPI cascade from the zone's targets (招商引资到位资金,
  固定资产投资, 新开工项目 ...) to an indicator set for every department with staff and a few
  individual scorecards, all values entered; enterprises' evaluation of every department and the
  comprehensive evaluation (民主测评) of every person, imported from the evaluations workbook;
  supervised tasks, some late and one failed; a value coefficient from 0.8 to 1.3 proposed for every
  department and approved by the leadership; the ratings run and confirmed, and some of the
  proposed consequences decided by HR;
- the 2026 annual assessment being planned, and its fourth quarter (2026 Q4) at the scoring stage:
  some values entered, and supervised tasks of which some are overdue at the demo's "today"
  (staffing.demo.AS_OF, 2026-11-01).

The same seed gives the same values, scores and grades. In a zone of more than LARGE_ZONE people
on post the person evaluations are written in one bulk insert (audited as one import) rather
than through the workbook, which writes row by row.
"""

import datetime as dt
import io
import random
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Count, Q

from assessment import rules, services, setup
from assessment.models import ConsequenceProposal, Cycle, Evaluation, Indicator, SupervisedTask
from staffing import demo as zone
from staffing.models import Appointment, Department, Person
from zonehr.audit import audit_bulk_created, audit_context
from zonehr.models import User

LARGE_ZONE = 1500
ANNUAL_NAME = "2025年度考核"
PLANNED_NAME = "2026年度考核"
QUARTER_NAME = "2026年第四季度平时考核"
TODAY = zone.AS_OF
_K = Department.Kind
_R = Indicator.Rule
_E = Evaluation.Source


@dataclass(frozen=True)
class _Goal:
    key: str
    name: str
    unit: str
    rule: str
    target: Decimal | None
    weight: int


# The zone's targets for the year; weights sum to 100.
ZONE_GOALS = (
    _Goal("investment", "招商引资到位资金", "亿元", _R.RATIO, Decimal(50), 30),
    _Goal("fixed_assets", "固定资产投资", "亿元", _R.RATIO, Decimal(120), 25),
    _Goal("projects", "新开工项目", "个", _R.RATIO, Decimal(40), 20),
    _Goal("service", "营商环境满意度", "分", _R.JUDGED, None, 15),
    _Goal("safety", "安全生产与廉政建设", "次", _R.DEDUCTION, None, 10),
)
_FRONTLINE = (
    _Goal("investment", "招商引资到位资金", "亿元", _R.RATIO, Decimal(8), 50),
    _Goal("projects", "新签约落地项目", "个", _R.RATIO, Decimal(12), 30),
    _Goal("service", "企业服务满意度", "分", _R.JUDGED, None, 20),
)
_PARK = (
    _Goal("service", "入园企业服务", "分", _R.JUDGED, None, 40),
    _Goal("projects", "新开工项目", "个", _R.RATIO, Decimal(6), 40),
    _Goal("safety", "安全生产事故", "次", _R.DEDUCTION, None, 20),
)
_BUREAU = (
    _Goal("fixed_assets", "重点项目投资协调推进", "亿元", _R.RATIO, Decimal(20), 40),
    _Goal("service", "审批服务时效与质量", "分", _R.JUDGED, None, 40),
    _Goal("safety", "安全生产与行业监管", "次", _R.DEDUCTION, None, 20),
)
_STATUTORY = (
    _Goal("fixed_assets", "固定资产投资完成额", "亿元", _R.RATIO, Decimal(30), 50),
    _Goal("projects", "新开工项目", "个", _R.RATIO, Decimal(5), 30),
    _Goal("safety", "廉政风险与安全生产", "次", _R.DEDUCTION, None, 20),
)
_OFFICE = (
    _Goal("service", "督查督办任务完成", "分", _R.JUDGED, None, 50),
    _Goal("service", "服务对象满意度", "分", _R.JUDGED, None, 30),
    _Goal("safety", "廉政风险防控", "次", _R.DEDUCTION, None, 20),
)
DEPARTMENT_GOALS = {
    _K.FRONTLINE: _FRONTLINE,
    _K.PARK_CENTRE: _PARK,
    _K.FUNCTIONAL_BUREAU: _BUREAU,
    _K.STATUTORY_BODY: _STATUTORY,
    _K.PARTY_OFFICE: _OFFICE,
    _K.INSTITUTION: _OFFICE,
}
# (lowest, highest, reason): what HR weighs for each kind of department.
COEFFICIENTS = {
    _K.FRONTLINE: (Decimal("1.15"), Decimal("1.30"), "招商引资任务重、考核压力大，一线攻坚"),
    _K.PARK_CENTRE: (Decimal("1.05"), Decimal("1.20"), "园区企业服务与安全生产任务重"),
    _K.STATUTORY_BODY: (Decimal("1.05"), Decimal("1.20"), "承担重大项目投资建设，经营压力大"),
    _K.FUNCTIONAL_BUREAU: (Decimal("0.95"), Decimal("1.10"), "职能管理任务常规，部分专项工作量较大"),
    _K.PARTY_OFFICE: (Decimal("0.85"), Decimal("1.00"), "综合保障为主，工作量适中"),
    _K.INSTITUTION: (Decimal("0.80"), Decimal("0.95"), "窗口服务为主，任务相对稳定"),
}
# Individual scorecards for a few people of head_a's department: (name, weight, served goal).
INDIVIDUAL_GOALS = (("个人招商引资到位资金", 60, 0), ("个人服务企业满意度", 40, 2))
INDIVIDUAL_PEOPLE = 5
TASKS = (
    "重点项目签约落地跟踪",
    "营商环境问题整改",
    "安全生产隐患排查",
    "人大建议政协提案办理",
    "企业诉求限时办结",
    "信访事项化解",
)


@dataclass(frozen=True)
class DemoAssessment:
    annual: Cycle
    planned: Cycle
    quarter: Cycle
    ratings: int
    proposals_decided: int
    overdue_tasks: int


# --- Entry points ------------------------------------------------------------------------------


def demo_assessment_flush() -> None:
    """Empty every assessment table, as the zone and campaign flushes do (no row-by-row deletes
    through the audit signals)."""
    models = apps.get_app_config("assessment").get_models(include_auto_created=True)
    tables = [model._meta.db_table for model in models]
    if connection.vendor == "postgresql":
        connection.check_constraints()  # see staffing.demo.demo_zone_flush
    connection.ops.execute_sql_flush(connection.ops.sql_flush(no_style(), tables, allow_cascade=True))


def demo_assessment_build(*, seed: int = zone.DEFAULT_SEED) -> DemoAssessment:
    """Build the assessment cycles into the demo zone just built; run it inside transaction.atomic."""
    rng = random.Random(seed)
    hr = User.objects.get(username="hr")
    leader = User.objects.get(username="leader")
    departments = _staffed_departments()
    annual = _annual_2025(rng, hr, leader, departments)
    ratings = annual.ratings.count()
    decided = _decide_proposals(rng, hr, annual)
    planned, quarter, overdue = _current_quarter(rng, hr, departments)
    return DemoAssessment(
        annual=annual,
        planned=planned,
        quarter=quarter,
        ratings=ratings,
        proposals_decided=decided,
        overdue_tasks=overdue,
    )


# --- The KPI cascade -----------------------------------------------------------------------------


def _staffed_departments() -> list[Department]:
    return list(
        Department.objects.annotate(
            staffed=Count("posts__appointments", filter=Q(posts__appointments__status=Appointment.Status.ACTIVE))
        )
        .filter(staffed__gt=0)
        .order_by("sort_order", "code")
    )


def _individual_people() -> list[Person]:
    """head_a, the demo staff member and a few colleagues of head_a's department."""
    people = list(
        Person.objects.filter(
            appointments__status=Appointment.Status.ACTIVE,
            appointments__post__department__code=zone.HEAD_A_DEPARTMENT,
        ).order_by("national_id")
    )
    logins = [person for person in people if person.user_id]
    others = [person for person in people if not person.user_id]
    return (logins + others)[:INDIVIDUAL_PEOPLE]


def _cascade(hr: User, cycle: Cycle, departments: list[Department], people: list[Person]) -> list[Indicator]:
    """The zone's goals, each department's indicators serving them, and the individual
    scorecards serving their department's; returns every indicator, zone first."""

    def save(**fields) -> Indicator:
        return setup.indicator_save(actor=hr, indicator=Indicator(cycle=cycle, **fields))

    def fields(goal: _Goal) -> dict:
        return {"name": goal.name, "unit": goal.unit, "rule": goal.rule, "target": goal.target, "weight": goal.weight}

    tops = {goal.key: save(level=Indicator.Level.ZONE, **fields(goal)) for goal in ZONE_GOALS}
    indicators = list(tops.values())
    own: dict[int, list[Indicator]] = {}
    for department in departments:
        own[department.pk] = [
            save(level=Indicator.Level.DEPARTMENT, parent=tops[goal.key], department=department, **fields(goal))
            for goal in DEPARTMENT_GOALS[department.kind]
        ]
        indicators += own[department.pk]
    head_a_department = next((d for d in departments if d.code == zone.HEAD_A_DEPARTMENT), None)
    for person in people if head_a_department else []:
        served = own[head_a_department.pk]
        for name, weight, index in INDIVIDUAL_GOALS:
            parent = served[index]
            target = None if parent.target is None else (parent.target / 4).quantize(Decimal("0.01"))
            indicators.append(
                save(
                    level=Indicator.Level.INDIVIDUAL,
                    parent=parent,
                    person=person,
                    name=name,
                    unit=parent.unit,
                    rule=parent.rule,
                    target=target,
                    weight=weight,
                )
            )
    return indicators


def _enter(rng: random.Random, hr: User, indicator: Indicator) -> None:
    if indicator.rule == _R.RATIO:
        actual = (indicator.target * Decimal(rng.randint(78, 126)) / 100).quantize(Decimal("0.01"))
        services.indicator_value_enter(actor=hr, indicator=indicator, actual=actual)
    elif indicator.rule == _R.JUDGED:
        services.indicator_value_enter(actor=hr, indicator=indicator, judged=Decimal(rng.randint(72, 98)))
    else:
        services.indicator_value_enter(actor=hr, indicator=indicator, misses=rng.choice((0, 0, 0, 1, 1, 2)))


# --- 2025: confirmed -------------------------------------------------------------------------------


def _annual_2025(rng: random.Random, hr: User, leader: User, departments: list[Department]) -> Cycle:
    cycle = setup.cycle_save(actor=hr, cycle=Cycle(name=ANNUAL_NAME, kind=Cycle.Kind.ANNUAL, year=2025))
    indicators = _cascade(hr, cycle, departments, _individual_people())
    setup.composition_save(
        actor=hr, cycle=cycle, unit_type="leader", weights={k.value: v for k, v in rules.LEADER_COMPOSITION.items()}
    )
    setup.composition_save(
        actor=hr,
        cycle=cycle,
        unit_type="staff",
        weights={rules.Source.PERFORMANCE.value: Decimal(80), rules.Source.COMPREHENSIVE_EVALUATION.value: Decimal(20)},
    )
    setup.composition_save(
        actor=hr,
        cycle=cycle,
        unit_type="department",
        weights={rules.Source.PERFORMANCE.value: Decimal(85), rules.Source.ENTERPRISE_EVALUATION.value: Decimal(15)},
    )
    cycle = services.cycle_advance(actor=hr, cycle=cycle)  # scoring
    for indicator in indicators:
        _enter(rng, hr, indicator)
    _evaluations(rng, hr, cycle, departments)
    _tasks_2025(rng, hr, cycle, departments)
    for department in departments:
        low, high, reason = COEFFICIENTS[department.kind]
        steps = int((high - low) / Decimal("0.05"))
        value = low + Decimal("0.05") * rng.randint(0, steps)
        proposal = services.coefficient_propose(
            actor=hr, cycle=cycle, department=department, value=value, reason=reason
        )
        services.coefficient_decide(actor=leader, coefficient=proposal, approve=True, note="党工委会议研究同意")
    cycle = services.cycle_advance(actor=hr, cycle=cycle)  # rating
    services.ratings_run(actor=hr, cycle=cycle, as_of=dt.date(2025, 12, 31))
    return services.cycle_advance(actor=hr, cycle=cycle)  # confirmed


def _evaluations(rng: random.Random, hr: User, cycle: Cycle, departments: list[Department]) -> None:
    """Enterprises' evaluation of every department and the comprehensive evaluation of every
    person on post, imported from the office's own evaluations workbook."""
    people = list(
        Person.objects.filter(appointments__status=Appointment.Status.ACTIVE)
        .order_by("national_id")
        .values_list("pk", "national_id")
    )
    department_scores = [(department, _score(rng, 78, 97)) for department in departments]
    person_scores = [(pk, national_id, _score(rng, 62, 98)) for pk, national_id in people]
    if len(people) > LARGE_ZONE:
        rows = [
            Evaluation(cycle=cycle, source=_E.ENTERPRISE_EVALUATION, department=d, score=s, entered_by=hr)
            for d, s in department_scores
        ]
        rows += [
            Evaluation(cycle=cycle, source=_E.COMPREHENSIVE_EVALUATION, person_id=pk, score=s, entered_by=hr)
            for pk, _national_id, s in person_scores
        ]
        with transaction.atomic(), audit_context(actor=hr):
            Evaluation.objects.bulk_create(rows, batch_size=2000)
            audit_bulk_created(actor=hr, instances=rows, reason="2025年度民主测评及企业评议结果")
        return
    workbook = setup.evaluations_workbook(cycle=cycle)
    sheet = workbook.worksheets[0]
    for department, score in department_scores:
        sheet.append([_E.ENTERPRISE_EVALUATION.value, department.code, None, str(score)])
    for _pk, national_id, score in person_scores:
        sheet.append([_E.COMPREHENSIVE_EVALUATION.value, None, national_id, str(score)])
    content = io.BytesIO()
    workbook.save(content)
    setup.evaluations_import(
        actor=hr, cycle=cycle, content=content.getvalue(), filename="2025年度民主测评及企业评议.xlsx"
    )


def _score(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 2, high * 2)) / 2


def _task(hr: User, cycle: Cycle, title: str, deadline: dt.date, department=None, person=None) -> SupervisedTask:
    task = SupervisedTask(cycle=cycle, title=title, deadline=deadline, department=department, person=person)
    return setup.task_save(actor=hr, task=task)


def _people_of(departments: list[Department]) -> list[Person]:
    """One ordinary person on post in each of `departments`, none with a demo login."""
    people: dict[int, Person] = {}
    appointments = (
        Appointment.objects.filter(
            status=Appointment.Status.ACTIVE,
            person__user__isnull=True,
            post__is_leadership=False,
            post__department__in=departments,
        )
        .select_related("person", "post")
        .order_by("person__national_id")
    )
    for appointment in appointments:
        people.setdefault(appointment.post.department_id, appointment.person)
    return [people[d.pk] for d in departments if d.pk in people]


def _tasks_2025(rng: random.Random, hr: User, cycle: Cycle, departments: list[Department]) -> None:
    """Tasks for six departments and their people: most done on time, some late, one failed."""
    chosen = rng.sample(departments, min(len(TASKS), len(departments)))
    people = _people_of(chosen)
    for index, (department, title) in enumerate(zip(chosen, TASKS, strict=False)):
        deadline = dt.date(2025, 3 + index, 15 + index)
        task = _task(hr, cycle, f"{title}（{department.name}）", deadline, department=department)
        late = index % 3 == 2
        done = deadline + dt.timedelta(days=rng.randint(3, 12) if late else -rng.randint(1, 6))
        setup.task_complete(actor=hr, task=task, on=done, note="逾期办结" if late else "按期办结")
    for index, person in enumerate(people):
        deadline = dt.date(2025, 9, 10 + index)
        task = _task(hr, cycle, f"{TASKS[index % len(TASKS)]}专项材料", deadline, person=person)
        if index == 0:
            setup.task_fail(actor=hr, task=task, note="未按要求完成整改，督查通报")
        else:
            late = index % 2 == 1
            done = deadline + dt.timedelta(days=5 if late else -2)
            setup.task_complete(actor=hr, task=task, on=done)


def _decide_proposals(rng: random.Random, hr: User, cycle: Cycle) -> int:
    """HR decides a few of the proposals and leaves the rest open: a pay cut and a transfer for
    two basically competent, a dismissal not pursued (reassignment accepted), two awards."""
    proposals = list(
        ConsequenceProposal.objects.filter(rating__cycle=cycle, rating__person__user__isnull=True)
        .select_related("rating")
        .order_by("rating__group", "rating__rank", "id")
    )
    by_kind: dict[str, list[ConsequenceProposal]] = {}
    for proposal in proposals:
        by_kind.setdefault(proposal.kind, []).append(proposal)
    kind = ConsequenceProposal.Kind
    decisions = []
    basic = by_kind.get(kind.BASIC_COMPETENT_MEASURES, [])
    for proposal, measure, note in zip(
        rng.sample(basic, min(2, len(basic))),
        (rules.Measure.PAY_CUT.value, rules.Measure.TRANSFER.value),
        ("年度考核基本称职，次年绩效奖励下调一档", "年度考核基本称职，经谈话调整至其他岗位"),
        strict=False,
    ):
        decisions.append((proposal, True, note, measure))
    for proposal in by_kind.get(kind.DISMISSAL, [])[:1]:
        decisions.append((proposal, False, "本人接受组织调整，同意转岗培训，暂不解聘", ""))
    for proposal in by_kind.get(kind.ADVANCED_WORKER_AWARD, [])[:2]:
        decisions.append((proposal, True, "经党工委研究，授予年度先进工作者", ""))
    for proposal, confirm, note, measure in decisions:
        services.proposal_decide(
            actor=hr, proposal=proposal, confirm=confirm, note=note, measure=measure, on=dt.date(2026, 1, 20)
        )
    return len(decisions)


# --- 2026: planning, and the fourth quarter at the scoring stage --------------------------------------


def _current_quarter(rng: random.Random, hr: User, departments: list[Department]) -> tuple[Cycle, Cycle, int]:
    planned = setup.cycle_save(actor=hr, cycle=Cycle(name=PLANNED_NAME, kind=Cycle.Kind.ANNUAL, year=2026))
    quarter = setup.cycle_save(
        actor=hr,
        cycle=Cycle(name=QUARTER_NAME, kind=Cycle.Kind.QUARTERLY, year=2026, quarter=4, annual=planned),
    )
    indicators = _cascade(hr, quarter, departments, _individual_people())
    quarter = services.cycle_advance(actor=hr, cycle=quarter)  # scoring
    # About half the values are in by the demo's today; the rest are still being collected.
    for indicator in indicators:
        if indicator.level != Indicator.Level.ZONE and rng.random() < 0.5:
            _enter(rng, hr, indicator)
    overdue = 0
    chosen = rng.sample(departments, min(len(TASKS), len(departments)))
    for index, (department, title) in enumerate(zip(chosen, TASKS, strict=False)):
        # Two deadlines before today and still open: overdue; one done; the rest not yet due.
        deadline = TODAY + dt.timedelta(days=(-12, -5, -20, 10, 20, 45)[index])
        task = _task(hr, quarter, f"{title}（{department.name}）", deadline, department=department)
        if index == 2:
            task = setup.task_complete(actor=hr, task=task, on=deadline - dt.timedelta(days=2), note="按期办结")
        overdue += int(setup.task_overdue(task, today=TODAY))
    for index, person in enumerate(_people_of(chosen[:2])):
        task = _task(hr, quarter, "四季度重点工作台账报送", TODAY - dt.timedelta(days=3 + index), person=person)
        overdue += int(setup.task_overdue(task, today=TODAY))
    return planned, quarter, overdue
