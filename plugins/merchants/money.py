"""Money in integer fen (hundredths of a yuan): parsing what people type, printing it back, and
converting between credits (hundredths of an hour) and fen at a community's rate.

Conversions round down to the fen in the resident's disfavour by at most one fen, never up, and
are documented in ``docs/merchants.md``.
"""

from __future__ import annotations

from typing import Any

from yizhan.core.api import AmountMessages, format_centi, parse_hundredths

#: What a bad amount of money is told (core's parser of hundredths, in yuan).
MONEY_MESSAGES = AmountMessages(
    not_float="Amounts of money must be given as a decimal string, not a float.",
    not_amount="Not an amount of money.",
    negative="An amount of money cannot be negative.",
    too_large="At most {max} yuan.",
    decimals="Amounts of money have at most two decimals.",
)


def yuan_to_fen(value: Any, field: str, *, maximum: int) -> int:
    """Parse an amount of yuan (a decimal string, up to two decimals) into fen.

    Refuses floats, negative amounts, more than two decimals and amounts above ``maximum``
    fen, each with its own code (INVALID_AMOUNT, NEGATIVE_AMOUNT, AMOUNT_TOO_LARGE).
    """
    return parse_hundredths(value, field, maximum=maximum, messages=MONEY_MESSAGES)


#: Integer fen as yuan with two decimals: 3000 -> ``"30.00"``, -5 -> ``"-0.05"``.
format_fen = format_centi


def value_of(centi: int, fen_per_credit: int) -> int:
    """What ``centi`` hundredths of a credit are worth in fen (rounded down to the fen)."""
    return centi * fen_per_credit // 100


def credits_for(fen: int, fen_per_credit: int) -> int:
    """The most credits (in hundredths) whose exact value does not exceed ``fen``."""
    return fen * 100 // fen_per_credit
