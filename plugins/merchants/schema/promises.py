"""GraphQL for the promises of issue 10: the admins' review of a suspension the monthly board
proposes, experience cards taken at the till, and settling a shop's guaranteed volume.

Kept in a module of its own; :func:`extend` adds these roots to the schema's contribution.
"""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.tools import merge_types
from strawberry.types import Info

from yizhan.core.api import (
    Credits,
    GraphQLContribution,
    Node,
    UserError,
    format_centi,
    node_in_community,
    not_found,
    payload,
    pk_of,
    require_admin,
    to_gid,
)
from yizhan.plugins.merchants import NAME as PLUGIN
from yizhan.plugins.merchants import board, cards, guarantees, shops
from yizhan.plugins.merchants.money import format_fen
from yizhan.plugins.merchants.schema.common import _staff_or_admin
from yizhan.plugins.merchants.schema.types import Merchant
from yizhan.plugins.merchants.tables import CardRedemption as CardRedemptionTable


async def _shop(info: Info, gid: str, field: str = "merchantId") -> tuple[dict, dict]:
    row = await shops.find(pk_of(gid, "Merchant", field))
    if row is None:
        raise not_found("merchant", field)
    community = await info.context.loaders.community.load(row["community"])
    info.context.require_plugin(community, PLUGIN)
    return community, row


async def _admin(info: Info, community: dict) -> dict:
    return require_admin(await info.context.require_member(community))


@strawberry.type
class MerchantSuspensionReview:
    """A suspension the monthly board proposed, waiting for the admins: it applies at
    ``dueAt`` unless an admin overturns it first."""

    month: str = strawberry.field(description="The board's month (`2026-11`).")
    residents: int = strawberry.field(description="Distinct residents who rated the shop.")
    average_rating: str | None = strawberry.field(
        description="The average of each resident's latest rating that month.")
    due_at: datetime | None = strawberry.field(description="When it applies by itself.")
    merchant: Merchant = strawberry.field(description="The shop.")


@strawberry.input
class ReviewMerchantSuspensionInput:
    """Confirm (suspended now) or overturn (stays active) the suspension the monthly board
    proposed for a shop (admins)."""

    merchant_id: strawberry.ID
    """The shop the board proposed to suspend."""
    confirm: bool
    """True: suspend it now; false: overturn (it stays active)."""
    month: str | None = strawberry.field(default=None, description="The board's month "
                                         "(default: the latest pending).")
    note: str = ""
    """A remark (optional), kept in its history."""


@strawberry.type
class ReviewMerchantSuspensionPayload:
    """The shop after the review."""

    merchant: Merchant | None = None
    """The shop after the review (null when it failed)."""
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class MerchantCardRedemption(Node):
    """An experience card taken at a shop's till for goods (no account needed). Seen by the
    shop's staff and admins."""

    card: str = strawberry.field(description="The card's code.")
    credits: Credits = strawberry.field(description="The card's credits.")
    value: str = strawberry.field(description="What they are worth in yuan at the shop.")
    ledger_seq: int | None = strawberry.field(description="The payment's place in the chain.")
    created_at: datetime
    """When the card was taken."""

    @classmethod
    async def load_node(cls, info: Info, pk: int) -> MerchantCardRedemption | None:
        """For ``node(id:)``: the shop's staff and admins (as ``merchantRedemptions``)."""
        found = await node_in_community(info, CardRedemptionTable, pk, PLUGIN)
        if found is None:
            return None
        community, row = found
        await _staff_or_admin(info, community, row["merchant"])
        return card_redemption(await cards.find(pk))


@strawberry.input
class RedeemCardAtShopInput:
    """A card typed or scanned at the till (the shop's staff)."""

    merchant_id: strawberry.ID
    """The shop taking the card."""
    code: str = strawberry.field(description="The card's code as typed, or its QR payload.")


@strawberry.type
class RedeemCardAtShopPayload:
    """The card's redemption."""

    redemption: MerchantCardRedemption | None = None
    """The record of the card taken (null when it failed)."""
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class MerchantGuaranteePayment:
    """A shop's guaranteed-volume top-up for a month, settled."""

    month: str
    """The guarantee's month, `2026-11`."""
    amount: str = strawberry.field(description="Yuan the community paid.")
    credits: Credits = strawberry.field(description="What the yuan stand for in credits, at "
                                        "the rate of the day.")
    yuan_per_credit: str = strawberry.field(description="The rate used.")
    paid_at: datetime | None
    """When it was recorded as paid."""
    paid_by: strawberry.ID | None = strawberry.field(description="The admin who confirmed it "
                                                     "(null: the CLI).")
    note: str
    """The admin's remark (empty when none)."""


@strawberry.input
class MarkMerchantGuaranteePaidInput:
    """Record that the community paid a shop's guaranteed-volume top-up (admins)."""

    merchant_id: strawberry.ID
    """The shop."""
    month: str = strawberry.field(description="The guarantee's month (`2026-11`).")
    note: str = ""
    """A remark (optional)."""


@strawberry.type
class MarkMerchantGuaranteePaidPayload:
    """The settlement recorded."""

    payment: MerchantGuaranteePayment | None = None
    """The settlement recorded (null when it failed)."""
    errors: list[UserError] = strawberry.field(default_factory=list)


def card_redemption(row: dict) -> MerchantCardRedemption:
    """The GraphQL object of a ``yz_merchant_card_redemption`` row."""
    return MerchantCardRedemption(
        id=to_gid("MerchantCardRedemption", row["id"]), card=row["card"],
        credits=format_centi(row["credits_centi"]), value=format_fen(row["value_fen"]),
        ledger_seq=row.get("tx_seq"), created_at=row["created_at"])


def guarantee_payment(row: dict) -> MerchantGuaranteePayment:
    """The GraphQL object of a ``yz_merchant_guarantee_payment`` row."""
    return MerchantGuaranteePayment(
        month=row["month"], amount=format_fen(row["amount_fen"]),
        credits=format_centi(row["credits_centi"]),
        yuan_per_credit=format_fen(row["fen_per_credit"]), paid_at=row["paid_at"],
        paid_by=to_gid("Member", row["paid_by"]) if row["paid_by"] else None,
        note=row["note"])


@strawberry.type
class PromisesQuery:
    """Reviews waiting for the admins."""

    @strawberry.field(description="Suspensions the monthly board proposed that wait for the "
                                  "admins (admins).")
    async def merchant_suspension_reviews(self, info: Info, community: str
                                          ) -> list[MerchantSuspensionReview]:
        row = await info.context.plugin_community(community, PLUGIN)
        await _admin(info, row)
        return [MerchantSuspensionReview(
            month=item["month"], residents=item["ratings"],
            average_rating=board.average_text(item["stars_total"], item["ratings"]),
            due_at=item["review_due_at"], merchant=Merchant.from_row(item["merchant"]))
            for item in await board.pending_reviews(row)]


@strawberry.type
class PromisesMutation:
    """Reviews, cards at the till, guarantee settlements."""

    @strawberry.mutation(description="Confirm or overturn the suspension the monthly board "
                                     "proposed for a shop (admins).")
    @payload(ReviewMerchantSuspensionPayload)
    async def review_merchant_suspension(self, info: Info, input: ReviewMerchantSuspensionInput
                                         ) -> ReviewMerchantSuspensionPayload:
        community, shop = await _shop(info, input.merchant_id)
        admin = await _admin(info, community)
        return ReviewMerchantSuspensionPayload(merchant=Merchant.from_row(
            await board.review(community, admin, shop["id"], confirm=input.confirm,
                               month=input.month, note=input.note)))

    @strawberry.mutation(description="Take an experience card at the till for goods (the "
                                     "shop's staff): its credits come from the voucher "
                                     "reserve; the holder needs no account.")
    @payload(RedeemCardAtShopPayload)
    async def redeem_card_at_shop(self, info: Info, input: RedeemCardAtShopInput
                                  ) -> RedeemCardAtShopPayload:
        community, shop = await _shop(info, input.merchant_id)
        staff = await info.context.require_verified(community)
        row = await cards.redeem(community, staff, shop["id"], input.code)
        return RedeemCardAtShopPayload(redemption=card_redemption(row))

    @strawberry.mutation(description="Record that the community paid a shop's guaranteed-"
                                     "volume top-up for a month (admins).")
    @payload(MarkMerchantGuaranteePaidPayload)
    async def mark_merchant_guarantee_paid(self, info: Info,
                                           input: MarkMerchantGuaranteePaidInput
                                           ) -> MarkMerchantGuaranteePaidPayload:
        community, shop = await _shop(info, input.merchant_id)
        admin = await _admin(info, community)
        row = await guarantees.mark_paid(community, admin, shop["id"], input.month,
                                         note=input.note)
        return MarkMerchantGuaranteePaidPayload(payment=guarantee_payment(row))


def extend(base: GraphQLContribution) -> GraphQLContribution:
    """The merchants contribution with these roots added."""
    return GraphQLContribution(
        query=merge_types("MerchantsQuery", (base.query, PromisesQuery)),
        mutation=merge_types("MerchantsMutation", (base.mutation, PromisesMutation)),
        subscription=base.subscription, types=base.types)
