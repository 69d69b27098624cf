"""Calendar months in a community's own time zone (``2026-11``): boards and statements are
monthly. A month starts at local midnight on its first day and ends (exclusive) where the next
begins; bounds are aware datetimes for querying.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from yizhan.core.api import invalid, now

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class Month:
    """A month: its label and bounds ``[start, end)``."""

    label: str
    start: datetime
    end: datetime


def month(year: int, number: int, time_zone: str) -> Month:
    """Month ``number`` (1-12) of ``year``."""
    zone = ZoneInfo(time_zone)
    end_year, end_month = (year + 1, 1) if number == 12 else (year, number + 1)
    return Month(f"{year}-{number:02d}", datetime(year, number, 1, tzinfo=zone),
                 datetime(end_year, end_month, 1, tzinfo=zone))


def containing(when: datetime, time_zone: str) -> Month:
    """The month ``when`` falls in, locally."""
    local = when.astimezone(ZoneInfo(time_zone))
    return month(local.year, local.month, time_zone)


def previous(period: Month, time_zone: str) -> Month:
    """The month before ``period``."""
    return containing(period.start - timedelta(seconds=1), time_zone)


def parse(label: str | None, time_zone: str, field: str = "month") -> Month:
    """The month named ``2026-11`` (INVALID_PERIOD otherwise); the current month for None."""
    if label is None:
        return containing(now(), time_zone)
    found = MONTH.match((label or "").strip())
    if not found or not 2000 <= int(found.group(1)) <= 2999:
        raise invalid(field, "Not a month: write it like 2026-11.", code="INVALID_PERIOD")
    return month(int(found.group(1)), int(found.group(2)), time_zone)


def last(count: int, when: datetime, time_zone: str) -> list[Month]:
    """The ``count`` months up to and including the one ``when`` falls in, oldest first."""
    found = [containing(when, time_zone)]
    while len(found) < count:
        found.append(previous(found[-1], time_zone))
    return list(reversed(found))
