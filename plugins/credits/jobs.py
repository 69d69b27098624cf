"""Housekeeping sweeps: holds left open by needs that closed while credits was off, and the
daily verification of every community's chain (its result shows on the rule board)."""

from __future__ import annotations

from datetime import datetime

from yizhan.core.api import (
    communities_with_plugin,
    get_community_by_id,
    get_need,
    plugin_enabled,
)
from yizhan.plugins.credits import NAME, ledger, verify
from yizhan.plugins.credits.tables import CreditAccount, CreditHold

LIVE = ("accepted", "done")


async def release_stale_holds(now: datetime) -> int:
    """Release open holds whose need is no longer accepted or done (it was withdrawn,
    cancelled or confirmed while credits was switched off in its community)."""
    rows = await CreditHold.select().where(
        (CreditHold.status == "open") & (CreditHold.source_kind == "need")
    ).order_by(CreditHold.id).limit(1000)
    released = 0
    for held in rows:
        if not plugin_enabled(held["community"], NAME):
            continue
        community = await get_community_by_id(held["community"])
        try:
            need = await get_need(community, int(held["source_id"]))
        except Exception:  # noqa: BLE001 - the need is gone: nothing can pay any more
            need = None
        payee = await CreditAccount.select(CreditAccount.member).where(
            CreditAccount.id == held["payee"]).first()
        if need is None or need["status"] not in LIVE or need["helper"] != payee["member"]:
            released += await ledger.release(community, held)
    return released


async def verify_chains(now: datetime) -> int:
    """Verify the chain of every community where credits is on; record each result."""
    count = 0
    for community in await communities_with_plugin(NAME):
        await verify.verify(community["id"])
        count += 1
    return count
