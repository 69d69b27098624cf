"""Scalars: ``Credits`` is an exact decimal with two places, sent as a string (never a float)."""

from __future__ import annotations

from decimal import Decimal
from typing import NewType

import strawberry

from yizhan.core.services.validation import format_centi

Credits = strawberry.scalar(
    NewType("Credits", str),
    name="Credits",
    description="An exact number of time credits (hours) with two decimals, as a string: \"0.20\".",
    serialize=lambda value: str(value),
    # Passed on as sent: ``credits_to_centi`` refuses floats (and anything else not exact).
    parse_value=lambda value: value,
)


def credits(centi: int) -> str:
    """Integer hundredths as a ``Credits`` value."""
    return format_centi(centi)


def decimal_of(centi: int) -> Decimal:
    """Integer hundredths as a ``Decimal``."""
    return Decimal(centi) / 100
