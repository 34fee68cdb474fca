from django.contrib.auth.models import AbstractUser
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A login. Roles are groups (see zonehr.roles); the person record links here."""

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
