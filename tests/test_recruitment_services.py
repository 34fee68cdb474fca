"""The competition end to end through the services: applications, sheets, rounds, results, appointment."""

import datetime as dt
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.db.models import F

from recruitment import services
from recruitment.models import (
    Application,
    Ballot,
    Campaign,
    CampaignPost,
    DepartmentPreference,
    Result,
    Round,
    RoundResult,
    ScoreSheet,
)
from staffing.models import Appointment, Person
from tests.factories import AppointmentFactory, PersonFactory, PostFactory, UserFactory
from tests.recruitment_fixtures import build_competition, marks, score_everyone, start_rounds
from zonehr.errors import ApplicationError

pytestmark = pytest.mark.django_db


@pytest.fixture
def competition():
    built = build_competition(candidates=4, judges=7)
    start_rounds(built)
    return built


def open_interview(competition, written=(80, 70, 60, 50)):
    services.round_open(actor=competition.hr, round_=competition.written)
    services.written_scores_enter(
        actor=competition.hr, round_=competition.written,
        scores={a: Decimal(score) for a, score in zip(competition.candidates, written, strict=True)},
    )
    services.round_close(actor=competition.hr, round_=competition.written)
    services.round_open(actor=competition.hr, round_=competition.interview)


# --- applications -------------------------------------------------------------------------------


def test_applying_twice_is_refused(competition):
    campaign = Campaign.objects.create(name="x", method="competitive", status="applications_open")
    offered = CampaignPost.objects.create(campaign=campaign, post=PostFactory())
    person = PersonFactory()
    services.application_submit(actor=None, campaign=campaign, person=person, posts=[offered], declared_truthful=True)
    with pytest.raises(ApplicationError, match="already applied"):
        services.application_submit(
            actor=None, campaign=campaign, person=person, posts=[offered], declared_truthful=True
        )


def test_applications_need_an_open_campaign_and_a_declaration(competition):
    with pytest.raises(ApplicationError, match="this needs"):
        services.application_submit(
            actor=None, campaign=competition.campaign, person=PersonFactory(), posts=[competition.offered],
            declared_truthful=True,
        )
    campaign = Campaign.objects.create(name="x", method="competitive", status="applications_open")
    offered = CampaignPost.objects.create(campaign=campaign, post=PostFactory())
    with pytest.raises(ApplicationError, match="truthful"):
        services.application_submit(actor=None, campaign=campaign, person=PersonFactory(), posts=[offered])


def test_a_self_recommendation_needs_a_statement():
    campaign = Campaign.objects.create(name="自荐", method="self_recommendation", status="applications_open")
    offered = CampaignPost.objects.create(campaign=campaign, post=PostFactory())
    with pytest.raises(ApplicationError) as info:
        services.application_submit(
            actor=None, campaign=campaign, person=PersonFactory(), posts=[offered], declared_truthful=True
        )
    assert "statement" in info.value.fields


def test_eligibility_is_by_education_never_identity():
    campaign = Campaign.objects.create(name="x", method="competitive", status="applications_open")
    offered = CampaignPost.objects.create(campaign=campaign, post=PostFactory(), min_education="master")
    dispatched_master = PersonFactory(identity=Person.Identity.DISPATCHED, education=Person.Education.MASTER)
    services.application_submit(
        actor=None, campaign=campaign, person=dispatched_master, posts=[offered], declared_truthful=True
    )
    civil_servant_bachelor = PersonFactory(identity=Person.Identity.CIVIL_SERVANT, education="bachelor")
    with pytest.raises(ApplicationError, match="education below"):
        services.application_submit(
            actor=None, campaign=campaign, person=civil_servant_bachelor, posts=[offered], declared_truthful=True
        )


def test_a_rejection_carries_a_reason(competition):
    campaign = Campaign.objects.create(name="x", method="competitive", status="applications_open")
    offered = CampaignPost.objects.create(campaign=campaign, post=PostFactory())
    application = services.application_submit(
        actor=None, campaign=campaign, person=PersonFactory(), posts=[offered], declared_truthful=True
    )
    with pytest.raises(ApplicationError):
        services.application_review(actor=competition.hr, application=application, qualified=False)
    services.application_review(
        actor=competition.hr, application=application, qualified=False, reason="工作年限不足"
    )
    application.refresh_from_db()
    assert (application.status, application.rejection_reason) == ("rejected", "工作年限不足")


def test_an_integrity_flag_disqualifies(competition):
    application = competition.candidates[0]
    services.integrity_flag_record(
        actor=competition.hr, application=application, kind="lobbying", note="向评委打招呼拉票"
    )
    application.refresh_from_db()
    assert application.status == Application.Status.DISQUALIFIED


# --- sheets -----------------------------------------------------------------------------------------


def test_a_judge_not_on_the_panel_cannot_score(competition):
    open_interview(competition)
    with pytest.raises(ApplicationError, match="not a judge on this panel"):
        services.sheet_save(
            judge=UserFactory(), panel=competition.panel, application=competition.candidates[0],
            marks=marks(competition, 50, 30), submit=True,
        )


def test_a_mark_above_the_maximum_is_refused_naming_the_criterion(competition):
    open_interview(competition)
    with pytest.raises(ApplicationError) as info:
        services.sheet_save(
            judge=competition.judges[1], panel=competition.panel, application=competition.candidates[0],
            marks=marks(competition, 61, 30), submit=True,
        )
    assert "综合分析" in info.value.message
    assert not ScoreSheet.objects.filter(status="submitted").exists()


def test_a_negative_draft_mark_is_refused(competition):
    open_interview(competition)
    with pytest.raises(ApplicationError):
        services.sheet_save(
            judge=competition.judges[1], panel=competition.panel, application=competition.candidates[0],
            marks=marks(competition, -1, 30),
        )


def test_submitting_locks_the_sheet(competition):
    open_interview(competition)
    args = {"judge": competition.judges[1], "panel": competition.panel, "application": competition.candidates[0]}
    services.sheet_save(marks=marks(competition, 50, 30), **args)
    services.sheet_save(marks=marks(competition, 51, 30), submit=True, **args)
    with pytest.raises(ApplicationError, match="already submitted and locked"):
        services.sheet_save(marks=marks(competition, 10, 10), submit=True, **args)
    assert ScoreSheet.objects.get(judge=competition.judges[1]).total == Decimal(81)


def test_scoring_outside_an_open_round_is_refused(competition):
    with pytest.raises(ApplicationError, match="not open"):
        services.sheet_save(
            judge=competition.judges[1], panel=competition.panel, application=competition.candidates[0],
            marks=marks(competition, 50, 30), submit=True,
        )


def test_the_chair_amends_with_a_reason_and_the_original_stays_in_the_trail(competition):
    open_interview(competition)
    sheet = services.sheet_save(
        judge=competition.judges[2], panel=competition.panel, application=competition.candidates[0],
        marks=marks(competition, 50, 30), submit=True,
    )
    with pytest.raises(ApplicationError, match="Only the panel chair"):
        services.sheet_amend(actor=competition.judges[3], sheet=sheet, marks=marks(competition, 40, 30), reason="x")
    services.sheet_amend(actor=competition.chair, sheet=sheet, marks=marks(competition, 40, 30), reason="误填")
    sheet.refresh_from_db()
    assert sheet.total == Decimal(70)
    entry = LogEntry.objects.get_for_object(sheet).filter(additional_data__reason="误填").get()
    assert entry.changes_dict["total"] == ["80.00", "70.00"]
    assert services.chain_verify(round_=competition.interview) == []


def test_the_chain_names_a_sheet_altered_afterwards(competition):
    open_interview(competition)
    score_everyone(competition, {0: [(50, 30)] * 7})
    tampered = ScoreSheet.objects.filter(application=competition.candidates[0]).first()
    ScoreSheet.objects.filter(pk=tampered.pk).update(total=F("total") + 10)
    problems = services.chain_verify(round_=competition.interview)
    assert len(problems) == 1
    assert f"Sheet {tampered.pk} " in problems[0]


def test_a_conflict_excludes_the_sheet(competition):
    open_interview(competition)
    score_everyone(competition, {0: [(50, 30)] * 6 + [(10, 10)]})
    for judge in competition.judges[:6]:
        services.sheet_save(
            judge=judge, panel=competition.panel, application=competition.candidates[1],
            marks=marks(competition, 55, 35), submit=True,
        )
    services.sheet_save(
        judge=competition.judges[6], panel=competition.panel, application=competition.candidates[1], marks={},
        conflict_note="与该考生为同一科室",
    )
    from recruitment.selectors import round_scores

    scores = round_scores(round_=competition.interview)
    assert scores[competition.candidates[1].pk] == (Decimal("90.00"), 6)
    # Seven sheets: the 20 is dropped with one of the 80s, leaving five 80s.
    assert scores[competition.candidates[0].pk] == (Decimal("80.00"), 7)


# --- rounds and results -------------------------------------------------------------------------------


def test_the_full_competition_ranks_and_appoints(competition):
    open_interview(competition, written=(80, 70, 60, 50))
    score_everyone(
        competition,
        {
            0: [(50, 30)] * 7,  # interview 80
            1: [(58, 38)] * 7,  # interview 96
            2: [(40, 30)] * 7,  # interview 70
            3: [(30, 20)] * 7,  # interview 50
        },
    )
    services.round_close(actor=competition.hr, round_=competition.interview)
    services.campaign_advance(actor=competition.hr, campaign=competition.campaign)
    services.results_compute(actor=competition.hr, campaign=competition.campaign)
    results = list(Result.objects.filter(campaign_post=competition.offered).order_by("rank"))
    # Composite = written × 40 % + interview × 60 %: 0.4×70+0.6×96 = 85.6 beats 0.4×80+0.6×80 = 80.
    assert [(r.application, r.composite) for r in results] == [
        (competition.candidates[1], Decimal("85.60")),
        (competition.candidates[0], Decimal("80.00")),
        (competition.candidates[2], Decimal("66.00")),
        (competition.candidates[3], Decimal("50.00")),
    ]
    assert [r.selected for r in results] == [True, False, False, False]
    campaign = services.publicity_begin(actor=competition.hr, campaign=competition.campaign, start=dt.date(2025, 9, 29))
    # 29-30 Sep are working days, 1-8 Oct the National Day holiday, 9-10 Oct working again,
    # and Saturday 11 Oct a make-up working day: the fifth.
    assert campaign.publicity_end == dt.date(2025, 10, 11)
    with pytest.raises(ApplicationError, match="Publicity runs until"):
        services.appointments_create(actor=competition.hr, campaign=campaign, on=dt.date(2025, 10, 11))
    outcome = services.appointments_create(actor=competition.hr, campaign=campaign, on=dt.date(2025, 10, 13))
    assert outcome == {"appointed": 1, "waiting": 3}
    winner = competition.candidates[1].person
    appointment = winner.appointments.get(status=Appointment.Status.ACTIVE)
    assert appointment.post == competition.offered.post
    # A leadership post: one year of probation, though he moved from another post.
    assert appointment.probation_end == dt.date(2026, 10, 12)
    assert Person.objects.get(pk=competition.candidates[0].person_id).status == Person.Status.WAITING


def test_the_pass_line_stops_candidates(competition):
    competition.interview.pass_line = Decimal(60)
    competition.interview.save()
    open_interview(competition)
    score_everyone(competition, {0: [(50, 30)] * 7, 1: [(30, 20)] * 7, 2: [(40, 30)] * 7, 3: [(40, 19)] * 7})
    services.round_close(actor=competition.hr, round_=competition.interview)
    advanced = set(
        RoundResult.objects.filter(round=competition.interview, advanced=True).values_list("application", flat=True)
    )
    assert advanced == {competition.candidates[0].pk, competition.candidates[2].pk}


def test_a_round_with_draft_sheets_cannot_close(competition):
    open_interview(competition)
    services.sheet_save(
        judge=competition.judges[1], panel=competition.panel, application=competition.candidates[0],
        marks=marks(competition, 50, 30),
    )
    with pytest.raises(ApplicationError, match="still drafts"):
        services.round_close(actor=competition.hr, round_=competition.interview)


def test_a_tie_goes_to_the_interview_then_to_a_recorded_lot(competition):
    open_interview(competition, written=(80, 80, 80, 50))
    score_everyone(competition, {0: [(50, 30)] * 7, 1: [(50, 30)] * 7, 2: [(40, 30)] * 7, 3: [(30, 20)] * 7})
    services.round_close(actor=competition.hr, round_=competition.interview)
    services.campaign_advance(actor=competition.hr, campaign=competition.campaign)
    services.results_compute(actor=competition.hr, campaign=competition.campaign, lot=lambda group: sorted(group))
    top = list(Result.objects.filter(campaign_post=competition.offered).order_by("rank")[:2])
    assert [r.application for r in top] == [competition.candidates[0], competition.candidates[1]]
    assert all(r.decided_by_lot for r in top)
    entry = LogEntry.objects.get(additional_data__event="lot_drawn")
    assert entry.actor == competition.hr


def test_the_weights_must_sum_to_100_before_the_rounds_start():
    built = build_competition(candidates=1)
    built.written.weight = 50
    built.written.save()
    for application in built.candidates:
        services.application_review(actor=built.hr, application=application, qualified=True)
    services.campaign_advance(actor=built.hr, campaign=built.campaign)
    with pytest.raises(ApplicationError, match="sum to 110"):
        services.campaign_advance(actor=built.hr, campaign=built.campaign)


# --- votes and two-way selection ------------------------------------------------------------------------


def test_a_ballot_is_cast_once(competition):
    vote = Round.objects.create(
        campaign=competition.campaign, order=3, kind=Round.Kind.VOTE, name="民主测评", status="open",
        eligible_voters=3,
    )
    voter = UserFactory()
    services.ballot_cast(voter=voter, round_=vote, application=competition.candidates[0], choice="for")
    with pytest.raises(ApplicationError, match="already voted"):
        services.ballot_cast(voter=voter, round_=vote, application=competition.candidates[0], choice="against")
    assert Ballot.objects.count() == 1


def test_two_way_selection_gives_the_candidate_optimal_stable_match():
    hr = UserFactory()
    campaign = Campaign.objects.create(name="双向选择", method="two_way", status="applications_open")
    post_x = CampaignPost.objects.create(campaign=campaign, post=PostFactory(name="X"), places=1)
    post_y = CampaignPost.objects.create(campaign=campaign, post=PostFactory(name="Y"), places=1)
    people = [AppointmentFactory().person for _ in range(3)]
    prefs = [[post_x, post_y], [post_x, post_y], [post_y]]
    applications = [
        services.application_submit(actor=None, campaign=campaign, person=p, posts=pr, declared_truthful=True)
        for p, pr in zip(people, prefs, strict=True)
    ]
    for application in applications:
        services.application_review(actor=hr, application=application, qualified=True)
    for rank, application in enumerate([applications[1], applications[0]], start=1):
        DepartmentPreference.objects.create(campaign_post=post_x, application=application, rank=rank, ranked_by=hr)
    for rank, application in enumerate([applications[0], applications[2], applications[1]], start=1):
        DepartmentPreference.objects.create(campaign_post=post_y, application=application, rank=rank, ranked_by=hr)
    Campaign.objects.filter(pk=campaign.pk).update(status="results")
    outcome = services.two_way_match(actor=hr, campaign=campaign)
    assigned = {r.campaign_post_id: r.application_id for r in outcome["results"]}
    assert assigned == {post_x.pk: applications[1].pk, post_y.pk: applications[0].pk}
    assert outcome["match"].assignment[applications[2].pk] is None


def test_when_every_post_is_recompeted_a_loser_makes_room_for_the_winner():
    built = build_competition(candidates=2, judges=5)
    incumbent, challenger = built.candidates
    post = built.offered.post
    # The incumbent holds the very post on offer, filled to its headcount.
    incumbent_appointment = incumbent.person.appointments.get(status="active")
    incumbent_appointment.status, incumbent_appointment.ended_on = "ended", dt.date(2025, 9, 30)
    incumbent_appointment.save()
    post.headcount = 1
    post.save()
    Appointment.objects.create(
        person=incumbent.person, post=post, method="competitive", term_start=dt.date(2025, 10, 1),
        term_end=dt.date(2028, 9, 30), salary_grade=incumbent_appointment.salary_grade,
    )
    start_rounds(built)
    open_interview(built, written=(50, 90))
    score_everyone(built, {0: [(30, 20)] * 5, 1: [(55, 35)] * 5})
    services.round_close(actor=built.hr, round_=built.interview)
    services.campaign_advance(actor=built.hr, campaign=built.campaign)
    services.results_compute(actor=built.hr, campaign=built.campaign)
    campaign = services.publicity_begin(actor=built.hr, campaign=built.campaign, start=dt.date(2025, 11, 3))
    outcome = services.appointments_create(actor=built.hr, campaign=campaign, on=dt.date(2025, 11, 12))
    assert outcome == {"appointed": 1, "waiting": 1}
    assert challenger.person.appointments.get(status="active").post == post
    assert Person.objects.get(pk=incumbent.person_id).status == Person.Status.WAITING
