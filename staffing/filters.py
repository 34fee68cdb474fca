import datetime as dt

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from staffing.models import Appointment, Person


class PersonFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label=_("Name or national ID"))
    department = django_filters.NumberFilter(
        field_name="appointments__post__department", method="filter_department", label=_("Department")
    )

    class Meta:
        model = Person
        fields = ["identity", "status", "education"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(name__icontains=value) | queryset.filter(national_id__startswith=value)

    def filter_department(self, queryset, name, value):
        return queryset.filter(
            appointments__status=Appointment.Status.ACTIVE, appointments__post__department=value
        ).distinct()


class AppointmentFilter(django_filters.FilterSet):
    department = django_filters.NumberFilter(field_name="post__department", label=_("Department"))
    ending_within_days = django_filters.NumberFilter(method="filter_ending", label=_("Term ends within (days)"))

    class Meta:
        model = Appointment
        fields = ["status", "method", "post", "person"]

    def filter_ending(self, queryset, name, value):
        today = timezone.localdate()
        return queryset.filter(term_end__gte=today, term_end__lte=today + dt.timedelta(days=int(value)))
