"""Ranking helpers for a need: declared skills, same building, free at that time — then plugins.

Core's base score: +3 for a declared skill matching the need's category, +2 for living in the
need's building, +2 for a weekly availability slot that overlaps the need's window (in the
community's time). Plugins adjust through the ``yizhan_rank_candidates`` hook (expert
certification adds its boost there).
Ties are broken by member id, so the order is stable.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

from yizhan.core.events import EventContext, hook
from yizhan.core.plugins import await_all
from yizhan.core.tables import Member

SKILL, SAME_BUILDING, FREE = 3, 2, 2


@dataclass
class Candidate:
    """A possible helper: the member row, a score and the reasons for it."""

    member: dict
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)

    def add(self, points: float, reason: str) -> None:
        """Add ``points`` for ``reason`` (a short machine word such as ``skill``)."""
        self.score += points
        self.reasons.append(reason)


def _free_at(member: dict, need: dict, time_zone: str) -> bool:
    """True if one of the member's weekly slots overlaps the need's window (local time)."""
    start, end = need["window_start"], need["window_end"]
    if start is None or end is None:
        return False
    slots = json.loads(member["availability"] or "[]")
    if not slots:
        return False
    tz = ZoneInfo(time_zone)
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    day = local_start.date()
    for _ in range(8):  # a week covers every weekday; longer windows change nothing
        if day > local_end.date():
            break
        begin = local_start.strftime("%H:%M") if day == local_start.date() else "00:00"
        finish = local_end.strftime("%H:%M") if day == local_end.date() else "24:00"
        for slot in slots:
            if (slot["weekday"] == day.weekday() and slot["start"] < finish
                    and slot["end"] > begin):
                return True
        day += timedelta(days=1)
    return False


async def candidates(ctx: EventContext, need: dict, limit: int = 20) -> list[Candidate]:
    """Verified members who could help with ``need``, best first."""
    rows = await Member.select().where(
        (Member.community == ctx.community_id) & (Member.status == "verified")
        & (Member.id != need["requester"])
    )
    found = []
    for member in rows:
        candidate = Candidate(member)
        if need["category"] in json.loads(member["skills"] or "[]"):
            candidate.add(SKILL, "skill")
        if need["building"] is not None and member["building"] == need["building"]:
            candidate.add(SAME_BUILDING, "same_building")
        if _free_at(member, need, ctx.community["time_zone"]):
            candidate.add(FREE, "free")
        found.append(candidate)
    await await_all(hook(ctx, "yizhan_rank_candidates")(ctx=ctx, need=need, candidates=found))
    found.sort(key=lambda c: (-c.score, c.member["id"]))
    return found[:limit]
