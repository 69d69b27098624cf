"""Hours of help given and received, from confirmed needs — with or without credits.

Read from running totals (``yz_hours_total``: a row per community and one per member) that
:func:`record_help` updates in the transaction that records a confirmed need, so reading them
costs the same in a community of 1,000 members as in one of 100,000.
"""

from __future__ import annotations

from datetime import datetime

from yizhan.core import db
from yizhan.core.tables import HelpRecord, HoursTotal

#: The ``member`` of a community's own total row.
COMMUNITY_ROW = 0

_ADD = ("INSERT INTO yz_hours_total (community, member, minutes_given, minutes_received, "
        "needs_helped, helpers) VALUES ({}, {}, {}, {}, {}, {}) "
        "ON CONFLICT (community, member) DO UPDATE SET "
        "minutes_given = yz_hours_total.minutes_given + excluded.minutes_given, "
        "minutes_received = yz_hours_total.minutes_received + excluded.minutes_received, "
        "needs_helped = yz_hours_total.needs_helped + excluded.needs_helped, "
        "helpers = yz_hours_total.helpers + excluded.helpers RETURNING needs_helped")


async def record_help(community_id: int, need: dict, minutes: int, now: datetime) -> None:
    """Record a confirmed need's help and add it to the running totals (call inside the
    confirmation's transaction). The helper's row is upserted first, which locks it, so two
    confirmations for the same helper cannot both count them as a new helper."""
    await HelpRecord.insert(HelpRecord(
        community=community_id, need=need["id"], helper=need["helper"],
        requester=need["requester"], minutes=minutes, confirmed_at=now))
    rows = await db.raw(_ADD, community_id, need["helper"], minutes, 0, 1, 0)
    first_help = rows[0]["needs_helped"] == 1
    await db.raw(_ADD, community_id, need["requester"], 0, minutes, 0, 0)
    await db.raw(_ADD, community_id, COMMUNITY_ROW, minutes, 0, 1, 1 if first_help else 0)


async def _total(community_id: int, member_id: int) -> dict:
    row = await HoursTotal.select().where(
        (HoursTotal.community == community_id) & (HoursTotal.member == member_id)).first()
    return row or {"minutes_given": 0, "minutes_received": 0, "needs_helped": 0, "helpers": 0}


async def member_hours(member_id: int) -> dict[str, int]:
    """Minutes given and received by a member, and distinct households (requesters) helped."""
    from yizhan.core.tables import Member

    member = await Member.select(Member.community).where(Member.id == member_id).first()
    total = await _total(member["community"] if member else -1, member_id)
    people = await db.raw("SELECT COUNT(DISTINCT requester) AS n FROM yz_help_record "
                          "WHERE helper = {}", member_id)
    return {
        "minutes_given": int(total["minutes_given"]),
        "minutes_received": int(total["minutes_received"]),
        "needs_helped": int(total["needs_helped"]),
        "people_helped": int(people[0]["n"] if people else 0),
    }


async def community_hours(community_id: int) -> dict[str, int]:
    """Total confirmed help in a community: minutes, needs, distinct helpers."""
    total = await _total(community_id, COMMUNITY_ROW)
    return {"minutes": int(total["minutes_given"]), "needs": int(total["needs_helped"]),
            "helpers": int(total["helpers"])}


async def helpers_between(community_id: int, start: datetime, end: datetime
                          ) -> dict[int, dict[str, int]]:
    """Help given per helper through needs confirmed in ``[start, end)`` in a community.

    ``{helper member id: {"minutes_given", "needs_helped", "households_helped"}}``, where
    households helped counts distinct requesters. Leaderboards and awards rank on this.
    """
    rows = await HelpRecord.select(
        HelpRecord.helper, HelpRecord.requester, HelpRecord.minutes
    ).where(
        (HelpRecord.community == community_id) & (HelpRecord.confirmed_at >= start)
        & (HelpRecord.confirmed_at < end)
    )
    totals: dict[int, dict[str, int]] = {}
    requesters: dict[int, set[int]] = {}
    for row in rows:
        entry = totals.setdefault(row["helper"], {"minutes_given": 0, "needs_helped": 0,
                                                  "households_helped": 0})
        entry["minutes_given"] += row["minutes"]
        entry["needs_helped"] += 1
        requesters.setdefault(row["helper"], set()).add(row["requester"])
    for helper, seen in requesters.items():
        totals[helper]["households_helped"] = len(seen)
    return totals


async def top_helpers_between(community_id: int, start: datetime, end: datetime, *,
                              household_minutes: int, min_minutes: int = 0, limit: int = 10,
                              offset: int = 0) -> list[dict[str, int]]:
    """The best verified helpers of ``[start, end)``, computed in SQL (GROUP BY, ORDER BY,
    LIMIT): score = minutes given + ``household_minutes`` per distinct requester; ties by
    more households, more minutes, lower member id. Rows: ``member_id``, ``minutes_given``,
    ``needs_helped``, ``households_helped``, ``score``."""
    rows = await db.raw(
        "SELECT h.helper AS member_id, SUM(h.minutes) AS minutes_given, "
        "COUNT(*) AS needs_helped, COUNT(DISTINCT h.requester) AS households_helped, "
        "SUM(h.minutes) + {} * COUNT(DISTINCT h.requester) AS score "
        "FROM yz_help_record h JOIN yz_member m ON m.id = h.helper "
        "WHERE h.community = {} AND h.confirmed_at >= {} AND h.confirmed_at < {} "
        "AND m.status = 'verified' GROUP BY h.helper HAVING SUM(h.minutes) >= {} "
        "ORDER BY score DESC, households_helped DESC, minutes_given DESC, h.helper "
        "LIMIT {} OFFSET {}",
        household_minutes, community_id, start, end, min_minutes, limit, offset)
    return [{k: int(v) for k, v in row.items()} for row in rows]
