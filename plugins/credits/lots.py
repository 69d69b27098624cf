"""Lots: earned credits that expire, tracked only while a community's expiry is on.

A member's positive balance is made of lots (credits earned while expiry was on, each with its
expiry time) and an untracked rest (credits from before). Credits coming in first pay off a
negative balance; what makes the balance grow above zero becomes a new lot. Spending takes the
oldest credits first: the untracked rest, then lots by expiry time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from yizhan.plugins.credits.settings import CreditsSettings
from yizhan.plugins.credits.tables import CreditLot


def expires_at(earned: datetime, settings: CreditsSettings, time_zone: str) -> datetime | None:
    """When credits earned at ``earned`` expire under ``settings`` (None: never)."""
    if settings.expiry == "days":
        return earned + timedelta(days=settings.expiry_days)
    if settings.expiry == "end_of_year":
        tz = ZoneInfo(time_zone)
        year = earned.astimezone(tz).year + settings.expiry_year_offset + 1
        return datetime(year, 1, 1, tzinfo=tz)
    return None


async def open_lots(account_id: int) -> list[dict]:
    """The account's lots with credits left, oldest expiry first."""
    return await CreditLot.select().where(
        (CreditLot.account == account_id) & (CreditLot.remaining_centi > 0)
    ).order_by(CreditLot.expires_at, CreditLot.id)


async def after_posting(community: dict, account: dict, old_balance: int, new_balance: int,
                        tx: dict, now: datetime, settings: CreditsSettings,
                        prefer_lot: int | None = None) -> None:
    """Keep a member's lots in step with a posting that moved their balance."""
    if settings.expiry == "never" and prefer_lot is None:
        return
    old_pos, new_pos = max(0, old_balance), max(0, new_balance)
    if new_pos > old_pos:
        when = expires_at(now, settings, community["time_zone"])
        if when is not None:
            await CreditLot.insert(CreditLot(
                community=community["id"], account=account["id"], tx=tx["id"],
                amount_centi=new_pos - old_pos, remaining_centi=new_pos - old_pos,
                earned_at=now, expires_at=when))
        return
    spend = old_pos - new_pos
    if spend <= 0:
        return
    found = await open_lots(account["id"])
    if prefer_lot is not None:
        found.sort(key=lambda lot: lot["id"] != prefer_lot)
    else:
        untracked = max(0, old_pos - sum(lot["remaining_centi"] for lot in found))
        spend -= min(spend, untracked)
    for lot in found:
        if spend <= 0:
            break
        take = min(spend, lot["remaining_centi"])
        await CreditLot.update({CreditLot.remaining_centi: CreditLot.remaining_centi - take}).where(
            CreditLot.id == lot["id"])
        spend -= take
