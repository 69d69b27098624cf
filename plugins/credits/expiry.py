"""Expiry sweeps: move expired lots to the expired-credits account (ordinary transactions) and
tell members a set number of days before their credits expire."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from yizhan.core.api import atomic, format_centi, get_community_by_id, notify, plugin_enabled
from yizhan.plugins.credits import NAME, accounts, ledger
from yizhan.plugins.credits.accounts import EXPIRED
from yizhan.plugins.credits.ledger import Line
from yizhan.plugins.credits.tables import CreditAccount, CreditLot

BATCH = 500


def _on(community_id: int) -> bool:
    return (plugin_enabled(community_id, NAME)
            and ledger.settings_of(community_id).expiry != "never")


async def expire_due(now: datetime) -> int:
    """Sweep: each lot past its time moves what is left of it (at most what the member has
    beyond their holds) to the expired-credits account. Idempotent: one transaction per lot,
    keyed by the lot and the amount left."""
    due = await CreditLot.select().where(
        (CreditLot.remaining_centi > 0) & (CreditLot.expires_at <= now)
    ).order_by(CreditLot.expires_at, CreditLot.id).limit(BATCH)
    count = 0
    communities: dict[int, dict] = {}
    for lot in due:
        if not _on(lot["community"]):
            continue
        community = communities.get(lot["community"]) or await get_community_by_id(
            lot["community"])
        communities[lot["community"]] = community
        if await _expire_lot(community, lot):
            count += 1
    return count


async def _expire_lot(community: dict, lot: dict) -> bool:
    async with atomic():
        account = await ledger.lock_account(lot["account"])
        fresh = await CreditLot.select().where(CreditLot.id == lot["id"]).first()
        amount = min(fresh["remaining_centi"],
                     max(0, account["balance_centi"] - account["held_centi"]))
        if amount <= 0:
            return False
        target = await accounts.builtin(community["id"], EXPIRED)
        await ledger.post(community, [Line(account, -amount, checked=False),
                                      Line(target, amount, checked=False)],
                          kind="expiry", reason="Credits expired",
                          reason_msgid="Credits expired",
                          key=f"expiry:lot:{lot['id']}:{fresh['remaining_centi']}",
                          source_kind="lot", source_id=lot["id"], expiring_lot=lot["id"])
    return True


async def notify_due(now: datetime) -> int:
    """Sweep: tell each member once about lots expiring within ``expiry_notice_days``."""
    rows = await CreditLot.select().where(
        (CreditLot.remaining_centi > 0) & CreditLot.notified_at.is_null()
        & (CreditLot.expires_at > now)
        & (CreditLot.expires_at <= now + timedelta(days=365))
    ).order_by(CreditLot.expires_at).limit(BATCH * 4)
    grouped: dict[int, list[dict]] = {}
    for lot in rows:
        if not _on(lot["community"]):
            continue
        days = ledger.settings_of(lot["community"]).expiry_notice_days
        if days and lot["expires_at"] <= now + timedelta(days=days):
            grouped.setdefault(lot["account"], []).append(lot)
    sent = 0
    for account_id, found in grouped.items():
        community = await get_community_by_id(found[0]["community"])
        account = await CreditAccount.select().where(CreditAccount.id == account_id).first()
        async with atomic():
            marked = await CreditLot.update({CreditLot.notified_at: now}).where(
                CreditLot.id.is_in([lot["id"] for lot in found])
                & CreditLot.notified_at.is_null()).returning(CreditLot.remaining_centi)
            if not marked:
                continue
            first = min(lot["expires_at"] for lot in found)
            local = first.astimezone(ZoneInfo(community["time_zone"]))
            amount = format_centi(sum(r["remaining_centi"] for r in marked))
            if (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0):
                await notify(community["id"], account["member"], "credits.expiring",
                             "Credits expiring soon",
                             "{amount} of your credits expire at the end of {date}. Use them "
                             "for help or at a partner shop before then.", amount=amount,
                             date=(local - timedelta(days=1)).date().isoformat())
            else:  # the real local time, not "end of day" for 18:16
                await notify(community["id"], account["member"], "credits.expiring",
                             "Credits expiring soon",
                             "{amount} of your credits expire on {date} at {time}. Use them "
                             "for help or at a partner shop before then.", amount=amount,
                             date=local.date().isoformat(), time=local.strftime("%H:%M"))
            sent += 1
    return sent
