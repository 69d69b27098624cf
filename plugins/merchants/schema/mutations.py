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
    kind: str
    address: str
    contact: str
    starts_on: date | None = None
    description: str = ""
    latitude: str | None = None
    longitude: str | None = None
    guarantee: Yuan | None = None


@strawberry.input
class UpdateMerchantInput:
    """Change a shop's details (admins); what is left out stays."""

    merchant_id: strawberry.ID
    name: str | None = None
    kind: str | None = None
    address: str | None = None
    contact: str | None = None
    description: str | None = None
    latitude: str | None = None
    longitude: str | None = None
    clear_location: bool = False


@strawberry.type
class MerchantPayload:
    """The shop after the change."""

    merchant: Merchant | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class MerchantStaffInput:
    """A member and a shop (admins)."""

    merchant_id: strawberry.ID
    member_id: strawberry.ID


@strawberry.input
class AddMerchantRuleInput:
    """A new rule (admins). Give the fields of its kind only: CAP ``cap``; THRESHOLD
    ``minOrder``, ``credits``, ``discount``; CATEGORY ``category`` and ``accepted`` (default
    true). ``validFrom`` defaults to today; no ``validUntil`` means open-ended."""

    merchant_id: strawberry.ID
    kind: MerchantRuleKind
    valid_from: date | None = None
    valid_until: date | None = None
    cap: Credits | None = None
    min_order: Yuan | None = None
    credits: Credits | None = None
    discount: Yuan | None = None
    category: str | None = None
    accepted: bool | None = None
    note: str = ""
    confirm_below_value: bool = strawberry.field(
        default=False, description="THRESHOLD: add the deal even though its credits are worth "
        "more (at the community's rate) than the discount they buy "
        "(otherwise DISCOUNT_BELOW_CREDIT_VALUE).")


@strawberry.type
class MerchantRulePayload:
    """The rule."""

    rule: MerchantRule | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class WithdrawMerchantRuleInput:
    """Withdraw a rule (admins): it stops applying at once."""

    rule_id: strawberry.ID


@strawberry.input
class SuspendMerchantInput:
    """Suspend a shop with a reason its staff see (admins)."""

    merchant_id: strawberry.ID
    reason: str


@strawberry.input
class ReinstateMerchantInput:
    """Reinstate a suspended shop (admins)."""

    merchant_id: strawberry.ID
    note: str = ""


@strawberry.input
class EndMerchantPartnershipInput:
    """End a partnership for good (admins)."""

    merchant_id: strawberry.ID
    reason: str


@strawberry.input
class RequestRedemptionCodeInput:
    """Ask for a one-time code (verified members). ``maxCredits`` caps what it may spend;
    ``merchantId`` binds it to one shop. A new code replaces any live one."""

    community: str
    max_credits: Credits | None = None
    merchant_id: strawberry.ID | None = None


@strawberry.type
class RedemptionCodePayload:
    """The code to show."""

    code: RedemptionCode | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class SubmitRedemptionInput:
    """Take a resident's code (the shop's staff): the code as typed or the QR payload, the
    order amount and its product category (a slug such as ``daily``)."""

    merchant_id: strawberry.ID
    code: str
    order_amount: Yuan
    category: str


@strawberry.type
class MerchantRedemptionPayload:
    """The receipt."""

    redemption: MerchantRedemption | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class VoidRedemptionInput:
    """Void a redemption the day it was made (the shop's staff or an admin)."""

    redemption_id: strawberry.ID
    reason: str


@strawberry.input
class RateRedemptionInput:
    """Rate my redemption once: 1-5 stars, was it smooth, was the discount real."""

    redemption_id: strawberry.ID
    stars: int
    smooth: bool
    discount_real: bool
    comment: str = ""


@strawberry.type
class MerchantRatingPayload:
    """The rating and the redemption it is for."""

    rating: MerchantRating | None = None
    redemption: MerchantRedemption | None = None
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


