"""The HR officer takes a competition from its last round to the appointments in Chromium: close
the interview round, move the campaign on to its results, compute them, start the publicity, open
the printable notice, create the appointments and find the winner's new post on his person page.

The competition is built through the services up to the interview with every sheet submitted
(the scoring itself has its own journey, tests/test_browser_scoring.py).

Screenshots: test-artifacts/screenshots/<test name>-results.png (the ranking),
<test name>-notice.png (the notice) and <test name>.png (the person page).
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import formats, timezone, translation
from playwright.sync_api import expect

from recruitment import services
from recruitment.models import Campaign, Result
from recruitment.publicity import is_working_day
from staffing.models import Appointment, Person
from tests.plugins.browser import log_in, screenshot_path
from tests.recruitment_fixtures import build_competition, score_everyone, start_rounds

pytestmark = pytest.mark.browser

PASSWORD = "pw"  # what tests.factories.UserFactory sets
NAMES = ("赵一", "钱二", "孙三", "李四")
WRITTEN = (80, 70, 60, 50)
JUDGES = 5
# Interview marks of every judge: totals 80, 96, 70 and 50, so 钱二 comes first with
# 0.4 × 70 + 0.6 × 96 = 85.60 and 赵一 second with 0.4 × 80 + 0.6 × 80 = 80.00.
INTERVIEW = {0: [(50, 30)] * JUDGES, 1: [(58, 38)] * JUDGES, 2: [(40, 30)] * JUDGES, 3: [(30, 20)] * JUDGES}
WINNER = 1


def in_chinese(text: str) -> str:
    """What the Chinese UI shows for `text`, read from the same catalogue the server uses."""
    with translation.override("zh-hans"):
        return translation.gettext(text)


def shown_date(day: dt.date) -> str:
    """A date as the Chinese pages show it (2026年10月19日)."""
    with translation.override("zh-hans"):
        return formats.date_format(day)


def quiet_monday(before: dt.date) -> dt.date:
    """The latest Monday on or before `before` of a plain week: Monday to Friday worked, the weekend
    off, so that a publicity of five working days posted that Monday ends that Friday."""
    day = before - dt.timedelta(days=before.weekday())
    while not (
        all(is_working_day(day + dt.timedelta(days=n)) for n in range(5))
        and not any(is_working_day(day + dt.timedelta(days=n)) for n in (-2, -1, 5, 6))
    ):
        day -= dt.timedelta(weeks=1)
    return day


@pytest.fixture
def interviewed(live_site):
    """Four qualified candidates, the written exam scored and closed, the interview open with every
    judge's sheets submitted."""
    competition = build_competition(candidates=len(NAMES), judges=JUDGES)
    for application, name in zip(competition.candidates, NAMES, strict=True):
        application.person.name = name
        application.person.save()
    start_rounds(competition)
    hr = competition.hr
    services.round_open(actor=hr, round_=competition.written)
    services.written_scores_enter(
        actor=hr,
        round_=competition.written,
        scores={a: Decimal(score) for a, score in zip(competition.candidates, WRITTEN, strict=True)},
    )
    services.round_close(actor=hr, round_=competition.written)
    services.round_open(actor=hr, round_=competition.interview)
    score_everyone(competition, INTERVIEW)
    return competition


def success_message(page):
    return page.locator(".msg-success")


def status_badge(page):
    return page.locator("h1 .status")


def test_hr_takes_a_competition_from_the_interview_to_the_appointments(interviewed, new_page, screenshot, request):
    competition = interviewed
    campaign = competition.campaign
    winner = competition.candidates[WINNER]
    today = timezone.localdate()
    # Publicity must be over before the appointments, which are dated today.
    start = quiet_monday(today - dt.timedelta(days=30))
    end = start + dt.timedelta(days=4)
    assert end < today

    page = new_page()
    log_in(page, competition.hr.username, PASSWORD)

    # The interview round is closed from its page.
    page.goto(f"/recruitment/campaigns/rounds/{competition.interview.pk}/")
    with page.expect_navigation():
        page.get_by_role("button", name=in_chinese("Close the round and compute its scores")).click()
    expect(success_message(page)).to_contain_text(
        in_chinese("Round “%(round)s” is closed and its scores computed.") % {"round": competition.interview.name}
    )

    # Back on the campaign page, the campaign moves on to its results.
    page.get_by_role("link", name=in_chinese("Back to the campaign")).click()
    page.wait_for_url(f"**/recruitment/campaigns/{campaign.pk}/#rounds")
    results_label = in_chinese(Campaign.Status.RESULTS.label)
    advance = page.locator(f"form[action='/recruitment/campaigns/{campaign.pk}/advance/'] button")
    expect(advance).to_have_text(in_chinese("Advance to next stage: %(stage)s") % {"stage": results_label})
    with page.expect_navigation():
        advance.click()
    expect(success_message(page)).to_contain_text(
        in_chinese("“%(campaign)s” is now at “%(status)s”.") % {"campaign": campaign.name, "status": results_label}
    )
    expect(status_badge(page)).to_have_text(results_label)

    # The results page computes the ranking: 钱二 first on the composite.
    page.locator(".pagehead .buttons").get_by_role("link", name=in_chinese("Results"), exact=True).click()
    page.wait_for_url(f"**/recruitment/campaigns/{campaign.pk}/results/")
    expect(page.locator("table.ranking")).to_have_count(0)
    with page.expect_navigation():
        page.get_by_role("button", name=in_chinese("Compute the results"), exact=True).click()
    expect(success_message(page)).to_contain_text(
        in_chinese("Results computed: %(count)s candidates ranked.") % {"count": len(NAMES)}
    )
    rows = page.locator("table.ranking tbody tr")
    expect(rows).to_have_count(len(NAMES))
    expect(rows.locator("td:nth-child(2)")).to_have_text(["钱二", "赵一", "孙三", "李四"])
    first = rows.first
    expect(first.locator("td")).to_have_text(["1", "钱二", "70.00", "96.00", "85.60", in_chinese("Selected")])
    expect(first).to_have_class("selected")
    expect(rows.nth(1).locator("td.strong")).to_have_text("80.00")
    expect(page.locator("table.ranking .badge.selected")).to_have_count(1)
    page.screenshot(path=screenshot_path(request, suffix="-results"), full_page=True)

    # Publicity: five working days from a Monday end on that Friday.
    page.locator("nav.tabs").get_by_role("link", name=in_chinese("Publicity and objections")).click()
    page.wait_for_url(f"**/recruitment/campaigns/{campaign.pk}/publicity/")
    page.locator("input[name=start]").fill(start.isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name=in_chinese("Start the publicity")).click()
    expect(success_message(page)).to_contain_text(
        in_chinese("Publicity runs from %(start)s to %(end)s.") % {"start": shown_date(start), "end": shown_date(end)}
    )
    expect(page.locator(".period")).to_have_text(f"{shown_date(start)} – {shown_date(end)}")
    period_card = page.locator("section.card", has=page.locator(".period"))
    expect(period_card).to_contain_text(
        in_chinese("%(days)s working days; public holidays and make-up working days counted as they fall.")
        % {"days": 5}
    )
    expect(status_badge(page)).to_have_text(in_chinese(Campaign.Status.PUBLICITY.label))
    campaign.refresh_from_db()
    assert (campaign.publicity_start, campaign.publicity_end) == (start, end)

    # The printable notice names the selected candidate only.
    page.locator(".pagehead .buttons").get_by_role("link", name=in_chinese("Publicity notice")).click()
    page.wait_for_url(f"**/recruitment/campaigns/{campaign.pk}/publicity/notice/")
    notice = page.locator("article.notice")
    expect(notice.locator("h1.notice-title")).to_have_text(f"关于{campaign.name}拟聘任人员的公示")
    notice_rows = notice.locator("table.notice-table tbody tr")
    expect(notice_rows).to_have_count(1)
    expect(notice_rows.locator("td.name")).to_have_text("钱二")
    expect(notice_rows.locator("td")).to_contain_text(["1", competition.offered.post.name, "钱二", "85.60", "1"])
    expect(notice).not_to_contain_text("赵一")
    expect(notice).to_contain_text(
        f"公示时间：{start:%Y}年{start.month}月{start.day}日至{end:%Y}年{end.month}月{end.day}日（5个工作日）"
    )
    page.screenshot(path=screenshot_path(request, suffix="-notice"), full_page=True)

    # The publicity ended weeks ago: the appointments are made, the page reports the counts.
    page.locator(".pagehead .buttons").get_by_role("link", name=in_chinese("Publicity and objections")).click()
    page.wait_for_url(f"**/recruitment/campaigns/{campaign.pk}/publicity/")
    with page.expect_navigation():
        page.get_by_role("button", name=in_chinese("Create the appointments")).click()
    expect(success_message(page)).to_contain_text(
        in_chinese("Appointments made: %(appointed)s appointed, %(waiting)s sent to waiting (off-post training).")
        % {"appointed": 1, "waiting": len(NAMES) - 1}
    )
    expect(status_badge(page)).to_have_text(in_chinese(Campaign.Status.APPOINTED.label))
    expect(page.get_by_role("button", name=in_chinese("Create the appointments"))).to_have_count(0)
    assert Result.objects.get(application=winner).selected

    # The winner's person page shows the new appointment, current from today.
    page.goto(f"/staffing/people/{winner.person_id}/")
    expect(page.locator("h1")).to_contain_text("钱二")
    expect(status_badge(page)).to_have_text(in_chinese(Person.Status.ON_POST.label))
    current = page.locator("section.track.contracted tbody tr.current")
    expect(current).to_have_count(1)
    post = competition.offered.post
    expect(current.locator("td").nth(0)).to_contain_text(f"{post.department.name} · {post.name}")
    expect(current.locator("td").nth(1)).to_have_text(in_chinese(Appointment.Method.COMPETITIVE.label))
    expect(current.locator("td").nth(2)).to_contain_text(f"{shown_date(today)} –")
    expect(current.locator("td").nth(4)).to_have_text(in_chinese(Appointment.Status.ACTIVE.label))
    screenshot(page, full_page=True)
