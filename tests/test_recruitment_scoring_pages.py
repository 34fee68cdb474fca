"""The scoring pages: a judge's panels and sheets, the chair's amendments, the board, the ballot."""

import re
import time
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from recruitment import services, views_scoring
from recruitment.models import Application, Ballot, ScoreSheet, SheetDigest
from recruitment.selectors import round_scores
from tests.factories import UserFactory
from tests.matrix_recruitment_scoring import open_vote, scoring_competition, vote_candidates
from tests.recruitment_fixtures import marks
from zonehr.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    # Boards are cached by round id, and ids come round again once a test's rows are rolled back.
    cache.clear()


@pytest.fixture
def competition(personas):
    """Interview open; head A sits on the panel, the judge persona chairs it."""
    return scoring_competition(chair=personas.judge, extra_judges=(personas.judge, personas.head_a))


def sheet_url(competition, application) -> str:
    return reverse(
        "recruitment:scoring_sheet", kwargs={"panel_id": competition.panel.pk, "application_id": application.pk}
    )


def panel_url(competition) -> str:
    return reverse("recruitment:scoring_panel", kwargs={"panel_id": competition.panel.pk})


def post_marks(client, competition, application, first, second, action):
    a, b = competition.criteria
    return client.post(
        sheet_url(competition, application),
        {f"criterion_{a.pk}": first, f"criterion_{b.pk}": second, "action": action},
    )


def submit_as(judge, competition, application, first=50, second=30):
    return services.sheet_save(
        judge=judge,
        panel=competition.panel,
        application=application,
        marks=marks(competition, first, second),
        submit=True,
    )


def text_of(response) -> str:
    return response.content.decode()


# --- the judge's home and panel ----------------------------------------------------------------------


def test_the_judge_home_lists_only_his_panels_with_his_progress(english, personas, competition):
    other = scoring_competition()  # a panel he does not sit on
    submit_as(personas.head_a, competition, competition.candidates[0])
    english.force_login(personas.head_a)
    text = text_of(english.get(reverse("recruitment:scoring")))
    assert panel_url(competition) in text
    assert reverse("recruitment:scoring_panel", kwargs={"panel_id": other.panel.pk}) not in text
    assert "1 of 3 sheets submitted" in text


def test_a_user_on_no_panel_is_told_so(english, personas, competition):
    english.force_login(personas.staff)
    text = text_of(english.get(reverse("recruitment:scoring")))
    assert "You sit on no panel" in text
    assert panel_url(competition) not in text


def test_a_judge_with_only_the_judge_role_judges_too(english, competition):
    external = UserFactory(roles=[Role.JUDGE])
    competition.panel.judges.add(external)
    english.force_login(external)
    assert english.get(panel_url(competition)).status_code == 200
    response = post_marks(english, competition, competition.candidates[0], "50", "30", "submit")
    assert response.status_code == 302
    assert ScoreSheet.objects.get(judge=external).total == Decimal(80)


def test_a_judge_not_on_the_panel_gets_404_on_the_panel_and_sheet_pages(client, competition):
    outsider_judge = UserFactory(roles=[Role.JUDGE])
    client.force_login(outsider_judge)
    application = competition.candidates[0]
    assert client.get(panel_url(competition)).status_code == 404
    assert client.get(sheet_url(competition, application)).status_code == 404
    response = post_marks(client, competition, application, "50", "30", "submit")
    assert response.status_code == 404
    assert not ScoreSheet.objects.filter(judge=outsider_judge).exists()


def test_the_panel_page_shows_his_own_sheet_state_per_candidate(english, personas, competition):
    first, second, third = competition.candidates
    services.sheet_save(
        judge=personas.head_a, panel=competition.panel, application=first, marks=marks(competition, 40, 20)
    )
    submit_as(personas.head_a, competition, second)
    # Another judge's submitted sheet for the third candidate changes nothing on head A's page.
    submit_as(personas.judge, competition, third)
    english.force_login(personas.head_a)
    text = text_of(english.get(panel_url(competition)))
    states = re.findall(r'<li class="state-(\w+)', text)
    assert states == ["draft", "submitted", "not_started"]
    # The next to score is the first one not yet submitted: his draft.
    assert "Continue the draft" in text


def test_a_conflict_shows_as_declared_on_the_panel_page(english, personas, competition):
    english.force_login(personas.head_a)
    english.post(sheet_url(competition, competition.candidates[0]), {"action": "conflict", "conflict_note": "同一科室"})
    text = text_of(english.get(panel_url(competition)))
    assert re.findall(r'<li class="state-(\w+)', text)[0] == "conflict"


# --- the sheet ----------------------------------------------------------------------------------------


def test_the_sheet_shows_each_criterion_with_its_maximum_as_a_touch_input(english, personas, competition):
    english.force_login(personas.head_a)
    text = text_of(english.get(sheet_url(competition, competition.candidates[0])))
    first, second = competition.criteria
    for criterion, maximum in ((first, "60"), (second, "40")):
        field = re.search(rf'<input[^>]*name="criterion_{criterion.pk}"[^>]*>', text).group(0)
        assert 'inputmode="decimal"' in field
        assert 'min="0"' in field
        assert f'max="{maximum}"' in field
        assert 'step="0.5"' in field
        assert f"/ {maximum}</span>" in text
    assert "Save draft" in text
    assert "Submit (locks the sheet)" in text
    assert "Declare a conflict of interest" in text


@pytest.mark.parametrize(("first", "second", "criterion"), [("61", "30", "综合分析"), ("50", "-1", "岗位认知")])
@pytest.mark.parametrize("action", ["draft", "submit"])
def test_a_mark_out_of_range_is_refused_naming_the_criterion_and_nothing_is_saved(
    english, personas, competition, first, second, criterion, action
):
    english.force_login(personas.head_a)
    response = post_marks(english, competition, competition.candidates[0], first, second, action)
    assert response.status_code == 200
    text = text_of(response)
    assert f"The mark for “{criterion}”" in text
    assert "it must be from 0 to" in text
    assert not ScoreSheet.objects.filter(judge=personas.head_a).exists()
    assert not SheetDigest.objects.exists()


def test_a_draft_is_kept_and_shown_again_but_not_submitted(english, personas, competition):
    english.force_login(personas.head_a)
    application = competition.candidates[0]
    response = post_marks(english, competition, application, "45.5", "", "draft")
    assert response.status_code == 302
    sheet = ScoreSheet.objects.get(judge=personas.head_a)
    assert (sheet.status, sheet.total) == (ScoreSheet.Status.DRAFT, None)
    text = text_of(english.get(sheet_url(competition, application)))
    assert 'value="45.5"' in text
    assert "45.50" in text  # the running total of the draft


def test_submitting_locks_the_sheet(english, personas, competition):
    english.force_login(personas.head_a)
    application = competition.candidates[0]
    response = post_marks(english, competition, application, "50", "30.5", "submit")
    assert response.status_code == 302
    assert response["Location"] == panel_url(competition)
    sheet = ScoreSheet.objects.get(judge=personas.head_a)
    assert (sheet.status, sheet.total) == (ScoreSheet.Status.SUBMITTED, Decimal("80.50"))
    text = text_of(english.get(sheet_url(competition, application)))
    assert "submitted and locked" in text
    assert 'name="action"' not in text  # no form left to change it
    # A draft posted afterwards (an old tab) changes nothing.
    response = post_marks(english, competition, application, "10", "10", "draft")
    assert "already submitted and locked" in text_of(response)
    sheet.refresh_from_db()
    assert sheet.total == Decimal("80.50")


def test_a_second_submit_is_refused(english, personas, competition):
    english.force_login(personas.head_a)
    application = competition.candidates[0]
    post_marks(english, competition, application, "50", "30", "submit")
    response = post_marks(english, competition, application, "55", "35", "submit")
    assert response.status_code == 200
    assert f"Your sheet for {application.candidate_name} is already submitted and locked." in text_of(response)
    assert ScoreSheet.objects.get(judge=personas.head_a).total == Decimal(80)
    assert SheetDigest.objects.count() == 1


def test_a_submit_needs_every_criterion(english, personas, competition):
    english.force_login(personas.head_a)
    response = post_marks(english, competition, competition.candidates[0], "50", "", "submit")
    assert "Mark every criterion: missing 岗位认知." in text_of(response)
    assert not ScoreSheet.objects.filter(status=ScoreSheet.Status.SUBMITTED).exists()


def test_declaring_a_conflict_excludes_his_sheet(english, personas, competition):
    application = competition.candidates[0]
    for judge in competition.judges:
        if judge != personas.head_a:
            submit_as(judge, competition, application, 50, 30)
    english.force_login(personas.head_a)
    response = english.post(sheet_url(competition, application), {"action": "conflict", "conflict_note": "系其表弟"})
    assert response.status_code == 302
    sheet = ScoreSheet.objects.get(judge=personas.head_a)
    assert (sheet.status, sheet.conflict_declared, sheet.conflict_note) == ("submitted", True, "系其表弟")
    # Six valid sheets of 80 from the other judges; his is not among them.
    assert round_scores(round_=competition.interview)[application.pk] == (Decimal("80.00"), 6)
    text = text_of(english.get(sheet_url(competition, application)))
    assert "Conflict of interest declared" in text
    assert "excluded from the score" in text


def test_a_conflict_needs_a_reason(english, personas, competition):
    english.force_login(personas.head_a)
    response = english.post(sheet_url(competition, competition.candidates[0]), {"action": "conflict"})
    assert response.status_code == 200
    assert "Say why you have a conflict of interest." in text_of(response)
    assert not ScoreSheet.objects.exists()


def test_the_running_total_is_recomputed_on_the_server(english, personas, competition):
    english.force_login(personas.head_a)
    a, b = competition.criteria
    url = reverse(
        "recruitment:scoring_sheet_total",
        kwargs={"panel_id": competition.panel.pk, "application_id": competition.candidates[0].pk},
    )
    text = text_of(english.post(url, {f"criterion_{a.pk}": "52.5", f"criterion_{b.pk}": "30"}, HTTP_HX_REQUEST="true"))
    assert '<span class="total-value">82.50</span>' in text
    assert "2 of 2 criteria marked" in text
    text = text_of(english.post(url, {f"criterion_{a.pk}": "52.5", f"criterion_{b.pk}": "41"}))
    assert '<span class="total-value">52.50</span>' in text
    assert "“岗位认知” must be from 0 to 40: not counted." in text
    assert not ScoreSheet.objects.exists()


def test_the_sheet_page_wires_the_running_total_to_htmx(english, personas, competition):
    english.force_login(personas.head_a)
    application = competition.candidates[0]
    text = text_of(english.get(sheet_url(competition, application)))
    total_url = reverse(
        "recruitment:scoring_sheet_total",
        kwargs={"panel_id": competition.panel.pk, "application_id": application.pk},
    )
    assert f'hx-post="{total_url}"' in text
    assert 'hx-target="#running-total"' in text


def test_the_sheet_links_to_the_next_candidate(english, personas, competition):
    english.force_login(personas.head_a)
    first, second, third = competition.candidates
    text = text_of(english.get(sheet_url(competition, second)))
    assert f'href="{sheet_url(competition, third)}"' in text
    assert f'href="{sheet_url(competition, first)}"' in text


def test_a_judge_never_sees_another_judges_sheet_while_the_round_is_open(english, personas, competition):
    application = competition.candidates[0]
    other = submit_as(personas.judge, competition, application, 57, 33)  # total 90
    english.force_login(personas.head_a)
    for url in (panel_url(competition), sheet_url(competition, application)):
        text = text_of(english.get(url))
        assert "90.00" not in text
        assert 'value="57' not in text
    # Guessed ids: the chair's list and the amendment page are not his.
    submitted = reverse("recruitment:scoring_submitted", kwargs={"panel_id": competition.panel.pk})
    assert english.get(submitted).status_code == 404
    assert english.get(reverse("recruitment:scoring_amend", kwargs={"sheet_id": other.pk})).status_code == 404
    assert english.get(reverse("recruitment:board", kwargs={"round_id": competition.interview.pk})).status_code == 403


def test_after_the_round_closes_the_judge_sees_the_final_scores(english, personas, competition):
    for application in competition.candidates:
        for judge in competition.judges:
            submit_as(judge, competition, application, 50, 30)
    services.round_close(actor=competition.hr, round_=competition.interview)
    english.force_login(personas.head_a)
    text = text_of(english.get(panel_url(competition)))
    assert text.count("<small>final score</small>") == 3
    assert "80.00" in text
    locked = text_of(english.get(sheet_url(competition, competition.candidates[0])))
    assert 'name="action"' not in locked


# --- the chair ----------------------------------------------------------------------------------------


def test_the_chair_sees_submitted_sheets_only(english, personas, competition):
    first, second, _third = competition.candidates
    submit_as(competition.judges[1], competition, first, 50, 30)
    services.sheet_save(
        judge=competition.judges[2], panel=competition.panel, application=second, marks=marks(competition, 11, 11)
    )
    english.force_login(personas.judge)
    text = text_of(english.get(reverse("recruitment:scoring_submitted", kwargs={"panel_id": competition.panel.pk})))
    assert "80.00" in text
    assert competition.judges[1].username in text
    assert competition.judges[2].username not in text  # his draft stays his


def test_the_chair_amends_a_sheet_with_a_reason(english, personas, competition):
    sheet = submit_as(competition.judges[1], competition, competition.candidates[0], 50, 30)
    english.force_login(personas.judge)
    url = reverse("recruitment:scoring_amend", kwargs={"sheet_id": sheet.pk})
    a, b = competition.criteria
    data = {f"criterion_{a.pk}": "45", f"criterion_{b.pk}": "30"}
    response = english.post(url, {**data, "reason": ""})
    assert response.status_code == 200
    assert "Give a reason: it is kept in the audit trail." in text_of(response)
    sheet.refresh_from_db()
    assert sheet.total == Decimal(80)
    response = english.post(url, {**data, "reason": "评委误将45填为50，经本人确认更正"})
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert (sheet.total, sheet.amended_reason) == (Decimal(75), "评委误将45填为50，经本人确认更正")
    assert services.chain_verify(round_=competition.interview) == []


def test_a_judge_who_is_not_the_chair_cannot_amend(client, personas, competition):
    sheet = submit_as(competition.judges[1], competition, competition.candidates[0], 50, 30)
    client.force_login(personas.head_a)  # on the panel, not its chair
    a, b = competition.criteria
    response = client.post(
        reverse("recruitment:scoring_amend", kwargs={"sheet_id": sheet.pk}),
        {f"criterion_{a.pk}": "10", f"criterion_{b.pk}": "10", "reason": "改分"},
    )
    assert response.status_code == 404
    sheet.refresh_from_db()
    assert sheet.total == Decimal(80)


# --- the board ----------------------------------------------------------------------------------------


def board_rows_url(round_) -> str:
    return reverse("recruitment:board_rows", kwargs={"round_id": round_.pk})


def test_the_board_shows_counts_and_scores_without_judge_names(english, personas, competition):
    for number, judge in enumerate(competition.judges):
        judge.first_name, judge.last_name = "评委", f"甲{number}"
        judge.save()
    first = competition.candidates[0]
    for judge in competition.judges[:3]:
        submit_as(judge, competition, first, 50, 30)
    english.force_login(personas.hr)
    for url in (
        reverse("recruitment:board", kwargs={"round_id": competition.interview.pk}),
        board_rows_url(competition.interview),
    ):
        text = text_of(english.get(url))
        assert "3 / 7" in text  # seven judges on the panel
        assert "0 / 7" in text
        assert "80.00" in text
        assert first.candidate_name in text
        for judge in competition.judges:
            assert judge.username not in text
            assert judge.get_full_name() not in text
    page = text_of(english.get(reverse("recruitment:board", kwargs={"round_id": competition.interview.pk})))
    assert f'hx-get="{board_rows_url(competition.interview)}"' in page
    assert 'hx-trigger="every 2s"' in page


def test_the_board_partial_makes_as_many_queries_for_60_candidates_as_for_3(client, personas):
    small = scoring_competition(candidates=3, judges=5)
    large = scoring_competition(candidates=60, judges=9)
    for competition, scored in ((small, 2), (large, 60)):
        for application in competition.candidates[:scored]:
            for judge in competition.judges:
                submit_as(judge, competition, application, 40, 30)
    client.force_login(personas.hr)
    client.get(board_rows_url(small.interview))  # warm-up: session, content types
    counts = []
    for competition in (small, large):
        cache.clear()  # the full computation, not a screen reusing another's
        with CaptureQueriesContext(connection) as captured:
            response = client.get(board_rows_url(competition.interview))
        assert response.status_code == 200
        assert response.content.decode().count('<td class="candidate">') == len(competition.candidates)
        counts.append(len(captured))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 12, counts


def test_screens_polling_the_board_share_one_computation_until_a_sheet_arrives(
    client, personas, competition, monkeypatch
):
    monkeypatch.setattr(views_scoring, "BOARD_MIN_AGE_SECONDS", 0)
    first = competition.candidates[0]
    submit_as(competition.judges[1], competition, first, 50, 30)
    client.force_login(personas.hr)
    url = board_rows_url(competition.interview)
    with CaptureQueriesContext(connection) as computed:
        assert "1 / 7" in text_of(client.get(url))
    with CaptureQueriesContext(connection) as reused:
        assert "1 / 7" in text_of(client.get(url))
    assert len(reused) < len(computed)
    assert not any("recruitment_scoresheet" in query["sql"] for query in reused.captured_queries)
    # A submission appends to the round's hash chain: the next refresh shows it.
    submit_as(competition.judges[2], competition, first, 40, 30)
    text = text_of(client.get(url))
    assert "2 / 7" in text
    assert "75.00" in text


def test_while_sheets_pour_in_the_board_is_computed_at_most_once_a_second(client, personas, competition, monkeypatch):
    first = competition.candidates[0]
    client.force_login(personas.hr)
    url = board_rows_url(competition.interview)
    assert "0 / 7" in text_of(client.get(url))
    submit_as(competition.judges[1], competition, first, 50, 30)
    with CaptureQueriesContext(connection) as shared:
        assert "0 / 7" in text_of(client.get(url))
    assert not any("recruitment_scoresheet" in query["sql"] for query in shared.captured_queries)
    later = time.time() + views_scoring.BOARD_MIN_AGE_SECONDS + 0.1
    monkeypatch.setattr(views_scoring.time, "time", lambda: later)
    assert "1 / 7" in text_of(client.get(url))


def test_a_judge_of_the_open_round_does_not_see_its_board(client, personas):
    competition = scoring_competition(extra_judges=(personas.hr,))
    client.force_login(personas.hr)
    assert client.get(board_rows_url(competition.interview)).status_code == 403
    assert client.get(board_rows_url(scoring_competition().interview)).status_code == 200


def test_a_closed_rounds_board_stops_polling(client, personas, competition):
    for application in competition.candidates:
        for judge in competition.judges:
            submit_as(judge, competition, application, 50, 30)
    services.round_close(actor=competition.hr, round_=competition.interview)
    client.force_login(personas.hr)
    assert client.get(board_rows_url(competition.interview), HTTP_HX_REQUEST="true").status_code == 286
    page = client.get(reverse("recruitment:board", kwargs={"round_id": competition.interview.pk}))
    assert "hx-trigger" not in page.content.decode()


def test_the_board_index_lists_open_interview_rounds(english, personas, competition):
    english.force_login(personas.leader)
    text = text_of(english.get(reverse("recruitment:boards")))
    assert reverse("recruitment:board", kwargs={"round_id": competition.interview.pk}) in text
    assert reverse("recruitment:board", kwargs={"round_id": competition.written.pk}) not in text


# --- the ballot ----------------------------------------------------------------------------------------


def ballot_url(round_) -> str:
    return reverse("recruitment:ballot", kwargs={"round_id": round_.pk})


def test_a_staff_member_votes_once_per_candidate_and_sees_which_he_voted_on(english, personas):
    vote = open_vote(candidates=3)
    first, second, third = vote_candidates(vote)
    english.force_login(personas.staff)
    assert english.post(ballot_url(vote), {"application": first.pk, "choice": "for"}).status_code == 302
    english.post(ballot_url(vote), {"application": second.pk, "choice": "against"})
    text = text_of(english.get(ballot_url(vote)))
    assert "You have voted on 2 of 3 candidates." in text
    voted = re.findall(r'<li class="ballot-row( voted)?">\s*<span class="candidate">([^<]+)</span>', text)
    assert voted == [(" voted", first.candidate_name), (" voted", second.candidate_name), ("", third.candidate_name)]
    response = english.post(ballot_url(vote), {"application": first.pk, "choice": "against"}, follow=True)
    assert f"You have already voted on {first.candidate_name}." in text_of(response)
    choices = Ballot.objects.filter(voter=personas.staff).order_by("application").values_list("choice", flat=True)
    assert list(choices) == ["for", "against"]


def test_a_ballot_on_someone_outside_the_vote_is_refused(client, personas):
    vote = open_vote(candidates=2)
    elsewhere = open_vote(candidates=1)
    client.force_login(personas.staff)
    stranger = vote_candidates(elsewhere)[0]
    response = client.post(ballot_url(vote), {"application": stranger.pk, "choice": "for"})
    assert response.status_code == 400
    response = client.post(ballot_url(vote), {"application": vote_candidates(vote)[0].pk, "choice": "spoilt"})
    assert response.status_code == 400
    assert not Ballot.objects.exists()


def test_no_ballot_is_cast_once_the_vote_has_closed(english, personas):
    vote = open_vote(candidates=2)
    first = vote_candidates(vote)[0]
    services.round_close(actor=UserFactory(roles=[Role.HR_OFFICER]), round_=vote)
    english.force_login(personas.staff)
    text = text_of(english.get(ballot_url(vote)))
    assert "This vote is not open" in text
    assert 'name="choice"' not in text
    response = english.post(ballot_url(vote), {"application": first.pk, "choice": "for"}, follow=True)
    assert "This vote is not open." in text_of(response)
    assert not Ballot.objects.exists()


def test_the_vote_list_shows_open_votes_and_his_ballot_count(english, personas):
    vote = open_vote(candidates=2)
    services.ballot_cast(
        voter=personas.head_b, round_=vote, application=vote_candidates(vote)[0], choice=Ballot.Choice.ABSTAIN
    )
    english.force_login(personas.head_b)
    text = text_of(english.get(reverse("recruitment:votes")))
    assert ballot_url(vote) in text
    assert "You have cast 1 ballot." in text


# --- the pages obey the Content-Security-Policy ---------------------------------------------------------


def test_the_scoring_pages_carry_no_inline_script_or_style(client, personas, competition):
    sheet = submit_as(competition.judges[1], competition, competition.candidates[1])
    vote = open_vote(candidates=1)
    pages = [
        (personas.judge, reverse("recruitment:scoring")),
        (personas.judge, panel_url(competition)),
        (personas.judge, sheet_url(competition, competition.candidates[0])),
        (personas.judge, reverse("recruitment:scoring_submitted", kwargs={"panel_id": competition.panel.pk})),
        (personas.judge, reverse("recruitment:scoring_amend", kwargs={"sheet_id": sheet.pk})),
        (personas.hr, reverse("recruitment:boards")),
        (personas.hr, reverse("recruitment:board", kwargs={"round_id": competition.interview.pk}) + "?screen=hall"),
        (personas.staff, reverse("recruitment:votes")),
        (personas.staff, ballot_url(vote)),
    ]
    for user, url in pages:
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", text) == [], url
        assert " style=" not in text, url
        assert "recruitment-scoring.css" in text, url


def test_a_withdrawn_candidate_is_shown_but_not_scored(client, personas, competition):
    withdrawn = competition.candidates[1]
    Application.objects.filter(pk=withdrawn.pk).update(status=Application.Status.WITHDRAWN)
    client.force_login(personas.head_a)
    text = text_of(client.get(panel_url(competition)))
    assert withdrawn.candidate_name in text
    assert sheet_url(competition, withdrawn) not in text
    assert client.get(sheet_url(competition, withdrawn)).status_code == 404
