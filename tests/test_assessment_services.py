"""Assessment through its services: cascade, values, coefficients, ratings with quotas, consequences."""

import datetime as dt
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment import services
from assessment.models import ConductReport, ConsequenceProposal, Cycle, DepartmentCoefficient, Indicator, Rating
from staffing.models import Person
from tests.factories import AppointmentFactory, DepartmentFactory, PositionLevelFactory, PostFactory, UserFactory
from zonehr.errors import ApplicationError
from zonehr.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle():
    return Cycle.objects.create(name="2026年度考核", kind=Cycle.Kind.ANNUAL, year=2026)


def department_card(cycle, department, *, weights=(60, 40)):
    zone = Indicator.objects.create(
        cycle=cycle, level="zone", name="招商引资到位资金", unit="亿元", rule="ratio", target=Decimal(50), weight=100
    )
    return [
        Indicator.objects.create(
            cycle=cycle,
            level="department",
            parent=zone,
            department=department,
            name=f"指标{i}",
            rule="ratio",
            target=Decimal(10),
            weight=Decimal(weight),
        )
        for i, weight in enumerate(weights)
    ]


def staff_in(department, count):
    post = PostFactory(department=department, headcount=count)
    return [AppointmentFactory(post=post).person for _ in range(count)]


def test_scoring_cannot_start_while_a_scorecard_does_not_sum_to_100(cycle, personas):
    department_card(cycle, personas.department_a, weights=(60, 30))
    with pytest.raises(ApplicationError) as info:
        services.cycle_advance(actor=personas.hr, cycle=cycle)
    assert "90" in info.value.message
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.PLANNING


def test_a_department_head_enters_values_for_his_own_department_only(cycle, personas):
    own = department_card(cycle, personas.department_a)
    other = Indicator.objects.create(
        cycle=cycle,
        level="department",
        department=personas.department_b,
        name="规划审批时限",
        rule="judged",
        weight=100,
        parent=own[0].parent,
    )
    services.cycle_advance(actor=personas.hr, cycle=cycle)
    entered = services.indicator_value_enter(actor=personas.head_a, indicator=own[0], actual=Decimal(15))
    assert entered.score == Decimal("120.00")  # 150 % of target, capped at 120
    with pytest.raises(ApplicationError, match="your own department only"):
        services.indicator_value_enter(actor=personas.head_a, indicator=other, judged=Decimal(90))
    other.refresh_from_db()
    assert other.judged is None


def test_a_coefficient_outside_half_to_one_and_a_half_is_refused(cycle, personas):
    with pytest.raises(ApplicationError, match=r"0\.5 to 1\.5"):
        services.coefficient_propose(
            actor=personas.hr, cycle=cycle, department=personas.department_a, value=Decimal("1.6"), reason="任务重"
        )
    assert not DepartmentCoefficient.objects.exists()


def test_leadership_approves_a_proposed_coefficient_and_the_history_stays(cycle, personas):
    first = services.coefficient_propose(
        actor=personas.hr, cycle=cycle, department=personas.department_a, value=Decimal("1.2"), reason="招商任务重"
    )
    with pytest.raises(ApplicationError, match="leadership"):
        services.coefficient_decide(actor=personas.hr, coefficient=first, approve=True)
    services.coefficient_decide(actor=personas.leader, coefficient=first, approve=True)
    second = services.coefficient_propose(
        actor=personas.hr, cycle=cycle, department=personas.department_a, value=Decimal("1.3"), reason="新增园区"
    )
    services.coefficient_decide(actor=personas.leader, coefficient=second, approve=True)
    statuses = list(
        DepartmentCoefficient.objects.filter(department=personas.department_a)
        .order_by("proposed_at", "id")
        .values_list("value", "status")
    )
    assert statuses == [(Decimal("1.20"), "rejected"), (Decimal("1.30"), "approved")]


def rate(cycle, hr, department, scores):
    """Give each person of a department an individual judged score and run the ratings."""
    people = staff_in(department, len(scores))
    cycle.status = Cycle.Status.SCORING
    cycle.save()
    for person, score in zip(people, scores, strict=True):
        indicator = Indicator.objects.create(
            cycle=cycle, level="individual", person=person, name="个人工作实绩", rule="judged", weight=100
        )
        services.indicator_value_enter(actor=hr, indicator=indicator, judged=Decimal(score))
    cycle.status = Cycle.Status.RATING
    cycle.save()
    services.ratings_run(actor=hr, cycle=cycle, as_of=dt.date(2026, 12, 31))
    return people


def test_ratings_follow_the_quotas_of_a_group_of_twenty(cycle, personas):
    department = DepartmentFactory()
    people = rate(cycle, personas.hr, department, [100 - i for i in range(20)])
    grades = [Rating.objects.get(person=person).grade for person in people]
    assert grades == ["excellent"] * 4 + ["competent"] * 13 + ["basically_competent"] * 2 + ["incompetent"]
    worst = Rating.objects.get(person=people[-1])
    assert [p.kind for p in worst.proposals.all()] == ["dismissal"]
    # Proposed, not done: the person is still on post.
    assert Person.objects.get(pk=people[-1].pk).status == Person.Status.ON_POST


def test_the_rating_run_reads_a_fixed_number_of_queries_per_group(cycle, personas):
    department = DepartmentFactory()
    rate(cycle, personas.hr, department, [90 - i for i in range(12)])
    cycle.refresh_from_db()
    with CaptureQueriesContext(connection) as small:
        services.ratings_run(actor=personas.hr, cycle=cycle, as_of=dt.date(2026, 12, 31))
    people = staff_in(department, 24)
    for person in people:
        indicator = Indicator.objects.create(
            cycle=cycle,
            level="individual",
            person=person,
            name="个人工作实绩",
            rule="judged",
            weight=100,
            judged=Decimal(70),
            score=Decimal(70),
        )
        assert indicator.pk
    with CaptureQueriesContext(connection) as large:
        services.ratings_run(actor=personas.hr, cycle=cycle, as_of=dt.date(2026, 12, 31))
    assert len(large.captured_queries) == len(small.captured_queries)


def test_an_override_needs_a_reason(cycle, personas):
    people = rate(cycle, personas.hr, DepartmentFactory(), [100 - i for i in range(20)])
    rating = Rating.objects.get(person=people[5])
    with pytest.raises(ApplicationError):
        services.rating_override(actor=personas.hr, rating=rating, grade="excellent", reason="")
    services.rating_override(actor=personas.hr, rating=rating, grade="excellent", reason="重大项目突出贡献")
    rating.refresh_from_db()
    assert (rating.grade, rating.proposed_grade) == ("excellent", "competent")
    assert rating.override_reason == "重大项目突出贡献"
    assert [p.kind for p in rating.proposals.all()] == ["advanced_worker_award", "priority_promotion"]


def test_confirming_a_dismissal_calls_the_staffing_action(cycle, personas):
    people = rate(cycle, personas.hr, DepartmentFactory(), [100 - i for i in range(20)])
    proposal = ConsequenceProposal.objects.get(rating__person=people[-1])
    services.proposal_decide(actor=personas.hr, proposal=proposal, confirm=True, note="考核不称职，依规解聘")
    assert Person.objects.get(pk=people[-1].pk).status == Person.Status.DISMISSED


def test_a_basic_competent_measure_must_be_chosen(cycle, personas):
    people = rate(cycle, personas.hr, DepartmentFactory(), [100 - i for i in range(20)])
    proposal = ConsequenceProposal.objects.get(rating__person=people[-2])
    with pytest.raises(ApplicationError, match="Choose one of the measures"):
        services.proposal_decide(actor=personas.hr, proposal=proposal, confirm=True, note="x")
    services.proposal_decide(actor=personas.hr, proposal=proposal, confirm=True, note="离岗培训", measure="waiting")
    assert Person.objects.get(pk=people[-2].pk).status == Person.Status.WAITING


def test_an_anonymous_report_hides_its_filer_from_the_audit_trail(personas):
    report = services.conduct_report_file(actor=personas.staff, text="某干部长期不作为", anonymous=True)
    assert report.filed_by == personas.staff
    assert LogEntry.objects.get_for_object(report).get().actor is None


def test_only_the_inspector_handles_reports_in_order(personas):
    report = services.conduct_report_file(actor=personas.staff, text="躺平线索")
    with pytest.raises(ApplicationError):
        services.conduct_report_handle(actor=personas.hr, report=report, status="verified", notes="x")
    with pytest.raises(ApplicationError, match="cannot move"):
        services.conduct_report_handle(actor=personas.inspector, report=report, status="action", notes="x")
    services.conduct_report_handle(actor=personas.inspector, report=report, status="verified", notes="经核实属实")
    services.conduct_report_handle(actor=personas.inspector, report=report, status="action", notes="诫勉谈话")
    report.refresh_from_db()
    assert report.status == ConductReport.Status.ACTION
    assert report.notes == "经核实属实\n诫勉谈话"


def test_roles_decide_who_enters_for_whom(personas):
    outsider = UserFactory(roles=[Role.STAFF_MEMBER])
    from assessment.permissions import can_enter_for

    assert can_enter_for(personas.hr, personas.department_b)
    assert can_enter_for(personas.head_a, personas.department_a)
    assert not can_enter_for(personas.head_a, personas.department_b)
    assert not can_enter_for(outsider, personas.department_a)


# --- Bottom share of the same-level posts in every year of the term ---------------------------------


def same_level_staff(per_department):
    """Two departments of `per_department` people each, all on posts of one level, terms 2024–2028."""
    level = PositionLevelFactory()
    return [
        person
        for department in (DepartmentFactory(), DepartmentFactory())
        for person in staff_on(
            PostFactory(department=department, level=level, headcount=per_department), per_department
        )
    ]


def staff_on(post, count):
    return [AppointmentFactory(post=post).person for _ in range(count)]


def earlier_year(year, people, scores):
    """A confirmed annual cycle of `year` that compared each department, with its ratings."""
    earlier, _created = Cycle.objects.get_or_create(
        kind="annual", year=year, defaults={"name": f"{year}年度考核", "status": Cycle.Status.CONFIRMED}
    )
    by_department = {}
    for person, score in zip(people, scores, strict=True):
        department = person.appointments.get().post.department
        by_department.setdefault(department, []).append((person, Decimal(score)))
    for department, entries in by_department.items():
        entries.sort(key=lambda entry: entry[1], reverse=True)
        for rank, (person, score) in enumerate(entries, start=1):
            Rating.objects.create(
                cycle=earlier,
                person=person,
                department=department,
                group=f"department:{department.pk}",
                score=score,
                rank=rank,
                group_size=len(entries),
                proposed_grade="competent",
                grade="competent",
            )


def rate_people(cycle, hr, people, scores):
    cycle.status = Cycle.Status.SCORING
    cycle.save()
    Indicator.objects.bulk_create(
        Indicator(
            cycle=cycle,
            level="individual",
            person=person,
            name="个人工作实绩",
            rule="judged",
            weight=100,
            judged=Decimal(score),
            score=Decimal(score),
        )
        for person, score in zip(people, scores, strict=True)
    )
    cycle.status = Cycle.Status.RATING
    cycle.save()
    services.ratings_run(actor=hr, cycle=cycle, as_of=dt.date(2026, 12, 31))


def bottom_reasons(person):
    return [
        proposal.reasons for proposal in ConsequenceProposal.objects.filter(rating__person=person, kind="dismissal")
    ]


def test_the_last_of_the_same_level_posts_in_every_year_of_his_term_is_proposed_for_dismissal(cycle, personas):
    # Departments of six waive the lower quotas, so he is rated competent; across the level he is
    # the last of twelve in 2024, 2025 and 2026, the three years of his term so far.
    people = same_level_staff(6)
    scores = [90 - i for i in range(12)]
    scores[0], scores[-1] = scores[-1], scores[0]
    last = people[0]
    for year in (2024, 2025):
        earlier_year(year, people, scores)
    rate_people(cycle, personas.hr, people, scores)
    assert Rating.objects.get(cycle=cycle, person=last).grade == "competent"
    assert bottom_reasons(last) == [["bottom_every_year_of_term"]]
    assert all(not bottom_reasons(person) for person in people[1:])


def test_one_year_outside_the_bottom_means_no_dismissal_proposal(cycle, personas):
    people = same_level_staff(6)
    scores = [90 - i for i in range(12)]
    scores[0], scores[-1] = scores[-1], scores[0]
    earlier_year(2024, people, scores)
    earlier_year(2025, people, [80] + [70 - i for i in range(11)])  # first of the level that year
    rate_people(cycle, personas.hr, people, scores)
    assert not ConsequenceProposal.objects.filter(rating__cycle=cycle, kind="dismissal").exists()


def test_a_same_level_cycle_reads_its_own_ranks_and_keeps_the_reason_beside_incompetence(personas):
    level_cycle = Cycle.objects.create(name="2026年度考核", kind="annual", year=2026, comparison="level")
    people = same_level_staff(10)
    scores = [95 - i for i in range(20)]
    for year in (2024, 2025):
        earlier_year(year, people, scores)
    rate_people(level_cycle, personas.hr, people, scores)
    assert bottom_reasons(people[-1]) == [["incompetent", "bottom_every_year_of_term"]]


def test_the_bottom_rule_reads_a_fixed_number_of_queries_whatever_the_number_of_people(cycle, personas):
    people = same_level_staff(6)
    for year in (2024, 2025):
        earlier_year(year, people, [90 - i for i in range(12)])
    rate_people(cycle, personas.hr, people, [90 - i for i in range(12)])
    with CaptureQueriesContext(connection) as small:
        services.ratings_run(actor=personas.hr, cycle=cycle, as_of=dt.date(2026, 12, 31))

    more = same_level_staff(15)
    for year in (2024, 2025):
        earlier_year(year, more, [80 - i for i in range(30)])
    cycle.status = Cycle.Status.SCORING
    cycle.save()
    rate_people(cycle, personas.hr, more, [80 - i for i in range(30)])
    with CaptureQueriesContext(connection) as large:
        services.ratings_run(actor=personas.hr, cycle=cycle, as_of=dt.date(2026, 12, 31))
    # Two more departments: the groups grow, the queries for the bottom rule do not.
    assert len(large.captured_queries) == len(small.captured_queries)
    reasons = ConsequenceProposal.objects.filter(rating__cycle=cycle).values_list("reasons", flat=True)
    # The last of twelve, and the last two of thirty (5 % of 30 rounds up to 2).
    assert sum("bottom_every_year_of_term" in reason for reason in reasons) == 3


def test_cascade_problems_read_in_the_users_language(cycle, personas):
    from django.utils import translation

    department_card(cycle, personas.department_a, weights=(60, 30))
    with translation.override("en"):
        assert services.cascade_problems(cycle=cycle) == [
            f"The weights of the Department indicators of {personas.department_a} sum to 90.00, not 100."
        ]
    with translation.override("zh-hans"):
        (message,) = services.cascade_problems(cycle=cycle)
    assert "90.00" in message
    assert "weights" not in message
