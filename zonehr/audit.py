"""The audit trail: one mechanism for every app.

django-auditlog records create/update/delete of every registered model with the
before and after values of each changed field. Services wrap their writes in
`audit_context(actor=..., reason=...)` so each entry also names who acted and why,
also outside a web request (Celery tasks, management commands). Events that are not
a field change of one row (an import of a file, a lot drawn) go through `audit_event`
into the same table.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from auditlog.context import auditlog_value, set_actor
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType
from django.db import models

_reason: ContextVar[str] = ContextVar("zonehr_audit_reason", default="")


@contextmanager
def audit_context(*, actor: Any, reason: str = "") -> Iterator[None]:
    """Attribute every audited write inside the block to `actor`, with `reason`."""
    outer = auditlog_value.get(None)
    token = _reason.set(reason)
    try:
        with set_actor(actor):
            yield
    finally:
        _reason.reset(token)
        # auditlog keeps one context per thread; give the request's context back.
        if outer is not None:
            auditlog_value.set(outer)


class AuditedModel(models.Model):
    """Base for audited models: adds the reason and the person concerned to each entry,
    so the inspector can filter the trail by person."""

    class Meta:
        abstract = True

    def audit_person_id(self) -> int | None:
        """The person this row is about, if any; models about a person override it."""
        return None

    def get_additional_data(self) -> dict | None:
        data: dict[str, Any] = {}
        if reason := _reason.get():
            data["reason"] = reason
        if (person_id := self.audit_person_id()) is not None:
            data["person"] = person_id
        return data or None


def audit_register(*models_: type[models.Model], exclude_fields: tuple[str, ...] = ()) -> None:
    for model in models_:
        auditlog.register(model, exclude_fields=list(exclude_fields))


def audit_event(
    *, actor: Any, instance: models.Model, event: str, changes: dict[str, list], reason: str = ""
) -> LogEntry:
    """Record an event that is not a single field change, such as a file import."""
    data = {"event": event}
    if reason:
        data["reason"] = reason
    return LogEntry.objects.log_create(
        instance,
        force_log=True,
        action=LogEntry.Action.UPDATE,
        changes=changes,
        actor=actor,
        additional_data=data,
    )


def audit_bulk_created(*, actor: Any, instances: list[models.Model], reason: str = "") -> None:
    """Record the creation of rows written with bulk_create (which sends no signals).

    One entry per row, as the signals would have written, but in a single insert.
    """
    if not instances:
        return
    content_type = ContentType.objects.get_for_model(instances[0])
    entries = []
    for instance in instances:
        data = instance.get_additional_data() if isinstance(instance, AuditedModel) else None
        if reason:
            data = {**(data or {}), "reason": reason}
        entries.append(
            LogEntry(
                content_type=content_type,
                object_pk=str(instance.pk),
                object_id=instance.pk,
                object_repr=str(instance)[:200],
                action=LogEntry.Action.CREATE,
                changes={
                    field.attname: [None, _plain(getattr(instance, field.attname))]
                    for field in instance._meta.concrete_fields
                    if not field.primary_key
                },
                actor=actor,
                additional_data=data,
            )
        )
    LogEntry.objects.bulk_create(entries, batch_size=2000)


def _plain(value: Any) -> str | None:
    return None if value is None else str(value)
