"""Roster import from Excel: the template, every check with its row and column, the all-or-nothing write,
the annotated copy, who may use it, and a query count that does not grow with the file."""

import datetime as dt
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from auditlog.models import LogEntry
from django.contrib.messages import get_messages
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import Http404
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, reverse

from staffing import import_views, roster_import
from staffing import urls as staffing_urls
from staffing.models import Appointment, ArchivalRecord, Person, StaffingPolicy, StatusChange
from staffing.roster_import import ERROR_FILL, ERROR_HEADER, HEADERS, RosterFileError
from tests.factories import (
    AppointmentFactory,
    DepartmentFactory,
    PersonFactory,
    PositionLevelFactory,
    PostFactory,
    PostSeriesFactory,
    SalaryGradeFactory,
    UserFactory,
    national_id_for,
)
from zonehr import urls as project_urls
from zonehr.roles import Role

pytestmark = pytest.mark.django_db

# This module doubles as the URLconf of the client tests below, so they run through the whole
# middleware stack whatever path staffing/urls.py gives the pages.
urlpatterns = [
    *(pattern for pattern in project_urls.urlpatterns if getattr(pattern, "namespace", None) != "staffing"),
    path(
        "staffing/",
        include((
            [
                *staffing_urls.urlpatterns,
                path("roster/import/", import_views.roster_import, name="roster_import"),
                path("roster/import/template/", import_views.roster_import_template, name="roster_import_template"),
                path("roster/import/errors/<str:token>/", import_views.roster_import_error_copy,
                     name="roster_import_errors"),
            ],
            "staffing",
        )),
    ),
]


@pytest.fixture(autouse=True)
def error_copies(tmp_path, monkeypatch):
    monkeypatch.setattr(roster_import, "ERROR_COPY_DIR", tmp_path / "roster_imports")
    return tmp_path / "roster_imports"


class Zone:
    """Two departments; posts of a clerical level with grades 1–3 of 5; a leadership and a negotiated post."""

    def __init__(self) -> None:
        self.hr = UserFactory(username="hr_import", roles=[Role.HR_OFFICER])
        self.investment = DepartmentFactory(name="招商局", code="ZS")
        self.planning = DepartmentFactory(name="规划局", code="GH")
        series = PostSeriesFactory()
        for number in range(1, 6):
            SalaryGradeFactory(series=series, number=number)
        level = PositionLevelFactory(series=series, min_grade=1, max_grade=3)
        negotiated = PositionLevelFactory(series=series, min_grade=None, max_grade=None, is_negotiated=True)
        self.clerk = PostFactory(department=self.investment, code="ZS-01", name="招商专员", level=level, headcount=3)
        self.planner = PostFactory(department=self.planning, code="GH-01", name="规划员", level=level, headcount=5)
        self.chief = PostFactory(
            department=self.investment, code="ZS-00", name="招商局长", level=level, headcount=1, is_leadership=True
        )
        self.adviser = PostFactory(department=self.planning, code="GH-99", name="特聘顾问", level=negotiated)


@pytest.fixture
def zone() -> Zone:
    return Zone()


_serial = iter(range(10, 10_000))


def person_row(**overrides) -> dict:
    """One valid row of the file, keyed by the Chinese headers."""
    row = {
        "姓名": "李明",
        "身份证号": national_id_for(dt.date(1990, 5, 17), next(_serial), "F"),
        "身份类别": "合同制",
        "学历": "大学本科",
        "参加工作日期": dt.date(2013, 7, 1),
        "部门编码": "ZS",
        "岗位编码": "ZS-01",
        "聘任方式": "竞争聘任",
        "聘期开始": dt.date(2025, 1, 1),
        "聘期结束": dt.date(2027, 12, 31),
        "工资级别": 2,
        "试用期满": None,
        "档案职务": "科员",
        "档案职级": "一级科员",
        "编制类型": "事业编制",
        "档案工资": 4200.5,
        "封存日期": dt.date(2024, 9, 30),
    }
    row.update(overrides)
    return row


def unappointed(**overrides) -> dict:
    blank = dict.fromkeys(["部门编码", "岗位编码", "聘任方式", "聘期开始", "聘期结束", "工资级别"])
    return person_row(**{**blank, **overrides})


def workbook(rows: list[dict], headers: tuple[str, ...] = HEADERS) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "花名册"
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(header) for header in headers])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def check(rows: list[dict]) -> roster_import.CheckResult:
    return roster_import.roster_check(workbook(rows))


def problems(rows: list[dict]) -> list[tuple[int, str, str]]:
    return [(error.row, error.column, error.reason) for error in check(rows).errors]


def cells(found: list[tuple[int, str, str]]) -> list[tuple[int, str]]:
    return [(row, column) for row, column, _reason in found]


def request_for(user, method: str = "get", data: dict | None = None):
    factory = RequestFactory()
    request = factory.post("/staffing/roster/import/", data or {}) if method == "post" else factory.get("/")
    SessionMiddleware(lambda r: None).process_request(request)
    MessageMiddleware(lambda r: None).process_request(request)
    request.user = user
    return request


def upload(user, content: bytes, name: str = "花名册.xlsx"):
    request = request_for(user, "post", {"file": SimpleUploadedFile(name, content)})
    return request, import_views.roster_import(request)


def last_token() -> str:
    """The token of the upload kept for its annotated copy (files are named <user id>-<token>)."""
    [kept] = roster_import.ERROR_COPY_DIR.glob("*.json")
    return kept.stem.split("-", 1)[1]


# --- Importing a valid file ------------------------------------------------------


def test_a_valid_file_imports_people_records_appointments_status_changes_and_audit_entries(zone):
    rows = [
        person_row(姓名="李明"),
        person_row(姓名="王芳", 岗位编码="GH-01", 部门编码="GH", 工资级别=3),
        unappointed(姓名="赵强", 档案职务=None, 档案职级=None, 编制类型=None, 档案工资=None, 封存日期=None),
    ]
    result = check(rows)
    assert result.errors == []
    summary = roster_import.roster_import_save(actor=zone.hr, rows=result.rows, filename="花名册.xlsx")

    assert (summary.people, summary.appointed, summary.records) == (3, 2, 2)
    li = Person.objects.get(name="李明")
    assert li.national_id == rows[0]["身份证号"]
    assert (li.gender, li.birth_date) == ("F", dt.date(1990, 5, 17))
    assert (li.identity, li.education, li.status) == ("contract", "bachelor", Person.Status.ON_POST)
    record = ArchivalRecord.objects.get(person=li)
    assert (record.archival_post, record.establishment_type) == ("科员", "institution")
    assert record.archival_salary == Decimal("4200.50")
    assert record.sealed_on == dt.date(2024, 9, 30)
    appointment = Appointment.objects.get(person=li)
    assert (appointment.post, appointment.method, appointment.salary_grade.number) == (zone.clerk, "competitive", 2)
    assert (appointment.term_start, appointment.term_end) == (dt.date(2025, 1, 1), dt.date(2027, 12, 31))
    change = StatusChange.objects.get(person=li)
    assert (change.from_status, change.to_status, change.changed_on) == ("pending", "on_post", dt.date(2025, 1, 1))
    assert change.actor == zone.hr
    zhao = Person.objects.get(name="赵强")
    assert zhao.status == Person.Status.PENDING
    assert not Appointment.objects.filter(person=zhao).exists()
    assert not ArchivalRecord.objects.filter(person=zhao).exists()
    assert not StatusChange.objects.filter(person=zhao).exists()

    entries = LogEntry.objects.filter(actor=zone.hr, action=LogEntry.Action.CREATE)
    assert entries.count() == 3 + 2 + 2
    assert {entry.additional_data["reason"] for entry in entries} == {"Roster import 花名册.xlsx"}
    assert LogEntry.objects.get_for_object(appointment).get().additional_data["person"] == li.pk


def test_the_upload_page_imports_and_redirects_to_the_roster_with_the_counts(zone):
    request, response = upload(zone.hr, workbook([person_row(), unappointed(档案职务=None, 档案职级=None,
                                                  编制类型=None, 档案工资=None, 封存日期=None)]))
    assert response.status_code == 302
    assert response["Location"] == "/staffing/roster/"
    assert [str(m) for m in get_messages(request)] == [
        "Imported from 花名册.xlsx: 2 people; on a post: 1; awaiting appointment: 1; archival records sealed: 1."
    ]
    assert Person.objects.filter(status=Person.Status.PENDING).count() == 1


def test_choice_columns_take_the_chinese_label_or_the_code(zone):
    result = check([
        person_row(身份类别="公务员", 学历="硕士研究生", 聘任方式="直接聘任", 编制类型="行政编制"),
        person_row(身份类别="dispatched", 学历="college", 聘任方式="two_way", 编制类型="none"),
        person_row(身份类别="政府购买服务/派遣", 学历="博士研究生", 聘任方式="自荐", 编制类型="无编制"),
    ])
    assert result.errors == []
    assert [(r.identity, r.education, r.method, r.archival["establishment_type"]) for r in result.rows] == [
        ("civil_servant", "master", "direct", "administrative"),
        ("dispatched", "college", "two_way", "none"),
        ("dispatched", "doctorate", "self_recommendation", "none"),
    ]


def test_dates_may_be_excel_dates_or_text_in_the_usual_chinese_forms(zone):
    result = check([
        person_row(参加工作日期="2013/7/1", 聘期开始="2025年1月1日", 聘期结束="20271231", 封存日期="2024.9.30"),
    ])
    assert result.errors == []
    row = result.rows[0]
    assert (row.joined_on, row.term_start, row.term_end) == (dt.date(2013, 7, 1), dt.date(2025, 1, 1),
                                                            dt.date(2027, 12, 31))
    assert row.archival["sealed_on"] == dt.date(2024, 9, 30)


def test_a_leadership_post_gets_the_policys_probation_when_none_is_given(zone):
    StaffingPolicy.current()  # 12 months by default
    result = check([person_row(部门编码="ZS", 岗位编码="ZS-00")])
    assert result.errors == []
    assert result.rows[0].probation_end == dt.date(2025, 12, 31)


# --- Each rule, reported at its row and column ---------------------------------------


def test_required_fields_are_reported(zone):
    assert problems([person_row(), person_row(姓名=None, 学历="  ")]) == [
        (3, "姓名", "Required."),
        (3, "学历", "Required."),
    ]


def test_a_wrong_national_id_check_digit_is_reported_with_the_validators_message(zone):
    good = national_id_for(dt.date(1991, 3, 3), 7)
    wrong = good[:17] + ("1" if good[17] == "0" else "0")
    [(row, column, reason)] = problems([person_row(身份证号=wrong)])
    assert (row, column) == (2, "身份证号")
    assert reason == f"National ID check digit is {wrong[17]} but GB 11643 gives {good[17]} for these digits."
    assert problems([person_row(身份证号="12345")]) == [
        (2, "身份证号", "National ID must be 18 characters: 17 digits and a check digit (0-9 or X).")
    ]


def test_a_national_id_twice_in_the_file_names_both_rows(zone):
    same = national_id_for(dt.date(1988, 8, 8), 3)
    assert problems([person_row(身份证号=same), person_row(), person_row(身份证号=same)]) == [
        (2, "身份证号", "The same national ID is also on row 4."),
        (4, "身份证号", "The same national ID is also on row 2."),
    ]


def test_a_national_id_already_on_the_roster_is_reported(zone):
    existing = PersonFactory()
    assert problems([person_row(身份证号=existing.national_id)]) == [
        (2, "身份证号", "A person with this national ID is already on the roster.")
    ]


def test_an_unknown_department_or_post_code_is_reported(zone):
    assert problems([person_row(部门编码="XX"), person_row(岗位编码="ZS-77")]) == [
        (2, "部门编码", "Unknown department code."),
        (3, "岗位编码", "Unknown post code."),
    ]


def test_a_post_of_another_department_is_reported(zone):
    assert problems([person_row(部门编码="GH", 岗位编码="ZS-01")]) == [
        (2, "岗位编码", "Post “招商专员” belongs to 招商局 (ZS), not to this department.")
    ]


def test_a_closed_post_is_reported(zone):
    zone.planner.is_active = False
    zone.planner.save()
    assert problems([person_row(部门编码="GH", 岗位编码="GH-01")]) == [(2, "岗位编码", "Post “规划员” is closed.")]


def test_unknown_choice_values_are_reported_with_the_allowed_ones(zone):
    found = problems([person_row(身份类别="临时工", 学历="小学", 聘任方式="指定", 编制类型="编外")])
    assert cells(found) == [(2, "身份类别"), (2, "学历"), (2, "聘任方式"), (2, "编制类型")]
    assert found[0][2] == "Unknown value; allowed: 公务员、事业编制人员、政府购买服务/派遣、合同制、企业人员."
    assert found[3][2] == "Unknown value; allowed: 行政编制、事业编制、无编制."


def test_a_grade_outside_the_posts_band_is_reported(zone):
    level = zone.clerk.level
    assert problems([person_row(工资级别=5), person_row(工资级别="二级")]) == [
        (2, "工资级别", f"Grade 5 is outside the band of post “招商专员” ({level}: grades 1–3)."),
        (3, "工资级别", "Not a whole number."),
    ]


def test_a_post_with_negotiated_pay_cannot_be_imported_by_grade(zone):
    assert problems([person_row(部门编码="GH", 岗位编码="GH-99", 工资级别=1)]) == [
        (2, "工资级别", "Post “特聘顾问” has negotiated pay, which the import cannot set: leave the appointment "
                     "columns empty and appoint this person from his page."),
    ]


def test_rows_beyond_a_posts_headcount_are_each_marked(zone):
    AppointmentFactory(post=zone.clerk)
    found = problems([person_row() for _ in range(4)])
    message = ("Post “招商专员” (ZS-01) has a headcount of 3: 1 held now and 4 in this file; "
               "this row is beyond the cap.")
    assert found == [(4, "岗位编码", message), (5, "岗位编码", message)]


def test_an_appointment_column_without_the_others_is_reported(zone):
    found = problems([unappointed(聘期开始=dt.date(2025, 1, 1))])
    assert cells(found) == [
        (2, "部门编码"), (2, "岗位编码"), (2, "聘任方式"), (2, "聘期结束"), (2, "工资级别")
    ]
    assert found[0][2] == "Required when the person is appointed: another appointment column of this row is filled."


def test_an_unreadable_date_is_reported(zone):
    assert problems([person_row(聘期开始="明年"), person_row(参加工作日期="2013-02-30")]) == [
        (2, "聘期开始", "Not a date; write it as 2024-01-01."),
        (3, "参加工作日期", "Not a date; write it as 2024-01-01."),
    ]


def test_dates_in_the_wrong_order_are_reported(zone):
    assert problems([
        person_row(聘期结束=dt.date(2024, 12, 31)),
        person_row(试用期满=dt.date(2024, 6, 30)),
        person_row(身份证号=national_id_for(dt.date(1990, 5, 17), 1), 参加工作日期=dt.date(1990, 5, 1)),
        person_row(部门编码="GH", 岗位编码="GH-01", 封存日期=dt.date(2012, 1, 1)),
    ]) == [
        (2, "聘期结束", "The term must end after it starts."),
        (3, "试用期满", "Probation must end after the term starts."),
        (4, "参加工作日期", "The joining date must be after the birth date (1990-05-17, from the national ID)."),
        (5, "封存日期", "The record cannot be sealed before the joining date."),
    ]


def test_archival_columns_are_all_or_none(zone):
    found = problems([person_row(档案职级=None, 编制类型=None, 档案工资=None, 封存日期=None)])
    assert cells(found) == [(2, "档案职级"), (2, "编制类型"), (2, "档案工资"), (2, "封存日期")]
    assert found[0][2] == "Required: the archival columns are given all together or not at all."


def test_a_negative_archival_salary_is_reported(zone):
    assert problems([person_row(档案工资=-100), person_row(档案工资="4200.555")]) == [
        (2, "档案工资", "The archival salary cannot be negative."),
        (3, "档案工资", "At most 2 decimal places."),
    ]


def test_every_problem_of_a_file_is_reported_at_once(zone):
    existing = PersonFactory()
    rows = [
        person_row(),
        person_row(姓名=None, 身份证号="X", 部门编码="GH", 岗位编码="GH-01"),
        person_row(身份证号=existing.national_id, 部门编码="XX", 岗位编码="GH-01", 聘期开始="明年"),
        person_row(工资级别=9, 档案工资=-1, 学历="小学"),
        person_row(),
        person_row(),  # the fourth on a post of three
    ]
    assert cells(problems(rows)) == [
        (3, "姓名"), (3, "身份证号"),
        (4, "身份证号"), (4, "部门编码"), (4, "聘期开始"),
        (5, "学历"), (5, "工资级别"), (5, "档案工资"),
        (7, "岗位编码"),
    ]


# --- Nothing is written unless every row is valid -----------------------------------


def test_one_bad_row_writes_nothing_at_all(zone):
    people, entries = Person.objects.count(), LogEntry.objects.count()
    _request, response = upload(zone.hr, workbook([person_row(), person_row(), person_row(工资级别=9)]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Rows with problems in 花名册.xlsx: 1; problems: 1. Nothing has been imported" in text
    assert "Grade 9 is outside the band" in text
    assert Person.objects.count() == people
    assert LogEntry.objects.count() == entries
    assert not ArchivalRecord.objects.exists()
    assert not StatusChange.objects.exists()


def test_the_write_counts_the_places_again_under_lock(zone):
    result = check([person_row(部门编码="ZS", 岗位编码="ZS-00")])
    assert result.errors == []
    AppointmentFactory(post=zone.chief)  # appointed on the person page meanwhile
    people = Person.objects.count()
    with pytest.raises(roster_import.ApplicationError, match="post “招商局长” changed: headcount 1, 1 held"):
        roster_import.roster_import_save(actor=zone.hr, rows=result.rows, filename="f.xlsx")
    assert Person.objects.count() == people


# --- The annotated copy ---------------------------------------------------------------


def test_the_annotated_copy_fills_bad_cells_red_and_explains_each_bad_row(zone):
    upload(zone.hr, workbook([person_row(), person_row(姓名=None, 工资级别=9)]))
    response = import_views.roster_import_error_copy(request_for(zone.hr), token=last_token())
    assert response.status_code == 200
    assert "filename*=utf-8''" in response["Content-Disposition"]

    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["花名册"]
    headers = [cell.value for cell in sheet[1]]
    assert headers == [*HEADERS, ERROR_HEADER]
    note = headers.index(ERROR_HEADER) + 1
    name, grade = HEADERS.index("姓名") + 1, HEADERS.index("工资级别") + 1
    assert sheet.cell(3, name).fill.fgColor.rgb == ERROR_FILL.fgColor.rgb
    assert sheet.cell(3, grade).fill.fgColor.rgb == ERROR_FILL.fgColor.rgb
    assert sheet.cell(3, grade).value == 9
    assert sheet.cell(3, 2).fill.fill_type is None
    assert sheet.cell(3, note).value.splitlines() == [
        "姓名：Required.",
        "工资级别：Grade 9 is outside the band of post “招商专员” "
        f"({zone.clerk.level}: grades 1–3).",
    ]
    assert sheet.cell(2, note).value is None
    assert sheet.cell(2, grade).fill.fill_type is None


def test_the_annotated_copy_is_only_for_the_officer_who_uploaded(zone):
    upload(zone.hr, workbook([person_row(姓名=None)]))
    token = last_token()
    colleague = UserFactory(username="hr_other", roles=[Role.HR_OFFICER])
    with pytest.raises(Http404):
        import_views.roster_import_error_copy(request_for(colleague), token=token)
    with pytest.raises(Http404):
        import_views.roster_import_error_copy(request_for(zone.hr), token="../../etc/passwd")


def test_a_reuploaded_annotated_copy_is_read_and_marked_afresh(zone):
    first = roster_import.annotate(workbook([person_row(姓名=None), person_row()]),
                                   check([person_row(姓名=None), person_row()]).errors)
    fixed = openpyxl.load_workbook(io.BytesIO(first))
    fixed["花名册"].cell(2, 1, "李明")
    buffer = io.BytesIO()
    fixed.save(buffer)
    result = roster_import.roster_check(buffer.getvalue())
    assert result.errors == []
    again = openpyxl.load_workbook(io.BytesIO(roster_import.annotate(buffer.getvalue(), result.errors)))["花名册"]
    assert again.cell(2, 1).fill.fill_type is None
    note = [cell.value for cell in again[1]].index(ERROR_HEADER) + 1
    assert again.cell(2, note).value is None


# --- The template and wrong files -------------------------------------------------------


def test_the_template_downloads_with_the_chinese_headers_dropdowns_and_instructions(zone):
    response = import_views.roster_import_template(request_for(zone.hr))
    assert response["Content-Type"] == import_views.XLSX_TYPE
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["花名册", "说明"]
    sheet = book["花名册"]
    assert tuple(cell.value for cell in sheet[1]) == HEADERS
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].number_format == "@"  # the ID stays text, not a rounded number
    lists = {str(validation.sqref).split(":")[0]: validation.formula1
             for validation in sheet.data_validations.dataValidation}
    assert lists["C2"] == '"公务员,事业编制人员,政府购买服务/派遣,合同制,企业人员"'
    assert set(lists) == {"C2", "D2", "H2", "O2"}
    listed = [row[0] for row in book["说明"].iter_rows(min_row=4, values_only=True)]
    assert listed == list(HEADERS)


def test_a_filled_in_template_imports(zone):
    book = openpyxl.load_workbook(io.BytesIO(roster_import.template_workbook()))
    row = person_row()
    book["花名册"].append([row[header] for header in HEADERS])
    buffer = io.BytesIO()
    book.save(buffer)
    assert roster_import.roster_check(buffer.getvalue()).errors == []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("roster.csv", "姓名,身份证号\n".encode(), "“roster.csv” is not an Excel workbook (.xlsx)."),
        ("roster.xlsx", b"\xd0\xcf\x11\xe0 an old .xls", "The file is not an .xlsx workbook."),
        ("roster.xlsx", b"PK\x03\x04 broken", "The workbook could not be read; it may be damaged."),
    ],
)
def test_a_file_that_is_not_a_workbook_gets_a_clear_message(zone, name, content, message):
    _request, response = upload(zone.hr, content, name=name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Person.objects.filter(name="李明").exists()


def test_a_workbook_without_the_headers_is_refused_naming_the_missing_ones(zone):
    with pytest.raises(RosterFileError, match="missing: 工资级别、封存日期"):
        roster_import.roster_check(workbook([person_row()], headers=HEADERS[:10] + HEADERS[11:16]))


def test_a_file_over_the_size_limit_is_refused():
    with pytest.raises(RosterFileError, match="larger than 10 MB"):
        roster_import.file_check("roster.xlsx", 10 * 1024 * 1024 + 1)


def test_an_empty_file_is_refused(zone):
    with pytest.raises(RosterFileError, match="no data rows"):
        roster_import.roster_check(workbook([]))


# --- Who may use it, and the cost ------------------------------------------------------------


def test_only_hr_officers_may_import(personas):
    views = [
        (import_views.roster_import, {}),
        (import_views.roster_import_template, {}),
        (import_views.roster_import_error_copy, {"token": "a" * 32}),
    ]
    for user in (personas.head_a, personas.judge, personas.finance, personas.leader, personas.inspector,
                 personas.staff, personas.outsider):
        for view, kwargs in views:
            with pytest.raises(PermissionDenied):
                view(request_for(user), **kwargs)
    assert import_views.roster_import(request_for(personas.hr)).status_code == 200


def test_checking_takes_the_same_queries_for_10_and_100_rows(zone):
    zone.planner.headcount = 200
    zone.planner.save()
    PersonFactory.create_batch(5)
    StaffingPolicy.current()  # created on first use; afterwards one query

    def queries(count: int) -> int:
        content = workbook([person_row(部门编码="GH", 岗位编码="GH-01") for _ in range(count)])
        with CaptureQueriesContext(connection) as captured:
            assert roster_import.roster_check(content).errors == []
        return len(captured)

    assert queries(10) == queries(100) == 6



# --- Through the browser's door ---------------------------------------------------------------


def named(content: bytes, name: str) -> io.BytesIO:
    file = io.BytesIO(content)
    file.name = name
    return file


@pytest.mark.urls(__name__)
def test_an_officer_downloads_the_template_fixes_a_refused_file_and_imports_it(client, zone):
    client.force_login(zone.hr)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("staffing:roster_import")).content.decode()
    template_url = reverse("staffing:roster_import_template")
    assert template_url in page
    assert client.get(template_url)["Content-Disposition"].startswith("attachment")

    bad = named(workbook([person_row(姓名=None)]), "a.xlsx")
    refused = client.post(reverse("staffing:roster_import"), {"file": bad})
    text = refused.content.decode()
    assert "Rows with problems in a.xlsx: 1; problems: 1." in text
    copy_url = re.search(r'href="([^"]+)">Download the file with the problems marked', text).group(1)
    copy = openpyxl.load_workbook(io.BytesIO(client.get(copy_url).content))["花名册"]
    assert copy.cell(2, len(HEADERS) + 1).value == "姓名：Required."

    imported = client.post(
        reverse("staffing:roster_import"), {"file": named(workbook([person_row()]), "a.xlsx")}, follow=True
    )
    assert imported.redirect_chain == [(reverse("staffing:roster"), 302)]
    assert "Imported from a.xlsx: 1 people; on a post: 1" in imported.content.decode()


@pytest.mark.urls(__name__)
def test_other_roles_are_refused_and_another_officer_cannot_fetch_the_copy(client, personas):
    client.force_login(personas.staff)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("staffing:roster_import"))
    assert response.status_code == 403
    assert "This page is for: HR officer." in response.content.decode()
    client.force_login(personas.hr)
    assert client.get(reverse("staffing:roster_import_errors", args=["a" * 32])).status_code == 404
