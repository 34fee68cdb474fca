"""The files finance hands on: the salary sheet (xlsx), the bank transfer file (CSV) and the pivot
report (xlsx by pandas), all from the period's lines in force, one query each.

The files are Chinese whatever the language of the page that asked for them: they are filed as
documents of the finance office. Money is summed as Decimal from the lines, so every total agrees
to the fen with payroll.selectors.period_totals and department_totals.

The salary sheet streams its XML straight into the zip: openpyxl, even in write-only mode, spends
about 30 microseconds on a cell with a number format, over a minute for 100,000 lines; this
writer needs about 3 seconds. It writes the small part of SpreadsheetML the sheet needs: inline
text, numbers, five cell styles, column widths, a frozen header row repeated on every printed page.
"""

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

import pandas as pd
from django.db.models import Count, Sum
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from payroll.models import DEDUCTIONS, EARNINGS, PayLine, PayPeriod, PayProfile
from payroll.selectors import TOTALLED, period_lines
from staffing.models import Department, Person
from zonehr.xlsx import FORMULA_PREFIXES, safe_cell, sheet_title

MONEY_FORMAT = "#,##0.00"  # Excel's built-in number format 4
ZERO = Decimal("0.00")
# The person's columns of a department sheet, then every component, net pay, the archival salary.
PAID = (*EARNINGS, "gross_pay", *DEDUCTIONS, "net_pay")
LINE_FIELDS = (
    "department_id",
    "department__name",
    "person__name",
    "person__pay_profile__bank_account",
    "identity",
    "waiting",
    "post__name",
    *PAID,
    "archival_salary",
)
FIRST_AMOUNT = LINE_FIELDS.index(PAID[0])
# Excel refuses these in a sheet's name, limits it to 31 characters and reserves "History".


def _label(model: type, field: str) -> str:
    return capfirst(str(model._meta.get_field(field).verbose_name))


def _ordered_values(period: PayPeriod, fields: tuple[str, ...]) -> Iterator[tuple]:
    """The period's lines in force as tuples, by department code then name, in one query."""
    lines = period_lines(period).order_by("department__code", "department_id", "person__name", "person_id")
    return lines.values_list(*fields).iterator(chunk_size=2000)


# --- A streaming xlsx writer ------------------------------------------------------------------------

TEXT, MONEY, COUNT = "text", "money", "count"
# Cell style numbers, as listed in STYLES below.
PLAIN, AMOUNT, HEADER, BOLD, BOLD_AMOUNT = range(5)
STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>
<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>
<fill><patternFill patternType="solid"><fgColor rgb="FFDDE6F2"/><bgColor indexed="64"/></patternFill></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="5">
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>
<xf numFmtId="4" fontId="1" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyFont="1"/>
</cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


def _text_cell(reference: str, value: str, style: int) -> str:
    if value.startswith(FORMULA_PREFIXES):
        value = safe_cell(value)
    text = escape(ILLEGAL_CHARACTERS_RE.sub("", value))
    space = ' xml:space="preserve"' if text != text.strip() else ""
    styled = f' s="{style}"' if style else ""
    return f'<c r="{reference}"{styled} t="inlineStr"><is><t{space}>{text}</t></is></c>'


class Worksheet:
    """One sheet being written: a header row, then rows of text and numbers."""

    def __init__(self, out: io.TextIOBase, kinds: list[str]) -> None:
        self._out = out
        self._letters = [get_column_letter(index) for index in range(1, len(kinds) + 1)]
        self._styles = [AMOUNT if kind == MONEY else PLAIN for kind in kinds]
        self._bold_styles = [BOLD_AMOUNT if kind == MONEY else BOLD for kind in kinds]
        self.rows = 0

    def append(self, values: Iterable, *, bold: bool = False) -> None:
        """Text, Decimal or int values, None or "" for an empty cell; a bold row is a totals row."""
        self.rows += 1
        number = self.rows
        styles = self._bold_styles if bold else self._styles
        cells = [f'<row r="{number}">']
        # This runs for every cell of 100,000 lines: type() rather than isinstance(), and str()
        # of a Decimal, which is twice as fast as format().
        for letter, style, value in zip(self._letters, styles, values, strict=False):
            if type(value) is str:
                if value:
                    cells.append(_text_cell(f"{letter}{number}", value, style))
            elif value is not None:
                cells.append(f'<c r="{letter}{number}" s="{style}"><v>{value!s}</v></c>')
        cells.append("</row>")
        self._out.write("".join(cells))

    def header(self, titles: list[str]) -> None:
        self.rows += 1
        pairs = zip(self._letters, titles, strict=True)
        cells = "".join(_text_cell(f"{letter}1", title, HEADER) for letter, title in pairs)
        self._out.write(f'<row r="1">{cells}</row>')


class XlsxStream:
    """Writes an xlsx into `buffer` one sheet after the other; the workbook lists them in that
    order, except a sheet written with `first` (a summary known only at the end), listed first."""

    def __init__(self, buffer: io.BytesIO) -> None:
        # Level 1: nearly as small as the default and twice as fast on 100,000 lines.
        self._zip = zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self._sheets: list[tuple[str, int]] = []  # (title, file number) in the workbook's order

    @contextmanager
    def sheet(self, title: str, kinds: list[str], widths: list[int], *, first: bool = False) -> Iterator[Worksheet]:
        number = len(self._sheets) + 1
        self._sheets.insert(0 if first else len(self._sheets), (title, number))
        # No ZIP64 records: Excel offers to "repair" a file that has them; a sheet stays far below 2 GiB.
        with self._zip.open(f"xl/worksheets/sheet{number}.xml", "w") as raw:
            out = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            columns = "".join(
                f'<col min="{index}" max="{index}" width="{width}" customWidth="1"/>'
                for index, width in enumerate(widths, start=1)
            )
            out.write(
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN_NS}" '
                f'xmlns:r="{REL_NS}"><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
                'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
                f'</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/><cols>{columns}</cols><sheetData>'
            )
            yield Worksheet(out, kinds)
            out.write("</sheetData></worksheet>")
            out.flush()
            out.detach()

    def close(self) -> None:
        count = len(self._sheets)
        sheets = "".join(
            f'<sheet name={quoteattr(title)} sheetId="{number}" r:id="rId{number}"/>' for title, number in self._sheets
        )
        # The header row is printed on every page of a long department.
        print_titles = "".join(
            f'<definedName name="_xlnm.Print_Titles" localSheetId="{position}">'
            f"{escape(_quoted(title))}!$1:$1</definedName>"
            for position, (title, _number) in enumerate(self._sheets)
        )
        self._zip.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{MAIN_NS}" '
            f'xmlns:r="{REL_NS}"><bookViews><workbookView/></bookViews><sheets>{sheets}</sheets>'
            f"<definedNames>{print_titles}</definedNames></workbook>",
        )
        relations = "".join(
            f'<Relationship Id="rId{number}" Type="{REL_NS}/worksheet" Target="worksheets/sheet{number}.xml"/>'
            for number in range(1, count + 1)
        )
        self._zip.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PACKAGE_REL_NS}">'
            f'{relations}<Relationship Id="rId{count + 1}" Type="{REL_NS}/styles" Target="styles.xml"/>'
            "</Relationships>",
        )
        self._zip.writestr("xl/styles.xml", STYLES)
        self._zip.writestr(
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PACKAGE_REL_NS}">'
            f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{number}.xml" ContentType="{SHEET_TYPE}"/>'
            for number in range(1, count + 1)
        )
        self._zip.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{overrides}</Types>",
        )
        self._zip.close()


def _quoted(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


# --- The salary sheet ------------------------------------------------------------------------------


def salary_sheet_bytes(period: PayPeriod) -> bytes:
    """The salary sheet: a summary sheet (per department its headcount and the total of every
    component, then the overall total) and one sheet per department (per person: name, bank
    account, identity category, post, every earning, gross pay, every deduction, net pay and the
    archival salary beside it; a totals row under them). One query however many lines."""
    with translation.override("zh-hans"):
        return _salary_sheet(period)


def _salary_sheet(period: PayPeriod) -> bytes:
    summary_title = _("Summary")
    taken = {summary_title.lower()}
    component_labels = [_label(PayLine, field) for field in PAID]
    person_kinds = [TEXT] * 4 + [MONEY] * (len(PAID) + 1)
    person_headers = [
        _("Name"),
        _label(PayProfile, "bank_account"),
        _label(PayLine, "identity"),
        _label(PayLine, "post"),
        *component_labels,
        _label(PayLine, "archival_salary"),
    ]
    person_widths = [10, 22, 12, 16, *([12] * (len(PAID) + 1))]
    identities = {value: str(label) for value, label in Person.Identity.choices}
    waiting = str(Person.Status.WAITING.label)
    department_total = _("Department total")

    buffer = io.BytesIO()
    stream = XlsxStream(buffer)
    summary: list[tuple[str, int, list[Decimal]]] = []
    lines = _ordered_values(period, LINE_FIELDS)
    line = next(lines, None)
    while line is not None:
        department_id, department_name = line[0], line[1]
        totals = [ZERO] * len(PAID)
        headcount = 0
        title = sheet_title(department_name, taken, fallback=_("Department"))
        with stream.sheet(title, person_kinds, person_widths) as sheet:
            sheet.header(person_headers)
            while line is not None and line[0] == department_id:
                amounts = line[FIRST_AMOUNT:-1]
                totals = [total + amount for total, amount in zip(totals, amounts, strict=True)]
                headcount += 1
                post = waiting if line[5] else line[6]
                sheet.append((line[2], line[3], identities.get(line[4], line[4]), post, *amounts, line[-1]))
                line = next(lines, None)
            sheet.append([department_total, None, None, None, *totals], bold=True)
        summary.append((department_name, headcount, totals))

    kinds = [TEXT, COUNT] + [MONEY] * len(PAID)
    with stream.sheet(summary_title, kinds, [20, 10, *([12] * len(PAID))], first=True) as sheet:
        sheet.header([_label(PayLine, "department"), _("People paid"), *component_labels])
        overall = [ZERO] * len(PAID)
        people = 0
        for name, headcount, totals in summary:
            sheet.append([name, headcount, *totals])
            overall = [sum_ + amount for sum_, amount in zip(overall, totals, strict=True)]
            people += headcount
        sheet.append([_("Overall total"), people, *overall], bold=True)
    stream.close()
    return buffer.getvalue()


# --- The bank transfer file --------------------------------------------------------------------------


def bank_file(period: PayPeriod) -> str:
    """The transfers to make: a header, one row per person with net pay above zero and a bank
    account (account, name, amount to the fen), and a totals line (its label, the number of
    transfers, the total amount). UTF-8 with a byte order mark, so Excel reads the Chinese names.

    People without a bank account are left out: the calculation lists them among the period's
    warnings, and finance pays them by other means or enters the account and recalculates.
    One query.
    """
    with translation.override("zh-hans"):
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.writer(out)
        writer.writerow([_label(PayProfile, "bank_account"), _("Name"), _("Amount")])
        count, total = 0, ZERO
        for account, name, net_pay in _ordered_values(
            period, ("person__pay_profile__bank_account", "person__name", "net_pay")
        ):
            account = (account or "").strip()
            if net_pay <= 0 or not account:
                continue
            writer.writerow([safe_cell(account), safe_cell(name), f"{net_pay:.2f}"])
            count += 1
            total += net_pay
        writer.writerow([_("Overall total"), count, f"{total:.2f}"])
        return out.getvalue()


# --- The pivot report --------------------------------------------------------------------------------


def _decimal_sum(values: pd.Series) -> Decimal:
    # pandas would add money as float; Python's sum over the Decimals is exact.
    return sum(values, ZERO)


def pivot_report_bytes(period: PayPeriod) -> bytes:
    """Two pandas pivot tables, each with a grand total row: department × component and identity
    category × component (headcount, every earning, gross pay, every deduction, net pay).

    The database sums per department and identity category in one query; pandas pivots those
    figures, adding them as Decimal.
    """
    with translation.override("zh-hans"):
        return _pivot_report(period)


def _pivot_report(period: PayPeriod) -> bytes:
    groups = (
        period_lines(period)
        .values("department__code", "department__name", "identity")
        .annotate(headcount=Count("id"), **{field: Sum(field) for field in TOTALLED})
        .order_by("department__code", "identity")
    )
    components = {"headcount": _("People paid"), **{field: _label(PayLine, field) for field in TOTALLED}}
    identity_order = {value: rank for rank, value in enumerate(Person.Identity.values)}
    identities = {value: str(label) for value, label in Person.Identity.choices}
    code, department, identity = _label(Department, "code"), _label(PayLine, "department"), _label(PayLine, "identity")
    records = [
        {
            code: safe_cell(group["department__code"]),
            department: safe_cell(group["department__name"]),
            identity: identities.get(group["identity"], group["identity"]),
            "rank": identity_order.get(group["identity"], len(identity_order)),
            "component": label,
            "amount": ZERO if group[field] is None else group[field],
        }
        for group in groups
        for field, label in components.items()
    ]
    frame = pd.DataFrame.from_records(records, columns=[code, department, identity, "rank", "component", "amount"])
    total = _("Overall total")
    tables = {
        _("By department"): _pivot(frame, index=[code, department], components=components, total=total),
        _("By identity category"): _pivot(
            frame.sort_values("rank", kind="stable"), index=[identity], components=components, total=total
        ),
    }
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, table in tables.items():
            levels = table.index.nlevels
            table.to_excel(writer, sheet_name=name, freeze_panes=(1, levels), merge_cells=False)
            sheet = writer.sheets[name]
            # The headcount column keeps the general format; every amount after it gets yuan and fen.
            for row in sheet.iter_rows(min_row=2, min_col=levels + 2):
                for cell in row:
                    cell.number_format = MONEY_FORMAT
            for column in sheet.columns:
                sheet.column_dimensions[column[0].column_letter].width = 14
    return buffer.getvalue()


def _pivot(frame: pd.DataFrame, *, index: list[str], components: dict[str, str], total: str) -> pd.DataFrame:
    """`index` × component in the order of `components`, rows in their order in `frame`, and a
    grand total row."""
    columns = list(components.values())
    if frame.empty:
        totals = [0, *([ZERO] * (len(columns) - 1))]
        return pd.DataFrame(
            [totals], columns=columns, index=pd.MultiIndex.from_tuples([(total,) * len(index)], names=index)
        )
    table = frame.pivot_table(
        index=index,
        columns="component",
        values="amount",
        aggfunc=_decimal_sum,
        margins=True,
        margins_name=total,
        sort=False,
    )
    # The margin column would add earnings and deductions together: only the total row is kept.
    table = table.drop(columns=total)[columns]
    table.columns.name = None
    return table
