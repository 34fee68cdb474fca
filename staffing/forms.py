from django import forms
from django.utils.translation import gettext_lazy as _

from staffing.models import Appointment, Department, Person, Post, SalaryGrade


class DateInput(forms.DateInput):
    input_type = "date"


class RosterFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or national ID"), required=False)
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.filter(is_active=True), required=False
    )
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All")), *Person.Status.choices], required=False)


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = ["name", "national_id", "identity", "gender", "birth_date", "education", "joined_on"]
        widgets = {"birth_date": DateInput(), "joined_on": DateInput()}


class AppointmentForm(forms.Form):
    post = forms.ModelChoiceField(
        label=_("Post"), queryset=Post.objects.filter(is_active=True).select_related("department")
    )
    method = forms.ChoiceField(label=_("Method"), choices=Appointment.Method.choices)
    term_start = forms.DateField(label=_("Term start"), widget=DateInput())
    term_end = forms.DateField(label=_("Term end"), widget=DateInput())
    salary_grade = forms.ModelChoiceField(
        label=_("Salary grade"), queryset=SalaryGrade.objects.select_related("series"), required=False
    )
    negotiated_salary = forms.DecimalField(
        label=_("Negotiated monthly salary"), max_digits=12, decimal_places=2, min_value=0, required=False
    )
    probation_end = forms.DateField(label=_("Probation end"), widget=DateInput(), required=False)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)
