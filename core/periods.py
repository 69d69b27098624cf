"""Months and quarters in a community's own time zone: ``2026-11`` and ``2026Q4``.

A period starts at local midnight on its first day and ends (exclusive) where the next begins;
bounds are returned in UTC for querying. Hours of help are totalled per period under these
labels, and the badges plugin names its mutual-aid stars by them (through
``yizhan.core.api``: ``Period``, ``period_containing``, ``previous_period``, ``parse_period``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from yizhan.core.errors import invalid

QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class Period:
    """A month or quarter: its label and UTC bounds ``[start, end)``."""

    kind: str
    label: str
    start: datetime
    end: datetime


def _local_midnight(year: int, month: int, time_zone: str) -> datetime:
    return datetime(year, month, 1, tzinfo=ZoneInfo(time_zone)).astimezone(UTC)


def quarter(year: int, number: int, time_zone: str) -> Period:
    """Quarter ``number`` (1-4) of ``year``."""
    first = 3 * (number - 1) + 1
    end_year, end_month = (year + 1, 1) if number == 4 else (year, first + 3)
    return Period("quarter", f"{year}Q{number}", _local_midnight(year, first, time_zone),
                  _local_midnight(end_year, end_month, time_zone))


def month(year: int, number: int, time_zone: str) -> Period:
    """Month ``number`` (1-12) of ``year``."""
    end_year, end_month = (year + 1, 1) if number == 12 else (year, number + 1)
    return Period("month", f"{year}-{number:02d}", _local_midnight(year, number, time_zone),
                  _local_midnight(end_year, end_month, time_zone))


def containing(kind: str, when: datetime, time_zone: str) -> Period:
    """The month or quarter (``kind``) that ``when`` falls in, locally."""
    local = when.astimezone(ZoneInfo(time_zone))
    if kind == "month":
        return month(local.year, local.month, time_zone)
    return quarter(local.year, (local.month - 1) // 3 + 1, time_zone)


def previous(period: Period, time_zone: str) -> Period:
    """The period just before ``period``, of the same kind."""
    return containing(period.kind, period.start - timedelta(seconds=1), time_zone)


def parse(kind: str, label: str, time_zone: str, field: str = "period") -> Period:
    """A period from its label (``2026Q4`` or ``2026-11``); INVALID_PERIOD otherwise."""
    text = (label or "").strip().upper()
    pattern = QUARTER if kind == "quarter" else MONTH
    found = pattern.match(text)
    if not found or not 2000 <= int(found.group(1)) <= 2999:
        if kind == "quarter":
            raise invalid(field, "Not a quarter: write it like 2026Q4.", code="INVALID_PERIOD")
        raise invalid(field, "Not a month: write it like 2026-11.", code="INVALID_PERIOD")
    year, number = int(found.group(1)), int(found.group(2))
    return (quarter if kind == "quarter" else month)(year, number, time_zone)
