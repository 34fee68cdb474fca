"""Time the pay rules of one month for a whole zone, to show they are not what makes a period
close slow.

    .venv/bin/python bench/payroll_rules.py
    .venv/bin/python bench/payroll_rules.py --staff 10000 100000 --runs 3

For each size it generates seeded staff in departments of about 250, then times the pure
calculation of a June: department packages scaled to the zone pool, each package shared by
score × post coefficient, the basic/incentive split, the contribution base and the employee's
contributions, and the income tax by cumulative withholding. No database: reading and writing
are the period close's business. Reports the median of the runs, stage by stage.
"""

import argparse
import gc
import random
import statistics
import sys
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from payroll.allocation import (  # noqa: E402
    performance_package,
    scale_to_pool,
    share,
    split_basic_incentive,
    weight,
)
from payroll.contributions import contribution_base, contributions  # noqa: E402
from payroll.tax import ANNUAL_TABLE, BASIC_DEDUCTION, cumulative_withholding  # noqa: E402
from zonehr.money import to_fen  # noqa: E402

DEPARTMENT_SIZE = 250
MONTH = 6  # June: five months of figures behind each person
AVERAGE_WAGE = Decimal(9000)
PER_HEAD_BASE = Decimal(3000)
POOL_PER_HEAD = Decimal(2800)  # the zone's pool falls a little short of the packages
POST_COEFFICIENTS = [Decimal(1), Decimal("1.1"), Decimal("1.2"), Decimal("1.5")]
ADDITIONAL_DEDUCTIONS = [Decimal(0), Decimal(1000), Decimal(2000), Decimal(3000), Decimal(4000)]


@dataclass(frozen=True)
class Person:
    key: int
    department: int
    basic_salary: Decimal
    declared_wage: Decimal
    score: Decimal
    post_coefficient: Decimal
    additional_deductions: Decimal  # a month's special additional deductions
    ytd_income: Decimal  # January to May
    ytd_special: Decimal
    ytd_tax_withheld: Decimal


@dataclass(frozen=True)
class Department:
    key: int
    coefficient: Decimal
    assessment_factor: Decimal
    staff: list[Person]


def generate(*, staff: int, seed: int) -> tuple[list[Department], Decimal]:
    """Departments of seeded staff on the Hengqin clerical scale, and the zone's pool."""
    rng = random.Random(seed)
    count = max(1, staff // DEPARTMENT_SIZE)
    members: list[list[Person]] = [[] for _ in range(count)]
    for key in range(staff):
        department = key % count
        basic = Decimal(rng.randrange(3500, 14901, 100))
        declared = basic + Decimal(rng.randrange(0, 800000)) / 100
        monthly_income = basic + PER_HEAD_BASE
        monthly_special = sum(contributions(base=contribution_base(wage=declared, average_wage=AVERAGE_WAGE)).values())
        additional = rng.choice(ADDITIONAL_DEDUCTIONS)
        months_before = MONTH - 1
        taxable = monthly_income * months_before - (BASIC_DEDUCTION + monthly_special + additional) * months_before
        members[department].append(
            Person(
                key=key,
                department=department,
                basic_salary=basic,
                declared_wage=declared,
                score=Decimal(rng.randrange(6000, 10001)) / 100,
                post_coefficient=rng.choice(POST_COEFFICIENTS),
                additional_deductions=additional,
                ytd_income=monthly_income * months_before,
                ytd_special=monthly_special * months_before,
                ytd_tax_withheld=to_fen(ANNUAL_TABLE.tax(max(taxable, Decimal(0)))),
            )
        )
    departments = [
        Department(
            key=key,
            coefficient=Decimal(rng.randrange(50, 151)) / 100,
            assessment_factor=Decimal(rng.randrange(90, 111)) / 100,
            staff=people,
        )
        for key, people in enumerate(members)
    ]
    return departments, POOL_PER_HEAD * staff


def calculate_month(departments: list[Department], pool: Decimal) -> tuple[dict[str, float], Decimal, Decimal]:
    """The month's pay rules for everyone; the seconds each stage took, the performance pay and
    the tax of the month."""
    seconds: dict[str, float] = {}

    started = time.perf_counter()
    packages = {
        department.key: performance_package(
            headcount=len(department.staff),
            per_head_base=PER_HEAD_BASE,
            coefficient=department.coefficient,
            assessment_factor=department.assessment_factor,
        )
        for department in departments
    }
    scaled = scale_to_pool(packages=packages, pool=pool)
    performance: dict[int, Decimal] = {}
    for department in departments:
        weights = {
            person.key: weight(score=person.score, post_coefficient=person.post_coefficient)
            for person in department.staff
        }
        performance.update(share(total=scaled[department.key], weights=weights))
    for amount in performance.values():
        split_basic_incentive(total=amount)
    seconds["packages and shares"] = time.perf_counter() - started

    started = time.perf_counter()
    special: dict[int, Decimal] = {}
    for department in departments:
        for person in department.staff:
            base = contribution_base(wage=person.declared_wage, average_wage=AVERAGE_WAGE)
            special[person.key] = sum(contributions(base=base).values(), Decimal(0))
    seconds["contributions"] = time.perf_counter() - started

    started = time.perf_counter()
    tax_total = Decimal(0)
    for department in departments:
        for person in department.staff:
            tax_total += cumulative_withholding(
                ytd_income=person.ytd_income + person.basic_salary + performance[person.key],
                ytd_exempt=Decimal(0),
                months_employed=MONTH,
                ytd_special_deductions=person.ytd_special + special[person.key],
                ytd_special_additional_deductions=person.additional_deductions * MONTH,
                ytd_other_deductions=Decimal(0),
                ytd_tax_withheld=person.ytd_tax_withheld,
            )
    seconds["income tax"] = time.perf_counter() - started

    seconds["total"] = sum(seconds.values())
    return seconds, sum(performance.values(), Decimal(0)), tax_total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    print(f"pay rules of one month · median of {args.runs} runs · Python {sys.version.split()[0]}")
    for staff in args.staff:
        departments, pool = generate(staff=staff, seed=args.seed)
        runs: list[dict[str, float]] = []
        for _ in range(args.runs):
            gc.collect()  # so one run's garbage is not collected on the next run's clock
            seconds, performance_total, tax_total = calculate_month(departments, pool)
            if performance_total != pool:
                raise SystemExit(f"the shares add up to {performance_total}, not the pool {pool}")
            runs.append(seconds)
        print()
        print(f"{staff} staff in {len(departments)} departments · pool {pool} · tax withheld {tax_total}")
        for stage in runs[0]:
            times = [run[stage] for run in runs]
            print(f"  {stage:<20} {statistics.median(times):7.3f} s  (min {min(times):.3f}, max {max(times):.3f})")


if __name__ == "__main__":
    main()
