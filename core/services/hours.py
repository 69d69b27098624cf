"""Hours of help given and received, from confirmed needs — with or without credits."""

from __future__ import annotations

from datetime import datetime

from yizhan.core.tables import HelpRecord


async def member_hours(member_id: int) -> dict[str, int]:
    """Minutes given and received by a member, and distinct households (requesters) helped."""
    given = await HelpRecord.select(HelpRecord.minutes, HelpRecord.requester).where(
        HelpRecord.helper == member_id)
    received = await HelpRecord.select(HelpRecord.minutes).where(
        HelpRecord.requester == member_id)
    return {
        "minutes_given": sum(r["minutes"] for r in given),
        "minutes_received": sum(r["minutes"] for r in received),
        "needs_helped": len(given),
        "people_helped": len({r["requester"] for r in given}),
    }


async def community_hours(community_id: int) -> dict[str, int]:
    """Total confirmed help in a community: minutes, needs, distinct helpers."""
    rows = await HelpRecord.select(HelpRecord.minutes, HelpRecord.helper).where(
        HelpRecord.community == community_id)
    return {
        "minutes": sum(r["minutes"] for r in rows),
        "needs": len(rows),
        "helpers": len({r["helper"] for r in rows}),
    }


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
