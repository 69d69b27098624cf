"""The merchants plugin: its spec and hook implementations (the entry-point module).

Hooks: settings, Piccolo app, GraphQL, CLI (``yizhan merchants …``) and one job (the monthly
board sweep). It requires the credits plugin: every credit moves through the credits service.
"""

from __future__ import annotations

from yizhan.core.api import Job, PluginSpec, hookimpl
from yizhan.plugins.merchants import NAME

PLUGIN = PluginSpec(
    name=NAME,
    version="0.1.0",
    description="Partner shops that take time credits: rules, one-time redemption codes, "
                "ratings, the monthly board, the guaranteed volume and settlement statements.",
    requires=("credits",),
)


@hookimpl
def yizhan_register_settings():
    """The per-community settings model."""
    from yizhan.plugins.merchants.settings import MerchantsSettings

    return MerchantsSettings


@hookimpl
def yizhan_register_piccolo_app():
    """Tables and migrations."""
    return "yizhan.plugins.merchants.piccolo_app"


@hookimpl
def yizhan_register_graphql():
    """Shops, rules, codes, redemptions, ratings, the board, statements, the profile."""
    from yizhan.plugins.merchants.schema import contribution
    from yizhan.plugins.merchants.schema.promises import extend

    return extend(contribution())


@hookimpl
def yizhan_register_commands(app):
    """``yizhan merchants add|list|staff|rules|suspend|reinstate|end|board|settle|profile``."""
    from yizhan.plugins.merchants.cli import merchants_app

    app.add_typer(merchants_app, name="merchants")


@hookimpl
def yizhan_register_jobs():
    """The monthly board: closes last month's board once, naming and suspending shops rated
    below the bar (hourly check; idempotent per community and month)."""
    from yizhan.plugins.merchants import board

    return [Job("merchants.monthly_board", 3600, board.sweep)]


@hookimpl
async def yizhan_seed_demo(ctx, members):
    """The demo's partner shops, staff, rules and two rated redemptions."""
    from yizhan.plugins.merchants.demo import seed_demo

    await seed_demo(ctx.community, members)


@hookimpl
async def yizhan_deadline_due(ctx, deadline):
    """A suspension the monthly board proposed was not reviewed in time: it applies."""
    if deadline.kind == "board_suspension":
        from yizhan.plugins.merchants import board

        await board.review_due(ctx.community, deadline.payload)


@hookimpl
def yizhan_register_indicators():
    """The merchants plugin's indicators (see docs/indicators.md)."""
    from yizhan.plugins.merchants.indicators import INDICATORS

    return INDICATORS
