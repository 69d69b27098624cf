"""Scalars: ``Credits`` is an exact decimal with two places, sent as a string (never a float)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import NewType

import dateutil.parser
import strawberry
from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.types.scalar import ScalarDefinition

from yizhan.core.errors import YizhanError
from yizhan.core.services.validation import format_centi

#: Dates outside these years are refused (DATE_OUT_OF_RANGE) wherever a client sends one:
#: nothing in a time bank is that far away, and the calendar's edges overflow arithmetic
#: (9999-12-31T23:59:59-12:00 is in the year 10000 in UTC).
MIN_YEAR, MAX_YEAR = 1900, 2999


def _in_range(value: dt.date) -> None:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise YizhanError("DATE_OUT_OF_RANGE",
                          "Give a date between the years {min} and {max}.",
                          min=MIN_YEAR, max=MAX_YEAR)


def _parser(parse, type_name: str):
    def inner(value: object) -> object:
        if not isinstance(value, str):
            raise StrawberryInputCoercionError(
                f'Value cannot represent a {type_name}: "{value}". Expected a string.')
        try:
            parsed = parse(value)
        except (ValueError, OverflowError):
            raise StrawberryInputCoercionError(
                f'Value cannot represent a {type_name}: "{value}".') from None
        _in_range(parsed)
        return parsed

    return inner


#: Strawberry's ``Date`` and ``DateTime`` with the year range enforced.
DATE_SCALARS = {
    dt.date: ScalarDefinition(
        name="Date", description="A calendar date (ISO 8601, e.g. 2026-11-02).",
        specified_by_url=None, serialize=lambda value: value.isoformat(),
        parse_value=_parser(dt.date.fromisoformat, "Date"), parse_literal=None,
        origin=dt.date),
    dt.datetime: ScalarDefinition(
        name="DateTime",
        description="A date with time (ISO 8601, e.g. 2026-11-02T09:00:00+08:00).",
        specified_by_url=None, serialize=lambda value: value.isoformat(),
        parse_value=_parser(dateutil.parser.isoparse, "DateTime"), parse_literal=None,
        origin=dt.datetime),
}

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
