import django_filters
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from staffing.models import Person
from zonehr.forms import Form

AUDITED_APPS = ["staffing", "recruitment", "assessment", "payroll"]


class AuditEntryFilter(django_filters.FilterSet):
    model = django_filters.ModelChoiceFilter(
        field_name="content_type",
        label=_("Record type"),
        queryset=ContentType.objects.filter(app_label__in=AUDITED_APPS).order_by("app_label", "model"),
    )
    person = django_filters.CharFilter(method="filter_person", label=_("Person (name or number)"))
    user = django_filters.CharFilter(field_name="actor__username", lookup_expr="iexact", label=_("User"))
    since = django_filters.DateFilter(field_name="timestamp", lookup_expr="date__gte", label=_("From"))
    until = django_filters.DateFilter(field_name="timestamp", lookup_expr="date__lte", label=_("To"))

    class Meta:
        model = LogEntry
        fields: list[str] = []
        form = Form

    def filter_person(self, queryset, name, value):
        value = value.strip()
        if value.isdigit():
            return queryset.filter(additional_data__person=int(value))
        ids = list(Person.objects.filter(name__icontains=value).values_list("id", flat=True)[:500])
        return queryset.filter(additional_data__person__in=ids)
