from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from zonehr.errors import ApplicationError, error_from_validation


class NoColonMixin:
    """Labels without Django's ASCII colon: the layout puts labels above their inputs."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class Form(NoColonMixin, forms.Form):
    pass


class ModelForm(NoColonMixin, forms.ModelForm):
    pass


def form_add_error(form: forms.Form, exc: ApplicationError | ValidationError) -> None:
    """Show a refused action on the form: the rule's sentence at the top, details at their fields."""
    from_model = isinstance(exc, ValidationError)
    error = error_from_validation(exc) if from_model else exc
    placed = False
    for field, messages in error.fields.items():
        if field in form.fields:
            for message in messages:
                form.add_error(field, message)
            placed = True
    # Model validation already says everything at the fields; a rule's sentence names the rule.
    if not (from_model and placed):
        form.add_error(None, error.message)


WORKBOOK_MAX_BYTES = 10 * 1024 * 1024


@deconstructible
class MaxFileSizeValidator:
    """Refuse an upload above `limit` bytes before anything reads it."""

    def __init__(self, limit: int) -> None:
        self.limit = limit

    def __call__(self, upload) -> None:
        if upload.size > self.limit:
            raise ValidationError(
                _("The file is %(size)s MB; at most %(limit)s MB is accepted."),
                code="file_too_large",
                params={"size": f"{upload.size / 1024 / 1024:.1f}", "limit": self.limit // (1024 * 1024)},
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MaxFileSizeValidator) and other.limit == self.limit


def workbook_field(*, label, help_text: str = "") -> forms.FileField:
    """An upload of one .xlsx workbook: its type and size are checked before it is read."""
    return forms.FileField(
        label=label,
        help_text=help_text,
        validators=[FileExtensionValidator(["xlsx"]), MaxFileSizeValidator(WORKBOOK_MAX_BYTES)],
        widget=forms.FileInput(attrs={"accept": ".xlsx"}),
    )
