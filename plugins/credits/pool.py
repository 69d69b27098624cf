"""The leader pool: each month a set amount is split among building leaders in proportion to
their building's confirmed needs that month.

The split uses the largest-remainder method twice (among buildings, then among a building's
leaders), so the shares are whole hundredths that add up exactly to the amount: nothing is
created or lost by rounding. One run per community and month (a unique row and the idempotency
key ``leader-pool:YYYY-MM``), so the sweep may run any number of times.
"""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from yizhan.core.api import (
    atomic,
    communities_with_plugin,
    list_members,
)
from yizhan.core.api import now as _now
from yizhan.plugins.credits import NAME, accounts, ledger
from yizhan.plugins.credits.accounts import LEADER_POOL
from yizhan.plugins.credits.ledger import Line
from yizhan.plugins.credits.settings import centi
from yizhan.plugins.credits.tables import CreditConfirmedNeed, CreditPoolRun


def largest_remainder(total: int, weights: dict[int, int]) -> dict[int, int]:
    """Split ``total`` (whole units) in proportion to positive ``weights``; the parts sum to
    ``total`` exactly. Ties in the remainders go to the smaller key."""
    weight_sum = sum(weights.values())
    if total <= 0 or weight_sum <= 0:
        return dict.fromkeys(weights, 0)
    shares = {k: total * w // weight_sum for k, w in weights.items()}
    left = total - sum(shares.values())
    order = sorted(weights, key=lambda k: (-(total * weights[k] % weight_sum), k))
    for key in order[:left]:
        shares[key] += 1
    return shares


def previous_month(now: datetime, time_zone: str) -> str:
    """``YYYY-MM`` of the month before ``now`` in the community's time zone."""
    local = now.astimezone(ZoneInfo(time_zone))
    year, month = (local.year, local.month - 1) if local.month > 1 else (local.year - 1, 12)
    return f"{year:04d}-{month:02d}"


async def _leaders(community: dict, with_deputies: bool) -> dict[int, list[int]]:
    roles = ("building_leader", "deputy_leader") if with_deputies else ("building_leader",)
    out: dict[int, list[int]] = {}
    for role in roles:
        for member in await list_members(community, status="verified", role=role, limit=10_000):
            if member["building"] is not None:
                out.setdefault(member["building"], []).append(member["id"])
    return {b: sorted(ids) for b, ids in out.items()}


async def split_month(community: dict, month: str) -> dict:
    """Split the leader pool for ``month`` (``YYYY-MM``) once; returns the run's details."""
    community_id = community["id"]
    settings = ledger.settings_of(community_id)
    async with atomic():
        pool = await accounts.builtin(community_id, LEADER_POOL)
        pool = await ledger.lock_account(pool["id"])  # one split at a time
        done = await CreditPoolRun.select().where(
            (CreditPoolRun.community == community_id) & (CreditPoolRun.month == month)).first()
        if done is not None:
            return json.loads(done["details"])
        rows = await CreditConfirmedNeed.select(CreditConfirmedNeed.building).where(
            (CreditConfirmedNeed.community == community_id) & (CreditConfirmedNeed.month == month))
        per_building: dict[int, int] = {}
        for row in rows:
            if row["building"] is not None:
                per_building[row["building"]] = per_building.get(row["building"], 0) + 1
        leaders = await _leaders(community, settings.leader_pool_deputies)
        weights = {b: n for b, n in per_building.items() if leaders.get(b)}
        amount = min(centi(settings.leader_pool_monthly), max(0, pool["balance_centi"]
                                                              - pool["held_centi"]))
        shares: dict[int, int] = {}
        for building, part in largest_remainder(amount, weights).items():
            for member_id, share in largest_remainder(
                    part, dict.fromkeys(leaders[building], 1)).items():
                if share:
                    shares[member_id] = share
        tx_id = None
        paid = sum(shares.values())
        if paid:
            lines = [Line(pool, -paid)]
            for member_id, share in sorted(shares.items()):
                lines.append(Line(await accounts.member_account(community_id, member_id), share))
            posted = await ledger.post(community, lines, kind="leader_pool",
                                       reason=f"Leader pool {month}", key=f"leader-pool:{month}",
                                       source_kind="month", source_id=month,
                                       reason_msgid="Leader pool {month}",
                                       reason_params={"month": month})
            tx_id = posted.transaction["id"]
        details = {"month": month, "needs": {str(b): n for b, n in sorted(per_building.items())},
                   "shares": {str(m): s for m, s in sorted(shares.items())}, "paid": paid}
        await CreditPoolRun.insert(CreditPoolRun(
            community=community_id, month=month, amount_centi=paid, tx=tx_id,
            details=json.dumps(details), created_at=_now()))
    return details


async def split_due(now: datetime) -> int:
    """Sweep: split last month's pool in every community where it is set (idempotent)."""
    count = 0
    for community in await communities_with_plugin(NAME):
        if ledger.settings_of(community["id"]).leader_pool_monthly <= 0:
            continue
        month = previous_month(now, community["time_zone"])
        if await CreditPoolRun.exists().where(
                (CreditPoolRun.community == community["id"]) & (CreditPoolRun.month == month)):
            continue
        await split_month(community, month)
        count += 1
    return count
