from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ZoneHRConfig(AppConfig):
    name = "zonehr"
    verbose_name = _("ZoneHR")

    def ready(self) -> None:
        from zonehr import checks  # noqa: F401  (registers the system checks)
