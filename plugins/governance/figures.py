"""The figures shown in the open: share of requests answered on time per urgency (this month
and all time), the median time to answer, satisfaction; and the indicators the insights plugin
reads. The public figures and the indicators of whole local months come from running totals
(``totals``: counts, and the answer-time distribution for exact medians), so their cost does
not grow with the community; :func:`compute` counts the requests themselves (SQL aggregates,
the median by ``OFFSET``) for any other period and is what the running totals must equal:
nothing loads a community's requests into Python.

A request counts toward the on-time share once it is *due or answered*: answered (on time or
late), or still open past its deadline. Rejected requests do not count. A request belongs to
the period it was submitted in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from piccolo.query.functions.aggregate import Count, Sum

from yizhan.core.api import Indicator, get_community_by_id, now
from yizhan.plugins.governance import totals
from yizhan.plugins.governance.common import OPEN, URGENCIES
from yizhan.plugins.governance.tables import Proposal, Request


@dataclass
class Period:
    """Figures of the requests submitted in one period (one urgency, or all)."""

    submitted: int = 0
    due_or_answered: int = 0
    answered: int = 0
    answered_on_time: int = 0
    overdue_open: int = 0
    rated: int = 0
    satisfied: int = 0
    median_seconds: Decimal | None = None

    @property
    def on_time_percent(self) -> Decimal | None:
        """Answered on time among those due or answered, in percent (one decimal)."""
        return _percent(self.answered_on_time, self.due_or_answered)

    @property
    def satisfaction_percent(self) -> Decimal | None:
        """Satisfied among the rated answers, in percent."""
        return _percent(self.satisfied, self.rated)

    @property
    def median_hours(self) -> Decimal | None:
        """The median time from submission to answer, in hours (two decimals)."""
        if self.median_seconds is None:
            return None
        return (self.median_seconds / 3600).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass
class Figures:
    """A period's figures in total and per urgency."""

    start: datetime | None
    end: datetime
    total: Period = field(default_factory=Period)
    by_urgency: dict[str, Period] = field(
        default_factory=lambda: {u: Period() for u in URGENCIES})


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _scope(community_id: int | None, start: datetime | None, end: datetime) -> Any:
    where = (Request.community.is_not_null() if community_id is None
             else Request.community == community_id)
    where = where & (Request.submitted_at < end) & (Request.status != "rejected")
    if start is not None:
        where = where & (Request.submitted_at >= start)
    return where


async def _grouped(where: Any) -> dict[str, int]:
    rows = await Request.select(Request.urgency, Count(alias="n")).where(where).group_by(
        Request.urgency)
    return {r["urgency"]: int(r["n"]) for r in rows}


async def _median(where: Any, n: int | None = None) -> Decimal | None:
    """The median answer time of the requests of ``where`` (``n``: how many were answered,
    when known)."""
    answered = where & Request.answer_seconds.is_not_null()
    if n is None:
        n = await Request.count().where(answered)
    if not n:
        return None
    rows = await Request.select(Request.answer_seconds).where(answered).order_by(
        Request.answer_seconds).offset((n - 1) // 2).limit(1 if n % 2 else 2)
    values = [Decimal(r["answer_seconds"]) for r in rows]
    return sum(values) / len(values)


async def compute(community_id: int | None, start: datetime | None, end: datetime,
                  *, at: datetime | None = None) -> Figures:
    """The figures of requests submitted in ``[start, end)`` (``start`` None: all time),
    as things stand at ``at`` (now)."""
    current = at or now()
    where = _scope(community_id, start, end)
    late = Request.status.is_in(list(OPEN)) & (Request.due_at < current)
    counts = {
        "submitted": await _grouped(where),
        "answered": await _grouped(where & Request.answered_at.is_not_null()),
        "answered_on_time": await _grouped(where & (Request.on_time == True)),  # noqa: E712
        "overdue_open": await _grouped(where & late),
        "rated": await _grouped(where & Request.rated_at.is_not_null()),
        "satisfied": await _grouped(where & (Request.satisfied == True)),  # noqa: E712
    }
    figures = Figures(start=start, end=end)
    for level in URGENCIES:
        period = figures.by_urgency[level]
        for name, grouped in counts.items():
            setattr(period, name, grouped.get(level, 0))
        period.due_or_answered = period.answered + period.overdue_open
        period.median_seconds = await _median(where & (Request.urgency == level))
    for name in counts:
        setattr(figures.total, name, sum(getattr(p, name) for p in figures.by_urgency.values()))
    figures.total.due_or_answered = figures.total.answered + figures.total.overdue_open
    figures.total.median_seconds = await _median(where)
    return figures


async def compute_running(community: dict, spans: list[tuple[datetime | None, datetime]],
                          *, at: datetime, medians: str = "all") -> list[Figures]:
    """The same figures as :func:`compute`, for each span of requests submitted from local
    month start ``start`` (None: all time) to the local month start ``end`` (or to now),
    read from the running totals (``totals``) in a few statements however many spans: the
    counts, the overdue corrections (a few rows of two partial indexes) and the medians
    walked down the answer-time distribution. Nothing here reads more rows for a bigger
    community. ``medians``: ``all`` (per urgency and in total), ``total`` or ``none``."""
    zone = community["time_zone"]
    months = [None if start is None else _months(start, end, zone) for start, end in spans]
    wanted = None if None in months else sorted({m for ms in months for m in ms})
    found = await totals.totals(community["id"], wanted)
    starts = [start for start, _ in spans]
    corrections = await totals.overdue_corrections(
        community["id"], None if None in starts else min(starts), max(e for _, e in spans), at)
    results, pending = [], []
    for (start, end), span_months in zip(spans, months, strict=True):
        figures = Figures(start=start, end=end)
        for label, by_urgency in found.items():
            if span_months is not None and label not in span_months:
                continue
            for level, counts in by_urgency.items():
                period = figures.by_urgency[level]
                for name in totals.COUNTS[:-1]:
                    setattr(period, name, getattr(period, name) + counts[name])
                period.overdue_open += counts["breached_open"]
        for level, submitted_at, sign in corrections:
            if (start is None or submitted_at >= start) and submitted_at < end:
                figures.by_urgency[level].overdue_open += sign
        scope = [totals.ALL_MONTHS] if span_months is None else span_months
        for level, period in figures.by_urgency.items():
            period.due_or_answered = period.answered + period.overdue_open
            if medians == "all" and period.answered:
                pending.append((period, totals.Median(scope, level, period.answered)))
        for name in (*totals.COUNTS[:-1], "overdue_open"):
            setattr(figures.total, name,
                    sum(getattr(p, name) for p in figures.by_urgency.values()))
        figures.total.due_or_answered = figures.total.answered + figures.total.overdue_open
        if medians != "none" and figures.total.answered:
            pending.append((figures.total,
                            totals.Median(scope, None, figures.total.answered)))
        results.append(figures)
    await totals.medians(community["id"], [median for _, median in pending])
    for period, median in pending:
        period.median_seconds = median.seconds
    return results


def _months(start: datetime, end: datetime, time_zone: str) -> list[str]:
    """The labels of the local months from the one of ``start`` to the one before ``end``
    (that of ``end`` when ``end`` is not a month start)."""
    first = totals.month_label(start, time_zone)
    last = totals.month_label(end, time_zone)
    if month_start({"time_zone": time_zone}, end) == end:  # ``end`` opens a month: not in
        year, month = int(last[:4]), int(last[5:])
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        last = f"{year:04d}-{month:02d}"
    labels, year, month = [], int(first[:4]), int(first[5:])
    while f"{year:04d}-{month:02d}" <= last:
        labels.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return labels


def month_start(community: dict, at: datetime | None = None) -> datetime:
    """Local midnight on the first of the current month in the community's time zone."""
    local = (at or now()).astimezone(ZoneInfo(community.get("time_zone") or "Asia/Shanghai"))
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


# --- indicators ------------------------------------------------------------------------


async def _figures(scope, medians: str = "none") -> Figures:
    """A scope's figures: from the running totals when it is whole local months of one
    community (the insights plugin's months and quarters), else counted (:func:`compute`)."""
    if scope.community_id is not None:
        community = await get_community_by_id(scope.community_id)
        if (community is not None and scope.start < scope.end
                and month_start(community, scope.start) == scope.start
                and month_start(community, scope.end) == scope.end):
            return (await compute_running(community, [(scope.start, scope.end)], at=now(),
                                          medians=medians))[0]
    return await compute(scope.community_id, scope.start, scope.end)


async def _submitted(scope) -> int:
    return (await _figures(scope)).total.submitted


async def _on_time(scope) -> Decimal | None:
    return (await _figures(scope)).total.on_time_percent


async def _median_hours(scope) -> Decimal | None:
    return (await _figures(scope, medians="total")).total.median_hours


async def _satisfaction(scope) -> Decimal | None:
    return (await _figures(scope)).total.satisfaction_percent


async def _granted(scope) -> Decimal:
    where = (Proposal.community.is_not_null() if scope.community_id is None
             else Proposal.community == scope.community_id)
    row = await Proposal.select(Sum(Proposal.granted_fen, alias="fen")).where(
        where & Proposal.decided_at.is_not_null() & (Proposal.decided_at >= scope.start)
        & (Proposal.decided_at < scope.end)).first()
    return Decimal(int((row or {}).get("fen") or 0)) / 100


INDICATORS = [
    Indicator("governance.requests_submitted", "Residents' requests", "居民诉求数", "count",
              "Requests submitted during the period (rejected ones excluded).", _submitted),
    Indicator("governance.answered_on_time", "Requests answered on time", "诉求按时答复率",
              "percent", "Of the requests submitted in the period that were answered or are "
              "past their deadline, the share answered by the deadline.", _on_time),
    Indicator("governance.median_hours_to_answer", "Median time to answer", "诉求答复时长中位数",
              "hours", "Median hours from submission to answer of the period's requests.",
              _median_hours, higher_is_better=False),
    Indicator("governance.satisfaction", "Satisfaction with answers", "诉求答复满意率",
              "percent", "Share of rated answers the residents were satisfied with.",
              _satisfaction),
    Indicator("governance.grants_awarded", "Micro-grants awarded", "微基金资助金额", "yuan",
              "Yuan granted to residents' proposals during the period.", _granted),
]
