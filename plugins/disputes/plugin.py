"""The disputes plugin: its spec and hook implementations (the entry-point module).

Hooks: settings, Piccolo app, GraphQL, CLI (``yizhan disputes …``), its own hookspec
(``yizhan_dispute_decided``), deadlines (the decision's deadline, reminders, escalation),
the hold on confirmation (``yizhan_veto`` and the confirmation event), indicators, badges'
``yizhan_badges_upheld_disputes`` and the demo. Works with credits (compensation) and badges;
requires neither.
"""

from __future__ import annotations

from yizhan.core.api import EventContext, PluginSpec, Veto, hookimpl
from yizhan.plugins.disputes import NAME

PLUGIN = PluginSpec(
    name=NAME,
    version="0.1.0",
    description="Service problems decided within 24 hours — redo or compensate — with a "
                "mediator, a timeline, a default outcome at the deadline and a public notice.",
    works_with=("credits", "badges"),
)

HELD_ACTIONS = ("need.confirm", "need.auto_confirm")


@hookimpl
def yizhan_register_hookspecs(pm):
    """Add ``yizhan_dispute_decided``."""
    from yizhan.plugins.disputes import hookspecs

    pm.add_hookspecs(hookspecs)


@hookimpl
def yizhan_register_settings():
    """The per-community settings model."""
    from yizhan.plugins.disputes.settings import DisputesSettings

    return DisputesSettings


@hookimpl
def yizhan_register_piccolo_app():
    """Tables and migrations."""
    return "yizhan.plugins.disputes.piccolo_app"


@hookimpl
def yizhan_register_graphql():
    """Open, answer, reassign, decide, overturn; lists, one dispute, the public promise."""
    from yizhan.plugins.disputes.schema import contribution

    return contribution()


@hookimpl
def yizhan_register_commands(app):
    """``yizhan disputes list|show|decide|overturn``."""
    from yizhan.plugins.disputes.cli import disputes_app

    app.add_typer(disputes_app, name="disputes")


@hookimpl
def yizhan_register_indicators():
    """Decided within the deadline (share), median hours to decide, disputes opened."""
    from yizhan.plugins.disputes.indicators import INDICATORS

    return INDICATORS


@hookimpl
def yizhan_veto(ctx: EventContext, action: str, subject: dict):
    """Hold a need an open dispute is about: no confirmation, manual or automatic."""
    if action in HELD_ACTIONS and subject.get("id") is not None:
        from yizhan.plugins.disputes import service

        if service.is_held(ctx.community_id, subject["id"]):
            error = service.held_error()
            return Veto(error.code, error.message)
    return None


@hookimpl
def yizhan_plugin_enabled(ctx: EventContext, plugin: str) -> None:
    """Switched on in a community: start from what the database says about held needs."""
    if plugin == PLUGIN.name:
        from yizhan.plugins.disputes import service

        service.forget_held(ctx.community_id)


@hookimpl
async def yizhan_need_confirmed(ctx: EventContext, need: dict) -> None:
    """The authoritative hold (a dispute opened by another process): refuse the confirmation,
    rolling it back; and pay a redo from the fund where that is the setting."""
    from yizhan.plugins.disputes import service

    await service.refuse_confirmation_if_held(ctx, need)
    await service.pay_redo_on_confirmation(ctx, need)


@hookimpl
async def yizhan_member_left(ctx: EventContext, member: dict, removed_by) -> None:
    """A mediator who leaves hands their open disputes to the next mediator."""
    from yizhan.plugins.disputes import service

    await service.mediator_left(ctx.community, member)


@hookimpl
async def yizhan_member_role_changed(ctx: EventContext, member: dict, previous_role) -> None:
    """A mediator who is no longer a leader or admin hands their open disputes on."""
    if member["role"] not in ("building_leader", "deputy_leader", "admin"):
        from yizhan.plugins.disputes import service

        await service.mediator_left(ctx.community, member)


@hookimpl
async def yizhan_deadline_due(ctx: EventContext, deadline) -> None:
    """Reminders to the mediator, escalation to the admins, the default outcome."""
    from yizhan.plugins.disputes import service

    await service.deadline_due(ctx, deadline)


@hookimpl
async def yizhan_badges_upheld_disputes(ctx, member_ids, start, end):
    """Members with a dispute upheld against them in the period (for the mutual-aid stars)."""
    from yizhan.plugins.disputes import service

    return await service.upheld_against(ctx.community_id, member_ids, start, end)


@hookimpl
async def yizhan_seed_demo(ctx: EventContext, members: dict) -> None:
    """The repair that did not hold (decided with compensation) and one open dispute."""
    from yizhan.plugins.disputes.demo import seed_demo

    await seed_demo(ctx, members)
