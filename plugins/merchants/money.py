"""Money in integer fen (hundredths of a yuan): parsing what people type, printing it back, and
converting between credits (hundredths of an hour) and fen at a community's rate.

Conversions round down to the fen in the resident's disfavour by at most one fen, never up, and
are documented in ``docs/merchants.md``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from yizhan.core.api import canonical_decimal, invalid


def yuan_to_fen(value: Any, field: str, *, maximum: int) -> int:
    """Parse an amount of yuan (a decimal string, up to two decimals) into fen.

    Refuses floats, negative amounts, more than two decimals and amounts above ``maximum``
    fen, each with its own code (INVALID_AMOUNT, NEGATIVE_AMOUNT, AMOUNT_TOO_LARGE).
    """
    if isinstance(value, float):
        raise invalid(field, "Amounts of money must be given as a decimal string, not a float.",
                      code="INVALID_AMOUNT")
    amount = canonical_decimal(value, field, "Not an amount of money.")
    if amount < 0:
        raise invalid(field, "An amount of money cannot be negative.", code="NEGATIVE_AMOUNT")
    if amount > Decimal(maximum) / 100:
        raise invalid(field, "At most {max} yuan.", code="AMOUNT_TOO_LARGE",
                      max=format_fen(maximum))
    return int(amount * 100)


def format_fen(fen: int) -> str:
    """Integer fen as yuan with two decimals: 3000 -> ``"30.00"``, -5 -> ``"-0.05"``."""
    sign = "-" if fen < 0 else ""
    whole, part = divmod(abs(fen), 100)
    return f"{sign}{whole}.{part:02d}"


def value_of(centi: int, fen_per_credit: int) -> int:
    """What ``centi`` hundredths of a credit are worth in fen (rounded down to the fen)."""
    return centi * fen_per_credit // 100


def credits_for(fen: int, fen_per_credit: int) -> int:
    """The most credits (in hundredths) whose exact value does not exceed ``fen``."""
    return fen * 100 // fen_per_credit
