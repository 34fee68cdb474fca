"""Bonus and penalty items (加减分) and how they enter the scores; evidence files served only to
those who may see the indicator."""

import datetime as dt
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessment import selectors, services, setup
from assessment.models import Adjustment, Cycle, Indicator
from tests.factories import AppointmentFactory, PostFactory
from zonehr.errors import ApplicationError

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle():
    return Cycle.objects.create(name="2026年度考核", kind=Cycle.Kind.ANNUAL, year=2026)


def set_status(cycle, status):
    Cycle.objects.filter(pk=cycle.pk).update(status=status)
    cycle.refresh_from_db()


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def add(client, cycle, **data):
    return client.post(reverse("assessment:adjustments", args=[cycle.pk]), data)


# --- Recording and removing ------------------------------------------------------------------------


def test_hr_adds_a_bonus_for_a_person_and_it_is_audited(english, personas, cycle):
    english.force_login(personas.hr)
    response = add(english, cycle, person=personas.staff_person.pk, points="3", reason="重大项目签约")
    assert response.status_code == 302
    adjustment = Adjustment.objects.get()
    assert (adjustment.person, adjustment.department, adjustment.points, adjustment.recorded_by) == (
        personas.staff_person,
        None,
        Decimal("3.00"),
        personas.hr,
    )
    entry = LogEntry.objects.get_for_object(adjustment).get()
    assert (entry.actor, entry.action) == (personas.hr, LogEntry.Action.CREATE)
    page = english.get(reverse("assessment:adjustments", args=[cycle.pk])).content.decode()
    assert "重大项目签约" in page and "+3.00" in page


def test_a_penalty_for_a_department_while_scoring(english, personas, cycle):
    set_status(cycle, Cycle.Status.SCORING)
    english.force_login(personas.hr)
    add(english, cycle, department=personas.department_b.pk, points="-2.5", reason="安全生产事故")
    assert Adjustment.objects.get().points == Decimal("-2.50")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"points": "0", "reason": "x"}, "zero changes nothing"),
        ({"points": "2", "reason": "  "}, "Give a reason"),
        ({"points": "2", "reason": "x", "both": True}, "for one department or for one person, not both"),
        ({"points": "2", "reason": "x", "none": True}, "for one department or for one person, not both"),
    ],
    ids=["zero", "no-reason", "both-owners", "no-owner"],
)
def test_a_bad_item_is_refused_and_nothing_is_written(english, personas, cycle, data, message):
    owners = {"person": personas.staff_person.pk}
    if data.pop("both", False):
        owners["department"] = personas.department_a.pk
    if data.pop("none", False):
        owners = {}
    english.force_login(personas.hr)
    response = add(english, cycle, **owners, **data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Adjustment.objects.exists()


def test_no_item_is_added_once_rating_starts(english, personas, cycle):
    set_status(cycle, Cycle.Status.RATING)
    english.force_login(personas.hr)
    response = add(english, cycle, person=personas.staff_person.pk, points="3", reason="重大项目签约")
    assert "are recorded while the cycle is at “Planning” or “Scoring”" in response.content.decode()
    assert not Adjustment.objects.exists()
    with pytest.raises(ApplicationError):
        setup.adjustment_save(
            actor=personas.hr,
            adjustment=Adjustment(cycle=cycle, person=personas.staff_person, points=Decimal(3), reason="x"),
        )


def test_hr_removes_an_item_but_not_once_rating_starts(english, personas, cycle):
    keep = setup.adjustment_save(
        actor=personas.hr,
        adjustment=Adjustment(cycle=cycle, person=personas.staff_person, points=Decimal(3), reason="重大项目签约"),
    )
    drop = setup.adjustment_save(
        actor=personas.hr,
        adjustment=Adjustment(cycle=cycle, department=personas.department_a, points=Decimal(-1), reason="迟报"),
    )
    english.force_login(personas.hr)
    response = english.post(reverse("assessment:adjustment_remove", args=[drop.pk]), follow=True)
    assert "Removed: -1.00 迟报." in messages_of(response)
    assert list(Adjustment.objects.all()) == [keep]
    assert LogEntry.objects.filter(object_pk=str(drop.pk), action=LogEntry.Action.DELETE).exists()
    set_status(cycle, Cycle.Status.RATING)
    response = english.post(reverse("assessment:adjustment_remove", args=[keep.pk]), follow=True)
    assert any("are recorded while the cycle is at" in message for message in messages_of(response))
    assert Adjustment.objects.filter(pk=keep.pk).exists()


def test_a_department_head_reads_his_own_items_and_cannot_add(english, personas, cycle):
    person_of_b = AppointmentFactory(post=PostFactory(department=personas.department_b)).person
    for owner, reason in [
        ({"department": personas.department_a}, "部门加分"),
        ({"person": personas.staff_person}, "本部门人员加分"),
        ({"department": personas.department_b}, "他部门加分"),
        ({"person": person_of_b}, "他部门人员加分"),
    ]:
        setup.adjustment_save(
            actor=personas.hr, adjustment=Adjustment(cycle=cycle, points=Decimal(1), reason=reason, **owner)
        )
    english.force_login(personas.head_a)
    page = english.get(reverse("assessment:adjustments", args=[cycle.pk])).content.decode()
    assert "部门加分" in page and "本部门人员加分" in page
    assert "他部门加分" not in page and "他部门人员加分" not in page
    assert "Remove" not in page
    assert add(english, cycle, person=personas.staff_person.pk, points="3", reason="x").status_code == 403
    assert Adjustment.objects.count() == 4


# --- How the items enter the scores ----------------------------------------------------------------


def scored_cycle(cycle, personas, judged="80"):
    zone = Indicator.objects.create(cycle=cycle, level="zone", name="招商引资", rule="judged", weight=100)
    department = Indicator.objects.create(
        cycle=cycle,
        level="department",
        parent=zone,
        department=personas.department_a,
        name="签约项目",
        rule="judged",
        weight=100,
    )
    personal = Indicator.objects.create(
        cycle=cycle,
        level="individual",
        parent=department,
        person=personas.staff_person,
        name="个人实绩",
        rule="judged",
        weight=100,
    )
    set_status(cycle, Cycle.Status.SCORING)
    for indicator in (department, personal):
        services.indicator_value_enter(actor=personas.hr, indicator=indicator, judged=Decimal(judged))


def score_of(cycle, person) -> Decimal:
    scores = selectors.person_scores(cycle=cycle, as_of=dt.date(2026, 12, 31))
    return next(score.score for score in scores if score.person_id == person.pk)


def test_a_persons_bonus_raises_his_score_and_a_penalty_lowers_it(personas, cycle):
    scored_cycle(cycle, personas)
    assert score_of(cycle, personas.staff_person) == Decimal("80.00")
    setup.adjustment_save(
        actor=personas.hr,
        adjustment=Adjustment(cycle=cycle, person=personas.staff_person, points=Decimal("4.5"), reason="重大项目"),
    )
    assert score_of(cycle, personas.staff_person) == Decimal("84.50")
    setup.adjustment_save(
        actor=personas.hr,
        adjustment=Adjustment(cycle=cycle, person=personas.staff_person, points=Decimal(-2), reason="迟报"),
    )
    assert score_of(cycle, personas.staff_person) == Decimal("82.50")


def test_a_departments_bonus_raises_its_score(personas, cycle):
    scored_cycle(cycle, personas)
    assert selectors.department_scores(cycle=cycle)[personas.department_a.pk] == Decimal("80.00")
    setup.adjustment_save(
        actor=personas.hr,
        adjustment=Adjustment(cycle=cycle, department=personas.department_a, points=Decimal(3), reason="招商突出"),
    )
    assert selectors.department_scores(cycle=cycle)[personas.department_a.pk] == Decimal("83.00")


# --- Evidence files --------------------------------------------------------------------------------


@pytest.fixture
def evidence(personas, cycle, settings, tmp_path):
    """A department A indicator and an individual one of its staff, each with an uploaded file."""
    settings.MEDIA_ROOT = tmp_path
    zone = Indicator.objects.create(cycle=cycle, level="zone", name="招商引资", rule="judged", weight=100)
    department = Indicator.objects.create(
        cycle=cycle,
        level="department",
        parent=zone,
        department=personas.department_a,
        name="签约项目",
        rule="judged",
        weight=100,
    )
    personal = Indicator.objects.create(
        cycle=cycle,
        level="individual",
        parent=department,
        person=personas.staff_person,
        name="个人实绩",
        rule="judged",
        weight=100,
    )
    set_status(cycle, Cycle.Status.SCORING)
    for indicator, name in ((department, "签约.pdf"), (personal, "个人.pdf")):
        services.indicator_value_enter(
            actor=personas.hr,
            indicator=indicator,
            judged=Decimal(90),
            evidence=SimpleUploadedFile(name, b"%PDF-1.4 " + name.encode(), "application/pdf"),
        )
        indicator.refresh_from_db()
    return department, personal


def download(client, indicator):
    return client.get(reverse("assessment:indicator_evidence", args=[indicator.pk]))


@pytest.mark.parametrize("persona", ["hr", "leader", "finance", "head_a"])
def test_those_who_see_the_indicator_get_its_file_as_an_attachment(english, personas, evidence, persona):
    english.force_login(getattr(personas, persona))
    for indicator in evidence:
        response = download(english, indicator)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        with indicator.evidence.open("rb") as stored:
            content = stored.read()
        assert content.startswith(b"%PDF-1.4 ")
        # Reading the stream to its end closes the response the way the test client expects.
        assert b"".join(response.streaming_content) == content


@pytest.mark.parametrize("persona", ["head_b", "judge", "inspector", "staff", "outsider"])
def test_anyone_else_gets_404(english, personas, evidence, persona):
    english.force_login(getattr(personas, persona))
    for indicator in evidence:
        assert download(english, indicator).status_code == 404


def test_a_missing_file_gives_404(english, personas, evidence):
    department, personal = evidence
    department.evidence.storage.delete(department.evidence.name)
    Indicator.objects.filter(pk=personal.pk).update(evidence="")
    english.force_login(personas.hr)
    assert download(english, department).status_code == 404
    assert download(english, personal).status_code == 404


def test_the_kpi_page_links_the_protected_download(english, personas, evidence):
    department, _personal = evidence
    english.force_login(personas.head_a)
    page = english.get(reverse("assessment:kpi", args=[department.cycle_id])).content.decode()
    assert reverse("assessment:indicator_evidence", args=[department.pk]) in page
    assert department.evidence.url not in page
