"""Money and score rounding. Money is Decimal everywhere, rounded at named points."""

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")


def to_fen(amount: Decimal | int | str) -> Decimal:
    """Round an amount to the fen (0.01 yuan), half-up as Chinese payroll rules require."""
    return Decimal(amount).quantize(FEN, rounding=ROUND_HALF_UP)


ROUNDING_MODES = {"half_up": ROUND_HALF_UP, "truncate": ROUND_DOWN}


def round_to(value: Decimal, places: int = 2, mode: str = "half_up") -> Decimal:
    """Round a score to `places` decimals; `mode` is "half_up" or "truncate" (some provinces truncate)."""
    try:
        rounding = ROUNDING_MODES[mode]
    except KeyError:
        raise ValueError(f"unknown rounding mode {mode!r}; use one of {sorted(ROUNDING_MODES)}") from None
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=rounding)


def grouped(amount: Decimal | int | str | None) -> str:
    """An amount as finance writes it, 12,345.67: grouped by thousands whatever the page's
    language (Django's Chinese number format groups nothing)."""
    return f"{Decimal(amount or 0):,.2f}"
