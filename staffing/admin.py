from django.contrib import admin

from staffing import models
from staffing.national_id import mask


@admin.register(models.Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]


class PositionLevelInline(admin.TabularInline):
    model = models.PositionLevel
    extra = 0


@admin.register(models.PostSeries)
class PostSeriesAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "sort_order"]
    inlines = [PositionLevelInline]


@admin.register(models.SalaryGrade)
class SalaryGradeAdmin(admin.ModelAdmin):
    list_display = ["series", "number", "monthly_amount"]
    list_filter = ["series"]


@admin.register(models.Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "department", "level", "headcount", "coefficient", "is_leadership"]
    list_filter = ["department", "level__series", "is_leadership"]
    search_fields = ["name", "code"]
    list_select_related = ["department", "level__series"]


@admin.register(models.Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "masked_national_id", "identity", "status"]
    list_filter = ["identity", "status"]
    search_fields = ["name", "national_id"]
    raw_id_fields = ["user"]

    @admin.display(description=models.Person._meta.get_field("national_id").verbose_name)
    def masked_national_id(self, obj: models.Person) -> str:
        return mask(obj.national_id)


@admin.register(models.Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ["person", "post", "method", "term_start", "term_end", "salary_grade", "status"]
    list_filter = ["status", "method"]
    raw_id_fields = ["person", "post", "salary_grade"]
    list_select_related = ["person", "post", "salary_grade__series"]


class SealedAdmin(admin.ModelAdmin):
    """The archival track is append-only: it can be read here, never changed."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(models.ArchivalRecord)
class ArchivalRecordAdmin(SealedAdmin):
    list_display = ["person", "archival_post", "archival_rank", "establishment_type", "archival_salary", "sealed_on"]
    list_select_related = ["person"]


@admin.register(models.ArchivalEvent)
class ArchivalEventAdmin(SealedAdmin):
    list_display = ["record", "kind", "approval_document", "effective_on", "recorded_by"]
