"""The benchmarks, run small: what they measure must not grow with the data."""

import pytest

from bench.run import BENCHMARKS


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_roster_and_people_api_make_as_many_queries_for_120_staff_as_for_40(db):
    roster = BENCHMARKS["roster"]
    small = roster.run(staff=40, runs=1, seed=5)
    large = roster.run(staff=120, runs=1, seed=5)
    queries = {sample.label: sample.queries for sample in small.samples}
    assert queries == {sample.label: sample.queries for sample in large.samples}
    assert set(queries) == {"roster page 1", "roster deep page", "api people page 1", "api people deep page"}


def test_the_demo_benchmark_times_each_run(db):
    result = BENCHMARKS["demo"].run(staff=40, runs=2, seed=5)
    [sample] = result.samples
    assert len(sample.ms) == len(sample.queries) == 2
    assert "40 people" in result.size
