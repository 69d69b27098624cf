"""The badges plugin: its spec and hook implementations (the entry-point module).

Hooks: settings, Piccolo app, GraphQL, CLI, routes (public Open Badges URLs), jobs (the
quarterly mutual-aid stars, expiry notes), its own hookspec (``yizhan_badges_upheld_disputes``),
``yizhan_plugin_enabled`` (signing key and default badges), ``yizhan_nominate_candidates``
and ``yizhan_rank_candidates`` (certified experts first).
"""

from __future__ import annotations

from yizhan.core.api import EventContext, Job, PluginSpec, hookimpl
from yizhan.plugins.badges import NAME

PLUGIN = PluginSpec(
    name=NAME,
    version="0.1.0",
    description="Expert certification as signed Open Badges 3.0 credentials, priority "
                "matching for certified experts, and the quarterly mutual-aid stars.",
    # Pays the stars' credit prizes through the credits service where credits is on.
    works_with=("credits",),
)


@hookimpl
def yizhan_register_hookspecs(pm):
    """Add ``yizhan_badges_upheld_disputes`` (a disputes plugin reports upheld disputes)."""
    from yizhan.plugins.badges import hookspecs

    pm.add_hookspecs(hookspecs)


@hookimpl
def yizhan_register_settings():
    """The per-community settings model."""
    from yizhan.plugins.badges.settings import BadgesSettings

    return BadgesSettings


@hookimpl
def yizhan_register_piccolo_app():
    """Tables and migrations."""
    return "yizhan.plugins.badges.piccolo_app"


@hookimpl
def yizhan_register_graphql():
    """Badge queries and mutations."""
    from yizhan.plugins.badges.schema import contribution

    return contribution()


@hookimpl
def yizhan_register_commands(app):
    """``yizhan badges define|list|award|revoke|stars``."""
    from yizhan.plugins.badges.cli import badges_app

    app.add_typer(badges_app, name="badges")


@hookimpl
def yizhan_register_routes():
    """Public Open Badges URLs under ``/badges/``."""
    from yizhan.plugins.badges.routes import ROUTES

    return ROUTES


@hookimpl
def yizhan_register_jobs():
    """The quarterly mutual-aid star sweep (hourly check) and expiry notes."""
    from yizhan.plugins.badges import service, stars

    return [
        Job("badges.stars", 3600, stars.sweep),
        Job("badges.expiry", 3600, service.note_expired),
    ]


@hookimpl
async def yizhan_plugin_enabled(ctx: EventContext, plugin: str) -> None:
    """On first enabling: make the community's signing key and its default badges."""
    if plugin != PLUGIN.name:
        return
    from yizhan.plugins.badges import keys, service

    await keys.ensure_key(ctx.community_id)
    await service.seed_defaults(ctx.community)


@hookimpl
async def yizhan_nominate_candidates(ctx: EventContext, need: dict) -> list[int]:
    """Certified experts in the need's category are always scored, however large the
    community."""
    from yizhan.plugins.badges import matching

    return await matching.experts_of(ctx.community_id, need["category"], ctx.now)


@hookimpl
async def yizhan_rank_candidates(ctx: EventContext, need: dict, candidates: list) -> None:
    """Certified experts in the need's category come first (``expert_boost`` points, more than
    core ever gives); an expired or revoked certification no longer counts."""
    from yizhan.plugins.badges import service

    experts = await service.certified_experts(
        ctx.community_id, need["category"], [c.member["id"] for c in candidates], ctx.now)
    if experts:  # a certification flagged after an upheld dispute waits for a re-check
        from yizhan.plugins.badges import disputes

        experts -= await disputes.under_recheck(ctx.community_id, experts, need["category"])
    if not experts:
        return
    boost = ctx.settings(PLUGIN.name).expert_boost
    for candidate in candidates:
        if candidate.member["id"] in experts:
            candidate.add(boost, "certified_expert")


@hookimpl
async def yizhan_dispute_decided(ctx: EventContext, dispute: dict, outcome: str) -> None:
    """An upheld dispute flags the helper's certification for re-check (disputes' hook)."""
    from yizhan.plugins.badges import disputes

    await disputes.on_dispute_decided(ctx, dispute, outcome)


@hookimpl
def yizhan_register_indicators():
    """The badges plugin's indicators (see docs/indicators.md)."""
    from yizhan.plugins.badges.indicators import INDICATORS

    return INDICATORS
