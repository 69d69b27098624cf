"""Running totals behind the public figures (``governance_figure_total``): per community,
local month of submission and urgency. Every write of a request passes its row before and
after to :func:`count_change` in the same transaction, so the figures add up a few rows of
totals instead of counting the community's requests."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

from yizhan.core.api import get_community_by_id
from yizhan.plugins.governance.tables import FigureTotal

COUNTS = ("submitted", "answered", "answered_on_time", "rated", "satisfied")
REJECTED = "rejected"


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
            "rated": int(row["rated_at"] is not None), "satisfied": int(row["satisfied"] is True)}


async def add(community: int, month: str, urgency: str, delta: dict[str, int]) -> None:
    """Add ``delta`` to one row of totals (creating it)."""
    if not any(delta.values()):
        return
    await FigureTotal.raw(
        "INSERT INTO governance_figure_total (community, month, urgency, "
        + ", ".join(COUNTS) + ") VALUES ({}, {}, {}, {}, {}, {}, {}, {}) "
        "ON CONFLICT (community, month, urgency) DO UPDATE SET "
        + ", ".join(f"{c} = governance_figure_total.{c} + excluded.{c}" for c in COUNTS),
        community, month, urgency, *(delta[c] for c in COUNTS))


async def count_change(old: dict | None, new: dict | None) -> None:
    """Move the totals from request row ``old`` (None: a new request) to ``new``."""
    community = (new or old)["community"]
    time_zone = (await get_community_by_id(community))["time_zone"]
    changes: dict[tuple[str, str], Counter] = {}
    for row, sign in ((old, -1), (new, 1)):
        if row is None:
            continue
        key = (month_label(row["submitted_at"], time_zone), row["urgency"])
        change = changes.setdefault(key, Counter())
        for name, value in counted(row).items():
            change[name] += sign * value
    for (month, urgency), change in changes.items():
        await add(community, month, urgency, {c: change[c] for c in COUNTS})


async def totals(community: int, since_month: str | None) -> dict[str, dict[str, int]]:
    """{urgency: {count: n}} summed over the months from ``since_month`` (None: all)."""
    where, args = "community = {}", [community]
    if since_month is not None:
        where += " AND month >= {}"
        args.append(since_month)
    rows = await FigureTotal.raw(
        "SELECT urgency, " + ", ".join(f"SUM({c}) AS {c}" for c in COUNTS)
        + f" FROM governance_figure_total WHERE {where} GROUP BY urgency", *args)
    return {r["urgency"]: {c: int(r[c] or 0) for c in COUNTS} for r in rows}
