"""Staffing writes. Each service validates, writes in one transaction and is audited."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from staffing.models import (
    Appointment,
    ArchivalRecord,
    Person,
    Post,
    SalaryGrade,
    StatusChange,
)
from zonehr.audit import audit_context
from zonehr.errors import ApplicationError, error_from_validation


def _validated_save(instance) -> None:
    try:
        instance.full_clean()
    except ValidationError as exc:
        raise error_from_validation(exc) from exc
    instance.save()


def person_create(*, actor: Any, **fields: Any) -> Person:
    person = Person(**fields)
    with transaction.atomic(), audit_context(actor=actor):
        _validated_save(person)
    return person


def archival_record_seal(
    *,
    actor: Any,
    person: Person,
    archival_post: str,
    archival_rank: str,
    establishment_type: str,
    archival_salary: Decimal,
    sealed_on: dt.date,
) -> ArchivalRecord:
    """Seal a person's archival record. It can only be extended by events afterwards."""
    record = ArchivalRecord(
        person=person,
        archival_post=archival_post,
        archival_rank=archival_rank,
        establishment_type=establishment_type,
        archival_salary=archival_salary,
        sealed_on=sealed_on,
    )
    with transaction.atomic(), audit_context(actor=actor):
        _validated_save(record)
    return record


def _person_status_set(*, actor: Any, person: Person, status: str, on: dt.date, reason: str) -> None:
    if person.status == status:
        return
    StatusChange.objects.create(
        person=person, from_status=person.status, to_status=status, changed_on=on, reason=reason, actor=actor
    )
    person.status = status
    person.save(update_fields=["status"])


def appointment_create(
    *,
    actor: Any,
    person: Person,
    post: Post,
    method: str,
    term_start: dt.date,
    term_end: dt.date,
    salary_grade: SalaryGrade | None = None,
    negotiated_salary: Decimal | None = None,
    probation_end: dt.date | None = None,
    reason: str = "",
) -> Appointment:
    """Appoint a person to a post, within the post's headcount and his one active appointment."""
    with transaction.atomic(), audit_context(actor=actor, reason=reason):
        # Lock the post so two appointments racing for its last place cannot both win.
        post = Post.objects.select_for_update().select_related("level__series").get(pk=post.pk)
        person = Person.objects.select_for_update().get(pk=person.pk)
        if person.status in (Person.Status.DEPARTED, Person.Status.DISMISSED, Person.Status.RETIRED):
            raise ApplicationError(
                _("%(person)s has status “%(status)s” and cannot be appointed.")
                % {"person": person, "status": person.get_status_display()},
                {"person": [_("Not available for appointment.")]},
            )
        used = post.appointments.filter(status=Appointment.Status.ACTIVE).count()
        if used >= post.headcount:
            raise ApplicationError(
                _("Post “%(post)s” is full: headcount %(headcount)s, %(used)s held.")
                % {"post": post, "headcount": post.headcount, "used": used},
                {"post": [_("No vacant place on this post.")]},
            )
        appointment = Appointment(
            person=person,
            post=post,
            method=method,
            term_start=term_start,
            term_end=term_end,
            salary_grade=salary_grade,
            negotiated_salary=negotiated_salary,
            probation_end=probation_end,
        )
        _validated_save_unique(appointment)
        _person_status_set(
            actor=actor,
            person=person,
            status=Person.Status.ON_POST,
            on=term_start,
            reason=reason or _("Appointed to %(post)s") % {"post": post},
        )
    return appointment


def _validated_save_unique(appointment: Appointment) -> None:
    """Save, turning a lost race on the one-active-appointment constraint into a clear refusal."""
    try:
        with transaction.atomic():
            _validated_save(appointment)
    except IntegrityError as exc:
        raise ApplicationError(
            _("This person already holds an active appointment."),
            {"person": [_("This person already holds an active appointment.")]},
        ) from exc
