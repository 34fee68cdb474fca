"""The one application error type, rendered the same way by pages and the API."""

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _


class ApplicationError(Exception):
    """A rule of the domain refused an action: `message` says which, `fields` names the inputs."""

    def __init__(self, message: str, fields: Mapping[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = str(message)
        self.fields = {key: [str(m) for m in msgs] for key, msgs in (fields or {}).items()}

    def as_dict(self) -> dict:
        return {"message": self.message, "fields": self.fields}


def error_from_validation(exc: ValidationError) -> ApplicationError:
    """Turn Django's ValidationError (from full_clean or a validator) into an ApplicationError."""
    if not hasattr(exc, "error_dict"):
        return ApplicationError("; ".join(str(m) for m in exc.messages))
    fields = {key: [str(m) for m in msgs] for key, msgs in exc.message_dict.items()}
    general = fields.pop("__all__", [])
    parts = [*general, *(f"{key}: {msgs[0]}" for key, msgs in fields.items())]
    return ApplicationError("; ".join(parts), fields)


def validated_save(instance: models.Model, *, exclude: tuple[str, ...] = ()) -> None:
    """Save after full model validation, a refusal becoming an ApplicationError."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise error_from_validation(exc) from exc
    instance.save()


def require_reason(reason: str) -> None:
    """Actions that change a person's record or a result carry a reason for the audit trail."""
    if not reason.strip():
        raise ApplicationError(_("Give a reason: it is kept in the audit trail."), {"reason": [_("Required.")]})
