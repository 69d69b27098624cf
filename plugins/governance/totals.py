"""Running totals behind the public figures, kept in the transaction of every change of a
request, so that no figure reads a community's requests:

- ``governance_figure_total``: per community, local month of submission and urgency, the
  counts (submitted, answered, on time, rated, satisfied, and open past the deadline the due
  deadline marked: ``breached_open``);
- ``governance_answer_time``: the answer times as counts per day, hour, ten minutes, minute,
  ten seconds and second (per month and for all months, ``*``), so a median is found exactly
  by walking down the units — at most the distinct days, then 24 hours, 6 ten-minutes, 10
  minutes, 6 ten-seconds and 10 seconds per median — whatever the number of requests.

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
from yizhan.plugins.governance.common import OPEN, OPEN_SQL
from yizhan.plugins.governance.tables import FigureTotal

COUNTS = ("submitted", "answered", "answered_on_time", "rated", "satisfied", "breached_open")
REJECTED = "rejected"
#: The units of the answer-time distribution, coarsest first (seconds).
UNITS = (86400, 3600, 600, 60, 10, 1)
#: The month label of the all-time answer-time distribution.
ALL_MONTHS = "*"


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
    for (month, urgency), change in sorted(changes.items()):  # one lock order for all
        await add(community, month, urgency, {c: change[c] for c in COUNTS})
    await _add_times(community, times)


def _months_sql(months: list[str] | None) -> tuple[str, list]:
    if months is None:
        return "", []
    return " AND month IN (" + ", ".join(["{}"] * len(months)) + ")", list(months)


async def totals(community: int, months: list[str] | None) -> dict[str, dict[str, dict]]:
    """{month: {urgency: {count: n}}} of ``months`` (None: all)."""
    where, args = _months_sql(months)
    rows = await FigureTotal.raw(
        "SELECT month, urgency, " + ", ".join(COUNTS)
        + " FROM governance_figure_total WHERE community = {}" + where, community, *args)
    found: dict[str, dict[str, dict]] = {}
    for r in rows:
        found.setdefault(r["month"], {})[r["urgency"]] = {c: int(r[c] or 0) for c in COUNTS}
    return found


async def overdue_corrections(community: int, start: datetime | None, end: datetime,
                              at: datetime) -> list[tuple[str, datetime, int]]:
    """(urgency, submitted_at, +1 or −1) to add to ``breached_open`` for the open requests
    submitted in ``[start, end)`` that are overdue at ``at``: +1 for those past their
    deadline that the due deadline has not marked yet (it runs every few seconds), −1 for
    those marked whose deadline a later urgency moved past ``at``. Both are few: each is read
    from its own partial index alone."""
    period = " AND submitted_at < {}" + ("" if start is None else " AND submitted_at >= {}")
    bounds = [end] if start is None else [end, start]
    rows = await FigureTotal.raw(
        "SELECT urgency, submitted_at, 1 AS sign FROM governance_request WHERE community = {} "
        "AND " + OPEN_SQL + " AND NOT breached AND due_at < {}" + period
        + " UNION ALL SELECT urgency, submitted_at, -1 AS sign FROM governance_request "
        "WHERE community = {} AND " + OPEN_SQL + " AND breached AND due_at >= {}" + period,
        community, at, *bounds, community, at, *bounds)
    return [(r["urgency"], _when(r["submitted_at"]), int(r["sign"])) for r in rows]


def _when(value) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


class Median:
    """One median to find: of the ``count`` answers of ``months`` (``[ALL_MONTHS]``: all
    time), of one urgency or of all (None); ``seconds`` is the answer once :func:`medians`
    ran."""

    def __init__(self, months: list[str], urgency: str | None, count: int) -> None:
        self.months, self.urgency, self.count = months, urgency, count
        self.seconds: Decimal | None = None
        ranks = [] if count <= 0 else [(count - 1) // 2] if count % 2 else [
            count // 2 - 1, count // 2]
        #: per rank to find: [rank, low second, high second] to start the walk with
        self.ranks: list[list] = [[rank, None, None] for rank in ranks]


#: Bounds of a read that is not yet narrowed to a range (any answer time).
_ANY = (-(2 ** 62), 2 ** 62)


async def _level(community: int, unit: int, reads: list[tuple]) -> list[tuple[int, int] | None]:
    """For each read ``(months, urgency, low, high, rank)``: the bucket of ``unit`` seconds
    within seconds ``[low, high)`` (``low`` None: anywhere) that holds the answer of 0-based
    ``rank``, and how many answers come before that bucket (None: too few answers). One
    statement of one shape for all the reads (a list of reads joined to the distribution, a
    running sum per read): each read sums at most that unit's buckets in its range, and one
    row comes back per read."""
    values, args = [], []
    for index, (months, urgency, low, high, rank) in enumerate(reads):
        low, high = _ANY if low is None else (low // unit, high // unit)
        for month in months:
            values.append("SELECT CAST({} AS INTEGER) AS part, CAST({} AS VARCHAR(7)) AS "
                          "month, CAST({} AS VARCHAR(10)) AS urgency, CAST({} AS BIGINT) AS low, "
                          "CAST({} AS BIGINT) AS high, CAST({} AS BIGINT) AS rnk")
            args += [index, month, urgency or "", low, high, rank]
    match = ("a.community = {} AND a.unit = {} AND a.month = r.month AND a.bucket >= r.low "
             "AND a.bucket < r.high AND (r.urgency = '' OR a.urgency = r.urgency)")
    # PostgreSQL: LATERAL with OFFSET 0 (not flattened into a join), so that every plan reads
    # each read's range from the index (a hash join reads every bucket of the unit); SQLite
    # loops over the reads anyway
    joined = (f"CROSS JOIN LATERAL (SELECT a.bucket, a.n FROM governance_answer_time a WHERE "
              f"{match} OFFSET 0) AS a" if is_postgres()
              else f"JOIN governance_answer_time a ON {match}")
    rows = await FigureTotal.raw(
        "WITH r AS (" + " UNION ALL ".join(values) + "), "
        "s AS (SELECT r.part, a.bucket, SUM(a.n) AS n, MAX(r.rnk) AS rnk FROM r " + joined
        + " GROUP BY r.part, a.bucket), "
        "w AS (SELECT part, bucket, n, rnk, SUM(n) OVER (PARTITION BY part ORDER BY bucket) "
        "AS total FROM s), "
        "x AS (SELECT part, bucket, total - n AS before, ROW_NUMBER() OVER (PARTITION BY part "
        "ORDER BY bucket) AS k FROM w WHERE total > rnk) "
        "SELECT part, bucket, before FROM x WHERE k = 1", *args, community, unit)
    result: list[tuple[int, int] | None] = [None] * len(reads)
    for row in rows:
        result[int(row["part"])] = (int(row["bucket"]), int(row["before"]))
    return result


async def medians(community: int, wanted: list[Median]) -> None:
    """Find every median of ``wanted`` exactly, together: one statement per unit of the
    distribution — the day that holds each middle answer, the hour in that day, the minute,
    the second — each reading at most that unit's buckets per median and returning one row
    per median, whatever the number of answers. The statements are separate snapshots: when
    an answer comes between two, a median is taken from the nearest bucket (never an
    error)."""
    # per rank: [rank within the bucket found so far, its low second, its high second, median]
    states = [state + [median] for median in wanted for state in median.ranks]
    for unit in UNITS:
        if not states:
            break
        keys = sorted({(tuple(s[3].months), s[3].urgency, s[1], s[2], s[0]) for s in states},
                      key=str)
        found = dict(zip(keys, await _level(community, unit, keys), strict=True))
        for state in states:
            median = state[3]
            hit = found[(tuple(median.months), median.urgency, state[1], state[2], state[0])]
            if hit is None:
                continue  # (an answer reopened between two reads: stay where we were)
            bucket, before = hit
            state[:3] = [state[0] - before, bucket * unit, (bucket + 1) * unit]
    for median in wanted:
        values = [Decimal(state[1] or 0) for state in states if state[3] is median]
        median.seconds = sum(values) / len(values) if values else None


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
        f"SUM(CASE WHEN r.{OPEN_SQL} AND r.breached = {true} THEN 1 ELSE 0 END) "
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
