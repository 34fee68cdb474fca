"""The competition through the API: the same services and rules as the pages, in the one error shape."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from recruitment import services
from recruitment.models import (
    Application,
    Campaign,
    CampaignPost,
    DepartmentPreference,
    Panel,
    Result,
    Round,
    ScoreSheet,
)
from staffing.models import Appointment, Person
from tests.factories import AppointmentFactory, PersonFactory, PostFactory, UserFactory
from tests.recruitment_fixtures import build_competition, score_everyone, start_rounds
from zonehr.roles import Role

pytestmark = pytest.mark.django_db

API = "/api/recruitment"


def client_for(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def api_marks(competition, first, second) -> dict[str, str]:
    a, b = competition.criteria
    return {str(a.pk): str(first), str(b.pk): str(second)}


@pytest.fixture
def competition():
    built = build_competition(candidates=4, judges=7)
    start_rounds(built)
    return built


@pytest.fixture
def interview_open(competition):
    hr = client_for(competition.hr)
    assert hr.post(f"{API}/rounds/{competition.written.pk}/open/").json()["status"] == "open"
    services.written_scores_enter(
        actor=competition.hr,
        round_=competition.written,
        scores={a: Decimal(s) for a, s in zip(competition.candidates, (80, 70, 60, 50), strict=True)},
    )
    assert hr.post(f"{API}/rounds/{competition.written.pk}/close/").json()["status"] == "closed"
    assert hr.post(f"{API}/rounds/{competition.interview.pk}/open/").json()["status"] == "open"
    return competition


@pytest.fixture
def open_campaign(personas):
    campaign = Campaign.objects.create(name="2026年岗位竞聘", method="competitive", status="applications_open")
    offered = CampaignPost.objects.create(campaign=campaign, post=PostFactory(department=personas.department_a))
    return campaign, offered


def sheet_payload(competition, application, first, second, *, submit=True) -> dict:
    return {
        "panel": competition.panel.pk,
        "application": application.pk,
        "marks": api_marks(competition, first, second),
        "submit": submit,
    }


# --- campaigns and applications -------------------------------------------------------------------


def test_staff_see_campaigns_past_their_draft_and_a_judge_sees_none(personas, open_campaign):
    draft = Campaign.objects.create(name="草稿", method="competitive")
    staff = client_for(personas.staff)
    assert [row["id"] for row in staff.get(f"{API}/campaigns/").json()["results"]] == [open_campaign[0].pk]
    assert staff.get(f"{API}/campaigns/{draft.pk}/").status_code == 404
    assert client_for(personas.judge).get(f"{API}/campaigns/").json()["results"] == []
    assert len(client_for(personas.hr).get(f"{API}/campaigns/").json()["results"]) == 2


def test_a_staff_member_applies_in_order_of_preference_and_reads_only_his_own(personas, open_campaign):
    campaign, offered = open_campaign
    other = services.application_submit(
        actor=None, campaign=campaign, person=PersonFactory(), posts=[offered], declared_truthful=True
    )
    staff = client_for(personas.staff)
    response = staff.post(
        f"{API}/applications/",
        {"campaign": campaign.pk, "posts": [offered.pk], "statement": "熟悉招商业务", "declared_truthful": True},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["person"], body["posts"], body["status"]) == (personas.staff_person.pk, [offered.pk], "submitted")
    assert [row["id"] for row in staff.get(f"{API}/applications/").json()["results"]] == [body["id"]]
    assert staff.get(f"{API}/applications/{other.pk}/").status_code == 404
    everyone = client_for(personas.hr).get(f"{API}/applications/", {"campaign": campaign.pk}).json()["results"]
    assert {row["id"] for row in everyone} == {other.pk, body["id"]}


def test_applying_twice_is_refused_in_the_error_shape(personas, open_campaign):
    campaign, offered = open_campaign
    staff = client_for(personas.staff)
    payload = {"campaign": campaign.pk, "posts": [offered.pk], "declared_truthful": True}
    assert staff.post(f"{API}/applications/", payload, format="json").status_code == 201
    response = staff.post(f"{API}/applications/", payload, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "message": f"{personas.staff_person} has already applied in this campaign.",
        "fields": {"person": ["Already applied."]},
    }
    assert Application.objects.filter(person=personas.staff_person).count() == 1


def test_an_application_needs_the_declaration_and_a_campaign_past_its_draft(personas, open_campaign):
    campaign, offered = open_campaign
    staff = client_for(personas.staff)
    undeclared = staff.post(f"{API}/applications/", {"campaign": campaign.pk, "posts": [offered.pk]}, format="json")
    assert undeclared.status_code == 400
    assert "declared_truthful" in undeclared.json()["fields"]
    draft = Campaign.objects.create(name="草稿", method="competitive")
    hidden = staff.post(
        f"{API}/applications/", {"campaign": draft.pk, "posts": [offered.pk], "declared_truthful": True}, format="json"
    )
    assert hidden.status_code == 400
    assert "campaign" in hidden.json()["fields"]


def test_only_staff_members_with_a_record_apply(personas, open_campaign):
    campaign, offered = open_campaign
    payload = {"campaign": campaign.pk, "posts": [offered.pk], "declared_truthful": True}
    for user in (personas.hr, personas.judge, personas.outsider):
        assert client_for(user).post(f"{API}/applications/", payload, format="json").status_code == 403


def test_hr_rejects_only_with_a_reason_and_staff_cannot_review(personas, open_campaign):
    campaign, offered = open_campaign
    application = services.application_submit(
        actor=None, campaign=campaign, person=personas.staff_person, posts=[offered], declared_truthful=True
    )
    url = f"{API}/applications/{application.pk}/review/"
    assert client_for(personas.staff).post(url, {"qualified": True}, format="json").status_code == 403
    hr = client_for(personas.hr)
    bare = hr.post(url, {"qualified": False}, format="json")
    assert bare.status_code == 400
    assert bare.json()["fields"] == {"reason": ["Required."]}
    rejected = hr.post(url, {"qualified": False, "reason": "任职年限不足"}, format="json")
    assert (rejected.json()["status"], rejected.json()["rejection_reason"]) == ("rejected", "任职年限不足")
    # The applicant reads the reason on his own application.
    own = client_for(personas.staff).get(f"{API}/applications/{application.pk}/").json()
    assert own["rejection_reason"] == "任职年限不足"


def test_an_integrity_flag_disqualifies_the_application(competition, personas):
    application = competition.candidates[0]
    response = client_for(personas.hr).post(
        f"{API}/applications/{application.pk}/flag/", {"kind": "lobbying", "note": "向评委打招呼拉票"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["kind"], response.json()["disqualifies"]) == ("lobbying", True)
    application.refresh_from_db()
    assert application.status == Application.Status.DISQUALIFIED


def test_advancing_a_campaign_checks_what_the_next_stage_needs(personas):
    campaign = Campaign.objects.create(name="空竞聘", method="competitive")
    hr = client_for(personas.hr)
    response = hr.post(f"{API}/campaigns/{campaign.pk}/advance/", {}, format="json")
    assert response.status_code == 400
    assert response.json() == {"message": "Offer at least one post before opening applications.", "fields": {}}
    CampaignPost.objects.create(campaign=campaign, post=PostFactory())
    assert hr.post(f"{API}/campaigns/{campaign.pk}/advance/").json()["status"] == "applications_open"
    assert client_for(personas.leader).post(f"{API}/campaigns/{campaign.pk}/advance/").status_code == 403


# --- sheets -------------------------------------------------------------------------------------------


def test_a_judge_scores_and_submits_his_sheet(interview_open):
    competition = interview_open
    judge = client_for(competition.judges[1])
    candidate = competition.candidates[0]
    garbled = judge.post(f"{API}/sheets/", sheet_payload(competition, candidate, "5O", 30, submit=False), format="json")
    assert garbled.status_code == 400
    assert "marks" in garbled.json()["fields"]
    # A draft may leave a criterion empty.
    draft = judge.post(f"{API}/sheets/", sheet_payload(competition, candidate, "50.5", "", submit=False), format="json")
    assert draft.status_code == 201, draft.json()
    first = str(competition.criteria[0].pk)
    assert (draft.json()["status"], draft.json()["total"], draft.json()["marks"]) == ("draft", None, {first: "50.50"})
    updated = judge.post(
        f"{API}/sheets/", sheet_payload(competition, candidate, "50.5", 30, submit=False), format="json"
    )
    assert updated.status_code == 200
    submitted = judge.post(f"{API}/sheets/{draft.json()['id']}/submit/")
    assert submitted.status_code == 200, submitted.json()
    assert (submitted.json()["status"], submitted.json()["total"]) == ("submitted", "80.50")
    again = judge.post(f"{API}/sheets/{draft.json()['id']}/submit/")
    assert again.status_code == 400
    assert "already submitted and locked" in again.json()["message"]


def test_a_mark_above_the_maximum_is_refused_naming_the_criterion(interview_open):
    competition = interview_open
    response = client_for(competition.judges[1]).post(
        f"{API}/sheets/", sheet_payload(competition, competition.candidates[0], 61, 30), format="json"
    )
    assert response.status_code == 400
    first = competition.criteria[0]
    assert response.json() == {
        "message": "The mark for “综合分析” is 61.00; it must be from 0 to 60.00.",
        "fields": {f"criterion_{first.pk}": ["From 0 to 60.00."]},
    }
    assert not ScoreSheet.objects.exists()


def test_a_judge_cannot_score_a_round_he_is_not_on(interview_open):
    competition = interview_open
    elsewhere = UserFactory(roles=[Role.JUDGE])
    other_round = Round.objects.create(campaign=competition.campaign, order=3, kind="interview", name="复试")
    Panel.objects.create(round=other_round, name="第二考场").judges.add(elsewhere)
    response = client_for(elsewhere).post(
        f"{API}/sheets/", sheet_payload(competition, competition.candidates[0], 50, 30), format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"message": "You are not a judge on this panel.", "fields": {}}
    # Someone on no panel at all is refused before the service is asked.
    stranger = client_for(UserFactory(roles=[Role.JUDGE]))
    payload = sheet_payload(competition, competition.candidates[0], 50, 30)
    assert stranger.post(f"{API}/sheets/", payload, format="json").status_code == 403
    assert not ScoreSheet.objects.exists()


def test_a_sheet_after_the_round_closed_is_refused(interview_open):
    competition = interview_open
    score_everyone(competition, {index: [(50, 30)] * 7 for index in range(3)})
    client_for(competition.hr).post(f"{API}/rounds/{competition.interview.pk}/close/")
    response = client_for(competition.judges[0]).post(
        f"{API}/sheets/", sheet_payload(competition, competition.candidates[3], 50, 30), format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"message": "Round “现场面试” is not open for scoring (Closed).", "fields": {}}


def test_a_judge_cannot_read_another_judges_sheet_by_guessing_its_id(interview_open, personas):
    competition = interview_open
    mine = client_for(competition.judges[1])
    sheet_id = mine.post(
        f"{API}/sheets/", sheet_payload(competition, competition.candidates[0], 50, 30), format="json"
    ).json()["id"]
    neighbour = client_for(competition.judges[2])
    assert neighbour.get(f"{API}/sheets/{sheet_id}/").status_code == 404
    assert neighbour.get(f"{API}/sheets/").json()["results"] == []
    assert neighbour.post(f"{API}/sheets/{sheet_id}/submit/").status_code == 404
    assert mine.get(f"{API}/sheets/{sheet_id}/").json()["judge"] == competition.judges[1].pk
    # HR reads submitted sheets only once the round has closed.
    assert client_for(personas.hr).get(f"{API}/sheets/{sheet_id}/").status_code == 404


def test_hr_reads_the_submitted_sheets_after_the_round_closes(interview_open, personas):
    competition = interview_open
    score_everyone(competition, {index: [(50, 30)] * 7 for index in range(4)})
    hr = client_for(personas.hr)
    assert hr.get(f"{API}/sheets/").json()["count"] == 0
    client_for(competition.hr).post(f"{API}/rounds/{competition.interview.pk}/close/")
    assert hr.get(f"{API}/sheets/").json()["count"] == 28
    assert client_for(personas.inspector).get(f"{API}/sheets/", {"panel": competition.panel.pk}).json()["count"] == 28


def test_only_the_chair_amends_a_submitted_sheet_with_a_reason(interview_open):
    competition = interview_open
    judge = competition.judges[2]
    sheet_id = (
        client_for(judge)
        .post(f"{API}/sheets/", sheet_payload(competition, competition.candidates[0], 50, 30), format="json")
        .json()["id"]
    )
    url = f"{API}/sheets/{sheet_id}/amend/"
    corrected = {"marks": api_marks(competition, 40, 30), "reason": "误填第一项"}
    own = client_for(judge).post(url, corrected, format="json")
    assert own.status_code == 400
    assert own.json()["message"] == "Only the panel chair may amend a submitted sheet."
    chair = client_for(competition.chair)
    assert chair.post(url, {"marks": api_marks(competition, 40, 30)}, format="json").status_code == 400
    amended = chair.post(url, corrected, format="json")
    assert amended.status_code == 200, amended.json()
    assert (amended.json()["total"], amended.json()["amended_reason"]) == ("70.00", "误填第一项")
    assert services.chain_verify(round_=competition.interview) == []
    # Another panel's chair does not find the sheet.
    other_chair = UserFactory(roles=[Role.JUDGE])
    other = Panel.objects.create(round=competition.interview, name="第二考场", chair=other_chair)
    other.judges.add(other_chair)
    assert client_for(other_chair).post(url, corrected, format="json").status_code == 404


# --- rounds, results, publicity, appointment ----------------------------------------------------------


def test_the_whole_competition_runs_through_the_api(interview_open, personas):
    competition = interview_open
    interview = {0: (50, 30), 1: (58, 38), 2: (40, 30), 3: (30, 20)}
    for index, (first, second) in interview.items():
        for judge in competition.judges:
            response = client_for(judge).post(
                f"{API}/sheets/",
                sheet_payload(competition, competition.candidates[index], first, second),
                format="json",
            )
            assert response.status_code == 201, response.json()
    hr = client_for(competition.hr)
    closed = hr.post(f"{API}/rounds/{competition.interview.pk}/close/").json()
    assert closed["status"] == "closed" and len(closed["final_digest"]) == 64
    campaign_url = f"{API}/campaigns/{competition.campaign.pk}"
    early = hr.post(f"{campaign_url}/begin-publicity/", {"start": "2025-09-29"}, format="json")
    assert early.status_code == 400 and "this needs" in early.json()["message"]
    assert hr.post(f"{campaign_url}/advance/").json()["status"] == "results"
    ranking = hr.post(f"{campaign_url}/compute-results/").json()
    assert [(row["application"], row["composite"], row["selected"]) for row in ranking] == [
        (competition.candidates[1].pk, "85.60", True),
        (competition.candidates[0].pk, "80.00", False),
        (competition.candidates[2].pk, "66.00", False),
        (competition.candidates[3].pk, "50.00", False),
    ]
    # Before the publicity nobody but the oversight roles reads the ranking.
    assert client_for(personas.staff).get(f"{API}/results/").json()["count"] == 0
    assert (
        client_for(personas.leader).get(f"{API}/results/", {"campaign": competition.campaign.pk}).json()["count"] == 4
    )
    publicity = hr.post(f"{campaign_url}/begin-publicity/", {"start": "2025-09-29"}, format="json").json()
    assert (publicity["status"], publicity["publicity_end"]) == ("publicity", "2025-10-11")
    # During the publicity staff read who was selected, not the whole ranking.
    shown = client_for(personas.staff).get(f"{API}/results/").json()["results"]
    assert [row["application"] for row in shown] == [competition.candidates[1].pk]
    outcome = hr.post(f"{campaign_url}/create-appointments/")
    assert outcome.json() == {"appointed": 1, "waiting": 3}
    winner = competition.candidates[1].person
    assert winner.appointments.get(status=Appointment.Status.ACTIVE).post == competition.offered.post
    assert Person.objects.get(pk=competition.candidates[0].person_id).status == Person.Status.WAITING


def test_rounds_open_in_order_and_only_hr_runs_them(competition, personas):
    hr = client_for(competition.hr)
    response = hr.post(f"{API}/rounds/{competition.interview.pk}/open/")
    assert response.status_code == 400
    assert response.json()["message"] == "Close the earlier rounds first: rounds run in order."
    assert client_for(competition.judges[0]).post(f"{API}/rounds/{competition.written.pk}/open/").status_code == 403


def test_a_judge_reads_his_panels_and_rounds_but_not_others(interview_open, personas):
    competition = interview_open
    judge = client_for(competition.judges[3])
    panels = judge.get(f"{API}/panels/").json()["results"]
    assert [panel["id"] for panel in panels] == [competition.panel.pk]
    assert [c["application"] for c in panels[0]["candidates"]] == [a.pk for a in competition.candidates]
    rounds = judge.get(f"{API}/rounds/").json()["results"]
    assert [r["id"] for r in rounds] == [competition.interview.pk]
    assert {c["name"] for c in rounds[0]["criteria"]} == {"综合分析", "岗位认知"}
    assert client_for(personas.judge).get(f"{API}/panels/{competition.panel.pk}/").status_code == 404
    assert client_for(personas.staff).get(f"{API}/panels/").json()["results"] == []


# --- ballots ------------------------------------------------------------------------------------------


@pytest.fixture
def vote(competition):
    competition.campaign.status = Campaign.Status.ROUNDS
    competition.campaign.save()
    return Round.objects.create(
        campaign=competition.campaign, order=3, kind=Round.Kind.VOTE, name="民主测评", status="open", eligible_voters=9
    )


def test_a_ballot_is_cast_once(vote, competition, personas):
    voter = client_for(personas.staff)
    payload = {"round": vote.pk, "application": competition.candidates[0].pk, "choice": "for"}
    first = voter.post(f"{API}/ballots/", payload, format="json")
    assert first.status_code == 201, first.json()
    second = voter.post(f"{API}/ballots/", {**payload, "choice": "against"}, format="json")
    assert second.status_code == 400
    assert second.json() == {"message": f"You have already voted on {competition.candidates[0]}.", "fields": {}}
    assert vote.ballots.get().choice == "for"


def test_a_ballot_is_only_on_a_candidate_of_the_round_and_only_by_staff(vote, competition, personas):
    other_campaign = Campaign.objects.create(name="另一竞聘", method="competitive", status="applications_open")
    offered = CampaignPost.objects.create(campaign=other_campaign, post=PostFactory())
    stranger = services.application_submit(
        actor=None, campaign=other_campaign, person=PersonFactory(), posts=[offered], declared_truthful=True
    )
    voter = client_for(personas.staff)
    response = voter.post(
        f"{API}/ballots/", {"round": vote.pk, "application": stranger.pk, "choice": "for"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"application": ["Not a candidate in this round."]}
    spoilt = voter.post(
        f"{API}/ballots/",
        {"round": vote.pk, "application": competition.candidates[0].pk, "choice": "spoilt"},
        format="json",
    )
    assert spoilt.status_code == 400 and "choice" in spoilt.json()["fields"]
    payload = {"round": vote.pk, "application": competition.candidates[0].pk, "choice": "for"}
    assert client_for(personas.judge).post(f"{API}/ballots/", payload, format="json").status_code == 403
    assert not vote.ballots.exists()


# --- two-way selection ------------------------------------------------------------------------------


def test_two_way_matching_returns_the_assignment_and_why(personas):
    hr = personas.hr
    campaign = Campaign.objects.create(name="双向选择", method="two_way", status="applications_open")
    post_x = CampaignPost.objects.create(campaign=campaign, post=PostFactory(name="X"), places=1)
    post_y = CampaignPost.objects.create(campaign=campaign, post=PostFactory(name="Y"), places=1)
    people = [AppointmentFactory().person for _ in range(3)]
    preferences = [[post_x, post_y], [post_x, post_y], [post_y]]
    applications = [
        services.application_submit(actor=None, campaign=campaign, person=p, posts=pr, declared_truthful=True)
        for p, pr in zip(people, preferences, strict=True)
    ]
    for application in applications:
        services.application_review(actor=hr, application=application, qualified=True)
    for rank, application in enumerate([applications[1], applications[0]], start=1):
        DepartmentPreference.objects.create(campaign_post=post_x, application=application, rank=rank, ranked_by=hr)
    for rank, application in enumerate([applications[0], applications[1]], start=1):
        DepartmentPreference.objects.create(campaign_post=post_y, application=application, rank=rank, ranked_by=hr)
    Campaign.objects.filter(pk=campaign.pk).update(status="results")
    response = client_for(hr).post(f"{API}/campaigns/{campaign.pk}/match/")
    assert response.status_code == 200, response.json()
    assignment = {row["application"]: row for row in response.json()["assignment"]}
    assert assignment[applications[1].pk]["post"] == post_x.pk
    assert assignment[applications[1].pk]["explanations"] == []
    assert assignment[applications[0].pk]["post"] == post_y.pk
    assert assignment[applications[0].pk]["explanations"] == [
        {
            "post": post_x.pk,
            "reason": "full_with_preferred",
            "explanation": "Every place went to a candidate the department ranked higher.",
            "holders": [applications[1].pk],
            "capacity": 1,
        }
    ]
    # Post Y did not rank the third candidate, his only choice: he gets nothing and is told why.
    assert assignment[applications[2].pk]["post"] is None
    assert [e["reason"] for e in assignment[applications[2].pk]["explanations"]] == ["not_ranked"]
    assert {(row["campaign_post"], row["application"]) for row in response.json()["results"]} == {
        (post_x.pk, applications[1].pk),
        (post_y.pk, applications[0].pk),
    }
    assert Result.objects.filter(campaign_post__campaign=campaign, selected=True).count() == 2


def test_matching_is_for_two_way_selection_only(competition):
    response = client_for(competition.hr).post(f"{API}/campaigns/{competition.campaign.pk}/match/")
    assert response.status_code == 400
    assert response.json() == {"message": "Matching is for two-way selection campaigns.", "fields": {}}


def test_posts_offered_are_read_with_their_campaign(personas, open_campaign):
    campaign, offered = open_campaign
    rows = client_for(personas.staff).get(f"{API}/posts/", {"campaign": campaign.pk}).json()["results"]
    assert [(row["id"], row["department_name"]) for row in rows] == [(offered.pk, "招商一部")]
    assert client_for(personas.outsider).get(f"{API}/posts/{offered.pk}/").status_code == 404
