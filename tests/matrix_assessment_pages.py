"""Permission matrix rows for assessment (pages); see tests/matrix.py.

HR runs assessment; department heads read the cycle and enter for their own department (another
department's indicator is a 404); leadership reads and decides coefficients; finance reads
results. Judges, the inspector, staff and outsiders see none of it.
"""

from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from assessment.models import (
    Adjustment,
    ConsequenceProposal,
    Cycle,
    DepartmentCoefficient,
    Indicator,
    Rating,
    SupervisedTask,
)
from tests.matrix import only

READERS = {"hr": 200, "head_a": 200, "head_b": 200, "finance": 200, "leader": 200}
ZONE_READERS = {"hr": 200, "leader": 200, "finance": 200}
HR = {"hr": 200}
# POST-only actions answer with a redirect back to the page, a refusal (if any) as a message.
HR_REDIRECT = {"hr": 302}


def _cycle(status: str = Cycle.Status.PLANNING) -> Cycle:
    return Cycle.objects.create(name="2026年度考核", kind=Cycle.Kind.ANNUAL, year=2026, status=status)


def _cycle_kwargs(p) -> dict:
    return {"pk": _cycle().pk}


def _indicator_of_a(p) -> dict:
    cycle = _cycle(Cycle.Status.SCORING)
    zone = Indicator.objects.create(cycle=cycle, level="zone", name="招商引资", rule="judged", weight=100)
    indicator = Indicator.objects.create(
        cycle=cycle,
        level="department",
        parent=zone,
        department=p.department_a,
        name="签约项目",
        rule="judged",
        weight=100,
    )
    return {"pk": indicator.pk}


# The matrix builders get no settings fixture to point MEDIA_ROOT elsewhere: one small file
# under the (git-ignored) media folder, written once and reused.
EVIDENCE_NAME = "assessment/evidence/matrix/evidence.pdf"


def _evidence_of_a(p) -> dict:
    kwargs = _indicator_of_a(p)
    if not default_storage.exists(EVIDENCE_NAME):
        default_storage.save(EVIDENCE_NAME, ContentFile(b"%PDF-1.4"))
    Indicator.objects.filter(pk=kwargs["pk"]).update(evidence=EVIDENCE_NAME)
    return kwargs


def _adjustment(p) -> dict:
    adjustment = Adjustment.objects.create(
        cycle=_cycle(), person=p.staff_person, points=Decimal(2), reason="招商引资突出", recorded_by=p.hr
    )
    return {"pk": adjustment.pk}


def _proposed_coefficient(p) -> dict:
    coefficient = DepartmentCoefficient.objects.create(
        cycle=_cycle(), department=p.department_a, value=Decimal("1.2"), reason="任务重", proposed_by=p.hr
    )
    return {"pk": coefficient.pk}


def _task(p) -> dict:
    task = SupervisedTask.objects.create(
        cycle=_cycle(), title="项目落地督办", department=p.department_a, deadline="2026-06-30", assigned_by=p.hr
    )
    return {"pk": task.pk}


def _rating(p) -> Rating:
    return Rating.objects.create(
        cycle=_cycle(Cycle.Status.RATING),
        person=p.staff_person,
        department=p.department_a,
        group=f"department:{p.department_a.pk}",
        score=Decimal(70),
        rank=1,
        group_size=1,
        proposed_grade="basically_competent",
        grade="basically_competent",
    )


def _proposal(p) -> dict:
    proposal = ConsequenceProposal.objects.create(
        rating=_rating(p),
        kind="basic_competent_measures",
        reasons=["basically_competent"],
        options=["pay_cut", "waiting", "transfer"],
    )
    return {"pk": proposal.pk}


ROWS: dict = {
    "assessment:cycles": (lambda p: {}, only(READERS)),
    "assessment:cycle_create": (lambda p: {}, only(HR)),
    "assessment:cycle_detail": (_cycle_kwargs, only(READERS)),
    "assessment:cycle_edit": (_cycle_kwargs, only(HR)),
    "assessment:cycle_advance": (_cycle_kwargs, only(HR_REDIRECT), "post"),
    "assessment:kpi": (_cycle_kwargs, only(READERS)),
    "assessment:indicator_create": (lambda p: {"cycle_pk": _cycle().pk}, only(HR)),
    "assessment:indicator_edit": (_indicator_of_a, only(HR)),
    # Department A's indicator: its own head enters, the other head is not told it exists.
    "assessment:indicator_enter": (_indicator_of_a, {**only({"hr": 200, "head_a": 200}), "head_b": 404}),
    # Whoever may not see the indicator is not told it or its file exists.
    "assessment:indicator_evidence": (_evidence_of_a, only({**ZONE_READERS, "head_a": 200}, denied=404)),
    "assessment:coefficients": (_cycle_kwargs, only(ZONE_READERS)),
    "assessment:coefficient_decide": (_proposed_coefficient, only({"leader": 302}), "post"),
    "assessment:composition_edit": (lambda p: {"pk": _cycle().pk, "unit_type": "staff"}, only(HR)),
    "assessment:evaluations": (_cycle_kwargs, only(HR)),
    # An empty upload comes back to the page with the form's error.
    "assessment:evaluations_import": (_cycle_kwargs, only(HR), "post"),
    "assessment:evaluations_template": (_cycle_kwargs, only(HR)),
    "assessment:tasks": (_cycle_kwargs, only(READERS)),
    "assessment:task_create": (_cycle_kwargs, only(HR)),
    "assessment:task_close": (_task, only(HR)),
    "assessment:adjustments": (_cycle_kwargs, only(READERS)),
    "assessment:adjustment_remove": (_adjustment, only(HR_REDIRECT), "post"),
    "assessment:ratings": (_cycle_kwargs, only(READERS)),
    "assessment:ratings_run": (_cycle_kwargs, only(HR_REDIRECT), "post"),
    "assessment:rating_override": (lambda p: {"pk": _rating(p).pk}, only(HR)),
    "assessment:proposals": (_cycle_kwargs, only({"hr": 200, "leader": 200})),
    "assessment:proposal_decide": (_proposal, only(HR)),
}
