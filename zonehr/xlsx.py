"""Spreadsheet downloads shared by every app."""

import datetime as dt
import re
from decimal import Decimal
from io import BytesIO
from urllib.parse import quote

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE6F2")
# A cell starting with one of these is read as a formula by Excel and WPS (formula injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Characters Excel refuses in a sheet's name, its length limit, and a name it keeps for itself.
SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_TITLE_LENGTH = 31
RESERVED_TITLES = {"history"}


def safe_cell(value):
    """Text that a spreadsheet would run as a formula is prefixed with a quote; numbers pass."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    if isinstance(value, Decimal | int | float | dt.date) or value is None:
        return value
    return str(value)


def header_row(sheet, headers: list[str], widths: list[int] | None = None) -> None:
    """Write a bold, frozen header row (the sheet must not be write-only)."""
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths or [], start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width


def workbook_response(workbook: Workbook, filename: str) -> HttpResponse:
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    # RFC 5987 so Chinese file names survive every browser.
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def sheet_title(name: str, taken: set[str], *, fallback: str) -> str:
    """A sheet name Excel accepts (31 characters, none of []:*?/\\, no control characters, not a
    reserved name), unique case-insensitively among `taken`, which it joins; `fallback` when
    nothing of `name` is left."""
    base = ILLEGAL_CHARACTERS_RE.sub("", SHEET_TITLE_FORBIDDEN.sub("_", name)).strip().strip("'") or fallback
    title, number = base[:SHEET_TITLE_LENGTH].rstrip("'"), 1
    while title.lower() in taken or title.lower() in RESERVED_TITLES:
        number += 1
        suffix = f"({number})"
        title = base[: SHEET_TITLE_LENGTH - len(suffix)] + suffix
    taken.add(title.lower())
    return title
