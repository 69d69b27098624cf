"""Reporting periods: a month (``2026-11``) or a quarter (``2026-Q4``) in a time zone.

Bounds are half-open ``[start, end)`` in UTC, from local midnight of the first day: a
community's November runs from 1 November 00:00 to 1 December 00:00 in its own time zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from yizhan.core.api import invalid

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
#: The time zone of deployment-wide figures (a district platform in China).
DEPLOYMENT_TZ = "Asia/Shanghai"


@dataclass(frozen=True, order=True)
class Period:
    """A month (``index`` 1-12) or a quarter (``index`` 1-4) of ``year``."""

    year: int
    index: int
    kind: str = "month"

    @property
    def label(self) -> str:
        """``2026-11`` or ``2026-Q4``."""
        if self.kind == "quarter":
            return f"{self.year}-Q{self.index}"
        return f"{self.year}-{self.index:02d}"

    def _first_month(self) -> tuple[int, int]:
        return (self.year, self.index) if self.kind == "month" else (
            self.year, 3 * self.index - 2)

    def bounds(self, time_zone: str) -> tuple[datetime, datetime]:
        """``[start, end)`` in UTC for local midnights in ``time_zone``."""
        from datetime import UTC

        zone = ZoneInfo(time_zone)
        year, month = self._first_month()
        span = 1 if self.kind == "month" else 3
        end_year, end_month = year + (month - 1 + span) // 12, (month - 1 + span) % 12 + 1
        start = datetime(year, month, 1, tzinfo=zone).astimezone(UTC)
        end = datetime(end_year, end_month, 1, tzinfo=zone).astimezone(UTC)
        return start, end

    def shift(self, by: int) -> Period:
        """The period ``by`` steps later (earlier when negative), of the same kind."""
        per_year = 12 if self.kind == "month" else 4
        serial = self.year * per_year + self.index - 1 + by
        return Period(serial // per_year, serial % per_year + 1, self.kind)

    def months(self) -> list[Period]:
        """The months of the period (itself, for a month)."""
        if self.kind == "month":
            return [self]
        first = 3 * self.index - 2
        return [Period(self.year, first + i) for i in range(3)]

    def quarter(self) -> Period:
        """The quarter this month is in."""
        return Period(self.year, (self.index - 1) // 3 + 1, "quarter")


def parse(text: str, field: str = "period") -> Period:
    """``2026-11`` or ``2026-Q4``; anything else is ``INVALID_PERIOD``."""
    text = (text or "").strip().upper()
    if found := MONTH.match(text):
        return Period(int(found.group(1)), int(found.group(2)))
    if found := QUARTER.match(text):
        return Period(int(found.group(1)), int(found.group(2)), "quarter")
    raise invalid(field, "Give a month like 2026-11 or a quarter like 2026-Q4.",
                  code="INVALID_PERIOD")


def month_of(moment: datetime, time_zone: str) -> Period:
    """The month ``moment`` falls in, in ``time_zone``."""
    local = moment.astimezone(ZoneInfo(time_zone))
    return Period(local.year, local.month)
