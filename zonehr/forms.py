from django import forms
from django.core.exceptions import ValidationError

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
