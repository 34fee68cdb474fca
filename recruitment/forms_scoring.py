"""Forms of the scoring pages: a judge's sheet, the chair's amendment, a conflict, a ballot.

The forms only parse input. The rules (each mark within its maximum, a locked sheet, one
ballot per candidate) are the services', so a refusal names the criterion the same way on
every page; that is why the mark fields carry no min/max validators of their own.
"""

from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from recruitment import scoring
from recruitment.models import Application, Ballot, Criterion
from zonehr.forms import Form

# Judges mark in half points; the browser's spinner follows this, the server accepts any 2 decimals.
MARK_STEP = "0.5"
# A voter chooses for, against or abstain; "spoilt" is only for paper ballots counted by hand.
VOTE_CHOICES = [(c.value, c.label) for c in (Ballot.Choice.FOR, Ballot.Choice.AGAINST, Ballot.Choice.ABSTAIN)]


def mark_field_name(criterion: Criterion) -> str:
    """Named as the services name a criterion in a refusal, so form_add_error puts it at the input."""
    return f"criterion_{criterion.pk}"


@dataclass(frozen=True)
class RunningTotal:
    total: Decimal
    maximum: Decimal
    marked: int
    criteria: int
    out_of_range: list[Criterion]


class MarksForm(Form):
    """One decimal input per criterion of the round, each showing its maximum."""

    def __init__(self, *args, criteria: list[Criterion], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[mark_field_name(criterion)] = forms.DecimalField(
                label=criterion.name,
                required=False,
                max_digits=6,
                decimal_places=2,
                widget=forms.NumberInput(
                    attrs={
                        "min": "0",
                        "max": f"{criterion.maximum.normalize():f}",
                        "step": MARK_STEP,
                        "inputmode": "decimal",
                        "autocomplete": "off",
                        "class": "mark",
                    }
                ),
            )

    def mark_rows(self) -> list[tuple[Criterion, forms.BoundField]]:
        """Each criterion with its input, for the template to lay out with the maximum beside it."""
        return [(criterion, self[mark_field_name(criterion)]) for criterion in self.criteria]

    @staticmethod
    def initial_from(marks: dict[str, str]) -> dict[str, str]:
        """A stored sheet's marks (criterion id -> decimal string) as the form's initial values."""
        return {f"criterion_{key}": value for key, value in marks.items()}

    def marks(self) -> dict[str, Decimal]:
        """The marks entered, keyed by criterion id as the services expect; empty inputs left out."""
        entered = {}
        for criterion in self.criteria:
            value = self.cleaned_data.get(mark_field_name(criterion))
            if value is not None:
                entered[str(criterion.pk)] = value
        return entered

    def running_total(self) -> RunningTotal:
        """The sum of the marks entered so far, for display while the judge types.

        Each mark goes through the sheet rule on its own, so a mark out of range is named here
        exactly as the service would refuse it, and left out of the sum. Inputs that are not
        numbers count as not entered.
        """
        cleaned = getattr(self, "cleaned_data", {})
        total = Decimal(0)
        marked = 0
        out_of_range = []
        for criterion in self.criteria:
            value = cleaned.get(mark_field_name(criterion))
            if value is None:
                continue
            key = str(criterion.pk)
            try:
                total += scoring.sheet_total(marks={key: value}, maxima={key: criterion.maximum})
            except scoring.ScoreOutOfRangeError:
                out_of_range.append(criterion)
            else:
                marked += 1
        return RunningTotal(
            total=total,
            maximum=sum((c.maximum for c in self.criteria), Decimal(0)),
            marked=marked,
            criteria=len(self.criteria),
            out_of_range=out_of_range,
        )


class AmendForm(MarksForm):
    """The chair's correction of a submitted sheet: every mark again, and why."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Not required here: the service refuses an empty reason with the sentence the office knows.
        self.fields["reason"] = forms.CharField(
            label=_("Reason for the amendment"),
            required=False,
            max_length=300,
            widget=forms.Textarea(attrs={"rows": 2}),
            help_text=_("Kept in the audit trail with the original marks."),
        )


class ConflictForm(Form):
    conflict_note = forms.CharField(
        label=_("Reason for the conflict of interest"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: same department, a relative. Your sheet for this candidate is then excluded."),
        error_messages={"required": _("Say why you have a conflict of interest.")},
    )


class BallotForm(Form):
    application = forms.TypedChoiceField(coerce=int)
    choice = forms.ChoiceField(choices=VOTE_CHOICES)

    def __init__(self, *args, candidates: list[Application], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = {application.pk: application for application in candidates}
        self.fields["application"].choices = [(pk, str(a)) for pk, a in self.candidates.items()]

    def candidate(self) -> Application:
        return self.candidates[self.cleaned_data["application"]]
