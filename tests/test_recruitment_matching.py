"""Two-way selection: candidate-proposing deferred acceptance with capacities (domain.md §6)."""

import itertools
import random

import pytest

from bench.recruitment_matching import generate
from recruitment.matching import MatchingError, RefusalReason, blocking_pairs, is_stable, stable_match


def match(candidate_prefs, post_prefs, capacity):
    return stable_match(candidate_prefs=candidate_prefs, post_prefs=post_prefs, capacity=capacity)


def stable(candidate_prefs, post_prefs, capacity, assignment):
    return is_stable(candidate_prefs=candidate_prefs, post_prefs=post_prefs, capacity=capacity, assignment=assignment)


def every_stable_assignment(candidate_prefs, post_prefs, capacity):
    """All stable assignments, by trying every way of placing each candidate (tiny instances only)."""
    candidates = list(candidate_prefs)
    for posts in itertools.product(*([None, *candidate_prefs[c]] for c in candidates)):
        assignment = dict(zip(candidates, posts, strict=True))
        if stable(candidate_prefs, post_prefs, capacity, assignment):
            yield assignment


def choice(candidate_prefs, candidate, post):
    """Where `post` sits in the candidate's list; no post is worse than any."""
    prefs = candidate_prefs[candidate]
    return len(prefs) if post is None else prefs.index(post)


def random_instance(rng, *, candidates, posts, most_prefs, most_capacity):
    """Candidates rank a few posts; posts rank a random subset of everyone, so many pairs are unranked
    on one side."""
    people = [f"c{n}" for n in range(candidates)]
    offices = [f"p{n}" for n in range(posts)]
    candidate_prefs = {c: rng.sample(offices, k=rng.randint(0, min(most_prefs, posts))) for c in people}
    post_prefs = {p: rng.sample(people, k=rng.randint(0, candidates)) for p in offices}
    capacity = {p: rng.randint(0, most_capacity) for p in offices}
    return candidate_prefs, post_prefs, capacity


# Two stable matches exist: {a: x, b: y, c: z} and {a: y, b: x, c: z}; candidates prefer the first.
TEXTBOOK_CANDIDATES = {"a": ["x", "y", "z"], "b": ["y", "x", "z"], "c": ["x", "y", "z"]}
TEXTBOOK_POSTS = {"x": ["b", "a", "c"], "y": ["a", "b", "c"], "z": ["a", "b", "c"]}
ONE_PLACE_EACH = {"x": 1, "y": 1, "z": 1}


def test_it_finds_the_candidate_optimal_of_two_stable_matches():
    result = match(TEXTBOOK_CANDIDATES, TEXTBOOK_POSTS, ONE_PLACE_EACH)
    assert result.assignment == {"a": "x", "b": "y", "c": "z"}
    stables = list(every_stable_assignment(TEXTBOOK_CANDIDATES, TEXTBOOK_POSTS, ONE_PLACE_EACH))
    assert {"a": "y", "b": "x", "c": "z"} in stables
    assert len(stables) == 2


def test_the_classic_four_by_four_instance():
    # Each side's first choices form a cycle; candidate-proposing gives every candidate his first choice.
    candidate_prefs = {
        "a": ["w", "x", "y", "z"],
        "b": ["x", "y", "z", "w"],
        "c": ["y", "z", "w", "x"],
        "d": ["z", "w", "x", "y"],
    }
    post_prefs = {
        "w": ["b", "c", "d", "a"],
        "x": ["c", "d", "a", "b"],
        "y": ["d", "a", "b", "c"],
        "z": ["a", "b", "c", "d"],
    }
    capacity = dict.fromkeys(post_prefs, 1)
    result = match(candidate_prefs, post_prefs, capacity)
    assert result.assignment == {"a": "w", "b": "x", "c": "y", "d": "z"}
    assert all(refusals == () for refusals in result.explanations.values())


CAPACITY_CANDIDATES = {
    "a": ["finance", "planning"],
    "b": ["finance", "planning"],
    "c": ["planning", "finance"],
    "d": ["finance"],
}
CAPACITY_POSTS = {"finance": ["c", "d", "a", "b"], "planning": ["a", "b", "c"]}
CAPACITY = {"finance": 2, "planning": 1}


def test_a_post_with_two_places_takes_the_two_it_ranks_highest_among_those_who_stay():
    result = match(CAPACITY_CANDIDATES, CAPACITY_POSTS, CAPACITY)
    assert result.assignment == {"a": "planning", "b": None, "c": "finance", "d": "finance"}
    assert result.holders == {"finance": ("c", "d"), "planning": ("a",)}
    assert result.unmatched == ["b"]
    assert stable(CAPACITY_CANDIDATES, CAPACITY_POSTS, CAPACITY, result.assignment)


def test_an_unmatched_candidate_learns_who_holds_each_post_he_wanted_and_that_they_ranked_higher():
    result = match(CAPACITY_CANDIDATES, CAPACITY_POSTS, CAPACITY)
    finance, planning = result.explanations["b"]
    assert (finance.post, finance.ranked, finance.holders, finance.reason) == (
        "finance",
        True,
        ("c", "d"),
        RefusalReason.FULL_WITH_PREFERRED,
    )
    assert (planning.post, planning.holders, planning.reason) == ("planning", ("a",), RefusalReason.FULL_WITH_PREFERRED)


def test_a_matched_candidate_learns_why_he_missed_the_posts_he_preferred():
    result = match(CAPACITY_CANDIDATES, CAPACITY_POSTS, CAPACITY)
    [finance] = result.explanations["a"]
    assert finance.post == "finance"
    assert finance.holders == ("c", "d")
    [planning] = result.explanations["c"]  # c ranked planning first and got finance
    assert planning.holders == ("a",)
    assert result.explanations["d"] == ()


def test_a_post_only_takes_candidates_it_ranked_even_with_places_free():
    candidate_prefs = {"e": ["audit", "planning"], "f": ["audit"]}
    post_prefs = {"audit": ["f"], "planning": []}
    capacity = {"audit": 3, "planning": 1}
    result = match(candidate_prefs, post_prefs, capacity)
    assert result.assignment == {"e": None, "f": "audit"}
    audit, planning = result.explanations["e"]
    assert (audit.ranked, audit.reason, audit.holders) == (False, RefusalReason.NOT_RANKED, ("f",))
    assert (planning.reason, planning.holders) == (RefusalReason.NOT_RANKED, ())


def test_a_candidate_only_goes_to_posts_he_ranked():
    candidate_prefs = {"e": ["audit"], "f": []}
    post_prefs = {"audit": ["f", "e"], "planning": ["f"]}
    capacity = {"audit": 1, "planning": 1}
    result = match(candidate_prefs, post_prefs, capacity)
    assert result.assignment == {"e": "audit", "f": None}
    assert result.explanations["f"] == ()  # he asked for nothing


def test_a_post_without_places_is_reported_as_such():
    result = match({"e": ["audit"]}, {"audit": ["e"]}, {"audit": 0})
    assert result.assignment == {"e": None}
    assert result.explanations["e"][0].reason == RefusalReason.NO_PLACES


def test_the_result_does_not_depend_on_the_order_candidates_are_listed():
    reordered = dict(reversed(list(CAPACITY_CANDIDATES.items())))
    assert (
        match(reordered, CAPACITY_POSTS, CAPACITY).assignment
        == match(CAPACITY_CANDIDATES, CAPACITY_POSTS, CAPACITY).assignment
    )


@pytest.mark.parametrize("seed", range(40))
def test_random_matches_are_stable_and_explain_every_refusal(seed):
    rng = random.Random(seed)
    candidate_prefs, post_prefs, capacity = random_instance(
        rng, candidates=rng.randint(1, 60), posts=rng.randint(1, 15), most_prefs=5, most_capacity=4
    )
    result = match(candidate_prefs, post_prefs, capacity)
    assert stable(candidate_prefs, post_prefs, capacity, result.assignment)
    for post, holders in result.holders.items():
        assert len(holders) <= capacity[post]
        assert list(holders) == [c for c in post_prefs[post] if c in holders]  # in the post's order
    for candidate, refusals in result.explanations.items():
        got = result.assignment[candidate]
        prefs = candidate_prefs[candidate]
        assert [r.post for r in refusals] == prefs[: choice(candidate_prefs, candidate, got)]
        for refusal in refusals:
            if refusal.reason == RefusalReason.FULL_WITH_PREFERRED:
                ranking = post_prefs[refusal.post]
                assert len(refusal.holders) == capacity[refusal.post]
                assert all(ranking.index(h) < ranking.index(candidate) for h in refusal.holders)
            else:
                assert refusal.reason == RefusalReason.NO_PLACES or candidate not in post_prefs[refusal.post]


@pytest.mark.parametrize("seed", range(25))
def test_no_stable_match_gives_any_candidate_a_better_post(seed):
    rng = random.Random(1000 + seed)
    candidate_prefs, post_prefs, capacity = random_instance(rng, candidates=5, posts=3, most_prefs=3, most_capacity=2)
    result = match(candidate_prefs, post_prefs, capacity)
    stables = list(every_stable_assignment(candidate_prefs, post_prefs, capacity))
    assert result.assignment in stables
    for other in stables:
        for candidate in candidate_prefs:
            assert choice(candidate_prefs, candidate, result.assignment[candidate]) <= choice(
                candidate_prefs, candidate, other[candidate]
            )


def test_is_stable_finds_the_pair_that_would_rather_have_each_other():
    # x prefers b and b prefers x to what he got.
    assignment = {"a": "x", "b": "z", "c": "y"}
    assert not stable(TEXTBOOK_CANDIDATES, TEXTBOOK_POSTS, ONE_PLACE_EACH, assignment)
    pairs = blocking_pairs(
        candidate_prefs=TEXTBOOK_CANDIDATES, post_prefs=TEXTBOOK_POSTS, capacity=ONE_PLACE_EACH, assignment=assignment
    )
    assert ("b", "y") in pairs


def test_is_stable_counts_a_free_place_a_ranked_candidate_wanted_as_blocking():
    assert not stable({"e": ["audit"]}, {"audit": ["e"]}, {"audit": 1}, {"e": None})


def test_is_stable_refuses_an_over_full_post_or_a_pair_that_did_not_rank_each_other():
    assert not stable(
        {"e": ["audit"], "f": ["audit"]}, {"audit": ["e", "f"]}, {"audit": 1}, {"e": "audit", "f": "audit"}
    )
    assert not stable({"e": ["audit"]}, {"audit": []}, {"audit": 1}, {"e": "audit"})


def test_it_refuses_a_post_without_a_capacity():
    with pytest.raises(MatchingError, match="audit"):
        match({"e": ["audit"]}, {}, {})


def test_it_refuses_a_post_ranking_someone_outside_the_selection():
    with pytest.raises(MatchingError, match="stranger"):
        match({"e": ["audit"]}, {"audit": ["stranger", "e"]}, {"audit": 1})


def test_it_refuses_a_list_naming_the_same_post_twice():
    with pytest.raises(MatchingError, match="more than once"):
        match({"e": ["audit", "audit"]}, {"audit": ["e"]}, {"audit": 1})


def test_the_benchmark_instance_matches_stably_at_a_small_size():
    candidate_prefs, post_prefs, capacity = generate(candidates=300, posts=30, preferences=5, seed=7)
    assert all(len(prefs) == 5 for prefs in candidate_prefs.values())
    assert sum(capacity.values()) < 300
    result = match(candidate_prefs, post_prefs, capacity)
    assert result.unmatched
    assert stable(candidate_prefs, post_prefs, capacity, result.assignment)
