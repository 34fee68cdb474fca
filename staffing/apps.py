from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffingConfig(AppConfig):
    name = "staffing"
    verbose_name = _("Staffing")

    def ready(self) -> None:
        from staffing import models
        from zonehr.audit import audit_register

        audit_register(
            models.Department,
            models.Post,
            models.SalaryGrade,
            models.Person,
            models.ArchivalRecord,
            models.ArchivalEvent,
            models.Appointment,
        )
