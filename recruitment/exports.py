"""Results in spreadsheets: a round's score sheets, a round's results, the final ranking per post.

Plain functions building openpyxl workbooks; the pages only send them. The headers are Chinese
constants: the workbooks are filed as documents of the personnel office, whatever language the
officer's screen speaks. Also here, because the workbooks print them: the ranking per post that
the results pages show, and the check of a round's hash chain.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from recruitment import services
from recruitment.models import (
    ApplicationChoice,
    Campaign,
    CampaignPost,
    Round,
    RoundResult,
    ScoreSheet,
    SheetDigest,
)
from recruitment.selectors import CampaignRanking
from zonehr.xlsx import header_row, safe_cell, sheet_title

SCORE_FORMAT = "0.00"
TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
YES, NO = "是", "否"


# --- Reads shared with the results pages -------------------------------------------------------------


@dataclass(frozen=True)
class ChainReport:
    round: Round
    links: int
    sheets: int
    last_digest: str
    problems: tuple[str, ...]

    @property
    def intact(self) -> bool:
        return not self.problems


def chain_report(*, round_: Round) -> ChainReport:
    """services.chain_verify, and whether the digest sealed when the round closed is still the
    chain's last link: a link appended or removed afterwards changes the last one."""
    problems = list(services.chain_verify(round_=round_))
    links = SheetDigest.objects.filter(round=round_)
    last = links.order_by("-sequence").first()
    last_digest = last.digest if last else ""
    if round_.status == Round.Status.CLOSED and round_.final_digest != last_digest:
        problems.append(
            _("The final digest sealed when the round closed (%(sealed)s) is not the chain's last link (%(last)s).")
            % {"sealed": round_.final_digest or "—", "last": last_digest or "—"}
        )
    return ChainReport(
        round=round_,
        links=links.count(),
        sheets=ScoreSheet.objects.filter(panel__round=round_, status=ScoreSheet.Status.SUBMITTED).count(),
        last_digest=last_digest,
        problems=tuple(problems),
    )


def post_title(offered: CampaignPost) -> str:
    """The post as a notice names it: "招商一部部长", the department only when the name lacks it."""
    post = offered.post
    department = post.department.name
    return post.name if post.name.startswith(department) else f"{department}{post.name}"


# --- Workbooks -------------------------------------------------------------------------------------------


def plain_number(value: Decimal) -> str:
    """40.00 → "40", 12.50 → "12.5": weights and maxima as people write them."""
    return format(value.normalize(), "f")


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    # Excel has no time zones: write the wall-clock time of the office.
    return None if moment is None else timezone.localtime(moment).replace(tzinfo=None)


def _append(sheet: Worksheet, values: list, formats: dict[int, str] | None = None) -> None:
    """Append a row, every value through safe_cell; `formats` maps column numbers (1-based) to
    number formats."""
    sheet.append([safe_cell(value) for value in values])
    for column, number_format in (formats or {}).items():
        sheet.cell(row=sheet.max_row, column=column).number_format = number_format


def _footer(sheet: Worksheet, lines: list[tuple[str, object]]) -> None:
    """Label–value lines under the table, after one empty row."""
    sheet.append([])
    for label, value in lines:
        _append(sheet, [label, value])


def _digest_line(round_: Round) -> tuple[str, str]:
    if round_.status != Round.Status.CLOSED:
        return (f"{round_.name}最终校验码", "本轮尚未结束")
    return (f"{round_.name}最终校验码", round_.final_digest or "本轮无评分表")


def sheets_workbook(*, round_: Round) -> Workbook:
    """One row per submitted sheet of the round: every mark, the total, any conflict declared,
    when it was submitted and its digest in the chain; the chain's check and final digest below.

    Drafts stay out: a sheet is secret until its judge submits it.
    """
    criteria = list(round_.criteria.all())
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "评分表"
    headers = [
        "考场",
        "考生",
        "评委",
        *(f"{criterion.name}（满分{plain_number(criterion.maximum)}）" for criterion in criteria),
        "总分",
        "回避",
        "回避事由",
        "提交时间",
        "更正原因",
        "校验码",
    ]
    header_row(sheet, headers, [12, 12, 12, *([14] * len(criteria)), 10, 6, 20, 20, 20, 66])
    digests = dict(
        SheetDigest.objects.filter(round=round_).order_by("sequence").values_list("sheet_id", "digest")
    )  # the last link of each sheet wins
    sheets = (
        ScoreSheet.objects.filter(panel__round=round_, status=ScoreSheet.Status.SUBMITTED)
        .select_related("panel", "judge", "application__person")
        .order_by("panel_id", "application_id", "judge__username")
    )
    first_mark = 4
    total_column = first_mark + len(criteria)
    formats = {column: SCORE_FORMAT for column in range(first_mark, total_column + 1)}
    formats[total_column + 3] = TIME_FORMAT
    for score_sheet in sheets:
        marks = [
            Decimal(score_sheet.marks[str(criterion.pk)]) if str(criterion.pk) in score_sheet.marks else None
            for criterion in criteria
        ]
        _append(
            sheet,
            [
                score_sheet.panel.name,
                score_sheet.application.candidate_name,
                score_sheet.judge.get_full_name() or score_sheet.judge.username,
                *marks,
                score_sheet.total,
                YES if score_sheet.conflict_declared else NO,
                score_sheet.conflict_note,
                _local(score_sheet.submitted_at),
                score_sheet.amended_reason,
                digests.get(score_sheet.pk, ""),
            ],
            formats,
        )
    report = chain_report(round_=round_)
    _footer(
        sheet,
        [
            ("轮次", str(round_)),
            _digest_line(round_),
            ("校验结果", "评分表与哈希链一致" if report.intact else "；".join(report.problems)),
            ("导出时间", timezone.localtime().strftime("%Y-%m-%d %H:%M")),
        ],
    )
    return workbook


def round_results_workbook(*, round_: Round) -> Workbook:
    """The round's score of each candidate, post by post, best first, and who advanced."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "本轮成绩"
    header_row(sheet, ["竞聘岗位", "名次", "考生", "得分", "有效评分表", "是否晋级"], [24, 6, 12, 10, 10, 8])
    post_of = dict(
        ApplicationChoice.objects.filter(application__campaign=round_.campaign_id, preference=1).values_list(
            "application_id", "campaign_post__post__name"
        )
    )
    by_post: dict[str, list[RoundResult]] = defaultdict(list)
    for result in RoundResult.objects.filter(round=round_).select_related("application__person"):
        by_post[post_of.get(result.application_id, "")].append(result)
    for post, results in by_post.items():
        results.sort(key=lambda r: (r.score is None, -(r.score or 0), r.application.candidate_name))
        place, previous = 0, object()
        for position, result in enumerate(results, start=1):
            # Equal scores share a place (1, 1, 3): the tie-break belongs to the final ranking.
            if result.score != previous:
                place, previous = position, result.score
            _append(
                sheet,
                [
                    post,
                    place if result.score is not None else None,
                    result.application.candidate_name,
                    result.score,
                    result.valid_sheets,
                    YES if result.advanced else NO,
                ],
                {4: SCORE_FORMAT},
            )
    _footer(sheet, [("轮次", str(round_)), _digest_line(round_)])
    return workbook


def ranking_workbook(*, campaign: Campaign, ranking: CampaignRanking) -> Workbook:
    """The final ranking, one sheet per post offered: each round's score, the composite, who is
    selected and which places a lot decided; the final digest of every scored round below."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    taken: set[str] = set()
    round_headers = [f"{round_.name}（{plain_number(round_.weight)}%）" for round_ in ranking.rounds]
    composite_column = 3 + len(ranking.rounds)
    formats = {column: SCORE_FORMAT for column in range(3, composite_column + 1)}
    for post in ranking.posts or ():
        sheet = workbook.create_sheet(sheet_title(post.offered.post.name, taken, fallback="岗位"))
        header_row(
            sheet,
            ["排名", "姓名", *round_headers, "综合成绩", "拟聘", "抽签决定"],
            [6, 12, *([14] * len(round_headers)), 10, 6, 8],
        )
        for row in post.rows:
            _append(
                sheet,
                [
                    row.result.rank,
                    row.candidate,
                    *row.scores,
                    row.result.composite,
                    YES if row.result.selected else NO,
                    YES if row.result.decided_by_lot else None,
                ],
                formats,
            )
        _footer(
            sheet,
            [
                ("竞聘活动", campaign.name),
                ("岗位", post_title(post.offered)),
                ("拟聘人数", post.offered.places),
                *(_digest_line(round_) for round_ in ranking.rounds if round_.kind == Round.Kind.INTERVIEW),
            ],
        )
    if not workbook.worksheets:
        header_row(workbook.create_sheet("排名"), ["排名", "姓名", "综合成绩"])
    return workbook
