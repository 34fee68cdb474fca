import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth.models import Group

from staffing import models
from staffing.national_id import check_digit
from zonehr.models import User


def national_id_for(birth: dt.date, serial: int, gender: str = "M") -> str:
    """A valid 18-character ID: region 130600 (Baoding), birth date, serial, gender digit, check digit."""
    gender_digit = (serial % 5) * 2 + (1 if gender == "M" else 0)
    first17 = f"130600{birth:%Y%m%d}{serial % 100:02d}{gender_digit}"
    return first17 + check_digit(first17)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "pw")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*Group.objects.filter(name__in=[str(role) for role in extracted]))
        if create:
            self.save()


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Department

    name = factory.Sequence(lambda n: f"部门{n}")
    code = factory.Sequence(lambda n: f"D{n:03d}")
    kind = models.Department.Kind.FUNCTIONAL_BUREAU


class PostSeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.PostSeries
        django_get_or_create = ["code"]

    code = "clerical"
    name = "文职"


class PositionLevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.PositionLevel

    series = factory.SubFactory(PostSeriesFactory)
    # Far above the ranks tests set explicitly, so generated levels never collide with them.
    rank = factory.Sequence(lambda n: n + 100)
    name = factory.LazyAttribute(lambda o: f"{o.rank}级职位")
    min_grade = 1
    max_grade = 3


class SalaryGradeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.SalaryGrade
        django_get_or_create = ["series", "number"]

    series = factory.SubFactory(PostSeriesFactory)
    number = 1
    monthly_amount = factory.LazyAttribute(lambda o: Decimal(3500) + Decimal(500) * (o.number - 1))


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Post

    department = factory.SubFactory(DepartmentFactory)
    name = factory.Sequence(lambda n: f"岗位{n}")
    code = factory.Sequence(lambda n: f"P{n:04d}")
    level = factory.SubFactory(PositionLevelFactory)
    headcount = 3


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Person

    name = factory.Sequence(lambda n: f"张{n}")
    gender = "M"
    birth_date = factory.Sequence(lambda n: dt.date(1980, 1, 1) + dt.timedelta(days=n))
    national_id = factory.LazyAttributeSequence(lambda o, n: national_id_for(o.birth_date, n, o.gender))
    identity = models.Person.Identity.CONTRACT
    education = models.Person.Education.BACHELOR
    joined_on = dt.date(2010, 7, 1)


class AppointmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Appointment

    person = factory.SubFactory(PersonFactory, status=models.Person.Status.ON_POST)
    post = factory.SubFactory(PostFactory)
    method = models.Appointment.Method.COMPETITIVE
    term_start = dt.date(2024, 1, 1)
    term_end = dt.date(2028, 12, 31)
    salary_grade = factory.LazyAttribute(lambda o: SalaryGradeFactory(series=o.post.level.series, number=1))


class ArchivalRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ArchivalRecord

    person = factory.SubFactory(PersonFactory)
    archival_post = "科员"
    archival_rank = "一级科员"
    establishment_type = models.EstablishmentType.INSTITUTION
    archival_salary = Decimal("4200.00")
    sealed_on = dt.date(2024, 1, 1)


class ArchivalEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ArchivalEvent

    record = factory.SubFactory(ArchivalRecordFactory)
    kind = models.ArchivalEvent.Kind.PROMOTION
    archival_rank = "四级主任科员"
    approval_document = factory.Sequence(lambda n: f"高新党工委〔2025〕{n}号")
    approved_on = dt.date(2025, 3, 1)
    effective_on = dt.date(2025, 3, 1)
    reason = "编制内出现空缺，按规定晋升"
    recorded_by = factory.SubFactory(UserFactory)
