"""Permission matrix rows for payroll (pages and api); see tests/matrix.py.

The scene: a pay policy, a confirmed cycle, and two months paying on it: September closed with a
pay line of the staff member and one of head A (both of department A) and department A's approved
package, October open with a pay input and an advanced worker. Finance runs the months and alone
reads pay lines and downloads the files; leadership reads the months and packages, approves
packages and reopens; a department head reads his own department's package and pay (another's is
not found); everyone with a person record reads his own pay slips, nobody else's.
"""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone

from assessment.models import Cycle
from payroll.models import AdvancedWorker, PayInput, PayLine, PayPeriod, PayPolicy, PayrollJob, SalaryPackage
from tests.matrix import everyone, only

FINANCE = {"finance": 200}
PACKAGE_READERS = {"finance": 200, "leader": 200}
READERS = {"finance": 200, "leader": 200, "head_a": 200, "head_b": 200}
# Everyone whose login has a person record: the staff member and the two heads.
WITH_PERSON = {"head_a": 200, "head_b": 200, "staff": 200}


def scene(p) -> SimpleNamespace:
    policy = PayPolicy.objects.create(effective_from=dt.date(2026, 1, 1))
    cycle = Cycle.objects.create(name="2025年度考核", kind="annual", year=2025, status=Cycle.Status.CONFIRMED)
    closed = PayPeriod.objects.create(
        year=2026, month=9, cycle=cycle, status=PayPeriod.Status.CLOSED, closed_at=timezone.now(), closed_by=p.finance
    )
    job = PayrollJob.objects.create(
        period=closed, kind="calculate", status="succeeded", total_steps=1, done_steps=1, started_by=p.finance
    )
    closed.current_job = job
    closed.save(update_fields=["current_job"])
    for person in (p.staff_person, p.head_a_person):
        PayLine.objects.create(
            job=job,
            period=closed,
            person=person,
            department=p.department_a,
            identity=person.identity,
            basic_salary=Decimal("3500.00"),
            gross_pay=Decimal("3500.00"),
            net_pay=Decimal("3500.00"),
        )
    package = SalaryPackage.objects.create(
        period=closed,
        department=p.department_a,
        headcount=2,
        coefficient=Decimal("1.00"),
        basic_package=Decimal("7000.00"),
        performance_package=Decimal("12000.00"),
        status=SalaryPackage.Status.APPROVED,
        approved_by=p.leader,
        approved_at=timezone.now(),
    )
    open_month = PayPeriod.objects.create(year=2026, month=10, cycle=cycle)
    pay_input = PayInput.objects.create(period=open_month, person=p.staff_person, kind="allowance", amount=500)
    worker = AdvancedWorker.objects.create(period=open_month, person=p.staff_person)
    return SimpleNamespace(
        policy=policy, closed=closed, open=open_month, job=job, package=package, pay_input=pay_input, worker=worker
    )


def _pk(name: str):
    return lambda p: {"pk": getattr(scene(p), name).pk}


def _department_a(p) -> dict:
    return {"pk": scene(p).closed.pk, "department_pk": p.department_a.pk}


def _staff_slip(p) -> dict:
    return {"period_pk": scene(p).closed.pk, "person_pk": p.staff_person.pk}


def _line(p) -> dict:
    scene(p)
    return {"pk": PayLine.objects.get(person=p.staff_person).pk}


def api(allowed: dict[str, int], denied: int = 403) -> dict[str, int]:
    return only(allowed, denied=denied, anonymous=401)


ROWS: dict = {
    # --- Months, jobs and departments (payroll/urls_periods.py) ---
    "payroll:periods": (lambda p: {}, only(READERS)),
    "payroll:period_open": (lambda p: {}, only(FINANCE)),
    "payroll:period_detail": (_pk("closed"), only(PACKAGE_READERS)),
    "payroll:period_progress": (_pk("closed"), only(PACKAGE_READERS)),
    # POST-only actions answer with a redirect back to the month, a refusal (if any) as a message.
    "payroll:period_calculate": (_pk("open"), only({"finance": 302}), "post"),
    "payroll:period_close": (_pk("closed"), only({"finance": 302}), "post"),
    "payroll:period_reopen": (_pk("closed"), only({"leader": 302}), "post"),
    # Department A's month: its own head reads package and pay, the other head is not told it exists.
    "payroll:department_review": (_department_a, {**only({**PACKAGE_READERS, "head_a": 200}), "head_b": 404}),
    "payroll:my_department": (lambda p: {}, only({"head_a": 200, "head_b": 200})),
    # --- Policy, packages, inputs and profiles (payroll/urls_packages.py) ---
    "payroll:policy": (lambda p: {}, only(FINANCE)),
    "payroll:policy_new": (lambda p: {}, only(FINANCE)),
    "payroll:policy_edit": (_pk("policy"), only(FINANCE)),
    # Heads get their own department's package on the same page.
    "payroll:packages": (_pk("closed"), only(READERS)),
    # An empty what-if or approval comes back to the page with the form's errors.
    "payroll:packages_plan": (_pk("open"), only(PACKAGE_READERS), "post"),
    "payroll:packages_approve": (_pk("open"), only({"leader": 200}), "post"),
    "payroll:inputs": (_pk("open"), only(FINANCE)),
    # An empty upload comes back to the page with the form's error.
    "payroll:inputs_import": (_pk("open"), only(FINANCE), "post"),
    "payroll:inputs_template": (lambda p: {}, only(FINANCE)),
    "payroll:input_edit": (_pk("pay_input"), only(FINANCE)),
    "payroll:input_delete": (_pk("pay_input"), only({"finance": 302}), "post"),
    "payroll:advanced_worker_add": (_pk("open"), only(FINANCE), "post"),
    "payroll:advanced_worker_remove": (_pk("worker"), only({"finance": 302}), "post"),
    "payroll:profiles": (lambda p: {}, only(FINANCE)),
    "payroll:profile_edit": (lambda p: {"pk": p.staff_person.pk}, only(FINANCE)),
    # --- Slips and downloads (payroll/urls_slips.py) ---
    "payroll:my_pay": (lambda p: {}, only(WITH_PERSON)),
    # The staff member's slip: his and finance's; head A, a member of staff too, may not read it.
    "payroll:slip": (_staff_slip, only({"finance": 200, "staff": 200})),
    "payroll:salary_sheet": (_pk("closed"), only(FINANCE)),
    "payroll:bank_file": (_pk("closed"), only(FINANCE)),
    "payroll:pivot_report": (_pk("closed"), only(FINANCE)),
    # --- API ---
    "payroll-policy-list": (lambda p: {}, api(FINANCE)),
    "payroll-policy-detail": (_pk("policy"), api(FINANCE)),
    "payroll-package-list": (lambda p: {}, api(READERS)),
    "payroll-package-detail": (_pk("package"), {**api({**PACKAGE_READERS, "head_a": 200}), "head_b": 404}),
    "payroll-period-list": (lambda p: {}, api(READERS)),
    "payroll-period-detail": (_pk("closed"), api(READERS)),
    "payroll-period-totals": (_pk("closed"), api(READERS)),
    "payroll-period-progress": (_pk("closed"), api(PACKAGE_READERS)),
    # A closed month refuses a calculation (400); closing it again is harmless (202).
    "payroll-period-calculate": (_pk("closed"), api({"finance": 400}), "post"),
    "payroll-period-close": (_pk("closed"), api({"finance": 202}), "post"),
    # Without a reason the leadership's reopen reaches validation.
    "payroll-period-reopen": (_pk("closed"), api({"leader": 400}), "post"),
    "payroll-period-salary-sheet": (_pk("closed"), api(FINANCE)),
    "payroll-period-bank-file": (_pk("closed"), api(FINANCE)),
    "payroll-job-list": (lambda p: {}, api(PACKAGE_READERS)),
    "payroll-job-detail": (_pk("job"), api(PACKAGE_READERS)),
    "payroll-line-list": (lambda p: {}, api(FINANCE)),
    "payroll-line-detail": (_line, api(FINANCE)),
    # Narrowed, not refused: everyone reads his own lines, an empty list without a person record.
    "payroll-line-mine": (lambda p: {}, everyone(200, anonymous=401)),
}
