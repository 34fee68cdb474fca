"""Builders for payroll tests: a small zone ready to calculate a month.

build_pay_zone() gives a pay policy, departments with posts and salary grades, people on post with
active appointments, a waiting person, a confirmed assessment cycle with a rating for everyone on
post and approved department coefficients, pay profiles with bank accounts, an open pay period on
that cycle and approved salary packages. The smaller builders compose it and can be used alone,
e.g. build_period() and approve_packages() for the next month of the same zone.

approve_packages() writes the SalaryPackage rows with the figures of the payroll design (headcount
× per-head base × coefficient × result, scaled into the zone's pool less the award pool), so
calculation tests do not depend on the packages workflow.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from assessment.models import Cycle, DepartmentCoefficient, Indicator, Rating
from assessment.selectors import department_scores
from payroll import allocation
from payroll.models import AdvancedWorker, PayInput, PayPeriod, PayPolicy, PayProfile, SalaryPackage
from payroll.selectors import period_policy
from staffing.models import Appointment, Department, Person, Post
from tests.factories import (
    AppointmentFactory,
    ArchivalRecordFactory,
    DepartmentFactory,
    PersonFactory,
    PositionLevelFactory,
    PostFactory,
    SalaryGradeFactory,
    UserFactory,
)
from zonehr.money import to_fen
from zonehr.roles import Role


@dataclass
class PayZone:
    policy: PayPolicy
    cycle: Cycle
    period: PayPeriod
    departments: list[Department]
    people: list[Person]  # on post, department by department, in the order built
    waiting: list[Person]
    staff: dict[int, list[Person]]  # department id → its people on post
    posts: dict[int, list[Post]]  # department id → its posts
    finance: object
    leader: object
    packages: dict[int, SalaryPackage] = field(default_factory=dict)  # department id → approved package


def build_policy(*, effective_from: dt.date = dt.date(2025, 1, 1), **values) -> PayPolicy:
    """A pay policy with the model's defaults (per-head base 6,000, split 25/75, award 20 %,
    rates 8 / 2 / 0.5 / 12 %, average wage 8,000) unless overridden."""
    return PayPolicy.objects.create(effective_from=effective_from, **values)


def build_cycle(*, year: int = 2024, department_scores: dict[int, Decimal] | None = None) -> Cycle:
    """A confirmed annual cycle; `department_scores` (department id → score) become one
    department indicator of weight 100 each, so that is the department's result."""
    cycle = Cycle.objects.create(
        name=f"{year}年度考核", kind=Cycle.Kind.ANNUAL, year=year, status=Cycle.Status.CONFIRMED
    )
    for department_id, score in (department_scores or {}).items():
        set_department_score(cycle, department_id, score)
    return cycle


def set_department_score(cycle: Cycle, department_id: int, score: Decimal) -> Indicator:
    return Indicator.objects.create(
        cycle=cycle,
        level=Indicator.Level.DEPARTMENT,
        department_id=department_id,
        name="综合绩效",
        rule=Indicator.Rule.JUDGED,
        weight=Decimal(100),
        judged=min(score, Decimal(100)),
        score=score,
    )


def approve_coefficient(cycle: Cycle, department: Department, value: Decimal, *, by) -> DepartmentCoefficient:
    return DepartmentCoefficient.objects.create(
        cycle=cycle,
        department=department,
        value=value,
        reason="工作量与难度",
        status=DepartmentCoefficient.Status.APPROVED,
        proposed_by=by,
        decided_by=by,
        decided_at=timezone.now(),
    )


def rate(cycle: Cycle, person: Person, score: Decimal, *, department: Department | None = None) -> Rating:
    return Rating.objects.create(
        cycle=cycle,
        person=person,
        department=department,
        group=f"department:{department.code if department else '-'}",
        score=score,
        rank=1,
        group_size=1,
        proposed_grade=Rating.Grade.COMPETENT,
        grade=Rating.Grade.COMPETENT,
    )


def build_period(*, year: int = 2025, month: int = 1, cycle: Cycle, **values) -> PayPeriod:
    return PayPeriod.objects.create(year=year, month=month, cycle=cycle, **values)


def give_profile(
    person: Person,
    *,
    bank_account: str | None = None,
    special_additional_deduction: Decimal = Decimal(0),
    contribution_wage: Decimal | None = None,
) -> PayProfile:
    """A pay profile; the bank account defaults to one derived from the person's id ("" for none)."""
    return PayProfile.objects.create(
        person=person,
        bank_name="中国工商银行",
        bank_account=f"6222{person.pk:015d}" if bank_account is None else bank_account,
        special_additional_deduction=special_additional_deduction,
        contribution_wage=contribution_wage,
    )


def add_input(period: PayPeriod, person: Person, kind: str, amount: Decimal, note: str = "") -> PayInput:
    return PayInput.objects.create(period=period, person=person, kind=kind, amount=amount, note=note)


def name_advanced_workers(period: PayPeriod, people: Sequence[Person]) -> list[AdvancedWorker]:
    """Name people for the award; call approve_packages() afterwards, as the award pool comes
    out of the zone's pool."""
    return [AdvancedWorker.objects.create(period=period, person=person) for person in people]


def build_person_on_post(
    *,
    department: Department,
    post: Post | None = None,
    grade: int = 1,
    negotiated_salary: Decimal | None = None,
    cycle: Cycle | None = None,
    score: Decimal | None = Decimal(80),
    **person,
) -> Person:
    """A person on post in `department` with an active appointment at `grade` of the post's
    series (or a negotiated salary), rated `score` in `cycle` when both are given."""
    if post is None:
        if negotiated_salary is None:
            level = PositionLevelFactory(min_grade=1, max_grade=9)
        else:
            level = PositionLevelFactory(min_grade=None, max_grade=None, is_negotiated=True)
        post = PostFactory(department=department, level=level, headcount=100)
    salary_grade = None
    if negotiated_salary is None:
        salary_grade = SalaryGradeFactory(series=post.level.series, number=grade)
    appointment = AppointmentFactory(
        post=post,
        salary_grade=salary_grade,
        negotiated_salary=negotiated_salary,
        **{f"person__{key}": value for key, value in person.items()},
    )
    if cycle is not None and score is not None:
        rate(cycle, appointment.person, score, department=department)
    return appointment.person


def build_waiting_person(*, post: Post, grade: int = 1, **person) -> Person:
    """A person waiting for a post: his latest appointment, on `post`, ended by sending him to waiting."""
    waiting = PersonFactory(status=Person.Status.WAITING, **person)
    AppointmentFactory(
        person=waiting,
        post=post,
        salary_grade=SalaryGradeFactory(series=post.level.series, number=grade),
        status=Appointment.Status.ENDED,
        ended_on=dt.date(2024, 12, 31),
        end_kind=Appointment.EndKind.WAITING,
        end_reason="考核不称职，待岗培训",
    )
    return waiting


def package_figures(period: PayPeriod) -> dict[int, dict]:
    """The design's package figures for every department with people on post: per department id
    its headcount, basic package, coefficient, score and performance package. Sets the zone's
    performance_pool and award_pool on `period` without saving it."""
    policy = period_policy(period)
    on_post = Appointment.objects.filter(status=Appointment.Status.ACTIVE, person__status=Person.Status.ON_POST)
    headcount: dict[int, int] = defaultdict(int)
    basic: dict[int, Decimal] = defaultdict(Decimal)
    for department_id, amount, negotiated in on_post.values_list(
        "post__department_id", "salary_grade__monthly_amount", "negotiated_salary"
    ):
        headcount[department_id] += 1
        basic[department_id] += amount if amount is not None else negotiated
    coefficients = dict(
        DepartmentCoefficient.objects.filter(
            cycle=period.cycle, status=DepartmentCoefficient.Status.APPROVED
        ).values_list("department_id", "value")
    )
    scores = department_scores(cycle=period.cycle)
    raw = {}
    for department_id in sorted(headcount):
        score = scores.get(department_id)
        raw[department_id] = allocation.performance_package(
            headcount=headcount[department_id],
            per_head_base=policy.per_head_base,
            coefficient=coefficients.get(department_id, Decimal(1)),
            assessment_factor=Decimal(1) if score is None else score / 100,
        )
    pool = to_fen(sum(headcount.values()) * policy.per_head_base * period.zone_factor)
    award = Decimal("0.00")
    if AdvancedWorker.objects.filter(period=period).exists():
        award = allocation.award_pool(bonus_pool=pool, share=policy.award_share).award
    scaled = allocation.scale_to_pool(packages=raw, pool=pool - award) if raw else {}
    period.performance_pool = pool
    period.award_pool = award
    return {
        department_id: {
            "headcount": headcount[department_id],
            "basic_package": to_fen(basic[department_id]),
            "coefficient": coefficients.get(department_id, Decimal(1)),
            "assessment_score": scores.get(department_id),
            "performance_package": scaled[department_id],
        }
        for department_id in raw
    }


def approve_packages(period: PayPeriod, *, by) -> dict[int, SalaryPackage]:
    """Write one approved SalaryPackage per department with people on post, replacing any, and
    set the period's pools, as approving the packages does."""
    figures = package_figures(period)
    SalaryPackage.objects.filter(period=period).delete()
    now = timezone.now()
    packages = {
        department_id: SalaryPackage.objects.create(
            period=period,
            department_id=department_id,
            status=SalaryPackage.Status.APPROVED,
            approved_by=by,
            approved_at=now,
            **values,
        )
        for department_id, values in figures.items()
    }
    period.save(update_fields=["performance_pool", "award_pool"])
    return packages


def build_pay_zone(
    *,
    departments: int = 2,
    staff_per_department: int = 5,
    waiting: int = 1,
    year: int = 2025,
    month: int = 1,
    cycle_year: int = 2024,
    scores: Sequence[Decimal] | None = None,
    grades: Sequence[int] = (1, 2, 3),
    post_coefficients: Sequence[Decimal] = (Decimal("1.20"), Decimal("1.00")),
    department_scores: Sequence[Decimal | None] | None = None,
    coefficients: Sequence[Decimal] | None = None,
    advanced_workers: int = 0,
    archival_salary: Decimal | None = Decimal("4200.00"),
    packages: bool = True,
    policy: PayPolicy | None = None,
) -> PayZone:
    """A zone ready to calculate `year`-`month`.

    Department i (codes PAY0, PAY1, …) has one post per post coefficient; its staff member j
    holds post j mod len(post_coefficients), at grade grades[j mod len(grades)] of the clerical
    series (3,500 + 500 × (grade − 1)), is rated scores[j] (default 90 − j) and has a pay profile
    with a bank account and, unless `archival_salary` is None, an archival record. Department
    results default to 100 (factor 1.00), approved coefficients to 1.00. The waiting people wait
    from the first post of department 0. The first `advanced_workers` people are named for the
    award. Anyone else already on post (e.g. the personas) is rated 80 too and paid, so the
    period has no missing input.
    """
    finance = UserFactory(roles=[Role.FINANCE_OFFICER])
    leader = UserFactory(roles=[Role.LEADERSHIP])
    policy = policy or build_policy()
    cycle = build_cycle(year=cycle_year)
    zone_departments = [
        DepartmentFactory(name=f"薪酬测试部门{i}", code=f"PAY{i}", sort_order=i) for i in range(departments)
    ]
    level = PositionLevelFactory(min_grade=1, max_grade=max(grades))
    staff: dict[int, list[Person]] = {}
    posts: dict[int, list[Post]] = {}
    people: list[Person] = []
    for i, department in enumerate(zone_departments):
        posts[department.pk] = [
            PostFactory(department=department, level=level, coefficient=coefficient, headcount=1000)
            for coefficient in post_coefficients
        ]
        score = Decimal(100) if department_scores is None else department_scores[i]
        if score is not None:
            set_department_score(cycle, department.pk, score)
        approve_coefficient(cycle, department, Decimal(1) if coefficients is None else coefficients[i], by=leader)
        staff[department.pk] = []
        for j in range(staff_per_department):
            person = build_person_on_post(
                department=department,
                post=posts[department.pk][j % len(post_coefficients)],
                grade=grades[j % len(grades)],
                cycle=cycle,
                score=Decimal(90 - j) if scores is None else scores[j],
            )
            staff[department.pk].append(person)
            people.append(person)
    waiting_people = [build_waiting_person(post=posts[zone_departments[0].pk][0]) for _ in range(waiting)]
    rated = set(Rating.objects.filter(cycle=cycle).values_list("person_id", flat=True))
    for appointment in Appointment.objects.filter(
        status=Appointment.Status.ACTIVE, person__status=Person.Status.ON_POST
    ).select_related("person", "post__department"):
        if appointment.person_id not in rated:
            rate(cycle, appointment.person, Decimal(80), department=appointment.post.department)
    for person in [*people, *waiting_people]:
        give_profile(person)
        if archival_salary is not None:
            ArchivalRecordFactory(person=person, archival_salary=archival_salary)
    period = build_period(year=year, month=month, cycle=cycle)
    name_advanced_workers(period, people[:advanced_workers])
    zone = PayZone(
        policy=policy,
        cycle=cycle,
        period=period,
        departments=zone_departments,
        people=people,
        waiting=waiting_people,
        staff=staff,
        posts=posts,
        finance=finance,
        leader=leader,
    )
    if packages:
        zone.packages = approve_packages(period, by=leader)
    return zone
