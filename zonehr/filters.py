import django_filters
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _


class AuditEntryFilter(django_filters.FilterSet):
    model = django_filters.ModelChoiceFilter(
        field_name="content_type",
        label=_("Record type"),
        queryset=ContentType.objects.filter(app_label__in=["staffing", "recruitment", "assessment", "payroll"]),
    )
    person = django_filters.NumberFilter(field_name="additional_data__person", label=_("Person number"))
    user = django_filters.CharFilter(field_name="actor__username", lookup_expr="iexact", label=_("User"))
    since = django_filters.DateFilter(field_name="timestamp", lookup_expr="date__gte", label=_("From"))
    until = django_filters.DateFilter(field_name="timestamp", lookup_expr="date__lte", label=_("To"))

    class Meta:
        model = LogEntry
        fields: list[str] = []
