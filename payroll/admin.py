"""Payroll in Django's admin: for reading and for correcting set-up data. Periods move through
their lifecycle on the period pages only; what a calculation wrote is read here, never changed."""

from django.contrib import admin

from payroll import models


class ReadMostlyAdmin(admin.ModelAdmin):
    """Rows whose changes go through the payroll services (audited, with their rules): shown,
    not added or deleted here."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(ReadMostlyAdmin):
    """Written by a calculation or a close as a whole; a hand edit would break the totals."""

    def has_change_permission(self, request, obj=None) -> bool:
        return False


# A policy in force for a closed month must not change: versions are added on the policy page.
@admin.register(models.PayPolicy)
class PayPolicyAdmin(ReadOnlyAdmin):
    list_display = ["effective_from", "per_head_base", "basic_performance_share", "award_share", "housing_fund_rate"]
    date_hierarchy = "effective_from"


@admin.register(models.PayPeriod)
class PayPeriodAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "status", "cycle", "performance_pool", "award_pool", "calculated_at", "closed_at"]
    list_filter = ["status", "year"]
    list_select_related = ["cycle"]


@admin.register(models.PayrollJob)
class PayrollJobAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "kind", "status", "done_steps", "total_steps", "created_at", "finished_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["period"]


@admin.register(models.SalaryPackage)
class SalaryPackageAdmin(ReadOnlyAdmin):
    list_display = ["period", "department", "headcount", "basic_package", "performance_package", "status"]
    list_filter = ["status", "period"]
    list_select_related = ["period", "department"]


@admin.register(models.PayProfile)
class PayProfileAdmin(ReadMostlyAdmin):
    list_display = ["person", "bank_name", "bank_account", "special_additional_deduction", "contribution_wage"]
    search_fields = ["person__name", "bank_account"]
    raw_id_fields = ["person"]
    list_select_related = ["person"]


@admin.register(models.PayInput)
class PayInputAdmin(ReadOnlyAdmin):
    list_display = ["period", "person", "kind", "amount", "note"]
    list_filter = ["kind", "period"]
    search_fields = ["person__name"]
    list_select_related = ["period", "person"]


@admin.register(models.AdvancedWorker)
class AdvancedWorkerAdmin(ReadOnlyAdmin):
    list_display = ["period", "person"]
    list_filter = ["period"]
    list_select_related = ["period", "person"]


@admin.register(models.PayLine)
class PayLineAdmin(ReadOnlyAdmin):
    list_display = ["period", "person", "department", "gross_pay", "income_tax", "net_pay", "job"]
    list_filter = ["period", "department"]
    search_fields = ["person__name"]
    list_select_related = ["period", "person", "department", "job"]
    raw_id_fields = ["person", "job", "period", "department", "post"]
