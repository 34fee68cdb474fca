"""Time the roster import of an N-row workbook: checking and writing, separately.

    DEBUG=true .venv/bin/python bench/roster_import.py --rows 5000 --runs 3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zonehr_import DEBUG=true .venv/bin/python bench/roster_import.py

Works in a fresh test database made from DATABASE_URL (SQLite by default, kept in a file
so the figures include disk writes) and drops it afterwards. It builds a zone with room
on every post and some people already on the roster, generates a valid workbook, then
reports the median of the runs: checking (read + reference + rules) on the committed
zone, and writing inside a transaction that is rolled back after each run, so every run
starts from the same state. A third figure checks and annotates a copy of the file in
which one row in ten is wrong.
"""

import argparse
import datetime as dt
import io
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zonehr.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

# Time as production runs: with DEBUG on, Django formats and keeps every SQL statement.
settings.DEBUG = False

import openpyxl  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from staffing import roster_import  # noqa: E402
from staffing.models import (  # noqa: E402
    Appointment,
    Department,
    Person,
    PositionLevel,
    Post,
    PostSeries,
    SalaryGrade,
    StaffingPolicy,
)
from staffing.national_id import check_digit  # noqa: E402
from zonehr.models import User  # noqa: E402

DEPARTMENTS = 20
POSTS_PER_DEPARTMENT = 10
GRADES = 11
LEVELS = 7
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"


def national_id(serial: int, birth: dt.date) -> str:
    """A valid ID from a serial; region 440400 (Zhuhai) so none collides with test data."""
    first17 = f"440400{birth:%Y%m%d}{serial % 1000:03d}"
    return first17 + check_digit(first17)


def births(count: int, rng: random.Random) -> list[tuple[str, dt.date]]:
    """`count` distinct (ID, birth date) pairs: 1000 serials per birth date."""
    found = []
    for index in range(count):
        birth = dt.date(1965, 1, 1) + dt.timedelta(days=index // 1000)
        found.append((national_id(index, birth), birth))
    rng.shuffle(found)
    return found


def zone_build(*, rows: int, existing: int) -> tuple[list[Post], User]:
    """Departments, one series with its grades and levels, posts with room for every row."""
    series = PostSeries.objects.create(code="clerical", name="管理/文职")
    SalaryGrade.objects.bulk_create(
        SalaryGrade(series=series, number=n, monthly_amount=Decimal(3500 + 1140 * (n - 1)))
        for n in range(1, GRADES + 1)
    )
    levels = PositionLevel.objects.bulk_create(
        PositionLevel(series=series, rank=r, name=f"{r}级职位", min_grade=r, max_grade=min(r + 4, GRADES))
        for r in range(1, LEVELS + 1)
    )
    departments = Department.objects.bulk_create(
        Department(name=f"部门{d:02d}", code=f"D{d:02d}", kind=Department.Kind.FUNCTIONAL_BUREAU)
        for d in range(DEPARTMENTS)
    )
    per_post = (rows + existing) // (DEPARTMENTS * POSTS_PER_DEPARTMENT) + 5
    posts = Post.objects.bulk_create(
        Post(
            department=department, name=f"{department.name}岗位{p}", code=f"{department.code}-{p:02d}",
            level=levels[p % LEVELS], headcount=per_post,
        )
        for department in departments
        for p in range(POSTS_PER_DEPARTMENT)
    )
    hr = User.objects.create(username="bench_hr")
    StaffingPolicy.current()  # created on first use; the runs should each read it once
    return posts, hr


def existing_staff(posts: list[Post], count: int) -> None:
    """People already on their posts, so the checks read a roster that is not empty."""
    people = Person.objects.bulk_create(
        Person(
            name="在职" + str(index), national_id=national_id(500 + index, dt.date(1960, 1, 1) + dt.timedelta(index)),
            identity=Person.Identity.CONTRACT, gender="M", birth_date=dt.date(1960, 1, 1) + dt.timedelta(index),
            education=Person.Education.BACHELOR, joined_on=dt.date(1985, 7, 1), status=Person.Status.ON_POST,
        )
        for index in range(count)
    )
    grades = {g.number: g for g in SalaryGrade.objects.all()}
    Appointment.objects.bulk_create(
        Appointment(
            person=person, post=(post := posts[index % len(posts)]), method=Appointment.Method.DIRECT,
            term_start=dt.date(2024, 1, 1), term_end=dt.date(2026, 12, 31), salary_grade=grades[post.level.min_grade],
        )
        for index, person in enumerate(people)
    )


def workbook(posts: list[Post], count: int, rng: random.Random, *, broken_every: int = 0) -> bytes:
    """A workbook of `count` valid rows (or one in `broken_every` rows with a grade out of band)."""
    labels = {
        column.key: list(roster_import.choice_labels(column.choices))
        for column in roster_import.COLUMNS
        if column.choices
    }
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = roster_import.DATA_SHEET
    sheet.append(roster_import.HEADERS)
    for index, (value, birth) in enumerate(births(count, rng)):
        post = posts[index % len(posts)]
        joined = birth + dt.timedelta(days=365 * 22)
        appointed = index % 10 != 0  # one in ten awaits a post
        archival = index % 5 != 0  # four in five have a sealed record
        broken = broken_every and index % broken_every == 1
        grade = post.level.max_grade + 1 if broken else post.level.min_grade
        row = {
            "name": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
            "national_id": value,
            "identity": rng.choice(labels["identity"]),
            "education": rng.choice(labels["education"]),
            "joined_on": joined,
        }
        if appointed:
            row |= {
                "department_code": post.department.code, "post_code": post.code,
                "method": rng.choice(labels["method"]), "term_start": dt.date(2025, 1, 1),
                "term_end": dt.date(2027, 12, 31), "grade": grade,
            }
        if archival:
            row |= {
                "archival_post": "科员", "archival_rank": "一级科员",
                "establishment_type": rng.choice(labels["establishment_type"]),
                "archival_salary": round(3000 + rng.randrange(0, 500000) / 100, 2), "sealed_on": dt.date(2024, 9, 30),
            }
        sheet.append([row.get(column.key) for column in roster_import.COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def timed(operation: Callable[[], Any]) -> tuple[float, int, Any]:
    """Wall time and number of queries; counting, not capturing, so the SQL is not formatted."""
    count = 0

    def counter(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        start = time.perf_counter()
        result = operation()
        elapsed = time.perf_counter() - start
    return elapsed, count, result


def median_run(label: str, runs: int, operation: Callable[[], tuple[float, int, Any]]) -> Any:
    times, queries, result = [], [], None
    for _ in range(runs):
        seconds, count, result = operation()
        times.append(seconds)
        queries.append(count)
    spread = f"{min(queries)}" if min(queries) == max(queries) else f"{min(queries)}–{max(queries)}"
    print(
        f"  {label:<34} median {statistics.median(times):7.3f} s   "
        f"(runs: {', '.join(f'{t:.3f}' for t in times)})   queries: {spread}"
    )
    return result


def write_once(hr: User, rows: list, filename: str) -> tuple[float, int, Any]:
    with transaction.atomic():
        measured = timed(lambda: roster_import.roster_import_save(actor=hr, rows=rows, filename=filename))
        # Undo the import so the next run starts from the same roster.
        transaction.set_rollback(True)
    return measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--existing", type=int, default=1000, help="people already on the roster")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        database.setdefault("TEST", {})["NAME"] = str(ROOT / "var" / "bench_roster_import.sqlite3")
    old_name = database["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        posts, hr = zone_build(rows=args.rows, existing=args.existing)
        posts = list(Post.objects.select_related("department", "level"))
        existing_staff(posts, args.existing)
        content = workbook(posts, args.rows, rng)
        print(
            f"{connection.vendor}: {args.rows} rows, {len(content) / 1024:.0f} KiB workbook; "
            f"zone of {DEPARTMENTS} departments, {len(posts)} posts, {args.existing} people on the roster; "
            f"median of {args.runs} runs"
        )
        median_run("read the workbook", args.runs, lambda: timed(lambda: roster_import.read_rows(content)))
        checked = median_run("check (read + reference + rules)", args.runs,
                             lambda: timed(lambda: roster_import.roster_check(content)))
        assert not checked.errors, checked.errors[:5]
        summary = median_run("write (one transaction)", args.runs, lambda: write_once(hr, checked.rows, "bench.xlsx"))
        print(f"    wrote {summary.people} people, {summary.appointed} appointments, {summary.records} archival "
              f"records, {summary.appointed} status changes and their audit entries")

        broken = workbook(posts, args.rows, random.Random(args.seed), broken_every=10)
        result = median_run("check a file, 1 row in 10 wrong", args.runs,
                            lambda: timed(lambda: roster_import.roster_check(broken)))
        median_run("annotate that file", args.runs,
                   lambda: timed(lambda: roster_import.annotate(broken, result.errors)))
        print(f"    {len(result.errors)} problems in {result.error_rows} rows")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
