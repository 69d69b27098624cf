"""The merchants plugin's mutations: one input and one payload with ``errors`` each."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.types import Info

from yizhan.core.api import (
    Credits,
    UserError,
    not_found,
    payload,
    pk_of,
)
from yizhan.core.api import format_centi as credits
from yizhan.plugins.merchants import (
    NAME,
    codes,
    redemptions,
    rules,
    shops,
)
from yizhan.plugins.merchants.schema.common import (
    MerchantRuleKind,
    Yuan,
    _admin,
    _community_of,
)
from yizhan.plugins.merchants.schema.queries import (
    _find_redemption,
    _find_shop,
)
from yizhan.plugins.merchants.schema.types import (
    Merchant,
    MerchantRating,
    MerchantRedemption,
    MerchantRule,
    RedemptionCode,
)

# --- mutations -------------------------------------------------------------------------------


@strawberry.input
class RegisterMerchantInput:
    """Register a partner shop (admins). ``guarantee`` overrides the community's guaranteed
    volume for its first month (0: none)."""

    community: str
    name: str
    """The shop's name (up to 80 characters)."""
    kind: str
    """What sort of shop (`supermarket`, `barber` …)."""
    address: str
    """Where it is (up to 200 characters)."""
    contact: str
    """How to reach it (up to 100 characters)."""
    starts_on: date | None = None
    """The first day of the partnership (left out: today)."""
    description: str = ""
    """What the shop offers (optional, up to 1000 characters)."""
    latitude: str | None = None
    """Degrees north, a decimal string (optional, with `longitude`)."""
    longitude: str | None = None
    """Degrees east, a decimal string (optional, with `latitude`)."""
    guarantee: Yuan | None = None
    """The guaranteed volume of its first month (left out: the community's setting; 0: none)."""


@strawberry.input
class UpdateMerchantInput:
    """Change a shop's details (admins); what is left out stays."""

    merchant_id: strawberry.ID
    """The shop."""
    name: str | None = None
    """A new name (left out: unchanged)."""
    kind: str | None = None
    """A new kind (left out: unchanged)."""
    address: str | None = None
    """A new address (left out: unchanged)."""
    contact: str | None = None
    """A new contact (left out: unchanged)."""
    description: str | None = None
    """A new description (left out: unchanged)."""
    latitude: str | None = None
    """A new latitude, with `longitude` (left out: unchanged)."""
    longitude: str | None = None
    """A new longitude, with `latitude` (left out: unchanged)."""
    clear_location: bool = False
    """True: forget the shop's location."""


@strawberry.type
class MerchantPayload:
    """The shop after the change."""

    merchant: Merchant | None = None
    """The shop after the change (null when it failed)."""
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class MerchantStaffInput:
    """A member and a shop (admins)."""

    merchant_id: strawberry.ID
    """The shop."""
    member_id: strawberry.ID
    """The verified member who works there."""


@strawberry.input
class AddMerchantRuleInput:
    """A new rule (admins). Give the fields of its kind only: CAP ``cap``; THRESHOLD
    ``minOrder``, ``credits``, ``discount``; CATEGORY ``category`` and ``accepted`` (default
    true). ``validFrom`` defaults to today; no ``validUntil`` means open-ended."""

    merchant_id: strawberry.ID
    """The shop."""
    kind: MerchantRuleKind
    """What the rule decides."""
    valid_from: date | None = None
    """The first day it applies (left out: today)."""
    valid_until: date | None = None
    """The last day it applies (left out: open-ended)."""
    cap: Credits | None = None
    """CAP: the most credits per order."""
    min_order: Yuan | None = None
    """THRESHOLD: the smallest order the deal applies to."""
    credits: Credits | None = None
    """THRESHOLD: the credits the deal spends."""
    discount: Yuan | None = None
    """THRESHOLD: what the deal takes off the order."""
    category: str | None = None
    """CATEGORY: the product category (`daily`, `tobacco` …)."""
    accepted: bool | None = None
    """CATEGORY: true if credits are accepted for it, false if refused (left out: true)."""
    note: str = ""
    """A remark (optional)."""
    confirm_below_value: bool = strawberry.field(
        default=False, description="THRESHOLD: add the deal even though its credits are worth "
        "more (at the community's rate) than the discount they buy "
        "(otherwise DISCOUNT_BELOW_CREDIT_VALUE).")


@strawberry.type
class MerchantRulePayload:
    """The rule."""

    rule: MerchantRule | None = None
    """The rule (null when it failed)."""
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class WithdrawMerchantRuleInput:
    """Withdraw a rule (admins): it stops applying at once."""

    rule_id: strawberry.ID
    """The rule."""


@strawberry.input
class SuspendMerchantInput:
    """Suspend a shop with a reason its staff see (admins)."""

    merchant_id: strawberry.ID
    """The shop."""
    reason: str
    """Why (up to 500 characters), shown to its staff and on the shop."""


@strawberry.input
class ReinstateMerchantInput:
    """Reinstate a suspended shop (admins)."""

    merchant_id: strawberry.ID
    """The suspended shop."""
    note: str = ""
    """A remark (optional), kept in its history."""


@strawberry.input
class EndMerchantPartnershipInput:
    """End a partnership for good (admins)."""

    merchant_id: strawberry.ID
    """The shop."""
    reason: str
    """Why (up to 500 characters), kept in its history."""


@strawberry.input
class RequestRedemptionCodeInput:
    """Ask for a one-time code (verified members). ``maxCredits`` caps what it may spend;
    ``merchantId`` binds it to one shop. A new code replaces any live one."""

    community: str
    max_credits: Credits | None = None
    """The most credits the code may spend (left out: what the shop's rules allow)."""
    merchant_id: strawberry.ID | None = None
    """The one shop the code is for (left out: any)."""


@strawberry.type
class RedemptionCodePayload:
    """The code to show."""

    code: RedemptionCode | None = None
    """The code to show at the till (null when it failed)."""
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class SubmitRedemptionInput:
    """Take a resident's code (the shop's staff): the code as typed or the QR payload, the
    order amount and its product category (a slug such as ``daily``)."""

    merchant_id: strawberry.ID
    """The shop taking the code."""
    code: str
    """The resident's code as typed (`K7QM-3XZD`), or its QR payload."""
    order_amount: Yuan
    """The order's full price."""
    category: str
    """The order's product category (`daily` …), for the shop's category rules."""


@strawberry.type
class MerchantRedemptionPayload:
    """The receipt."""

    redemption: MerchantRedemption | None = None
    """The receipt (null when it failed)."""
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class VoidRedemptionInput:
    """Void a redemption the day it was made (the shop's staff or an admin)."""

    redemption_id: strawberry.ID
    """The redemption."""
    reason: str
    """Why, kept with the redemption (`voidReason`)."""


@strawberry.input
class RateRedemptionInput:
    """Rate my redemption once: 1-5 stars, was it smooth, was the discount real."""

    redemption_id: strawberry.ID
    """Your redemption."""
    stars: int
    """1 to 5."""
    smooth: bool
    """Was the redemption smooth?"""
    discount_real: bool
    """Was the discount real?"""
    comment: str = ""
    """Your words (optional)."""


@strawberry.type
class MerchantRatingPayload:
    """The rating and the redemption it is for."""

    rating: MerchantRating | None = None
    """Your rating (null when it failed)."""
    redemption: MerchantRedemption | None = None
    """The redemption it is for."""
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class MerchantsMutation:
    """The merchants plugin's mutations."""

    @strawberry.mutation(description="Register a partner shop (admins).")
    @payload(MerchantPayload)
    async def register_merchant(self, info: Info, input: RegisterMerchantInput
                                ) -> MerchantPayload:
        row = await info.context.plugin_community(input.community, NAME)
        admin = await _admin(info, row)
        shop = await shops.register(
            row, admin, name=input.name, kind=input.kind, address=input.address,
            contact=input.contact, starts_on=input.starts_on, description=input.description,
            latitude=input.latitude, longitude=input.longitude, guarantee=input.guarantee)
        return MerchantPayload(merchant=Merchant.from_row(shop))

    @strawberry.mutation(description="Change a shop's details (admins).")
    @payload(MerchantPayload)
    async def update_merchant(self, info: Info, input: UpdateMerchantInput) -> MerchantPayload:
        community, shop = await _find_shop(info, input.merchant_id)
        admin = await _admin(info, community)
        changed = await shops.update(
            community, admin, shop["id"], name=input.name, kind=input.kind,
            address=input.address, contact=input.contact, description=input.description,
            latitude=input.latitude, longitude=input.longitude,
            clear_location=input.clear_location)
        return MerchantPayload(merchant=Merchant.from_row(changed))

    @strawberry.mutation(description="Make a verified member staff of a shop (admins).")
    @payload(MerchantPayload)
    async def add_merchant_staff(self, info: Info, input: MerchantStaffInput
                                 ) -> MerchantPayload:
        community, shop = await _find_shop(info, input.merchant_id)
        admin = await _admin(info, community)
        await shops.add_staff(community, admin, shop["id"],
                              pk_of(input.member_id, "Member", "memberId"))
        return MerchantPayload(merchant=Merchant.from_row(await shops.get(community,
                                                                          shop["id"])))

    @strawberry.mutation(description="Stop a member being staff of a shop (admins).")
    @payload(MerchantPayload)
    async def remove_merchant_staff(self, info: Info, input: MerchantStaffInput
                                    ) -> MerchantPayload:
        community, shop = await _find_shop(info, input.merchant_id)
        admin = await _admin(info, community)
        await shops.remove_staff(community, admin, shop["id"],
                                 pk_of(input.member_id, "Member", "memberId"))
        return MerchantPayload(merchant=Merchant.from_row(await shops.get(community,
                                                                          shop["id"])))

    @strawberry.mutation(description="Add a rule to a shop (admins).")
    @payload(MerchantRulePayload)
    async def add_merchant_rule(self, info: Info, input: AddMerchantRuleInput
                                ) -> MerchantRulePayload:
        community, shop = await _find_shop(info, input.merchant_id)
        admin = await _admin(info, community)
        row = await rules.add(
            community, admin, shop["id"], input.kind.value, validFrom=input.valid_from,
            validUntil=input.valid_until, cap=input.cap, minOrder=input.min_order,
            credits=input.credits, discount=input.discount, category=input.category,
            accepted=input.accepted, note=input.note,
            confirm_below_value=input.confirm_below_value)
        return MerchantRulePayload(rule=MerchantRule.from_row(row))

    @strawberry.mutation(description="Withdraw a shop's rule (admins).")
    @payload(MerchantRulePayload)
    async def withdraw_merchant_rule(self, info: Info, input: WithdrawMerchantRuleInput
                                     ) -> MerchantRulePayload:
        found = await rules.find(pk_of(input.rule_id, "MerchantRule", "ruleId"))
        if found is None:
            raise not_found("merchant rule", "ruleId")
        community = await _community_of(info, found["community"])
        admin = await _admin(info, community)
        return MerchantRulePayload(rule=MerchantRule.from_row(
            await rules.withdraw(community, admin, found["id"])))

    @strawberry.mutation(description="Suspend a shop (admins).")
    @payload(MerchantPayload)
    async def suspend_merchant(self, info: Info, input: SuspendMerchantInput
                               ) -> MerchantPayload:
        community, shop = await _find_shop(info, input.merchant_id)
        admin = await _admin(info, community)
        return MerchantPayload(merchant=Merchant.from_row(
            await shops.suspend(community, admin, shop["id"], input.reason)))

    @strawberry.mutation(description="Reinstate a suspended shop (admins).")
    @payload(MerchantPayload)
    async def reinstate_merchant(self, info: Info, input: ReinstateMerchantInput
                                 ) -> MerchantPayload:
        community, shop = await _find_shop(info, input.merchant_id)
        admin = await _admin(info, community)
        return MerchantPayload(merchant=Merchant.from_row(
            await shops.reinstate(community, admin, shop["id"], input.note)))

    @strawberry.mutation(description="End a partnership for good (admins).")
    @payload(MerchantPayload)
    async def end_merchant_partnership(self, info: Info, input: EndMerchantPartnershipInput
                                       ) -> MerchantPayload:
        community, shop = await _find_shop(info, input.merchant_id)
        admin = await _admin(info, community)
        return MerchantPayload(merchant=Merchant.from_row(
            await shops.end(community, admin, shop["id"], input.reason)))

    @strawberry.mutation(description="Ask for a one-time redemption code (verified members).")
    @payload(RedemptionCodePayload)
    async def request_redemption_code(self, info: Info, input: RequestRedemptionCodeInput
                                      ) -> RedemptionCodePayload:
        row = await info.context.plugin_community(input.community, NAME)
        member = await info.context.require_verified(row)
        merchant_id = None
        if input.merchant_id is not None:
            merchant_id = pk_of(input.merchant_id, "Merchant", "merchantId")
        code = await redemptions.request_code(row, member, max_credits=input.max_credits,
                                              merchant_id=merchant_id)
        return RedemptionCodePayload(code=RedemptionCode(
            code=codes.display(code["code"]), qr_payload=redemptions.qr_payload(row, code),
            expires_at=code["expires_at"],
            max_credits=credits(code["max_credits_centi"]) if code["max_credits_centi"]
            else None, _merchant=code["merchant"]))

    @strawberry.mutation(description="Take a resident's code at the till (the shop's staff).")
    @payload(MerchantRedemptionPayload)
    async def submit_redemption(self, info: Info, input: SubmitRedemptionInput
                                ) -> MerchantRedemptionPayload:
        community, shop = await _find_shop(info, input.merchant_id)
        member = await info.context.require_verified(community)
        row = await redemptions.submit(community, member, shop["id"], input.code,
                                       input.order_amount, input.category)
        return MerchantRedemptionPayload(redemption=MerchantRedemption.from_row(row))

    @strawberry.mutation(description="Void a redemption the day it was made (the shop's "
                                     "staff or an admin).")
    @payload(MerchantRedemptionPayload)
    async def void_redemption(self, info: Info, input: VoidRedemptionInput
                              ) -> MerchantRedemptionPayload:
        community, row = await _find_redemption(info, input.redemption_id)
        member = await info.context.require_verified(community)
        voided = await redemptions.void(community, member, row["id"], input.reason)
        return MerchantRedemptionPayload(redemption=MerchantRedemption.from_row(voided))

    @strawberry.mutation(description="Rate my redemption (once).")
    @payload(MerchantRatingPayload)
    async def rate_redemption(self, info: Info, input: RateRedemptionInput
                              ) -> MerchantRatingPayload:
        community, row = await _find_redemption(info, input.redemption_id)
        member = await info.context.require_member(community)
        rating = await redemptions.rate(community, member, row["id"], stars=input.stars,
                                        smooth=input.smooth, discount_real=input.discount_real,
                                        comment=input.comment)
        return MerchantRatingPayload(rating=MerchantRating.from_row(rating),
                                     redemption=MerchantRedemption.from_row(row))


