from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = _("Assessment")

    def ready(self) -> None:
        from assessment import models
        from zonehr.audit import audit_register

        audit_register(
            models.Cycle,
            models.Indicator,
            models.Adjustment,
            models.DepartmentCoefficient,
            models.Composition,
            models.Evaluation,
            models.SupervisedTask,
            models.Rating,
            models.ConsequenceProposal,
        )
        # The filer of an anonymous report is known to the inspector alone, not to the trail.
        audit_register(models.ConductReport, exclude_fields=("filed_by",))
