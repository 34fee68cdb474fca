"""Dashboards with server-drawn charts, the results workbook, and what payroll reads."""

import datetime as dt
import re
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from assessment import charts, services
from assessment.models import Cycle, Indicator, Rating, SupervisedTask
from assessment.rules import competition_ranks
from assessment.selectors import department_results, payroll_inputs
from tests.factories import AppointmentFactory, PostFactory, UserFactory
from zonehr.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle():
    return Cycle.objects.create(name="2026年度考核", kind=Cycle.Kind.ANNUAL, year=2026, status=Cycle.Status.SCORING)


def score_department(cycle, hr, department, judged, *, actual=None):
    """A department scorecard of one judged indicator (and a ratio one when `actual` is given)."""
    weights = (50, 50) if actual is not None else (100,)
    judged_indicator = Indicator.objects.create(
        cycle=cycle, level="department", department=department, name="服务质量", rule="judged", weight=weights[0]
    )
    services.indicator_value_enter(actor=hr, indicator=judged_indicator, judged=Decimal(judged))
    if actual is not None:
        ratio = Indicator.objects.create(
            cycle=cycle,
            level="department",
            department=department,
            name="到位资金",
            rule="ratio",
            target=Decimal(10),
            weight=weights[1],
        )
        services.indicator_value_enter(actor=hr, indicator=ratio, actual=Decimal(actual))


def approve(cycle, personas, department, value):
    proposal = services.coefficient_propose(
        actor=personas.hr, cycle=cycle, department=department, value=Decimal(value), reason="任务量"
    )
    return services.coefficient_decide(actor=personas.leader, coefficient=proposal, approve=True)


# --- Charts ---------------------------------------------------------------------------------------------


def test_a_bar_chart_escapes_its_text_and_has_no_script_or_style():
    svg = charts.bar_chart(
        bars=[charts.Bar(label='<script>alert("x")</script>', value=Decimal(60), note="a&b")], title="T<1>"
    )
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg and "a&amp;b" in svg and "T&lt;1&gt;" in svg
    assert "style=" not in svg
    assert 'font-family="Noto Sans CJK SC"' in svg


def test_a_bar_is_scaled_to_the_maximum_and_the_reference_line_sits_at_the_target():
    svg = charts.bar_chart(
        bars=[charts.Bar(label="甲", value=Decimal(75)), charts.Bar(label="乙", value=Decimal(300))],
        title="完成率",
        maximum=Decimal(150),
        reference=Decimal(100),
    )
    widths = re.findall(r'<rect class="bar" x="\d+" y="\d+" width="(\d+)"', svg)
    assert widths == [str(charts.PLOT // 2), str(charts.PLOT)]  # half of 150; beyond the maximum, the full width
    x = charts.LABEL_WIDTH + charts.PLOT * 2 // 3
    assert f'<line class="reference" x1="{x}"' in svg


def test_a_stacked_chart_draws_each_group_full_width_with_its_quota_marks():
    svg = charts.stacked_chart(
        stacks=[
            charts.Stack(
                label="招商一部",
                segments=(charts.Segment(4, "grade-excellent"), charts.Segment(16, "grade-competent")),
                marks=(charts.Mark(4, "优秀至多4人"),),
            )
        ],
        legend=[("优秀", "grade-excellent"), ("称职", "grade-competent")],
        title="等次分布",
    )
    widths = [int(w) for w in re.findall(r'<rect class="grade-\w+" x="\d+" y="\d+" width="(\d+)" height="30"', svg)]
    assert widths == [charts.PLOT // 5, charts.PLOT * 4 // 5]
    assert f'<line class="quota" x1="{charts.LABEL_WIDTH + charts.PLOT // 5}"' in svg


# --- Ranking, payroll inputs, export ---------------------------------------------------------------------


def test_equal_scores_share_the_better_rank():
    assert competition_ranks({1: Decimal(90), 2: Decimal(95), 3: Decimal(90), 4: Decimal(80)}) == {
        1: 2,
        2: 1,
        3: 2,
        4: 4,
    }


def test_payroll_reads_scores_approved_coefficients_and_grades(cycle, personas):
    score_department(cycle, personas.hr, personas.department_a, 90)
    score_department(cycle, personas.hr, personas.department_b, 80)
    approve(cycle, personas, personas.department_a, "1.30")
    rejected = services.coefficient_propose(
        actor=personas.hr, cycle=cycle, department=personas.department_b, value=Decimal("1.40"), reason="试"
    )
    services.coefficient_decide(actor=personas.leader, coefficient=rejected, approve=False, note="依据不足")
    cycle.status = Cycle.Status.RATING
    cycle.save()
    services.ratings_run(actor=personas.hr, cycle=cycle, as_of=dt.date(2026, 12, 31))
    departments, people = payroll_inputs(cycle=cycle)
    assert departments[personas.department_a.pk].score == Decimal("90.00")
    assert departments[personas.department_a.pk].coefficient == Decimal("1.30")
    # A rejected proposal does not count: the default coefficient applies.
    assert departments[personas.department_b.pk].coefficient == Decimal(1)
    # Staff without a scorecard of their own take their department's score.
    assert people[personas.staff_person.pk] == (
        Decimal("90.00"),
        Rating.objects.get(person=personas.staff_person).grade,
    )


def test_the_results_workbook_has_a_department_and_an_individual_sheet(client, cycle, personas):
    score_department(cycle, personas.hr, personas.department_a, 90)
    score_department(cycle, personas.hr, personas.department_b, 95)
    approve(cycle, personas, personas.department_a, "1.20")
    cycle.status = Cycle.Status.RATING
    cycle.save()
    services.ratings_run(actor=personas.hr, cycle=cycle, as_of=dt.date(2026, 12, 31))
    rating = Rating.objects.get(person=personas.staff_person)
    services.rating_override(actor=personas.hr, rating=rating, grade="excellent", reason="=HYPERLINK(1)")
    client.force_login(personas.finance)
    response = client.get(reverse("assessment:results_export", kwargs={"pk": cycle.pk}))
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    departments, people = book["部门考核结果"], book["个人考核结果"]
    assert departments.freeze_panes == "A2" and people.freeze_panes == "A2"
    assert [cell.value for cell in departments[1]] == ["部门", "考核得分", "排名", "价值系数"]
    assert [[cell.value for cell in row] for row in departments.iter_rows(min_row=2)] == [
        ["规划建设局", 95, 1, 1],
        ["招商一部", 90, 2, 1.2],
    ]
    headers = [cell.value for cell in people[1]]
    assert headers[:3] == ["部门", "姓名", "考核得分"]
    rows = {row[1]: row for row in people.iter_rows(min_row=2, values_only=True)}
    staff = rows[personas.staff_person.name]
    assert staff[0] == "招商一部"
    assert staff[headers.index("评定等次")] == "优秀"
    assert staff[headers.index("调整理由")] == "'=HYPERLINK(1)"  # never run as a formula


# --- Dashboard pages -------------------------------------------------------------------------------


def dashboard(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("assessment:dashboard"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_hr_sees_every_department_and_a_head_only_his_own(english, cycle, personas):
    score_department(cycle, personas.hr, personas.department_a, 90, actual=12)
    score_department(cycle, personas.hr, personas.department_b, 80, actual=5)
    approve(cycle, personas, personas.department_a, "1.20")
    page = dashboard(english, personas.hr)
    assert page.count('<svg class="chart"') == 2  # scores and completion; no ratings, no tasks yet
    assert "招商一部" in page and "规划建设局" in page
    assert "×1.20 · No. 1" in page
    own = dashboard(english, personas.head_a)
    assert "招商一部" in own and "规划建设局" not in own
    assert "style=" not in page and "<script>" not in page


def test_the_grade_chart_shows_the_quotas_of_a_whole_group(english, cycle, personas):
    post = PostFactory(department=personas.department_b, headcount=20)
    for index in range(20):
        person = AppointmentFactory(post=post).person
        indicator = Indicator.objects.create(
            cycle=cycle, level="individual", person=person, name="实绩", rule="judged", weight=100
        )
        services.indicator_value_enter(actor=personas.hr, indicator=indicator, judged=Decimal(99 - index))
    cycle.status = Cycle.Status.RATING
    cycle.save()
    services.ratings_run(actor=personas.hr, cycle=cycle, as_of=dt.date(2026, 12, 31))
    page = dashboard(english, personas.leader, cycle=cycle.pk)
    # Department B's group of 20 (head_b has no score): excellent ≤ 4, basic ≥ 2, incompetent ≈ 1.
    assert page.count('<line class="quota"') == 3
    assert "excellent ≤ 4, basically competent ≥ 2, incompetent ≈ 1" in page


def test_overdue_tasks_are_counted_per_department(english, cycle, personas):
    for title in ("项目开工", "征地拆迁"):
        SupervisedTask.objects.create(
            cycle=cycle,
            title=title,
            department=personas.department_a,
            deadline=dt.date(2020, 1, 1),
            assigned_by=personas.hr,
        )
    # Completed on time and not yet due: neither is overdue.
    SupervisedTask.objects.create(
        cycle=cycle,
        title="按期",
        department=personas.department_b,
        deadline=dt.date(2020, 1, 1),
        completed_on=dt.date(2020, 1, 1),
        assigned_by=personas.hr,
    )
    SupervisedTask.objects.create(
        cycle=cycle,
        title="未到期",
        person=personas.head_a_person,
        deadline=dt.date(2999, 1, 1),
        assigned_by=personas.hr,
    )
    page = dashboard(english, personas.hr)
    chart = page[page.index("Overdue supervised tasks per department") :]
    assert re.search(r'<text class="value"[^>]*>2</text>', chart)
    assert "规划建设局" not in chart


def test_a_head_without_a_post_sees_nothing(english, cycle, personas):
    score_department(cycle, personas.hr, personas.department_b, 80)
    page = dashboard(english, UserFactory(roles=[Role.DEPARTMENT_HEAD]))
    assert "规划建设局" not in page
    assert "nothing to show" in page


def test_department_results_list_an_approved_coefficient_without_a_score(cycle, personas):
    approve(cycle, personas, personas.department_b, "0.80")
    rows = department_results(cycle=cycle)
    assert [(row.name, row.score, row.rank, row.coefficient) for row in rows] == [
        ("规划建设局", None, None, Decimal("0.80"))
    ]


def test_without_a_choice_the_dashboard_shows_the_latest_cycle_with_results(english, personas):
    from assessment.models import Cycle, Rating

    rated = Cycle.objects.create(name="2025年度考核", kind=Cycle.Kind.ANNUAL, year=2025, status="confirmed")
    Cycle.objects.create(name="2026年度考核", kind=Cycle.Kind.ANNUAL, year=2026)
    Rating.objects.create(
        cycle=rated,
        person=personas.staff_person,
        group="department:1",
        score=80,
        rank=1,
        group_size=1,
        proposed_grade="competent",
        grade="competent",
    )
    english.force_login(personas.hr)
    response = english.get(reverse("assessment:dashboard"))
    assert response.context["cycle"] == rated
    assert response.context["form"].initial["cycle"] == rated
