"""Calendar months in a community's own time zone (``2026-11``): boards and statements are
monthly. The months are core's periods of kind ``month`` (``yizhan.core.api.Period``): a month
starts at local midnight on its first day and ends (exclusive) where the next begins.
"""

from __future__ import annotations

from datetime import datetime

from yizhan.core.api import Period, now, parse_period, period_containing, previous_period

#: A month: core's ``Period`` with ``kind == "month"`` (its label and UTC bounds).
Month = Period


def containing(when: datetime, time_zone: str) -> Month:
    """The month ``when`` falls in, locally."""
    return period_containing("month", when, time_zone)


def previous(period: Month, time_zone: str) -> Month:
    """The month before ``period``."""
    return previous_period(period, time_zone)


def parse(label: str | None, time_zone: str, field: str = "month") -> Month:
    """The month named ``2026-11`` (INVALID_PERIOD otherwise); the current month for None."""
    if label is None:
        return containing(now(), time_zone)
    return parse_period("month", label, time_zone, field)


def last(count: int, when: datetime, time_zone: str) -> list[Month]:
    """The ``count`` months up to and including the one ``when`` falls in, oldest first."""
    found = [containing(when, time_zone)]
    while len(found) < count:
        found.append(previous(found[-1], time_zone))
    return list(reversed(found))
