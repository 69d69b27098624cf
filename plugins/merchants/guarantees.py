"""Settling a shop's guaranteed volume: the top-up the statement computes, recorded as paid.

The first month's guarantee (:func:`yizhan.plugins.merchants.settlement.guarantee_for`) says how
much the community owes a shop whose redemptions fell short. An admin who paid it marks it
paid: a row of ``yz_merchant_guarantee_payment`` with the yuan paid, what they stand for in
credits at the rate of the day, who confirmed it and when — once per shop and month
(GUARANTEE_ALREADY_PAID), and only for a top-up that is due (NO_TOP_UP_DUE). The statement
then shows it settled.
"""

from __future__ import annotations

from yizhan.core.api import YizhanError, atomic, now, publish, require_admin, validate_text
from yizhan.plugins.merchants import months, settlement, shops
from yizhan.plugins.merchants.money import format_fen
from yizhan.plugins.merchants.settings import fen
from yizhan.plugins.merchants.tables import GuaranteePayment


async def payment_of(merchant_id: int, month: str) -> dict | None:
    """The recorded top-up payment of a shop's month, if any."""
    return await GuaranteePayment.select().where(
        (GuaranteePayment.merchant == merchant_id) & (GuaranteePayment.month == month)).first()


async def mark_paid(community: dict, actor: dict | None, merchant_id: int, month: str, *,
                    note: str = "") -> dict:
    """Record that the community paid the guaranteed-volume top-up that the statement of
    ``month`` shows as due (admins; ``actor`` None: the CLI)."""
    if actor is not None:
        require_admin(actor)
    note = validate_text(note, "note", max_length=500, required=False)
    period = months.parse(month, community["time_zone"])
    async with atomic():
        await shops.lock(merchant_id)
        shop = await shops.get(community, merchant_id)
        if await payment_of(merchant_id, period.label) is not None:
            raise YizhanError("GUARANTEE_ALREADY_PAID",
                              "The guarantee top-up of {name} for {month} was already marked "
                              "paid.", field="month", name=shop["name"], month=period.label)
        guarantee = await settlement.guarantee_for(community, shop, period)
        if not guarantee.top_up_fen:
            raise YizhanError("NO_TOP_UP_DUE",
                              "No guarantee top-up is due to {name} for {month}.",
                              field="month", name=shop["name"], month=period.label)
        rate = fen(shops.settings_of(community).yuan_per_credit)
        row = (await GuaranteePayment.insert(GuaranteePayment(
            community=community["id"], merchant=merchant_id, month=period.label,
            amount_fen=guarantee.top_up_fen,
            credits_centi=guarantee.top_up_fen * 100 // rate, fen_per_credit=rate, note=note,
            paid_by=actor["id"] if actor else None, paid_at=now(),
        )).returning(*GuaranteePayment.all_columns()))[0]
        await shops.event(community["id"], merchant_id, "guarantee_paid", actor,
                          f"{period.label}: {format_fen(guarantee.top_up_fen)}")
        await publish(community["id"], "merchants.guarantee_paid", {
            "merchant": merchant_id, "month": period.label,
            "amount_fen": guarantee.top_up_fen})
    return row
