"""Load test of a running ZoneHR: gunicorn on PostgreSQL, driven over HTTP by simulated users.

    .venv/bin/python bench/load.py                      # 60 s on postgres://…/zonehr_load
    .venv/bin/python bench/load.py --fresh --strict     # new database; exit 1 if the target is missed
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/other .venv/bin/python bench/load.py --duration 120

Preparation: the database DATABASE_URL names (PostgreSQL; created if absent, dropped and created
again with --fresh) is migrated, the static files are collected (DEBUG=false serves them through
the manifest), and the demo zone is rebuilt from scratch (manage.py demo_zone --flush): EVERYTHING
IN THAT DATABASE IS REPLACED. A campaign for the load is then set up through the recruitment
services, with its interview round open and --judges judges on its panel (judge, judge2, … — the
missing ones are created like the demo's, with the demo password); the demo's own open round has
seven judges and, being open, can no longer take more.

Then gunicorn serves zonehr.wsgi on a free port of 127.0.0.1 as production runs it (DEBUG=false,
a secret key made for the run, no HTTPS redirect since nothing terminates TLS here), every
simulated user logs in through the login page, and for --duration seconds:

- the judges open the next candidate's sheet on the panel page, type the marks (each change posts
  the form for the running total, as htmx does), submit, and think 3–5 s before the next one;
- the board viewers poll the live board's rows every 2 s, as the hall screen's htmx does;
- the HR officers browse the dashboard, the roster with filters, people, the department tree,
  campaigns and assessment cycles, thinking 1–3 s between pages;
- the finance officers download every 5–10 s the salary sheet and bank file of a closed pay
  period when there is one (and the payroll app serves them), otherwise roster exports.

The report gives the requests, the rate, the errors by endpoint (a status other than 2xx/3xx, a
network error, a page that sent the user back to the login form, a sheet not accepted) and the
50th/95th/99th percentile latency of each endpoint group; the target is no error and a 95th
percentile under 300 ms in every group. Logins and a short warm-up (the first request of each
page in each worker compiles templates) are not measured. It also prints the CPU time the gunicorn
workers used per request, their share of the cores and the machine's load average: when other
processes take the CPU from the server, the latencies measure its queue. gunicorn is stopped on
the way out, also on Ctrl-C; its log is var/load-gunicorn.log.

The users are threads, each with its own requests.Session (its own cookies and keep-alive
connection, like a browser tab): requests is already installed, and blocking calls release the
interpreter while they wait, so a hundred-odd users cost the client little. Latencies are wall
times in the client, from sending a request to reading its last byte; on a 2-core machine the
client shares the CPU with the server, as it would with a reverse proxy.

Cookies: without DEBUG the session and CSRF cookies are marked Secure. A browser sends Secure
cookies to http://127.0.0.1 (a loopback address counts as a secure context); the client here does
the same, so the settings need no change for the run.
"""

import argparse
import math
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

import requests
from requests.cookies import RequestsCookieJar

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/zonehr_load"
TARGET_P95_MS = 300.0
TIMELINE_STEP = 5  # seconds
GUNICORN_LOG = ROOT / "var" / "load-gunicorn.log"
LOGIN_PATH = "/accounts/login/"
REQUEST_TIMEOUT = 30  # seconds; a slower answer counts as an error

JUDGE_THINK = (3.0, 5.0)  # between candidates
JUDGE_TYPING = (0.3, 0.8)  # between two marks of a sheet
BOARD_POLL = 2.0  # hx-trigger="every 2s"
HR_THINK = (1.0, 3.0)
FINANCE_THINK = (5.0, 10.0)

# Who the simulated users log in as (several sessions may share a login).
VIEWER_LOGINS = ("hr", "leader", "inspector")  # the board is for HR, leadership and the inspector
HR_LOGIN = "hr"
FINANCE_LOGIN = "finance"
# The demo's judge and judge2..judge7 (recruitment.demo), then external experts created here.
JUDGES = ("judge", *(f"judge{number}" for number in range(2, 10)))
MORE_JUDGES = {"judge8": "韩立新", "judge9": "曹婉清"}
MIN_JUDGES = 5  # recruitment.setup.MIN_PANEL_JUDGES
LOAD_CAMPAIGN = "负载测试：现场面试"


# --- Statistics ----------------------------------------------------------------------------


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (as bench/run.py): the smallest value with at least `fraction`
    of the values at or below it."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    return ordered[max(math.ceil(fraction * len(ordered)), 1) - 1]


@dataclass(frozen=True)
class Outcome:
    """One request: its endpoint group, wall time, why it failed ("" when it did not), and when it
    started (seconds into the measured window)."""

    group: str
    ms: float
    error: str = ""
    at: float = 0.0


@dataclass(frozen=True)
class GroupSummary:
    group: str
    requests: int
    errors: int
    p50: float
    p95: float
    p99: float


@dataclass(frozen=True)
class Summary:
    seconds: float
    requests: int
    errors: int
    groups: list[GroupSummary]  # slowest 95th percentile first
    overall: GroupSummary
    error_reasons: dict[str, Counter]  # group -> reason -> count
    target_p95_ms: float
    timeline: list[tuple[int, int, float]]  # (start second, requests, p95 ms) of each TIMELINE_STEP

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    @property
    def slow_groups(self) -> list[GroupSummary]:
        return [group for group in self.groups if group.p95 >= self.target_p95_ms]

    @property
    def target_met(self) -> bool:
        return self.errors == 0 and not self.slow_groups


def _group_summary(name: str, outcomes: Sequence[Outcome]) -> GroupSummary:
    times = [outcome.ms for outcome in outcomes]
    return GroupSummary(
        group=name,
        requests=len(outcomes),
        errors=sum(1 for outcome in outcomes if outcome.error),
        p50=percentile(times, 0.50),
        p95=percentile(times, 0.95),
        p99=percentile(times, 0.99),
    )


def summarize(outcomes: Sequence[Outcome], *, seconds: float, target_p95_ms: float = TARGET_P95_MS) -> Summary:
    """Counts, errors by endpoint group and reason, latency percentiles per group and overall, and
    the 95th percentile over time (a stall of the server shows as a slow stretch of seconds)."""
    if not outcomes:
        raise ValueError("no requests were made")
    by_group: dict[str, list[Outcome]] = defaultdict(list)
    by_time: dict[int, list[float]] = defaultdict(list)
    reasons: dict[str, Counter] = defaultdict(Counter)
    for outcome in outcomes:
        by_group[outcome.group].append(outcome)
        by_time[int(outcome.at // TIMELINE_STEP) * TIMELINE_STEP].append(outcome.ms)
        if outcome.error:
            reasons[outcome.group][outcome.error] += 1
    groups = sorted((_group_summary(name, rows) for name, rows in by_group.items()), key=lambda g: (-g.p95, g.group))
    overall = _group_summary("all requests", outcomes)
    return Summary(
        seconds=seconds,
        requests=len(outcomes),
        errors=overall.errors,
        groups=groups,
        overall=overall,
        error_reasons=dict(reasons),
        target_p95_ms=target_p95_ms,
        timeline=[(start, len(times), percentile(times, 0.95)) for start, times in sorted(by_time.items())],
    )


def report(summary: Summary) -> str:
    rows = [("endpoint group", "requests", "errors", "p50 ms", "p95 ms", "p99 ms")]
    for group in [*summary.groups, summary.overall]:
        rows.append(
            (
                group.group,
                str(group.requests),
                str(group.errors),
                f"{group.p50:.1f}",
                f"{group.p95:.1f}",
                f"{group.p99:.1f}",
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(6)]
    lines = [
        f"requests: {summary.requests} in {summary.seconds:.1f} s = {summary.rate:.1f} per second; "
        f"errors: {summary.errors}",
        "",
    ]
    for index, row in enumerate(rows):
        if index == len(rows) - 1:
            lines.append("  ".join("-" * width for width in widths))
        cells = [
            cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells))
    lines.append("")
    lines.append(
        f"p95 by {TIMELINE_STEP} s of the window: "
        + " · ".join(f"{start}s {p95:.0f}" for start, _count, p95 in summary.timeline)
    )
    if summary.error_reasons:
        lines.append("errors by endpoint:")
        for group in sorted(summary.error_reasons):
            for reason, count in summary.error_reasons[group].most_common():
                lines.append(f"  {group}: {reason} × {count}")
    else:
        lines.append("errors by endpoint: none")
    target = f"no errors and p95 under {summary.target_p95_ms:.0f} ms in every endpoint group"
    if summary.target_met:
        lines.append(f"target ({target}): met")
    else:
        misses = []
        if summary.errors:
            misses.append(f"{summary.errors} errors")
        misses += [f"{group.group} p95 {group.p95:.1f} ms" for group in summary.slow_groups]
        lines.append(f"target ({target}): MISSED — {'; '.join(misses)}")
    return "\n".join(lines)


# --- What the users request ------------------------------------------------------------------


@dataclass(frozen=True)
class ZoneIds:
    """What the URLs are made of, read from the database once it is prepared."""

    staff: int
    department_ids: tuple[int, ...]
    person_ids: tuple[int, ...]  # a sample
    surnames: tuple[str, ...]  # for the roster's name search
    statuses: tuple[str, ...]
    identities: tuple[str, ...]
    cycle_ids: tuple[int, ...]
    campaign_ids: tuple[int, ...]
    round_id: int  # the interview round open for the load
    panel_id: int
    roster_page_size: int
    # (group, url) of the salary sheets and bank files of closed pay periods; empty without them.
    payroll_downloads: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Step:
    """A kind of page a user opens: one of `urls` picked at random, chosen with `weight`."""

    group: str
    urls: tuple[str, ...]
    weight: int = 1


@dataclass(frozen=True)
class Plan:
    hr: tuple[Step, ...]
    finance: tuple[Step, ...]
    board_page: str
    board_rows: str
    panel: str

    @staticmethod
    def pick(steps: Sequence[Step], rng: random.Random) -> tuple[str, str]:
        step = rng.choices(steps, weights=[s.weight for s in steps])[0]
        return step.group, rng.choice(step.urls)


def _query(path: str, **params: object) -> str:
    return f"{path}?{urlencode(params)}"


def url_plan(ids: ZoneIds) -> Plan:
    """The URLs each kind of user requests, by endpoint group. Needs the URLconf, not the database."""
    from django.urls import reverse

    roster = reverse("staffing:roster")
    pages = max(1, math.ceil(ids.staff / ids.roster_page_size))
    filtered = [
        *(_query(roster, department=pk) for pk in ids.department_ids),
        *(_query(roster, status=status) for status in ids.statuses),
        *(_query(roster, identity=identity) for identity in ids.identities),
        *(_query(roster, q=surname) for surname in ids.surnames),
        *(_query(roster, page=page) for page in range(2, pages + 1)),
        *(_query(roster, department=pk, order="-joined_on") for pk in ids.department_ids),
    ]
    cycles = ids.cycle_ids
    hr: list[Step] = [
        Step("dashboard", (reverse("dashboard"),), 2),
        Step("roster", (roster,), 2),
        Step("roster filtered", tuple(filtered), 4),
        Step("person", tuple(reverse("staffing:person_detail", args=[pk]) for pk in ids.person_ids), 4),
        Step("department tree", (reverse("staffing:departments"),), 1),
        Step("campaign list", (reverse("recruitment:campaigns"),), 1),
        Step(
            "campaign detail",
            tuple(reverse("recruitment:campaign_detail", args=[pk]) for pk in ids.campaign_ids),
            1,
        ),
    ]
    if cycles:
        hr += [
            Step("cycle list", (reverse("assessment:cycles"),), 1),
            Step("cycle detail", tuple(reverse("assessment:cycle_detail", args=[pk]) for pk in cycles), 1),
            Step("cycle kpi tree", tuple(reverse("assessment:kpi", args=[pk]) for pk in cycles), 1),
            Step("cycle ratings", tuple(reverse("assessment:ratings", args=[pk]) for pk in cycles), 1),
        ]
    if ids.payroll_downloads:
        by_group: dict[str, list[str]] = defaultdict(list)
        for group, url in ids.payroll_downloads:
            by_group[group].append(url)
        finance = tuple(Step(group, tuple(urls)) for group, urls in by_group.items())
    else:
        export = reverse("staffing:roster_export")
        finance = (
            Step("roster export xlsx", (export,)),
            Step(
                "roster export xlsx filtered",
                tuple(
                    [_query(export, department=pk) for pk in ids.department_ids]
                    + [_query(export, status=status) for status in ids.statuses]
                ),
            ),
        )
    return Plan(
        hr=tuple(hr),
        finance=finance,
        board_page=reverse("recruitment:board", args=[ids.round_id]),
        board_rows=reverse("recruitment:board_rows", args=[ids.round_id]),
        panel=reverse("recruitment:scoring_panel", args=[ids.panel_id]),
    )


# --- Preparation (in this process, through Django) ---------------------------------------------


def run_environment(database_url: str) -> dict[str, str]:
    """The settings of the run, for the preparation here and for gunicorn (zonehr/settings.py)."""
    return {
        "DJANGO_SETTINGS_MODULE": "zonehr.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
    }


def database_ensure(database_url: str, *, fresh: bool) -> str:
    """Create the database if absent (drop it first with `fresh`); returns what was done."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(database_url)
    if "postgresql" not in config["ENGINE"]:
        raise SystemExit(f"DATABASE_URL must name a PostgreSQL database, not {config['ENGINE']}")
    name = config["NAME"]
    with psycopg.connect(
        dbname="postgres",
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        autocommit=True,
    ) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None
        if exists and fresh:
            connection.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = False
            done = "dropped and created"
        else:
            done = "created" if not exists else "kept"
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return f"database {name}: {done}"


def django_setup(environment: dict[str, str]) -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.update(environment)
    import django

    django.setup()


def _judges_ensure(count: int) -> list:
    """judge, judge2, …: the demo's and, beyond them, new ones with the judge role and demo password."""
    from django.contrib.auth.models import Group

    from zonehr.models import User
    from zonehr.roles import Role

    known = User.objects.get(username="judge")
    group = Group.objects.get(name=Role.JUDGE.value)
    judges = []
    for username in JUDGES[:count]:
        user = User.objects.filter(username=username).first()
        if user is None:
            # The demo logins' hash is reused, as the demo does: hashing is slow by design.
            user = User.objects.create(username=username, first_name=MORE_JUDGES[username], password=known.password)
            user.groups.set([group])
        judges.append(user)
    return judges


@dataclass(frozen=True)
class LoadRound:
    round_id: int
    panel_id: int
    judges: tuple[str, ...]  # usernames
    candidates: int


def scoring_round_prepare(*, judges: int, candidates: int) -> LoadRound:
    """A competitive campaign with one interview round (100 %), open, `judges` judges on its panel
    and `candidates` staff in its running order, set up through the recruitment services as HR
    would."""
    from django.db.models import Count, Q

    from recruitment import services, setup
    from recruitment.demo import CRITERIA
    from recruitment.models import Application, Campaign, CampaignPost, Criterion, Panel, Round
    from staffing import demo as zone
    from staffing.models import Appointment, Person, Post
    from zonehr.models import User

    hr = User.objects.get(username="hr")
    panel_judges = _judges_ensure(judges)
    campaign = setup.campaign_save(
        actor=hr,
        campaign=Campaign(
            name=LOAD_CAMPAIGN,
            method=Appointment.Method.COMPETITIVE,
            description="面向全区在岗人员竞聘空缺岗位，现场面试（100%）。",
            tie_break=[Round.Kind.INTERVIEW],
            unplaced_to_waiting=False,
        ),
    )
    posts = (
        Post.objects.filter(is_active=True, is_leadership=False, level__is_negotiated=False)
        .annotate(held=Count("appointments", filter=Q(appointments__status=Appointment.Status.ACTIVE)))
        .exclude(department__code=zone.HEAD_A_DEPARTMENT)
        .order_by("code")
    )
    offered = [
        setup.campaign_post_save(actor=hr, campaign_post=CampaignPost(campaign=campaign, post=post, places=1))
        for post in posts[:2]
    ]
    interview = setup.round_save(
        actor=hr,
        round_=Round(campaign=campaign, kind=Round.Kind.INTERVIEW, name="现场面试", weight=Decimal(100)),
    )
    for order, (name, maximum) in enumerate(CRITERIA, start=1):
        setup.criterion_save(
            actor=hr, criterion=Criterion(round=interview, name=name, maximum=Decimal(maximum), order=order)
        )
    services.campaign_advance(actor=hr, campaign=campaign)  # applications open
    # Staff on ordinary posts without a login, who have applied nowhere yet.
    people = (
        Person.objects.filter(
            status=Person.Status.ON_POST,
            user__isnull=True,
            appointments__status=Appointment.Status.ACTIVE,
            appointments__post__is_leadership=False,
        )
        .exclude(pk__in=Application.objects.filter(person__isnull=False).values("person_id"))
        .distinct()
        .order_by("national_id")[:candidates]
    )
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
    services.campaign_advance(actor=hr, campaign=campaign)  # qualification review
    for application in applications:
        services.application_review(actor=hr, application=application, qualified=True)
    services.campaign_advance(actor=hr, campaign=campaign)  # rounds
    panel = setup.panel_save(
        actor=hr, panel=Panel(round=interview, name="第一考场"), judges=panel_judges, chair=panel_judges[0]
    )
    setup.panel_candidates_draw(actor=hr, panel=panel, order=setup.DrawOrder.REGISTRATION)
    services.round_open(actor=hr, round_=interview)
    return LoadRound(
        round_id=interview.pk,
        panel_id=panel.pk,
        judges=tuple(user.username for user in panel_judges),
        candidates=len(applications),
    )


def payroll_downloads() -> tuple[tuple[str, str], ...]:
    """The salary sheet and bank file of each closed pay period, when the payroll app serves them."""
    from django.urls import NoReverseMatch, reverse

    from payroll.models import PayPeriod

    periods = list(
        PayPeriod.objects.filter(status=PayPeriod.Status.CLOSED)
        .order_by("-year", "-month")
        .values_list("pk", flat=True)
    )
    downloads = []
    for pk in periods:
        try:
            downloads += [
                ("payroll salary sheet xlsx", reverse("payroll:salary_sheet", args=[pk])),
                ("payroll bank file", reverse("payroll:bank_file", args=[pk])),
            ]
        except NoReverseMatch:
            return ()
    return tuple(downloads)


def zone_ids(*, round_id: int, panel_id: int, seed: int) -> ZoneIds:
    from assessment.models import Cycle
    from recruitment.models import Campaign
    from staffing.models import Department, Person
    from staffing.views import ROSTER_PAGE_SIZE

    rng = random.Random(seed)
    people = list(Person.objects.order_by("pk").values_list("pk", "name"))
    sample = rng.sample(people, min(300, len(people)))
    return ZoneIds(
        staff=len(people),
        department_ids=tuple(Department.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True)),
        person_ids=tuple(pk for pk, _name in sample),
        surnames=tuple(sorted({name[0] for _pk, name in sample[:40] if name})),
        statuses=tuple(Person.Status.values),
        identities=tuple(Person.Identity.values),
        cycle_ids=tuple(Cycle.objects.order_by("pk").values_list("pk", flat=True)),
        campaign_ids=tuple(Campaign.objects.order_by("pk").values_list("pk", flat=True)),
        round_id=round_id,
        panel_id=panel_id,
        roster_page_size=ROSTER_PAGE_SIZE,
        payroll_downloads=payroll_downloads(),
    )


def prepare(args: argparse.Namespace, environment: dict[str, str]) -> tuple[ZoneIds, list[str]]:
    """The database ready for the run; returns the ids of the plan and the judges' usernames."""
    import io

    print(database_ensure(environment["DATABASE_URL"], fresh=args.fresh), flush=True)
    django_setup(environment)
    from django.core.management import call_command
    from django.db import connection, connections

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    built = io.StringIO()
    call_command("demo_zone", flush=True, staff=args.staff, seed=args.seed, stdout=built)
    print(built.getvalue().splitlines()[0], flush=True)
    load_round = scoring_round_prepare(judges=args.judges, candidates=args.candidates)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # the steady state autovacuum keeps, not a freshly loaded table
    ids = zone_ids(round_id=load_round.round_id, panel_id=load_round.panel_id, seed=args.seed)
    connections.close_all()
    print(
        f"prepared in {time.perf_counter() - started:.1f} s: “{LOAD_CAMPAIGN}”, round {load_round.round_id} open, "
        f"panel {load_round.panel_id} with {len(load_round.judges)} judges and {load_round.candidates} candidates",
        flush=True,
    )
    return ids, list(load_round.judges)


# --- gunicorn ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn in its own session, so that Ctrl-C reaches this script, which then stops it."""

    def __init__(self, *, port: int, workers: int, threads: int, environment: dict[str, str]) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.command = [
            str(Path(sys.executable).parent / "gunicorn"),
            "zonehr.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--worker-class",
            "gthread",
            # Longer than any pause between two requests of a user, so that the server never
            # closes an idle connection just as the client sends on it.
            "--keep-alive",
            "30",
            "--graceful-timeout",
            "20",
        ]
        self.environment = {**os.environ, **environment}
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        GUNICORN_LOG.parent.mkdir(exist_ok=True)
        log = GUNICORN_LOG.open("w")
        self.process = subprocess.Popen(
            self.command, cwd=ROOT, env=self.environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()

    def wait_healthy(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if requests.get(f"{self.base}/health/", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"/health/ did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self) -> str:
        """TERM (gunicorn finishes the requests in hand), then KILL if it hangs."""
        if self.process is None or self.process.poll() is not None:
            return "gunicorn was not running"
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            code = self.process.wait()
            return f"gunicorn killed after 30 s (exit {code})"
        return f"gunicorn stopped (exit {code})"

    def workers_cpu_seconds(self) -> float:
        """CPU time (user and system) the workers have used so far, read from Linux's /proc."""
        used = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                # After the command name in parentheses: state, ppid, …, utime and stime (fields 14, 15).
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # the process has gone
            if int(fields[1]) == self.process.pid:
                used += int(fields[11]) + int(fields[12])
        return used / os.sysconf("SC_CLK_TCK")

    @staticmethod
    def log_tail(lines: int = 20) -> str:
        try:
            return "\n".join(GUNICORN_LOG.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


# --- Simulated users -------------------------------------------------------------------------

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
NEXT_SHEET = re.compile(r'class="card now-scoring">.*?href="([^"]+)"', re.DOTALL)
MARK_INPUT = re.compile(r'<input[^>]*\bname="(criterion_\d+)"[^>]*>')
MAXIMUM = re.compile(r'\bmax="([\d.]+)"')
TOTAL_URL = re.compile(r'hx-post="([^"]+/total/)"')
HTMX = {"HX-Request": "true"}


class Recorder:
    """The outcomes of the measured window, from every user thread."""

    def __init__(self) -> None:
        self.outcomes: list[Outcome] = []
        self.measuring = False
        self.started = time.perf_counter()
        self._lock = threading.Lock()

    def start(self) -> None:
        self.started = time.perf_counter()
        self.measuring = True

    def add(self, outcome: Outcome) -> None:
        if self.measuring:
            with self._lock:
                self.outcomes.append(outcome)


class LoopbackCookieJar(RequestsCookieJar):
    """Keeps the Secure session and CSRF cookies usable over http://127.0.0.1, as browsers do for
    a loopback address (requests copies the jar for each request, so a cookie policy would be lost)."""

    def set_cookie(self, cookie, *args, **kwargs):
        cookie.secure = False
        return super().set_cookie(cookie, *args, **kwargs)


class Browser:
    """One user's session: cookies, a keep-alive connection, and timed requests."""

    def __init__(self, base: str, recorder: Recorder) -> None:
        self.base = base
        self.recorder = recorder
        self.session = requests.Session()
        self.session.headers["User-Agent"] = "zonehr-load"
        self.session.cookies = LoopbackCookieJar()

    def request(self, method: str, group: str, path: str, *, expect: int | None = None, **kwargs):
        """Time one request and record its outcome; returns the response, or None on a network error."""
        started = time.perf_counter()
        try:
            response = self.session.request(
                method, self.base + path, allow_redirects=False, timeout=REQUEST_TIMEOUT, **kwargs
            )
        except requests.RequestException as exc:
            elapsed = (time.perf_counter() - started) * 1000
            self.recorder.add(Outcome(group, elapsed, type(exc).__name__, started - self.recorder.started))
            return None
        elapsed = (time.perf_counter() - started) * 1000
        self.recorder.add(Outcome(group, elapsed, failure(response, expect), started - self.recorder.started))
        return response

    def login(self, username: str, password: str) -> None:
        page = self.session.get(self.base + LOGIN_PATH, timeout=REQUEST_TIMEOUT)
        token = CSRF_INPUT.search(page.text)
        response = self.session.post(
            self.base + LOGIN_PATH,
            data={"csrfmiddlewaretoken": token.group(1) if token else "", "username": username, "password": password},
            allow_redirects=False,
            timeout=REQUEST_TIMEOUT,
        )
        if response.status_code != 302 or response.headers.get("Location", "").startswith(LOGIN_PATH):
            raise RuntimeError(f"login of {username} failed: HTTP {response.status_code}")


def failure(response, expect: int | None) -> str:
    """Why a response counts as an error, or ""."""
    status = response.status_code
    if not 200 <= status < 400:
        return f"HTTP {status}"
    if status in (301, 302) and response.headers.get("Location", "").startswith(LOGIN_PATH):
        return "sent back to the login page"
    if expect is not None and status != expect:
        return f"HTTP {status}, expected {expect}"
    return ""


def half_points(maximum: Decimal, rng: random.Random) -> Decimal:
    """A mark between 60 % and 100 % of the maximum, in half points, as judges mark."""
    low = int(maximum * 6 / 10) * 2
    return Decimal(rng.randint(low, int(maximum) * 2)) / 2


class Tally:
    """Counts kept by the user threads (sheets submitted, judges done, client problems)."""

    def __init__(self) -> None:
        self.counts: Counter = Counter()
        self._lock = threading.Lock()

    def add(self, what: str) -> None:
        with self._lock:
            self.counts[what] += 1


def judge(browser: Browser, plan: Plan, stop: threading.Event, rng: random.Random, tally: Tally) -> None:
    """Score candidate after candidate from the panel page until none is left or time is up."""
    stop.wait(rng.uniform(0, JUDGE_THINK[1]))
    panel = browser.request("GET", "scoring panel", plan.panel, expect=200)
    while not stop.is_set() and panel is not None:
        found = NEXT_SHEET.search(panel.text)
        if found is None:
            tally.add("judges done")
            return
        sheet_url = found.group(1)
        sheet = browser.request("GET", "scoring sheet", sheet_url, expect=200)
        token = CSRF_INPUT.search(sheet.text) if sheet is not None else None
        total_url = TOTAL_URL.search(sheet.text) if sheet is not None else None
        if token is None or total_url is None:
            tally.add("judges stopped by an unexpected sheet page")
            return
        token, total_url = token.group(1), total_url.group(1)
        form = {"csrfmiddlewaretoken": token}
        for tag in MARK_INPUT.finditer(sheet.text):
            if stop.wait(rng.uniform(*JUDGE_TYPING)):
                return
            form[tag.group(1)] = str(half_points(Decimal(MAXIMUM.search(tag.group(0)).group(1)), rng))
            # hx-post of the enclosing form's values; the token comes in the hx-headers of <body>.
            browser.request(
                "POST",
                "sheet running total (htmx)",
                total_url,
                expect=200,
                data=form,
                headers={**HTMX, "X-CSRFToken": token},
            )
        submitted = browser.request("POST", "sheet submit", sheet_url, expect=302, data={**form, "action": "submit"})
        if submitted is not None and submitted.status_code == 302:
            tally.add("sheets submitted")
        # The redirect lands on the panel page; the next interview takes a while.
        panel = browser.request("GET", "scoring panel", plan.panel, expect=200)
        stop.wait(rng.uniform(*JUDGE_THINK))


def viewer(browser: Browser, plan: Plan, stop: threading.Event, rng: random.Random) -> None:
    """The hall screen's htmx: its timer fires every 2 s whatever the answers take; a poll due while
    the previous one is awaited is queued (only the last) and sent as soon as the answer is in."""
    tick = time.monotonic() + rng.uniform(0, BOARD_POLL)
    while not stop.wait(max(0.0, tick - time.monotonic())):
        tick += BOARD_POLL
        browser.request("GET", "board rows (htmx)", plan.board_rows, expect=200, headers=HTMX)
        while time.monotonic() >= tick and not stop.is_set():
            tick += BOARD_POLL * (1 + (time.monotonic() - tick) // BOARD_POLL)
            browser.request("GET", "board rows (htmx)", plan.board_rows, expect=200, headers=HTMX)


def browse(
    browser: Browser, steps: Sequence[Step], think: tuple[float, float], stop: threading.Event, rng: random.Random
) -> None:
    """Open a page, think, open another, until time is up."""
    while not stop.wait(rng.uniform(*think)):
        group, url = Plan.pick(steps, rng)
        browser.request("GET", group, url, expect=200)


@dataclass
class Crowd:
    judges: list[Browser] = field(default_factory=list)
    viewers: list[Browser] = field(default_factory=list)
    hr: list[Browser] = field(default_factory=list)
    finance: list[Browser] = field(default_factory=list)

    @property
    def everyone(self) -> list[Browser]:
        return [*self.judges, *self.viewers, *self.hr, *self.finance]


def log_in(crowd: Crowd, *, judges: Sequence[str], password: str, plan: Plan) -> float:
    """Every user logs in (the hall screens also open the board page); returns the seconds taken."""
    logins: list[tuple[Browser, str]] = list(zip(crowd.judges, judges, strict=True))
    logins += [(browser, VIEWER_LOGINS[index % len(VIEWER_LOGINS)]) for index, browser in enumerate(crowd.viewers)]
    logins += [(browser, HR_LOGIN) for browser in crowd.hr]
    logins += [(browser, FINANCE_LOGIN) for browser in crowd.finance]

    def one(pair: tuple[Browser, str]) -> None:
        browser, username = pair
        browser.login(username, password)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(one, logins))
        list(pool.map(lambda b: b.session.get(b.base + plan.board_page, timeout=REQUEST_TIMEOUT), crowd.viewers))
    return time.perf_counter() - started


def warm_up(crowd: Crowd, plan: Plan, workers: int) -> int:
    """Each page kind a few times on fresh connections, so that every worker has compiled its
    templates before the measured window; nothing is recorded and no sheet is written."""
    hr, finance = crowd.hr[0], crowd.finance[0]
    calls = [(crowd.viewers[0], plan.board_rows), (crowd.judges[0], plan.panel)]
    panel = crowd.judges[0].session.get(crowd.judges[0].base + plan.panel, timeout=REQUEST_TIMEOUT)
    if sheet := NEXT_SHEET.search(panel.text):
        calls.append((crowd.judges[0], sheet.group(1)))  # read only: opening a sheet writes nothing
    calls += [(hr, step.urls[0]) for step in plan.hr] + [(finance, step.urls[0]) for step in plan.finance]
    count = 0
    for browser, url in calls:
        for _ in range(2 * workers):
            browser.session.get(browser.base + url, headers={"Connection": "close"}, timeout=REQUEST_TIMEOUT)
            count += 1
    return count


def run_load(crowd: Crowd, plan: Plan, *, duration: float, recorder: Recorder, seed: int) -> tuple[float, Counter]:
    """Every user in its thread for `duration` seconds; returns the measured seconds and the judges' tally."""
    stop = threading.Event()
    tally = Tally()
    targets: list[Callable[[], None]] = []
    for index, browser in enumerate(crowd.everyone):
        rng = random.Random(seed * 1000 + index)
        if browser in crowd.judges:
            targets.append(lambda b=browser, r=rng: judge(b, plan, stop, r, tally))
        elif browser in crowd.viewers:
            targets.append(lambda b=browser, r=rng: viewer(b, plan, stop, r))
        elif browser in crowd.hr:
            targets.append(lambda b=browser, r=rng: browse(b, plan.hr, HR_THINK, stop, r))
        else:
            targets.append(lambda b=browser, r=rng: browse(b, plan.finance, FINANCE_THINK, stop, r))

    def guarded(target: Callable[[], None]) -> None:
        try:
            target()
        except Exception as exc:  # a bug of the client, not an answer of the server: shown apart
            tally.add(f"users stopped by a client error ({type(exc).__name__}: {exc})")

    threads = [threading.Thread(target=guarded, args=(target,), daemon=True) for target in targets]
    recorder.start()
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    try:
        stop.wait(duration)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=REQUEST_TIMEOUT + 5)
        recorder.measuring = False
    return time.perf_counter() - started, tally.counts


@dataclass(frozen=True)
class CpuUsage:
    """Who used the CPU during the window: on a shared machine other processes take it from the server."""

    load_average: float
    client: float
    workers: float

    @classmethod
    def start(cls, server: Server) -> "CpuUsage":
        return cls(os.getloadavg()[0], time.process_time(), server.workers_cpu_seconds())

    def report(self, server: Server, *, seconds: float, requests: int) -> str:
        workers = server.workers_cpu_seconds() - self.workers
        client = time.process_time() - self.client
        cores = os.cpu_count() or 1
        return (
            f"CPU: gunicorn workers {workers:.1f} s = {workers * 1000 / max(requests, 1):.1f} ms per request, "
            f"{workers / seconds / cores:.0%} of the {cores} cores; the client {client:.1f} s; "
            f"machine load average (1 min) {self.load_average:.1f} before, {os.getloadavg()[0]:.1f} after"
        )


# --- Command line ----------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=60.0, help="measured seconds (default 60)")
    parser.add_argument("--fresh", action="store_true", help="drop and create the database first")
    parser.add_argument("--strict", action="store_true", help="exit 1 when the target is missed")
    parser.add_argument("--staff", type=int, default=250, help="people in the demo zone (default 250, the demo's)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--judges", type=int, default=9, help="on the panel, 5 to 9")
    parser.add_argument("--candidates", type=int, default=20, help="in the running order (enough for the minute)")
    parser.add_argument("--viewers", type=int, default=100, help="hall screens polling the board")
    parser.add_argument("--hr", type=int, default=20, help="HR officers browsing")
    parser.add_argument("--finance", type=int, default=5, help="finance officers downloading")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (2 × cores − 1 on 2 cores)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    args = parser.parse_args(argv)
    if not MIN_JUDGES <= args.judges <= len(JUDGES):
        parser.error(f"--judges: a panel has at least {MIN_JUDGES} judges, and at most {len(JUDGES)} are set up here")
    return args


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt  # stopped like Ctrl-C, so gunicorn is stopped too


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    environment = run_environment(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))
    ids, judges = prepare(args, environment)
    plan = url_plan(ids)
    from staffing.demo import DEMO_PASSWORD

    if ids.payroll_downloads:
        downloads = "salary sheets and bank files of closed pay periods"
    else:
        downloads = "roster exports: no closed pay period, or the payroll app does not serve its files yet"
    server = Server(port=free_port(), workers=args.workers, threads=args.threads, environment=environment)
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.start()
        print("gunicorn: " + " ".join(server.command[1:]), flush=True)
        server.wait_healthy()
        recorder = Recorder()
        crowd = Crowd(
            judges=[Browser(server.base, recorder) for _ in judges],
            viewers=[Browser(server.base, recorder) for _ in range(args.viewers)],
            hr=[Browser(server.base, recorder) for _ in range(args.hr)],
            finance=[Browser(server.base, recorder) for _ in range(args.finance)],
        )
        login_seconds = log_in(crowd, judges=judges, password=DEMO_PASSWORD, plan=plan)
        print(f"{len(crowd.everyone)} users logged in in {login_seconds:.1f} s (not measured)", flush=True)
        print(f"warm-up: {warm_up(crowd, plan, args.workers)} requests (not measured)", flush=True)
        print(
            f"load: judges {len(judges)}, board viewers {args.viewers}, HR officers {args.hr}, "
            f"finance officers {args.finance} ({downloads}) for {args.duration:.0f} s "
            f"on {ids.staff} staff · {os.cpu_count()} cores",
            flush=True,
        )
        usage = CpuUsage.start(server)
        seconds, tally = run_load(crowd, plan, duration=args.duration, recorder=recorder, seed=args.seed)
        cpu = usage.report(server, seconds=seconds, requests=len(recorder.outcomes))
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        return 130
    finally:
        print(server.stop(), flush=True)
        signal.signal(signal.SIGTERM, previous)
    summary = summarize(recorder.outcomes, seconds=seconds)
    print(
        f"judges: {tally.pop('sheets submitted', 0)} sheets submitted, "
        f"{tally.pop('judges done', 0)} of {len(judges)} judges through the whole running order"
    )
    for problem, count in tally.items():
        print(f"client: {problem} × {count}")
    print(cpu)
    print(report(summary))
    return 1 if args.strict and not summary.target_met else 0


if __name__ == "__main__":
    sys.exit(main())
