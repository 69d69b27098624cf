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

from yizhan.core import db
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


#: How many members each indexed pool query (skill, building, free, fill) may bring.
POOL = 200


def _windows(need: dict, time_zone: str) -> list[tuple[int, str, str]]:
    """The need's window as (weekday, begin, finish) per local day, as :func:`_free_at` sees it."""
    start, end = need["window_start"], need["window_end"]
    if start is None or end is None:
        return []
    tz = ZoneInfo(time_zone)
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    day, found = local_start.date(), []
    for _ in range(8):
        if day > local_end.date():
            break
        begin = local_start.strftime("%H:%M") if day == local_start.date() else "00:00"
        finish = local_end.strftime("%H:%M") if day == local_end.date() else "24:00"
        found.append((day.weekday(), begin, finish))
        day += timedelta(days=1)
    return found


async def _ids(sql: str, *args) -> list[int]:
    return [row["id"] for row in await db.raw(sql, *args)]


async def candidate_pool(ctx: EventContext, need: dict, limit: int) -> list[int]:
    """A bounded set of verified members worth scoring, from indexed LIMITed queries: members
    with the need's skill, of its building, free in its window (``yz_member_skill``,
    ``yz_member``, ``yz_member_slot``), those plugins nominate, and the lowest ids to fill up
    to ``limit`` — never every member of the community."""
    # Each ORDER BY starts with the columns the WHERE fixes, so that generic plans (prepared
    # statements) walk the composite index of that community instead of every row.
    community, requester = ctx.community_id, need["requester"]
    verified = ("JOIN yz_member m ON m.id = t.member AND m.status = 'verified' "
                "AND m.id <> {} ")
    ids: set[int] = set()
    if need["category"]:
        ids.update(await _ids(
            "SELECT t.member AS id FROM yz_member_skill t " + verified
            + "WHERE t.community = {} AND t.skill = {} ORDER BY t.community, t.skill, t.member "
            "LIMIT {}",
            requester, community, need["category"], POOL))
    if need["building"] is not None:
        ids.update(await _ids(
            "SELECT id FROM yz_member WHERE community = {} AND building = {} "
            "AND status = 'verified' AND id <> {} ORDER BY community, building, status, id "
            "LIMIT {}",
            community, need["building"], requester, POOL))
    for weekday, begin, finish in _windows(need, ctx.community["time_zone"]):
        ids.update(await _ids(
            "SELECT t.member AS id FROM yz_member_slot t " + verified
            + "WHERE t.community = {} AND t.weekday = {} AND t.slot_start < {} "
            "AND t.slot_end > {} ORDER BY t.community, t.weekday, t.member LIMIT {}",
            requester, community, weekday, finish, begin, POOL))
    ids.update(await _ids(
        "SELECT id FROM yz_member WHERE community = {} AND status = 'verified' AND id <> {} "
        "ORDER BY community, status, id LIMIT {}", community, requester, limit))
    nominated = await await_all(
        hook(ctx, "yizhan_nominate_candidates")(ctx=ctx, need=need))
    ids.update(int(m) for answer in nominated for m in (answer or []))
    ids.discard(requester)
    return sorted(ids)


async def candidates(ctx: EventContext, need: dict, limit: int = 20) -> list[Candidate]:
    """Verified members who could help with ``need``, best first.

    Scores a bounded pool (:func:`candidate_pool`), exactly as before: in a community where
    each of the pool's queries finds fewer than ``POOL`` members the answer is the same as
    scoring every verified member."""
    pool = await candidate_pool(ctx, need, limit)
    rows = await Member.select().where(
        (Member.community == ctx.community_id) & (Member.status == "verified")
        & Member.id.is_in(pool or [-1]))
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
