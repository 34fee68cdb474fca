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
