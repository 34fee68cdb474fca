"""The HR officer's staffing journey in Chromium, on the demo zone: import new staff from Excel (a
refused file first, then the corrected one), appoint the one imported without a post, send another
to waiting, and read both person pages.

Screenshots: test-artifacts/screenshots/<test name>-import-errors.png (the refused file) and
<test name>.png (the last person page).
"""

import datetime as dt
import io
from itertools import pairwise

import openpyxl
import pytest
from dateutil.relativedelta import relativedelta
from django.core.management import call_command
from django.utils import formats, timezone, translation

from staffing import roster_import, selectors
from staffing.import_views import XLSX_TYPE
from staffing.models import Appointment, Person, Post, SalaryGrade, StatusChange
from staffing.national_id import check_digit
from staffing.roster_import import DATA_SHEET, ERROR_HEADER, HEADERS
from tests.plugins.browser import log_in, screenshot_path

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "zonehr2026"
# 珠海市斗门区: a region the demo zone does not draw IDs from, so the file's people are new.
REGION = "440403"
ID_COLUMN = HEADERS.index("身份证号") + 1


@pytest.fixture
def demo_zone(live_site, tmp_path, monkeypatch) -> None:
    # The live server runs in this process: keep the refused upload out of the checkout's var/.
    monkeypatch.setattr(roster_import, "ERROR_COPY_DIR", tmp_path / "roster_imports")
    call_command("demo_zone", "--staff", "60", "--seed", "7", stdout=io.StringIO())


def in_chinese(text: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(text)


def national_id(birth: dt.date, sequence: int) -> str:
    """A valid GB 11643 number; an odd sequence is a man, an even one a woman."""
    first17 = f"{REGION}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_digit(first17)


def shown_date(day: dt.date) -> str:
    """A date as the Chinese pages show it (2026年11月22日)."""
    with translation.override("zh-hans"):
        return formats.date_format(day)


def wrong_check_digit(value: str) -> str:
    return value[:17] + ("1" if value[17] == "0" else "0")


def vacant_posts() -> list[Post]:
    """Open posts of open departments, paid by a grade band, with a place free (one place each in the demo)."""
    posts = selectors.post_occupancy().filter(
        department__is_active=True, level__is_negotiated=False, is_leadership=False, vacant__gte=1
    )
    return list(posts.order_by("department__code", "code"))


def appointment_columns(post: Post, term_start: dt.date) -> dict:
    """The appointment columns of a row: competitive appointment for three years at the band's lowest grade."""
    return {
        "部门编码": post.department.code,
        "岗位编码": post.code,
        "聘任方式": in_chinese(Appointment.Method.COMPETITIVE.label),
        "聘期开始": term_start,
        "聘期结束": term_start + relativedelta(years=3) - dt.timedelta(days=1),
        "工资级别": post.level.min_grade,
    }


def person_row(name: str, national_id: str, joined_on: dt.date, appointment: dict | None = None) -> dict:
    """One row of the file, keyed by the template's headers: a contract graduate, on a post or not."""
    return {
        "姓名": name,
        "身份证号": national_id,
        "身份类别": in_chinese(Person.Identity.CONTRACT.label),
        "学历": in_chinese(Person.Education.BACHELOR.label),
        "参加工作日期": joined_on,
        **(appointment or {}),
    }


def roster_file(rows: list[dict]) -> bytes:
    """A workbook in the import template's format: the 花名册 sheet, its headers, one person per row."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = DATA_SHEET
    sheet.append(HEADERS)
    for row in rows:
        sheet.append([row.get(header) for header in HEADERS])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_cell(content: bytes, row: int, column: int, value: str) -> bytes:
    """The same workbook with one cell corrected, as the officer would in Excel."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    book[DATA_SHEET].cell(row=row, column=column, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(page, filename: str, content: bytes) -> None:
    form = page.locator("main form[enctype='multipart/form-data']")
    form.locator("input[type=file]").set_input_files({"name": filename, "mimeType": XLSX_TYPE, "buffer": content})
    with page.expect_navigation():
        form.get_by_role("button", name=in_chinese("Check and import")).click()


def table_rows(table) -> list[list[str]]:
    return [row.locator("td").all_inner_texts() for row in table.locator("tbody tr").all()]


def section(page, heading: str):
    return page.locator("section.card", has=page.get_by_role("heading", name=heading, exact=True))


def expect_status(page, status: str) -> None:
    badge = page.locator("h1 .status")
    assert badge.inner_text() == in_chinese(Person.Status(status).label)
    assert f"status-{status}" in badge.get_attribute("class")


def test_hr_officer_imports_new_staff_then_appoints_and_sends_to_waiting(demo_zone, new_page, screenshot, request):
    today = timezone.localdate()
    # Two vacant posts of one department for the file, a third post for the person page.
    posts = vacant_posts()
    zheng_post, lin_post = next((post, other) for post, other in pairwise(posts) if post.department == other.department)
    appoint_post = next(post for post in posts if post not in (zheng_post, lin_post))
    appoint_grade = SalaryGrade.objects.get(series=appoint_post.level.series, number=appoint_post.level.max_grade)

    term_start = today - relativedelta(months=2)
    zheng = national_id(dt.date(1991, 3, 14), 11)
    lin = national_id(dt.date(1994, 8, 2), 24)
    huang = national_id(dt.date(1996, 11, 27), 37)
    assert not Person.objects.filter(national_id__in=[zheng, lin, huang]).exists()
    mistyped = wrong_check_digit(lin)
    content = roster_file(
        [
            person_row("郑晓东", zheng, dt.date(2014, 7, 1), appointment_columns(zheng_post, term_start)),
            person_row("林雅婷", mistyped, dt.date(2017, 7, 1), appointment_columns(lin_post, term_start)),
            person_row("黄志强", huang, dt.date(2019, 7, 1)),  # no appointment columns: awaiting appointment
        ]
    )
    filename = "新进人员花名册.xlsx"
    counts = (Person.objects.count(), Appointment.objects.count(), StatusChange.objects.count())

    page = new_page()
    log_in(page, "hr", DEMO_PASSWORD)
    page.goto("/staffing/roster/")
    with page.expect_navigation():
        page.locator(".pagehead").get_by_role("link", name=in_chinese("Import from Excel")).click()
    assert page.locator("h1").inner_text() == in_chinese("Import the roster")

    # The refused file: one row, one column, the reason; nothing written.
    upload(page, filename, content)
    problems = section(page, in_chinese("Problems in the file"))
    summary = in_chinese(
        "Rows with problems in %(filename)s: %(rows)s; problems: %(count)s. Nothing has been imported; "
        "correct the file and upload it again."
    ) % {"filename": filename, "rows": 1, "count": 1}
    assert problems.get_by_role("alert").inner_text() == summary
    headers = problems.locator("table.data thead th").all_inner_texts()
    assert headers == [in_chinese(h) for h in ("Row", "Column", "Value", "Problem")]
    reason = in_chinese("National ID check digit is %(found)s but GB 11643 gives %(expected)s for these digits.") % {
        "found": mistyped[17],
        "expected": lin[17],
    }
    assert table_rows(problems.locator("table.data")) == [["3", "身份证号", mistyped, reason]]
    assert (Person.objects.count(), Appointment.objects.count(), StatusChange.objects.count()) == counts
    page.screenshot(path=screenshot_path(request, suffix="-import-errors"), full_page=True)

    # The annotated copy marks the same row for the officer to fix in Excel.
    with page.expect_download() as download:
        problems.get_by_role("link", name=in_chinese("Download the file with the problems marked")).click()
    assert download.value.suggested_filename == "新进人员花名册-错误说明.xlsx"
    marked = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))[DATA_SHEET]
    note_column = [cell.value for cell in marked[1]].index(ERROR_HEADER) + 1
    assert marked.cell(row=3, column=note_column).value == f"身份证号：{reason}"
    assert marked.cell(row=2, column=note_column).value is None

    # The corrected file goes in whole.
    upload(page, filename, with_cell(content, row=3, column=ID_COLUMN, value=lin))
    page.wait_for_url("**/staffing/roster/")
    done = in_chinese(
        "Imported from %(file)s: %(people)s people; on a post: %(appointed)s; awaiting appointment: "
        "%(pending)s; archival records sealed: %(records)s."
    ) % {"file": filename, "people": 3, "appointed": 2, "pending": 1, "records": 0}
    assert page.locator(".messages .msg-success").inner_text() == done
    imported = {person.national_id: person for person in Person.objects.filter(national_id__in=[zheng, lin, huang])}
    assert {key: (p.name, p.status) for key, p in imported.items()} == {
        zheng: ("郑晓东", Person.Status.ON_POST),
        lin: ("林雅婷", Person.Status.ON_POST),
        huang: ("黄志强", Person.Status.PENDING),
    }

    # Appoint the one imported without a post, found on the roster by his ID.
    filters = page.locator("main form.filters")
    filters.locator("input[name=q]").fill(huang)
    with page.expect_navigation():
        filters.get_by_role("button", name=in_chinese("Search")).click()
    with page.expect_navigation():
        page.locator("table.data").get_by_role("link", name="黄志强", exact=True).click()
    expect_status(page, Person.Status.PENDING)
    with page.expect_navigation():
        page.locator(".actionbar").get_by_role("link", name=in_chinese("Appoint to a post")).click()
    form = page.locator("main form.stack")
    form.locator("select[name=post]").select_option(str(appoint_post.pk))
    form.locator("select[name=salary_grade]").select_option(str(appoint_grade.pk))
    form.locator("select[name=method]").select_option(Appointment.Method.COMPETITIVE.value)
    form.locator("input[name=term_start]").fill(today.isoformat())
    form.locator("input[name=term_end]").fill((today + relativedelta(years=3) - dt.timedelta(days=1)).isoformat())
    with page.expect_navigation():
        form.get_by_role("button", name=in_chinese("Save")).click()
    assert page.locator(".messages .msg-success").inner_text() == in_chinese("Appointed.")
    expect_status(page, Person.Status.ON_POST)
    assert Appointment.objects.filter(
        person=imported[huang], post=appoint_post, salary_grade=appoint_grade, status=Appointment.Status.ACTIVE
    ).exists()

    # Send another newcomer, on his post since the import, to waiting.
    waiting_reason = "两年一度竞聘未入选，安排离岗培训"
    page.goto(f"/staffing/people/{imported[zheng].pk}/")
    expect_status(page, Person.Status.ON_POST)
    with page.expect_navigation():
        page.locator(".actionbar").get_by_role("link", name=in_chinese("Send to waiting")).click()
    form = page.locator("main form.stack")
    form.locator("input[name=on]").fill(today.isoformat())
    form.locator("input[name=reason]").fill(waiting_reason)
    with page.expect_navigation():
        form.get_by_role("button", name=in_chinese("Save")).click()
    assert page.locator(".messages .msg-success").inner_text() == in_chinese("Sent to waiting (off-post training).")

    status_history = in_chinese("Status history")
    contracted = in_chinese("Contracted track")

    # Huang's page: on post, one status change, the new appointment current in the contracted track.
    page.goto(f"/staffing/people/{imported[huang].pk}/")
    expect_status(page, Person.Status.ON_POST)
    assert table_rows(section(page, status_history).locator("table")) == [
        [
            shown_date(today),
            in_chinese("Awaiting appointment"),
            in_chinese("On post"),
            in_chinese("Appointed to %(post)s") % {"post": appoint_post.name},
            "hr",
        ]
    ]
    track = section(page, contracted).locator("tbody tr")
    assert track.count() == 1
    assert "current" in track.get_attribute("class")
    post_cell, method, term, _monthly, status = track.locator("td").all_inner_texts()
    assert post_cell.splitlines() == [
        f"{appoint_post.department.name} · {appoint_post.name}",
        f"{appoint_post.level} · {in_chinese('grade %(number)s') % {'number': appoint_grade.number}}",
    ]
    assert method == in_chinese(Appointment.Method.COMPETITIVE.label)
    assert term.startswith(shown_date(today))
    assert status == in_chinese("Active")

    # Zheng's page: waiting, the import and the waiting in his history, his post ended.
    page.goto(f"/staffing/people/{imported[zheng].pk}/")
    expect_status(page, Person.Status.WAITING)
    assert table_rows(section(page, status_history).locator("table")) == [
        [shown_date(today), in_chinese("On post"), in_chinese("Waiting for a post"), waiting_reason, "hr"],
        [
            shown_date(term_start),
            in_chinese("Awaiting appointment"),
            in_chinese("On post"),
            in_chinese("Roster import %(file)s") % {"file": filename},
            "hr",
        ],
    ]
    track = section(page, contracted).locator("tbody tr")
    assert track.count() == 1
    assert "current" not in (track.get_attribute("class") or "")
    assert f"{zheng_post.department.name} · {zheng_post.name}" in track.locator("td").first.inner_text()
    ended = track.locator("td").last.inner_text().splitlines()
    assert ended == [in_chinese("Ended"), f"{shown_date(today)} · {in_chinese('Sent to waiting')}"]
    assert not page.locator(".actionbar").get_by_role("link", name=in_chinese("Send to waiting")).count()

    screenshot(page, full_page=True)
