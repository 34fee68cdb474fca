from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ZoneHRConfig(AppConfig):
    name = "zonehr"
    verbose_name = _("ZoneHR")

    def ready(self) -> None:
        from zonehr import checks, middleware  # noqa: F401  (register the system checks, the login receiver)
