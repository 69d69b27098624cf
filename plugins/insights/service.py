"""The insights plugin's logic: indicator values per period, trends, and closing months.

Every read costs the same few indexed queries whatever the community's size:

- a period that ended is computed once by :func:`close_period` (the hourly
  ``insights.close_months`` job, or the first read after it ended) and read back from
  ``yz_insights_value`` ever after — old months never change;
- a period still running is read from its snapshot (``yz_insights_snapshot``): every indicator
  as of ``computed_at``, recomputed by the ``insights.refresh_running`` job every
  ``running_refresh_minutes`` (or ``yizhan insights refresh``), and by the first read when
  there is none. A snapshot belongs to one period label, so after a month rolls over the old
  month's snapshot is never served for the new one.

Figures for the whole deployment are computed with ``community_id=None`` and stored under
community 0.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
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
    needs_breakdown,
    notify,
    plugin_settings,
)
from yizhan.plugins.insights.periods import DEPLOYMENT_TZ, Period, month_of
from yizhan.plugins.insights.settings import InsightsSettings
from yizhan.plugins.insights.tables import InsightsClosedPeriod, InsightsSnapshot, InsightsValue

Value = int | Decimal | None
#: The monthly report's breakdowns of a period's needs, kept with the snapshot.
BREAKDOWNS = ("category", "building")
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
    #: When the figures were computed: the snapshot's time while the period runs, the
    #: closing time once it is closed.
    computed_at: datetime


@dataclass(frozen=True)
class Figures:
    """Values of one period as of ``computed_at``; ``closed`` when they are the final ones."""

    values: dict[str, Value]
    closed: bool
    computed_at: datetime


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


async def _stored(community_key: int,
                  labels: list[str]) -> dict[str, tuple[datetime, dict[str, Value]]]:
    """{period: (closed_at, {key: value})} of the closed periods among ``labels``."""
    closed = await InsightsClosedPeriod.select(
        InsightsClosedPeriod.period, InsightsClosedPeriod.closed_at).where(
        (InsightsClosedPeriod.community == community_key)
        & InsightsClosedPeriod.period.is_in(labels))
    found: dict[str, tuple[datetime, dict[str, Value]]] = {
        r["period"]: (r["closed_at"], {}) for r in closed}
    if not found:
        return found
    rows = await InsightsValue.select(
        InsightsValue.period, InsightsValue.key, InsightsValue.value).where(
        (InsightsValue.community == community_key)
        & InsightsValue.period.is_in(list(found)))
    for r in rows:
        found[r["period"]][1][r["key"]] = decode(r["value"])
    return found


async def _snapshots(community_key: int,
                     labels: list[str]) -> dict[str, tuple[datetime, dict[str, Value]]]:
    """{period: (computed_at, {key: value})} of the snapshots among ``labels`` (one query)."""
    rows = await InsightsSnapshot.select(
        InsightsSnapshot.period, InsightsSnapshot.computed_at, InsightsSnapshot.figures).where(
        (InsightsSnapshot.community == community_key)
        & InsightsSnapshot.period.is_in(labels))
    return {r["period"]: (r["computed_at"],
                          {k: decode(v) for k, v in json.loads(r["figures"]).items()})
            for r in rows}


async def _compute_breakdowns(community: dict | None, start: datetime,
                              end: datetime) -> dict[str, list[list]]:
    cid = community["id"] if community else None
    return {by: [[label, n] for label, n in await needs_breakdown(cid, start, end, by)]
            for by in BREAKDOWNS}


async def refresh_snapshot(community: dict | None, period: Period,
                           now: datetime) -> tuple[datetime, dict[str, Value]]:
    """Compute every indicator of the running ``period`` (and the report's breakdowns of its
    needs) now and store them as its snapshot, replacing the previous one; returns
    (computed_at, values)."""
    start, end = period.bounds(zone_of(community))
    computed = await compute_indicators(community["id"] if community else None, start, end)
    breakdowns = await _compute_breakdowns(community, start, end)
    await InsightsSnapshot.insert(InsightsSnapshot(
        community=_stored_key(community), period=period.label, computed_at=now,
        figures=json.dumps({k: encode(v) for k, v in computed.items()}, sort_keys=True),
        breakdowns=json.dumps(breakdowns, ensure_ascii=False))).on_conflict(
        target=(InsightsSnapshot.community, InsightsSnapshot.period), action="DO UPDATE",
        values=[InsightsSnapshot.computed_at, InsightsSnapshot.figures,
                InsightsSnapshot.breakdowns])
    return now, computed


async def breakdowns(community: dict | None, period: Period,
                     now: datetime) -> dict[str, list[tuple[str, int]]]:
    """The period's needs counted by category and by building, largest first (the monthly
    report's charts): from the running period's snapshot, or for a period that ended from
    the row computed once after its end (computed now the first time)."""
    start, end = _check_started(period, zone_of(community), now)
    key = _stored_key(community)
    where = ((InsightsSnapshot.community == key)
             & (InsightsSnapshot.period == period.label))
    row = await InsightsSnapshot.select(
        InsightsSnapshot.computed_at, InsightsSnapshot.breakdowns).where(where).first()
    found = json.loads(row["breakdowns"]) if row else {}
    if end > now:
        if set(found) != set(BREAKDOWNS):  # no snapshot yet: compute it
            await refresh_snapshot(community, period, now)
            row = await InsightsSnapshot.select(InsightsSnapshot.breakdowns).where(
                where).first()
            found = json.loads(row["breakdowns"])
    elif row is None or row["computed_at"] < end or set(found) != set(BREAKDOWNS):
        found = await _compute_breakdowns(community, start, end)
        await InsightsSnapshot.insert(InsightsSnapshot(
            community=key, period=period.label, computed_at=now,
            breakdowns=json.dumps(found, ensure_ascii=False))).on_conflict(
            target=(InsightsSnapshot.community, InsightsSnapshot.period),
            action="DO UPDATE",
            values=[InsightsSnapshot.computed_at, InsightsSnapshot.breakdowns])
    return {by: [(str(label), int(n)) for label, n in found[by]] for by in BREAKDOWNS}


def _check_started(period: Period, zone: str, now: datetime) -> tuple[datetime, datetime]:
    start, end = period.bounds(zone)
    if start > now:
        raise invalid("period", "Period {period} has not started yet.", code="FUTURE_PERIOD",
                      period=period.label)
    return start, end


def _job_would_notify(community: dict | None, period: Period, now: datetime) -> bool:
    """Whether the closing job would have told the admins about ``period`` (a month within
    its backfill since the community's creation)."""
    if community is None or period.kind != "month":
        return False
    return period >= _first_month(community.get("created_at"), zone_of(community), now)


async def figures(community: dict | None, wanted: list[Period], keys: list[str],
                  now: datetime) -> dict[Period, Figures | None]:
    """The values of ``keys`` for each period of ``wanted`` (None for one not started yet),
    in a constant number of indexed queries: closed periods from storage, ended ones not
    closed yet closed now (once), running ones from their snapshot — computed now when there
    is none, or when it lacks one of ``keys`` (a plugin turned on since). Periods that ended
    before the community was created and more than :data:`BACKFILL_MONTHS` ago are computed
    on the spot and not stored."""
    zone = zone_of(community)
    key = _stored_key(community)
    labels = [p.label for p in wanted]
    stored = await _stored(key, labels)
    ended = [p for p in dict.fromkeys(wanted)
             if p.label not in stored and p.bounds(zone)[1] <= now]
    # Stored on read: what the closing job would store, and the months before the community
    # existed within the same window (a new community's previous month). Far-away years
    # before it existed are computed on each read instead, so asking for them stores nothing.
    created = community.get("created_at") if community else None
    floor = month_of(now, zone).shift(-BACKFILL_MONTHS)
    before = {p for p in ended if created is not None and p.bounds(zone)[1] <= created
              and p.months()[0] < floor}
    ended = [p for p in ended if p not in before]
    for period in ended:
        await close_period(community, period, now,
                           tell_admins=_job_would_notify(community, period, now))
    if ended:
        stored.update(await _stored(key, [p.label for p in ended]))
    running = [p for p in dict.fromkeys(wanted)
               if p.label not in stored and p not in before and p.bounds(zone)[0] <= now]
    snapshots = await _snapshots(key, [p.label for p in running]) if running else {}
    out: dict[Period, Figures | None] = {}
    for period in wanted:
        if period.label in stored:
            closed_at, found = stored[period.label]
            out[period] = Figures({k: found.get(k) for k in keys}, True, closed_at)
            continue
        if period in before:
            start, end = period.bounds(zone)
            live = await compute_indicators(community["id"], start, end, keys) if keys else {}
            out[period] = Figures({k: live.get(k) for k in keys}, False, now)
            continue
        if period not in running:
            out[period] = None
            continue
        snapshot = snapshots.get(period.label)
        if snapshot is None and not keys:  # nothing the caller may see: nothing to compute
            out[period] = Figures({}, False, now)
            continue
        if (snapshot is None or snapshot[0] < period.bounds(zone)[0]
                or any(k not in snapshot[1] for k in keys)):
            snapshot = snapshots[period.label] = await refresh_snapshot(community, period, now)
        out[period] = Figures({k: snapshot[1].get(k) for k in keys}, False, snapshot[0])
    return out


async def values(community: dict | None, period: Period, indicators: list[Indicator],
                 now: datetime) -> tuple[dict[str, Value], bool]:
    """({key: value}, closed) of ``indicators`` for ``period``: stored if it is closed,
    from the running period's snapshot otherwise."""
    _check_started(period, zone_of(community), now)
    found = (await figures(community, [period], [i.key for i in indicators], now))[period]
    return found.values, found.closed


async def report(community: dict | None, period: Period, member: dict | None,
                 now: datetime) -> Report:
    """The indicators ``member`` may see for ``period`` with the previous period's values."""
    indicators = visible_indicators(community, member)
    start, end = _check_started(period, zone_of(community), now)
    found = await figures(community, [period, period.shift(-1)], [i.key for i in indicators],
                          now)
    current, previous = found[period], found[period.shift(-1)]
    rows = [Row(i, current.values.get(i.key), previous.values.get(i.key)) for i in indicators]
    return Report(community, period, start, end, current.closed, rows, current.computed_at)


async def series(community: dict | None, indicator: Indicator, months: int,
                 now: datetime, until: Period | None = None
                 ) -> list[tuple[Period, Value, datetime | None]]:
    """The last ``months`` months of one indicator, oldest first, ending with ``until`` (the
    current month by default), each with when it was computed (None for a month not started):
    closed months from storage, the running one from its snapshot."""
    zone = zone_of(community)
    last = until or month_of(now, zone)
    wanted = [last.shift(-i) for i in range(months - 1, -1, -1)]
    found = await figures(community, wanted, [indicator.key], now)
    return [(p, found[p].values[indicator.key], found[p].computed_at) if found[p] is not None
            else (p, None, None) for p in wanted]


# --- refreshing the running periods ----------------------------------------------------


async def refresh_running(community: dict | None, now: datetime,
                          older_than: timedelta | None = None) -> list[Period]:
    """Recompute the running month's snapshot of a community (or the deployment), and the
    running quarter's if one was read; only those computed before ``now - older_than`` when
    given (the job), every one otherwise (``yizhan insights refresh``). Returns the periods
    refreshed."""
    month = month_of(now, zone_of(community))
    quarter = month.quarter()
    have = await _snapshot_times(_stored_key(community), [month.label, quarter.label])
    done = []
    for period in (month, quarter):
        at = have.get(period.label)
        if period is quarter and at is None:
            continue  # nobody asked for the quarter yet: the first read computes it
        if older_than is not None and at is not None and at > now - older_than:
            continue
        await refresh_snapshot(community, period, now)
        done.append(period)
    return done


async def _snapshot_times(community_key: int, labels: list[str]) -> dict[str, datetime]:
    rows = await InsightsSnapshot.select(InsightsSnapshot.period,
                                         InsightsSnapshot.computed_at).where(
        (InsightsSnapshot.community == community_key)
        & InsightsSnapshot.period.is_in(labels))
    return {r["period"]: r["computed_at"] for r in rows}


async def refresh_due(now: datetime) -> int:
    """The ``insights.refresh_running`` job (every minute): recompute the running month's
    snapshot of each community with insights on whose snapshot is older than its
    ``running_refresh_minutes`` (and of the whole deployment, with the default); returns how
    many snapshots were recomputed."""
    communities = await communities_with_plugin(PLUGIN)
    count = 0
    for community in communities:
        minutes = plugin_settings(community["id"], PLUGIN).running_refresh_minutes
        count += len(await refresh_running(community, now, timedelta(minutes=minutes)))
    if communities:
        minutes = InsightsSettings().running_refresh_minutes
        count += len(await refresh_running(None, now, timedelta(minutes=minutes)))
    return count


# --- closing periods ------------------------------------------------------------------


async def close_period(community: dict | None, period: Period, now: datetime,
                       tell_admins: bool = True) -> bool:
    """Compute and store ``period`` once (False if it was stored already or has not ended).

    The closed mark (one per community and period: of concurrent closers, the first to mark
    stores its values, the others skip), the values and the removal of the period's running
    snapshot are one transaction; for a community's month the admins are told its report is
    ready (setting ``notify_admins``, unless ``tell_admins`` is False). The values of an
    ended period are computed before that transaction, where each query is planned for this
    community's own values (a write transaction keeps PostgreSQL's generic plans)."""
    zone = zone_of(community)
    start, end = period.bounds(zone)
    if end > now:
        return False
    key = _stored_key(community)
    if await InsightsClosedPeriod.exists().where(
            (InsightsClosedPeriod.community == key)
            & (InsightsClosedPeriod.period == period.label)):
        return False
    notify_admins = (tell_admins and community is not None and period.kind == "month"
                     and plugin_settings(community["id"], PLUGIN).notify_admins)
    computed = await compute_indicators(community["id"] if community else None, start, end)
    async with atomic():
        marked = await InsightsClosedPeriod.insert(InsightsClosedPeriod(
            community=key, period=period.label, closed_at=now,
            report_sent=notify_admins)).on_conflict(
            target=(InsightsClosedPeriod.community, InsightsClosedPeriod.period),
            action="DO NOTHING").returning(InsightsClosedPeriod.id)
        if not marked:
            return False
        if computed:
            await InsightsValue.insert(*[
                InsightsValue(community=key, period=period.label, key=k, value=encode(v),
                              stored_at=now) for k, v in computed.items()])
        await InsightsSnapshot.delete().where((InsightsSnapshot.community == key)
                                              & (InsightsSnapshot.period == period.label))
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
