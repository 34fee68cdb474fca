from django import forms
from django.utils.translation import gettext_lazy as _

from staffing.models import (
    Appointment,
    ArchivalEvent,
    Department,
    Person,
    PositionLevel,
    Post,
    PostSeries,
    SalaryGrade,
)
from staffing.selectors import ROSTER_ORDERINGS, RosterFilters
from zonehr.forms import Form, ModelForm
from zonehr.widgets import FastSelect


class DateInput(forms.DateInput):
    input_type = "date"


def active_departments():
    return Department.objects.filter(is_active=True)


class RosterFilterForm(Form):
    q = forms.CharField(label=_("Name or national ID"), required=False)
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=active_departments(), required=False, widget=FastSelect
    )
    identity = forms.ChoiceField(
        label=_("Identity"), choices=[("", _("All")), *Person.Identity.choices], required=False
    )
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All")), *Person.Status.choices], required=False)
    series = forms.ModelChoiceField(label=_("Post series"), queryset=PostSeries.objects.all(), required=False)
    level = forms.ModelChoiceField(
        label=_("Position level"),
        queryset=PositionLevel.objects.select_related("series"),
        required=False,
        widget=FastSelect,
    )
    ending_within = forms.IntegerField(label=_("Term ends within (days)"), min_value=0, max_value=3650, required=False)
    order = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("name", _("Name")),
            ("-name", _("Name, descending")),
            ("department", _("Department")),
            ("joined_on", _("Joined on")),
            ("-joined_on", _("Joined on, latest first")),
            ("term_end", _("Term end")),
        ],
    )

    def filters(self) -> RosterFilters:
        data = self.cleaned_data if self.is_valid() else {}
        order = data.get("order") or "name"
        return RosterFilters(
            search=data.get("q", ""),
            department=data.get("department"),
            identity=data.get("identity", ""),
            status=data.get("status", ""),
            series=data.get("series"),
            level=data.get("level"),
            term_ending_within_days=data.get("ending_within"),
            ordering=order if order in ROSTER_ORDERINGS else "name",
        )


class PersonForm(ModelForm):
    class Meta:
        model = Person
        fields = ["name", "national_id", "identity", "gender", "birth_date", "education", "joined_on"]
        widgets = {"birth_date": DateInput(), "joined_on": DateInput()}


def post_choices():
    return Post.objects.filter(is_active=True, department__is_active=True).select_related("department", "level")


class PostChoiceField(forms.ModelChoiceField):
    """Posts named with their department and code: many departments have a 主任 or a 局长."""

    def label_from_instance(self, post: Post) -> str:
        return f"{post.department.name} · {post.name}（{post.code}）"


class GradeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, grade: SalaryGrade) -> str:
        return f"{grade} · ¥{grade.monthly_amount:,}"


class PostPayFields(Form):
    """The post and pay of a new or changed appointment."""

    post = PostChoiceField(label=_("Post"), queryset=post_choices(), widget=FastSelect)
    salary_grade = GradeChoiceField(
        label=_("Salary grade"),
        queryset=SalaryGrade.objects.select_related("series"),
        required=False,
        help_text=_("Within the post's series and level."),
    )
    negotiated_salary = forms.DecimalField(
        label=_("Negotiated monthly salary"),
        max_digits=12,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=_("Only for levels with negotiated pay."),
    )


class AppointForm(PostPayFields):
    method = forms.ChoiceField(label=_("Method"), choices=Appointment.Method.choices)
    term_start = forms.DateField(label=_("Term start"), widget=DateInput())
    term_end = forms.DateField(label=_("Term end"), widget=DateInput())
    probation_end = forms.DateField(
        label=_("Probation end"),
        widget=DateInput(),
        required=False,
        help_text=_("Left empty on a leadership post, the policy's probation applies."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class ReturnFromWaitingForm(PostPayFields):
    method = forms.ChoiceField(label=_("Method"), choices=Appointment.Method.choices)
    term_start = forms.DateField(label=_("Term start"), widget=DateInput())
    term_end = forms.DateField(label=_("Term end"), widget=DateInput())
    override_reason = forms.CharField(
        label=_("Override reason"),
        max_length=300,
        required=False,
        help_text=_("Only to return before the minimum off-post training has passed."),
    )


class TransferForm(PostPayFields):
    on = forms.DateField(label=_("Effective on"), widget=DateInput())
    term_end = forms.DateField(
        label=_("Term end"), widget=DateInput(), required=False, help_text=_("Empty: the current term's end.")
    )
    after_failure = forms.BooleanField(
        label=_("After failing a post"),
        required=False,
        help_text=_("The new post may then not be higher than the old one."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)


class RenewForm(Form):
    term_end = forms.DateField(label=_("New term end"), widget=DateInput())
    salary_grade = GradeChoiceField(
        label=_("Salary grade"),
        queryset=SalaryGrade.objects.select_related("series"),
        required=False,
        help_text=_("Empty: keep the current grade."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)


class WaitingForm(Form):
    on = forms.DateField(label=_("Effective on"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), max_length=300)


class SeparationForm(Form):
    kind = forms.ChoiceField(
        label=_("Way of leaving"),
        choices=[
            (Appointment.EndKind.CONTRACT_END, _("End of contract")),
            (Appointment.EndKind.DISMISSED, _("Dismissal")),
            (Appointment.EndKind.DEPARTED, _("Resignation or departure")),
            (Appointment.EndKind.RETIRED, _("Retirement")),
        ],
    )
    on = forms.DateField(label=_("Effective on"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), max_length=300)


class ArchivalEventForm(ModelForm):
    class Meta:
        model = ArchivalEvent
        fields = [
            "kind",
            "archival_post",
            "archival_rank",
            "establishment_type",
            "archival_salary",
            "approval_document",
            "approved_on",
            "effective_on",
            "reason",
        ]
        widgets = {"approved_on": DateInput(), "effective_on": DateInput()}


class DepartmentForm(ModelForm):
    class Meta:
        model = Department
        fields = ["name", "code", "kind", "parent", "sort_order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = active_departments()


class PostForm(ModelForm):
    class Meta:
        model = Post
        fields = ["department", "name", "code", "level", "headcount", "coefficient", "is_leadership", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = active_departments()
        self.fields["level"].queryset = PositionLevel.objects.select_related("series")


class MergeForm(Form):
    sources = forms.ModelMultipleChoiceField(
        label=_("Departments to merge"), queryset=active_departments(), widget=forms.CheckboxSelectMultiple
    )
    target = forms.ModelChoiceField(label=_("Merge into"), queryset=active_departments())
    reason = forms.CharField(label=_("Reason"), max_length=300, help_text=_("E.g. the approving document."))


class ContractTermsForm(Form):
    within = forms.IntegerField(label=_("Ending within (days)"), min_value=1, max_value=3650, initial=90)
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=active_departments(), required=False, widget=FastSelect
    )
