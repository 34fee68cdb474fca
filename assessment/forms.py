"""Forms of the assessment pages. Range rules (a coefficient from 0.5 to 1.5, a judged score up to
100, weights summing to 100) are left to the services, so every refusal reads the same."""

from decimal import Decimal

from django import forms
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext_lazy as _

from assessment.models import Cycle, Evaluation, Indicator, Rating, SupervisedTask
from assessment.rules import Measure
from staffing.models import Appointment, Department, Person
from zonehr.forms import Form, ModelForm, workbook_field
from zonehr.widgets import FastSelect

EVIDENCE_MAX_BYTES = 5 * 1024 * 1024
EVIDENCE_TYPES = ["pdf", "jpg", "jpeg", "png", "xlsx", "docx"]
MEASURE_LABELS = {
    Measure.PAY_CUT.value: _("Pay cut"),
    Measure.WAITING.value: _("Waiting for a post (off-post training)"),
    Measure.TRANSFER.value: _("Transfer to another post"),
}


def _departments():
    return Department.objects.filter(is_active=True).order_by("sort_order", "name")


def _people_on_post():
    return Person.objects.filter(appointments__status=Appointment.Status.ACTIVE).distinct().order_by("name")


class CycleForm(ModelForm):
    class Meta:
        model = Cycle
        fields = [
            "name",
            "kind",
            "year",
            "quarter",
            "annual",
            "comparison",
            "quarterly_weight",
            "ratio_cap",
            "excellent_max",
            "basic_min",
            "incompetent_about",
            "min_group_size",
            "points_overdue",
            "points_failed",
            "task_deduction_cap",
        ]
        help_texts = {
            "excellent_max": _("A share: 0.20 is 20 %."),
            "basic_min": _("A share: 0.06 is 6 %."),
            "incompetent_about": _("A share: 0.05 is 5 %."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["annual"].queryset = Cycle.objects.filter(kind=Cycle.Kind.ANNUAL)


class IndicatorForm(ModelForm):
    class Meta:
        model = Indicator
        fields = [
            "level",
            "parent",
            "department",
            "person",
            "name",
            "unit",
            "rule",
            "target",
            "weight",
            "lower_is_better",
            "points_per_miss",
        ]
        widgets = {"parent": FastSelect, "department": FastSelect, "person": FastSelect}

    def __init__(self, *args, cycle: Cycle, **kwargs):
        super().__init__(*args, **kwargs)
        parents = cycle.indicators.exclude(level=Indicator.Level.INDIVIDUAL)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents
        self.fields["parent"].label_from_instance = lambda i: f"{i.get_level_display()} · {i.name}"
        self.fields["department"].queryset = _departments()
        self.fields["person"].queryset = _people_on_post()

    def _post_clean(self):
        # Owners that do not belong to the chosen level are dropped before the model's own
        # check, so a stray choice in a hidden-by-level field does not refuse the form.
        level = self.cleaned_data.get("level")
        if level == Indicator.Level.ZONE:
            self.cleaned_data.update(parent=None, department=None, person=None)
        elif level == Indicator.Level.DEPARTMENT:
            self.cleaned_data["person"] = None
        elif level == Indicator.Level.INDIVIDUAL:
            self.cleaned_data["department"] = None
        super()._post_clean()


class IndicatorValueForm(Form):
    """The one input an indicator's rule reads, and the evidence behind it."""

    actual = forms.DecimalField(label=_("Actual value"), max_digits=16, decimal_places=2)
    judged = forms.DecimalField(label=_("Judged score"), max_digits=6, decimal_places=2)
    misses = forms.IntegerField(label=_("Misses"), min_value=0)
    evidence = forms.FileField(
        label=_("Evidence"),
        required=False,
        validators=[FileExtensionValidator(EVIDENCE_TYPES)],
        help_text=_("PDF, image, Excel or Word, at most 5 MB."),
    )

    FIELD_FOR_RULE = {
        Indicator.Rule.RATIO: "actual",
        Indicator.Rule.JUDGED: "judged",
        Indicator.Rule.DEDUCTION: "misses",
    }

    def __init__(self, *args, indicator: Indicator, **kwargs):
        kwargs.setdefault(
            "initial", {"actual": indicator.actual, "judged": indicator.judged, "misses": indicator.misses}
        )
        super().__init__(*args, **kwargs)
        keep = self.FIELD_FOR_RULE[Indicator.Rule(indicator.rule)]
        for name in set(self.FIELD_FOR_RULE.values()) - {keep}:
            del self.fields[name]
        self.value_field = keep

    def clean_evidence(self):
        evidence = self.cleaned_data.get("evidence")
        if evidence and evidence.size > EVIDENCE_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return evidence


class CoefficientProposeForm(Form):
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none(), widget=FastSelect)
    value = forms.DecimalField(label=_("Coefficient"), max_digits=4, decimal_places=2, help_text=_("0.5 to 1.5"))
    reason = forms.CharField(
        label=_("Reason (workload, difficulty)"), max_length=300, required=False, widget=forms.Textarea({"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = _departments()


class DecisionNoteForm(Form):
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class CompositionForm(Form):
    """One weight per source, in percent; sources left empty are not used."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["performance"] = forms.DecimalField(
            label=_("Performance (KPI)"), max_digits=5, decimal_places=2, required=False, min_value=0
        )
        for value, label in Evaluation.Source.choices:
            self.fields[value] = forms.DecimalField(
                label=label, max_digits=5, decimal_places=2, required=False, min_value=0
            )

    def weights(self) -> dict[str, Decimal]:
        return {name: value for name, value in self.cleaned_data.items() if value is not None}


class EvaluationForm(Form):
    source = forms.ChoiceField(label=_("Source"), choices=Evaluation.Source.choices)
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.none(), required=False, widget=FastSelect
    )
    person = forms.ModelChoiceField(
        label=_("Person"), queryset=Person.objects.none(), required=False, widget=FastSelect
    )
    score = forms.DecimalField(label=_("Score"), max_digits=6, decimal_places=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = _departments()
        self.fields["person"].queryset = _people_on_post()


class AdjustmentForm(Form):
    """A bonus or penalty item; the zero, owner and reason rules are the service's."""

    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.none(), required=False, widget=FastSelect
    )
    person = forms.ModelChoiceField(
        label=_("Person"), queryset=Person.objects.none(), required=False, widget=FastSelect
    )
    points = forms.DecimalField(
        label=_("Points"),
        max_digits=6,
        decimal_places=2,
        help_text=_("Positive for a bonus, negative for a penalty."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False, widget=forms.Textarea({"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = _departments()
        self.fields["person"].queryset = _people_on_post()


class EvaluationImportForm(Form):
    file = workbook_field(label=_("Workbook (.xlsx)"))


class TaskForm(ModelForm):
    class Meta:
        model = SupervisedTask
        fields = ["title", "department", "person", "deadline", "note"]
        widgets = {
            "department": FastSelect,
            "person": FastSelect,
            "deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = _departments()
        self.fields["person"].queryset = _people_on_post()


class TaskCloseForm(Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("completed", _("Completed")), ("failed", _("Failed"))], widget=forms.RadioSelect
    )
    on = forms.DateField(
        label=_("Completed on"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def clean(self):
        data = super().clean()
        if data.get("outcome") == "completed" and not data.get("on"):
            self.add_error("on", _("Give the day it was completed."))
        return data


class OverrideForm(Form):
    grade = forms.ChoiceField(label=_("Grade"), choices=Rating.Grade.choices)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False, widget=forms.Textarea({"rows": 2}))


class ProposalDecideForm(Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("confirm", _("Confirm")), ("decline", _("Do not pursue"))],
        widget=forms.RadioSelect,
    )
    measure = forms.ChoiceField(label=_("Measure"), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False, widget=forms.Textarea({"rows": 2}))

    def __init__(self, *args, options: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        if options:
            self.fields["measure"].choices = [("", "—"), *((o, MEASURE_LABELS.get(o, o)) for o in options)]
        else:
            del self.fields["measure"]
