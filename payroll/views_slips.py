"""Pay slips and the files finance downloads.

Every member of staff with a person record reads his own pay slips of closed months; finance
reads anyone's, also of a month calculated but not yet closed, and downloads the salary sheet,
the bank file and the pivot report.
"""

import io
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import F, Sum
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from payroll import exports, permissions
from payroll.models import DEDUCTIONS, EARNINGS, PayLine, PayPeriod
from payroll.selectors import period_lines, person_pay_lines
from staffing.models import Person
from staffing.selectors import user_person
from zonehr.roles import role_required
from zonehr.xlsx import XLSX_TYPE

TAX_WORKING = ("contribution_base", "special_additional_deduction", "cumulative_taxable", "cumulative_tax")


@dataclass(frozen=True)
class SlipItem:
    label: str
    value: Decimal | None


def _items(line: PayLine, fields: tuple[str, ...]) -> list[SlipItem]:
    return [SlipItem(capfirst(str(PayLine._meta.get_field(f).verbose_name)), getattr(line, f)) for f in fields]


def _tax_withheld_before(line: PayLine) -> Decimal:
    """Income tax withheld from the person in the closed months of the same year before this one,
    as the cumulative method subtracts it."""
    period = line.period
    earlier = PayLine.objects.filter(
        person_id=line.person_id,
        period__year=period.year,
        period__month__lt=period.month,
        period__status=PayPeriod.Status.CLOSED,
        job_id=F("period__current_job_id"),
    ).aggregate(tax=Sum("income_tax"))["tax"]
    return earlier or Decimal("0.00")


@require_GET
def my_pay(request: HttpRequest) -> HttpResponse:
    """The logged-in member of staff's pay slips of closed months, the latest first."""
    person = user_person(request.user)
    if person is None:
        raise PermissionDenied(_("Your login is not linked to a person on the roster, so it has no pay slips."))
    return render(request, "payroll/my_pay.html", {"person": person, "lines": person_pay_lines(person)})


@require_GET
def slip(request: HttpRequest, period_pk: int, person_pk: int) -> HttpResponse:
    period = get_object_or_404(PayPeriod, pk=period_pk)
    person = get_object_or_404(Person, pk=person_pk)
    if not permissions.can_see_pay_slip(request.user, person):
        raise PermissionDenied(_("A pay slip is for the person it pays and for finance."))
    # Staff see a month once it is closed; finance reviews the slips of a calculated month too.
    if period.status != PayPeriod.Status.CLOSED and not permissions.can_manage(request.user):
        raise Http404(_("This month is not closed yet."))
    line = get_object_or_404(period_lines(period).filter(person=person))
    context = {
        "period": period,
        "line": line,
        "basis": _items(line, ("score", "post_coefficient")),
        "earnings": _items(line, EARNINGS),
        "gross_pay": _items(line, ("gross_pay",))[0],
        "deductions": _items(line, DEDUCTIONS),
        "net_pay": _items(line, ("net_pay",))[0],
        "tax_working": [
            *_items(line, TAX_WORKING),
            SlipItem(_("Income tax withheld earlier this year"), _tax_withheld_before(line)),
            *_items(line, ("income_tax",)),
        ],
        "archival_salary": _items(line, ("archival_salary",))[0],
        "final": period.status == PayPeriod.Status.CLOSED,
        "own": user_person(request.user) == person,
    }
    return render(request, "payroll/slip.html", context)


# --- Downloads for finance ------------------------------------------------------------------------------


def _calculated(pk: int) -> PayPeriod:
    """The period, if it has lines to export: calculated, or closed."""
    period = get_object_or_404(PayPeriod, pk=pk)
    if period.status == PayPeriod.Status.OPEN or period.current_job_id is None:
        raise Http404(_("This month has not been calculated yet: there is nothing to download."))
    return period


def _download(content: bytes, filename: str, content_type: str) -> FileResponse:
    return FileResponse(io.BytesIO(content), as_attachment=True, filename=filename, content_type=content_type)


@require_GET
@role_required(*permissions.MANAGE_ROLES)
def salary_sheet(request: HttpRequest, pk: int) -> FileResponse:
    """A closed month's sheet as it was closed with; a calculated month's built now."""
    period = _calculated(pk)
    filename = f"{period}-{_('Salary sheet')}.xlsx"
    if period.status == PayPeriod.Status.CLOSED and period.salary_sheet:
        return FileResponse(
            period.salary_sheet.open("rb"), as_attachment=True, filename=filename, content_type=XLSX_TYPE
        )
    return _download(exports.salary_sheet_bytes(period), filename, XLSX_TYPE)


@require_GET
@role_required(*permissions.MANAGE_ROLES)
def bank_file(request: HttpRequest, pk: int) -> FileResponse:
    period = _calculated(pk)
    content = exports.bank_file(period).encode("utf-8")
    return _download(content, f"{period}-{_('Bank transfers')}.csv", "text/csv; charset=utf-8")


@require_GET
@role_required(*permissions.MANAGE_ROLES)
def pivot_report(request: HttpRequest, pk: int) -> FileResponse:
    period = _calculated(pk)
    return _download(exports.pivot_report_bytes(period), f"{period}-{_('Pivot report')}.xlsx", XLSX_TYPE)
