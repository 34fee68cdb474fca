"""Two-way selection (双向选择, domain.md §6): candidates rank the posts they want, departments rank
the candidates they want for each post, each post has a capacity. The result is the
candidate-optimal stable match, found by candidate-proposing deferred acceptance (Gale–Shapley
with capacities): every candidate gets the best post he can hold in any stable match.

A post only takes candidates it ranked and a candidate only goes to posts he ranked. Those left
without a post go to waiting status; the match says, post by post, why each did not get the
posts he preferred.
"""

import heapq
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

C = TypeVar("C", bound=Hashable)  # a candidate
P = TypeVar("P", bound=Hashable)  # a post


class MatchingError(ValueError):
    """Preferences or capacities the match cannot be computed from."""


class RefusalReason(StrEnum):
    NOT_RANKED = "not_ranked"  # the post did not rank the candidate at all
    NO_PLACES = "no_places"  # the post has a capacity of 0
    FULL_WITH_PREFERRED = "full_with_preferred"  # every place went to someone the post ranked higher


@dataclass(frozen=True, kw_only=True)
class Refusal(Generic[C, P]):
    """Why a candidate did not get one post he ranked above what he got."""

    post: P
    ranked: bool  # whether the post ranked the candidate
    holders: tuple[C, ...]  # who holds the post's places, in the post's order
    capacity: int

    @property
    def reason(self) -> RefusalReason:
        if not self.ranked:
            return RefusalReason.NOT_RANKED
        if self.capacity == 0:
            return RefusalReason.NO_PLACES
        return RefusalReason.FULL_WITH_PREFERRED


@dataclass(frozen=True, kw_only=True)
class Match(Generic[C, P]):
    assignment: dict[C, P | None]  # every candidate, None when he got no post
    holders: dict[P, tuple[C, ...]]  # every post, its candidates in the post's order
    # Every candidate: the posts he ranked above the one he got (all of them when he got none),
    # in his order, each with why it did not take him. Empty for those who got their first choice.
    explanations: dict[C, tuple[Refusal[C, P], ...]]

    @property
    def unmatched(self) -> list[C]:
        return [candidate for candidate, post in self.assignment.items() if post is None]


def _post_ranks(
    *, candidate_prefs: Mapping[C, Sequence[P]], post_prefs: Mapping[P, Sequence[C]], capacity: Mapping[P, int]
) -> dict[P, dict[C, int]]:
    """Check the input and return, for each post, candidate → position in its list (0 = best)."""
    problems = []
    negative = [post for post, places in capacity.items() if places < 0]
    if negative:
        problems.append(f"negative capacity for {negative!r}")
    unknown_posts = {post for prefs in candidate_prefs.values() for post in prefs if post not in capacity}
    unknown_posts |= {post for post in post_prefs if post not in capacity}
    if unknown_posts:
        problems.append(f"posts without a capacity: {sorted(unknown_posts, key=repr)!r}")
    unknown_candidates = {c for prefs in post_prefs.values() for c in prefs if c not in candidate_prefs}
    if unknown_candidates:
        problems.append(f"posts rank candidates who are not in the selection: {sorted(unknown_candidates, key=repr)!r}")
    for owner, prefs in [*candidate_prefs.items(), *post_prefs.items()]:
        if len(set(prefs)) != len(prefs):
            twice = [item for item, times in Counter(prefs).items() if times > 1]
            problems.append(f"{owner!r} ranks {twice!r} more than once")
    if problems:
        raise MatchingError("; ".join(problems))
    return {post: {c: position for position, c in enumerate(post_prefs.get(post, ()))} for post in capacity}


def stable_match(
    *,
    candidate_prefs: Mapping[C, Sequence[P]],
    post_prefs: Mapping[P, Sequence[C]],
    capacity: Mapping[P, int],
) -> Match[C, P]:
    """The candidate-optimal stable match of a two-way selection.

    `candidate_prefs`: each candidate's posts, most wanted first (an empty list is allowed).
    `post_prefs`: each post's candidates, most wanted first; a post missing here ranks nobody.
    `capacity`: the places of every post.

    Each proposal costs a dictionary look-up and a heap operation on the post's held
    candidates, worst on top, so the whole match is O(proposals × log capacity).
    """
    post_rank = _post_ranks(candidate_prefs=candidate_prefs, post_prefs=post_prefs, capacity=capacity)
    # Per post a heap of (-position, candidate): the worst held candidate sits on top. Positions
    # within one post are unique, so the heap never compares two candidates.
    held: dict[P, list[tuple[int, C]]] = {post: [] for post in capacity}
    next_choice = dict.fromkeys(candidate_prefs, 0)
    free = list(candidate_prefs)
    free.reverse()  # propose in the caller's order; the result does not depend on it
    while free:
        candidate = free.pop()
        prefs = candidate_prefs[candidate]
        while next_choice[candidate] < len(prefs):
            post = prefs[next_choice[candidate]]
            next_choice[candidate] += 1
            position = post_rank[post].get(candidate)
            if position is None:
                continue
            places = held[post]
            if len(places) < capacity[post]:
                heapq.heappush(places, (-position, candidate))
                break
            if places and -places[0][0] > position:
                _, bumped = heapq.heapreplace(places, (-position, candidate))
                free.append(bumped)
                break

    assignment: dict[C, P | None] = dict.fromkeys(candidate_prefs)
    holders: dict[P, tuple[C, ...]] = {}
    for post, places in held.items():
        holders[post] = tuple(candidate for _, candidate in sorted(places, reverse=True))
        for candidate in holders[post]:
            assignment[candidate] = post

    explanations: dict[C, tuple[Refusal[C, P], ...]] = {}
    for candidate, prefs in candidate_prefs.items():
        got = assignment[candidate]
        preferred = prefs if got is None else prefs[: list(prefs).index(got)]
        explanations[candidate] = tuple(
            Refusal(post=post, ranked=candidate in post_rank[post], holders=holders[post], capacity=capacity[post])
            for post in preferred
        )
    return Match(assignment=assignment, holders=holders, explanations=explanations)


def blocking_pairs(
    *,
    candidate_prefs: Mapping[C, Sequence[P]],
    post_prefs: Mapping[P, Sequence[C]],
    capacity: Mapping[P, int],
    assignment: Mapping[C, P | None],
) -> list[tuple[C, P]]:
    """The candidate–post pairs that would both rather have each other than what `assignment`
    gives them: the candidate prefers the post to his own, and the post ranked him and has a free
    place or holds someone it ranked lower."""
    post_rank = _post_ranks(candidate_prefs=candidate_prefs, post_prefs=post_prefs, capacity=capacity)
    filled = Counter(post for post in assignment.values() if post is not None)
    worst: dict[P, int] = {}
    for candidate, post in assignment.items():
        if post is not None:
            worst[post] = max(worst.get(post, -1), post_rank[post].get(candidate, len(post_rank[post])))
    pairs = []
    for candidate, prefs in candidate_prefs.items():
        got = assignment.get(candidate)
        for post in prefs:
            if post == got:
                break
            position = post_rank[post].get(candidate)
            if position is None:
                continue
            if filled[post] < capacity[post] or worst.get(post, -1) > position:
                pairs.append((candidate, post))
    return pairs


def is_stable(
    *,
    candidate_prefs: Mapping[C, Sequence[P]],
    post_prefs: Mapping[P, Sequence[C]],
    capacity: Mapping[P, int],
    assignment: Mapping[C, P | None],
) -> bool:
    """Whether `assignment` is a stable match: every pair placed ranked each other, no post holds
    more than its capacity, and there is no blocking pair."""
    post_rank = _post_ranks(candidate_prefs=candidate_prefs, post_prefs=post_prefs, capacity=capacity)
    filled = Counter(post for post in assignment.values() if post is not None)
    if any(filled[post] > capacity.get(post, 0) for post in filled):
        return False
    for candidate, post in assignment.items():
        if post is None:
            continue
        if post not in candidate_prefs.get(candidate, ()) or candidate not in post_rank[post]:
            return False
    return not blocking_pairs(
        candidate_prefs=candidate_prefs, post_prefs=post_prefs, capacity=capacity, assignment=assignment
    )
