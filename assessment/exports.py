"""A cycle's results as xlsx: the department ranking and every person's rating."""

from openpyxl import Workbook

from assessment.models import Cycle, Rating
from assessment.selectors import department_results
from staffing.models import Department, PositionLevel
from zonehr.xlsx import header_row, safe_cell

# Spreadsheets go to the office as they are: Chinese headers, whatever the page's language.
DEPARTMENT_SHEET = "部门考核结果"
PERSON_SHEET = "个人考核结果"
DEPARTMENT_HEADERS = ["部门", "考核得分", "排名", "价值系数"]
PERSON_HEADERS = ["部门", "姓名", "考核得分", "比较组", "组内排名", "组内人数", "建议等次", "评定等次", "调整理由"]
GRADE_NAMES = {
    Rating.Grade.EXCELLENT: "优秀",
    Rating.Grade.COMPETENT: "称职",
    Rating.Grade.BASICALLY_COMPETENT: "基本称职",
    Rating.Grade.INCOMPETENT: "不称职",
}


def group_label(group: str, departments: dict[int, str], levels: dict[tuple[int, int], str]) -> str:
    """'department:12' → the department's name; 'level:3:2' → the position level's name."""
    kind, _sep, rest = group.partition(":")
    try:
        if kind == "department":
            return departments.get(int(rest), group)
        if kind == "level":
            series, rank = (int(part) for part in rest.split(":"))
            return levels.get((series, rank), group)
    except ValueError:
        pass
    return group


def results_workbook(*, cycle: Cycle) -> Workbook:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = DEPARTMENT_SHEET
    header_row(sheet, DEPARTMENT_HEADERS, [24, 12, 8, 10])
    for row in department_results(cycle=cycle):
        sheet.append([safe_cell(row.name), row.score, row.rank, row.coefficient])
    people = workbook.create_sheet(PERSON_SHEET)
    header_row(people, PERSON_HEADERS, [24, 12, 10, 20, 10, 10, 10, 10, 30])
    ratings = cycle.ratings.select_related("person", "department").order_by("group", "rank", "person__name")
    departments = dict(Department.objects.values_list("pk", "name"))
    levels = _level_names()
    for rating in ratings:
        people.append(
            [
                safe_cell(rating.department.name if rating.department else ""),
                safe_cell(rating.person.name),
                rating.score,
                safe_cell(group_label(rating.group, departments, levels)),
                rating.rank,
                rating.group_size,
                GRADE_NAMES[Rating.Grade(rating.proposed_grade)],
                GRADE_NAMES[Rating.Grade(rating.grade)],
                safe_cell(rating.override_reason),
            ]
        )
    return workbook


def _level_names() -> dict[tuple[int, int], str]:
    return {
        (series, rank): f"{series_name}·{name}"
        for series, rank, series_name, name in PositionLevel.objects.values_list(
            "series_id", "rank", "series__name", "name"
        )
    }
