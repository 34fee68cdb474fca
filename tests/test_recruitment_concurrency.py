"""Sheets submitted at the same moment, through the sheet page, on PostgreSQL's row locks.

Each thread has its own page client and so its own database connection, closed when the
thread ends; a barrier releases all of them at once.
"""

import itertools
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client
from django.urls import reverse

from recruitment import services
from recruitment.models import ScoreSheet, SheetDigest
from tests.matrix_recruitment_scoring import scoring_competition

# Serialized rollback: the flush after a transactional test would otherwise take the role groups
# with it and re-create the content types, which the browser tests that follow restore themselves.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run every call in its own thread, all released together; return results (or exceptions)."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except Exception as exc:  # reported to the test, which names it
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a submission hung: a lock was never released"
    return results


def submitter(client: Client, url: str, data: dict) -> Callable[[], Any]:
    return lambda: client.post(url, data)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_nine_judges_submitting_at_the_same_moment_each_lock_one_sheet_in_one_chain():
    competition = scoring_competition(candidates=2, judges=9)
    application = competition.candidates[0]
    url = reverse(
        "recruitment:scoring_sheet", kwargs={"panel_id": competition.panel.pk, "application_id": application.pk}
    )
    first, second = competition.criteria
    calls = [
        submitter(
            logged_in(judge),
            url,
            {f"criterion_{first.pk}": str(40 + number), f"criterion_{second.pk}": "30", "action": "submit"},
        )
        for number, judge in enumerate(competition.judges)
    ]

    responses = at_once(calls)

    assert [getattr(r, "status_code", r) for r in responses] == [302] * 9
    for number, judge in enumerate(competition.judges):
        [sheet] = ScoreSheet.objects.filter(judge=judge)
        assert (sheet.status, sheet.total) == (ScoreSheet.Status.SUBMITTED, 70 + number)
    links = list(SheetDigest.objects.filter(round=competition.interview).order_by("sequence"))
    assert [link.sequence for link in links] == list(range(1, 10))
    assert sorted(link.sheet.judge_id for link in links) == sorted(judge.pk for judge in competition.judges)
    assert all(link.previous_digest == before.digest for before, link in itertools.pairwise(links))
    assert services.chain_verify(round_=competition.interview) == []


def test_a_double_tap_on_submit_locks_one_sheet_and_refuses_the_other():
    competition = scoring_competition(candidates=1, judges=5)
    judge = competition.judges[1]
    application = competition.candidates[0]
    url = reverse(
        "recruitment:scoring_sheet", kwargs={"panel_id": competition.panel.pk, "application_id": application.pk}
    )
    first, second = competition.criteria
    data = {f"criterion_{first.pk}": "50", f"criterion_{second.pk}": "30", "action": "submit"}
    # Two requests of the same judge: the tablet sends the tap twice before the first answer.
    responses = at_once([submitter(logged_in(judge), url, data), submitter(logged_in(judge), url, data)])

    statuses = sorted(getattr(r, "status_code", r) for r in responses)
    assert statuses == [200, 302]
    [refused] = [r for r in responses if r.status_code == 200]
    assert "already submitted and locked" in refused.content.decode()
    [sheet] = ScoreSheet.objects.filter(judge=judge, application=application)
    assert sheet.status == ScoreSheet.Status.SUBMITTED
    assert SheetDigest.objects.filter(sheet=sheet).count() == 1
    assert services.chain_verify(round_=competition.interview) == []


def test_the_scoring_benchmark_answers_every_request_and_keeps_the_chain_under_load():
    from bench.recruitment_scoring import QUIET_SHEETS, Load, build, quiet, under_load

    scene = build(candidates=QUIET_SHEETS + 2, judges=3, viewers=4)
    alone_submit, alone_refresh = quiet(scene, seed=1)
    submit, refresh, _elapsed = under_load(scene, Load(poll=0.05, think=0, spread=0, seed=1), processes=1)

    assert len(alone_submit.ms) == QUIET_SHEETS
    assert len(alone_refresh.ms) > 0
    # Every sheet of the panel, the first judge's first ones submitted in the quiet phase.
    assert len(submit.ms) == 3 * (QUIET_SHEETS + 2) - QUIET_SHEETS
    assert len(refresh.ms) >= 4
    assert len(set(submit.queries)) == 1, "a submission's query count must not vary"
    assert SheetDigest.objects.filter(round=scene.round_).count() == 3 * (QUIET_SHEETS + 2)
    assert services.chain_verify(round_=scene.round_) == []
