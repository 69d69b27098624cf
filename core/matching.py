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


#: How far each of the pool's index walks goes (rows of one skill, building or weekday, in
#: member id order) — the bound that keeps a query's cost flat when few rows match.
WALK = 200
POOL = WALK  # the name plugins may have read


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


def _pool_sql(community: int, need: dict, requester: int, windows: list, k: int
              ) -> tuple[str, list]:
    """One statement: the union of LIMIT ``k`` queries, each the lowest ids satisfying one
    combination of the score's criteria (skill S, building B, free F) — B∧S∧F, B∧S, B∧F, B
    (walking the building's members), S∧F, S (walking the skill's members), F (walking each
    window day's slots) — and the lowest ids of all verified members.

    Why the top ``k`` by core score are in it: a member x among them satisfies one of those
    predicates P whose members all score at least as much as x (x's own combination); had
    P's query not returned x, it returned ``k`` members with lower ids scoring ≥ x's score,
    all ranked above x. Each query walks at most ``WALK`` rows of one community's composite
    index in id order, so its cost does not grow with the community; the argument holds
    wherever a combination's first ``k`` members lie within its walk (always in a community
    whose skill, building and weekday sets are under ``WALK``; beyond that, every member the
    former pool of ``WALK`` per criterion found is still found)."""
    parts: list[str] = []
    args: list = []
    has_skill = ("EXISTS (SELECT 1 FROM yz_member_skill s WHERE s.member = w.id "
                 "AND s.community = {} AND s.skill = {})")
    free = " OR ".join("(f.weekday = {} AND f.slot_start < {} AND f.slot_end > {})"
                       for _ in windows)
    is_free = ("EXISTS (SELECT 1 FROM yz_member_slot f WHERE f.member = w.id "
               "AND f.community = {} AND (" + free + "))")
    free_args = [x for weekday, begin, finish in windows for x in (weekday, finish, begin)]

    def add(walk: str, values: list, conditions: list[tuple[str, list]]) -> None:
        where = " AND ".join(sql for sql, _ in conditions) or "1 = 1"
        i = len(parts)
        parts.append(f"SELECT id FROM (SELECT w.id FROM ({walk} LIMIT {{}}) AS w{i} "
                     f"WHERE {where} ORDER BY w.id LIMIT {{}}) AS q{i}".replace(
                         "w.id", f"w{i}.id").replace("w.s", f"w{i}.s"))
        args.extend([*values, WALK, *(v for _, vs in conditions for v in vs), k])

    skill = (has_skill, [community, need["category"]])
    free_time = (is_free, [community, *free_args])
    category, building = need["category"], need["building"]
    if building is not None:
        walk = ("SELECT m.id FROM yz_member m WHERE m.community = {} AND m.building = {} "
                "AND m.status = 'verified' AND m.id <> {} "
                "ORDER BY m.community, m.building, m.status, m.id")
        for with_skill, with_free in ((True, True), (True, False), (False, True),
                                      (False, False)):
            if (with_skill and not category) or (with_free and not windows):
                continue
            add(walk, [community, building, requester],
                [c for c, on in ((skill, with_skill), (free_time, with_free)) if on])
    verified = ("JOIN yz_member m ON m.id = t.member AND m.status = 'verified' "
                "AND m.id <> {} ")
    if category:
        walk = ("SELECT t.member AS id FROM yz_member_skill t " + verified
                + "WHERE t.community = {} AND t.skill = {} "
                "ORDER BY t.community, t.skill, t.member")
        for with_free in ([True, False] if windows else [False]):
            add(walk, [requester, community, category], [free_time] if with_free else [])
    for weekday, begin, finish in windows:
        add("SELECT t.member AS id, t.slot_start AS s0, t.slot_end AS s1 "
            "FROM yz_member_slot t " + verified + "WHERE t.community = {} AND t.weekday = {} "
            "ORDER BY t.community, t.weekday, t.member", [requester, community, weekday],
            [("w.s0 < {} AND w.s1 > {}", [finish, begin])])
    add("SELECT m.id FROM yz_member m WHERE m.community = {} AND m.status = 'verified' "
        "AND m.id <> {} ORDER BY m.community, m.status, m.id", [community, requester], [])
    return " UNION ".join(parts), args


async def candidate_pool(ctx: EventContext, need: dict, limit: int) -> list[int]:
    """A bounded set of verified members worth scoring, from one statement of indexed LIMITed
    queries (:func:`_pool_sql`: ``yz_member``, ``yz_member_skill``, ``yz_member_slot``), plus
    those plugins nominate — never every member of the community. It holds the ``limit`` best
    members by core's score (ties by id; see :func:`_pool_sql` for the bound), so scoring the
    pool ranks them as scoring every member would; what plugins add on top counts for
    nominated members."""
    community, requester = ctx.community_id, need["requester"]
    windows = _windows(need, ctx.community["time_zone"])
    sql, args = _pool_sql(community, need, requester, windows, min(max(limit, 1), WALK))
    ids = {int(row["id"]) for row in await db.raw(sql, *args)}
    nominated = await await_all(
        hook(ctx, "yizhan_nominate_candidates")(ctx=ctx, need=need))
    ids.update(int(m) for answer in nominated for m in (answer or []))
    ids.discard(requester)
    return sorted(ids)


async def candidates(ctx: EventContext, need: dict, limit: int = 20) -> list[Candidate]:
    """Verified members who could help with ``need``, best first.

    Scores a bounded pool (:func:`candidate_pool`) that holds the ``limit`` best by core's
    score, so the answer is the one scoring every verified member gives."""
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
