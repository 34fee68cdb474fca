"""Permission matrix rows for assessment (api); see tests/matrix.py.

The scene: a cycle at scoring with an indicator, a proposed coefficient, an evaluation and a
supervised task of department A, the staff member's rating with a proposed consequence, and
his conduct report. Reads a persona may not make of a row are 404 (narrowed, not refused);
actions posted with an empty body reach validation (400) for the role they belong to.
"""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from assessment.models import (
    ConductReport,
    ConsequenceProposal,
    Cycle,
    DepartmentCoefficient,
    Evaluation,
    Indicator,
    Rating,
    SupervisedTask,
)
from tests.matrix import everyone, only

READERS = {"hr": 200, "head_a": 200, "head_b": 200, "finance": 200, "leader": 200}
ALL_DEPARTMENTS = {"hr": 200, "finance": 200, "leader": 200}
OVERSIGHT = {"hr": 200, "leader": 200}


def scene(p) -> SimpleNamespace:
    cycle = Cycle.objects.create(name="2026年度考核", kind="annual", year=2026, status=Cycle.Status.SCORING)
    indicator = Indicator.objects.create(
        cycle=cycle,
        level="department",
        department=p.department_a,
        name="招商到位资金",
        rule="ratio",
        target=Decimal(10),
        weight=100,
    )
    coefficient = DepartmentCoefficient.objects.create(
        cycle=cycle, department=p.department_a, value=Decimal("1.2"), reason="招商任务重", proposed_by=p.hr
    )
    evaluation = Evaluation.objects.create(
        cycle=cycle, source="enterprise_evaluation", department=p.department_a, score=Decimal(90), entered_by=p.hr
    )
    task = SupervisedTask.objects.create(
        cycle=cycle, title="项目落地", department=p.department_a, deadline=dt.date(2026, 6, 30), assigned_by=p.hr
    )
    rating = Rating.objects.create(
        cycle=cycle,
        person=p.staff_person,
        department=p.department_a,
        group="department:A",
        score=Decimal(80),
        rank=1,
        group_size=1,
        proposed_grade="competent",
        grade="competent",
    )
    proposal = ConsequenceProposal.objects.create(rating=rating, kind="priority_promotion")
    report = ConductReport.objects.create(filed_by=p.staff, anonymous=True, text="长期不在岗")
    return SimpleNamespace(
        cycle=cycle,
        indicator=indicator,
        coefficient=coefficient,
        evaluation=evaluation,
        task=task,
        rating=rating,
        proposal=proposal,
        report=report,
    )


def pk(name: str):
    return lambda p: {"pk": getattr(scene(p), name).pk}


def api(allowed: dict[str, int], denied: int = 403) -> dict[str, int]:
    return only(allowed, denied=denied, anonymous=401)


def own_department(allowed: dict[str, int]) -> dict[str, int]:
    """Readers of department A's row: the other head does not find it."""
    return {**api(allowed), "head_b": 404}


ROWS: dict = {
    "assessment-cycle-list": (lambda p: {}, api(READERS)),
    "assessment-cycle-detail": (pk("cycle"), api(READERS)),
    "assessment-cycle-advance": (pk("cycle"), api({"hr": 200}), "post"),
    "assessment-indicator-list": (lambda p: {}, api(READERS)),
    "assessment-indicator-detail": (pk("indicator"), own_department({**ALL_DEPARTMENTS, "head_a": 200})),
    # No value in the body: the rule refuses it (400) for those who may enter for department A.
    "assessment-indicator-values": (pk("indicator"), own_department({"hr": 400, "head_a": 400}), "post"),
    "assessment-coefficient-list": (lambda p: {}, api(READERS)),
    "assessment-coefficient-detail": (pk("coefficient"), own_department({**ALL_DEPARTMENTS, "head_a": 200})),
    "assessment-coefficient-decide": (pk("coefficient"), api({"leader": 400}), "post"),
    "assessment-evaluation-list": (lambda p: {}, api(OVERSIGHT)),
    "assessment-evaluation-detail": (pk("evaluation"), api(OVERSIGHT)),
    # A staff member reads his own rating; everyone else's is narrowed away.
    "assessment-rating-list": (lambda p: {}, api({**READERS, "staff": 200})),
    "assessment-rating-detail": (pk("rating"), own_department({**ALL_DEPARTMENTS, "head_a": 200, "staff": 200})),
    "assessment-rating-run": (lambda p: {}, api({"hr": 400}), "post"),
    "assessment-rating-override": (pk("rating"), api({"hr": 400}), "post"),
    "assessment-proposal-list": (lambda p: {}, api(OVERSIGHT)),
    "assessment-proposal-detail": (pk("proposal"), api(OVERSIGHT)),
    "assessment-proposal-decide": (pk("proposal"), api({"hr": 400}), "post"),
    "assessment-task-list": (lambda p: {}, api({**OVERSIGHT, "head_a": 200, "head_b": 200})),
    "assessment-task-detail": (pk("task"), own_department({**OVERSIGHT, "head_a": 200})),
    # Everyone lists reports: the inspector all of them, the others their own.
    "assessment-conduct-report-list": (lambda p: {}, everyone(200, anonymous=401)),
    "assessment-conduct-report-detail": (pk("report"), api({"inspector": 200, "staff": 200}, denied=404)),
    "assessment-conduct-report-handle": (pk("report"), api({"inspector": 400}), "post"),
}
