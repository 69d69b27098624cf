"""Helpers for the merchants tests: GraphQL documents, credits through the credits service,
and snapshots that show a refusal changed nothing."""

from __future__ import annotations

from yizhan.core.graphql.ids import to_gid
from yizhan.core.services.validation import credits_to_centi
from yizhan.plugins.credits import service as credits
from yizhan.plugins.merchants.tables import (
    Board,
    BoardEntry,
    Merchant,
    MerchantRule,
    MerchantStaff,
    Rating,
    Redemption,
    RedemptionCode,
)

REQUEST_CODE = """mutation($input: RequestRedemptionCodeInput!) {
  requestRedemptionCode(input: $input) {
    code { code qrPayload expiresAt maxCredits merchant { name } }
    errors { field code message } } }"""

SUBMIT = """mutation($input: SubmitRedemptionInput!) { submitRedemption(input: $input) {
  redemption { id number orderAmount credits creditValue discount leaderBonus toPay
    yuanPerCredit leaderBonusPercent status ledgerSeq category
    rule { id kind description } resident { displayName } staff { displayName }
    merchant { name } }
  errors { field code message } } }"""

VOID = """mutation($input: VoidRedemptionInput!) { voidRedemption(input: $input) {
  redemption { id status voidedAt voidReason voidLedgerSeq credits }
  errors { field code message } } }"""

RATE = """mutation($input: RateRedemptionInput!) { rateRedemption(input: $input) {
  rating { stars smooth discountReal comment }
  redemption { id }
  errors { field code message } } }"""

ADD_RULE = """mutation($input: AddMerchantRuleInput!) { addMerchantRule(input: $input) {
  rule { id kind validFrom validUntil cap minOrder credits discount category accepted
    description }
  errors { field code message } } }"""


def shop_id(row: dict) -> str:
    """A shop's global id."""
    return to_gid("Merchant", row["id"])


async def give_credits(community: dict, member_id: int, amount: str, key: str | None = None
                       ) -> None:
    """Award credits from issuance through the credits service."""
    await credits.award(community, member_id, credits_to_centi(amount, maximum=10**9),
                        reason="Test credits", key=key or f"test:{member_id}:{amount}")


async def balance(community: dict, member_id: int) -> int:
    """A member's balance in hundredths."""
    return (await credits.balance(community, member_id)).balance


async def shop_balance(community: dict, shop: dict) -> int:
    """A shop's settlement account in hundredths."""
    return await credits.account_balance(community, shop["account_code"])


async def code_for(actor, **extra) -> str:
    """A fresh redemption code for ``actor`` (as typed, with the dash)."""
    payload = await actor.gql.mutate(REQUEST_CODE, {"input": {"community": "testville",
                                                              **extra}})
    assert payload["errors"] == [], payload
    return payload["code"]["code"]


async def submit(staff, shop: dict, code: str, amount: str = "40.00",
                 category: str = "daily") -> dict:
    """``submitRedemption`` as ``staff``: its payload."""
    return await staff.gql.mutate(SUBMIT, {"input": {
        "merchantId": shop_id(shop), "code": code, "orderAmount": amount,
        "category": category}})


async def add_rule(actor, shop: dict, kind: str, **fields) -> dict:
    """``addMerchantRule`` as ``actor``: its payload."""
    return await actor.gql.mutate(ADD_RULE, {"input": {"merchantId": shop_id(shop),
                                                       "kind": kind, **fields}})


async def snapshot(community: dict, *member_ids: int) -> dict:
    """Everything a refusal must leave alone: the merchants tables and the balances."""
    tables = {}
    for table in (Merchant, MerchantRule, MerchantStaff, RedemptionCode, Redemption, Rating,
                  Board, BoardEntry):
        tables[table._meta.tablename] = await table.select().order_by(table.id)
    tables["balances"] = [await balance(community, m) for m in member_ids]
    return tables


async def relogin(actor):
    """The same person with a fresh login token (tests that move the clock past a token's
    thirty days)."""
    from dataclasses import replace

    from yizhan.core.services import people

    token, _ = await people.create_login_token(actor.person["id"])
    return replace(actor, token=token, gql=actor.gql.as_(token))
