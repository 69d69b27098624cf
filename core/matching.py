"""Ranking helpers for a need: declared skills, same building, free at that time — then plugins.

Core's base score: +3 for a declared skill matching the need's category, +2 for living in the
need's building, +2 for an availability slot covering the start of the need's window. Plugins
adjust through the ``yizhan_rank_candidates`` hook (expert certification adds its boost there).
Ties are broken by member id, so the order is stable.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from yizhan.core.events import EventContext, hook
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
    if need["window_start"] is None:
        return False
    local = need["window_start"].astimezone(ZoneInfo(time_zone))
    hhmm = local.strftime("%H:%M")
    for slot in json.loads(member["availability"] or "[]"):
        if slot["weekday"] == local.weekday() and slot["start"] <= hhmm < slot["end"]:
            return True
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
    hook(ctx, "yizhan_rank_candidates")(ctx=ctx, need=need, candidates=found)
    found.sort(key=lambda c: (-c.score, c.member["id"]))
    return found[:limit]
