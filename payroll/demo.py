"""Demo payroll for the demo zone (domain.md §8), run through the real payroll services.

Built after the zone (staffing.demo), its campaigns and its assessment (assessment.demo):

- the pay policy from 2026-01-01 with the model's defaults (Baoding's 25 / 75 split, Linwu's 20 %
  award share and 60 % minimum performance share);
- a pay profile for everyone paid (on post or waiting): a bank account with one of the local
  banks (one person has not handed his in yet, a warning on the open month) and, for some, the
  special additional deductions they declared;
- September and October 2026 opened on the confirmed 2025 assessment, their packages approved by
  the leadership, calculated and closed by finance (the jobs run in-process, whatever the broker);
- November 2026, the month of the demo's "today": open, packages approved, with an allowance, two
  over-target bonuses and two advanced workers entered, ready for finance to calculate.

The same seed gives the same profiles and inputs. Profiles are written in one bulk insert, audited
as one import, so a large zone builds in seconds.
"""

import datetime as dt
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from assessment import demo as assessment_demo
from assessment.models import Cycle, Rating
from payroll import inputs, packages, services
from payroll.models import PayInput, PayPeriod, PayPolicy, PayProfile, PayrollJob
from payroll.selectors import period_totals
from staffing import demo as zone
from staffing.models import Appointment, Person
from zonehr.audit import audit_bulk_created, audit_context
from zonehr.celery import app as celery_app
from zonehr.models import User

POLICY_FROM = dt.date(2026, 1, 1)
CLOSED_MONTHS = ((2026, 9), (2026, 10))
OPEN_MONTH = (2026, 11)
APPROVAL_REASON = "党工委会议研究同意"
BANKS = ("中国工商银行", "中国建设银行", "中国农业银行", "中国银行", "河北银行")
# Monthly special additional deductions people declare (children, elderly parents, housing).
DECLARED = (Decimal(0), Decimal(0), Decimal(0), Decimal(1000), Decimal(2000), Decimal(3000), Decimal(4000))
# One allowance in each closed month, so the slips differ from month to month.
MONTHLY_ALLOWANCE = (Decimal(600), "交通补贴")
OPEN_ALLOWANCE = (Decimal(1200), "驻村工作补贴")
OVER_TARGET_BONUS = (Decimal(3000), "招商引资超额完成奖励")
ADVANCED_WORKERS = 2


@dataclass(frozen=True)
class DemoPayroll:
    closed: list[PayPeriod]
    open: PayPeriod
    profiles: int
    lines: int  # of the closed months
    net_pay: Decimal  # of the closed months


@contextmanager
def _in_process() -> Iterator[None]:
    """Run the months' jobs here and now: the demo closes two months before it returns, also
    where a broker is configured and no worker may be running yet."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = before


def demo_payroll_build(*, seed: int = zone.DEFAULT_SEED) -> DemoPayroll:
    """Build the payroll into the demo zone just built with its assessment; run it inside
    transaction.atomic."""
    rng = random.Random(seed)
    finance = User.objects.get(username="finance")
    leader = User.objects.get(username="leader")
    cycle = Cycle.objects.get(name=assessment_demo.ANNUAL_NAME, status=Cycle.Status.CONFIRMED)
    _policy(finance)
    profiles = _profiles(rng, finance)
    closed = []
    with _in_process():
        for year, month in CLOSED_MONTHS:
            period = services.open_period(year=year, month=month, cycle=cycle, actor=finance)
            _allowance(rng, finance, period, *MONTHLY_ALLOWANCE)
            _approve(period, leader)
            _run(services.start_calculation(period=period, actor=finance))
            _run(services.start_close(period=period, actor=finance))
            period.refresh_from_db()
            closed.append(period)
    november = services.open_period(year=OPEN_MONTH[0], month=OPEN_MONTH[1], cycle=cycle, actor=finance)
    _open_month_inputs(rng, finance, november, cycle)
    _approve(november, leader)
    totals = [period_totals(period) for period in closed]
    return DemoPayroll(
        closed=closed,
        open=november,
        profiles=profiles,
        lines=sum(total["headcount"] for total in totals),
        net_pay=sum((total["net_pay"] for total in totals), Decimal("0.00")),
    )


def _policy(finance: User) -> PayPolicy:
    # A policy is not zone data: a rebuilt zone (demo_zone --flush) finds it still there.
    existing = PayPolicy.objects.filter(effective_from=POLICY_FROM).first()
    if existing is not None:
        return existing
    # A per-head base that, on the demo's pay scale, keeps most staff above the 60 % performance share.
    return inputs.pay_policy_create(
        actor=finance,
        values={"effective_from": POLICY_FROM, "per_head_base": Decimal(16000)},
        reason="2026年度薪酬政策（党工委审定）",
    )


def _paid_people() -> list[int]:
    return list(
        Person.objects.filter(status__in=inputs.PAID_STATUSES).order_by("national_id").values_list("pk", flat=True)
    )


def _profiles(rng: random.Random, finance: User) -> int:
    people = _paid_people()
    # The last person in the order has not handed in his account yet.
    without_account = people[-1] if people else None
    profiles = [
        PayProfile(
            person_id=person_id,
            bank_name="" if person_id == without_account else rng.choice(BANKS),
            bank_account="" if person_id == without_account else f"6222{rng.randrange(10**14, 10**15)}",
            special_additional_deduction=rng.choice(DECLARED),
        )
        for person_id in people
    ]
    with audit_context(actor=finance):
        PayProfile.objects.bulk_create(profiles, batch_size=2000)
        audit_bulk_created(actor=finance, instances=profiles, reason="财务科采集工资卡及专项附加扣除信息")
    return len(profiles)


def _on_post(department_code: str | None = None) -> list[Person]:
    appointments = Appointment.objects.filter(
        status=Appointment.Status.ACTIVE, person__status=Person.Status.ON_POST
    ).select_related("person")
    if department_code is not None:
        appointments = appointments.filter(post__department__code=department_code)
    return [appointment.person for appointment in appointments.order_by("person__national_id")]


def _allowance(rng: random.Random, finance: User, period: PayPeriod, amount: Decimal, note: str) -> None:
    for person in rng.sample(_on_post(), 3):
        inputs.pay_input_add(
            actor=finance, period=period, person=person, kind=PayInput.Kind.ALLOWANCE, amount=amount, note=note
        )


def _open_month_inputs(rng: random.Random, finance: User, period: PayPeriod, cycle: Cycle) -> None:
    """An allowance, over-target bonuses for two of the investment department, and the two
    best-rated people named advanced workers."""
    _allowance(rng, finance, period, *OPEN_ALLOWANCE)
    investment = _on_post(zone.HEAD_A_DEPARTMENT) or _on_post()
    amount, note = OVER_TARGET_BONUS
    for person in rng.sample(investment, min(2, len(investment))):
        inputs.pay_input_add(
            actor=finance, period=period, person=person, kind=PayInput.Kind.OVER_TARGET_BONUS, amount=amount, note=note
        )
    on_post = {person.pk for person in _on_post()}
    best = [
        rating.person
        for rating in Rating.objects.filter(cycle=cycle, person_id__in=on_post)
        .select_related("person")
        .order_by("-score", "person__national_id")[:ADVANCED_WORKERS]
    ]
    for person in best:
        inputs.advanced_worker_name(actor=finance, period=period, person=person)


def _approve(period: PayPeriod, leader: User) -> None:
    packages.approve_packages(period=period, actor=leader, zone_factor=Decimal("1.00"), reason=APPROVAL_REASON)


def _run(job: PayrollJob | None) -> None:
    if job is None or job.status != PayrollJob.Status.SUCCEEDED:
        raise RuntimeError(f"the demo's payroll job did not finish: {job and job.error}")
