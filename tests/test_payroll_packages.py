"""Salary packages: the figures of a small zone worked by hand, the what-if that writes nothing,
the approval by leadership, and the packages page for finance, leadership and a department head."""

from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment.models import Cycle, DepartmentCoefficient
from payroll import packages
from payroll.models import AdvancedWorker, PayPeriod, SalaryPackage
from staffing.models import Person
from tests.factories import (
    AppointmentFactory,
    DepartmentFactory,
    PositionLevelFactory,
    PostFactory,
    UserFactory,
)
from tests.payroll_fixtures import (
    approve_coefficient,
    build_cycle,
    build_period,
    build_person_on_post,
    build_policy,
    build_waiting_person,
    name_advanced_workers,
)
from zonehr.errors import ApplicationError
from zonehr.roles import Role

D = Decimal


@pytest.fixture
def zone(db):
    """Two departments worked by hand (per-head base 6,000, award share 20 %):

    X (code PAY0): grades 1 and 3 → basic 3,500 + 4,500 = 8,000; coefficient 1.20, result 110:
        raw performance 2 × 6,000 × 1.20 × 1.10 = 15,840.00.
    Y (code PAY1): grades 1, 2, 2 → basic 3,500 + 4,000 + 4,000 = 11,500; no approved coefficient
        (1.00), result 90: raw performance 3 × 6,000 × 1.00 × 0.90 = 16,200.00.
    Pool at zone factor 1.00: 5 × 6,000 = 30,000.00, shared 15,840 : 16,200 →
        X 14,831.4607 → 14,831.46, Y 15,168.5393 → 15,168.53, the fen left over to the larger
        remainder (Y): 15,168.54.
    """
    leader = UserFactory(roles=[Role.LEADERSHIP])
    build_policy()
    x = DepartmentFactory(name="招商局", code="PAY0")
    y = DepartmentFactory(name="财政局", code="PAY1")
    cycle = build_cycle(department_scores={x.pk: D(110), y.pk: D(90)})
    approve_coefficient(cycle, x, D("1.20"), by=leader)
    people = [build_person_on_post(department=x, grade=grade, cycle=cycle) for grade in (1, 3)]
    people += [build_person_on_post(department=y, grade=grade, cycle=cycle) for grade in (1, 2, 2)]
    period = build_period(year=2025, month=1, cycle=cycle)
    return {"x": x, "y": y, "cycle": cycle, "period": period, "leader": leader, "people": people}


def _rows(plan):
    return {row.department.code: row for row in plan.rows}


def test_it_works_out_the_packages_of_the_hand_worked_zone(zone):
    plan = packages.package_plan(period=zone["period"])

    rows = _rows(plan)
    assert [row.department.code for row in plan.rows] == ["PAY0", "PAY1"]
    assert (rows["PAY0"].headcount, rows["PAY1"].headcount) == (2, 3)
    assert (rows["PAY0"].basic_package, rows["PAY1"].basic_package) == (D("8000.00"), D("11500.00"))
    assert (rows["PAY0"].coefficient, rows["PAY1"].coefficient) == (D("1.20"), D("1.00"))
    assert (rows["PAY0"].score, rows["PAY1"].score) == (D("110.00"), D("90.00"))
    assert (rows["PAY0"].raw_performance, rows["PAY1"].raw_performance) == (D("15840.00"), D("16200.00"))
    assert plan.pool == D("30000.00")
    assert plan.award_pool == D("0.00")
    assert (rows["PAY0"].performance_package, rows["PAY1"].performance_package) == (D("14831.46"), D("15168.54"))
    assert plan.performance_package == plan.pool
    assert plan.basic_package == D("19500.00")
    assert rows["PAY0"].approved is None and plan.difference is None


def test_naming_an_advanced_worker_takes_the_award_pool_out_of_the_pool(zone):
    name_advanced_workers(zone["period"], zone["people"][:1])

    plan = packages.package_plan(period=zone["period"])

    # 20 % of 30,000 is the award; 24,000 is shared 15,840 : 16,200 → 11,865.1685 and
    # 12,134.8315, the odd fen to X's larger remainder.
    assert plan.award_pool == D("6000.00")
    assert plan.advanced_workers == 1
    rows = _rows(plan)
    assert (rows["PAY0"].performance_package, rows["PAY1"].performance_package) == (D("11865.17"), D("12134.83"))
    assert plan.performance_package + plan.award_pool == plan.pool == D("30000.00")


def test_the_zone_factor_and_a_modelled_coefficient_move_the_packages(zone):
    plan = packages.package_plan(period=zone["period"], zone_factor=D("1.10"), coefficients={zone["y"].pk: D("1.50")})

    # Pool 5 × 6,000 × 1.10 = 33,000; Y raw 3 × 6,000 × 1.50 × 0.90 = 24,300: 33,000 shared
    # 15,840 : 24,300 → 13,022.4215 and 19,977.5785, the odd fen to Y.
    rows = _rows(plan)
    assert plan.pool == D("33000.00")
    assert rows["PAY1"].raw_performance == D("24300.00")
    assert (rows["PAY0"].performance_package, rows["PAY1"].performance_package) == (D("13022.42"), D("19977.58"))
    assert rows["PAY1"].coefficient_modelled and not rows["PAY0"].coefficient_modelled
    assert rows["PAY1"].cycle_coefficient == D("1.00")


def test_waiting_staff_are_left_out_and_a_negotiated_salary_counts(zone):
    first_post = zone["people"][0].appointments.get().post
    build_waiting_person(post=first_post, grade=3)
    level = PositionLevelFactory(is_negotiated=True, min_grade=None, max_grade=None)
    AppointmentFactory(
        post=PostFactory(department=zone["y"], level=level), salary_grade=None, negotiated_salary=D("9000.00")
    )

    rows = _rows(packages.package_plan(period=zone["period"]))

    assert (rows["PAY0"].headcount, rows["PAY0"].basic_package) == (2, D("8000.00"))
    assert (rows["PAY1"].headcount, rows["PAY1"].basic_package) == (4, D("20500.00"))


def test_a_department_without_a_result_counts_100(zone):
    z = DepartmentFactory(code="PAY2")
    build_person_on_post(department=z, grade=1, cycle=zone["cycle"])

    row = _rows(packages.package_plan(period=zone["period"]))["PAY2"]

    assert row.score is None
    assert row.raw_performance == D("6000.00")


def test_the_what_if_writes_nothing(zone):
    period = zone["period"]
    packages.approve_packages(period=period, actor=zone["leader"], zone_factor=D("1.00"), reason="首次核定")
    before = (
        list(SalaryPackage.objects.order_by("pk").values()),
        PayPeriod.objects.filter(pk=period.pk).values().get(),
        list(DepartmentCoefficient.objects.order_by("pk").values()),
        LogEntry.objects.count(),
    )

    plan = packages.package_plan(period=period, zone_factor=D("0.80"), coefficients={zone["x"].pk: D("0.50")})

    assert plan.pool == D("24000.00")
    after = (
        list(SalaryPackage.objects.order_by("pk").values()),
        PayPeriod.objects.filter(pk=period.pk).values().get(),
        list(DepartmentCoefficient.objects.order_by("pk").values()),
        LogEntry.objects.count(),
    )
    assert after == before


def test_leadership_approves_and_the_packages_and_pools_are_recorded_and_audited(zone):
    period = zone["period"]
    name_advanced_workers(period, zone["people"][:1])

    approved = packages.approve_packages(
        period=period,
        actor=zone["leader"],
        zone_factor=D("1.10"),
        coefficients={zone["y"].pk: D("1.50")},
        reason="按园区考核结果上浮",
    )

    assert len(approved) == 2
    stored = {package.department.code: package for package in SalaryPackage.objects.select_related("department")}
    assert all(package.status == SalaryPackage.Status.APPROVED for package in stored.values())
    assert all(package.approved_by == zone["leader"] and package.approved_at for package in stored.values())
    # Pool 33,000, award 6,600, 26,400 shared 15,840 : 24,300.
    assert stored["PAY1"].coefficient == D("1.50")
    assert stored["PAY0"].assessment_score == D("110.00")
    assert stored["PAY0"].basic_package == D("8000.00")
    assert stored["PAY0"].performance_package + stored["PAY1"].performance_package == D("26400.00")
    period.refresh_from_db()
    assert (period.zone_factor, period.performance_pool, period.award_pool) == (
        D("1.10"),
        D("33000.00"),
        D("6600.00"),
    )
    # The modelled coefficient is the package's; the assessment keeps its own.
    assert not DepartmentCoefficient.objects.filter(department=zone["y"]).exists()
    entries = LogEntry.objects.get_for_model(SalaryPackage)
    assert entries.count() == 2
    assert {entry.additional_data["reason"] for entry in entries} == {"按园区考核结果上浮"}
    assert {entry.actor for entry in entries} == {zone["leader"]}
    period_entry = LogEntry.objects.get_for_object(period).latest("timestamp")
    assert period_entry.additional_data["reason"] == "按园区考核结果上浮"
    assert "performance_pool" in period_entry.changes_dict


def test_approving_again_replaces_the_packages(zone):
    period = zone["period"]
    packages.approve_packages(period=period, actor=zone["leader"], zone_factor=D("1.00"), reason="首次核定")
    first = {package.department_id: package.pk for package in SalaryPackage.objects.all()}
    # The staff of Y leave; X gets a coefficient modelled down.
    Person.objects.filter(appointments__post__department=zone["y"]).update(status=Person.Status.DEPARTED)

    packages.approve_packages(
        period=period,
        actor=zone["leader"],
        zone_factor=D("1.00"),
        coefficients={zone["x"].pk: D("0.90")},
        reason="人员变动后重新核定",
    )

    remaining = list(SalaryPackage.objects.all())
    assert [(package.department_id, package.pk) for package in remaining] == [(zone["x"].pk, first[zone["x"].pk])]
    assert remaining[0].coefficient == D("0.90")
    assert remaining[0].performance_package == D("12000.00")
    period.refresh_from_db()
    assert period.performance_pool == D("12000.00")


def test_the_plan_shows_the_difference_to_the_approved_packages(zone):
    period = zone["period"]
    packages.approve_packages(period=period, actor=zone["leader"], zone_factor=D("1.00"), reason="首次核定")

    unchanged = packages.package_plan(period=period)
    raised = packages.package_plan(period=period, zone_factor=D("1.10"))

    assert unchanged.is_approved
    assert [row.difference for row in unchanged.rows] == [D("0.00"), D("0.00")]
    assert raised.difference == D("3000.00")
    assert sum(row.difference for row in raised.rows) == D("3000.00")


def test_finance_cannot_approve(zone):
    finance = UserFactory(roles=[Role.FINANCE_OFFICER])

    with pytest.raises(ApplicationError, match="approved by the leadership"):
        packages.approve_packages(period=zone["period"], actor=finance, zone_factor=D("1.00"), reason="试图核定")

    assert not SalaryPackage.objects.exists()
    zone["period"].refresh_from_db()
    assert zone["period"].performance_pool is None


def test_a_closed_period_refuses_approval(zone):
    PayPeriod.objects.filter(pk=zone["period"].pk).update(status=PayPeriod.Status.CLOSED)

    with pytest.raises(ApplicationError, match="is closed"):
        packages.approve_packages(period=zone["period"], actor=zone["leader"], zone_factor=D("1.00"), reason="核定")

    assert not SalaryPackage.objects.exists()


def test_approval_needs_a_reason(zone):
    with pytest.raises(ApplicationError) as refused:
        packages.approve_packages(period=zone["period"], actor=zone["leader"], zone_factor=D("1.00"), reason="  ")

    assert "reason" in refused.value.fields
    assert not SalaryPackage.objects.exists()


@pytest.mark.parametrize(
    ("zone_factor", "coefficient", "field"),
    [
        (D("1.60"), None, "zone_factor"),
        (D("0.49"), None, "zone_factor"),
        (D("1.005"), None, "zone_factor"),
        ("abc", None, "zone_factor"),
        (D("1.00"), D("1.51"), "coefficient"),
        (D("1.00"), D("0.40"), "coefficient"),
    ],
)
def test_figures_out_of_bounds_are_refused_naming_them(zone, zone_factor, coefficient, field):
    coefficients = {} if coefficient is None else {zone["x"].pk: coefficient}
    expected = "zone_factor" if field == "zone_factor" else packages.coefficient_field(zone["x"].pk)

    with pytest.raises(ApplicationError) as refused:
        packages.approve_packages(
            period=zone["period"],
            actor=zone["leader"],
            zone_factor=zone_factor,
            coefficients=coefficients,
            reason="核定",
        )

    assert list(refused.value.fields) == [expected]
    if field == "coefficient":
        assert "招商局" in refused.value.message
    assert not SalaryPackage.objects.exists()


def test_a_period_without_a_confirmed_cycle_or_a_policy_is_refused(zone):
    period = zone["period"]
    Cycle.objects.filter(pk=zone["cycle"].pk).update(status=Cycle.Status.RATING)
    period.refresh_from_db()
    with pytest.raises(ApplicationError, match="confirmed cycle"):
        packages.package_plan(period=period)

    empty = build_period(year=2025, month=2, cycle=None)
    with pytest.raises(ApplicationError, match="no assessment cycle"):
        packages.package_plan(period=empty)

    early = build_period(year=2024, month=12, cycle=zone["cycle"])
    with pytest.raises(ApplicationError, match="No pay policy is in force on 2024-12-01"):
        packages.package_plan(period=early)


def _queries(callable_) -> int:
    with CaptureQueriesContext(connection) as captured:
        callable_()
    return len(captured.captured_queries)


def test_the_query_count_does_not_grow_with_staff(zone):
    period = zone["period"]
    name_advanced_workers(period, zone["people"][:1])
    # Measured as re-approvals both times, each changing the pool, so both update the packages
    # and the period rather than create them.
    packages.approve_packages(period=period, actor=zone["leader"], zone_factor=D("1.00"), reason="核定")
    plan_small = _queries(lambda: packages.package_plan(period=period))
    approve_small = _queries(
        lambda: packages.approve_packages(period=period, actor=zone["leader"], zone_factor=D("1.10"), reason="核定")
    )
    for department in (zone["x"], zone["y"]):
        for _ in range(6):
            build_person_on_post(department=department, grade=2, cycle=zone["cycle"])

    plan_large = _queries(lambda: packages.package_plan(period=period))
    approve_large = _queries(
        lambda: packages.approve_packages(period=period, actor=zone["leader"], zone_factor=D("1.00"), reason="核定")
    )

    assert plan_large == plan_small
    assert approve_large == approve_small
    assert _rows(packages.package_plan(period=period))["PAY0"].headcount == 8


# --- Pages -------------------------------------------------------------------------------------


@pytest.fixture
def page_zone(personas):
    """The personas' departments A (head_a, staff) and B (head_b) on a confirmed cycle."""
    build_policy()
    cycle = build_cycle(department_scores={personas.department_a.pk: D(100), personas.department_b.pk: D(100)})
    period = build_period(year=2025, month=1, cycle=cycle)
    return period


def _approve(period, personas):
    packages.approve_packages(period=period, actor=personas.leader, zone_factor=D("1.00"), reason="核定")


@pytest.mark.parametrize(
    ("persona", "status"),
    [("finance", 200), ("leader", 200), ("head_a", 200), ("hr", 403), ("staff", 403), ("judge", 403)],
)
def test_who_may_open_the_packages_page(client, personas, page_zone, persona, status):
    client.force_login(getattr(personas, persona))

    response = client.get(reverse("payroll:packages", args=[page_zone.pk]))

    assert response.status_code == status


def test_finance_sees_every_department_and_no_approve_button(english, personas, page_zone):
    english.force_login(personas.finance)

    page = english.get(reverse("payroll:packages", args=[page_zone.pk])).content.decode()

    assert "招商一部" in page and "规划建设局" in page
    assert "What if" in page
    assert reverse("payroll:packages_plan", args=[page_zone.pk]) in page
    assert "Approve these packages" not in page


def test_leadership_sees_the_approve_button(english, personas, page_zone):
    english.force_login(personas.leader)

    page = english.get(reverse("payroll:packages", args=[page_zone.pk])).content.decode()

    assert "Approve these packages" in page
    assert reverse("payroll:packages_approve", args=[page_zone.pk]) in page


def test_a_department_head_sees_only_his_departments_approved_package(english, personas, page_zone):
    _approve(page_zone, personas)
    english.force_login(personas.head_a)

    response = english.get(reverse("payroll:packages", args=[page_zone.pk]))

    page = response.content.decode()
    assert response.templates[0].name == "payroll/packages_own.html"
    assert "招商一部" in page and "规划建设局" not in page
    # Department A: head and staff, grade 1 each → basic 7,000; its share of the 18,000 pool.
    assert "7,000.00" in page and "12,000.00" in page
    assert "What if" not in page


def test_a_department_head_is_told_when_the_package_is_not_approved(english, personas, page_zone):
    english.force_login(personas.head_b)

    page = english.get(reverse("payroll:packages", args=[page_zone.pk])).content.decode()

    assert "has not been approved yet" in page


def test_a_department_head_cannot_post_the_what_if(client, personas, page_zone):
    client.force_login(personas.head_a)

    assert client.post(reverse("payroll:packages", args=[page_zone.pk]), {"zone_factor": "1.2"}).status_code == 403
    assert client.post(reverse("payroll:packages_plan", args=[page_zone.pk]), {}).status_code == 403


def _what_if(personas, zone_factor="1.00", **coefficients):
    data = {"zone_factor": zone_factor}
    for department in (personas.department_a, personas.department_b):
        data[packages.coefficient_field(department.pk)] = coefficients.get(department.code, "1.00")
    return data


def test_the_fragment_shows_the_modelled_figures_and_the_difference(english, personas, page_zone):
    _approve(page_zone, personas)
    english.force_login(personas.finance)

    response = english.post(
        reverse("payroll:packages_plan", args=[page_zone.pk]),
        _what_if(personas, zone_factor="1.10"),
        HTTP_HX_REQUEST="true",
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    # Pool 3 × 6,000 × 1.10 = 19,800, 1,800 more than approved.
    assert "19,800.00" in page
    assert "+1,800.00" in page
    assert SalaryPackage.objects.get(department=personas.department_a).performance_package == D("12000.00")


def test_the_fragment_names_a_refused_coefficient(english, personas, page_zone):
    english.force_login(personas.leader)

    page = english.post(
        reverse("payroll:packages_plan", args=[page_zone.pk]), _what_if(personas, A="2.00")
    ).content.decode()

    assert "The coefficient of 招商一部 is 2.00" in page


def test_leadership_approves_from_the_page(client, personas, page_zone):
    client.force_login(personas.leader)
    data = _what_if(personas, zone_factor="1.20", B="1.50") | {"reason": "园区考核优秀"}

    response = client.post(reverse("payroll:packages_approve", args=[page_zone.pk]), data)

    assert response.status_code == 302
    assert response["Location"] == reverse("payroll:packages", args=[page_zone.pk])
    package = SalaryPackage.objects.get(department=personas.department_b)
    assert package.coefficient == D("1.50")
    page_zone.refresh_from_db()
    assert page_zone.zone_factor == D("1.20")


def test_approving_without_a_reason_shows_the_page_again(english, personas, page_zone):
    english.force_login(personas.leader)

    response = english.post(reverse("payroll:packages_approve", args=[page_zone.pk]), _what_if(personas))

    assert response.status_code == 200
    assert "Give a reason" in response.content.decode()
    assert not SalaryPackage.objects.exists()


def test_finance_cannot_approve_from_the_page(client, personas, page_zone):
    client.force_login(personas.finance)

    data = _what_if(personas) | {"reason": "核定"}
    assert client.post(reverse("payroll:packages_approve", args=[page_zone.pk]), data).status_code == 403
    assert not SalaryPackage.objects.exists()


def test_the_page_explains_a_missing_policy(english, personas, page_zone):
    early = build_period(year=2024, month=6, cycle=page_zone.cycle)
    english.force_login(personas.finance)

    page = english.get(reverse("payroll:packages", args=[early.pk])).content.decode()

    assert "No pay policy is in force on 2024-06-01" in page


def test_the_page_warns_when_advanced_workers_changed_after_approval(english, personas, page_zone):
    _approve(page_zone, personas)
    AdvancedWorker.objects.create(period=page_zone, person=personas.staff_person)
    english.force_login(personas.finance)

    page = english.get(reverse("payroll:packages", args=[page_zone.pk])).content.decode()

    assert "approve the packages again" in page


@pytest.mark.browser
def test_leadership_models_and_approves_the_packages_in_the_browser(live_site, new_page, screenshot):
    from playwright.sync_api import expect

    from tests.plugins.browser import log_in

    leader = UserFactory(username="leader_pkg", roles=[Role.LEADERSHIP])
    leader.set_password("secret-pw-1")
    leader.save()
    build_policy()
    x = DepartmentFactory(name="招商局", code="PAY0")
    y = DepartmentFactory(name="财政局", code="PAY1")
    cycle = build_cycle(department_scores={x.pk: D(110), y.pk: D(90)})
    for department, grades in ((x, (1, 3)), (y, (1, 2, 2))):
        for grade in grades:
            build_person_on_post(department=department, grade=grade, cycle=cycle)
    period = build_period(year=2025, month=1, cycle=cycle)
    page = new_page()
    log_in(page, "leader_pkg", "secret-pw-1")
    page.goto(reverse("payroll:packages", args=[period.pk]))
    plan = page.locator("#plan")
    expect(plan).to_contain_text("30,000.00")

    # Typing a figure refreshes the figures in place, the inputs keep what was typed.
    page.locator("input[name=zone_factor]").fill("1.10")
    expect(plan).to_contain_text("33,000.00")
    page.locator(f"input[name='{packages.coefficient_field(y.pk)}']").fill("1.50")
    expect(plan).to_contain_text("21,384.00")
    expect(page.locator("input[name=zone_factor]")).to_have_value("1.10")
    screenshot(page, full_page=True)

    page.locator("input[name=reason]").fill("园区考核优秀，上浮绩效")
    with page.expect_navigation():
        page.locator("button[formaction$='/packages/approve/']").click()
    expect(page.locator(".msg-success")).to_be_visible()
    assert SalaryPackage.objects.get(department=y).performance_package == D("21384.00")


def test_the_page_lists_a_package_whose_department_has_no_staff_left(english, personas, page_zone):
    _approve(page_zone, personas)
    Person.objects.filter(user=personas.head_b).update(status=Person.Status.DEPARTED)
    english.force_login(personas.finance)

    page = english.get(reverse("payroll:packages", args=[page_zone.pk])).content.decode()

    # B's approved 3,500 + 6,000 is shown as going; A now takes the whole pool of 12,000.
    assert "No staff on post any more: approving removes this package." in page
    assert "9,500.00" in page
    assert "19,000.00" in page
