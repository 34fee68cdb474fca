from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PayrollConfig(AppConfig):
    name = "payroll"
    verbose_name = _("Payroll")

    def ready(self) -> None:
        from payroll import models
        from zonehr.audit import audit_register

        # Pay lines are written in bulk by a calculation, recorded as one event on the period.
        audit_register(
            models.PayPolicy,
            models.PayPeriod,
            models.SalaryPackage,
            models.PayProfile,
            models.PayInput,
            models.AdvancedWorker,
        )
