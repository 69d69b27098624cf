"""Hours of help given and received, from confirmed needs — with or without credits."""

from __future__ import annotations

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
