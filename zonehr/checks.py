"""System checks for configuration rules that must hold in every deployment."""

from django.conf import settings
from django.core.checks import Error, register


@register()
def check_time_zone(app_configs, **kwargs):
    # Pay periods, deadlines and publicity days are Beijing dates; a UTC server
    # would put a midnight submission on the wrong day.
    if settings.TIME_ZONE != "Asia/Shanghai" or not settings.USE_TZ:
        return [Error("ZoneHR needs TIME_ZONE = 'Asia/Shanghai' and USE_TZ = True.", id="zonehr.E001")]
    return []
