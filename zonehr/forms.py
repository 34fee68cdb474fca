from django import forms
from django.core.exceptions import ValidationError

from zonehr.errors import ApplicationError, error_from_validation


def form_add_error(form: forms.Form, exc: ApplicationError | ValidationError) -> None:
    """Show a refused action on the form: field errors at their fields, the rule at the top."""
    if isinstance(exc, ValidationError):
        exc = error_from_validation(exc)
    placed = False
    for field, messages in exc.fields.items():
        if field in form.fields:
            for message in messages:
                form.add_error(field, message)
            placed = True
    if not placed or not exc.fields:
        form.add_error(None, exc.message)
