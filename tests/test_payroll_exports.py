"""The salary sheet, the bank file and the pivot report agree to the fen with the database."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext
from openpyxl import load_workbook

from payroll import exports
from payroll.models import DEDUCTIONS, EARNINGS, PayLine, PayPeriod, PayProfile, PayrollJob
from payroll.selectors import TOTALLED, department_totals, period_totals
from staffing.models import Person
from tests.factories import DepartmentFactory, PersonFactory, PostFactory

pytestmark = pytest.mark.django_db

PAID = (*EARNINGS, "gross_pay", *DEDUCTIONS, "net_pay")
CHINESE = re.compile(r"[\u4e00-\u9fff]")


# --- Pay lines as a calculation writes them -------------------------------------------------------------


def calculated_period(*, year: int = 2026, month: int = 3, status: str = PayPeriod.Status.CALCULATED) -> PayPeriod:
    """A period with a succeeded calculation in force (no lines yet)."""
    period = PayPeriod.objects.create(year=year, month=month, status=status)
    job = PayrollJob.objects.create(
        period=period, kind=PayrollJob.Kind.CALCULATE, status=PayrollJob.Status.SUCCEEDED, total_steps=1, done_steps=1
    )
    period.current_job = job
    period.save(update_fields=["current_job"])
    return period


def pay_line(period: PayPeriod, person: Person, *, department=None, post=None, **amounts) -> PayLine:
    """A line in force of `period`; gross and net pay follow from the components given."""
    values = {field: Decimal(str(amounts.pop(field, 0))) for field in (*EARNINGS, *DEDUCTIONS)}
    archival = amounts.pop("archival_salary", None)
    gross = sum(values[field] for field in EARNINGS if field != "annual_bonus")
    net = gross + values["annual_bonus"] - sum(values[field] for field in DEDUCTIONS)
    post = post or PostFactory(department=department)
    return PayLine.objects.create(
        job_id=period.current_job_id,
        period=period,
        person=person,
        department=post.department,
        post=post,
        identity=person.identity,
        gross_pay=gross,
        net_pay=net,
        archival_salary=None if archival is None else Decimal(str(archival)),
        **values,
        **amounts,
    )


def paid_person(name: str, *, account: str | None = "6222020000000001", **fields) -> Person:
    person = PersonFactory(name=name, **{"status": Person.Status.ON_POST, **fields})
    if account is not None:
        PayProfile.objects.create(person=person, bank_name="工商银行", bank_account=account)
    return person


@pytest.fixture
def period():
    """Two departments: 招商一部 (three people, odd fen everywhere) and 规划建设局 (one waiting
    person without a bank account, one with a negative net pay)."""
    period = calculated_period()
    investment = DepartmentFactory(name="招商一部", code="A")
    planning = DepartmentFactory(name="规划建设局", code="B")
    post_a = PostFactory(department=investment, name="招商专员")
    pay_line(
        period,
        paid_person("张三", account="6222020000000001"),
        post=post_a,
        basic_salary="4500.00",
        basic_performance="1666.67",
        major_work="2000.01",
        investment_promotion="1499.99",
        project_construction="1500.00",
        allowances="300.00",
        pension="907.33",
        medical="226.83",
        unemployment="56.71",
        housing_fund="1361.00",
        income_tax="93.59",
        archival_salary="4200.00",
    )
    pay_line(
        period,
        paid_person("李四", account="6222020000000002", identity=Person.Identity.CIVIL_SERVANT),
        post=post_a,
        basic_salary="5000.00",
        basic_performance="1333.33",
        over_target_bonus="800.00",
        advanced_worker_award="1234.57",
        annual_bonus="12000.00",
        annual_bonus_tax="360.00",
        pension="669.99",
        other_deductions="0.01",
    )
    pay_line(
        period,
        paid_person('=HYPERLINK("http://x")', account="6222020000000003"),
        post=post_a,
        basic_salary="3500.00",
        back_pay="0.05",
    )
    pay_line(
        period,
        paid_person("王五", account=None, identity=Person.Identity.INSTITUTION, status=Person.Status.WAITING),
        department=planning,
        basic_salary="3800.00",
        pension="304.00",
    )
    pay_line(
        period,
        paid_person("赵六", account="6222020000000005"),
        department=planning,
        basic_salary="100.00",
        other_deductions="250.50",
    )
    PayLine.objects.filter(person__name="王五").update(waiting=True)
    return period


def as_decimal(value) -> Decimal | None:
    """openpyxl reads numbers back as floats; compared as the decimals they were written from."""
    if value is None:
        return None
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def rows(sheet) -> list[tuple]:
    return [tuple(row) for row in sheet.iter_rows(min_row=2, values_only=True)]


def header(sheet) -> list[str]:
    return [cell.value for cell in sheet[1]]


def zh(message: str) -> str:
    """A label as the files print it, in Chinese once the catalogue has it."""
    with translation.override("zh-hans"):
        return gettext(message)


def zh_field(field: str, model: type = PayLine) -> str:
    with translation.override("zh-hans"):
        return capfirst(str(model._meta.get_field(field).verbose_name))


def salary_sheet(period):
    return load_workbook(io.BytesIO(exports.salary_sheet_bytes(period)))


# --- The salary sheet ----------------------------------------------------------------------------------


def test_the_salary_sheet_has_a_summary_then_one_sheet_per_department_in_code_order(period):
    assert salary_sheet(period).sheetnames == [zh("Summary"), "招商一部", "规划建设局"]


def test_the_headers_follow_the_components_of_the_pay_line(period):
    summary, investment, _planning = salary_sheet(period).worksheets
    assert header(summary) == ["部门", zh("People paid"), *(zh_field(field) for field in PAID)]
    assert header(investment) == [
        "姓名",
        zh_field("bank_account", PayProfile),
        "身份类别",
        "岗位",
        *(zh_field(field) for field in PAID),
        "档案工资",
    ]


def test_the_files_are_chinese_whatever_the_language_of_the_request(period):
    with translation.override("en"):
        workbook = salary_sheet(period)
        pivot = load_workbook(io.BytesIO(exports.pivot_report_bytes(period)))
        bank_header = next(csv.reader(io.StringIO(exports.bank_file(period)[1:])))
    labels = [
        *workbook.sheetnames,
        *(label for sheet in workbook.worksheets for label in header(sheet)),
        *(rows(sheet)[-1][0] for sheet in workbook.worksheets),
        *pivot.sheetnames,
        *(label for sheet in pivot.worksheets for label in header(sheet)),
        *bank_header,
    ]
    assert [label for label in labels if not CHINESE.search(label)] == []


def test_every_sheet_freezes_its_header_row_and_formats_money(period):
    workbook = salary_sheet(period)
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2"
        assert sheet["A1"].font.bold
        assert sheet.print_title_rows == "$1:$1"  # repeated on every printed page
    summary, department, _planning = workbook.worksheets
    assert department["E2"].number_format == "#,##0.00"
    assert department["A2"].number_format == "General"
    assert summary["B2"].number_format == "General"  # headcount
    assert summary["C2"].number_format == "#,##0.00"


def test_a_department_sheet_lists_each_person_with_archival_salary_beside_actual_pay(period):
    _summary, investment, planning = salary_sheet(period).worksheets
    people = {row[0]: row for row in rows(investment)}
    zhang = people["张三"]
    assert zhang[1:4] == ("6222020000000001", "合同制", "招商专员")
    assert as_decimal(zhang[-2]) == PayLine.objects.get(person__name="张三").net_pay
    assert as_decimal(zhang[-1]) == Decimal("4200.00")
    assert [as_decimal(value) for value in zhang[4:-1]] == [
        getattr(PayLine.objects.get(person__name="张三"), field) for field in PAID
    ]
    waiting = rows(planning)[0]
    assert waiting[:4] == ("王五", None, "事业编制人员", "待岗")  # no bank account, waiting for a post
    assert waiting[-1] is None  # no archival salary recorded


def test_department_totals_and_the_overall_total_agree_to_the_fen_with_the_database(period):
    workbook = salary_sheet(period)
    summary = rows(workbook.worksheets[0])
    expected = department_totals(period)
    assert [row[0] for row in summary] == ["招商一部", "规划建设局", zh("Overall total")]
    for row, totals in zip(summary, expected, strict=False):
        assert row[1] == totals["headcount"]
        assert [as_decimal(value) for value in row[2:]] == [totals[field] for field in PAID]
    overall = period_totals(period)
    assert summary[-1][1] == overall["headcount"] == 5
    assert [as_decimal(value) for value in summary[-1][2:]] == [overall[field] for field in PAID]
    # Each department sheet ends with its totals row, the same figures as its summary row.
    for sheet, summary_row in zip(workbook.worksheets[1:], summary, strict=False):
        last = rows(sheet)[-1]
        assert last[0] == zh("Department total")
        assert [as_decimal(value) for value in last[4:-1]] == [as_decimal(value) for value in summary_row[2:]]
        assert sheet.cell(row=sheet.max_row, column=1).font.bold


def test_text_that_a_spreadsheet_would_run_as_a_formula_is_written_as_text(period):
    sheet = salary_sheet(period).worksheets[1]
    names = [row[0] for row in rows(sheet)]
    assert '\'=HYPERLINK("http://x")' in names
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_sheet_names_are_cleaned_shortened_and_made_unique(period):
    long_name = "开发区管委会[临时]经济发展和科技创新工作专班/综合协调组"
    departments = (("C", long_name), ("D", long_name), ("E", zh("Summary")), ("F", "a:b*c?"), ("G", "研发&<测试>'部'"))
    for code, name in departments:
        pay_line(period, paid_person(f"员工{code}"), department=DepartmentFactory(code=code, name=name))
    names = salary_sheet(period).sheetnames
    cleaned = "开发区管委会_临时_经济发展和科技创新工作专班_综合协调组"
    assert names[3:] == [cleaned[:31], cleaned[:28] + "(2)", zh("Summary") + "(2)", "a_b_c_", "研发&<测试>'部"]
    assert all(len(name) <= 31 for name in names)


def test_a_period_without_lines_gives_a_summary_with_zero_totals():
    workbook = salary_sheet(PayPeriod.objects.create(year=2026, month=4))
    assert workbook.sheetnames == [zh("Summary")]
    assert rows(workbook.worksheets[0]) == [(zh("Overall total"), 0, *([0] * len(PAID)))]


def test_only_the_lines_in_force_are_exported(period):
    earlier = PayrollJob.objects.create(period=period, kind=PayrollJob.Kind.CALCULATE, status="succeeded")
    PayLine.objects.create(
        job=earlier,
        period=period,
        person=paid_person("旧行"),
        department=DepartmentFactory(code="Z"),
        identity="contract",
        net_pay=Decimal(999),
    )
    assert salary_sheet(period).sheetnames == [zh("Summary"), "招商一部", "规划建设局"]


# --- The bank file -------------------------------------------------------------------------------------


def bank_rows(period) -> list[list[str]]:
    text = exports.bank_file(period)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def bank_header() -> list[str]:
    return [zh_field("bank_account", PayProfile), "姓名", zh("Amount")]


def test_the_bank_file_pays_net_pay_to_each_account_and_ends_with_the_totals(period):
    head, *transfers, totals = bank_rows(period)
    assert head == bank_header()
    net = {line.person.name: line.net_pay for line in PayLine.objects.select_related("person")}
    assert ["6222020000000001", "张三", f"{net['张三']:.2f}"] in transfers
    paid = [Decimal(row[2]) for row in transfers]
    assert totals == [zh("Overall total"), str(len(transfers)), f"{sum(paid):.2f}"]
    assert sum(paid) == sum(net[name] for name in ("张三", "李四", '=HYPERLINK("http://x")'))


def test_the_bank_file_leaves_out_people_without_an_account_or_without_pay(period):
    _header, *transfers, _totals = bank_rows(period)
    names = [row[1] for row in transfers]
    assert "王五" not in names  # no bank account
    assert "赵六" not in names  # net pay below zero
    assert len(transfers) == 3


def test_the_bank_file_neutralises_names_a_spreadsheet_would_run(period):
    _header, *transfers, _totals = bank_rows(period)
    assert ["6222020000000003", '\'=HYPERLINK("http://x")', "3500.05"] in transfers


def test_the_bank_file_of_a_period_without_lines_is_a_header_and_a_zero_total():
    assert bank_rows(PayPeriod.objects.create(year=2026, month=5)) == [
        bank_header(),
        [zh("Overall total"), "0", "0.00"],
    ]


# --- The pivot report ----------------------------------------------------------------------------------


def pivot(period):
    return load_workbook(io.BytesIO(exports.pivot_report_bytes(period)))


def test_the_pivot_by_department_totals_every_component_exactly(period):
    workbook = pivot(period)
    assert workbook.sheetnames == [zh("By department"), zh("By identity category")]
    sheet = workbook.worksheets[0]
    assert header(sheet) == ["编码", "部门", zh("People paid"), *(zh_field(field) for field in TOTALLED)]
    assert sheet.freeze_panes == "C2"
    assert sheet["D2"].number_format == "#,##0.00"
    table = {row[0]: row for row in rows(sheet)}
    for totals in department_totals(period):
        row = table[totals["department__code"]]
        assert row[1] == totals["department__name"]
        assert row[2] == totals["headcount"]
        assert [as_decimal(value) for value in row[3:]] == [totals[field] for field in TOTALLED]
    overall = period_totals(period)
    grand = table[zh("Overall total")]
    assert grand[2] == overall["headcount"]
    assert [as_decimal(value) for value in grand[3:]] == [overall[field] for field in TOTALLED]


def test_the_pivot_by_identity_category_adds_up_to_the_same_grand_total(period):
    table = {row[0]: row for row in rows(pivot(period).worksheets[1])}
    # The categories in their order on the roster, then the total.
    assert list(table) == ["公务员", "事业编制人员", "合同制", zh("Overall total")]
    contract = PayLine.objects.filter(identity=Person.Identity.CONTRACT)
    assert table["合同制"][1] == contract.count() == 3
    assert as_decimal(table["合同制"][-1]) == sum(line.net_pay for line in contract)
    assert as_decimal(table[zh("Overall total")][-1]) == period_totals(period)["net_pay"]


def test_the_pivot_report_of_a_period_without_lines_has_zero_totals():
    sheet = pivot(PayPeriod.objects.create(year=2026, month=6)).worksheets[0]
    assert rows(sheet) == [(zh("Overall total"), zh("Overall total"), 0, *([0] * len(TOTALLED)))]


# --- Queries -------------------------------------------------------------------------------------------


def _lines(count: int) -> PayPeriod:
    period = calculated_period(month=7)
    departments = [DepartmentFactory() for _ in range(3)]
    for number in range(count):
        pay_line(period, paid_person(f"员工{number}"), department=departments[number % 3], basic_salary="3000.00")
    return period


@pytest.mark.parametrize("export", [exports.salary_sheet_bytes, exports.bank_file, exports.pivot_report_bytes])
def test_an_export_reads_the_same_number_of_queries_for_ten_or_fifty_lines(export):
    counts = []
    for count in (10, 50):
        period = _lines(count)
        with CaptureQueriesContext(connection) as queries:
            export(period)
        counts.append(len(queries))
        PayPeriod.objects.filter(pk=period.pk).delete()
    assert counts[0] == counts[1] == 1
