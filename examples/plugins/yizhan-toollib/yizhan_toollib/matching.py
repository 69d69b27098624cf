"""Ranking helpers: owning the right tool makes a neighbour a better candidate for a need."""

from __future__ import annotations

from yizhan_toollib import service
from yizhan_toollib.tables import Tool

REASON = "has_tool"


async def rank(ctx, need: dict, candidates: list) -> None:
    """Add ``tool_owner_boost`` to candidates who lend a listed tool the need calls for."""
    config = service.settings(ctx.community)
    if not config.tool_owner_boost or not candidates:
        return
    wanted = {need["category"], *config.tools_for_needs.get(need["category"], [])}
    owners = {row["owner"] for row in await Tool.select(Tool.owner).where(
        (Tool.community == ctx.community_id) & (Tool.listed == True)  # noqa: E712
        & Tool.category.is_in(sorted(wanted)))}
    for candidate in candidates:
        if candidate.member["id"] in owners:
            candidate.add(config.tool_owner_boost, REASON)
