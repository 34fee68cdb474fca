"""The demo assessment: a confirmed 2025 cycle and the 2026 fourth quarter at scoring, built
through the real assessment services into the demo zone."""

import io
import sys
from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from assessment import demo as assessment_demo
from assessment import services, setup
from assessment.models import (
    ConsequenceProposal,
    Cycle,
    DepartmentCoefficient,
    Evaluation,
    Indicator,
    Rating,
    SupervisedTask,
)
from recruitment import demo as recruitment_demo
from staffing import demo as zone
from staffing.models import Appointment

STAFF = zone.DEFAULT_STAFF
SEED = zone.DEFAULT_SEED


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    """The demo zone with its campaigns and assessment for the whole module, rolled back
    afterwards; each test runs in a savepoint inside it."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
    ):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            zone.demo_zone_build(staff=STAFF, seed=SEED)
            recruitment_demo.demo_campaigns_build(seed=SEED)
            assessment = assessment_demo.demo_assessment_build(seed=SEED)
        except BaseException:
            outer.__exit__(*sys.exc_info())
            raise
    yield assessment
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def annual(built, db) -> Cycle:
    return Cycle.objects.get(pk=built.annual.pk)


@pytest.fixture
def quarter(built, db) -> Cycle:
    return Cycle.objects.get(pk=built.quarter.pk)


def test_the_2025_cycle_is_confirmed_with_a_rating_for_everyone_on_post(annual):
    assert (annual.kind, annual.year, annual.status) == (Cycle.Kind.ANNUAL, 2025, Cycle.Status.CONFIRMED)
    on_post = set(Appointment.objects.filter(status=Appointment.Status.ACTIVE).values_list("person_id", flat=True))
    assert set(annual.ratings.values_list("person_id", flat=True)) == on_post
    grades = Counter(annual.ratings.values_list("grade", flat=True))
    assert set(grades) == set(Rating.Grade.values)
    assert grades[Rating.Grade.COMPETENT] > grades[Rating.Grade.EXCELLENT] > grades[Rating.Grade.INCOMPETENT]


def test_every_rated_department_has_an_approved_coefficient_with_its_reason(annual):
    rated = set(annual.ratings.values_list("department_id", flat=True))
    approved = DepartmentCoefficient.objects.filter(cycle=annual, status=DepartmentCoefficient.Status.APPROVED)
    assert set(approved.values_list("department_id", flat=True)) == rated
    values = list(approved.values_list("value", "reason", "decided_by__username"))
    assert all(
        Decimal("0.80") <= value <= Decimal("1.30") and reason and leader == "leader"
        for value, reason, leader in values
    )
    assert len({value for value, _reason, _leader in values}) > 3


def test_the_kpi_trees_cascade_from_the_zone_without_problems(annual, quarter):
    for cycle in (annual, quarter):
        assert services.cascade_problems(cycle=cycle) == []
        levels = Counter(cycle.indicators.values_list("level", flat=True))
        assert levels[Indicator.Level.ZONE] == len(assessment_demo.ZONE_GOALS)
        assert levels[Indicator.Level.INDIVIDUAL] > 0
    names = set(annual.indicators.filter(level=Indicator.Level.ZONE).values_list("name", flat=True))
    assert {"招商引资到位资金", "固定资产投资", "新开工项目"} <= names
    assert not annual.indicators.filter(score__isnull=True).exists()


def test_2025_has_enterprises_evaluations_tasks_and_decided_proposals(annual):
    sources = set(annual.evaluations.values_list("source", flat=True))
    assert {Evaluation.Source.ENTERPRISE_EVALUATION, Evaluation.Source.COMPREHENSIVE_EVALUATION} <= sources
    tasks = list(annual.tasks.all())
    assert any(task.failed for task in tasks)
    assert any(task.completed_on and task.completed_on > task.deadline for task in tasks)
    decided = ConsequenceProposal.objects.filter(rating__cycle=annual).exclude(
        status=ConsequenceProposal.Status.PROPOSED
    )
    assert decided.count() == 5
    assert ConsequenceProposal.objects.filter(rating__cycle=annual, status="proposed").exists()


def test_the_fourth_quarter_is_being_scored_with_overdue_tasks(built, quarter):
    assert quarter.status == Cycle.Status.SCORING
    assert (quarter.quarter, quarter.annual.year, quarter.annual.status) == (4, 2026, Cycle.Status.PLANNING)
    entered = quarter.indicators.exclude(level=Indicator.Level.ZONE).exclude(score__isnull=True).count()
    assert 0 < entered < quarter.indicators.exclude(level=Indicator.Level.ZONE).count()
    overdue = [
        task for task in SupervisedTask.objects.filter(cycle=quarter) if setup.task_overdue(task, today=zone.AS_OF)
    ]
    assert len(overdue) == built.overdue_tasks >= 2
    assert all(task.deadline < zone.AS_OF and task.completed_on is None for task in overdue)


def _snapshot() -> tuple:
    ratings = sorted(Rating.objects.values_list("cycle__year", "person__national_id", "score", "grade"))
    values = sorted(Indicator.objects.values_list("cycle__name", "name", "department__code", "score"), key=str)
    return ratings, values


def test_the_same_seed_gives_the_same_assessment(built, db):
    first = _snapshot()
    assessment_demo.demo_assessment_flush()
    recruitment_demo.demo_campaigns_flush()
    zone.demo_zone_flush()
    zone.demo_zone_build(staff=STAFF, seed=SEED)
    recruitment_demo.demo_campaigns_build(seed=SEED)
    assessment_demo.demo_assessment_build(seed=SEED)
    assert _snapshot() == first


def test_if_empty_does_not_duplicate_the_assessment(built, db):
    def counts() -> tuple[int, ...]:
        return tuple(model.objects.count() for model in (Cycle, Indicator, Rating, Evaluation, SupervisedTask))

    before = counts()
    call_command("demo_zone", if_empty=True, stdout=io.StringIO())
    assert counts() == before


def test_flush_clears_the_assessment_before_building_it_anew(built, db):
    out = io.StringIO()
    call_command("demo_zone", staff=60, seed=3, flush=True, stdout=out)
    assert sorted(Cycle.objects.values_list("name", flat=True)) == sorted(
        [assessment_demo.ANNUAL_NAME, assessment_demo.PLANNED_NAME, assessment_demo.QUARTER_NAME]
    )
    assert not Rating.objects.exclude(person__appointments__status=Appointment.Status.ACTIVE).exists()
    assert "2025年度考核" in out.getvalue() and "tasks overdue" in out.getvalue()
