"""The demo campaigns: a finished leadership competition run through the real services, and an
interview round open for the demo judges to score."""

import datetime as dt
import io
import sys
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import transaction
from django.http import HttpRequest
from django.test import override_settings

from recruitment import demo as recruitment_demo
from recruitment import permissions, services
from recruitment.models import (
    Application,
    Ballot,
    Campaign,
    IntegrityFlag,
    Objection,
    Panel,
    Result,
    Round,
    RoundResult,
    ScoreSheet,
    SheetDigest,
)
from staffing import demo as zone
from staffing.models import Appointment, Person
from zonehr.models import User

# The zone `make run` builds.
STAFF = zone.DEFAULT_STAFF
SEED = zone.DEFAULT_SEED
OPEN_PANEL = {"head_a", "judge", "judge2", "judge3", "judge4", "judge5", "judge6"}


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    """One demo zone with its campaigns for the whole module, rolled back afterwards; each test
    runs in a savepoint inside it, so what a test changes is undone before the next."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
    ):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            zone.demo_zone_build(staff=STAFF, seed=SEED)
            campaigns = recruitment_demo.demo_campaigns_build(seed=SEED)
        except BaseException:
            outer.__exit__(*sys.exc_info())
            raise
    yield campaigns
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def finished(built, db) -> Campaign:
    return Campaign.objects.get(pk=built.finished.pk)


def test_the_finished_campaign_ran_three_rounds_like_baodings(finished):
    assert finished.status == Campaign.Status.APPOINTED
    rounds = list(finished.rounds.order_by("order").values_list("kind", "weight", "status"))
    assert rounds == [
        (Round.Kind.WRITTEN, Decimal(40), Round.Status.CLOSED),
        (Round.Kind.INTERVIEW, Decimal(60), Round.Status.CLOSED),
        (Round.Kind.VOTE, Decimal(0), Round.Status.CLOSED),
    ]
    assert finished.posts.count() == 5
    assert finished.applications.count() == 30
    assert all(post.post.is_leadership for post in finished.posts.select_related("post"))
    # The qualification review turned two away: one for his record, one for falsified material.
    rejected = finished.applications.get(status=Application.Status.REJECTED)
    assert "考核" in rejected.rejection_reason
    flag = IntegrityFlag.objects.get(application__campaign=finished)
    assert flag.kind == IntegrityFlag.Kind.FALSIFIED and flag.application.status == Application.Status.DISQUALIFIED


def test_the_selected_were_appointed_after_a_publicity_over_before_the_demos_today(finished):
    assert (finished.publicity_start, finished.publicity_end) == (dt.date(2026, 10, 12), dt.date(2026, 10, 16))
    assert finished.publicity_end < zone.AS_OF
    selected = list(
        Result.objects.filter(campaign_post__campaign=finished, selected=True).select_related("campaign_post")
    )
    assert len(selected) == 5
    for result in selected:
        appointment = Appointment.objects.get(person__applications=result.application, status="active")
        assert appointment.post_id == result.campaign_post.post_id
        assert appointment.term_start == dt.date(2026, 10, 19)  # the first working day after the publicity
        assert appointment.method == Appointment.Method.COMPETITIVE
    # Leadership posts: those not chosen keep their posts rather than going to waiting.
    others = Person.objects.filter(applications__campaign=finished).exclude(applications__results__selected=True)
    assert others.exists()
    assert set(others.values_list("status", flat=True)) == {Person.Status.ON_POST}
    objection = Objection.objects.get(campaign=finished)
    assert objection.status == Objection.Status.DISMISSED and objection.resolution


def test_only_finalists_who_passed_the_vote_were_ranked(finished):
    vote = finished.rounds.get(kind=Round.Kind.VOTE)
    failed = set(vote.results.filter(advanced=False).values_list("application_id", flat=True))
    passed = set(vote.results.filter(advanced=True).values_list("application_id", flat=True))
    assert failed, "one finalist falls short of a majority"
    ranked = set(Result.objects.filter(campaign_post__campaign=finished).values_list("application_id", flat=True))
    assert ranked == passed
    assert vote.eligible_voters >= Ballot.objects.filter(round=vote).values("voter").distinct().count() * 2 / 3


def test_every_sheet_is_in_an_unbroken_hash_chain(finished):
    for round_ in finished.rounds.all():
        assert services.chain_verify(round_=round_) == []
    interview = finished.rounds.get(kind=Round.Kind.INTERVIEW)
    panels = list(interview.panels.all())
    assert len(panels) == 2
    for panel in panels:
        assert panel.judges.count() == 7 and panel.judges.filter(pk=panel.chair_id).exists()
        assert panel.sheets.filter(status=ScoreSheet.Status.SUBMITTED).count() == 7 * panel.candidates.count()
    last = SheetDigest.objects.filter(round=interview).order_by("-sequence").first()
    assert interview.final_digest == last.digest
    # A declared conflict leaves its sheet out of the candidate's score.
    conflicts = list(ScoreSheet.objects.filter(panel__round=interview, conflict_declared=True))
    assert conflicts
    for sheet in conflicts:
        assert sheet.total is None
        assert RoundResult.objects.get(round=interview, application=sheet.application).valid_sheets == 6


def test_the_audit_trail_names_who_did_each_step(finished):
    hr = User.objects.get(username="hr")
    campaign_entry = LogEntry.objects.get_for_object(finished).order_by("timestamp").first()
    assert campaign_entry.actor == hr
    sheet_type = ContentType.objects.get_for_model(ScoreSheet)
    actors = set(LogEntry.objects.filter(content_type=sheet_type).values_list("actor__username", flat=True))
    judges = set(Panel.objects.filter(round__campaign=finished).values_list("judges__username", flat=True).distinct())
    assert actors == judges


def test_the_open_interview_awaits_judge_and_head_a(built, db):
    campaign = Campaign.objects.get(pk=built.open.pk)
    assert campaign.status == Campaign.Status.ROUNDS
    assert campaign.rounds.get(kind=Round.Kind.WRITTEN).status == Round.Status.CLOSED
    interview = campaign.rounds.get(kind=Round.Kind.INTERVIEW)
    assert interview.status == Round.Status.OPEN and interview.criteria.count() == 5
    panel = interview.panels.get()
    assert panel.chair.username == "head_a"
    assert set(panel.judges.values_list("username", flat=True)) == OPEN_PANEL
    assert list(panel.candidates.values_list("running_order", flat=True)) == list(range(1, 9))
    assert not ScoreSheet.objects.filter(panel__round=interview).exists()
    for username in ("judge", "head_a"):
        assert permissions.is_judge_on(User.objects.get(username=username), panel)
    # head_a scores them all: none works in his department.
    departments = set(
        Appointment.objects.filter(status="active", person__applications__panel_places__panel=panel).values_list(
            "post__department__code", flat=True
        )
    )
    assert zone.HEAD_A_DEPARTMENT not in departments


def test_the_extra_judges_log_in_with_the_demo_password(built, db, client):
    for username, _name in recruitment_demo.EXTRA_JUDGES:
        user = User.objects.get(username=username)
        assert list(user.groups.values_list("name", flat=True)) == ["judge"]
        assert client.login(request=HttpRequest(), username=username, password=zone.DEMO_PASSWORD)


def _snapshot() -> tuple:
    results = list(
        Result.objects.order_by("campaign_post__post__code", "rank").values_list(
            "campaign_post__post__code", "application__person__national_id", "composite", "selected"
        )
    )
    sheets = sorted(ScoreSheet.objects.values_list("judge__username", "application__person__national_id", "total"))
    ballots = sorted(Ballot.objects.values_list("voter__username", "application__person__national_id", "choice"))
    applications = sorted(Application.objects.values_list("campaign__name", "person__national_id", "status"))
    return results, sheets, ballots, applications


def test_the_same_seed_gives_the_same_campaigns(built, db):
    first = _snapshot()
    recruitment_demo.demo_campaigns_flush()
    zone.demo_zone_flush()
    zone.demo_zone_build(staff=STAFF, seed=SEED)
    recruitment_demo.demo_campaigns_build(seed=SEED)
    assert _snapshot() == first


def test_if_empty_does_not_duplicate_the_campaigns(built, db):
    def counts() -> tuple[int, ...]:
        return tuple(model.objects.count() for model in (Campaign, Application, ScoreSheet, Ballot, User))

    before = counts()
    out = io.StringIO()
    call_command("demo_zone", if_empty=True, stdout=out)
    assert counts() == before
    assert "judge and head_a (chair)" in out.getvalue()


def test_flush_clears_the_campaigns_before_building_them_anew(built, db):
    out = io.StringIO()
    call_command("demo_zone", staff=60, seed=3, flush=True, stdout=out)
    assert set(Campaign.objects.values_list("name", flat=True)) == {
        recruitment_demo.FINISHED_NAME,
        recruitment_demo.OPEN_NAME,
    }
    assert Round.objects.count() == 5
    assert not Application.objects.filter(person__isnull=True).exists()
    assert "2026年中层干部竞争上岗" in out.getvalue() and "judge and head_a (chair)" in out.getvalue()
