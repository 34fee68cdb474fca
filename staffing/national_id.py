"""Resident identity numbers (GB 11643-1999): check digit, birth date, gender, masking."""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CODES = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")


def check_digit(first17: str) -> str:
    """The 18th character for the 17 digits given (ISO 7064 MOD 11-2)."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CODES[total % 11]


def birth_date(national_id: str) -> dt.date:
    return dt.date(int(national_id[6:10]), int(national_id[10:12]), int(national_id[12:14]))


def gender(national_id: str) -> str:
    """ "M" or "F": the 17th digit is odd for men, even for women."""
    return "M" if int(national_id[16]) % 2 else "F"


def validate_national_id(value: str) -> None:
    if not _SHAPE.match(value or ""):
        raise ValidationError(
            _("National ID must be 18 characters: 17 digits and a check digit (0-9 or X)."),
            code="national_id_shape",
        )
    try:
        birth_date(value)
    except ValueError:
        raise ValidationError(
            _("National ID holds no valid birth date (characters 7-14)."), code="national_id_birth_date"
        ) from None
    expected = check_digit(value[:17])
    if value[17] != expected:
        raise ValidationError(
            _("National ID check digit is %(found)s but GB 11643 gives %(expected)s for these digits."),
            code="national_id_check_digit",
            params={"found": value[17], "expected": expected},
        )


def mask(national_id: str) -> str:
    """Show the first 4 and last 4 characters only."""
    if len(national_id) <= 8:
        return national_id
    return national_id[:4] + "*" * (len(national_id) - 8) + national_id[-4:]
