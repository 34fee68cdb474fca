"""What finance enters for pay: the pay policy versions, a period's pay inputs and advanced
workers, and each person's pay profile. Every write is validated with a message that names the
figure, audited, and refused when it would change a closed month.
"""

import datetime as dt
import io
import re
import zipfile
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

import openpyxl
from django.db import transaction
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from payroll.models import SHARE_FIELDS, AdvancedWorker, PayInput, PayPeriod, PayPolicy, PayProfile
from staffing import roster_import
from staffing.models import Person
from zonehr.audit import audit_bulk_created, audit_context
from zonehr.errors import ApplicationError, validated_save
from zonehr.xlsx import header_row

POLICY_FIELDS = tuple(
    field.name for field in PayPolicy._meta.concrete_fields if not field.primary_key and field.name != "effective_from"
)
POLICY_MONEY_FIELDS = ("per_head_base", "average_wage", "basic_deduction")
# As shares of the average wage: not bounded by 100 %, only not negative.
POLICY_BASE_FIELDS = ("base_floor", "base_ceiling")
PAID_STATUSES = (Person.Status.ON_POST, Person.Status.WAITING)
_BANK_ACCOUNT = re.compile(r"^[0-9]{1,34}$")


def _label(model: type, field: str) -> str:
    return str(capfirst(model._meta.get_field(field).verbose_name))


def _percent(share: Decimal) -> str:
    return f"{(share * 100).normalize():f} %"


def _number(value: Any) -> Decimal | None:
    """The value as a Decimal when it is one; anything else is left to the model's validation."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


# --- Closed periods ------------------------------------------------------------------------------


def closed_refusal(period: PayPeriod) -> ApplicationError:
    return ApplicationError(
        # The wording of payroll.services, so both read (and translate) the same.
        _("The pay period %(period)s is closed; leadership must reopen it before it can change.") % {"period": period}
    )


def lock_changeable(period: PayPeriod) -> PayPeriod:
    """The period locked for the rest of the transaction, refused when it is closed (a close
    running at the same time locks it too, so one waits for the other)."""
    period = PayPeriod.objects.select_for_update().get(pk=period.pk)
    if period.status == PayPeriod.Status.CLOSED:
        raise closed_refusal(period)
    return period


def closed_period_from(day: dt.date) -> PayPeriod | None:
    """The latest closed period of the month of `day` or later: a policy taking effect then
    would change what a closed month was paid under."""
    return (
        PayPeriod.objects.filter(status=PayPeriod.Status.CLOSED)
        .filter(Q(year__gt=day.year) | Q(year=day.year, month__gte=day.month))
        .order_by("-year", "-month")
        .first()
    )


def latest_closed_period() -> PayPeriod | None:
    return PayPeriod.objects.filter(status=PayPeriod.Status.CLOSED).order_by("-year", "-month").first()


def policy_locked(*, policy: PayPolicy, latest_closed: PayPeriod | None) -> bool:
    """Whether the effective date of `policy` lies in or before a closed month, so that the
    version can no longer change (`latest_closed`: latest_closed_period(), read once for a list)."""
    if latest_closed is None:
        return False
    effective = policy.effective_from
    return (latest_closed.year, latest_closed.month) >= (effective.year, effective.month)


# --- Pay policy ----------------------------------------------------------------------------------


def _policy_errors(policy: PayPolicy) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for field in (*POLICY_MONEY_FIELDS, *POLICY_BASE_FIELDS, *SHARE_FIELDS):
        value = _number(getattr(policy, field))
        if value is None:
            continue
        label = _label(PayPolicy, field)
        if value < 0:
            errors[field] = [_("%(field)s cannot be negative (it is %(value)s).") % {"field": label, "value": value}]
        elif field in SHARE_FIELDS and value > 1:
            errors[field] = [
                _("%(field)s cannot be above 100 %% (it is %(value)s).") % {"field": label, "value": _percent(value)}
            ]
    housing = _number(policy.housing_fund_rate)
    if "housing_fund_rate" not in errors and housing is not None and not Decimal("0.05") <= housing <= Decimal("0.12"):
        errors["housing_fund_rate"] = [
            _("The housing fund rate lies between 5 %% and 12 %% (it is %(value)s).") % {"value": _percent(housing)}
        ]
    floor, ceiling = _number(policy.base_floor), _number(policy.base_ceiling)
    if not errors.keys() & set(POLICY_BASE_FIELDS) and floor is not None and ceiling is not None and floor > ceiling:
        errors["base_floor"] = [
            _("The contribution base floor (%(floor)s) cannot be above the ceiling (%(ceiling)s).")
            % {"floor": _percent(floor), "ceiling": _percent(ceiling)}
        ]
    if isinstance(policy.effective_from, dt.date) and (closed := closed_period_from(policy.effective_from)):
        errors["effective_from"] = [
            _(
                "An effective date of %(date)s lies in or before the closed pay period %(period)s, whose pay "
                "cannot change; choose a date after that month."
            )
            % {"date": policy.effective_from.isoformat(), "period": closed}
        ]
    return errors


def _policy_save(policy: PayPolicy, *, actor: Any, reason: str) -> PayPolicy:
    if errors := _policy_errors(policy):
        raise ApplicationError(" ".join(messages[0] for messages in errors.values()), errors)
    with audit_context(actor=actor, reason=reason):
        validated_save(policy)
    return policy


def _apply(policy: PayPolicy, values: Mapping[str, Any]) -> None:
    unknown = set(values) - {"effective_from", *POLICY_FIELDS}
    if unknown:
        raise TypeError(f"not pay policy fields: {', '.join(sorted(unknown))}")
    for field, value in values.items():
        setattr(policy, field, value)


@transaction.atomic
def pay_policy_create(*, actor: Any, values: Mapping[str, Any], reason: str = "") -> PayPolicy:
    """A new version of the pay policy from its effective date on. Figures not given are those
    of the latest version (the model's defaults when there is none)."""
    latest = PayPolicy.objects.order_by("-effective_from").first()
    policy = PayPolicy()
    if latest is not None:
        for field in POLICY_FIELDS:
            setattr(policy, field, getattr(latest, field))
    _apply(policy, values)
    return _policy_save(policy, actor=actor, reason=reason)


@transaction.atomic
def pay_policy_update(*, actor: Any, policy: PayPolicy, values: Mapping[str, Any], reason: str = "") -> PayPolicy:
    """Correct a version that no closed month was paid under; a version in force in a closed
    month stays as it was, and a change takes a new version instead."""
    policy = PayPolicy.objects.select_for_update().get(pk=policy.pk)
    if closed := closed_period_from(policy.effective_from):
        raise ApplicationError(
            _(
                "The pay policy from %(date)s was in force in the closed pay period %(period)s and cannot be "
                "changed; add a new version that takes effect after it."
            )
            % {"date": policy.effective_from.isoformat(), "period": closed},
            {"effective_from": [_("In force in a closed period.")]},
        )
    _apply(policy, values)
    return _policy_save(policy, actor=actor, reason=reason)


# --- Pay inputs ----------------------------------------------------------------------------------


def _amount_errors(amount: Any) -> dict[str, list[str]]:
    value = _number(amount)
    if value is not None and value < 0:
        return {
            "amount": [
                _("The amount cannot be negative (it is %(value)s); enter a deduction as its own kind.")
                % {"value": value}
            ]
        }
    return {}


def _refuse(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ApplicationError(" ".join(messages[0] for messages in errors.values()), errors)


def _require_paid(person: Person, *, statuses: tuple[str, ...] = PAID_STATUSES) -> None:
    person = Person.objects.only("status", "name").get(pk=person.pk)
    if person.status not in statuses:
        raise ApplicationError(
            _("%(person)s is not paid this month (status: %(status)s).")
            % {"person": person.name, "status": person.get_status_display()},
            {"person": [_("Not paid.")]},
        )


def pay_input_add(
    *, actor: Any, period: PayPeriod, person: Person, kind: str, amount: Decimal, note: str = ""
) -> PayInput:
    """An amount for one paid person in one period (allowance, over-target bonus, back pay,
    deduction or one-off annual bonus); amounts of the same kind add up."""
    _refuse(_amount_errors(amount))
    with transaction.atomic(), audit_context(actor=actor):
        period = lock_changeable(period)
        _require_paid(person)
        pay_input = PayInput(period=period, person=person, kind=kind, amount=amount, note=note)
        validated_save(pay_input)
    return pay_input


def pay_input_update(*, actor: Any, pay_input: PayInput, kind: str, amount: Decimal, note: str = "") -> PayInput:
    _refuse(_amount_errors(amount))
    with transaction.atomic(), audit_context(actor=actor):
        lock_changeable(pay_input.period)
        pay_input = PayInput.objects.select_for_update().get(pk=pay_input.pk)
        pay_input.kind = kind
        pay_input.amount = amount
        pay_input.note = note
        validated_save(pay_input)
    return pay_input


def pay_input_delete(*, actor: Any, pay_input: PayInput) -> None:
    with transaction.atomic(), audit_context(actor=actor):
        lock_changeable(pay_input.period)
        PayInput.objects.filter(pk=pay_input.pk).delete()


# --- Advanced workers ----------------------------------------------------------------------------


def advanced_worker_name(*, actor: Any, period: PayPeriod, person: Person) -> AdvancedWorker:
    """Name a person on post for the advanced-worker award of `period`. Waiting staff are paid
    their basic salary only, so they are not named."""
    with transaction.atomic(), audit_context(actor=actor):
        period = lock_changeable(period)
        _require_paid(person, statuses=(Person.Status.ON_POST,))
        if period.advanced_workers.filter(person=person).exists():
            raise ApplicationError(
                _("%(person)s is already named for the advanced-worker award of %(period)s.")
                % {"person": person.name, "period": period},
                {"person": [_("Already named.")]},
            )
        return AdvancedWorker.objects.create(period=period, person=person)


def advanced_worker_unname(*, actor: Any, advanced_worker: AdvancedWorker) -> None:
    with transaction.atomic(), audit_context(actor=actor):
        lock_changeable(advanced_worker.period)
        AdvancedWorker.objects.filter(pk=advanced_worker.pk).delete()


def award_pool_outdated(period: PayPeriod) -> bool:
    """Whether naming or unnaming advanced workers changed what the approved packages assumed:
    the award pool is set aside when the packages are approved, so they must be approved again."""
    if period.performance_pool is None:
        return False
    return (period.award_pool > 0) != period.advanced_workers.exists()


# --- Pay profiles --------------------------------------------------------------------------------


def pay_profile_save(
    *,
    actor: Any,
    person: Person,
    bank_name: str = "",
    bank_account: str = "",
    special_additional_deduction: Decimal = Decimal(0),
    contribution_wage: Decimal | None = None,
) -> PayProfile:
    """A person's bank account, monthly special additional deductions and declared contribution
    wage, created or replaced; they apply from the next calculation."""
    account = re.sub(r"\s+", "", bank_account or "")
    errors: dict[str, list[str]] = {}
    if account and not _BANK_ACCOUNT.match(account):
        errors["bank_account"] = [_("A bank account is made of digits only (at most 34).")]
    for field, value in (
        ("special_additional_deduction", special_additional_deduction),
        ("contribution_wage", contribution_wage),
    ):
        number = _number(value)
        if number is not None and number < 0:
            errors[field] = [
                _("%(field)s cannot be negative (it is %(value)s).")
                % {"field": _label(PayProfile, field), "value": number}
            ]
    _refuse(errors)
    with transaction.atomic(), audit_context(actor=actor):
        profile = PayProfile.objects.select_for_update().filter(person=person).first() or PayProfile(person=person)
        profile.bank_name = (bank_name or "").strip()
        profile.bank_account = account
        profile.special_additional_deduction = special_additional_deduction
        profile.contribution_wage = contribution_wage
        validated_save(profile)
    return profile


# --- Import from a workbook ----------------------------------------------------------------------

# The office's file format, so Chinese headers are constants, not translations (as for the roster).
IMPORT_SHEET = "薪酬录入"
IMPORT_NATIONAL_ID = "身份证号"
IMPORT_NAME = "姓名"
IMPORT_KIND = "类型"
IMPORT_AMOUNT = "金额"
IMPORT_NOTE = "备注"
IMPORT_HEADERS = (IMPORT_NATIONAL_ID, IMPORT_NAME, IMPORT_KIND, IMPORT_AMOUNT, IMPORT_NOTE)
IMPORT_MAX_ROWS = roster_import.MAX_ROWS
IMPORT_BATCH = 1000
NOTE_LENGTH = PayInput._meta.get_field("note").max_length
AMOUNT_LIMIT = Decimal(10) ** 12


class PayInputImportError(ApplicationError):
    """Nothing was imported: `errors` names each cell to correct (row, column, value, reason)."""

    def __init__(self, message: str, errors: list[roster_import.RowError]) -> None:
        super().__init__(message)
        self.errors = errors


def pay_inputs_template() -> bytes:
    """The empty workbook to fill in: the headers, a list of the kinds, and how to fill it."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = IMPORT_SHEET
    header_row(sheet, list(IMPORT_HEADERS), [22, 12, 16, 12, 40])
    sheet.column_dimensions["A"].number_format = "@"  # an 18-digit ID must stay text
    kinds = ",".join(roster_import.choice_labels(PayInput.Kind))
    validation = DataValidation(type="list", formula1=f'"{kinds}"', allow_blank=True, errorStyle="warning")
    validation.add(f"C2:C{IMPORT_MAX_ROWS + 1}")
    sheet.add_data_validation(validation)
    notes = workbook.create_sheet("说明")
    notes.append(
        [
            _(
                "One amount per row from row 2 of sheet %(sheet)s: the person by national ID (or by name when only "
                "one paid person has it), the kind, the amount in yuan (not negative, at most 2 decimal places) and "
                "a note. Nothing is imported unless every row is valid."
            )
            % {"sheet": IMPORT_SHEET}
        ]
    )
    for label, code in roster_import.choice_labels(PayInput.Kind).items():
        notes.append([label, code])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _import_rows(content: bytes) -> list[tuple[int, dict[str, Any]]]:
    if not content.startswith(b"PK"):
        raise ApplicationError(
            _("The file is not an .xlsx workbook. In Excel, save it as “Excel Workbook (*.xlsx)” and upload that.")
        )
    damaged = ApplicationError(
        _("The workbook could not be read; it may be damaged. Open it in Excel, save it again and upload that.")
    )
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError, OSError) as exc:
        raise damaged from exc
    try:
        sheet = workbook[IMPORT_SHEET] if IMPORT_SHEET in workbook.sheetnames else workbook.worksheets[0]
        sheet.reset_dimensions()
        cells = sheet.iter_rows(values_only=True)
        positions: dict[str, int] = {}
        for index, value in enumerate(next(cells, ())):
            positions.setdefault(str(value).strip() if value is not None else "", index)
        missing = [header for header in (IMPORT_KIND, IMPORT_AMOUNT) if header not in positions]
        if IMPORT_NATIONAL_ID not in positions and IMPORT_NAME not in positions:
            missing.insert(0, IMPORT_NATIONAL_ID)
        if missing:
            raise ApplicationError(
                _(
                    "The first row of sheet “%(sheet)s” must hold the column headers; missing: %(columns)s. "
                    "Download the template to see them."
                )
                % {"sheet": sheet.title, "columns": "、".join(missing)}
            )
        rows = []
        for number, values in enumerate(cells, start=2):
            row = {}
            for header in IMPORT_HEADERS:
                value = values[positions[header]] if header in positions and positions[header] < len(values) else None
                row[header] = (value.strip() or None) if isinstance(value, str) else value
            if all(value is None for value in row.values()):
                continue
            if len(rows) == IMPORT_MAX_ROWS:
                raise ApplicationError(
                    _("The file has more than %(max)s rows; split it into several files.") % {"max": IMPORT_MAX_ROWS}
                )
            rows.append((number, row))
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as exc:
        raise damaged from exc
    finally:
        workbook.close()
    if not rows:
        raise ApplicationError(_("The file has no data rows below the headers."))
    return rows


def _import_amount(value: Any) -> Decimal:
    if value is None:
        raise ValueError(_("Required."))
    text = f"{value:.15g}" if isinstance(value, float) else str(value).replace(",", "").strip()
    amount = None if isinstance(value, bool) else _number(text)
    if amount is None:
        raise ValueError(_("Not an amount."))
    if amount < 0:
        raise ValueError(_("An amount cannot be negative; enter a deduction as its own kind."))
    if amount.as_tuple().exponent < -2:
        raise ValueError(_("At most 2 decimal places."))
    if amount >= AMOUNT_LIMIT:
        raise ValueError(_("The amount is too large."))
    return amount


def _refuse_cell(
    errors: list[roster_import.RowError], number: int, row: dict[str, Any], column: str, reason: str
) -> None:
    errors.append(roster_import.RowError(number, column, roster_import.shown(row[column]), reason))


def _check_import(
    rows: list[tuple[int, dict[str, Any]]], *, period: PayPeriod
) -> tuple[list[PayInput], list[roster_import.RowError]]:
    """Every row checked against the paid staff, read in two queries; every problem collected."""
    shown = roster_import.shown
    ids = {shown(row[IMPORT_NATIONAL_ID]).upper() for _number, row in rows if row[IMPORT_NATIONAL_ID] is not None}
    names = {shown(row[IMPORT_NAME]) for _number, row in rows if row[IMPORT_NAME] is not None}
    # People, not ids: the audit entries name each input by its person without a query per row.
    paid = Person.objects.filter(status__in=PAID_STATUSES).only("id", "name", "national_id")
    by_id = {person.national_id: person for person in paid.filter(national_id__in=ids)}
    by_name: dict[str, list[Person]] = {}
    for person in paid.filter(name__in=names):
        by_name.setdefault(person.name, []).append(person)
    kinds = roster_import.choice_labels(PayInput.Kind)
    entries, errors = [], []
    for number, row in rows:
        refuse = partial(_refuse_cell, errors, number, row)
        national_id, name = shown(row[IMPORT_NATIONAL_ID]).upper(), shown(row[IMPORT_NAME])
        person = None
        if national_id:
            found = by_id.get(national_id)
            if found is None:
                refuse(IMPORT_NATIONAL_ID, _("No paid person has this national ID."))
            elif name and name != found.name:
                refuse(IMPORT_NAME, _("The national ID is that of %(name)s.") % {"name": found.name})
            else:
                person = found
        elif name:
            matches = by_name.get(name, [])
            if len(matches) == 1:
                person = matches[0]
            else:
                refuse(
                    IMPORT_NAME,
                    _("More than one paid person has this name; give the national ID.")
                    if matches
                    else _("No paid person has this name."),
                )
        else:
            refuse(IMPORT_NATIONAL_ID, _("Give the national ID or the name."))
        kind = shown(row[IMPORT_KIND])
        kind = kinds.get(kind, kind)
        if kind not in PayInput.Kind.values:
            refuse(IMPORT_KIND, _("Unknown value; allowed: %(allowed)s.") % {"allowed": "、".join(kinds)})
        try:
            amount = _import_amount(row[IMPORT_AMOUNT])
        except ValueError as exc:
            refuse(IMPORT_AMOUNT, str(exc))
            amount = None
        note = shown(row[IMPORT_NOTE])
        if len(note) > NOTE_LENGTH:
            refuse(IMPORT_NOTE, _("At most %(count)s characters.") % {"count": NOTE_LENGTH})
        if person is not None and amount is not None and kind in PayInput.Kind.values:
            entries.append(PayInput(period=period, person=person, kind=kind, amount=amount, note=note))
    return entries, errors


def pay_inputs_import(*, actor: Any, period: PayPeriod, filename: str, content: bytes) -> list[PayInput]:
    """Add the pay inputs of a workbook to `period`, all or nothing: a file with any bad cell is
    refused with a PayInputImportError naming each one. Set-based: a fixed number of queries."""
    roster_import.file_check(filename, len(content))
    with transaction.atomic():
        period = lock_changeable(period)
        entries, errors = _check_import(_import_rows(content), period=period)
        if errors:
            raise PayInputImportError(
                _("Nothing was imported: %(count)s cells need correcting.") % {"count": len(errors)}, errors
            )
        PayInput.objects.bulk_create(entries, batch_size=IMPORT_BATCH)
        audit_bulk_created(actor=actor, instances=entries, reason=_("Pay input import %(file)s") % {"file": filename})
    return entries
