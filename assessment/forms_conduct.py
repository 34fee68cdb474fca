"""Forms of the conduct reports: filing one, the inspector's filter and his handling."""

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from assessment.models import ConductReport
from staffing.models import Department, Person
from zonehr.forms import Form
from zonehr.widgets import FastSelect

R = ConductReport.Status
# The steps the inspector may take from each status (the service refuses any other).
NEXT_STATUSES: dict[str, tuple[str, ...]] = {
    R.RECEIVED: (R.VERIFIED, R.UNFOUNDED),
    R.VERIFIED: (R.ACTION,),
}


class ConductReportForm(Form):
    department = forms.ModelChoiceField(
        label=_("Department concerned"),
        queryset=Department.objects.filter(is_active=True),
        required=False,
        widget=FastSelect,
    )
    subject = forms.ModelChoiceField(
        label=_("Person concerned"),
        queryset=Person.objects.filter(status=Person.Status.ON_POST).order_by("name"),
        required=False,
        widget=FastSelect,
        help_text=_("Optional: you may name the person in the text instead."),
    )
    text = forms.CharField(
        label=_("What you report"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=5000,
        help_text=_("Facts, dates and places: what was not done, and since when."),
    )
    anonymous = forms.BooleanField(
        label=_("File anonymously"),
        required=False,
        help_text=_("Only the discipline inspector will see that you filed it."),
    )


class ConductFilterForm(Form):
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All")), *R.choices], required=False)
    anonymous = forms.ChoiceField(
        label=_("Anonymous"),
        choices=[("", _("All")), ("yes", _("Anonymous only")), ("no", _("Named only"))],
        required=False,
    )
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.all(), required=False, widget=FastSelect
    )
    q = forms.CharField(label=_("Text or person"), required=False, max_length=100)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def apply(self, reports: QuerySet[ConductReport]) -> QuerySet[ConductReport]:
        data: dict[str, Any] = self.cleaned_data if self.is_valid() else {}
        if data.get("status"):
            reports = reports.filter(status=data["status"])
        if data.get("anonymous"):
            reports = reports.filter(anonymous=data["anonymous"] == "yes")
        if data.get("department"):
            reports = reports.filter(department=data["department"])
        if q := (data.get("q") or "").strip():
            reports = reports.filter(Q(text__icontains=q) | Q(subject__name__icontains=q))
        if data.get("since"):
            reports = reports.filter(filed_at__date__gte=data["since"])
        if data.get("until"):
            reports = reports.filter(filed_at__date__lte=data["until"])
        return reports


class ConductHandleForm(Form):
    status = forms.ChoiceField(label=_("Move to"), choices=[])
    notes = forms.CharField(
        label=_("Handling notes"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=_("Kept with the report and in the audit trail."),
    )

    def __init__(self, *args, report: ConductReport, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(status, R(status).label) for status in NEXT_STATUSES.get(report.status, ())]
