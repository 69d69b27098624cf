"""The governance plugin: its spec and hook implementations (the entry-point module).

Hooks: settings, Piccolo app, GraphQL, CLI (``yizhan governance requests|grids|grants …``),
routes (Open311 GeoReport v2 under ``/governance/<community>/open311/v2/``), indicators,
deadlines (reminders, escalation, automatic close) and the demo's data.
"""

from __future__ import annotations

from yizhan.core.api import PluginSpec, hookimpl
from yizhan.plugins.governance import NAME

PLUGIN = PluginSpec(
    name=NAME,
    version="0.1.0",
    description="Residents' requests triaged red/yellow/blue and answered within 48 h / 5 "
                "days / 15 days by grid teams, public on-time figures, Open311, and the "
                "micro-grant fund.",
)


@hookimpl
def yizhan_register_settings():
    """Categories, hours per urgency, reminders, closing and reopening, team roles."""
    from yizhan.plugins.governance.settings import GovernanceSettings

    return GovernanceSettings


@hookimpl
def yizhan_register_piccolo_app():
    """Grids, teams, requests and their timeline, rounds, proposals, reviews."""
    return "yizhan.plugins.governance.piccolo_app"


@hookimpl
def yizhan_register_graphql():
    """Requests, grids and teams, public figures, micro-grants."""
    from yizhan.plugins.governance.schema import contribution

    return contribution()


@hookimpl
def yizhan_register_commands(app):
    """``yizhan governance requests|grids|grants|figures …``."""
    from yizhan.plugins.governance.cli import governance_app

    app.add_typer(governance_app, name="governance")


@hookimpl
def yizhan_register_routes():
    """Open311 GeoReport v2 (JSON): services, requests (list, submit), one request, tokens."""
    from yizhan.plugins.governance.open311 import ROUTES

    return ROUTES


@hookimpl
def yizhan_register_indicators():
    """Requests submitted, answered on time, median time to answer, satisfaction, grants."""
    from yizhan.plugins.governance.figures import INDICATORS

    return INDICATORS


@hookimpl
async def yizhan_deadline_due(ctx, deadline):
    """A request's reminder (to its handlers), its deadline (escalated to the admins, the
    breach recorded) or its automatic close after an answer."""
    from yizhan.plugins.governance import requests

    await requests.deadline_due(ctx, deadline)


@hookimpl
async def yizhan_member_left(ctx, member, removed_by):
    """A member who left (or was removed) leaves its teams and review panels; their open
    requests go back to the grid team."""
    from yizhan.plugins.governance.grids import member_left

    await member_left(ctx.community, member)


@hookimpl
async def yizhan_seed_demo(ctx, members):
    """Grids with teams, requests of each colour, the 2026 micro-grant round."""
    from yizhan.plugins.governance.demo import seed_demo

    await seed_demo(ctx.community, members)
