"""The figures the seeds watch, in SQL: per occurrence and per period, signed up, attended,
no-shows, first-timers, referrals and conversion — the share of first-time attendees who
posted or accepted a need within ``conversion_days`` after their event.

Periods count occurrences by their start, ``[start, end)``. ``signed up`` counts people who
held a place when the occurrence closed (completed or no-show) or still hold one (confirmed);
referrals count first-timers who named someone else. The same functions serve the admins'
``eventStats`` query, the CLI and the indicators (``community_id`` None: every community).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from yizhan.core.api import Indicator, IndicatorScope, plugin_settings, raw_sql

PLUGIN = "events"


@dataclass
class Figures:
    """Counts for one occurrence or a period."""

    signed_up: int = 0
    waitlisted: int = 0
    attended: int = 0
    no_shows: int = 0
    first_timers: int = 0
    referrals: int = 0
    converted: int = 0
    occurrences: int = 0

    @property
    def conversion(self) -> Decimal | None:
        """Converted first-timers in percent (one decimal); None without first-timers."""
        if not self.first_timers:
            return None
        return (Decimal(self.converted * 100) / self.first_timers).quantize(Decimal("0.1"))

    def add(self, other: Figures) -> None:
        """Add another's counts to these."""
        for name in ("signed_up", "waitlisted", "attended", "no_shows", "first_timers",
                     "referrals", "converted", "occurrences"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class OccurrenceFigures:
    """One occurrence's figures."""

    occurrence: dict
    figures: Figures = field(default_factory=Figures)


_COUNTS = """
SELECT o.id AS occurrence,
  SUM(CASE WHEN s.status IN ('confirmed', 'completed', 'no_show') THEN 1 ELSE 0 END) AS signed_up,
  SUM(CASE WHEN s.status = 'waitlisted' THEN 1 ELSE 0 END) AS waitlisted,
  SUM(CASE WHEN s.status = 'completed' THEN 1 ELSE 0 END) AS attended,
  SUM(CASE WHEN s.status = 'no_show' THEN 1 ELSE 0 END) AS no_shows,
  SUM(CASE WHEN s.status = 'completed' AND s.first_time THEN 1 ELSE 0 END) AS first_timers,
  SUM(CASE WHEN s.status = 'completed' AND s.first_time AND s.referrer IS NOT NULL
           AND s.referrer <> s.member THEN 1 ELSE 0 END) AS referrals
FROM yz_event_occurrence o LEFT JOIN yz_event_signup s ON s.occurrence = o.id
WHERE o.starts_at >= {} AND o.starts_at < {} AND o.status <> 'cancelled' COMMUNITY
GROUP BY o.id
"""

_CONVERTED = """
SELECT COUNT(*) AS n FROM yz_event_signup s
WHERE s.occurrence = {} AND s.status = 'completed' AND s.first_time
  AND EXISTS (SELECT 1 FROM yz_need n WHERE n.community = s.community AND (
    ((n.requester = s.member OR n.posted_by = s.member)
      AND n.created_at >= {} AND n.created_at < {})
    OR (n.helper = s.member AND n.accepted_at >= {} AND n.accepted_at < {})))
"""


async def by_occurrence(community_id: int | None, start: datetime, end: datetime
                        ) -> list[OccurrenceFigures]:
    """Figures of each (not cancelled) occurrence starting in ``[start, end)``, in order."""
    sql = _COUNTS.replace("COMMUNITY", "" if community_id is None else "AND o.community = {}")
    args: list = [start, end] + ([] if community_id is None else [community_id])
    counts = {r["occurrence"]: r for r in await raw_sql(sql, *args)}
    if not counts:
        return []
    from yizhan.plugins.events.tables import Occurrence

    occurrences = await Occurrence.select().where(Occurrence.id.is_in(sorted(counts))).order_by(
        Occurrence.starts_at).order_by(Occurrence.id)
    out = []
    days: dict[int, int] = {}
    for occurrence in occurrences:
        row = counts[occurrence["id"]]
        figures = Figures(**{k: int(row[k] or 0) for k in (
            "signed_up", "waitlisted", "attended", "no_shows", "first_timers", "referrals")},
            occurrences=1)
        if figures.first_timers:
            cid = occurrence["community"]
            if cid not in days:
                days[cid] = plugin_settings(cid, PLUGIN).conversion_days
            since = occurrence["starts_at"]
            until = since + timedelta(days=days[cid])
            found = await raw_sql(_CONVERTED, occurrence["id"], since, until, since, until)
            figures.converted = int(found[0]["n"] or 0)
        out.append(OccurrenceFigures(occurrence, figures))
    return out


async def totals(community_id: int | None, start: datetime, end: datetime) -> Figures:
    """The period's figures, summed over its occurrences."""
    total = Figures()
    for entry in await by_occurrence(community_id, start, end):
        total.add(entry.figures)
    return total


def _figure(name: str):
    async def compute(scope: IndicatorScope) -> int:
        return getattr(await totals(scope.community_id, scope.start, scope.end), name)

    return compute


async def _conversion(scope: IndicatorScope) -> Decimal | None:
    return (await totals(scope.community_id, scope.start, scope.end)).conversion


INDICATORS = [
    Indicator("events.signed_up", "Event sign-ups", "活动报名人次", "count",
              "Places held at event dates that started in the period (completed, no-show or "
              "still confirmed).", _figure("signed_up")),
    Indicator("events.attended", "Event attendance", "活动参与人次", "count",
              "People who completed an event date that started in the period.",
              _figure("attended")),
    Indicator("events.no_shows", "Event no-shows", "活动爽约人次", "count",
              "People signed up who did not come to an event date that started in the period.",
              _figure("no_shows"), higher_is_better=False),
    Indicator("events.first_timers", "First-time attendees", "首次参与人数", "count",
              "Members whose first completed event started in the period.",
              _figure("first_timers")),
    Indicator("events.referrals", "Newcomers brought by members", "邀请新人参与", "count",
              "First-time attendees in the period who named the member who brought them.",
              _figure("referrals")),
    Indicator("events.conversion", "Event conversion", "活动转化率", "percent",
              "Share of the period's first-time attendees who posted or accepted a need within "
              "conversion_days (30) after their event.", _conversion),
]
