"""Spreadsheets of results and the check of the score sheets' hash chain, from the page and the command."""

from decimal import Decimal
from io import BytesIO, StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F
from django.urls import reverse
from openpyxl import load_workbook

from recruitment.exports import chain_report, ranking_workbook
from recruitment.models import CampaignPost, Round, ScoreSheet, SheetDigest
from recruitment.selectors import campaign_ranking
from tests.factories import PostFactory
from tests.test_recruitment_results_pages import NAMES, finished_competition
from zonehr.xlsx import sheet_title

pytestmark = pytest.mark.django_db


@pytest.fixture
def competition():
    return finished_competition()


def workbook_from(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(BytesIO(response.content))


def table(sheet) -> list[tuple]:
    """The rows under the header down to the first empty row. openpyxl reads numbers back as
    floats: they are compared as the decimals they were written from."""
    rows = []
    for row in sheet.iter_rows(min_row=2, values_only=True):
        if all(value is None for value in row):
            break
        rows.append(tuple(Decimal(repr(value)) if isinstance(value, float) else value for value in row))
    return rows


def footer(sheet) -> dict:
    """The label–value lines printed under the table."""
    lines, below = {}, False
    for row in sheet.iter_rows(min_row=2, values_only=True):
        if all(value is None for value in row):
            below = True
        elif below:
            lines[row[0]] = row[1]
    return lines


# --- score sheets -------------------------------------------------------------------------------------------


def test_the_sheets_export_has_one_row_per_sheet_with_marks_total_and_digest(client, competition):
    client.force_login(competition.hr)
    sheet = workbook_from(
        client.get(reverse("recruitment:round_sheets_export", args=[competition.interview.pk]))
    ).active
    header = [cell.value for cell in sheet[1]]
    assert header == [
        "考场",
        "考生",
        "评委",
        "综合分析（满分60）",
        "岗位认知（满分40）",
        "总分",
        "回避",
        "回避事由",
        "提交时间",
        "更正原因",
        "校验码",
    ]
    assert sheet.freeze_panes == "A2"
    rows = table(sheet)
    assert len(rows) == 4 * 7
    winner_rows = [row for row in rows if row[1] == NAMES[1]]
    assert {(row[3], row[4], row[5]) for row in winner_rows} == {(58, 38, 96)}
    assert sheet.cell(row=2, column=6).number_format == "0.00"
    last_links = dict(SheetDigest.objects.order_by("sequence").values_list("sheet_id", "digest"))
    one = ScoreSheet.objects.get(judge=competition.judges[0], application=competition.candidates[1])
    judge_name = competition.judges[0].get_full_name() or competition.judges[0].username
    (row,) = [row for row in winner_rows if row[2] == judge_name]
    assert row[10] == last_links[one.pk]
    competition.interview.refresh_from_db()
    lines = footer(sheet)
    assert lines["现场面试最终校验码"] == competition.interview.final_digest
    assert lines["校验结果"] == "评分表与哈希链一致"


def test_the_sheets_export_leaves_out_drafts_and_is_for_hr_and_the_inspector(client, personas, competition):
    client.force_login(personas.inspector)
    url = reverse("recruitment:round_sheets_export", args=[competition.interview.pk])
    assert workbook_from(client.get(url)).active.max_row > 1
    client.force_login(personas.leader)
    assert client.get(url).status_code == 403


def test_a_tampered_sheet_is_named_in_the_export(english, competition):
    tampered = ScoreSheet.objects.filter(application=competition.candidates[0]).first()
    ScoreSheet.objects.filter(pk=tampered.pk).update(total=F("total") - 10)
    english.force_login(competition.hr)
    url = reverse("recruitment:round_sheets_export", args=[competition.interview.pk])
    sheet = workbook_from(english.get(url)).active
    assert f"Sheet {tampered.pk} " in footer(sheet)["校验结果"]


def test_text_that_a_spreadsheet_would_run_is_quoted(client, competition):
    person = competition.candidates[0].person
    person.name = '=HYPERLINK("http://example.com")'
    person.save()
    client.force_login(competition.hr)
    sheet = workbook_from(
        client.get(reverse("recruitment:round_sheets_export", args=[competition.interview.pk]))
    ).active
    assert '\'=HYPERLINK("http://example.com")' in {row[1] for row in table(sheet)}


# --- round results and the final ranking -------------------------------------------------------------------


def test_the_round_results_export_ranks_each_post_and_tells_who_advanced(client, personas, competition):
    client.force_login(personas.leader)
    sheet = workbook_from(
        client.get(reverse("recruitment:round_results_export", args=[competition.interview.pk]))
    ).active
    assert [cell.value for cell in sheet[1]] == ["竞聘岗位", "名次", "考生", "得分", "有效评分表", "是否晋级"]
    assert [(row[1], row[2], row[3], row[5]) for row in table(sheet)] == [
        (1, NAMES[1], 96, "是"),
        (2, NAMES[0], 80, "是"),
        (3, NAMES[2], 70, "是"),
        (4, NAMES[3], 50, "是"),
    ]


def test_the_results_of_a_round_not_closed_cannot_be_exported(client, competition):
    round_ = Round.objects.create(campaign=competition.campaign, order=3, kind=Round.Kind.VOTE, name="民主测评")
    client.force_login(competition.hr)
    assert client.get(reverse("recruitment:round_results_export", args=[round_.pk])).status_code == 404


def test_the_ranking_export_has_a_sheet_per_post_with_composites_and_the_digest(client, competition):
    empty = CampaignPost.objects.create(campaign=competition.campaign, post=PostFactory(name="规划科长"))
    client.force_login(competition.hr)
    workbook = workbook_from(client.get(reverse("recruitment:ranking_export", args=[competition.campaign.pk])))
    assert workbook.sheetnames == ["招商一部部长", "规划科长"]
    sheet = workbook["招商一部部长"]
    assert [cell.value for cell in sheet[1]] == [
        "排名",
        "姓名",
        "笔试（40%）",
        "现场面试（60%）",
        "综合成绩",
        "拟聘",
        "抽签决定",
    ]
    assert sheet.freeze_panes == "A2"
    assert [row[:6] for row in table(sheet)] == [
        (1, NAMES[1], 70, 96, Decimal("85.6"), "是"),
        (2, NAMES[0], 80, 80, 80, "否"),
        (3, NAMES[2], 60, 70, 66, "否"),
        (4, NAMES[3], 50, 50, 50, "否"),
    ]
    assert sheet.cell(row=2, column=5).number_format == "0.00"
    competition.interview.refresh_from_db()
    assert footer(sheet)["现场面试最终校验码"] == competition.interview.final_digest
    assert table(workbook[empty.post.name]) == []


def test_sheet_names_stay_within_excels_rules():
    taken: set[str] = set()
    long = "招商服务中心/项目推进科:副科长[试用]" * 2
    first, second = sheet_title(long, taken, fallback="岗位"), sheet_title(long, taken, fallback="岗位")
    assert first != second
    assert all(len(title) <= 31 and not set("[]:*?/\\") & set(title) for title in (first, second))


def test_a_lot_is_marked_in_the_ranking_export():
    competition = finished_competition(
        written=(80, 80, 60, 50), interview={0: [(50, 30)] * 7, 1: [(50, 30)] * 7, 2: [(40, 30)] * 7, 3: [(30, 20)] * 7}
    )
    workbook = ranking_workbook(campaign=competition.campaign, ranking=campaign_ranking(campaign=competition.campaign))
    assert [row[6] for row in table(workbook.active)] == ["是", "是", None, None]


# --- the chain check ----------------------------------------------------------------------------------------


def test_the_verify_command_passes_an_intact_round(competition):
    out = StringIO()
    call_command("verify_sheets", str(competition.interview.pk), stdout=out, stderr=StringIO())
    assert "28 sheets match the chain of 28 links" in out.getvalue()


def test_the_verify_command_exits_1_naming_a_sheet_altered_after_submission(competition):
    tampered = ScoreSheet.objects.filter(application=competition.candidates[3]).last()
    ScoreSheet.objects.filter(pk=tampered.pk).update(total=F("total") + 1)
    err = StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("verify_sheets", str(competition.interview.pk), stdout=StringIO(), stderr=err)
    assert failure.value.returncode == 1
    assert f"Sheet {tampered.pk} (judge {tampered.judge.username}" in err.getvalue()


def test_the_verify_command_refuses_an_unknown_round(competition):
    with pytest.raises(CommandError, match="No round with id 999999"):
        call_command("verify_sheets", "999999", stdout=StringIO(), stderr=StringIO())


def test_a_final_digest_changed_after_the_close_is_reported(competition):
    Round.objects.filter(pk=competition.interview.pk).update(final_digest="0" * 64)
    competition.interview.refresh_from_db()
    report = chain_report(round_=competition.interview)
    assert not report.intact
    assert "The final digest sealed when the round closed" in report.problems[0]
