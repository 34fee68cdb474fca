"""Benchmarks of ZoneHR at realistic sizes.

    python bench/run.py roster --staff 1000 10000 --runs 5
    python bench/run.py demo --staff 10000 --runs 3
    python bench/run.py ratings --staff 10000 --runs 5

Each run works in a fresh test database made from DATABASE_URL (SQLite by default) and
drops it afterwards, so no real data is touched. A benchmark is a function decorated with
@benchmark that builds its data, measures an operation with `measure` and returns a Result.
"""

import argparse
import gc
import math
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Sample:
    """One measured operation: the time and query count of each run."""

    label: str
    detail: str = ""
    ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.ms)

    @property
    def p95_ms(self) -> float:
        """Nearest-rank 95th percentile: with few runs it is the slowest one."""
        ordered = sorted(self.ms)
        return ordered[math.ceil(0.95 * len(ordered)) - 1]

    @property
    def queries_text(self) -> str:
        low, high = min(self.queries), max(self.queries)
        return str(low) if low == high else f"{low}–{high}"


@dataclass
class Result:
    size: str  # what the data held, e.g. "10000 people, 40 departments, 724 posts"
    samples: list[Sample]


@dataclass(frozen=True)
class Benchmark:
    name: str
    description: str
    run: Callable[..., Result]  # run(*, staff: int, runs: int, seed: int) -> Result


BENCHMARKS: dict[str, Benchmark] = {}


def benchmark(name: str, description: str) -> Callable:
    """Register a benchmark under `name` for the command line."""

    def register(func: Callable[..., Result]) -> Callable[..., Result]:
        BENCHMARKS[name] = Benchmark(name, description, func)
        return func

    return register


def measure(sample: Sample, operation: Callable[[], Any]) -> Any:
    """Run `operation` once, adding its wall time and query count to `sample`."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        result = operation()
        elapsed = time.perf_counter() - started
    sample.ms.append(elapsed * 1000)
    sample.queries.append(len(captured))
    return result


def zone_build(*, staff: int, seed: int, flush: bool = True):
    """The demo zone of `staff` people, replacing whatever staffing data is there."""
    from django.db import transaction

    from staffing import demo

    with transaction.atomic():
        if flush:
            demo.demo_zone_flush()
        summary = demo.demo_zone_build(staff=staff, seed=seed)
    _settle()
    return summary


def _settle() -> None:
    """Bring PostgreSQL's statistics and visibility map to the steady state autovacuum keeps in
    production, so a freshly loaded table is not measured by its first, cold scans."""
    from django.db import connection

    # VACUUM cannot run in a transaction, as under the test suite; there it is not needed.
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def _size(summary) -> str:
    return (
        f"{summary.staff} people, {summary.departments} departments, {summary.posts} posts, "
        f"{summary.held} active appointments"
    )


@benchmark("demo", "Build the demo zone of N staff (the flush before each run is not timed).")
def demo_build(*, staff: int, runs: int, seed: int) -> Result:
    from django.db import transaction

    from staffing import demo

    sample = Sample("build demo zone", f"--staff {staff}")
    summary = None
    for _ in range(runs):
        with transaction.atomic():
            demo.demo_zone_flush()
        gc.collect()  # so that one run's garbage is not collected on the next run's clock
        summary = measure(sample, partial(zone_build, staff=staff, seed=seed, flush=False))
    return Result(_size(summary), [sample])


def _get(client, url: str) -> None:
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")


@benchmark("roster", "Roster page (page 1 and the last page) and the people API, as the HR officer.")
def roster(*, staff: int, runs: int, seed: int) -> Result:
    from django.conf import settings
    from django.test import Client

    from staffing.views import ROSTER_PAGE_SIZE
    from zonehr.models import User

    summary = zone_build(staff=staff, seed=seed)
    # Building leaves a large heap behind; collect it now, not during the first measured request.
    gc.collect()
    client = Client()
    client.force_login(User.objects.get(username="hr"))
    last_page = math.ceil(summary.staff / ROSTER_PAGE_SIZE)
    last_api_page = math.ceil(summary.staff / settings.REST_FRAMEWORK["PAGE_SIZE"])
    requests = [
        ("roster page 1", "/staffing/roster/"),
        ("roster deep page", f"/staffing/roster/?page={last_page}"),
        ("api people page 1", "/api/staffing/people/"),
        ("api people deep page", f"/api/staffing/people/?page={last_api_page}"),
    ]
    samples = []
    for label, url in requests:
        sample = Sample(label, url)
        _get(client, url)  # warm-up: the first request compiles templates and fills caches
        for _ in range(runs):
            measure(sample, partial(_get, client, url))
        samples.append(sample)
    return Result(_size(summary), samples)


def _ratings_data(*, seed: int):
    """An annual cycle at the rating stage with an individual judged score for everyone on
    post, and the two years before it rated, so the bottom-share rule reads real history."""
    import random
    from decimal import Decimal

    from assessment.models import Cycle, Indicator, Rating
    from staffing.models import Appointment

    rng = random.Random(seed)
    on_post = list(
        Appointment.objects.filter(status=Appointment.Status.ACTIVE)
        .order_by("person_id")
        .values_list("person_id", "post__department_id")
    )
    for year in (2024, 2025):
        earlier = Cycle.objects.create(name=f"{year}年度考核", kind="annual", year=year, status=Cycle.Status.CONFIRMED)
        by_department: dict[int, list[tuple[int, Decimal]]] = {}
        for person_id, department_id in on_post:
            by_department.setdefault(department_id, []).append((person_id, Decimal(rng.randint(6000, 9900)) / 100))
        rows = []
        for department_id, entries in by_department.items():
            entries.sort(key=lambda entry: entry[1], reverse=True)
            rows += [
                Rating(
                    cycle=earlier,
                    person_id=person_id,
                    department_id=department_id,
                    group=f"department:{department_id}",
                    score=score,
                    rank=rank,
                    group_size=len(entries),
                    proposed_grade="competent",
                    grade="competent",
                )
                for rank, (person_id, score) in enumerate(entries, start=1)
            ]
        Rating.objects.bulk_create(rows, batch_size=2000)
    cycle = Cycle.objects.create(name="2026年度考核", kind="annual", year=2026, status=Cycle.Status.RATING)
    indicators = []
    for person_id, _department_id in on_post:
        score = Decimal(rng.randint(5000, 10000)) / 100
        indicators.append(
            Indicator(
                cycle=cycle,
                level="individual",
                person_id=person_id,
                name="个人工作实绩",
                rule="judged",
                weight=Decimal(100),
                judged=score,
                score=score,
            )
        )
    Indicator.objects.bulk_create(indicators, batch_size=2000)
    return cycle, len({department for _person, department in on_post})


@benchmark("ratings", "Rate everyone on post by department, with quotas and proposals (services.ratings_run).")
def ratings(*, staff: int, runs: int, seed: int) -> Result:
    import datetime as dt

    from assessment import services
    from assessment.models import ConsequenceProposal
    from zonehr.models import User

    summary = zone_build(staff=staff, seed=seed)
    cycle, groups = _ratings_data(seed=seed)
    hr = User.objects.get(username="hr")
    run = partial(services.ratings_run, actor=hr, cycle=cycle, as_of=dt.date(2026, 12, 31))
    run()  # warm-up; every measured run then replaces the ratings before, as a rerun does
    gc.collect()
    sample = Sample("ratings run", f"{groups} groups")
    for _ in range(runs):
        rated = measure(sample, run)
    proposals = ConsequenceProposal.objects.filter(rating__cycle=cycle).count()
    return Result(f"{_size(summary)}; {len(rated)} rated, {proposals} proposals", [sample])


# --- Command line ----------------------------------------------------------------------


def django_setup() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zonehr.settings")
    import django

    django.setup()
    from django.conf import settings

    # django.test.Client talks to the host "testserver".
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


@contextmanager
def fresh_database() -> Iterator[str]:
    """A new test database beside the configured one, dropped on the way out."""
    from django.db import connection

    if connection.vendor == "sqlite" and not connection.settings_dict["TEST"].get("NAME"):
        # A file rather than Django's in-memory default, so timings include real I/O.
        connection.settings_dict["TEST"]["NAME"] = str(ROOT / "var" / "bench.sqlite3")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield connection.settings_dict["NAME"]
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def report(benchmark_: Benchmark, result: Result, runs: int) -> str:
    rows = [("operation", "request", "median ms", "p95 ms", "queries")]
    rows += [(s.label, s.detail, f"{s.median_ms:.1f}", f"{s.p95_ms:.1f}", s.queries_text) for s in result.samples]
    widths = [max(len(row[column]) for row in rows) for column in range(5)]
    lines = [f"{benchmark_.name} · {result.size} · {runs} runs"]
    for row in rows:
        cells = [cell.ljust(w) if i < 2 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))]
        lines.append("  ".join(cells))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "benchmark",
        choices=sorted(BENCHMARKS),
        help="; ".join(f"{b.name}: {b.description}" for b in BENCHMARKS.values()),
    )
    parser.add_argument("--staff", type=int, nargs="+", default=[1000], help="data sizes, e.g. --staff 1000 10000")
    parser.add_argument("--runs", type=int, default=5, help="measured runs per operation (after one warm-up)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)

    django_setup()
    import django
    from django.db import connection

    chosen = BENCHMARKS[args.benchmark]
    with fresh_database() as name:
        print(f"database: {connection.vendor} {name} · Django {django.get_version()} · DEBUG={os.environ['DEBUG']}")
        for staff in args.staff:
            print()
            print(report(chosen, chosen.run(staff=staff, runs=args.runs, seed=args.seed), args.runs), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
