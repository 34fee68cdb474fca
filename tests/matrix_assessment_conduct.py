"""Permission matrix rows for assessment (conduct reports, dashboards, exports); see tests/matrix.py."""

from assessment.models import ConductReport, Cycle
from tests.matrix import everyone, only


def _report(p) -> dict:
    report = ConductReport.objects.create(filed_by=p.staff, anonymous=True, text="长期不在岗")
    return {"pk": report.pk}


ROWS: dict = {
    # Anyone logged in files a report and follows his own.
    "assessment:conduct_mine": (lambda p: {}, everyone(200)),
    "assessment:conduct_file": (lambda p: {}, everyone(200)),
    # The reports themselves, with their filers, are the inspector's alone.
    "assessment:conduct_reports": (lambda p: {}, only({"inspector": 200})),
    "assessment:conduct_report": (_report, only({"inspector": 200})),
    # Dashboards: HR and the leadership see every department, a head his own.
    "assessment:dashboard": (lambda p: {}, only({"hr": 200, "leader": 200, "head_a": 200, "head_b": 200})),
    # The individual sheet names everyone's grade: HR, the leadership and finance (for pay).
    "assessment:results_export": (
        lambda p: {"pk": Cycle.objects.create(name="2026年度考核", kind="annual", year=2026).pk},
        only({"hr": 200, "leader": 200, "finance": 200}),
    ),
}
