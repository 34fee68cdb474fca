from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecruitmentConfig(AppConfig):
    name = "recruitment"
    verbose_name = _("Recruitment")

    def ready(self) -> None:
        from recruitment import models
        from zonehr.audit import audit_register

        audit_register(
            models.Campaign,
            models.CampaignPost,
            models.Application,
            models.IntegrityFlag,
            models.Round,
            models.Criterion,
            models.Panel,
            models.ScoreSheet,
            models.WrittenScore,
            models.Result,
            models.Objection,
        )
