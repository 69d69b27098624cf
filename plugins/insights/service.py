"""The insights plugin's logic: indicator values per period, trends, and closing months.

A period still running (or not yet stored) is computed live from the indicators' SQL; a
period that ended is computed once by :func:`close_due` and read back from
``yz_insights_value`` ever after — old months never change and cost one query to read.
Figures for the whole deployment are computed with ``community_id=None`` and stored under
community 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from yizhan.core.api import (
    Indicator,
    atomic,
    communities_with_plugin,
    community_admins,
    compute_indicators,
    forbidden,
    indicators_for,
    invalid,
    is_admin,
    notify,
    plugin_settings,
)
from yizhan.plugins.insights.periods import DEPLOYMENT_TZ, Period, month_of
from yizhan.plugins.insights.tables import InsightsClosedPeriod, InsightsValue

Value = int | Decimal | None
#: How many months back the closing job fills in for a community it has never closed.
BACKFILL_MONTHS = 24
PLUGIN = "insights"


def encode(value: Value) -> str | None:
    """A value as exact text for storage."""
    return None if value is None else str(value)


def decode(text: str | None) -> Value:
    """Stored text back to an ``int`` or an exact ``Decimal``."""
    if text is None:
        return None
    return Decimal(text) if any(c in text for c in ".eE") else int(text)


def zone_of(community: dict | None) -> str:
    """The time zone periods are counted in: the community's, or the deployment's."""
    return community["time_zone"] if community else DEPLOYMENT_TZ


def _stored_key(community: dict | None) -> int:
    return community["id"] if community else 0


@dataclass(frozen=True)
class Row:
    """One indicator in a report: this period's value and the previous period's."""

    indicator: Indicator
    value: Value
    previous: Value

    @property
    def change(self) -> Value:
        """``value - previous`` when both are known."""
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


@dataclass(frozen=True)
class Report:
    """A period's indicators for a community (or the deployment)."""

    community: dict | None
    period: Period
    start: datetime
    end: datetime
    closed: bool
    rows: list[Row]


def visible_indicators(community: dict | None, member: dict | None) -> list[Indicator]:
    """The indicators ``member`` may see: all for an admin (and the deployment's CLI), the
    community's public ones for anybody else."""
    every = indicators_for(community["id"] if community else None)
    if community is None or is_admin(member):
        return every
    public = set(plugin_settings(community["id"], PLUGIN).public_indicators)
    return [i for i in every if i.key in public]


def require_visible(community: dict, member: dict | None, key: str) -> Indicator:
    """The indicator ``key`` if ``member`` may see it; UNKNOWN_INDICATOR or FORBIDDEN."""
    every = {i.key: i for i in indicators_for(community["id"])}
    if key not in every:
        raise invalid("key", "No indicator named {key} here.", code="UNKNOWN_INDICATOR",
                      key=key)
    if not any(i.key == key for i in visible_indicators(community, member)):
        raise forbidden("Only a community admin can see this indicator.")
    return every[key]


async def _stored(community_key: int, labels: list[str]) -> dict[str, dict[str, Value]]:
    """{period: {key: value}} of the closed periods among ``labels``."""
    closed = await InsightsClosedPeriod.select(InsightsClosedPeriod.period).where(
        (InsightsClosedPeriod.community == community_key)
        & InsightsClosedPeriod.period.is_in(labels))
    found: dict[str, dict[str, Value]] = {r["period"]: {} for r in closed}
    if not found:
        return found
    rows = await InsightsValue.select(
        InsightsValue.period, InsightsValue.key, InsightsValue.value).where(
        (InsightsValue.community == community_key)
        & InsightsValue.period.is_in(list(found)))
    for r in rows:
        found[r["period"]][r["key"]] = decode(r["value"])
    return found


def _check_started(period: Period, zone: str, now: datetime) -> tuple[datetime, datetime]:
    start, end = period.bounds(zone)
    if start > now:
        raise invalid("period", "Period {period} has not started yet.", code="FUTURE_PERIOD",
                      period=period.label)
    return start, end


async def values(community: dict | None, period: Period, indicators: list[Indicator],
                 now: datetime) -> tuple[dict[str, Value], bool]:
    """({key: value}, closed) of ``indicators`` for ``period``: stored if it is closed,
    computed now otherwise."""
    zone = zone_of(community)
    start, end = _check_started(period, zone, now)
    keys = [i.key for i in indicators]
    stored = (await _stored(_stored_key(community), [period.label])).get(period.label)
    if stored is not None:
        return {k: stored.get(k) for k in keys}, True
    if not keys:
        return {}, False
    live = await compute_indicators(community["id"] if community else None, start, end, keys)
    return live, False


async def report(community: dict | None, period: Period, member: dict | None,
                 now: datetime) -> Report:
    """The indicators ``member`` may see for ``period`` with the previous period's values."""
    indicators = visible_indicators(community, member)
    current, closed = await values(community, period, indicators, now)
    previous, _ = await values(community, period.shift(-1), indicators, now)
    start, end = period.bounds(zone_of(community))
    rows = [Row(i, current.get(i.key), previous.get(i.key)) for i in indicators]
    return Report(community, period, start, end, closed, rows)


async def series(community: dict | None, indicator: Indicator, months: int,
                 now: datetime, until: Period | None = None) -> list[tuple[Period, Value]]:
    """The last ``months`` months of one indicator, oldest first, ending with ``until`` (the
    current month by default): closed months from storage (one query), the others live."""
    zone = zone_of(community)
    last = until or month_of(now, zone)
    periods = [last.shift(-i) for i in range(months - 1, -1, -1)]
    stored = await _stored(_stored_key(community), [p.label for p in periods])
    out: list[tuple[Period, Value]] = []
    for period in periods:
        if period.label in stored:
            out.append((period, stored[period.label].get(indicator.key)))
            continue
        start, end = period.bounds(zone)
        if start > now:
            out.append((period, None))
            continue
        live = await compute_indicators(community["id"] if community else None, start, end,
                                        [indicator.key])
        out.append((period, live[indicator.key]))
    return out


# --- closing periods ------------------------------------------------------------------


async def close_period(community: dict | None, period: Period, now: datetime) -> bool:
    """Compute and store ``period`` once (False if it was stored already or has not ended).

    The values and the closed mark are written in one transaction; for a community's month the
    admins are told its report is ready (setting ``notify_admins``)."""
    zone = zone_of(community)
    start, end = period.bounds(zone)
    if end > now:
        return False
    key = _stored_key(community)
    async with atomic():
        if await InsightsClosedPeriod.exists().where(
                (InsightsClosedPeriod.community == key)
                & (InsightsClosedPeriod.period == period.label)):
            return False
        computed = await compute_indicators(community["id"] if community else None, start, end)
        if computed:
            await InsightsValue.insert(*[
                InsightsValue(community=key, period=period.label, key=k, value=encode(v),
                              stored_at=now) for k, v in computed.items()])
        notify_admins = (community is not None and period.kind == "month"
                         and plugin_settings(community["id"], PLUGIN).notify_admins)
        await InsightsClosedPeriod.insert(InsightsClosedPeriod(
            community=key, period=period.label, closed_at=now, report_sent=notify_admins))
        if notify_admins:
            for admin in await community_admins(community["id"]):
                await notify(community["id"], admin["id"], "insights.monthly_report",
                             "Monthly report {month}",
                             "The report for {month} is ready: {count} indicators with "
                             "charts. Download it as monthlyReport or with yizhan report "
                             "monthly.", month=period.label, count=len(computed))
    return True


def _first_month(created_at: datetime | None, zone: str, now: datetime) -> Period:
    earliest = month_of(now, zone).shift(-BACKFILL_MONTHS)
    if created_at is None:
        return earliest
    return max(month_of(created_at, zone), earliest)


async def close_community(community: dict | None, now: datetime,
                          created_at: datetime | None) -> int:
    """Close every ended month (and quarter) of a community, or the deployment, not closed
    yet; returns how many periods were stored."""
    zone = zone_of(community)
    current = month_of(now, zone)
    month = _first_month(created_at, zone, now)
    count = 0
    while month < current:
        count += await close_period(community, month, now)
        if month.index % 3 == 0:
            count += await close_period(community, month.quarter(), now)
        month = month.shift(1)
    return count


async def close_due(now: datetime) -> int:
    """The ``insights.close_months`` job: store the months (and quarters) that ended, for
    each community with insights on and for the whole deployment."""
    communities = await communities_with_plugin(PLUGIN)
    count = 0
    for community in communities:
        count += await close_community(community, now, community.get("created_at"))
    if communities:
        earliest = min((c["created_at"] for c in communities if c.get("created_at")),
                       default=None)
        count += await close_community(None, now, earliest)
    return count
