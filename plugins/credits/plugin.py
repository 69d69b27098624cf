"""The credits plugin's spec and hook implementations (the ``yizhan`` entry-point module)."""

from __future__ import annotations

from yizhan.core.api import GraphQLContribution, Job, PluginSpec, before_commit, hookimpl
from yizhan.plugins.credits import NAME

PLUGIN = PluginSpec(
    name=NAME,
    version="0.1.0",
    description="Time credits: an exact double-entry ledger with a public hash chain, holds, "
                "vouchers, expiry and the leader pool.",
)


@hookimpl
def yizhan_register_hookspecs(pm):
    """Add the credits hooks (a transaction posted; veto a payment)."""
    from yizhan.plugins.credits import hookspecs

    pm.add_hookspecs(hookspecs)


@hookimpl
def yizhan_register_piccolo_app():
    """The credits tables and migrations."""
    return "yizhan.plugins.credits.piccolo_app"


@hookimpl
def yizhan_register_settings():
    """The per-community credit rules."""
    from yizhan.plugins.credits.settings import CreditsSettings

    return CreditsSettings


@hookimpl
async def yizhan_plugin_enabled(ctx, plugin):
    """Credits switched on: open the community's system accounts and its chain."""
    if plugin != NAME:
        return
    from yizhan.plugins.credits import accounts, ledger

    await accounts.open_system_accounts(ctx.community_id)
    await ledger.lock_head(ctx.community_id)


@hookimpl
async def yizhan_need_posted(ctx, need):
    """Refuse a need its requester cannot pay for (when the requester pays)."""
    from yizhan.plugins.credits import payments

    await payments.check_affordable(ctx, need)


@hookimpl
async def yizhan_need_accepted(ctx, need):
    """Hold the need's credits, or refuse the acceptance past a limit."""
    from yizhan.plugins.credits import payments

    await payments.on_accepted(ctx, need)


@hookimpl
async def yizhan_need_withdrawn(ctx, need, helper):
    """Release the hold of a need whose helper withdrew."""
    from yizhan.plugins.credits import payments

    await payments.on_released(ctx, need)


@hookimpl
async def yizhan_need_cancelled(ctx, need, previous_status):
    """Release the hold of a cancelled need."""
    from yizhan.plugins.credits import payments

    await payments.on_released(ctx, need)


@hookimpl
async def yizhan_need_confirmed(ctx, need):
    """Pay the helper (capturing the hold) inside the confirmation's transaction."""
    from yizhan.plugins.credits import payments

    await payments.on_confirmed(ctx, need)


@hookimpl
def yizhan_register_graphql():
    """Balances, statements, totals, verification, proofs, the rule board, vouchers."""
    from yizhan.plugins.credits.schema import TYPES, CreditsMutation, CreditsQuery

    return GraphQLContribution(query=CreditsQuery, mutation=CreditsMutation, types=TYPES)


@hookimpl
def yizhan_register_jobs():
    """Sweeps: expire cards and credits, warn before expiry, split the leader pool, release
    holds of needs that closed while credits was off, verify every chain daily, publish
    each chain's head once a day (when it moved)."""
    from yizhan.plugins.credits import anchors, expiry, jobs, pool, vouchers

    return [
        Job("credits.expire_vouchers", 300, vouchers.expire_due),
        Job("credits.expire_credits", 600, expiry.expire_due),
        Job("credits.expiry_notices", 3600, expiry.notify_due),
        Job("credits.leader_pool", 3600, pool.split_due),
        Job("credits.release_stale_holds", 600, jobs.release_stale_holds),
        Job("credits.verify_chains", 24 * 3600, jobs.verify_chains),
        Job("credits.publish_heads", 3600, anchors.publish_due),
    ]


@hookimpl
def yizhan_register_commands(app):
    """``yizhan ledger …`` and ``yizhan vouchers …``."""
    from yizhan.plugins.credits.cli import ledger_app, vouchers_app

    app.add_typer(ledger_app, name="ledger")
    app.add_typer(vouchers_app, name="vouchers")


@hookimpl(trylast=True)
async def yizhan_seed_demo(ctx, members):
    """The demo's ledger: publish the chain head once every plugin added its demo data (the
    notice board shows the checkpoint that ``yizhan ledger verify`` checks). The demo's
    transactions get their place in the chain just before its transaction commits, so the head
    is published then, after them."""
    from yizhan.plugins.credits import anchors

    community = ctx.community
    before_commit(lambda: anchors.publish_head(community))


@hookimpl
def yizhan_register_indicators():
    """The credits plugin's indicators (see docs/indicators.md)."""
    from yizhan.plugins.credits.indicators import INDICATORS

    return INDICATORS


@hookimpl
def yizhan_register_exports():
    """``yizhan export ledger``: the community's transactions with their postings."""
    from yizhan.plugins.credits.export import export_ledger

    return {"ledger": export_ledger}
