"""Time the two-way selection match at the size of a large zone-wide reshuffle.

    .venv/bin/python bench/recruitment_matching.py
    .venv/bin/python bench/recruitment_matching.py --candidates 5000 --posts 500 --preferences 5 --runs 5

Generates a seeded instance: every candidate ranks a few distinct posts, popular posts drawn
more often; every post ranks all its applicants by a common exam score plus its own judgement;
there are fewer places than candidates, so some stay unmatched. Reports the median of the runs.
No database: the match is a pure function.
"""

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from recruitment.matching import is_stable, stable_match  # noqa: E402

Instance = tuple[dict[str, list[str]], dict[str, list[str]], dict[str, int]]


def generate(*, candidates: int, posts: int, preferences: int, seed: int) -> Instance:
    """Preferences and capacities of one two-way selection, places about 90 % of candidates."""
    rng = random.Random(seed)
    people = [f"c{n:05d}" for n in range(candidates)]
    offices = [f"p{n:04d}" for n in range(posts)]
    # Some posts (a good department, a central park) attract far more applicants than others.
    popularity = [1 / (n + 1) ** 0.5 for n in range(posts)]
    candidate_prefs: dict[str, list[str]] = {}
    for person in people:
        chosen: list[str] = []
        while len(chosen) < min(preferences, posts):
            [office] = rng.choices(offices, weights=popularity)
            if office not in chosen:
                chosen.append(office)
        candidate_prefs[person] = chosen

    exam = {person: rng.gauss(75, 8) for person in people}
    applicants: dict[str, list[str]] = {office: [] for office in offices}
    for person, chosen in candidate_prefs.items():
        for office in chosen:
            applicants[office].append(person)
    post_prefs = {
        office: sorted(group, key=lambda person: exam[person] + rng.gauss(0, 4), reverse=True)
        for office, group in applicants.items()
    }
    mean_places = 0.9 * candidates / posts
    low, high = max(1, round(mean_places * 0.5)), max(1, round(mean_places * 1.5))
    capacity = {office: rng.randint(low, high) for office in offices}
    return candidate_prefs, post_prefs, capacity


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=5000)
    parser.add_argument("--posts", type=int, default=500)
    parser.add_argument("--preferences", type=int, default=5)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()

    candidate_prefs, post_prefs, capacity = generate(
        candidates=args.candidates, posts=args.posts, preferences=args.preferences, seed=args.seed
    )
    timings = []
    result = None
    for _ in range(args.runs):
        started = time.perf_counter()
        result = stable_match(candidate_prefs=candidate_prefs, post_prefs=post_prefs, capacity=capacity)
        timings.append((time.perf_counter() - started) * 1000)
    assert result is not None
    stable = is_stable(
        candidate_prefs=candidate_prefs, post_prefs=post_prefs, capacity=capacity, assignment=result.assignment
    )
    unmatched = len(result.unmatched)
    print(
        f"two-way selection · {args.candidates} candidates × {args.posts} posts × {args.preferences} preferences · "
        f"{sum(capacity.values())} places · {args.runs} runs"
    )
    print(f"median {statistics.median(timings):.1f} ms (min {min(timings):.1f}, max {max(timings):.1f})")
    print(f"matched {args.candidates - unmatched}, unmatched {unmatched}, stable: {'yes' if stable else 'NO'}")


if __name__ == "__main__":
    main()
