"""Running totals behind the public figures, kept in the transaction of every change of a
request, so that no figure reads a community's requests:

- ``governance_figure_total``: per community, local month of submission and urgency, the
  counts (submitted, answered, on time, rated, satisfied, and open past the deadline the due
  deadline marked: ``breached_open``);
- ``governance_answer_time``: the answer times as counts per day, hour, minute and second
  (per month and for all months, ``*``), so a median is found exactly by walking down the
  units — at most the distinct days, then 24 hours, 60 minutes and 60 seconds — whatever the
  number of requests.

Every write of a request passes its row before and after to :func:`count_change`.
:func:`rebuild` recomputes everything from the requests in set-based SQL (the migration's
backfill).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from yizhan.core.api import get_community_by_id, is_postgres
from yizhan.plugins.governance.common import OPEN
from yizhan.plugins.governance.tables import FigureTotal

COUNTS = ("submitted", "answered", "answered_on_time", "rated", "satisfied", "breached_open")
REJECTED = "rejected"
#: The units of the answer-time distribution, coarsest first (seconds).
UNITS = (86400, 3600, 60, 1)
#: The month label of the all-time answer-time distribution.
ALL_MONTHS = "*"
_OPEN_SQL = "status IN (" + ", ".join(f"'{s}'" for s in OPEN) + ")"


def month_label(at: datetime, time_zone: str) -> str:
    """``2026-11``: the local month of ``at``."""
    local = at.astimezone(ZoneInfo(time_zone or "Asia/Shanghai"))
    return f"{local.year:04d}-{local.month:02d}"


def counted(row: dict | None) -> dict[str, int]:
    """What one request adds to the totals (nothing when rejected)."""
    if row is None or row["status"] == REJECTED:
        return dict.fromkeys(COUNTS, 0)
    return {"submitted": 1, "answered": int(row["answered_at"] is not None),
            "answered_on_time": int(row["on_time"] is True),
            "rated": int(row["rated_at"] is not None), "satisfied": int(row["satisfied"] is True),
            "breached_open": int(row["status"] in OPEN and bool(row["breached"]))}


def _buckets(row: dict | None) -> list[tuple[int, int]]:
    """The (unit, bucket) counts one request adds to the answer-time distribution."""
    if row is None or row["status"] == REJECTED or row["answer_seconds"] is None:
        return []
    return [(unit, int(row["answer_seconds"]) // unit) for unit in UNITS]


async def add(community: int, month: str, urgency: str, delta: dict[str, int]) -> None:
    """Add ``delta`` to one row of totals (creating it)."""
    if not any(delta.values()):
        return
    await FigureTotal.raw(
        "INSERT INTO governance_figure_total (community, month, urgency, "
        + ", ".join(COUNTS) + ") VALUES ({}, {}, {}, " + ", ".join(["{}"] * len(COUNTS))
        + ") ON CONFLICT (community, month, urgency) DO UPDATE SET "
        + ", ".join(f"{c} = governance_figure_total.{c} + excluded.{c}" for c in COUNTS),
        community, month, urgency, *(delta[c] for c in COUNTS))


async def _add_times(community: int, changes: dict[tuple[str, str, int, int], int]) -> None:
    """Add the answer-time counts in one statement (rows in key order, so concurrent answers
    lock them in the same order)."""
    rows = sorted((key, n) for key, n in changes.items() if n)
    if not rows:
        return
    values, args = [], []
    for (month, urgency, unit, bucket), n in rows:
        values.append("({}, {}, {}, {}, {}, {})")
        args += [community, month, urgency, unit, bucket, n]
    await FigureTotal.raw(
        "INSERT INTO governance_answer_time (community, month, urgency, unit, bucket, n) "
        "VALUES " + ", ".join(values) + " ON CONFLICT (community, month, unit, bucket, "
        "urgency) DO UPDATE SET n = governance_answer_time.n + excluded.n", *args)


async def count_change(old: dict | None, new: dict | None) -> None:
    """Move the totals from request row ``old`` (None: a new request) to ``new``."""
    community = (new or old)["community"]
    time_zone = (await get_community_by_id(community))["time_zone"]
    changes: dict[tuple[str, str], Counter] = {}
    times: Counter = Counter()
    for row, sign in ((old, -1), (new, 1)):
        if row is None:
            continue
        month = month_label(row["submitted_at"], time_zone)
        change = changes.setdefault((month, row["urgency"]), Counter())
        for name, value in counted(row).items():
            change[name] += sign * value
        for unit, bucket in _buckets(row):
            for label in (month, ALL_MONTHS):
                times[(label, row["urgency"], unit, bucket)] += sign
    for (month, urgency), change in changes.items():
        await add(community, month, urgency, {c: change[c] for c in COUNTS})
    await _add_times(community, times)


def _months_sql(months: list[str] | None) -> tuple[str, list]:
    if months is None:
        return "", []
    return " AND month IN (" + ", ".join(["{}"] * len(months)) + ")", list(months)


async def totals(community: int, months: list[str] | None) -> dict[str, dict[str, int]]:
    """{urgency: {count: n}} summed over ``months`` (None: all)."""
    where, args = _months_sql(months)
    rows = await FigureTotal.raw(
        "SELECT urgency, " + ", ".join(f"SUM({c}) AS {c}" for c in COUNTS)
        + " FROM governance_figure_total WHERE community = {}" + where + " GROUP BY urgency",
        community, *args)
    return {r["urgency"]: {c: int(r[c] or 0) for c in COUNTS} for r in rows}


async def overdue_corrections(community: int, start: datetime | None, end: datetime,
                              at: datetime) -> Counter:
    """{urgency: n} to add to ``breached_open`` for the open requests submitted in ``[start,
    end)`` that are overdue at ``at``: + those past their deadline that the due deadline has
    not marked yet (it runs every few seconds), − those marked whose deadline a later urgency
    moved past ``at``. Both are few: each is read from its own partial index."""
    period = " AND submitted_at < {}" + ("" if start is None else " AND submitted_at >= {}")
    bounds = [end] if start is None else [end, start]
    rows = await FigureTotal.raw(
        "SELECT urgency, 1 AS sign FROM governance_request WHERE community = {} AND "
        + _OPEN_SQL + " AND NOT breached AND due_at < {}" + period
        + " UNION ALL SELECT urgency, -1 AS sign FROM governance_request WHERE community = {} "
        "AND " + _OPEN_SQL + " AND breached AND due_at >= {}" + period,
        community, at, *bounds, community, at, *bounds)
    found: Counter = Counter()
    for row in rows:
        found[row["urgency"]] += int(row["sign"])
    return found


async def _level(community: int, months: list[str], urgency: str | None, unit: int,
                 low: int | None, high: int | None) -> list[tuple[int, int]]:
    """(bucket, count) of one unit of the distribution, in order, within seconds [low, high)."""
    where, args = _months_sql(months)
    if urgency is not None:
        where += " AND urgency = {}"
        args.append(urgency)
    if low is not None:
        where += " AND bucket >= {} AND bucket < {}"
        args += [low // unit, high // unit]
    rows = await FigureTotal.raw(
        "SELECT bucket, SUM(n) AS n FROM governance_answer_time WHERE community = {} "
        "AND unit = {}" + where + " GROUP BY bucket ORDER BY bucket", community, unit, *args)
    return [(int(r["bucket"]), int(r["n"])) for r in rows if int(r["n"] or 0)]


async def _nth(community: int, months: list[str], urgency: str | None, rank: int,
               top: list[tuple[int, int]]) -> tuple[int, int]:
    """The answer time (seconds) at 0-based ``rank``, and how many answers come after the
    ones at that very time; ``top`` is the coarsest unit's counts."""
    low = high = None
    counts = top
    for index, unit in enumerate(UNITS):
        if index:
            counts = await _level(community, months, urgency, unit, low, high)
        if not counts:  # an answer reopened between two reads: stay where we were
            return low or 0, 0
        place = 0
        while place < len(counts) - 1 and rank >= counts[place][1]:
            rank -= counts[place][1]
            place += 1
        bucket, n = counts[place]
        # (past the last bucket only when an answer came between two reads, each read
        # being its own snapshot: then the last one)
        rank = min(rank, n - 1)
        low, high = bucket * unit, (bucket + 1) * unit
        if unit == 1:
            return low, n - rank - 1
    return low or 0, 0


async def median_seconds(community: int, months: list[str] | None,
                         urgency: str | None = None) -> Decimal | None:
    """The exact median answer time in seconds of the answers of ``months`` (None: all
    time), one urgency or all; None when nothing was answered."""
    months = [ALL_MONTHS] if months is None else months
    top = await _level(community, months, urgency, UNITS[0], None, None)
    total = sum(n for _, n in top)
    if not total:
        return None
    value, after = await _nth(community, months, urgency, (total - 1) // 2, top)
    if total % 2:
        return Decimal(value)
    if after:  # the next answer took the same time
        return Decimal(value)
    following, _ = await _nth(community, months, urgency, total // 2, top)
    return (Decimal(value) + Decimal(following)) / 2


# --- the backfill -------------------------------------------------------------------------


def _month_starts(first: datetime, last: datetime, time_zone: str) -> list[datetime]:
    """Local month starts (UTC) from the month of ``first`` to the one after ``last``."""
    zone = ZoneInfo(time_zone or "Asia/Shanghai")
    local = first.astimezone(zone)
    year, month = local.year, local.month
    starts = []
    while True:
        start = datetime(year, month, 1, tzinfo=zone)
        starts.append(start.astimezone(UTC))
        if start > last:
            return starts
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


async def rebuild() -> None:
    """Recompute both running tables from the requests in set-based SQL, a few statements
    per community: its local months are a small table of bounds (a row per month, built
    here) that its requests are joined to, grouped and counted."""
    await FigureTotal.raw("DELETE FROM governance_figure_total")
    await FigureTotal.raw("DELETE FROM governance_answer_time")
    spans = await FigureTotal.raw(
        "SELECT r.community, c.time_zone, MIN(r.submitted_at) AS first, "
        "MAX(r.submitted_at) AS last FROM governance_request r JOIN yz_community c "
        "ON c.id = r.community GROUP BY r.community, c.time_zone")
    for span in spans:
        first, last = span["first"], span["last"]
        if isinstance(first, str):
            first, last = datetime.fromisoformat(first), datetime.fromisoformat(last)
        await _rebuild_community(span["community"], span["time_zone"],
                                 _month_starts(first, last, span["time_zone"]))


async def _rebuild_community(community: int, time_zone: str, starts: list[datetime]) -> None:
    stamp = "CAST({} AS TIMESTAMPTZ)" if is_postgres() else "{}"
    bounds, args = [], []
    for low, high in zip(starts, starts[1:], strict=False):
        bounds.append(f"SELECT CAST({{}} AS VARCHAR(7)) AS month, {stamp} AS low, "
                      f"{stamp} AS high")
        args += [month_label(low, time_zone), low, high]
    joined = ("FROM governance_request r JOIN (" + " UNION ALL ".join(bounds) + ") b ON "
              "r.submitted_at >= b.low AND r.submitted_at < b.high")
    kept = " WHERE r.community = {} AND r.status <> 'rejected'"
    true = "TRUE" if is_postgres() else "1"
    await FigureTotal.raw(
        "INSERT INTO governance_figure_total (community, month, urgency, " + ", ".join(COUNTS)
        + ") SELECT r.community, b.month, r.urgency, COUNT(*), COUNT(r.answered_at), "
        f"SUM(CASE WHEN r.on_time = {true} THEN 1 ELSE 0 END), COUNT(r.rated_at), "
        f"SUM(CASE WHEN r.satisfied = {true} THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN r.{_OPEN_SQL} AND r.breached = {true} THEN 1 ELSE 0 END) "
        + joined + kept + " GROUP BY r.community, b.month, r.urgency", *args, community)
    units = " UNION ALL ".join(f"SELECT {unit} AS unit" for unit in UNITS)
    floor = ("CASE WHEN r.answer_seconds >= 0 THEN r.answer_seconds / u.unit "
             "ELSE (r.answer_seconds - u.unit + 1) / u.unit END")
    for month, by_month in (("b.month", "b.month, "), (f"'{ALL_MONTHS}'", "")):
        await FigureTotal.raw(
            "INSERT INTO governance_answer_time (community, month, urgency, unit, bucket, n) "
            f"SELECT r.community, {month}, r.urgency, u.unit, {floor}, COUNT(*) " + joined
            + f" CROSS JOIN ({units}) u" + kept + " AND r.answer_seconds IS NOT NULL "
            f"GROUP BY r.community, {by_month}r.urgency, u.unit, {floor}", *args, community)
