"""Forms of the results pages: a department's ranking, publicity, objections."""

from collections.abc import Iterator

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from recruitment.models import Application, Campaign, Objection
from zonehr.forms import Form


class DepartmentRankingForm(Form):
    """One rank box per candidate; a candidate left blank is one the department does not accept."""

    def __init__(self, *args, candidates: list[Application], current: dict[int, int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = candidates
        for application in candidates:
            self.fields[self._name(application)] = forms.IntegerField(
                label=application.candidate_name,
                required=False,
                min_value=1,
                max_value=max(len(candidates), 1),
                initial=current.get(application.pk),
            )

    @staticmethod
    def _name(application: Application) -> str:
        return f"rank_{application.pk}"

    def rows(self) -> Iterator[tuple[Application, forms.BoundField]]:
        for application in self.candidates:
            yield application, self[self._name(application)]

    def clean(self) -> dict:
        cleaned = super().clean()
        given = [cleaned.get(self._name(a)) for a in self.candidates if cleaned.get(self._name(a)) is not None]
        repeated = sorted({rank for rank in given if given.count(rank) > 1})
        if repeated:
            raise ValidationError(
                _("Give each rank once; repeated: %(ranks)s.") % {"ranks": "、".join(str(r) for r in repeated)}
            )
        return cleaned

    def ranking(self) -> list[Application]:
        """The ranked candidates, best first."""
        ranked = [(self.cleaned_data[self._name(a)], a) for a in self.candidates]
        return [application for rank, application in sorted(ranked, key=lambda pair: pair[0] or 0) if rank]


class PublicityStartForm(Form):
    start = forms.DateField(
        label=_("Publicity starts on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The end is counted in working days; public holidays and make-up working days count as they fall."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["start"].initial = timezone.localdate()


class ObjectionForm(Form):
    application = forms.ModelChoiceField(
        label=_("Concerning"),
        queryset=Application.objects.none(),
        required=False,
        empty_label=_("The campaign as a whole"),
    )
    text = forms.CharField(
        label=_("Objection"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("State the facts you know. The personnel office examines every objection and answers it."),
    )

    def __init__(self, *args, campaign: Campaign, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only the candidates on the notice can be objected to.
        self.fields["application"].queryset = (
            Application.objects.filter(results__campaign_post__campaign=campaign, results__selected=True)
            .select_related("person")
            .distinct()
            .order_by("id")
        )


class ObjectionResolveForm(Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (Objection.Status.UPHELD, Objection.Status.UPHELD.label),
            (Objection.Status.DISMISSED, Objection.Status.DISMISSED.label),
        ],
        widget=forms.RadioSelect,
        help_text=_("An upheld objection against a candidate keeps him from being appointed."),
    )
    resolution = forms.CharField(
        label=_("Resolution"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What was examined and what was decided; the person who lodged it reads this."),
    )

    @property
    def upheld(self) -> bool:
        return self.cleaned_data["outcome"] == Objection.Status.UPHELD
