"""What matching and profiles read of the badges: certified experts of a category among
candidates, and a member's badges for their profile."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from yizhan.core.api import (
    get_member,
    member_hours,
)
from yizhan.plugins.badges.awards import (
    list_awards,
)
from yizhan.plugins.badges.tables import (
    BadgeAward,
    BadgeDefinition,
)


async def certified_experts(community_id: int, category: str, member_ids: list[int],
                            now: datetime) -> set[int]:
    """Which of ``member_ids`` hold an active expert certification for ``category``."""
    if not member_ids or not category:
        return set()
    definitions = await BadgeDefinition.select(BadgeDefinition.id).where(
        (BadgeDefinition.community == community_id) & (BadgeDefinition.kind == "expert")
        & (BadgeDefinition.category == category))
    if not definitions:
        return set()
    rows = await BadgeAward.select(BadgeAward.member).where(
        (BadgeAward.community == community_id)
        & BadgeAward.definition.is_in([d["id"] for d in definitions])
        & BadgeAward.member.is_in(list(member_ids)) & BadgeAward.revoked_at.is_null()
        & (BadgeAward.expires_at.is_null() | (BadgeAward.expires_at > now)))
    return {r["member"] for r in rows}


async def experts_of(community_id: int, category: str, now: datetime,
                     limit: int = 200) -> list[int]:
    """Members holding an active expert certification for ``category`` (lowest ids first, at
    most ``limit``): badges' nominees for a need's candidates."""
    if not category:
        return []
    definitions = await BadgeDefinition.select(BadgeDefinition.id).where(
        (BadgeDefinition.community == community_id) & (BadgeDefinition.kind == "expert")
        & (BadgeDefinition.category == category))
    if not definitions:
        return []
    rows = await BadgeAward.select(BadgeAward.member).where(
        (BadgeAward.community == community_id)
        & BadgeAward.definition.is_in([d["id"] for d in definitions])
        & BadgeAward.revoked_at.is_null()
        & (BadgeAward.expires_at.is_null() | (BadgeAward.expires_at > now))
    ).order_by(BadgeAward.member).limit(limit)
    return [r["member"] for r in rows]


async def profile(community: dict, member_id: int) -> dict[str, Any]:
    """A member's public badge profile: active badges, households helped, hours given."""
    member = await get_member(community, member_id, "memberId")
    hours = await member_hours(member["id"])
    return {
        "member": member,
        "awards": await list_awards(community, member_id=member["id"], active_only=True,
                                    limit=1000),
        "households_helped": hours["people_helped"],
        "minutes_given": hours["minutes_given"],
        "needs_helped": hours["needs_helped"],
    }

