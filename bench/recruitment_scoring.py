"""Time on-site scoring under load: judges submit sheets while the hall screens poll the board.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zonehr_scoring_bench DEBUG=true \\
        .venv/bin/python bench/recruitment_scoring.py
    ... --candidates 60 --judges 9 --viewers 50 --poll 2 --think 0.5 --spread 0 --processes 1

PostgreSQL only: the submissions of a round are serialised on the round's row lock, which is
what this measures. Works in a fresh test database beside the one DATABASE_URL names
(test_<name>), dropped at the end.

One panel of --judges judges scores --candidates candidates. First, quietly, one judge submits
a few sheets and one viewer refreshes the board, alone. Then under load: for every candidate in
the running order the judges submit at the same moment (a barrier, like a room after each
interview), pausing --think seconds between candidates, while --viewers threads each refresh the
board's rows every --poll seconds as the hall screens' htmx does; --spread lets the judges
submit within that many seconds of each other instead of at the same moment. Every request
goes through django.test.Client (the whole middleware stack, no network), each thread with its
own client and database connection. The times are in-process wall times: threads of one process
share one Python interpreter, so under load they include waiting for it; --processes deals the
judges and viewers out to that many forked processes, as gunicorn's workers would share them.
The quiet figures show the cost of one request alone.
"""

import argparse
import random
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.run import Sample, django_setup, fresh_database  # noqa: E402

TARGET_P95_MS = 100
QUIET_SHEETS = 10
QUIET_REFRESHES = 30


@dataclass
class Scene:
    panel: Any
    round_: Any
    criteria: list
    judges: list
    viewers: list
    applications: list


def build(*, candidates: int, judges: int, viewers: int) -> Scene:
    """A campaign at its interview round, open, with one panel and its running order."""
    from django.contrib.auth.models import Group
    from django.db import transaction

    from recruitment import services
    from recruitment.models import (
        Application,
        ApplicationChoice,
        Campaign,
        CampaignPost,
        Criterion,
        Panel,
        PanelCandidate,
        Round,
    )
    from staffing.models import Appointment, Department, PositionLevel, Post, PostSeries
    from zonehr.models import User
    from zonehr.roles import Role

    with transaction.atomic():
        series = PostSeries.objects.create(code="clerical", name="文职")
        level = PositionLevel.objects.create(series=series, rank=5, name="五级职位", min_grade=1, max_grade=5)
        department = Department.objects.create(name="招商一部", code="B01", kind=Department.Kind.FRONTLINE)
        post = Post.objects.create(department=department, name="招商一部部长", code="B01-01", level=level, headcount=2)
        campaign = Campaign.objects.create(
            name="2025年中层干部竞聘", method=Appointment.Method.COMPETITIVE, status=Campaign.Status.ROUNDS
        )
        offered = CampaignPost.objects.create(campaign=campaign, post=post, places=1)
        interview = Round.objects.create(
            campaign=campaign, order=1, kind=Round.Kind.INTERVIEW, name="现场面试", weight=Decimal(100)
        )
        criteria = [
            Criterion.objects.create(round=interview, name=name, maximum=Decimal(maximum), order=order)
            for order, (name, maximum) in enumerate([("综合分析", 40), ("岗位认知", 30), ("表达能力", 30)])
        ]
        # External candidates need no staff record; they are qualified as the rounds begin.
        applications = Application.objects.bulk_create(
            Application(
                campaign=campaign,
                external_name=f"考生{number:03d}",
                external_national_id=f"1306001990010{number:05d}",
                status=Application.Status.QUALIFIED,
                declared_truthful=True,
            )
            for number in range(candidates)
        )
        ApplicationChoice.objects.bulk_create(
            ApplicationChoice(application=application, campaign_post=offered, preference=1)
            for application in applications
        )
        judge_group = Group.objects.get(name=Role.JUDGE)
        viewer_group = Group.objects.get(name=Role.HR_OFFICER)
        panel_judges = [User.objects.create(username=f"judge{n}") for n in range(judges)]
        viewer_users = [User.objects.create(username=f"screen{n}") for n in range(viewers)]
        judge_group.user_set.add(*panel_judges)
        viewer_group.user_set.add(*viewer_users)
        panel = Panel.objects.create(round=interview, name="第一考场", chair=panel_judges[0])
        panel.judges.set(panel_judges)
        PanelCandidate.objects.bulk_create(
            PanelCandidate(panel=panel, application=application, running_order=order)
            for order, application in enumerate(applications, start=1)
        )
    services.round_open(actor=None, round_=interview)
    return Scene(panel, interview, criteria, panel_judges, viewer_users, applications)


def logged_in(user) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


class QueryCounter:
    """Counts the queries of this thread's connection (CaptureQueriesContext is not thread-safe:
    it unhooks the per-request reset of the query log for every thread)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def timed(sample: Sample, call: Callable[[], Any], expect: int) -> None:
    """Run one request in this thread, adding its time and query count to `sample`."""
    from django.db import connection

    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        response = call()
        elapsed = time.perf_counter() - started
    if response.status_code != expect:
        raise RuntimeError(f"{sample.label}: answered {response.status_code}, expected {expect}")
    sample.ms.append(elapsed * 1000)
    sample.queries.append(counter.count)


def sheet_poster(scene: Scene, judge_index: int, rng: random.Random) -> Callable[[Any, Any], Any]:
    from django.urls import reverse

    def post(client, application):
        url = reverse(
            "recruitment:scoring_sheet", kwargs={"panel_id": scene.panel.pk, "application_id": application.pk}
        )
        data = {"action": "submit"}
        for criterion in scene.criteria:
            # Half points between 60 % and 100 % of the maximum, as judges mark.
            low = int(criterion.maximum * 6 / 10) * 2
            data[f"criterion_{criterion.pk}"] = str(Decimal(rng.randint(low, int(criterion.maximum) * 2)) / 2)
        return client.post(url, data)

    return post


def board_getter(scene: Scene) -> Callable[[Any], Any]:
    from django.urls import reverse

    url = reverse("recruitment:board_rows", kwargs={"round_id": scene.round_.pk})
    return lambda client: client.get(url)


def in_thread(target: Callable[[], None], errors: list) -> threading.Thread:
    from django.db import connections

    def run() -> None:
        try:
            target()
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    return threading.Thread(target=run)


def quiet(scene: Scene, *, seed: int) -> tuple[Sample, Sample]:
    """One judge and one viewer, one request at a time: the cost of a request alone."""
    submit = Sample("sheet submit", "quiet")
    refresh = Sample("board refresh", "quiet")
    post = sheet_poster(scene, 0, random.Random(seed))
    get = board_getter(scene)
    judge = logged_in(scene.judges[0])
    viewer = logged_in(scene.viewers[0])
    get(viewer)  # warm-up: templates, content types
    for application in scene.applications[:QUIET_SHEETS]:
        timed(submit, lambda application=application: post(judge, application), 302)
    for _ in range(QUIET_REFRESHES):
        timed(refresh, lambda: get(viewer), 200)
    return submit, refresh


@dataclass(frozen=True)
class Load:
    poll: float  # seconds between a screen's refreshes
    think: float  # seconds the judges pause after each candidate
    spread: float  # judges submit within this many seconds of each other (0: the same moment)
    seed: int


def run_share(
    scene: Scene,
    load: Load,
    judge_indexes: list[int],
    viewer_indexes: list[int],
    gate: Any,
    done: Any,
    judges_finished: Callable[[], None],
) -> tuple[Sample, Sample]:
    """Some of the judges and viewers, each in a thread of this process, until `done` is set.

    `gate` is a barrier of all the judges (in every process): they start each candidate together.
    """
    submit = Sample("sheet submit", "")
    refresh = Sample("board refresh", "")
    get = board_getter(scene)
    errors: list[Exception] = []

    def judge_work(index: int) -> Callable[[], None]:
        rng = random.Random(load.seed + index)
        post = sheet_poster(scene, index, rng)
        # The first judge submitted the first sheets alone, in the quiet phase.
        start = QUIET_SHEETS if index == 0 else 0

        def work() -> None:
            client = logged_in(scene.judges[index])
            for number, application in enumerate(scene.applications):
                gate.wait(timeout=120)
                if load.spread:
                    time.sleep(rng.uniform(0, load.spread))
                if number >= start:
                    timed(submit, lambda application=application: post(client, application), 302)
                if load.think:
                    time.sleep(load.think)

        return work

    def viewer_work(index: int) -> Callable[[], None]:
        offset = random.Random(load.seed * 1000 + index).uniform(0, load.poll)

        def work() -> None:
            client = logged_in(scene.viewers[index])
            # Screens were switched on at different moments: their polls spread over the interval.
            next_at = time.monotonic() + offset
            while not done.is_set():
                delay = next_at - time.monotonic()
                if delay > 0 and done.wait(delay):
                    break
                timed(refresh, lambda: get(client), 200)
                next_at += load.poll

        return work

    viewers = [in_thread(viewer_work(index), errors) for index in viewer_indexes]
    judges = [in_thread(judge_work(index), errors) for index in judge_indexes]
    for thread in viewers + judges:
        thread.start()
    for thread in judges:
        thread.join()
    judges_finished()
    for thread in viewers:
        thread.join()
    if errors:
        raise errors[0]
    return submit, refresh


def _process_share(scene, load, judge_indexes, viewer_indexes, gate, done, results) -> None:
    """A worker process's share of the load; its samples go back through `results`."""
    try:
        submit, refresh = run_share(
            scene, load, judge_indexes, viewer_indexes, gate, done, lambda: results.put(("judges", None))
        )
        results.put(("samples", (submit.ms, submit.queries, refresh.ms, refresh.queries)))
    except Exception as exc:
        results.put(("judges", None))
        results.put(("error", repr(exc)))


def under_load(scene: Scene, load: Load, *, processes: int) -> tuple[Sample, Sample, float]:
    """All judges submit candidate by candidate while every viewer polls the board.

    With `processes` above 1 the judges and viewers are dealt out to that many forked worker
    processes, as gunicorn deals requests to its workers, so they do not share one interpreter.
    """
    arrival = "together" if not load.spread else f"within {load.spread:g} s"
    submit = Sample("sheet submit", f"{len(scene.judges)} judges {arrival}")
    refresh = Sample("board refresh", f"{len(scene.viewers)} viewers every {load.poll:g} s")
    judges = list(range(len(scene.judges)))
    viewers = list(range(len(scene.viewers)))
    started = time.perf_counter()
    finished_at = started
    if processes <= 1:
        done = threading.Event()

        def judges_finished() -> None:
            nonlocal finished_at
            finished_at = time.perf_counter()
            done.set()

        gate = threading.Barrier(len(judges))
        share = run_share(scene, load, judges, viewers, gate, done, judges_finished)
        shares = [(share[0].ms, share[0].queries, share[1].ms, share[1].queries)]
    else:
        import multiprocessing

        from django.db import connections

        context = multiprocessing.get_context("fork")
        gate, done, results = context.Barrier(len(judges)), context.Event(), context.Queue()
        connections.close_all()  # a forked child must not share the parent's socket
        workers = [
            context.Process(
                target=_process_share,
                args=(scene, load, judges[n::processes], viewers[n::processes], gate, done, results),
            )
            for n in range(processes)
        ]
        for worker in workers:
            worker.start()
        shares, errors, waiting = [], [], processes
        while len(shares) + len(errors) < processes:
            kind, payload = results.get(timeout=600)
            if kind == "judges":
                waiting -= 1
                if waiting == 0:
                    finished_at = time.perf_counter()
                    done.set()
            elif kind == "samples":
                shares.append(payload)
            else:
                errors.append(payload)
        for worker in workers:
            worker.join()
        if errors:
            raise RuntimeError(errors[0])
    for submit_ms, submit_queries, refresh_ms, refresh_queries in shares:
        submit.ms += submit_ms
        submit.queries += submit_queries
        refresh.ms += refresh_ms
        refresh.queries += refresh_queries
    return submit, refresh, finished_at - started


def line(sample: Sample) -> str:
    return (
        f"{sample.label:<14} {sample.detail:<26} {len(sample.ms):>6} {sample.median_ms:>9.1f} "
        f"{sample.p95_ms:>8.1f} {max(sample.ms):>8.1f} {sample.queries_text:>8}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=60)
    parser.add_argument("--judges", type=int, default=9)
    parser.add_argument("--viewers", type=int, default=50)
    parser.add_argument("--poll", type=float, default=2.0, help="seconds between a screen's refreshes (htmx: 2 s)")
    parser.add_argument("--think", type=float, default=0.5, help="seconds the judges pause between candidates")
    parser.add_argument(
        "--spread", type=float, default=0, help="judges submit within this many seconds of each other (0: at once)"
    )
    parser.add_argument(
        "--processes", type=int, default=1, help="worker processes sharing the load (1: threads of this process)"
    )
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()

    django_setup()
    import django
    from django.db import connection

    if connection.vendor != "postgresql":
        print("PostgreSQL needed: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/zonehr_scoring_bench")
        return 2

    from recruitment import services
    from recruitment.models import SheetDigest

    with fresh_database() as name:
        print(f"database: {connection.vendor} {name} · Django {django.get_version()} · DEBUG={settings_debug()}")
        scene = build(candidates=args.candidates, judges=args.judges, viewers=args.viewers)
        print(
            f"panel: {args.judges} judges × {args.candidates} candidates ({args.judges * args.candidates} sheets), "
            f"{len(scene.criteria)} criteria · {args.viewers} board viewers polling every {args.poll:g} s · "
            f"judges pause {args.think:g} s between candidates · "
            + (f"{args.processes} worker processes" if args.processes > 1 else "all threads in one process")
        )
        quiet_samples = quiet(scene, seed=args.seed)
        load = Load(poll=args.poll, think=args.think, spread=args.spread, seed=args.seed)
        submit, refresh, elapsed = under_load(scene, load, processes=args.processes)
        links = SheetDigest.objects.filter(round=scene.round_).count()
        problems = services.chain_verify(round_=scene.round_)

    print()
    print(f"{'operation':<14} {'phase':<26} {'runs':>6} {'median ms':>9} {'p95 ms':>8} {'max ms':>8} {'queries':>8}")
    for sample in (*quiet_samples, submit, refresh):
        print(line(sample))
    print()
    print(
        f"load phase: {elapsed:.1f} s, {len(submit.ms) / elapsed:.1f} submits/s and "
        f"{len(refresh.ms) / elapsed:.1f} board refreshes/s"
    )
    print(f"hash chain: {links} links, {'valid' if not problems else f'{len(problems)} problems'}")
    worst = max(submit.p95_ms, refresh.p95_ms)
    verdict = "met" if worst < TARGET_P95_MS else "missed"
    print(f"target p95 < {TARGET_P95_MS} ms under load: {verdict} (worst p95 {worst:.1f} ms)")
    return 0


def settings_debug() -> bool:
    from django.conf import settings

    return settings.DEBUG


if __name__ == "__main__":
    sys.exit(main())
