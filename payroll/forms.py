"""Forms of the payroll pages for the policy, packages, inputs and profiles. Range rules (no
negative amount, no rate above 100 %, no date in a closed month) are left to the services in
payroll.inputs and payroll.packages, so the pages and the API refuse with the same sentence."""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.db.models import Q
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _

from payroll.inputs import PAID_STATUSES, POLICY_BASE_FIELDS, POLICY_MONEY_FIELDS
from payroll.models import SHARE_FIELDS, PayInput, PayPolicy, PayProfile
from payroll.packages import coefficient_field
from staffing.models import Department, Person
from zonehr.forms import Form, workbook_field
from zonehr.widgets import FastSelect

HUNDRED = Decimal(100)
TABLE_FIELDS = ("annual_tax_table", "bonus_tax_table")
OPEN_BOUND = {"-", "—", "∞", "无"}
_SEPARATORS = re.compile(r"[\s,，;；|]+")


def _model_label(model: type, name: str):
    return capfirst(model._meta.get_field(name).verbose_name)


def _help(model: type, name: str):
    return model._meta.get_field(name).help_text


def _plain(number: Decimal) -> str:
    return f"{number.normalize():f}"


# --- Tax tables as text --------------------------------------------------------------------------


def table_text(rows: list) -> str:
    """A stored tax table as the lines the form shows: upper bound, rate in %, quick deduction."""
    lines = []
    for up_to, rate, quick in rows:
        bound = "-" if up_to is None else _plain(Decimal(str(up_to)))
        lines.append(f"{bound}\t{_plain(Decimal(str(rate)) * HUNDRED)}\t{_plain(Decimal(str(quick)))}")
    return "\n".join(lines)


class TaxTableField(forms.CharField):
    """One bracket per line, lowest first: upper bound, rate in %, quick deduction, separated by
    spaces, tabs or commas (a copy from a spreadsheet works); "-" or nothing for the top bracket's
    open bound. Cleans to the stored rows [bound or None, rate as a share, quick deduction]."""

    widget = forms.Textarea(attrs={"rows": 8, "class": "mono"})

    def to_python(self, value):
        text = super().to_python(value)
        rows = []
        for number, line in enumerate(text.splitlines(), start=1):
            parts = [part for part in _SEPARATORS.split(line.strip()) if part]
            if not parts:
                continue
            if len(parts) == 2:
                parts = ["-", *parts]
            if len(parts) != 3:
                raise forms.ValidationError(
                    _("Line %(line)s: write an upper bound, a rate in per cent and a quick deduction."),
                    params={"line": number},
                )
            bound, rate, quick = parts
            try:
                up_to = None if bound in OPEN_BOUND else Decimal(bound)
                rows.append(
                    [None if up_to is None else _plain(up_to), _plain(Decimal(rate) / HUNDRED), _plain(Decimal(quick))]
                )
            except InvalidOperation:
                raise forms.ValidationError(
                    _("Line %(line)s: “%(text)s” is not three numbers."), params={"line": number, "text": line.strip()}
                ) from None
        return rows


class PercentField(forms.DecimalField):
    """A share entered in per cent (25 for 25 %) and cleaned to the stored share (0.25)."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=7, decimal_places=2, **kwargs)

    def clean(self, value):
        percent = super().clean(value)
        return None if percent is None else percent / HUNDRED


# --- Pay policy ----------------------------------------------------------------------------------


class PayPolicyForm(Form):
    """Every figure of a pay policy version; shares and rates in per cent."""

    GROUPS = (
        (_("Effective date"), ("effective_from",)),
        (
            _("Performance pay"),
            (
                "per_head_base",
                "basic_performance_share",
                "major_work_share",
                "investment_promotion_share",
                "project_construction_share",
                "award_share",
                "minimum_performance_share",
            ),
        ),
        (
            _("Social insurance and housing fund"),
            (
                "pension_rate",
                "medical_rate",
                "unemployment_rate",
                "housing_fund_rate",
                "average_wage",
                "base_floor",
                "base_ceiling",
            ),
        ),
        (
            _("Income tax"),
            ("basic_deduction", "annual_tax_table", "bonus_tax_table", "separate_bonus_until"),
        ),
    )

    def __init__(self, *args, policy: PayPolicy | None = None, new: bool = False, **kwargs):
        """`policy` fills the form: the version edited, or (`new`) the latest one a new version
        starts from, without its effective date."""
        super().__init__(*args, **kwargs)
        for _group, names in self.GROUPS:
            for name in names:
                self.fields[name] = self._field(name)
        source = policy if policy is not None else PayPolicy()
        for name in self.fields:
            if name == "effective_from" and new:
                continue
            value = getattr(source, name)
            if name in SHARE_FIELDS or name in POLICY_BASE_FIELDS:
                value = _plain(Decimal(value) * HUNDRED)
            elif name in TABLE_FIELDS:
                value = table_text(value)
            self.initial.setdefault(name, value)

    @staticmethod
    def _field(name: str) -> forms.Field:
        label = _model_label(PayPolicy, name)
        help_text = _help(PayPolicy, name)
        if name == "effective_from" or name == "separate_bonus_until":
            return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}), help_text=help_text)
        if name in SHARE_FIELDS or name in POLICY_BASE_FIELDS:
            return PercentField(label=format_lazy("{} (%)", label), help_text=help_text)
        if name in POLICY_MONEY_FIELDS:
            return forms.DecimalField(label=label, max_digits=14, decimal_places=2, help_text=help_text)
        return TaxTableField(
            label=label,
            help_text=_(
                "One bracket per line, lowest first: upper bound, rate in per cent, quick deduction, separated by "
                "spaces; “-” for the top bracket, which has no bound."
            ),
        )

    def groups(self):
        """The fields in their sections, for the template."""
        return [(title, [self[name] for name in names]) for title, names in self.GROUPS]

    def values(self) -> dict:
        return dict(self.cleaned_data)


# --- Packages ------------------------------------------------------------------------------------


class WhatIfForm(Form):
    """The zone factor and a coefficient per department to model, with the reason an approval
    keeps in the audit trail."""

    zone_factor = forms.DecimalField(
        label=_("Zone result factor"),
        max_digits=6,
        decimal_places=2,
        help_text=_("0.50 to 1.50: the zone's performance pool moves with the zone's results."),
        widget=forms.NumberInput(attrs={"step": "0.01"}),
    )
    reason = forms.CharField(label=_("Reason for approving"), max_length=300, required=False)

    def __init__(self, *args, departments: list[Department], **kwargs):
        super().__init__(*args, **kwargs)
        self.departments = departments
        for department in departments:
            self.fields[coefficient_field(department.pk)] = forms.DecimalField(
                label=department.name,
                max_digits=6,
                decimal_places=2,
                widget=forms.NumberInput(attrs={"step": "0.01"}),
            )

    def coefficient_fields(self):
        return [self[coefficient_field(department.pk)] for department in self.departments]

    def coefficients(self) -> dict[int, Decimal]:
        return {department.pk: self.cleaned_data[coefficient_field(department.pk)] for department in self.departments}


# --- Pay inputs and advanced workers -------------------------------------------------------------


class PersonField(forms.CharField):
    """A paid person found by national ID, or by name when only one paid person has it."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Person (national ID or name)"))
        super().__init__(max_length=50, **kwargs)

    def clean(self, value):
        text = super().clean(value).strip()
        paid = Person.objects.filter(status__in=PAID_STATUSES)
        found = list(paid.filter(Q(national_id=text.upper()) | Q(name=text))[:2])
        if not found:
            raise forms.ValidationError(
                _("No paid person has the national ID or name “%(text)s”."), params={"text": text}
            )
        if len(found) > 1:
            raise forms.ValidationError(
                _("More than one paid person is called “%(text)s”: enter the national ID."), params={"text": text}
            )
        return found[0]


class PayInputForm(Form):
    person = PersonField()
    kind = forms.ChoiceField(label=_model_label(PayInput, "kind"), choices=PayInput.Kind.choices)
    amount = forms.DecimalField(label=_model_label(PayInput, "amount"), max_digits=14, decimal_places=2)
    note = forms.CharField(label=_model_label(PayInput, "note"), max_length=200, required=False)


class PayInputEditForm(Form):
    kind = forms.ChoiceField(label=_model_label(PayInput, "kind"), choices=PayInput.Kind.choices)
    amount = forms.DecimalField(label=_model_label(PayInput, "amount"), max_digits=14, decimal_places=2)
    note = forms.CharField(label=_model_label(PayInput, "note"), max_length=200, required=False)


class AdvancedWorkerForm(Form):
    person = PersonField()


class PayInputImportForm(Form):
    file = workbook_field(label=_("Workbook (.xlsx)"))


class DepartmentFilterForm(Form):
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.filter(is_active=True).order_by("code"),
        required=False,
        empty_label=_("All departments"),
        widget=FastSelect,
    )


# --- Pay profiles --------------------------------------------------------------------------------


class PayProfileForm(Form):
    bank_name = forms.CharField(label=_model_label(PayProfile, "bank_name"), max_length=100, required=False)
    bank_account = forms.CharField(label=_model_label(PayProfile, "bank_account"), max_length=60, required=False)
    special_additional_deduction = forms.DecimalField(
        label=_model_label(PayProfile, "special_additional_deduction"),
        max_digits=14,
        decimal_places=2,
        initial=Decimal(0),
        help_text=_help(PayProfile, "special_additional_deduction"),
    )
    contribution_wage = forms.DecimalField(
        label=_model_label(PayProfile, "contribution_wage"),
        max_digits=14,
        decimal_places=2,
        required=False,
        help_text=_help(PayProfile, "contribution_wage"),
    )


class ProfileSearchForm(Form):
    q = forms.CharField(label=_("Name or national ID"), max_length=50, required=False)
    missing_account = forms.BooleanField(label=_("Without a bank account"), required=False)
