"""Time a month's payroll for a whole zone: the calculation, every pay line written, the close
with its salary sheet.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/payrollbench DEBUG=true \\
        .venv/bin/python bench/payroll_close.py --staff 10000 100000

Works in a fresh test database made from DATABASE_URL (SQLite by default) and drops it
afterwards. For each size it builds N staff on post in departments of about 250 (--departments
to choose), 2 % more waiting for a post, a confirmed assessment cycle with everyone rated, pay
profiles, some inputs and advanced workers, and approved packages; then it calculates and closes
January, and then February, whose income tax reads January's closed lines. Building is not
timed. Each month prints the time and the queries of each phase:

    plan        missing inputs, the chunks of departments, the job row
    chunks      every chunk read, worked out and written (one Celery task each on a worker)
    finalise    the lines switched in force, the other lines deleted, audited
    close       the salary sheet built and stored, the period locked

and the whole of services.start_calculation and services.start_close as a page would call
them with no broker (the tasks in-process), which is what the targets are about: 10,000 staff
under 10 s and 100,000 under 120 s on the 2-core machine.
"""

import argparse
import datetime as dt
import gc
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEPARTMENT_SIZE = 250
WAITING_SHARE = Decimal("0.02")
POST_COEFFICIENTS = (Decimal("1.00"), Decimal("1.10"), Decimal("1.20"), Decimal("1.50"))
BATCH = 5000


@dataclass
class Zone:
    finance: Any
    leader: Any
    cycle: Any
    staff: int
    waiting: int
    departments: int


def _national_id(serial: int) -> str:
    from staffing.national_id import check_digit

    birth = dt.date(1970, 1, 1) + dt.timedelta(days=serial % 12000)
    first17 = f"4404{serial // 1000 % 100:02d}{birth:%Y%m%d}{serial % 1000:03d}"
    return first17 + check_digit(first17)


def build_zone(*, staff: int, departments: int | None = None, seed: int = 2026) -> Zone:
    """N staff on post in M departments with every input a month's pay needs, written in bulk.
    National IDs are unique for up to 100,000 × 12,000 people; their region is fictitious."""
    from django.contrib.auth.models import Group

    from assessment.models import Cycle, DepartmentCoefficient, Indicator, Rating
    from payroll.models import PayPolicy, PayProfile
    from staffing.models import (
        Appointment,
        ArchivalRecord,
        Department,
        EstablishmentType,
        Person,
        PositionLevel,
        Post,
        PostSeries,
        SalaryGrade,
    )
    from zonehr.models import User
    from zonehr.roles import Role

    rng = random.Random(seed)
    departments = departments or max(1, staff // DEPARTMENT_SIZE)
    waiting = int(staff * WAITING_SHARE)
    finance = User.objects.create(username="bench-finance")
    leader = User.objects.create(username="bench-leader")
    finance.groups.add(Group.objects.get(name=Role.FINANCE_OFFICER))
    leader.groups.add(Group.objects.get(name=Role.LEADERSHIP))

    series = PostSeries.objects.create(code="bench", name="综合管理")
    level = PositionLevel.objects.create(series=series, rank=1, name="职员", min_grade=1, max_grade=12)
    grades = SalaryGrade.objects.bulk_create(
        [SalaryGrade(series=series, number=n, monthly_amount=Decimal(3500 + 550 * (n - 1))) for n in range(1, 7)]
    )
    zone_departments = Department.objects.bulk_create(
        [
            Department(name=f"部门{i:04d}", code=f"B{i:04d}", kind=Department.Kind.FUNCTIONAL_BUREAU, sort_order=i)
            for i in range(departments)
        ],
        batch_size=BATCH,
    )
    posts = Post.objects.bulk_create(
        [
            Post(
                department=department,
                name=f"{department.name}岗位{k}",
                code=f"{department.code}-{k}",
                level=level,
                headcount=staff,
                coefficient=coefficient,
            )
            for department in zone_departments
            for k, coefficient in enumerate(POST_COEFFICIENTS)
        ],
        batch_size=BATCH,
    )
    people = Person.objects.bulk_create(
        [
            Person(
                name=f"职员{i:06d}",
                national_id=_national_id(i),
                identity=rng.choice(Person.Identity.values),
                gender="M",
                birth_date=dt.date(1980, 1, 1),
                education=Person.Education.BACHELOR,
                joined_on=dt.date(2015, 7, 1),
                status=Person.Status.WAITING if i >= staff else Person.Status.ON_POST,
            )
            for i in range(staff + waiting)
        ],
        batch_size=BATCH,
    )
    per_department = len(POST_COEFFICIENTS)
    appointments = []
    for i, person in enumerate(people):
        department = i % departments
        post = posts[department * per_department + rng.randrange(per_department)]
        ended = person.status == Person.Status.WAITING
        appointments.append(
            Appointment(
                person=person,
                post=post,
                method=Appointment.Method.COMPETITIVE,
                term_start=dt.date(2024, 1, 1),
                term_end=dt.date(2026, 12, 31),
                salary_grade=rng.choice(grades),
                status=Appointment.Status.ENDED if ended else Appointment.Status.ACTIVE,
                ended_on=dt.date(2024, 12, 31) if ended else None,
                end_kind=Appointment.EndKind.WAITING if ended else "",
            )
        )
    Appointment.objects.bulk_create(appointments, batch_size=BATCH)

    cycle = Cycle.objects.create(name="2024年度考核", kind=Cycle.Kind.ANNUAL, year=2024, status=Cycle.Status.CONFIRMED)
    Indicator.objects.bulk_create(
        [
            Indicator(
                cycle=cycle,
                level=Indicator.Level.DEPARTMENT,
                department=department,
                name="综合绩效",
                rule=Indicator.Rule.JUDGED,
                weight=Decimal(100),
                judged=score,
                score=score,
            )
            for department in zone_departments
            for score in [Decimal(rng.randint(8500, 10000)) / 100]
        ],
        batch_size=BATCH,
    )
    DepartmentCoefficient.objects.bulk_create(
        [
            DepartmentCoefficient(
                cycle=cycle,
                department=department,
                value=Decimal(rng.choice(["0.90", "1.00", "1.10", "1.20"])),
                reason="工作量与难度",
                status=DepartmentCoefficient.Status.APPROVED,
                proposed_by=leader,
                decided_by=leader,
            )
            for department in zone_departments
        ],
        batch_size=BATCH,
    )
    Rating.objects.bulk_create(
        [
            Rating(
                cycle=cycle,
                person=appointment.person,
                department=appointment.post.department,
                group=f"department:{appointment.post.department_id}",
                score=Decimal(rng.randint(6000, 9900)) / 100,
                rank=1,
                group_size=1,
                proposed_grade=Rating.Grade.COMPETENT,
                grade=Rating.Grade.COMPETENT,
            )
            for appointment in appointments
            if appointment.status == Appointment.Status.ACTIVE
        ],
        batch_size=BATCH,
    )
    # A base that keeps performance pay near the policy's 60 % for most: some warnings, not thousands.
    PayPolicy.objects.create(effective_from=dt.date(2025, 1, 1), per_head_base=Decimal(9000))
    PayProfile.objects.bulk_create(
        [
            PayProfile(
                person=person,
                bank_name="中国工商银行",
                # One in a hundred has not given his account yet: a warning on the period.
                bank_account="" if i % 100 == 99 else f"6222{person.pk:015d}",
                special_additional_deduction=Decimal(rng.choice([0, 0, 1000, 2000, 3000])),
                contribution_wage=None if i % 3 else Decimal(rng.randrange(5000, 20000)),
            )
            for i, person in enumerate(people)
        ],
        batch_size=BATCH,
    )
    ArchivalRecord.objects.bulk_create(
        [
            ArchivalRecord(
                person=person,
                archival_post="科员",
                archival_rank="一级科员",
                establishment_type=EstablishmentType.INSTITUTION,
                archival_salary=Decimal(rng.randrange(3000, 9000)),
                sealed_on=dt.date(2015, 7, 1),
            )
            # Every other person of each department has a sealed archival record.
            for i, person in enumerate(people)
            if (i // departments) % 2 == 0
        ],
        batch_size=BATCH,
    )
    return Zone(
        finance=finance, leader=leader, cycle=cycle, staff=staff, waiting=waiting, departments=departments
    )


def open_month(zone: Zone, *, month: int, seed: int):
    """Open 2025-`month` with inputs for one in ten, advanced workers one in a hundred, and the
    packages approved as leadership would."""
    from payroll import packages, services
    from payroll.models import AdvancedWorker, PayInput
    from staffing.models import Person

    rng = random.Random(seed + month)
    period = services.open_period(year=2025, month=month, cycle=zone.cycle, actor=zone.finance)
    people = list(Person.objects.filter(status=Person.Status.ON_POST).order_by("pk").values_list("pk", flat=True))
    kinds = [PayInput.Kind.ALLOWANCE, PayInput.Kind.OVER_TARGET_BONUS, PayInput.Kind.DEDUCTION]
    PayInput.objects.bulk_create(
        [
            PayInput(period=period, person_id=person_id, kind=rng.choice(kinds), amount=Decimal(rng.randint(100, 3000)))
            for person_id in people[::10]
        ],
        batch_size=BATCH,
    )
    AdvancedWorker.objects.bulk_create(
        [AdvancedWorker(period=period, person_id=person_id) for person_id in people[::100]], batch_size=BATCH
    )
    packages.approve_packages(
        period=period, actor=zone.leader, zone_factor=Decimal("1.00"), reason="月度薪酬包审批"
    )
    _settle()
    return period


def _settle() -> None:
    from bench.run import _settle as settle

    settle()


@dataclass
class Phase:
    label: str
    seconds: float
    queries: int


def timed(label: str, operation: Callable[[], Any]) -> tuple[Phase, Any]:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    # The log keeps the last 9,000 queries; emptied here, a phase's count is never cut short.
    reset_queries()
    gc.collect()
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        result = operation()
        elapsed = time.perf_counter() - started
    return Phase(label, elapsed, len(captured)), result


def month_in_phases(zone: Zone, period) -> list[Phase]:
    """The calculation and close of `period` phase by phase, through the functions the tasks
    call. The job counts one step more than there are chunks, so the last chunk leaves the
    finalisation to be timed on its own."""
    from payroll import calculation, services
    from payroll.models import PayrollJob

    def plan():
        problems = calculation.missing_inputs(period)
        if problems:
            raise RuntimeError(f"missing inputs: {problems[:3]}")
        chunks = calculation.plan_chunks(period)
        job = PayrollJob.objects.create(
            period=period, kind=PayrollJob.Kind.CALCULATE, total_steps=len(chunks) + 1, started_by=zone.finance
        )
        return job, chunks

    def chunks_run():
        for department_ids in chunks:
            calculation.calculate_chunk(job_id=job.pk, department_ids=department_ids)

    def finalise():
        PayrollJob.objects.filter(pk=job.pk).update(total_steps=len(chunks))
        calculation.finalise(job_id=job.pk)

    planned, (job, chunks) = timed("plan", plan)
    phases = [planned, timed(f"chunks ({len(chunks)})", chunks_run)[0], timed("finalise", finalise)[0]]
    closed, close_job = timed("close", lambda: services.start_close(period=period, actor=zone.finance))
    if close_job.status != PayrollJob.Status.SUCCEEDED:
        raise RuntimeError(f"close failed: {close_job.error}")
    job.refresh_from_db()
    print(f"  {len(chunks)} chunks, {len(job.warnings)} warnings")
    return [*phases, closed]


def sheet_alone(period) -> Phase:
    """The salary sheet built again on its own: the part of the close that is the export."""
    from payroll.exports import salary_sheet_bytes

    period.refresh_from_db()
    return timed("  of which the salary sheet", lambda: salary_sheet_bytes(period))[0]


def month_whole(zone: Zone, period) -> list[Phase]:
    """services.start_calculation and services.start_close, as the period page calls them."""
    from payroll import services
    from payroll.models import PayrollJob

    calculated, job = timed(
        "start_calculation", lambda: services.start_calculation(period=period, actor=zone.finance)
    )
    if job.status != PayrollJob.Status.SUCCEEDED:
        raise RuntimeError(f"calculation failed: {job.error}")
    closed, job = timed("start_close", lambda: services.start_close(period=period, actor=zone.finance))
    if job.status != PayrollJob.Status.SUCCEEDED:
        raise RuntimeError(f"close failed: {job.error}")
    return [calculated, closed]


def report(title: str, phases: list[Phase]) -> str:
    total = Phase("total", sum(p.seconds for p in phases), sum(p.queries for p in phases))
    width = max(len(p.label) for p in [*phases, total])
    lines = [title]
    for phase in [*phases, total]:
        lines.append(f"  {phase.label.ljust(width)}  {phase.seconds:8.2f} s  {phase.queries:6d} queries")
    return "\n".join(lines)


def run(*, staff: int, departments: int | None, seed: int) -> list[str]:
    from payroll.models import PayLine

    started = time.perf_counter()
    zone = build_zone(staff=staff, departments=departments, seed=seed)
    january = open_month(zone, month=1, seed=seed)
    built = time.perf_counter() - started
    size = f"{zone.staff} on post + {zone.waiting} waiting in {zone.departments} departments (built in {built:.0f} s)"
    phases = month_in_phases(zone, january)
    out = [report(f"January, phase by phase · {size}", phases), report("(not in the total)", [sheet_alone(january)])]
    february = open_month(zone, month=2, seed=seed)
    out.append(report("February (tax reads January's lines), as the page calls it", month_whole(zone, february)))
    lines = PayLine.objects.filter(period=february).count()
    if lines != zone.staff + zone.waiting:
        raise RuntimeError(f"February has {lines} lines for {zone.staff + zone.waiting} people")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--staff", type=int, nargs="+", default=[10000], help="staff on post, e.g. 10000 100000")
    parser.add_argument("--departments", type=int, default=None, help=f"default: one per {DEPARTMENT_SIZE} staff")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)

    from bench.run import django_setup, fresh_database

    django_setup()
    import django
    from django.db import connection

    for staff in args.staff:
        # A fresh database per size, so each starts from the same state.
        with fresh_database() as name:
            print(f"database: {connection.vendor} {name} · Django {django.get_version()}", flush=True)
            for block in run(staff=staff, departments=args.departments, seed=args.seed):
                print(block, flush=True)
            print(flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
