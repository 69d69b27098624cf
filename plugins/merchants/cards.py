"""Experience cards at the till: the stand's paper cards are "redeemable directly for eggs at
the supermarket".

The shop's staff type the card's code (or scan its QR code); the card's credits move from the
community's voucher reserve to the shop's account through the credits service, in one database
transaction with the record here. The card's holder needs no account and shows nothing else.
A card is redeemable once in all — at a till or by a member into their own account — whoever
claims it first wins; the other is refused (VOUCHER_ALREADY_REDEEMED) and nothing changes.
Wrong codes count against the staff member, as with residents' codes.
"""

from __future__ import annotations

from yizhan.core.api import forbidden, format_centi, now, publish, require_person
from yizhan.plugins.credits import service as credits
from yizhan.plugins.merchants import shops
from yizhan.plugins.merchants.settings import fen
from yizhan.plugins.merchants.tables import CardRedemption


async def redeem(community: dict, staff: dict, merchant_id: int, text: str) -> dict:
    """Take a card at the shop's till (its staff only; the shop must be open). Returns the
    ``yz_merchant_card_redemption`` row with ``card`` (the code) and ``tx_seq``."""
    require_person(staff)
    shop = await shops.get(community, merchant_id)
    if not await shops.is_staff(merchant_id, staff["id"]):
        raise forbidden("Only staff of this shop can take its redemptions.")
    moment = now()
    shops.check_open(community, shop, moment)
    rate = fen(shops.settings_of(community).yuan_per_credit)
    made: dict = {}

    async def record(voucher: dict, posted: credits.Posted) -> None:
        amount = voucher["amount_centi"]
        made.update((await CardRedemption.insert(CardRedemption(
            community=community["id"], merchant=merchant_id, staff=staff["id"],
            voucher=voucher["id"], credits_centi=amount, value_fen=amount * rate // 100,
            fen_per_credit=rate, tx=posted.transaction["id"], created_at=moment,
        )).returning(*CardRedemption.all_columns()))[0])
        await shops.event(community["id"], merchant_id, "card_redeemed", staff,
                          format_centi(amount))
        await publish(community["id"], "merchants.card_redemption", {
            "redemption": made["id"], "merchant": merchant_id, "credits_centi": amount})

    voucher, posted = await credits.redeem_card_into(
        community, text, shop["account_code"], actor=staff,
        redeemed_for=f"merchant:{merchant_id}", then=record)
    return {**made, "card": voucher["code"], "tx_seq": posted.transaction.get("seq")}


async def of_merchant(merchant_id: int, start, end) -> list[dict]:
    """Cards a shop took in ``[start, end)``, oldest first."""
    return await CardRedemption.select().where(
        (CardRedemption.merchant == merchant_id) & (CardRedemption.created_at >= start)
        & (CardRedemption.created_at < end)).order_by(CardRedemption.id)


async def find(redemption_id: int) -> dict | None:
    """A card redemption by id in any community, with ``card`` and ``tx_seq`` as
    :func:`redeem` gives them (the GraphQL layer checks the switch and who asks)."""
    row = await CardRedemption.select().where(CardRedemption.id == redemption_id).first()
    if row is None:
        return None
    row["card"], row["tx_seq"] = await credits.card_and_seq(row["voucher"], row["tx"])
    return row
