"""Results pages: the ranking, two-way selection, publicity and objections, appointment, the
notice, the sheets' check, and who may see each of them."""

import datetime as dt
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from recruitment import services
from recruitment.models import (
    Application,
    Campaign,
    CampaignPost,
    DepartmentPreference,
    Objection,
    Result,
    RoundResult,
    ScoreSheet,
)
from staffing.models import Appointment, Person
from tests.factories import AppointmentFactory, PostFactory, UserFactory
from tests.recruitment_fixtures import build_competition, score_everyone, start_rounds
from zonehr.errors import ApplicationError
from zonehr.roles import Role

pytestmark = pytest.mark.django_db

# Interview marks per candidate (7 judges each): totals 80, 96, 70 and 50.
INTERVIEW = {0: [(50, 30)] * 7, 1: [(58, 38)] * 7, 2: [(40, 30)] * 7, 3: [(30, 20)] * 7}
WRITTEN = (80, 70, 60, 50)
NAMES = ("赵一", "钱二", "孙三", "李四")


def run_rounds(competition, *, written=WRITTEN, interview=None) -> None:
    """Written exam and interview scored and closed; the campaign moved on to its results."""
    hr = competition.hr
    services.round_open(actor=hr, round_=competition.written)
    services.written_scores_enter(
        actor=hr,
        round_=competition.written,
        scores={a: Decimal(score) for a, score in zip(competition.candidates, written, strict=True)},
    )
    services.round_close(actor=hr, round_=competition.written)
    services.round_open(actor=hr, round_=competition.interview)
    score_everyone(competition, interview or INTERVIEW)
    services.round_close(actor=hr, round_=competition.interview)
    services.campaign_advance(actor=hr, campaign=competition.campaign)


def named_competition():
    """Four candidates at the rounds stage, named so that no name contains another."""
    competition = build_competition(candidates=4, judges=7)
    for application, name in zip(competition.candidates, NAMES, strict=True):
        application.person.name = name
        application.person.save()
    start_rounds(competition)
    return competition


def finished_competition(**kwargs):
    """A competition of four candidates with its results computed."""
    competition = named_competition()
    run_rounds(competition, **kwargs)
    services.results_compute(actor=competition.hr, campaign=competition.campaign)
    return competition


def text_of(response) -> str:
    return response.content.decode()


def names(*indexes) -> list[str]:
    return [NAMES[index] for index in indexes]


# --- results ----------------------------------------------------------------------------------------------


def test_hr_computes_the_results_and_the_page_ranks_with_each_rounds_score(english):
    competition = named_competition()
    run_rounds(competition)
    english.force_login(competition.hr)
    url = reverse("recruitment:results", args=[competition.campaign.pk])
    assert "Compute the results" in text_of(english.get(url))

    response = english.post(reverse("recruitment:results_compute", args=[competition.campaign.pk]), follow=True)

    assert "Results computed: 4 candidates ranked." in text_of(response)
    (post,) = response.context["ranking"].posts
    assert [row.candidate for row in post.rows] == names(1, 0, 2, 3)
    top = post.rows[0]
    # Written 70, interview 96: 0.4 × 70 + 0.6 × 96.
    assert (top.scores, top.result.composite, top.result.rank) == (
        (Decimal("70.00"), Decimal("96.00")),
        Decimal("85.60"),
        1,
    )
    assert [row.result.selected for row in post.rows] == [True, False, False, False]
    competition.interview.refresh_from_db()
    assert len(competition.interview.final_digest) == 64
    assert competition.interview.final_digest in text_of(response)


def test_the_compute_button_is_hrs_and_only_at_the_results_stage(english, personas):
    competition = finished_competition()
    url = reverse("recruitment:results", args=[competition.campaign.pk])
    english.force_login(personas.leader)
    assert "Compute the results" not in text_of(english.get(url))
    assert english.post(reverse("recruitment:results_compute", args=[competition.campaign.pk])).status_code == 403
    services.publicity_begin(actor=competition.hr, campaign=competition.campaign, start=dt.date(2025, 9, 29))
    english.force_login(competition.hr)
    assert "Compute the results" not in text_of(english.get(url))
    response = english.post(reverse("recruitment:results_compute", args=[competition.campaign.pk]), follow=True)
    assert "this needs Results" in text_of(response)


def test_places_decided_by_lot_are_marked(english):
    # Candidates 0 and 1 tie on the composite and on both tie-break rounds.
    competition = finished_competition(written=(80, 80, 60, 50), interview={**INTERVIEW, 1: [(50, 30)] * 7})
    english.force_login(competition.hr)
    response = english.get(reverse("recruitment:results", args=[competition.campaign.pk]))
    (post,) = response.context["ranking"].posts
    assert [row.result.decided_by_lot for row in post.rows] == [True, True, False, False]
    assert text_of(response).count("Decided by lot</span>") == 2


def test_a_judge_sees_nothing_of_the_results_while_his_round_is_open(client):
    competition = build_competition(candidates=2, judges=5)
    start_rounds(competition)
    services.round_open(actor=competition.hr, round_=competition.written)
    services.written_scores_enter(
        actor=competition.hr, round_=competition.written, scores={a: Decimal(70) for a in competition.candidates}
    )
    services.round_close(actor=competition.hr, round_=competition.written)
    services.round_open(actor=competition.hr, round_=competition.interview)
    score_everyone(competition, {0: [(50, 30)] * 5})
    client.force_login(competition.judges[1])
    campaign, interview, written = competition.campaign.pk, competition.interview.pk, competition.written.pk
    for name, pk in [
        ("recruitment:results", campaign),
        ("recruitment:ranking_export", campaign),
        ("recruitment:publicity", campaign),
        ("recruitment:publicity_notice", campaign),
        ("recruitment:round_sheets_export", interview),
        ("recruitment:round_verify", interview),
        ("recruitment:round_results_export", written),
    ]:
        assert client.get(reverse(name, args=[pk])).status_code == 403, name


def test_staff_see_nothing_before_publicity_and_the_selected_candidates_during_it(english, personas):
    competition = finished_competition()
    english.force_login(personas.staff)
    publicity_url = reverse("recruitment:publicity", args=[competition.campaign.pk])
    notice_url = reverse("recruitment:publicity_notice", args=[competition.campaign.pk])
    assert english.get(publicity_url).status_code == 404
    assert english.get(notice_url).status_code == 404
    assert english.get(reverse("recruitment:results", args=[competition.campaign.pk])).status_code == 403

    services.publicity_begin(actor=competition.hr, campaign=competition.campaign, start=dt.date(2025, 9, 29))

    page = text_of(english.get(publicity_url))
    winner, runner_up = names(1, 0)
    assert winner in page
    assert runner_up not in page


def test_a_round_can_be_checked_and_a_tampered_sheet_is_named(english):
    competition = finished_competition()
    english.force_login(competition.hr)
    url = reverse("recruitment:round_verify", args=[competition.interview.pk])
    assert "Every submitted sheet matches the hash chain." in text_of(english.get(url))

    tampered = ScoreSheet.objects.filter(application=competition.candidates[2]).first()
    ScoreSheet.objects.filter(pk=tampered.pk).update(total=F("total") + 5)

    page = text_of(english.get(url))
    assert "Problems found: 1" in page
    assert f"Sheet {tampered.pk} (judge {tampered.judge.username}" in page


# --- two-way selection -----------------------------------------------------------------------------------------


@pytest.fixture
def selection(personas):
    """Two-way selection at the results stage: posts X and Y of department A, Z of department B.

    Candidates 0 and 1 want X then Y, candidate 2 wants Y only.
    """
    hr = UserFactory(roles=[Role.HR_OFFICER])
    campaign = Campaign.objects.create(name="双向选择", method="two_way", status="applications_open")
    x, y = (
        CampaignPost.objects.create(campaign=campaign, post=PostFactory(name=name, department=personas.department_a))
        for name in ("招商专员", "项目专员")
    )
    z = CampaignPost.objects.create(
        campaign=campaign, post=PostFactory(name="规划员", department=personas.department_b)
    )
    people = [AppointmentFactory(person__name=name).person for name in ("甲", "乙", "丙")]
    prefs = [[x, y], [x, y], [y]]
    applications = [
        services.application_submit(actor=None, campaign=campaign, person=person, posts=chosen, declared_truthful=True)
        for person, chosen in zip(people, prefs, strict=True)
    ]
    for application in applications:
        services.application_review(actor=hr, application=application, qualified=True)
    Campaign.objects.filter(pk=campaign.pk).update(status="results")
    campaign.refresh_from_db()
    return {"campaign": campaign, "x": x, "y": y, "z": z, "applications": applications, "hr": hr}


def rank(client, offered, ranks: dict) -> object:
    return client.post(
        reverse("recruitment:two_way_rank", args=[offered.pk]),
        {f"rank_{application.pk}": value for application, value in ranks.items()},
        follow=True,
    )


def test_a_department_head_ranks_his_posts_candidates(english, personas, selection):
    first, second, third = selection["applications"]
    english.force_login(personas.head_a)
    page = english.get(reverse("recruitment:two_way_rank", args=[selection["y"].pk]))
    assert [application for application, _field in page.context["form"].rows()] == [first, second, third]

    response = rank(english, selection["y"], {first: 2, second: "", third: 1})

    assert "Your ranking for" in text_of(response)
    ranking = DepartmentPreference.objects.filter(campaign_post=selection["y"]).order_by("rank")
    assert [(p.application, p.rank, p.ranked_by) for p in ranking] == [
        (third, 1, personas.head_a),
        (first, 2, personas.head_a),
    ]
    entry = LogEntry.objects.get(additional_data__event="department_ranking")
    assert (entry.actor, entry.changes_dict["ranking"]) == (personas.head_a, [[], ["丙", "甲"]])


def test_another_departments_head_may_not_rank_the_post(english, personas, selection):
    english.force_login(personas.head_b)
    url = reverse("recruitment:two_way_rank", args=[selection["x"].pk])
    assert english.get(url).status_code == 403
    first = selection["applications"][0]
    assert english.post(url, {f"rank_{first.pk}": 1}).status_code == 403
    assert not DepartmentPreference.objects.exists()
    # On the selection page he sees his own department's post only.
    page = english.get(reverse("recruitment:two_way", args=[selection["campaign"].pk]))
    assert [post.offered for post in page.context["posts"]] == [selection["z"]]


def test_a_rank_given_twice_is_refused(english, personas, selection):
    first, second, _third = selection["applications"]
    english.force_login(personas.head_a)
    response = rank(english, selection["x"], {first: 1, second: 1})
    assert "Give each rank once; repeated: 1." in text_of(response)
    assert not DepartmentPreference.objects.exists()


def test_only_candidates_who_applied_for_the_post_can_be_ranked(personas, selection):
    third = selection["applications"][2]  # applied for Y only
    with pytest.raises(ApplicationError, match="did not apply for this post or are not qualified"):
        services.department_preferences_set(actor=personas.head_a, campaign_post=selection["x"], ranking=[third])


def test_rankings_close_when_publicity_begins(personas, selection):
    Campaign.objects.filter(pk=selection["campaign"].pk).update(status="publicity")
    with pytest.raises(ApplicationError, match="Rankings are open from the qualification review until publicity"):
        services.department_preferences_set(
            actor=personas.head_a, campaign_post=selection["x"], ranking=selection["applications"][:1]
        )


def test_the_match_shows_who_got_each_post_and_why_the_others_did_not(english, personas, selection):
    first, second, third = selection["applications"]
    english.force_login(personas.head_a)
    rank(english, selection["x"], {second: 1, first: 2})
    rank(english, selection["y"], {first: 1, third: 2})  # second left unranked for Y
    english.force_login(selection["hr"])

    response = english.post(reverse("recruitment:two_way_match", args=[selection["campaign"].pk]), follow=True)

    assert "Matched: 2 of 3 candidates got a post." in text_of(response)
    holders = {post.offered: post.holders for post in response.context["posts"]}
    assert holders == {selection["x"]: ["乙"], selection["y"]: ["甲"], selection["z"]: []}
    (unplaced,) = response.context["outcome"].unplaced
    assert unplaced.candidate == "丙"
    assert [(line.choice, line.holders) for line in unplaced.refusals] == [(1, ("甲",))]
    page = text_of(response)
    assert "Filled by candidates the department ranked higher: 甲." in page
    assert not response.context["outcome"].stale


def test_a_candidate_the_department_did_not_rank_is_told_so(english, personas, selection):
    first, second, third = selection["applications"]
    services.department_preferences_set(actor=personas.head_a, campaign_post=selection["x"], ranking=[first, second])
    services.department_preferences_set(actor=personas.head_a, campaign_post=selection["y"], ranking=[third])
    services.two_way_match(actor=selection["hr"], campaign=selection["campaign"])
    english.force_login(selection["hr"])

    page = english.get(reverse("recruitment:two_way", args=[selection["campaign"].pk]))

    (unplaced,) = page.context["outcome"].unplaced
    assert unplaced.candidate == "乙"
    assert [line.reason for line in unplaced.refusals] == [
        "Filled by candidates the department ranked higher: 甲.",
        "The department did not rank him.",
    ]


def test_ranking_anew_after_the_match_asks_for_it_to_run_again(english, personas, selection):
    first, second, third = selection["applications"]
    services.department_preferences_set(actor=personas.head_a, campaign_post=selection["x"], ranking=[first, second])
    services.department_preferences_set(actor=personas.head_a, campaign_post=selection["y"], ranking=[third])
    services.two_way_match(actor=selection["hr"], campaign=selection["campaign"])
    services.department_preferences_set(actor=personas.head_a, campaign_post=selection["x"], ranking=[second, first])
    english.force_login(selection["hr"])
    page = english.get(reverse("recruitment:two_way", args=[selection["campaign"].pk]))
    assert page.context["outcome"].stale
    assert "changed after the match was run: run it again" in text_of(page)


# --- publicity, objections, appointment --------------------------------------------------------------------


def start_publicity(client, competition, start: dt.date):
    client.force_login(competition.hr)
    return client.post(
        reverse("recruitment:publicity_start", args=[competition.campaign.pk]),
        {"start": start.isoformat()},
        follow=True,
    )


def test_hr_starts_the_publicity_and_the_page_shows_its_end_over_the_holidays(english):
    competition = finished_competition()
    response = start_publicity(english, competition, dt.date(2025, 9, 29))
    # 1–8 October is the National Day holiday; Saturday 11 October a make-up working day.
    assert "Publicity runs from Sept. 29, 2025 to Oct. 11, 2025." in text_of(response)
    page = text_of(response)
    assert "Sept. 29, 2025 – Oct. 11, 2025" in page
    assert "5 working days" in page
    competition.campaign.refresh_from_db()
    assert competition.campaign.status == Campaign.Status.PUBLICITY


def test_staff_lodge_objections_and_hr_resolves_them(english, personas):
    competition = finished_competition()
    start_publicity(english, competition, dt.date(2025, 9, 29))
    winner = competition.candidates[1]
    english.force_login(personas.staff)
    response = english.post(
        reverse("recruitment:objection_lodge", args=[competition.campaign.pk]),
        {"application": winner.pk, "text": "该同志民主测评材料存在不实之处"},
        follow=True,
    )
    assert "Your objection has been lodged" in text_of(response)
    objection = Objection.objects.get()
    assert (objection.application, objection.lodged_by, objection.status) == (winner, personas.staff, "open")
    # Another member of staff does not read it; HR does.
    english.force_login(personas.head_b)
    assert "民主测评材料" not in text_of(english.get(reverse("recruitment:publicity", args=[competition.campaign.pk])))

    english.force_login(competition.hr)
    response = english.post(
        reverse("recruitment:objection_resolve", args=[objection.pk]),
        {"outcome": "dismissed", "resolution": "经核查，测评材料真实，异议不成立。"},
        follow=True,
    )

    objection.refresh_from_db()
    assert (objection.status, objection.resolved_by) == ("dismissed", competition.hr)
    english.force_login(personas.staff)
    assert "异议不成立" in text_of(english.get(reverse("recruitment:publicity", args=[competition.campaign.pk])))


def test_an_objection_needs_its_text_and_an_open_publicity(english, personas):
    competition = finished_competition()
    start_publicity(english, competition, dt.date(2025, 9, 29))
    english.force_login(personas.staff)
    url = reverse("recruitment:objection_lodge", args=[competition.campaign.pk])
    assert english.post(url, {"text": ""}).context["objection_form"].errors["text"]
    Campaign.objects.filter(pk=competition.campaign.pk).update(status="appointed")
    response = english.post(url, {"text": "迟到的异议"})
    assert "this needs Publicity" in text_of(response)
    assert not Objection.objects.exists()


def test_appointments_wait_for_the_end_of_publicity(english):
    competition = finished_competition()
    today = timezone.localdate()
    start_publicity(english, competition, today)
    response = english.post(reverse("recruitment:appointments_create", args=[competition.campaign.pk]), follow=True)
    assert "Publicity runs until" in text_of(response)
    assert not Appointment.objects.filter(post=competition.offered.post).exists()


def test_appointments_wait_for_every_objection_and_then_report_the_counts(english, personas):
    competition = finished_competition()
    start_publicity(english, competition, dt.date(2025, 9, 29))
    competition.campaign.refresh_from_db()
    objection = services.objection_lodge(actor=personas.staff, campaign=competition.campaign, text="程序有疑问")
    url = reverse("recruitment:appointments_create", args=[competition.campaign.pk])
    assert "Resolve every objection before the appointments." in text_of(english.post(url, follow=True))
    services.objection_resolve(actor=competition.hr, objection=objection, upheld=False, resolution="程序合规")

    response = english.post(url, follow=True)

    assert "Appointments made: 1 appointed, 3 sent to waiting (off-post training)." in text_of(response)
    winner = competition.candidates[1].person
    assert winner.appointments.get(status=Appointment.Status.ACTIVE).post == competition.offered.post
    assert Person.objects.get(pk=competition.candidates[0].person_id).status == Person.Status.WAITING
    competition.campaign.refresh_from_db()
    assert competition.campaign.status == Campaign.Status.APPOINTED


# --- the notice ---------------------------------------------------------------------------------------------------


def test_the_notice_lists_the_selected_the_period_the_channel_and_the_digests(english, personas):
    competition = finished_competition()
    start_publicity(english, competition, dt.date(2025, 9, 29))
    english.force_login(personas.staff)

    response = english.get(reverse("recruitment:publicity_notice", args=[competition.campaign.pk]))

    page = text_of(response)
    competition.interview.refresh_from_db()
    winner, runner_up = names(1, 0)
    assert "关于2025年中层干部竞聘拟聘任人员的公示" in page
    assert winner in page and "85.60" in page
    assert runner_up not in page
    assert "公示时间：2025年9月29日至2025年10月11日（5个工作日）" in page
    assert f"http://testserver/recruitment/campaigns/{competition.campaign.pk}/publicity/" in page
    assert competition.interview.final_digest in page
    assert "recruitment-results.css" in page


def test_the_results_index_lists_campaigns_from_their_rounds_on(english, personas):
    competition = finished_competition()
    Campaign.objects.create(name="尚在报名", method="competitive", status="applications_open")
    english.force_login(personas.inspector)
    response = english.get(reverse("recruitment:results_index"))
    assert list(response.context["campaigns"]) == [competition.campaign]


def test_a_department_head_finds_the_posts_he_has_to_rank(english, personas, selection):
    services.department_preferences_set(
        actor=personas.head_a, campaign_post=selection["x"], ranking=selection["applications"][:1]
    )
    english.force_login(personas.head_a)
    response = english.get(reverse("recruitment:rankings_index"))
    assert response.context["posts"] == [(selection["x"], True), (selection["y"], False)]


def test_the_results_pages_query_count_does_not_grow_with_candidates(client):
    competition = finished_competition()
    services.publicity_begin(actor=competition.hr, campaign=competition.campaign, start=dt.date(2025, 9, 29))
    client.force_login(competition.hr)

    def queries() -> dict[str, int]:
        counts = {}
        for name in ("recruitment:results", "recruitment:publicity", "recruitment:publicity_notice"):
            with CaptureQueriesContext(connection) as context:
                assert client.get(reverse(name, args=[competition.campaign.pk])).status_code == 200
            counts[name] = len(context.captured_queries)
        return counts

    few = queries()
    for rank in (5, 6):
        person = AppointmentFactory().person
        application = Application.objects.create(
            campaign=competition.campaign, person=person, status="qualified", declared_truthful=True
        )
        for round_, score in ((competition.written, 40), (competition.interview, 45)):
            RoundResult.objects.create(round=round_, application=application, score=Decimal(score), advanced=True)
        Result.objects.create(
            campaign_post=competition.offered, application=application, rank=rank, composite=Decimal(43), selected=True
        )
    assert queries() == few
