"""Importing the roster from an Excel workbook: the template, the checks, the write.

The workbook's headers are Chinese: that is the file format the office fills in, so
they are constants here, not translations. Choice columns take the Chinese label of
a choice (as the zh-hans catalogue has it) or its code.

Checking is set-based: the reference data (departments, posts, grades, the file's
IDs already on the roster, places held per post) is read in a fixed number of
queries, then every row is checked in Python and every problem is collected, so the
officer fixes the whole file in one go. Nothing is written unless every row is valid.
"""

import datetime as dt
import io
import json
import re
import secrets
import time
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import openpyxl
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, TextChoices
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from staffing import national_id as national_ids
from staffing.models import (
    Appointment,
    ArchivalRecord,
    Department,
    EstablishmentType,
    Person,
    Post,
    SalaryGrade,
    StaffingPolicy,
    StatusChange,
)
from zonehr.audit import audit_bulk_created
from zonehr.errors import ApplicationError

DATA_SHEET = "花名册"
INSTRUCTIONS_SHEET = "说明"
ERROR_HEADER = "错误说明"
TEMPLATE_FILENAME = "花名册导入模板.xlsx"
ERROR_COPY_SUFFIX = "-错误说明"

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# Below SQLite's (32,766) and PostgreSQL's (65,535) bound parameters, so the file's IDs
# are looked up in one query; also stops a small zip that unpacks to millions of rows.
MAX_ROWS = 20_000
WRITE_BATCH = 1000
# Excel's own "bad" fill: plainly red, and the value stays readable on it.
ERROR_FILL = PatternFill(fill_type="solid", start_color="FFFFC7CE", end_color="FFFFC7CE")
ERROR_FONT_COLOR = "FF9C0006"
# Uploaded files kept for the annotated copy are removed after this long.
ERROR_COPY_TTL_SECONDS = 24 * 3600
ERROR_COPY_DIR = Path(settings.BASE_DIR) / "var" / "roster_imports"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class Need:
    ALWAYS = "always"
    APPOINTMENT = "appointment"
    ARCHIVAL = "archival"
    OPTIONAL = "optional"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    need: str
    rule: Any  # lazy translation: the format, shown on the instructions sheet
    choices: type[TextChoices] | None = None
    width: int = 14
    number_format: str | None = None


_DATE_FORMAT = "yyyy-mm-dd"
COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", Need.ALWAYS, gettext_lazy("Text, at most 50 characters."), width=12),
    Column(
        "national_id",
        "身份证号",
        Need.ALWAYS,
        gettext_lazy("18 characters: 17 digits and a check digit (0-9 or X). Gender and birth date are taken from it."),
        width=22,
        number_format="@",
    ),
    Column("identity", "身份类别", Need.ALWAYS, gettext_lazy("One of the allowed values."), Person.Identity, 18),
    Column("education", "学历", Need.ALWAYS, gettext_lazy("One of the allowed values."), Person.Education, 12),
    Column(
        "joined_on",
        "参加工作日期",
        Need.ALWAYS,
        gettext_lazy("A date such as 2010-07-01, after the birth date."),
        number_format=_DATE_FORMAT,
    ),
    Column(
        "department_code",
        "部门编码",
        Need.APPOINTMENT,
        gettext_lazy("The code of an active department."),
        width=12,
        number_format="@",
    ),
    Column(
        "post_code",
        "岗位编码",
        Need.APPOINTMENT,
        gettext_lazy(
            "The code of an open post of that department. Leave every appointment column empty "
            "to import the person without a post (awaiting appointment)."
        ),
        width=12,
        number_format="@",
    ),
    Column("method", "聘任方式", Need.APPOINTMENT, gettext_lazy("One of the allowed values."), Appointment.Method, 14),
    Column(
        "term_start",
        "聘期开始",
        Need.APPOINTMENT,
        gettext_lazy("A date such as 2024-01-01."),
        number_format=_DATE_FORMAT,
    ),
    Column(
        "term_end",
        "聘期结束",
        Need.APPOINTMENT,
        gettext_lazy("A date after the term start."),
        number_format=_DATE_FORMAT,
    ),
    Column(
        "grade",
        "工资级别",
        Need.APPOINTMENT,
        gettext_lazy(
            "A whole number: a grade of the post's series within its level's band. "
            "Posts with negotiated pay cannot be imported."
        ),
        width=10,
    ),
    Column(
        "probation_end",
        "试用期满",
        Need.OPTIONAL,
        gettext_lazy(
            "A date after the term start. Empty: no probation, or the policy's probation on leadership posts."
        ),
        number_format=_DATE_FORMAT,
    ),
    Column("archival_post", "档案职务", Need.ARCHIVAL, gettext_lazy("Text, at most 100 characters.")),
    Column("archival_rank", "档案职级", Need.ARCHIVAL, gettext_lazy("Text, at most 100 characters.")),
    Column(
        "establishment_type",
        "编制类型",
        Need.ARCHIVAL,
        gettext_lazy("One of the allowed values."),
        EstablishmentType,
        14,
    ),
    Column(
        "archival_salary",
        "档案工资",
        Need.ARCHIVAL,
        gettext_lazy("A monthly amount in yuan, not negative, at most 2 decimal places."),
        width=12,
        number_format="0.00",
    ),
    Column(
        "sealed_on",
        "封存日期",
        Need.ARCHIVAL,
        gettext_lazy("A date, not before the joining date."),
        number_format=_DATE_FORMAT,
    ),
)
BY_KEY = {column.key: column for column in COLUMNS}
HEADERS = tuple(column.header for column in COLUMNS)
APPOINTMENT_KEYS = (*(c.key for c in COLUMNS if c.need == Need.APPOINTMENT), "probation_end")
ARCHIVAL_KEYS = tuple(c.key for c in COLUMNS if c.need == Need.ARCHIVAL)
_COLUMN_ORDER = {header: index for index, header in enumerate(HEADERS)}


def choice_labels(choices: type[TextChoices]) -> dict[str, str]:
    """Chinese label → code, read from the catalogue so the file follows the .po."""
    with translation.override("zh-hans"):
        return {str(label): value for value, label in choices.choices}


# --- The template -------------------------------------------------------------


def template_workbook() -> bytes:
    """The empty workbook to fill in: headers, dropdowns, and a sheet that explains each column."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = DATA_SHEET
    sheet.append(HEADERS)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    last_row = MAX_ROWS + 1
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.cell(row=1, column=index).font = bold
        sheet.column_dimensions[letter].width = column.width
        if column.number_format:
            # Text format keeps an 18-digit ID from turning into a rounded number.
            sheet.column_dimensions[letter].number_format = column.number_format
        if column.choices is not None:
            labels = ",".join(choice_labels(column.choices))
            # A warning, not a stop: the code value of a choice is accepted too.
            validation = DataValidation(
                type="list", formula1=f'"{labels}"', allow_blank=True, showErrorMessage=True, errorStyle="warning"
            )
            validation.add(f"{letter}2:{letter}{last_row}")
            sheet.add_data_validation(validation)

    notes = workbook.create_sheet(INSTRUCTIONS_SHEET)
    notes.append(
        [
            _(
                "Fill in one person per row on the sheet %(sheet)s, from row 2, and keep its headers. "
                "Nothing is imported unless every row is valid."
            )
            % {"sheet": DATA_SHEET}
        ]
    )
    notes.append([])
    notes.append([_("Column"), _("Required"), _("Format"), _("Allowed values")])
    for cell in notes[3]:
        cell.font = bold
    needs = {
        Need.ALWAYS: _("Yes"),
        Need.APPOINTMENT: _("When the person is appointed to a post"),
        Need.ARCHIVAL: _("When any archival column is filled: all five or none"),
        Need.OPTIONAL: _("No"),
    }
    for column in COLUMNS:
        allowed = (
            "、".join(f"{label}（{value}）" for label, value in choice_labels(column.choices).items())
            if column.choices
            else ""
        )
        notes.append([column.header, needs[column.need], str(column.rule), allowed])
    for letter, width in zip("ABCD", (14, 28, 70, 60), strict=True):
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows(min_row=4):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Reading ------------------------------------------------------------------


class RosterFileError(ApplicationError):
    """The upload is not a roster workbook at all (wrong type, damaged, no headers)."""


@dataclass(frozen=True)
class RawRow:
    row: int  # as Excel numbers it
    values: dict[str, Any]


def file_check(name: str, size: int) -> None:
    """Refuse before reading: the right kind of file, not too large."""
    if not name.lower().endswith(".xlsx"):
        raise RosterFileError(
            _(
                "“%(name)s” is not an Excel workbook (.xlsx). In Excel, save it as “Excel Workbook (*.xlsx)” "
                "and upload that."
            )
            % {"name": name}
        )
    if size > MAX_UPLOAD_BYTES:
        raise RosterFileError(
            _("The file is larger than %(limit)s MB; split it into several files.")
            % {"limit": MAX_UPLOAD_BYTES // (1024 * 1024)}
        )


def _open(content: bytes, *, read_only: bool) -> openpyxl.Workbook:
    if not content.startswith(b"PK"):
        # An .xls or .csv renamed to .xlsx: say so rather than "damaged".
        raise RosterFileError(
            _("The file is not an .xlsx workbook. In Excel, save it as “Excel Workbook (*.xlsx)” and upload that.")
        )
    try:
        # Checking reads the values Excel computed; the annotated copy keeps the officer's formulas.
        return openpyxl.load_workbook(io.BytesIO(content), read_only=read_only, data_only=read_only)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError, OSError) as exc:
        raise _damaged() from exc


def _damaged() -> RosterFileError:
    return RosterFileError(
        _("The workbook could not be read; it may be damaged. Open it in Excel, save it again and upload that.")
    )


def _data_sheet(workbook: openpyxl.Workbook):
    return workbook[DATA_SHEET] if DATA_SHEET in workbook.sheetnames else workbook.worksheets[0]


def _header_positions(header_row: Iterable[Any]) -> dict[str, int]:
    positions: dict[str, int] = {}
    for index, value in enumerate(header_row):
        text = str(value).strip() if value is not None else ""
        if text and text not in positions:
            positions[text] = index
    return positions


def read_rows(content: bytes) -> list[RawRow]:
    """The non-empty data rows of the workbook, keyed by column; raises RosterFileError."""
    workbook = _open(content, read_only=True)
    try:
        sheet = _data_sheet(workbook)
        # Some writers store a wrong sheet size; read what is really there.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(min_row=1, values_only=True)
        positions = _header_positions(next(rows, ()))
        missing = [header for header in HEADERS if header not in positions]
        if missing:
            raise RosterFileError(
                _(
                    "The first row of sheet “%(sheet)s” must hold the column headers; missing: %(columns)s. "
                    "Download the template to see them."
                )
                % {"sheet": sheet.title, "columns": "、".join(missing)}
            )
        found: list[RawRow] = []
        for number, cells in enumerate(rows, start=2):
            values = {column.key: _cell(cells, positions[column.header]) for column in COLUMNS}
            if all(value is None for value in values.values()):
                continue
            if len(found) == MAX_ROWS:
                raise RosterFileError(
                    _("The file has more than %(max)s rows; split it into several files.") % {"max": MAX_ROWS}
                )
            found.append(RawRow(number, values))
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as exc:
        raise _damaged() from exc
    finally:
        workbook.close()
    if not found:
        raise RosterFileError(_("The file has no data rows below the headers."))
    return found


def _cell(cells: tuple, index: int) -> Any:
    value = cells[index] if index < len(cells) else None
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


# --- Reference data -----------------------------------------------------------


@dataclass
class Reference:
    """What the rows are checked against, read in a fixed number of queries."""

    departments: dict[str, Department]
    posts: dict[str, Post]
    grades: dict[tuple[int, int], SalaryGrade]
    existing_ids: set[str]
    held: dict[int, int]  # active appointments per post id
    leadership_probation_months: int


def reference_load(national_id_values: Iterable[str]) -> Reference:
    wanted = sorted({value for value in national_id_values if value})
    return Reference(
        departments={d.code: d for d in Department.objects.all()},
        posts={p.code: p for p in Post.objects.select_related("department", "level__series")},
        grades={(g.series_id, g.number): g for g in SalaryGrade.objects.select_related("series")},
        existing_ids=set(Person.objects.filter(national_id__in=wanted).values_list("national_id", flat=True)),
        held=dict(
            Appointment.objects.filter(status=Appointment.Status.ACTIVE)
            .values("post_id")
            .annotate(n=Count("id"))
            .values_list("post_id", "n")
        ),
        leadership_probation_months=StaffingPolicy.current().leadership_probation_months,
    )


# --- Checking -----------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    row: int
    column: str  # the header, as in the file
    value: str
    reason: str


@dataclass
class ImportRow:
    row: int
    name: str
    national_id: str
    identity: str
    education: str
    joined_on: dt.date | None
    birth_date: dt.date | None
    gender: str
    post: Post | None = None
    method: str = ""
    term_start: dt.date | None = None
    term_end: dt.date | None = None
    salary_grade: SalaryGrade | None = None
    probation_end: dt.date | None = None
    archival: dict[str, Any] | None = None


@dataclass
class CheckResult:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def error_rows(self) -> int:
        return len({error.row for error in self.errors})


class _CellError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def shown(value: Any) -> str:
    """A cell value as the officer sees it."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DATE_DIGITS = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = shown(value)
    match = _DATE_TEXT.match(text) or _DATE_DIGITS.match(text)
    if match:
        try:
            return dt.date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    raise _CellError(_("Not a date; write it as 2024-01-01."))


def parse_whole_number(value: Any) -> int:
    if isinstance(value, bool):
        raise _CellError(_("Not a whole number."))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = shown(value)
    if text.isdigit():
        return int(text)
    raise _CellError(_("Not a whole number."))


def parse_amount(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise _CellError(_("Not an amount."))
    # A float is read as Excel shows it, to 15 significant digits: a computed 4905.440000000001 is 4905.44.
    text = f"{value:.15g}" if isinstance(value, float) else str(value).replace(",", "").strip()
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise _CellError(_("Not an amount.")) from None
    if not amount.is_finite():
        raise _CellError(_("Not an amount."))
    if amount < 0:
        raise _CellError(_("The archival salary cannot be negative."))
    if amount.as_tuple().exponent < -2:
        raise _CellError(_("At most 2 decimal places."))
    if amount >= Decimal(10) ** 10:
        raise _CellError(_("The amount is too large."))
    return amount


def _choice(value: Any, labels: dict[str, str]) -> str:
    text = shown(value)
    if text in labels:
        return labels[text]
    if text in labels.values():
        return text
    raise _CellError(_("Unknown value; allowed: %(allowed)s.") % {"allowed": "、".join(labels)})


class _RowCheck:
    """Reads the cells of one row, noting each problem against its column."""

    def __init__(self, raw: RawRow, labels: dict[str, dict[str, str]]) -> None:
        self.raw = raw
        self.labels = labels
        self.errors: list[RowError] = []
        self.bad: set[str] = set()

    def fail(self, key: str, reason: str) -> None:
        self.errors.append(RowError(self.raw.row, BY_KEY[key].header, shown(self.raw.values[key]), reason))
        self.bad.add(key)

    def given(self, key: str) -> bool:
        return self.raw.values[key] is not None

    def read(self, key: str, parse: Callable[[Any], Any], *, required: str | None = None) -> Any:
        value = self.raw.values[key]
        if value is None:
            if required:
                self.fail(key, required)
            return None
        try:
            return parse(value)
        except _CellError as exc:
            self.fail(key, exc.reason)
            return None

    def text(self, key: str, max_length: int, *, required: str | None) -> str | None:
        def parse(value: Any) -> str:
            text = shown(value)
            if len(text) > max_length:
                raise _CellError(_("At most %(max)s characters.") % {"max": max_length})
            return text

        return self.read(key, parse, required=required)

    def choice(self, key: str, *, required: str | None) -> str | None:
        return self.read(key, lambda value: _choice(value, self.labels[key]), required=required)


def _parse_national_id(value: Any) -> str:
    text = shown(value).upper()
    try:
        national_ids.validate_national_id(text)
    except ValidationError as exc:
        raise _CellError(str(exc.messages[0])) from None
    return text


def check_rows(raws: list[RawRow], reference: Reference) -> CheckResult:
    """Check every row against the rules and the reference data; pure, no queries."""
    labels = {column.key: choice_labels(column.choices) for column in COLUMNS if column.choices}
    result = CheckResult()
    required = _("Required.")
    for raw in raws:
        check = _RowCheck(raw, labels)
        name = check.text("name", 50, required=required)
        national_id = check.read("national_id", _parse_national_id, required=required)
        identity = check.choice("identity", required=required)
        education = check.choice("education", required=required)
        joined_on = check.read("joined_on", parse_date, required=required)
        birth_date = national_ids.birth_date(national_id) if national_id else None
        if joined_on and birth_date and joined_on <= birth_date:
            check.fail(
                "joined_on",
                _("The joining date must be after the birth date (%(birth)s, from the national ID).")
                % {"birth": birth_date.isoformat()},
            )
        row = ImportRow(
            row=raw.row,
            name=name or "",
            national_id=national_id or "",
            identity=identity or "",
            education=education or "",
            joined_on=joined_on,
            birth_date=birth_date,
            gender=national_ids.gender(national_id) if national_id else "",
        )
        if any(check.given(key) for key in APPOINTMENT_KEYS):
            _check_appointment(check, row, reference)
        if any(check.given(key) for key in ARCHIVAL_KEYS):
            _check_archival(check, row)
        result.rows.append(row)
        result.errors.extend(check.errors)
    result.errors.extend(_duplicates(result.rows, reference))
    result.errors.extend(_headcount_overflow(result.rows, reference))
    result.errors.sort(key=lambda error: (error.row, _COLUMN_ORDER.get(error.column, 99)))
    return result


def _check_appointment(check: _RowCheck, row: ImportRow, reference: Reference) -> None:
    required = _("Required when the person is appointed: another appointment column of this row is filled.")
    department_code = check.text("department_code", 30, required=required)
    post_code = check.text("post_code", 40, required=required)
    row.method = check.choice("method", required=required) or ""
    row.term_start = check.read("term_start", parse_date, required=required)
    row.term_end = check.read("term_end", parse_date, required=required)
    grade_number = check.read("grade", parse_whole_number, required=required)
    row.probation_end = check.read("probation_end", parse_date)

    department = reference.departments.get(department_code) if department_code else None
    if department_code and department is None:
        check.fail("department_code", _("Unknown department code."))
    elif department is not None and not department.is_active:
        check.fail("department_code", _("Department “%(department)s” is closed.") % {"department": department})
    post = reference.posts.get(post_code) if post_code else None
    if post_code and post is None:
        check.fail("post_code", _("Unknown post code."))
    elif post is not None:
        if not post.is_active:
            check.fail("post_code", _("Post “%(post)s” is closed.") % {"post": post})
        if department is not None and post.department_id != department.pk:
            check.fail(
                "post_code",
                _("Post “%(post)s” belongs to %(department)s (%(code)s), not to this department.")
                % {"post": post, "department": post.department, "code": post.department.code},
            )
        row.post = post

    if post is not None:
        level = post.level
        if level.is_negotiated:
            check.fail(
                "grade",
                _(
                    "Post “%(post)s” has negotiated pay, which the import cannot set: leave the appointment "
                    "columns empty and appoint this person from his page."
                )
                % {"post": post},
            )
        elif grade_number is not None:
            grade = reference.grades.get((level.series_id, grade_number))
            if not level.min_grade <= grade_number <= level.max_grade:
                check.fail(
                    "grade",
                    _("Grade %(grade)s is outside the band of post “%(post)s” (%(level)s: grades %(min)s–%(max)s).")
                    % {
                        "grade": grade_number,
                        "post": post,
                        "level": level,
                        "min": level.min_grade,
                        "max": level.max_grade,
                    },
                )
            elif grade is None or not level.admits_grade(grade):
                check.fail(
                    "grade",
                    _("Series %(series)s has no grade %(grade)s.") % {"series": level.series, "grade": grade_number},
                )
            else:
                row.salary_grade = grade
        if row.probation_end is None and post.is_leadership and row.term_start and "probation_end" not in check.bad:
            # As when appointing on the person page: new leaders serve the policy's probation.
            months = reference.leadership_probation_months
            if months:
                row.probation_end = row.term_start + relativedelta(months=months) - dt.timedelta(days=1)

    if row.term_start and row.term_end and row.term_end <= row.term_start:
        check.fail("term_end", _("The term must end after it starts."))
    if row.term_start and row.probation_end and row.probation_end <= row.term_start:
        check.fail("probation_end", _("Probation must end after the term starts."))


def _check_archival(check: _RowCheck, row: ImportRow) -> None:
    required = _("Required: the archival columns are given all together or not at all.")
    values = {
        "archival_post": check.text("archival_post", 100, required=required),
        "archival_rank": check.text("archival_rank", 100, required=required),
        "establishment_type": check.choice("establishment_type", required=required),
        "archival_salary": check.read("archival_salary", parse_amount, required=required),
        "sealed_on": check.read("sealed_on", parse_date, required=required),
    }
    if values["sealed_on"] and row.joined_on and values["sealed_on"] < row.joined_on:
        check.fail("sealed_on", _("The record cannot be sealed before the joining date."))
    row.archival = values


def _duplicates(rows: list[ImportRow], reference: Reference) -> list[RowError]:
    header = BY_KEY["national_id"].header
    rows_by_id: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        if row.national_id:
            rows_by_id[row.national_id].append(row.row)
    errors = []
    for value, numbers in rows_by_id.items():
        if value in reference.existing_ids:
            errors.extend(
                RowError(number, header, value, _("A person with this national ID is already on the roster."))
                for number in numbers
            )
        if len(numbers) > 1:
            for number in numbers:
                others = "、".join(str(other) for other in numbers if other != number)
                reason = _("The same national ID is also on row %(rows)s.") % {"rows": others}
                errors.append(RowError(number, header, value, reason))
    return errors


def _headcount_overflow(rows: list[ImportRow], reference: Reference) -> list[RowError]:
    header = BY_KEY["post_code"].header
    rows_by_post: dict[int, list[ImportRow]] = defaultdict(list)
    for row in rows:
        if row.post is not None:
            rows_by_post[row.post.pk].append(row)
    errors = []
    for post_rows in rows_by_post.values():
        post = post_rows[0].post
        held = reference.held.get(post.pk, 0)
        room = max(post.headcount - held, 0)
        message = _(
            "Post “%(post)s” (%(code)s) has a headcount of %(cap)s: %(held)s held now and %(in_file)s in this file; "
            "this row is beyond the cap."
        ) % {"post": post, "code": post.code, "cap": post.headcount, "held": held, "in_file": len(post_rows)}
        errors.extend(RowError(row.row, header, post.code, message) for row in post_rows[room:])
    return errors


def roster_check(content: bytes) -> CheckResult:
    """Read and check a workbook; raises RosterFileError when it is not a roster at all."""
    raws = read_rows(content)
    reference = reference_load(shown(raw.values["national_id"]).upper() for raw in raws)
    return check_rows(raws, reference)


# --- Writing ------------------------------------------------------------------


@dataclass(frozen=True)
class ImportSummary:
    people: int
    appointed: int
    records: int


def roster_import_save(*, actor: Any, rows: list[ImportRow], filename: str) -> ImportSummary:
    """Write the rows of a check that found no problem, in one transaction: people, archival records,
    appointments, their status changes, and an audit entry for each row created."""
    reason = _("Roster import %(file)s") % {"file": filename}
    try:
        with transaction.atomic():
            _headcount_recheck(rows)
            people = [
                Person(
                    name=row.name,
                    national_id=row.national_id,
                    identity=row.identity,
                    gender=row.gender,
                    birth_date=row.birth_date,
                    education=row.education,
                    joined_on=row.joined_on,
                    status=Person.Status.ON_POST if row.post else Person.Status.PENDING,
                )
                for row in rows
            ]
            Person.objects.bulk_create(people, batch_size=WRITE_BATCH)
            records = [
                ArchivalRecord(person=person, **row.archival)
                for row, person in zip(rows, people, strict=True)
                if row.archival
            ]
            ArchivalRecord.objects.bulk_create(records, batch_size=WRITE_BATCH)
            appointed = [(row, person) for row, person in zip(rows, people, strict=True) if row.post]
            appointments = [
                Appointment(
                    person=person,
                    post=row.post,
                    method=row.method,
                    term_start=row.term_start,
                    term_end=row.term_end,
                    salary_grade=row.salary_grade,
                    probation_end=row.probation_end,
                )
                for row, person in appointed
            ]
            Appointment.objects.bulk_create(appointments, batch_size=WRITE_BATCH)
            StatusChange.objects.bulk_create(
                [
                    StatusChange(
                        person=person,
                        from_status=Person.Status.PENDING,
                        to_status=Person.Status.ON_POST,
                        changed_on=row.term_start,
                        reason=reason[:300],
                        actor=actor,
                    )
                    for row, person in appointed
                ],
                batch_size=WRITE_BATCH,
            )
            for instances in (people, records, appointments):
                audit_bulk_created(actor=actor, instances=instances, reason=reason)
    except IntegrityError as exc:
        # The only constraint the checks could not see coming: the same ID added meanwhile.
        raise ApplicationError(
            _(
                "Someone added one of these people while the file was being checked. Nothing has been imported; "
                "upload the file again to see which."
            )
        ) from exc
    return ImportSummary(people=len(people), appointed=len(appointments), records=len(records))


def _headcount_recheck(rows: list[ImportRow]) -> None:
    """Lock the posts involved and count again, so an appointment made meanwhile cannot overflow a post."""
    wanted = Counter(row.post.pk for row in rows if row.post)
    if not wanted:
        return
    # Lock in id order so two imports touching the same posts cannot deadlock.
    posts = list(Post.objects.select_for_update().filter(pk__in=wanted).order_by("pk"))
    held = dict(
        Appointment.objects.filter(post_id__in=wanted, status=Appointment.Status.ACTIVE)
        .values("post_id")
        .annotate(n=Count("id"))
        .values_list("post_id", "n")
    )
    for post in posts:
        if not post.is_active or held.get(post.pk, 0) + wanted[post.pk] > post.headcount:
            raise ApplicationError(
                _(
                    "While the file was being checked, post “%(post)s” changed: headcount %(cap)s, %(held)s held, "
                    "%(in_file)s in this file. Nothing has been imported; upload the file again."
                )
                % {"post": post, "cap": post.headcount, "held": held.get(post.pk, 0), "in_file": wanted[post.pk]}
            )


# --- The annotated copy -------------------------------------------------------
#
# The uploaded workbook is kept on disk under var/, not in the session: sessions live in
# the database and are read on every request, which is no place for a 10 MB file. The
# file name carries the uploader's id as well as a random token, so only he can fetch it.


def _copy_paths(user_id: int, token: str) -> tuple[Path, Path]:
    stem = ERROR_COPY_DIR / f"{int(user_id)}-{token}"
    return stem.with_suffix(".xlsx"), stem.with_suffix(".json")


def error_copy_store(*, user_id: int, content: bytes, filename: str, errors: list[RowError]) -> str:
    """Keep the upload and its problems for the annotated copy; returns the token that names them."""
    ERROR_COPY_DIR.mkdir(parents=True, exist_ok=True)
    _error_copies_expire()
    token = secrets.token_urlsafe(24)
    workbook_path, errors_path = _copy_paths(user_id, token)
    workbook_path.write_bytes(content)
    errors_path.write_text(
        json.dumps({"filename": filename, "errors": [[e.row, e.column, e.value, e.reason] for e in errors]}),
        encoding="utf-8",
    )
    return token


def _error_copies_expire() -> None:
    oldest = time.time() - ERROR_COPY_TTL_SECONDS
    for path in ERROR_COPY_DIR.iterdir():
        if path.suffix in (".xlsx", ".json") and path.stat().st_mtime < oldest:
            path.unlink(missing_ok=True)


def error_copy(*, user_id: int, token: str) -> tuple[str, bytes] | None:
    """The uploaded workbook with bad cells filled red and a 错误说明 column, and its file name;
    None when the token is unknown, expired or another user's."""
    if not _TOKEN.match(token):
        return None
    workbook_path, errors_path = _copy_paths(user_id, token)
    if not (workbook_path.is_file() and errors_path.is_file()):
        return None
    stored = json.loads(errors_path.read_text(encoding="utf-8"))
    errors = [RowError(*error) for error in stored["errors"]]
    stem = Path(stored["filename"]).stem or DATA_SHEET
    return f"{stem}{ERROR_COPY_SUFFIX}.xlsx", annotate(workbook_path.read_bytes(), errors)


def annotate(content: bytes, errors: list[RowError]) -> bytes:
    """Fill each bad cell red and explain every problem of a row in an added 错误说明 column."""
    workbook = _open(content, read_only=False)
    sheet = _data_sheet(workbook)
    positions = _header_positions(cell.value for cell in sheet[1])
    if ERROR_HEADER in positions:
        # A copy annotated before: start from a clean slate.
        note_column = positions[ERROR_HEADER] + 1
        for (cell,) in sheet.iter_rows(min_row=2, min_col=note_column, max_col=note_column):
            cell.value = None
        for row in sheet.iter_rows(min_row=2, max_col=len(positions)):
            for cell in row:
                if cell.fill == ERROR_FILL:
                    cell.fill = PatternFill(fill_type=None)
    else:
        note_column = max(positions.values(), default=-1) + 2
        header_cell = sheet.cell(row=1, column=note_column, value=ERROR_HEADER)
        header_cell.font = Font(bold=True, color=ERROR_FONT_COLOR)
        header_cell.fill = ERROR_FILL
        sheet.column_dimensions[get_column_letter(note_column)].width = 60
    notes: dict[int, list[str]] = defaultdict(list)
    for error in errors:
        if error.column in positions:
            sheet.cell(row=error.row, column=positions[error.column] + 1).fill = ERROR_FILL
        notes[error.row].append(f"{error.column}：{error.reason}")
    wrap = Alignment(wrap_text=True, vertical="top")
    for row, lines in notes.items():
        cell = sheet.cell(row=row, column=note_column, value="\n".join(lines))
        cell.alignment = wrap
        cell.font = Font(color=ERROR_FONT_COLOR)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
