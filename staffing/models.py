"""Organisation, posts, pay scale and people: the dual track of domain.md §3–§4.

Models hold data and invariants. Workflows (appointing, sending to waiting, ...)
are in staffing.services; reads that cross relations are in staffing.selectors.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from staffing import national_id
from staffing.national_id import validate_national_id
from zonehr.audit import AuditedModel


class Department(AuditedModel):
    class Kind(models.TextChoices):
        PARTY_OFFICE = "party_office", _("Party and administrative office")
        FUNCTIONAL_BUREAU = "functional_bureau", _("Functional bureau")
        FRONTLINE = "frontline", _("Front-line economic service department")
        STATUTORY_BODY = "statutory_body", _("Statutory body or group company")
        PARK_CENTRE = "park_centre", _("Park service centre")
        INSTITUTION = "institution", _("Public institution")

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    merged_into = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="merged_from", verbose_name=_("merged into")
    )

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=F("id")),
                name="department_not_own_parent",
                violation_error_message=_("A department cannot be its own parent."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PostSeries(models.Model):
    """管理/文职 clerical, 技术 technical, 其他 other (technicians and handymen)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=50)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("post series")
        verbose_name_plural = _("post series")

    def __str__(self) -> str:
        return self.name


class PositionLevel(models.Model):
    """A position within a series, paid by a band of the series' salary grades.

    A negotiated level (special commissioner, special adviser) has no grade band:
    its pay is agreed per appointment.
    """

    series = models.ForeignKey(PostSeries, models.PROTECT, related_name="levels", verbose_name=_("series"))
    rank = models.PositiveIntegerField(_("rank"), help_text=_("1 is the lowest level of the series."))
    name = models.CharField(_("name"), max_length=50)
    min_grade = models.PositiveIntegerField(_("lowest grade"), null=True, blank=True)
    max_grade = models.PositiveIntegerField(_("highest grade"), null=True, blank=True)
    is_negotiated = models.BooleanField(_("pay negotiated"), default=False)

    class Meta:
        ordering = ["series__sort_order", "rank"]
        verbose_name = _("position level")
        verbose_name_plural = _("position levels")
        constraints = [
            models.UniqueConstraint(fields=["series", "rank"], name="position_level_rank_unique"),
            models.CheckConstraint(
                condition=Q(is_negotiated=True, min_grade__isnull=True, max_grade__isnull=True)
                | Q(is_negotiated=False, min_grade__lte=F("max_grade")),
                name="position_level_grade_band",
                violation_error_message=_("A level has a grade band (lowest ≤ highest) unless its pay is negotiated."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.series.name} · {self.name}"

    def admits_grade(self, grade: "SalaryGrade") -> bool:
        return (
            not self.is_negotiated
            and grade.series_id == self.series_id
            and self.min_grade <= grade.number <= self.max_grade
        )


class SalaryGrade(AuditedModel):
    series = models.ForeignKey(PostSeries, models.PROTECT, related_name="grades", verbose_name=_("series"))
    number = models.PositiveIntegerField(_("grade"))
    monthly_amount = models.DecimalField(
        _("monthly amount"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )

    class Meta:
        ordering = ["series__sort_order", "number"]
        verbose_name = _("salary grade")
        verbose_name_plural = _("salary grades")
        constraints = [
            models.UniqueConstraint(fields=["series", "number"], name="salary_grade_number_unique"),
            models.CheckConstraint(condition=Q(monthly_amount__gte=0), name="salary_grade_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return _("%(series)s grade %(number)s") % {"series": self.series.name, "number": self.number}


class Post(AuditedModel):
    department = models.ForeignKey(Department, models.PROTECT, related_name="posts", verbose_name=_("department"))
    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=40, unique=True)
    level = models.ForeignKey(PositionLevel, models.PROTECT, related_name="posts", verbose_name=_("position level"))
    headcount = models.PositiveIntegerField(_("headcount"), help_text=_("The most people this post may hold."))
    coefficient = models.DecimalField(
        _("post coefficient"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.00"),
        help_text=_("Weight of the post when the department's performance package is shared."),
    )
    is_leadership = models.BooleanField(_("leadership post"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["department__sort_order", "code"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        constraints = [
            models.CheckConstraint(
                condition=Q(headcount__gte=0),
                name="post_headcount_not_negative",
                violation_error_message=_("Headcount cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(coefficient__gt=0),
                name="post_coefficient_positive",
                violation_error_message=_("The post coefficient must be above zero."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def series(self) -> PostSeries:
        return self.level.series


class Person(AuditedModel):
    class Identity(models.TextChoices):
        CIVIL_SERVANT = "civil_servant", _("Civil servant")
        INSTITUTION = "institution", _("Institution staff")
        DISPATCHED = "dispatched", _("Dispatched (purchased service)")
        CONTRACT = "contract", _("Contract staff")
        ENTERPRISE = "enterprise", _("Enterprise staff")

    class Gender(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    class Education(models.TextChoices):
        DOCTORATE = "doctorate", _("Doctorate")
        MASTER = "master", _("Master's degree")
        BACHELOR = "bachelor", _("Bachelor's degree")
        COLLEGE = "college", _("College diploma")
        SECONDARY = "secondary", _("Secondary school")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting appointment")
        ON_POST = "on_post", _("On post")
        WAITING = "waiting", _("Waiting for a post")
        DEPARTED = "departed", _("Departed")
        DISMISSED = "dismissed", _("Dismissed")
        RETIRED = "retired", _("Retired")

    name = models.CharField(_("name"), max_length=50)
    national_id = models.CharField(
        _("national ID"),
        max_length=18,
        unique=True,
        validators=[validate_national_id],
        error_messages={"unique": _("A person with this national ID is already on the roster.")},
    )
    identity = models.CharField(_("identity category"), max_length=20, choices=Identity.choices)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"))
    education = models.CharField(_("education"), max_length=20, choices=Education.choices)
    joined_on = models.DateField(_("joined on"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        verbose_name=_("login"),
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [
            models.Index(fields=["status", "name"], name="person_status_name"),
            # The roster and the API sort by name then id; this index serves both orders.
            models.Index(fields=["name", "id"], name="person_name_id"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.national_id and _is_valid_national_id(self.national_id):
            if self.birth_date and national_id.birth_date(self.national_id) != self.birth_date:
                errors["birth_date"] = _("The birth date does not match the one in the national ID.")
            if self.gender and national_id.gender(self.national_id) != self.gender:
                errors["gender"] = _("The gender does not match the one in the national ID.")
        if self.birth_date and self.joined_on and self.joined_on <= self.birth_date:
            errors["joined_on"] = _("The joining date must be after the birth date.")
        if errors:
            raise ValidationError(errors)

    def audit_person_id(self) -> int | None:
        return self.pk


def _is_valid_national_id(value: str) -> bool:
    try:
        validate_national_id(value)
    except ValidationError:
        return False
    return True


class StatusChange(models.Model):
    """One line of a person's status history (on post, waiting, departed, ...)."""

    person = models.ForeignKey(Person, models.CASCADE, related_name="status_changes", verbose_name=_("person"))
    from_status = models.CharField(_("from"), max_length=20, choices=Person.Status.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=Person.Status.choices)
    changed_on = models.DateField(_("effective on"))
    reason = models.CharField(_("reason"), max_length=300)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-changed_on", "-id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self) -> str:
        return f"{self.person_id}: {self.from_status} → {self.to_status} ({self.changed_on})"


class SealedRecordError(Exception):
    """A sealed archival record or one of its events was about to be changed in place."""


class AppendOnlyModel(models.Model):
    """Rows that are written once: a sealed record and its events are never edited."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise SealedRecordError(f"{type(self).__name__} {self.pk} is sealed and cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise SealedRecordError(f"{type(self).__name__} {self.pk} is sealed and cannot be deleted.")


class EstablishmentType(models.TextChoices):
    ADMINISTRATIVE = "administrative", _("Administrative establishment")
    INSTITUTION = "institution", _("Institution establishment")
    NONE = "none", _("No establishment")


class ArchivalRecord(AuditedModel, AppendOnlyModel):
    """The archival post, rank and salary, frozen (封存) at the reform date."""

    person = models.OneToOneField(Person, models.PROTECT, related_name="archival_record", verbose_name=_("person"))
    archival_post = models.CharField(_("archival post"), max_length=100)
    archival_rank = models.CharField(_("archival rank"), max_length=100)
    establishment_type = models.CharField(_("establishment type"), max_length=20, choices=EstablishmentType.choices)
    archival_salary = models.DecimalField(
        _("archival salary"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    sealed_on = models.DateField(_("sealed on"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("archival record")
        verbose_name_plural = _("archival records")
        constraints = [
            models.CheckConstraint(condition=Q(archival_salary__gte=0), name="archival_salary_not_negative"),
        ]

    def __str__(self) -> str:
        return _("Archival record of %(person)s") % {"person": self.person}

    def audit_person_id(self) -> int | None:
        return self.person_id


class ArchivalEvent(AuditedModel, AppendOnlyModel):
    """A change to the archival track, appended with the approval that allowed it.

    Blank fields leave the archival value as it was; see selectors.archival_effective.
    """

    class Kind(models.TextChoices):
        PROMOTION = "promotion", _("Promotion by the ordinary rules")
        RANK_CHANGE = "rank_change", _("Rank change")
        SALARY_ADJUSTMENT = "salary_adjustment", _("Salary adjustment")
        ESTABLISHMENT_CHANGE = "establishment_change", _("Establishment change")

    record = models.ForeignKey(ArchivalRecord, models.PROTECT, related_name="events", verbose_name=_("record"))
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    archival_post = models.CharField(_("new archival post"), max_length=100, blank=True)
    archival_rank = models.CharField(_("new archival rank"), max_length=100, blank=True)
    establishment_type = models.CharField(
        _("new establishment type"), max_length=20, choices=EstablishmentType.choices, blank=True
    )
    archival_salary = models.DecimalField(
        _("new archival salary"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    approval_document = models.CharField(_("approval document number"), max_length=100)
    approved_on = models.DateField(_("approved on"))
    effective_on = models.DateField(_("effective on"))
    reason = models.CharField(_("reason"), max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["effective_on", "id"]
        verbose_name = _("archival event")
        verbose_name_plural = _("archival events")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.approval_document}"

    def audit_person_id(self) -> int | None:
        return self.record.person_id

    def clean(self) -> None:
        if not (self.archival_post or self.archival_rank or self.establishment_type) and self.archival_salary is None:
            raise ValidationError(_("An archival event must change at least one archival value."))
        if self.approved_on and self.effective_on and self.effective_on < self.approved_on:
            raise ValidationError({"effective_on": _("An event cannot take effect before it was approved.")})


class Appointment(AuditedModel):
    """The contracted post (聘任) a person actually holds; pay follows it."""

    class Method(models.TextChoices):
        DIRECT = "direct", _("Direct appointment")
        COMPETITIVE = "competitive", _("Competitive appointment")
        TWO_WAY = "two_way", _("Two-way selection")
        SOCIAL = "social", _("Open social recruitment")
        SELF_RECOMMENDATION = "self_recommendation", _("Self-recommendation")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")

    class EndKind(models.TextChoices):
        RENEWED = "renewed", _("Renewed")
        TRANSFERRED = "transferred", _("Transferred")
        WAITING = "waiting", _("Sent to waiting")
        CONTRACT_END = "contract_end", _("Contract ended")
        DISMISSED = "dismissed", _("Dismissed")
        DEPARTED = "departed", _("Resigned or departed")
        RETIRED = "retired", _("Retired")
        PROBATION_FAILED = "probation_failed", _("Not confirmed after probation")

    person = models.ForeignKey(Person, models.PROTECT, related_name="appointments", verbose_name=_("person"))
    post = models.ForeignKey(Post, models.PROTECT, related_name="appointments", verbose_name=_("post"))
    method = models.CharField(_("method"), max_length=30, choices=Method.choices)
    term_start = models.DateField(_("term start"))
    term_end = models.DateField(_("term end"))
    salary_grade = models.ForeignKey(
        SalaryGrade,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
        verbose_name=_("salary grade"),
    )
    negotiated_salary = models.DecimalField(
        _("negotiated monthly salary"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    probation_end = models.DateField(_("probation end"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_kind = models.CharField(_("ended because"), max_length=20, choices=EndKind.choices, blank=True)
    end_reason = models.CharField(_("end reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-term_start", "-id"]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status="active"),
                name="one_active_appointment_per_person",
                violation_error_message=_("This person already holds an active appointment."),
            ),
            models.CheckConstraint(
                condition=Q(term_end__gt=F("term_start")),
                name="appointment_term_order",
                violation_error_message=_("The term must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(salary_grade__isnull=False) | Q(negotiated_salary__isnull=False),
                name="appointment_has_pay",
                violation_error_message=_("An appointment needs a salary grade or a negotiated salary."),
            ),
            models.CheckConstraint(
                condition=Q(status="active", ended_on__isnull=True) | Q(status="ended", ended_on__isnull=False),
                name="appointment_ended_on_iff_ended",
                violation_error_message=_("An ended appointment has an end date; an active one has none."),
            ),
        ]
        indexes = [
            models.Index(fields=["post", "status"], name="appointment_post_status"),
            models.Index(fields=["status", "term_end"], name="appointment_status_term_end"),
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.post}"

    def audit_person_id(self) -> int | None:
        return self.person_id

    @property
    def monthly_salary(self) -> Decimal:
        return self.negotiated_salary if self.salary_grade_id is None else self.salary_grade.monthly_amount

    def clean(self) -> None:
        errors = {}
        if self.post_id and self.salary_grade_id:
            level = self.post.level
            if not level.admits_grade(self.salary_grade):
                errors["salary_grade"] = _(
                    "Grade %(grade)s is outside the post's series and level (%(level)s admits %(band)s)."
                ) % {
                    "grade": self.salary_grade,
                    "level": level,
                    "band": _("negotiated pay only")
                    if level.is_negotiated
                    else f"{level.series.name} {level.min_grade}–{level.max_grade}",
                }
        if self.post_id and self.negotiated_salary is not None and not self.post.level.is_negotiated:
            errors["negotiated_salary"] = _("Only a level with negotiated pay takes a negotiated salary.")
        if self.probation_end and self.term_start and self.probation_end <= self.term_start:
            errors["probation_end"] = _("Probation must end after the term starts.")
        if errors:
            raise ValidationError(errors)


class StaffingPolicy(AuditedModel):
    """The zone's staffing rules with numbers; one row, edited by an administrator."""

    waiting_minimum_months = models.PositiveIntegerField(
        _("minimum off-post training (months)"),
        default=3,
        help_text=_("Staff sent to waiting may return to a post only after this many months."),
    )
    leadership_probation_months = models.PositiveIntegerField(_("probation of new leaders (months)"), default=12)
    default_term_years = models.PositiveIntegerField(_("default contract term (years)"), default=3)

    class Meta:
        verbose_name = _("staffing policy")
        verbose_name_plural = _("staffing policy")

    def __str__(self) -> str:
        return str(_("Staffing policy"))

    @classmethod
    def current(cls) -> "StaffingPolicy":
        policy, _created = cls.objects.get_or_create(pk=1)
        return policy
