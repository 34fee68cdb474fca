"""Staffing writes: the lifecycle of domain.md §4–§5.

Each service validates, writes in one transaction, locks the rows it decides on,
and is audited with the actor and the reason.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from staffing.models import (
    Appointment,
    ArchivalEvent,
    ArchivalRecord,
    Department,
    Person,
    Post,
    SalaryGrade,
    StaffingPolicy,
    StatusChange,
)
from zonehr.audit import audit_context
from zonehr.errors import ApplicationError, require_reason, validated_save

ONE_DAY = dt.timedelta(days=1)
SEPARATIONS = {
    Appointment.EndKind.CONTRACT_END: Person.Status.DEPARTED,
    Appointment.EndKind.DEPARTED: Person.Status.DEPARTED,
    Appointment.EndKind.DISMISSED: Person.Status.DISMISSED,
    Appointment.EndKind.RETIRED: Person.Status.RETIRED,
}
GONE = (Person.Status.DEPARTED, Person.Status.DISMISSED, Person.Status.RETIRED)


def person_create(*, actor: Any, **fields: Any) -> Person:
    person = Person(**fields)
    with transaction.atomic(), audit_context(actor=actor):
        validated_save(person)
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
    """Seal a person's archival record. Afterwards it changes only through events."""
    record = ArchivalRecord(
        person=person,
        archival_post=archival_post,
        archival_rank=archival_rank,
        establishment_type=establishment_type,
        archival_salary=archival_salary,
        sealed_on=sealed_on,
    )
    with transaction.atomic(), audit_context(actor=actor):
        if ArchivalRecord.objects.filter(person=person).exists():
            raise ApplicationError(
                _("%(person)s already has a sealed archival record; record an archival event instead.")
                % {"person": person}
            )
        validated_save(record)
    return record


def archival_event_record(
    *,
    actor: Any,
    record: ArchivalRecord,
    kind: str,
    approval_document: str,
    approved_on: dt.date,
    effective_on: dt.date,
    reason: str,
    archival_post: str = "",
    archival_rank: str = "",
    establishment_type: str = "",
    archival_salary: Decimal | None = None,
) -> ArchivalEvent:
    """Append a change to the archival track, citing the approval that allowed it."""
    require_reason(reason)
    event = ArchivalEvent(
        record=record,
        kind=kind,
        approval_document=approval_document,
        approved_on=approved_on,
        effective_on=effective_on,
        reason=reason,
        archival_post=archival_post,
        archival_rank=archival_rank,
        establishment_type=establishment_type,
        archival_salary=archival_salary,
        recorded_by=actor,
    )
    if effective_on < record.sealed_on:
        raise ApplicationError(
            _("An archival event cannot take effect before the record was sealed (%(sealed)s).")
            % {"sealed": record.sealed_on},
            {"effective_on": [_("Before the sealing date.")]},
        )
    with transaction.atomic(), audit_context(actor=actor, reason=reason):
        validated_save(event)
    return event


def _status_set(*, actor: Any, person: Person, status: str, on: dt.date, reason: str) -> None:
    if person.status == status:
        return
    StatusChange.objects.create(
        person=person, from_status=person.status, to_status=status, changed_on=on, reason=reason, actor=actor
    )
    person.status = status
    person.save(update_fields=["status"])


def _locked_active_appointment(person: Person) -> Appointment | None:
    return (
        Appointment.objects.select_for_update()
        .select_related("post__level")
        .filter(person=person, status=Appointment.Status.ACTIVE)
        .first()
    )


def _end(appointment: Appointment, *, on: dt.date, kind: str, reason: str) -> None:
    if on < appointment.term_start:
        raise ApplicationError(
            _("The appointment cannot end (%(on)s) before its term started (%(start)s).")
            % {"on": on, "start": appointment.term_start},
            {"on": [_("Before the term start.")]},
        )
    appointment.status = Appointment.Status.ENDED
    appointment.ended_on = on
    appointment.end_kind = kind
    appointment.end_reason = reason
    appointment.save(update_fields=["status", "ended_on", "end_kind", "end_reason"])


def _appoint(
    *,
    person: Person,
    post: Post,
    method: str,
    term_start: dt.date,
    term_end: dt.date,
    salary_grade: SalaryGrade | None,
    negotiated_salary: Decimal | None,
    probation_end: dt.date | None,
) -> Appointment:
    """Create the appointment within the post's headcount; the caller holds the transaction."""
    # Lock the post so two appointments racing for its last place cannot both win.
    post = Post.objects.select_for_update().select_related("level__series").get(pk=post.pk)
    if not post.is_active:
        raise ApplicationError(_("Post “%(post)s” is closed.") % {"post": post}, {"post": [_("Closed post.")]})
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
    try:
        with transaction.atomic():
            validated_save(appointment)
    except IntegrityError as exc:
        # A concurrent appointment of the same person won the one-active-appointment constraint.
        raise ApplicationError(
            _("This person already holds an active appointment."),
            {"person": [_("This person already holds an active appointment.")]},
        ) from exc
    return appointment


def _lock_person(person: Person) -> Person:
    return Person.objects.select_for_update().get(pk=person.pk)


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
    """Appoint a person to a post. New leaders get the policy's probation unless one is given."""
    with transaction.atomic(), audit_context(actor=actor, reason=reason):
        person = _lock_person(person)
        if person.status in GONE:
            raise ApplicationError(
                _("%(person)s has status “%(status)s” and cannot be appointed.")
                % {"person": person, "status": person.get_status_display()},
                {"person": [_("Not available for appointment.")]},
            )
        if person.status == Person.Status.WAITING:
            raise ApplicationError(
                _("%(person)s is waiting for a post: use “return from waiting”, which checks the training period.")
                % {"person": person},
                {"person": [_("Waiting for a post.")]},
            )
        if probation_end is None and post.is_leadership and term_start:
            months = StaffingPolicy.current().leadership_probation_months
            probation_end = term_start + relativedelta(months=months) - ONE_DAY if months else None
        appointment = _appoint(
            person=person,
            post=post,
            method=method,
            term_start=term_start,
            term_end=term_end,
            salary_grade=salary_grade,
            negotiated_salary=negotiated_salary,
            probation_end=probation_end,
        )
        _status_set(
            actor=actor,
            person=person,
            status=Person.Status.ON_POST,
            on=term_start,
            reason=reason or _("Appointed to %(post)s") % {"post": appointment.post},
        )
    return appointment


def appointment_renew(
    *,
    actor: Any,
    appointment: Appointment,
    term_end: dt.date,
    salary_grade: SalaryGrade | None = None,
    reason: str,
) -> Appointment:
    """Renew the contract (续聘): extend its term, optionally at another grade of the same level."""
    require_reason(reason)
    with transaction.atomic(), audit_context(actor=actor, reason=reason):
        appointment = Appointment.objects.select_for_update().select_related("post__level").get(pk=appointment.pk)
        if appointment.status != Appointment.Status.ACTIVE:
            raise ApplicationError(_("Only an active appointment can be renewed."))
        if term_end <= appointment.term_end:
            raise ApplicationError(
                _("A renewal must end after the current term (%(end)s).") % {"end": appointment.term_end},
                {"term_end": [_("Not after the current term end.")]},
            )
        appointment.term_end = term_end
        if salary_grade is not None:
            appointment.salary_grade = salary_grade
        validated_save(appointment)
    return appointment


def appointment_transfer(
    *,
    actor: Any,
    person: Person,
    post: Post,
    on: dt.date,
    reason: str,
    salary_grade: SalaryGrade | None = None,
    negotiated_salary: Decimal | None = None,
    term_end: dt.date | None = None,
    after_failure: bool = False,
    method: str = Appointment.Method.DIRECT,
) -> Appointment:
    """Transfer (转岗) to another post from `on`. After failing a post the new level may not be higher."""
    require_reason(reason)
    with transaction.atomic(), audit_context(actor=actor, reason=reason):
        person = _lock_person(person)
        current = _locked_active_appointment(person)
        if current is None:
            raise ApplicationError(_("%(person)s holds no active appointment to transfer from.") % {"person": person})
        if current.post_id == post.pk:
            raise ApplicationError(_("The new post is the current post."), {"post": [_("Same post.")]})
        new_level = Post.objects.select_related("level").get(pk=post.pk).level
        if after_failure and new_level.rank > current.post.level.rank:
            raise ApplicationError(
                _(
                    "After failing a post the new post may not be higher than the old one: "
                    "%(old)s (level %(old_rank)s) → %(new)s (level %(new_rank)s)."
                )
                % {
                    "old": current.post,
                    "old_rank": current.post.level.rank,
                    "new": post,
                    "new_rank": new_level.rank,
                },
                {"post": [_("Higher than the original post.")]},
            )
        _end(current, on=on - ONE_DAY, kind=Appointment.EndKind.TRANSFERRED, reason=reason)
        return _appoint(
            person=person,
            post=post,
            method=method,
            term_start=on,
            term_end=term_end or current.term_end,
            salary_grade=salary_grade,
            negotiated_salary=negotiated_salary,
            probation_end=None,
        )


def appointment_close(*, actor: Any, appointment: Appointment, on: dt.date, kind: str, reason: str) -> Appointment:
    """End an appointment on its own, the person keeping his status: the step before a new
    appointment elsewhere, when places must be freed first (a re-competition of every post)."""
    require_reason(reason)
    with transaction.atomic(), audit_context(actor=actor, reason=reason):
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if appointment.status != Appointment.Status.ACTIVE:
            raise ApplicationError(_("Only an active appointment can be ended."))
        _end(appointment, on=on, kind=kind, reason=reason)
    return appointment


def person_send_to_waiting(*, actor: Any, person: Person, on: dt.date, reason: str) -> Person:
    """Send to waiting (待岗): off-post training, basic pay only, until he re-competes."""
    require_reason(reason)
    with transaction.atomic(), audit_context(actor=actor, reason=reason):
        person = _lock_person(person)
        if person.status not in (Person.Status.ON_POST, Person.Status.PENDING):
            raise ApplicationError(
                _("%(person)s has status “%(status)s” and cannot be sent to waiting.")
                % {"person": person, "status": person.get_status_display()}
            )
        current = _locked_active_appointment(person)
        if current is not None:
            _end(current, on=on, kind=Appointment.EndKind.WAITING, reason=reason)
        _status_set(actor=actor, person=person, status=Person.Status.WAITING, on=on, reason=reason)
    return person


def waiting_since(person: Person) -> dt.date | None:
    change = (
        StatusChange.objects.filter(person=person, to_status=Person.Status.WAITING)
        .order_by("-changed_on", "-id")
        .first()
    )
    return change.changed_on if change else None


def person_return_from_waiting(
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
    override_reason: str = "",
) -> Appointment:
    """Return a waiting person to a post, refused before the minimum training unless HR overrides."""
    with transaction.atomic():
        person = _lock_person(person)
        if person.status != Person.Status.WAITING:
            raise ApplicationError(
                _("%(person)s is not waiting for a post.") % {"person": person}, {"person": [_("Not waiting.")]}
            )
        since = waiting_since(person) or term_start
        months = StaffingPolicy.current().waiting_minimum_months
        earliest = since + relativedelta(months=months)
        if term_start < earliest and not override_reason.strip():
            raise ApplicationError(
                _(
                    "%(person)s has been waiting since %(since)s; off-post training lasts at least %(months)s "
                    "months, so the earliest return is %(earliest)s. HR may override with a reason."
                )
                % {"person": person, "since": since, "months": months, "earliest": earliest},
                {"term_start": [_("Before the end of the minimum training.")]},
            )
        reason = override_reason or _("Returned from waiting to %(post)s") % {"post": post}
        with audit_context(actor=actor, reason=reason):
            appointment = _appoint(
                person=person,
                post=post,
                method=method,
                term_start=term_start,
                term_end=term_end,
                salary_grade=salary_grade,
                negotiated_salary=negotiated_salary,
                probation_end=probation_end,
            )
            _status_set(actor=actor, person=person, status=Person.Status.ON_POST, on=term_start, reason=reason)
    return appointment


def person_separate(*, actor: Any, person: Person, kind: str, on: dt.date, reason: str) -> Person:
    """End contract, dismiss, resign/depart or retire: the appointment ends and the person leaves."""
    require_reason(reason)
    if kind not in SEPARATIONS:
        raise ApplicationError(_("Unknown way of leaving: %(kind)s.") % {"kind": kind}, {"kind": [_("Unknown.")]})
    with transaction.atomic(), audit_context(actor=actor, reason=reason):
        person = _lock_person(person)
        if person.status in GONE:
            raise ApplicationError(
                _("%(person)s has already left (%(status)s).")
                % {"person": person, "status": person.get_status_display()}
            )
        current = _locked_active_appointment(person)
        if current is not None:
            _end(current, on=on, kind=kind, reason=reason)
        _status_set(actor=actor, person=person, status=SEPARATIONS[kind], on=on, reason=reason)
    return person


def department_save(*, actor: Any, department: Department, reason: str = "") -> Department:
    """Create or change a department (name, kind, parent), refusing a cycle in the tree."""
    with transaction.atomic(), audit_context(actor=actor, reason=reason):
        ancestor = department.parent
        while ancestor is not None:
            if ancestor.pk == department.pk:
                raise ApplicationError(
                    _("%(department)s cannot sit below itself.") % {"department": department},
                    {"parent": [_("This would make a cycle.")]},
                )
            ancestor = ancestor.parent
        validated_save(department)
    return department


def post_save(*, actor: Any, post: Post, reason: str = "") -> Post:
    """Create or change a post; its headcount may not drop below the places held."""
    with transaction.atomic(), audit_context(actor=actor, reason=reason):
        if post.pk:
            used = Appointment.objects.filter(post=post, status=Appointment.Status.ACTIVE).count()
            if post.headcount < used:
                raise ApplicationError(
                    _("Headcount %(headcount)s is below the %(used)s places held on “%(post)s”.")
                    % {"headcount": post.headcount, "used": used, "post": post},
                    {"headcount": [_("Below the places held.")]},
                )
        validated_save(post)
    return post


def departments_merge(*, actor: Any, sources: list[Department], target: Department, reason: str) -> Department:
    """Merge departments into `target` (大部制): their posts and sub-departments move, they close."""
    require_reason(reason)
    if target in sources:
        raise ApplicationError(_("A department cannot be merged into itself."), {"target": [_("Also a source.")]})
    if not target.is_active:
        raise ApplicationError(_("The target department is closed."), {"target": [_("Closed.")]})
    with transaction.atomic(), audit_context(actor=actor, reason=reason):
        for source in Department.objects.select_for_update().filter(pk__in=[s.pk for s in sources]):
            for post in source.posts.all():
                post.department = target
                post.save(update_fields=["department"])
            for child in source.children.all():
                child.parent = target
                child.save(update_fields=["parent"])
            source.is_active = False
            source.merged_into = target
            source.save(update_fields=["is_active", "merged_into"])
    return target
