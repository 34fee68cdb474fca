"""On-site scoring in Chromium: a department head judges on a tablet, HR watches the board.

Screenshots go to test-artifacts/screenshots/: the sheet, the panel when he is done, the board.
"""

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from recruitment import services
from recruitment.models import ScoreSheet
from tests.factories import UserFactory
from tests.matrix_recruitment_scoring import scoring_competition
from tests.plugins.browser import log_in, screenshot_path
from tests.recruitment_fixtures import marks
from zonehr.roles import Role

pytestmark = pytest.mark.browser

PASSWORD = "pw"  # what tests.factories.UserFactory sets


@pytest.fixture
def interview(live_site):
    cache.clear()  # boards are cached by round id, and ids come round again between tests
    head = UserFactory(
        username="head_judge", first_name="建国", last_name="李", roles=[Role.DEPARTMENT_HEAD, Role.STAFF_MEMBER]
    )
    competition = scoring_competition(candidates=4, judges=6, extra_judges=(head,))
    return competition, head


def mark_inputs(page, competition):
    first, second = competition.criteria
    return page.locator(f"input[name=criterion_{first.pk}]"), page.locator(f"input[name=criterion_{second.pk}]")


def test_a_department_head_scores_on_a_tablet_and_hr_sees_the_board(interview, new_page, screenshot, request):
    competition, head = interview
    candidates = competition.candidates
    tablet = new_page(viewport="tablet")
    log_in(tablet, head.username, PASSWORD)

    tablet.goto("/recruitment/scoring/")
    card = tablet.locator("a.panel-card")
    expect(card).to_have_count(1)
    expect(card).to_contain_text(competition.panel.name)
    expect(card.locator("progress")).to_have_attribute("max", "4")
    card.click()
    tablet.wait_for_url(f"**/scoring/panels/{competition.panel.pk}/")

    scores = [("52.5", "33", "85.50"), ("48", "30.5", "78.50"), ("55", "36", "91.00")]
    for index, (first, second, total) in enumerate(scores):
        now = tablet.locator(".now-scoring")
        expect(now).to_contain_text(candidates[index].candidate_name)
        now.locator("a.button").click()
        tablet.wait_for_url(f"**/candidates/{candidates[index].pk}/")
        first_input, second_input = mark_inputs(tablet, competition)
        first_input.fill(first)
        second_input.fill(second)
        # The running total comes back from the server through htmx as the judge types.
        expect(tablet.locator("#running-total .total-value")).to_have_text(total)
        if index == 0:
            box = first_input.bounding_box()
            assert box is not None and box["height"] >= 48, "mark inputs must be finger-sized on a tablet"
            submit = tablet.locator("button[value=submit]")
            assert submit.is_visible() and submit.bounding_box()["y"] + submit.bounding_box()["height"] <= 768, (
                "the submit button should be on the first tablet screen"
            )
            tablet.screenshot(path=screenshot_path(request, suffix="-sheet"))
        with tablet.expect_navigation():
            tablet.locator("button[value=submit]").click()
        expect(tablet.locator(".msg-success")).to_contain_text(candidates[index].candidate_name)

    # The fourth candidate is from his own department: he declares the conflict instead of scoring.
    tablet.locator(".now-scoring a.button").click()
    tablet.wait_for_url(f"**/candidates/{candidates[3].pk}/")
    tablet.locator("details.conflict summary").click()
    tablet.locator("textarea[name=conflict_note]").fill("该考生为本人所在部门下属")
    with tablet.expect_navigation():
        tablet.locator("button[value=conflict]").click()

    states = tablet.locator("ol.running-order li").evaluate_all("items => items.map(li => li.className.trim())")
    assert [re.sub(r"^state-", "", state) for state in states] == ["submitted", "submitted", "submitted", "conflict"]
    expect(tablet.locator(".now-scoring")).to_have_count(0)
    tablet.screenshot(path=screenshot_path(request, suffix="-panel"), full_page=True)
    sheets = ScoreSheet.objects.filter(judge=head, status=ScoreSheet.Status.SUBMITTED)
    assert sorted(str(s.total) for s in sheets if s.total is not None) == ["78.50", "85.50", "91.00"]
    assert sheets.filter(conflict_declared=True).get().application_id == candidates[3].pk

    # HR opens the board from its index and sees one sheet of seven per candidate.
    hr = UserFactory(username="hr_board", roles=[Role.HR_OFFICER])
    office = new_page(viewport="tablet")
    log_in(office, hr.username, PASSWORD)
    office.goto("/recruitment/board/")
    office.locator(f"a[href='/recruitment/board/{competition.interview.pk}/']").click()
    office.wait_for_url(f"**/board/{competition.interview.pk}/")
    rows = office.locator("table.board-table tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.locator(".count")).to_have_text(["1 / 7"] * 4)
    conflicted = rows.filter(has_text=candidates[3].candidate_name)
    expect(conflicted.locator(".score")).to_have_text("—")  # his only sheet is excluded
    expect(office.locator(".board")).not_to_contain_text(head.get_full_name())
    expect(office.locator(".board")).not_to_contain_text(head.username)

    # Another judge submits: the board catches up by itself within a poll or two.
    services.sheet_save(
        judge=competition.judges[1],
        panel=competition.panel,
        application=candidates[0],
        marks=marks(competition, 50, 30),
        submit=True,
    )
    leading = rows.filter(has_text=candidates[0].candidate_name)
    expect(leading.locator(".count")).to_have_text("2 / 7", timeout=6000)

    office.goto(f"/recruitment/board/{competition.interview.pk}/?screen=hall")
    expect(office.locator(".topbar")).to_be_hidden()
    screenshot(office)
