"""Forms of the campaign pages: settings, posts offered, rounds, panels, reviews and applications.

They parse and present; the rules are checked by recruitment.setup and recruitment.services.
"""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from recruitment import selectors, setup
from recruitment.models import Application, Campaign, CampaignPost, Criterion, IntegrityFlag, Panel, Round
from staffing.models import Appointment, Person, Post
from zonehr.forms import Form, ModelForm

PERCENT = Decimal(100)
TIE_BREAK_SLOTS = 3


class DateInput(forms.DateInput):
    input_type = "date"


def _lock(form: forms.BaseForm, names: set[str]) -> None:
    """Show settings the stage has fixed as read-only; a disabled field keeps the stored value."""
    for name in names:
        if name in form.fields:
            form.fields[name].disabled = True
            form.fields[name].help_text = _("Fixed at this stage.")


class CampaignForm(ModelForm):
    """Vote rates are entered as percentages and kept as fractions."""

    vote_pass_rate = forms.DecimalField(
        label=_("Vote pass rate (%)"),
        max_digits=5,
        decimal_places=2,
        help_text=_("A candidate passes with more than this share of for-votes among for and against."),
    )
    vote_turnout = forms.DecimalField(
        label=_("Vote turnout required (%)"),
        max_digits=5,
        decimal_places=2,
        help_text=_("The share of eligible voters who must cast a ballot for the vote to count."),
    )

    class Meta:
        model = Campaign
        fields = [
            "name",
            "method",
            "description",
            "applications_close_on",
            "trim_above",
            "rounding",
            "balance_panels",
            "vote_pass_rate",
            "vote_turnout",
            "publicity_working_days",
            "term_years",
            "unplaced_to_waiting",
        ]
        widgets = {"applications_close_on": DateInput(), "description": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"publicity_working_days": _("At least 5; public holidays and make-up working days count.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = [(kind.value, kind.label) for kind in Round.Kind if kind in selectors.SCORED_KINDS]
        stored = list(self.instance.tie_break or [])
        for slot in range(1, TIE_BREAK_SLOTS + 1):
            self.fields[f"tie_break_{slot}"] = forms.ChoiceField(
                label=_("Tie-break, key %(number)s") % {"number": slot},
                choices=[("", "—"), *kinds],
                required=False,
                initial=stored[slot - 1] if slot <= len(stored) else "",
                help_text=_("Round kinds compared in order when composites tie; a lot decides what is still tied.")
                if slot == 1
                else "",
            )
        for name in ("vote_pass_rate", "vote_turnout"):
            self.initial[name] = (getattr(self.instance, name) * PERCENT).quantize(Decimal("0.01"))
        locked = setup.campaign_locked_fields(self.instance)
        if "tie_break" in locked:
            locked |= {f"tie_break_{slot}" for slot in range(1, TIE_BREAK_SLOTS + 1)}
        _lock(self, locked)

    def clean_vote_pass_rate(self) -> Decimal:
        return self.cleaned_data["vote_pass_rate"] / PERCENT

    def clean_vote_turnout(self) -> Decimal:
        return self.cleaned_data["vote_turnout"] / PERCENT

    def clean(self):
        cleaned = super().clean()
        # Empty keys are skipped, so "—, interview" reads as "interview".
        self.instance.tie_break = [
            kind for slot in range(1, TIE_BREAK_SLOTS + 1) if (kind := cleaned.get(f"tie_break_{slot}"))
        ]
        return cleaned


class CampaignPostForm(ModelForm):
    class Meta:
        model = CampaignPost
        fields = ["post", "places", "min_level_rank", "min_years_of_service", "min_education"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        offered = CampaignPost.objects.filter(campaign=self.instance.campaign_id).exclude(pk=self.instance.pk)
        self.fields["post"].queryset = (
            Post.objects.filter(is_active=True, department__is_active=True)
            .exclude(pk__in=offered.values("post"))
            .select_related("department", "level")
        )
        self.fields["post"].label_from_instance = lambda post: f"{post.department.name} · {post.name} ({post.level})"


class RoundForm(ModelForm):
    class Meta:
        model = Round
        fields = ["order", "kind", "name", "weight", "pass_line", "advance_per_place", "eligible_voters"]
        help_texts = {
            "weight": _("Share of the composite score; the scored rounds' weights sum to 100."),
            "pass_line": _("Candidates scoring below it do not advance (commonly 60). Empty: no pass line."),
            "advance_per_place": _("How many advance per place offered, best first (e.g. 3). Empty: all who pass."),
            "eligible_voters": _("For a vote: how many may vote, to check the turnout."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.initial.setdefault("order", setup.round_next_order(self.instance.campaign))
        _lock(self, setup.round_locked_fields(self.instance))


class CriterionForm(ModelForm):
    class Meta:
        model = Criterion
        fields = ["name", "maximum"]


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


class UserMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


class PanelForm(ModelForm):
    chair = UserChoiceField(label=_("Chair"), queryset=setup.judge_choices())
    judges = UserMultipleChoiceField(
        label=_("Judges"),
        queryset=setup.judge_choices(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("At least 5, usually 7 or 9; chosen among judges and department heads."),
    )

    class Meta:
        model = Panel
        fields = ["name", "chair", "judges"]


class PanelDrawForm(Form):
    order = forms.ChoiceField(label=_("Running order"), choices=setup.DrawOrder.CHOICES)


class PanelOrderForm(Form):
    """One number per candidate of the round; the numbers give the running order, empty leaves him off."""

    def __init__(self, *args, candidates: list[Application], current: dict[int, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = candidates
        for application in candidates:
            self.fields[f"order_{application.pk}"] = forms.IntegerField(
                label=application.candidate_name,
                min_value=1,
                max_value=999,
                required=False,
                initial=current.get(application.pk),
            )

    def ordered(self) -> list[Application]:
        numbered = [
            (self.cleaned_data[f"order_{a.pk}"], a) for a in self.candidates if self.cleaned_data[f"order_{a.pk}"]
        ]
        return [application for _number, application in sorted(numbered, key=lambda pair: pair[0])]

    def clean(self):
        cleaned = super().clean()
        numbers = [value for key, value in cleaned.items() if key.startswith("order_") and value]
        if len(set(numbers)) != len(numbers):
            raise forms.ValidationError(_("Two candidates have the same number in the running order."))
        return cleaned


class ReviewForm(Form):
    QUALIFY, REJECT = "qualify", "reject"
    decision = forms.ChoiceField(choices=[(QUALIFY, _("Qualify")), (REJECT, _("Reject"))])
    reason = forms.CharField(label=_("Reason for rejection"), max_length=300, required=False)


class IntegrityFlagForm(ModelForm):
    class Meta:
        model = IntegrityFlag
        fields = ["kind", "note", "disqualifies"]
        widgets = {"note": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "note": _("What happened and how it is known; kept in the audit trail."),
            "disqualifies": _("The application is disqualified at once."),
        }


class WrittenScoresForm(Form):
    """One score per candidate of the written round; an empty box leaves the score as it is."""

    def __init__(self, *args, candidates: list[Application], existing: dict[int, Decimal], **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = candidates
        for application in candidates:
            self.fields[f"score_{application.pk}"] = forms.DecimalField(
                label=application.candidate_name,
                max_digits=5,
                decimal_places=2,
                min_value=0,
                max_value=100,
                required=False,
                initial=existing.get(application.pk),
            )

    def rows(self):
        return [(application, self[f"score_{application.pk}"]) for application in self.candidates]

    def scores(self) -> dict[Application, Decimal]:
        return {
            application: self.cleaned_data[f"score_{application.pk}"]
            for application in self.candidates
            if self.cleaned_data.get(f"score_{application.pk}") is not None
        }


class WrittenImportForm(Form):
    file = forms.FileField(
        label=_("Written scores workbook (.xlsx)"),
        widget=forms.FileInput(attrs={"accept": ".xlsx"}),
        help_text=_("Columns 报名编号, 姓名 and 成绩, as in the template."),
    )


class PostChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: CampaignPost) -> str:
        return f"{obj.post.department.name} · {obj.post.name}"


class ApplyForm(Form):
    """One post, or for two-way selection a preference number for each post wanted."""

    declared_truthful = forms.BooleanField(
        label=_(
            "I declare that this application and its material are true; I know that falsified material disqualifies me."
        ),
        required=False,
    )

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.offered = list(campaign.posts.select_related("post__department", "post__level"))
        self.two_way = campaign.method == Appointment.Method.TWO_WAY
        if self.two_way:
            for offered in self.offered:
                self.fields[f"preference_{offered.pk}"] = forms.IntegerField(
                    label=f"{offered.post.department.name} · {offered.post.name}",
                    min_value=1,
                    max_value=len(self.offered),
                    required=False,
                )
        else:
            self.fields["posts"] = PostChoiceField(
                label=_("Post"),
                queryset=campaign.posts.select_related("post__department"),
                widget=forms.RadioSelect,
                empty_label=None,
                required=False,
            )
        if campaign.method == Appointment.Method.SELF_RECOMMENDATION:
            self.fields["statement"] = forms.CharField(
                label=_("Statement"),
                widget=forms.Textarea(attrs={"rows": 6}),
                required=False,
                help_text=_("Why you suit the post: your experience, results and plans for it."),
            )
        self.order_fields(["posts", *(f"preference_{o.pk}" for o in self.offered), "statement", "declared_truthful"])

    def clean(self):
        cleaned = super().clean()
        if self.two_way:
            numbers = [cleaned.get(f"preference_{o.pk}") for o in self.offered]
            given = [n for n in numbers if n]
            if len(set(given)) != len(given):
                raise forms.ValidationError(_("Give each post you want a different preference number."))
        return cleaned

    def chosen_posts(self) -> list[CampaignPost]:
        if self.two_way:
            ranked = [
                (self.cleaned_data[f"preference_{o.pk}"], o)
                for o in self.offered
                if self.cleaned_data.get(f"preference_{o.pk}")
            ]
            return [offered for _number, offered in sorted(ranked, key=lambda pair: pair[0])]
        chosen = self.cleaned_data.get("posts")
        return [chosen] if chosen else []


class ExternalApplicantForm(Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    national_id = forms.CharField(
        label=_("National ID"), max_length=18, help_text=_("Gender and birth date are taken from it.")
    )
    education = forms.ChoiceField(label=_("Education"), choices=Person.Education.choices)
    post = PostChoiceField(label=_("Post"), queryset=CampaignPost.objects.none(), empty_label=None)
    statement = forms.CharField(
        label=_("Notes on the application"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    declared_truthful = forms.BooleanField(
        label=_("The applicant signed the declaration that the application is truthful."), required=False
    )

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["post"].queryset = campaign.posts.select_related("post__department")
