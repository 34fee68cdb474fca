"""A month's pay worked out, a chunk of departments at a time (domain.md §8).

missing_inputs() names what blocks a calculation; plan_chunks() groups the departments with
people to pay into chunks of about CHUNK_STAFF people (a big department is a chunk of its own);
calculate_chunk() reads a chunk's inputs in a fixed number of queries, works out each line with
the pure rules of payroll.allocation, payroll.contributions and payroll.tax, and writes the lines
under the job in bulk; finalise() switches the period to the job's lines in one transaction, so
until then readers see the lines in force before it. close() locks a calculated period with its
salary sheet.

The number of queries grows with the chunks, never with the staff.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.models import Cycle
from payroll import allocation, contributions, tax
from payroll.exports import salary_sheet_bytes
from payroll.models import (
    AdvancedWorker,
    PayInput,
    PayLine,
    PayPeriod,
    PayPolicy,
    PayrollJob,
    SalaryPackage,
)
from payroll.selectors import period_policy, period_start
from staffing.models import Appointment, ArchivalRecord, Department, Person
from staffing.selectors import archival_effective
from zonehr.audit import audit_context, audit_event
from zonehr.money import to_fen

CHUNK_STAFF = 500
ZERO = Decimal("0.00")
PAYABLE_CYCLE = (Cycle.Status.CONFIRMED, Cycle.Status.CLOSED)
INPUT_FIELDS = {
    PayInput.Kind.ALLOWANCE: "allowances",
    PayInput.Kind.OVER_TARGET_BONUS: "over_target_bonus",
    PayInput.Kind.BACK_PAY: "back_pay",
    PayInput.Kind.DEDUCTION: "other_deductions",
    PayInput.Kind.ANNUAL_BONUS: "annual_bonus",
}
CONTRIBUTION_FIELDS = {
    contributions.PENSION: "pension",
    contributions.MEDICAL: "medical",
    contributions.UNEMPLOYMENT: "unemployment",
    contributions.HOUSING_FUND: "housing_fund",
}


class WarningCode:
    """The codes of PayrollJob.warnings; pages translate by code."""

    PERFORMANCE_SHARE_LOW = str(allocation.WarningCode.PERFORMANCE_SHARE_LOW)
    NEGATIVE_NET_PAY = "negative_net_pay"
    NO_BANK_ACCOUNT = "no_bank_account"
    WAITING_UNPAID = "waiting_without_appointment"


# --- Who is paid -------------------------------------------------------------------------------


def _on_post() -> Q:
    return Q(status=Appointment.Status.ACTIVE, person__status=Person.Status.ON_POST)


def _waiting_appointments():
    """Each waiting person's latest appointment: he is paid his basic salary from it, in its
    post's department."""
    latest = Appointment.objects.filter(person=OuterRef("person")).order_by("-term_start", "-id").values("pk")[:1]
    return Appointment.objects.filter(person__status=Person.Status.WAITING).filter(pk=Subquery(latest))


def _paid_appointments(department_ids: Iterable[int] | None = None):
    on_post = Appointment.objects.filter(_on_post())
    waiting = _waiting_appointments()
    if department_ids is not None:
        on_post = on_post.filter(post__department_id__in=department_ids)
        waiting = waiting.filter(post__department_id__in=department_ids)
    return on_post, waiting


# --- Missing inputs --------------------------------------------------------------------------


@dataclass(frozen=True)
class MissingInput:
    """One thing that blocks the calculation, named so finance can put it right."""

    code: str
    message: str
    department: str = ""
    person: str = ""

    def __str__(self) -> str:
        return self.message


def missing_inputs(period: PayPeriod) -> list[MissingInput]:
    """Everything that blocks calculating `period`, each named; empty when it may be calculated."""
    problems = []
    if period_policy(period) is None:
        problems.append(
            MissingInput(
                "no_policy", _("No pay policy is in force on %(date)s.") % {"date": period_start(period).isoformat()}
            )
        )
    cycle = period.cycle
    if cycle is None:
        problems.append(MissingInput("no_cycle", _("The pay period names no assessment cycle.")))
    elif cycle.status not in PAYABLE_CYCLE:
        problems.append(
            MissingInput(
                "cycle_not_confirmed",
                _("The assessment cycle %(cycle)s is not confirmed yet.") % {"cycle": cycle.name},
            )
        )
    else:
        unrated = (
            Appointment.objects.filter(_on_post())
            .exclude(person__ratings__cycle=cycle)
            .order_by("post__department__code", "person__name", "person_id")
            .values_list("person__name", "post__department__name")
        )
        problems += [
            MissingInput(
                "no_rating",
                _("%(person)s (%(department)s) has no rating in %(cycle)s.")
                % {"person": person, "department": department, "cycle": cycle.name},
                department=department,
                person=person,
            )
            for person, department in unrated
        ]
    approved = SalaryPackage.objects.filter(
        period=period, status=SalaryPackage.Status.APPROVED, department=OuterRef("pk")
    )
    staffed = Appointment.objects.filter(_on_post(), post__department=OuterRef("pk"))
    unpackaged = (
        Department.objects.filter(Exists(staffed))
        .filter(~Exists(approved))
        .order_by("code")
        .values_list("name", flat=True)
    )
    problems += [
        MissingInput(
            "no_package",
            _("%(department)s has no approved salary package for this period.") % {"department": name},
            department=name,
        )
        for name in unpackaged
    ]
    not_closed = PayPeriod.objects.filter(year=period.year, month__lt=period.month).exclude(
        status=PayPeriod.Status.CLOSED
    )
    problems += [
        MissingInput(
            "earlier_period_open",
            _("The pay period %(period)s of the same year is not closed yet: close it first.") % {"period": earlier},
        )
        for earlier in not_closed.order_by("month")
    ]
    if period.award_pool > 0 and not _award_winners(period):
        problems.append(
            MissingInput(
                "award_without_workers",
                _("The advanced-worker award pool is %(amount)s but none of the people named for it is paid.")
                % {"amount": period.award_pool},
            )
        )
    return problems


def _award_winners(period: PayPeriod) -> list[int]:
    """The people named for the award who are paid this month, by id: they share the award pool."""
    return list(
        AdvancedWorker.objects.filter(period=period, person__status__in=[Person.Status.ON_POST, Person.Status.WAITING])
        .order_by("person_id")
        .values_list("person_id", flat=True)
    )


# --- Planning ----------------------------------------------------------------------------------


def plan_chunks(period: PayPeriod, *, chunk_staff: int = CHUNK_STAFF) -> list[list[int]]:
    """The departments with people to pay, by code, grouped into chunks: departments join a
    chunk until it holds `chunk_staff` people. A department is never split, so a big one is a
    chunk of its own."""
    on_post, waiting = _paid_appointments()
    counts: dict[tuple[str, int], int] = defaultdict(int)
    for rows in (on_post, waiting):
        for code, department_id, count in (
            rows.values_list("post__department__code", "post__department_id").annotate(count=Count("id")).order_by()
        ):
            counts[(code, department_id)] += count
    chunks: list[list[int]] = []
    size = chunk_staff
    for (_code, department_id), count in sorted(counts.items()):
        if size >= chunk_staff:
            chunks.append([])
            size = 0
        chunks[-1].append(department_id)
        size += count
    return chunks


# --- A chunk's inputs --------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Payee:
    person_id: int
    identity: str
    department_id: int
    post_id: int | None
    post_coefficient: Decimal
    basic_salary: Decimal
    waiting: bool


@dataclass(frozen=True, kw_only=True)
class YearToDate:
    """A person's figures in the closed months of the year before this one."""

    income: Decimal = ZERO
    special_deductions: Decimal = ZERO  # his contributions
    special_additional_deductions: Decimal = ZERO
    tax_withheld: Decimal = ZERO
    months: int = 0


@dataclass(frozen=True, kw_only=True)
class Profile:
    special_additional_deduction: Decimal = ZERO
    contribution_wage: Decimal | None = None


@dataclass(kw_only=True)
class ChunkInputs:
    """Everything a chunk's lines are worked out from, read in a fixed number of queries."""

    payees: list[Payee]  # by department id, then person id
    scores: dict[int, Decimal]
    packages: dict[int, Decimal]  # department id → approved performance package
    awards: dict[int, Decimal]  # person id → his share of the award pool
    inputs: dict[int, dict[str, Decimal]]  # person id → line field → amount
    profiles: dict[int, Profile]
    year_to_date: dict[int, YearToDate]
    archival: dict[int, Decimal]


MONEY_FIELD = DecimalField(max_digits=14, decimal_places=2)


def _money(value: Decimal | None) -> Decimal:
    return ZERO if value is None else to_fen(value)


def _bonus_separate_months(year: int, months: Iterable[int]) -> set[int]:
    """The months of `year` whose annual bonus the policy then in force taxed on its own."""
    policies = list(PayPolicy.objects.order_by("effective_from").values_list("effective_from", "separate_bonus_until"))
    separate = set()
    for month in months:
        first = dt.date(year, month, 1)
        in_force = [until for effective, until in policies if effective <= first]
        if in_force and tax.separate_bonus_allowed(first, until=in_force[-1]):
            separate.add(month)
    return separate


def gather_chunk(*, period: PayPeriod, department_ids: list[int]) -> ChunkInputs:
    """Read the inputs of the people paid in `department_ids`, in a fixed number of queries."""
    on_post, waiting = _paid_appointments(department_ids)
    # The rating of the cycle and the pay profile come with each person, joined.
    on_post = on_post.annotate(
        rating=FilteredRelation("person__ratings", condition=Q(person__ratings__cycle_id=period.cycle_id)),
        score=F("rating__score"),
    )
    waiting = waiting.annotate(score=Value(None, output_field=DecimalField(max_digits=6, decimal_places=2)))
    columns = (
        "person_id",
        "person__identity",
        "post__department_id",
        "post_id",
        "post__coefficient",
        "salary_grade__monthly_amount",
        "negotiated_salary",
        "score",
        "person__pay_profile__special_additional_deduction",
        "person__pay_profile__contribution_wage",
    )
    payees = []
    scores = {}
    profiles = {}
    for is_waiting, rows in ((False, on_post), (True, waiting)):
        for person_id, identity, department_id, post_id, coefficient, grade, negotiated, score, deduction, wage in (
            rows.values_list(*columns)
        ):
            payees.append(
                Payee(
                    person_id=person_id,
                    identity=identity,
                    department_id=department_id,
                    post_id=None if is_waiting else post_id,
                    post_coefficient=Decimal(1) if is_waiting else coefficient,
                    basic_salary=_money(grade if grade is not None else negotiated),
                    waiting=is_waiting,
                )
            )
            if score is not None:
                scores[person_id] = score
            if deduction is not None:
                profiles[person_id] = Profile(special_additional_deduction=_money(deduction), contribution_wage=wage)
    payees.sort(key=lambda payee: (payee.department_id, payee.person_id))
    person_ids = [payee.person_id for payee in payees]

    packages = dict(
        SalaryPackage.objects.filter(
            period=period, department_id__in=department_ids, status=SalaryPackage.Status.APPROVED
        ).values_list("department_id", "performance_package")
    )
    winners = _award_winners(period)
    awards = (
        allocation.share(total=period.award_pool, weights=dict.fromkeys(winners, Decimal(1)))
        if period.award_pool
        else {}
    )
    inputs: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for person_id, kind, amount in (
        PayInput.objects.filter(period=period, person_id__in=person_ids)
        .values("person_id", "kind")
        .annotate(amount=Sum("amount"))
        .values_list("person_id", "kind", "amount")
        .order_by()
    ):
        inputs[person_id][INPUT_FIELDS[kind]] = _money(amount)
    year_to_date = {}
    if period.month > 1:
        separate_months = _bonus_separate_months(period.year, range(1, period.month))
        earlier = PayLine.objects.filter(
            period__year=period.year,
            period__month__lt=period.month,
            period__status=PayPeriod.Status.CLOSED,
            job_id=F("period__current_job_id"),
            person_id__in=person_ids,
        )
        bonus_in_income = Sum(
            Case(
                When(~Q(period__month__in=separate_months), then="annual_bonus"),
                default=Value(ZERO),
                output_field=MONEY_FIELD,
            )
        )
        for row in (
            earlier.values("person_id")
            .annotate(
                gross=Sum("gross_pay"),
                bonus=bonus_in_income,
                pension=Sum("pension"),
                medical=Sum("medical"),
                unemployment=Sum("unemployment"),
                housing_fund=Sum("housing_fund"),
                additional=Sum("special_additional_deduction"),
                withheld=Sum("income_tax"),
                months=Count("id"),
            )
            .order_by()
        ):
            year_to_date[row["person_id"]] = YearToDate(
                income=_money(row["gross"]) + _money(row["bonus"]),
                special_deductions=sum((_money(row[item]) for item in CONTRIBUTION_FIELDS.values()), start=ZERO),
                special_additional_deductions=_money(row["additional"]),
                tax_withheld=_money(row["withheld"]),
                months=row["months"],
            )
    archival = {
        record.person_id: archival_effective(record).archival_salary
        for record in ArchivalRecord.objects.filter(person_id__in=person_ids).prefetch_related("events")
    }
    return ChunkInputs(
        payees=payees,
        scores=scores,
        packages=packages,
        awards=awards,
        inputs=inputs,
        profiles=profiles,
        year_to_date=year_to_date,
        archival=archival,
    )


# --- A chunk's lines ---------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Rules:
    """The policy's figures in the shapes the pure rules take, read once per chunk."""

    basic_share: Decimal
    incentive_shares: dict[str, Decimal]
    average_wage: Decimal
    base_floor: Decimal
    base_ceiling: Decimal
    rates: dict[str, Decimal]
    annual_table: tax.TaxTable
    bonus_table: tax.TaxTable
    basic_deduction: Decimal
    bonus_separate: bool

    @classmethod
    def of(cls, policy: PayPolicy, *, on: dt.date) -> "Rules":
        return cls(
            basic_share=policy.basic_performance_share,
            incentive_shares={
                "major_work": policy.major_work_share,
                "investment_promotion": policy.investment_promotion_share,
                "project_construction": policy.project_construction_share,
            },
            average_wage=policy.average_wage,
            base_floor=policy.base_floor,
            base_ceiling=policy.base_ceiling,
            rates=policy.contribution_rates(),
            annual_table=policy.annual_table(),
            bonus_table=policy.bonus_table(),
            basic_deduction=policy.basic_deduction,
            bonus_separate=tax.separate_bonus_allowed(on, until=policy.separate_bonus_until),
        )


def performance_shares(inputs: ChunkInputs) -> dict[int, Decimal]:
    """Each on-post person's performance pay: his department's package shared by score × post
    coefficient, people in order of id."""
    weights: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for payee in inputs.payees:
        if not payee.waiting:
            weights[payee.department_id][payee.person_id] = allocation.weight(
                score=inputs.scores[payee.person_id], post_coefficient=payee.post_coefficient
            )
    shares = {}
    for department_id, department_weights in weights.items():
        shares.update(allocation.share(total=inputs.packages[department_id], weights=department_weights))
    return shares


def person_line(*, payee: Payee, performance: Decimal, inputs: ChunkInputs, rules: Rules) -> dict[str, object]:
    """One person's pay line: its field values."""
    entered = inputs.inputs.get(payee.person_id, {})
    split = allocation.split_basic_incentive(total=performance, basic_share=rules.basic_share)
    incentive = allocation.share(total=split.incentive, weights=rules.incentive_shares)
    earnings = {
        "basic_salary": payee.basic_salary,
        "basic_performance": split.basic,
        **incentive,
        "allowances": entered.get("allowances", ZERO),
        "over_target_bonus": entered.get("over_target_bonus", ZERO),
        "advanced_worker_award": inputs.awards.get(payee.person_id, ZERO),
        "back_pay": entered.get("back_pay", ZERO),
    }
    gross = sum(earnings.values(), start=ZERO)
    annual_bonus = entered.get("annual_bonus", ZERO)
    other_deductions = entered.get("other_deductions", ZERO)
    profile = inputs.profiles.get(payee.person_id, Profile())

    base = contributions.contribution_base(
        wage=gross if profile.contribution_wage is None else profile.contribution_wage,
        average_wage=rules.average_wage,
        floor=rules.base_floor,
        ceiling=rules.base_ceiling,
    )
    items = contributions.contributions(base=base, rates=rules.rates)
    paid_in = {CONTRIBUTION_FIELDS[item]: amount for item, amount in items.items()}
    month_special = sum(paid_in.values(), start=ZERO)

    bonus_tax = ZERO
    income = gross
    if annual_bonus and rules.bonus_separate:
        bonus_tax = tax.annual_bonus_tax(bonus=annual_bonus, table=rules.bonus_table)
    else:
        income += annual_bonus
    before = inputs.year_to_date.get(payee.person_id, YearToDate())
    withheld = tax.withholding(
        ytd_income=before.income + income,
        ytd_exempt=ZERO,
        months_employed=before.months + 1,
        ytd_special_deductions=before.special_deductions + month_special,
        ytd_special_additional_deductions=before.special_additional_deductions + profile.special_additional_deduction,
        ytd_other_deductions=ZERO,
        ytd_tax_withheld=before.tax_withheld,
        table=rules.annual_table,
        basic_deduction=rules.basic_deduction,
    )
    net = gross + annual_bonus - month_special - withheld.tax - bonus_tax - other_deductions
    line = {
        "person_id": payee.person_id,
        "department_id": payee.department_id,
        "post_id": payee.post_id,
        "identity": payee.identity,
        "waiting": payee.waiting,
        "score": inputs.scores.get(payee.person_id),
        "post_coefficient": payee.post_coefficient,
        **earnings,
        "gross_pay": gross,
        "contribution_base": base,
        **paid_in,
        "special_additional_deduction": profile.special_additional_deduction,
        "cumulative_taxable": to_fen(withheld.cumulative_taxable),
        "cumulative_tax": withheld.cumulative_tax,
        "income_tax": withheld.tax,
        "annual_bonus": annual_bonus,
        "annual_bonus_tax": bonus_tax,
        "other_deductions": other_deductions,
        "net_pay": net,
        "archival_salary": inputs.archival.get(payee.person_id),
    }

    return line


def chunk_lines(*, inputs: ChunkInputs, rules: Rules) -> list[dict]:
    """Every line of a chunk, worked out from its inputs alone."""
    shares = performance_shares(inputs)
    return [
        person_line(payee=payee, performance=shares.get(payee.person_id, ZERO), inputs=inputs, rules=rules)
        for payee in inputs.payees
    ]


# --- Running a job -----------------------------------------------------------------------------

ACTIVE = (PayrollJob.Status.QUEUED, PayrollJob.Status.RUNNING)


def fail_job(job_id: int, error: str) -> None:
    """Mark a job failed with `error` and drop the lines it wrote; the lines in force stay."""
    with transaction.atomic():
        failed = PayrollJob.objects.filter(pk=job_id, status__in=ACTIVE).update(
            status=PayrollJob.Status.FAILED, finished_at=timezone.now(), error=error[:10000]
        )
        if failed:
            PayLine.objects.filter(job_id=job_id).delete()


def _start(job_id: int) -> PayrollJob | None:
    """The job, marked running, if it is still to be done; None for a job already finished,
    failed or deleted (a message delivered again after the job was settled)."""
    job = PayrollJob.objects.select_related("period").filter(pk=job_id).first()
    if job is None or job.status not in ACTIVE:
        return None
    if job.status == PayrollJob.Status.QUEUED:
        PayrollJob.objects.filter(pk=job_id, status=PayrollJob.Status.QUEUED).update(
            status=PayrollJob.Status.RUNNING, heartbeat_at=timezone.now()
        )
    return job


# Every column of a pay line but its id, as the model declares them: job and period first.
LINE_COLUMNS = tuple(field.column for field in PayLine._meta.concrete_fields if not field.primary_key)


def write_lines(lines: list[dict], *, job_id: int, period_id: int) -> None:
    """Insert a chunk's lines in one statement: COPY on PostgreSQL, one parameterised INSERT run
    for every row elsewhere. Building a model instance per line would cost more than working
    the line out."""
    quote = connection.ops.quote_name
    table = quote(PayLine._meta.db_table)
    columns = ", ".join(quote(column) for column in LINE_COLUMNS)
    rows = [(job_id, period_id, *(line[column] for column in LINE_COLUMNS[2:])) for line in lines]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = f"COPY {table} ({columns}) FROM STDIN"
            # Logged like a query, so query counts see it.
            logged = cursor.debug_sql(sql) if hasattr(cursor, "debug_sql") else nullcontext()
            with logged, cursor.cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(LINE_COLUMNS))
            # Names from the model and a fixed list, values as parameters.
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)  # noqa: S608


def _commit_without_waiting_for_disk() -> None:
    """On PostgreSQL, let the current transaction commit without waiting for its WAL flush.

    A chunk is not worth the wait: a crash in the fraction of a second after its commit loses its
    lines together with its step, the job then never finishes, and the next start fails it as
    stale and calculates again. The lines in force change only in finalise(), which waits."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def calculate_chunk(*, job_id: int, department_ids: list[int]) -> None:
    """Work out and write the lines of `department_ids` under the job, count the step, and
    finalise the job when it was the last one.

    A chunk whose lines are already written under the job (its message delivered twice) writes
    and counts nothing again. Any error fails the whole job and is raised again.
    """
    job = _start(job_id)
    if job is None:
        return
    try:
        period = job.period
        policy = period_policy(period)
        inputs = gather_chunk(period=period, department_ids=department_ids)
        lines = chunk_lines(inputs=inputs, rules=Rules.of(policy, on=period_start(period)))
        with transaction.atomic():
            job = PayrollJob.objects.select_for_update().only("status", "done_steps", "total_steps").get(pk=job_id)
            if job.status not in ACTIVE:
                return
            done = job.done_steps
            if not PayLine.objects.filter(job_id=job_id, department_id__in=department_ids).exists():
                _commit_without_waiting_for_disk()
                write_lines(lines, job_id=job_id, period_id=period.pk)
                PayrollJob.objects.filter(pk=job_id).update(done_steps=F("done_steps") + 1, heartbeat_at=timezone.now())
                done += 1
        if done >= job.total_steps:
            finalise(job_id=job_id)
    except Exception as error:
        fail_job(job_id, f"{type(error).__name__}: {error}")
        raise


# --- Warnings ----------------------------------------------------------------------------------

PERFORMANCE = ("basic_performance", "major_work", "investment_promotion", "project_construction")
OTHER_PAY = ("allowances", "over_target_bonus", "advanced_worker_award")


def line_warnings(*, job_id: int, minimum_performance_share: Decimal) -> list[dict]:
    """The warnings on a calculation's lines, in one query: performance pay below the policy's
    share of total income (not for the waiting, who have none by rule; back pay belongs to earlier
    months and is left out), a negative net pay, and no bank account to pay into; and, in one
    more, the people waiting for a post who never held one, so are not paid. Ordered by
    department and person."""
    performance = sum((F(name) for name in PERFORMANCE[1:]), start=F(PERFORMANCE[0]))
    income = sum((F(name) for name in OTHER_PAY), start=F("basic_salary") + performance)
    lines = PayLine.objects.filter(job_id=job_id).alias(
        performance=ExpressionWrapper(performance, output_field=MONEY_FIELD),
        minimum=ExpressionWrapper(income * Value(minimum_performance_share), output_field=MONEY_FIELD),
    )
    # Only the lines that may carry a warning are read; each is then judged exactly below.
    candidates = lines.filter(
        Q(net_pay__lt=0)
        | Q(person__pay_profile__isnull=True)
        | Q(person__pay_profile__bank_account="")
        | Q(waiting=False, performance__lt=F("minimum"))
    )
    rows = candidates.values_list(
        "person_id",
        "person__name",
        "department__name",
        "waiting",
        "basic_salary",
        *PERFORMANCE,
        *OTHER_PAY,
        "gross_pay",
        "net_pay",
        "person__pay_profile__bank_account",
    )
    warnings = []
    for person_id, person, department, waiting, basic, *figures, gross, net, account in rows:
        subject = {"person_id": person_id, "person": person, "department": department}
        if not waiting:
            found = allocation.policy_warnings(
                basic_salary=basic,
                performance_pay=sum(figures[: len(PERFORMANCE)], start=ZERO),
                minimum_performance_share=minimum_performance_share,
                other_pay=sum(figures[len(PERFORMANCE) :], start=ZERO),
            )
            warnings += [_warning(str(warning.code), subject, warning.figures) for warning in found]
        if net < 0:
            warnings.append(_warning(WarningCode.NEGATIVE_NET_PAY, subject, {"gross_pay": gross, "net_pay": net}))
        if not (account or "").strip():
            warnings.append(_warning(WarningCode.NO_BANK_ACCOUNT, subject, {"net_pay": net}))
    # Waiting with no appointment ever: no basic salary to pay him, so no line; finance should know.
    for person_id, person in Person.objects.filter(
        status=Person.Status.WAITING, appointments__isnull=True
    ).values_list("pk", "name"):
        warnings.append(
            _warning(WarningCode.WAITING_UNPAID, {"person_id": person_id, "person": person, "department": ""}, {})
        )
    warnings.sort(key=lambda w: (w["department"], w["person"], w["person_id"], w["code"]))
    return warnings


def _warning(code: str, subject: dict, figures: Mapping[str, Decimal]) -> dict:
    return {"code": code, **subject, "figures": {name: str(value) for name, value in figures.items()}}


# --- Finalisation ------------------------------------------------------------------------------


def finalise(*, job_id: int) -> None:
    """Put the job's lines in force: in one transaction the period switches to the job, becomes
    calculated, loses the lines of other jobs, and the job succeeds with its warnings. Audited
    on the period with the totals."""
    job = PayrollJob.objects.select_related("period").get(pk=job_id)
    # The job's lines are complete once every step is done, so the warnings are read outside the lock.
    warnings = line_warnings(
        job_id=job_id, minimum_performance_share=period_policy(job.period).minimum_performance_share
    )
    with transaction.atomic():
        period = PayPeriod.objects.select_for_update().get(pk=job.period_id)
        job = PayrollJob.objects.select_for_update().get(pk=job_id)
        if job.status not in ACTIVE or job.done_steps < job.total_steps:
            return
        if period.status == PayPeriod.Status.CLOSED:
            raise RuntimeError(f"pay period {period} was closed during its calculation")
        now = timezone.now()
        before = {"status": period.status, "current_job": period.current_job_id}
        PayPeriod.objects.filter(pk=period.pk).update(
            current_job=job, status=PayPeriod.Status.CALCULATED, calculated_at=now
        )
        PayLine.objects.filter(period_id=period.pk).exclude(job_id=job_id).delete()
        PayrollJob.objects.filter(pk=job_id).update(
            status=PayrollJob.Status.SUCCEEDED, finished_at=now, heartbeat_at=now, warnings=warnings
        )
        totals = PayLine.objects.filter(job_id=job_id).aggregate(
            headcount=Count("id"), **{name: Sum(name) for name in ("gross_pay", "net_pay")}
        )
        audit_event(
            actor=job.started_by,
            instance=period,
            event="pay_period_calculated",
            changes={
                "status": [before["status"], PayPeriod.Status.CALCULATED],
                "current_job": [_text(before["current_job"]), str(job_id)],
                **{name: [None, _text(value)] for name, value in totals.items()},
                "warnings": [None, str(len(warnings))],
            },
        )


def _text(value: object) -> str | None:
    return None if value is None else str(value)


# --- Close -------------------------------------------------------------------------------------


def close(*, job_id: int) -> None:
    """Close the job's period: store its salary sheet, lock it, in one transaction. A period
    already closed is left as it is and the job succeeds; one not calculated fails the job."""
    job = _start(job_id)
    if job is None:
        return
    try:
        with transaction.atomic():
            period = PayPeriod.objects.select_for_update().get(pk=job.period_id)
            job = PayrollJob.objects.select_for_update().get(pk=job_id)
            if job.status not in ACTIVE:
                return
            now = timezone.now()
            if period.status != PayPeriod.Status.CLOSED:
                if period.status != PayPeriod.Status.CALCULATED or period.current_job_id is None:
                    raise ValueError(f"pay period {period} is {period.status}, not calculated")
                sheet = salary_sheet_bytes(period)
                period.salary_sheet.save(
                    f"salary-sheet-{period.year}-{period.month:02d}.xlsx", ContentFile(sheet), save=False
                )
                period.status = PayPeriod.Status.CLOSED
                period.closed_at = now
                period.closed_by = job.started_by
                with audit_context(actor=job.started_by, reason=_("Pay period closed.")):
                    period.save(update_fields=["salary_sheet", "status", "closed_at", "closed_by"])
            PayrollJob.objects.filter(pk=job_id).update(
                status=PayrollJob.Status.SUCCEEDED, done_steps=job.total_steps, finished_at=now, heartbeat_at=now
            )
    except Exception as error:
        fail_job(job_id, f"{type(error).__name__}: {error}")
        raise
