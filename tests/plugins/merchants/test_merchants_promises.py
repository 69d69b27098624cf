"""Discounts that are real and cards at the till (issue 10): a deal whose credits are worth
more than its discount needs the admin's explicit confirmation and every rule shows its
effective rate; shop staff take an experience card for goods, charged to the voucher reserve,
once in all whichever way it is redeemed."""

from __future__ import annotations

import asyncio
import json
from datetime import date

import pytest_asyncio
from merchants_helpers import add_rule, shop_balance, shop_id, snapshot

from yizhan.core.errors import YizhanError
from yizhan.core.services import plugin_admin
from yizhan.plugins.credits import codes, service, verify, vouchers
from yizhan.plugins.credits.tables import CreditVoucher
from yizhan.plugins.merchants import cards
from yizhan.plugins.merchants.tables import CardRedemption, MerchantRule
from yizhan.testing.people import make_actor

SEED_DEAL = {"minOrder": "100.00", "credits": "20.00", "discount": "30.00"}
RULES = """query($id: ID!) { merchant(id: $id) { rules { kind yuanPerCredit belowCreditValue
  description } } }"""


async def test_the_seeds_deal_is_refused_until_the_admin_confirms_it(merchants_on, admin,
                                                                     shop):
    before = await snapshot(merchants_on)
    refused = await add_rule(admin, shop, "THRESHOLD", **SEED_DEAL)
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [
        ("discount", "DISCOUNT_BELOW_CREDIT_VALUE")]
    assert refused["errors"][0]["message"] == (
        "20.00 credits are worth 200.00 yuan at 10.00 yuan per credit, more than the 30.00 "
        "yuan they take off (1.50 yuan per credit). Confirm explicitly to add it anyway.")
    assert await snapshot(merchants_on) == before and await MerchantRule.count() == 0
    chinese = await admin.gql.execute(
        """mutation($input: AddMerchantRuleInput!) { addMerchantRule(input: $input) {
        errors { code message } } }""",
        {"input": {"merchantId": shop_id(shop), "kind": "THRESHOLD", **SEED_DEAL}},
        **{"Accept-Language": "zh-CN"})
    assert "积分" in chinese["data"]["addMerchantRule"]["errors"][0]["message"]
    confirmed = await add_rule(admin, shop, "THRESHOLD", **SEED_DEAL, confirmBelowValue=True)
    assert confirmed["errors"] == []
    shown = (await admin.gql.data(RULES, {"id": shop_id(shop)}))["merchant"]["rules"]
    assert [(r["kind"], r["yuanPerCredit"], r["belowCreditValue"]) for r in shown] == [
        ("THRESHOLD", "1.50", True)]


async def test_every_rule_shows_its_effective_rate(merchants_on, admin, shop):
    await plugin_admin.configure(merchants_on, "merchants", {"yuan_per_credit": "12"})
    assert (await add_rule(admin, shop, "THRESHOLD", minOrder="100.00", credits="2.00",
                           discount="30.00"))["errors"] == []
    assert (await add_rule(admin, shop, "CAP", cap="5.00"))["errors"] == []
    shown = (await admin.gql.data(RULES, {"id": shop_id(shop)}))["merchant"]["rules"]
    assert sorted((r["kind"], r["yuanPerCredit"], r["belowCreditValue"]) for r in shown) == [
        ("CAP", "12.00", False), ("THRESHOLD", "15.00", False)]


def test_the_cli_refuses_then_adds_and_shows_the_rate(merchants_on, shop, cli):
    args = ["merchants", "rules", str(shop["id"]), "-c", "testville", "--add", "threshold",
            "--min-order", "100", "--credits", "20", "--discount", "30"]
    run = cli(*args)
    assert run.exit_code == 1 and "[DISCOUNT_BELOW_CREDIT_VALUE]" in run.stderr
    run = cli(*args, "--confirm-below-value", "--json")
    assert run.exit_code == 0, run.stderr
    assert json.loads(run.stdout)[0]["yuan_per_credit"] == "1.50"


# --- cards at the till ---------------------------------------------------------------------


@pytest_asyncio.fixture
async def card(merchants_on) -> str:
    """One experience card worth 1.50 credits (the stand's paper card), as printed."""
    batch = await vouchers.issue(merchants_on, count=1, amount=150,
                                 expires_on=date(2027, 3, 31), label="Stand")
    row = await CreditVoucher.select().where(CreditVoucher.batch == batch["id"]).first()
    return codes.display(row["code"])


REDEEM_AT_SHOP = """mutation($input: RedeemCardAtShopInput!) { redeemCardAtShop(input: $input) {
  redemption { card credits value ledgerSeq } errors { field code message } } }"""
REDEEM_OWN = """mutation($code: String!) { redeemCreditVoucher(input: {community: "testville",
  code: $code}) { transaction { kind amount } errors { field code message } } }"""


async def test_staff_take_a_card_for_goods_charged_to_the_reserve(merchants_on, shop, cashier,
                                                                  card, resident):
    reserve = await service.account_balance(merchants_on, "voucher_reserve")
    payload = await cashier.gql.mutate(REDEEM_AT_SHOP, {"input": {
        "merchantId": shop_id(shop), "code": card.lower().replace("-", " ")}})
    assert payload["errors"] == []
    assert {k: payload["redemption"][k] for k in ("credits", "value")} == {
        "credits": "1.50", "value": "15.00"}
    assert payload["redemption"]["ledgerSeq"] is not None
    assert await shop_balance(merchants_on, shop) == 150
    assert await service.account_balance(merchants_on, "voucher_reserve") == reserve - 150
    row = await CreditVoucher.select().first()
    assert (row["status"], row["redeemed_by"], row["redeemed_for"]) == (
        "redeemed", None, f"merchant:{shop['id']}")
    again = await cashier.gql.mutate(REDEEM_AT_SHOP, {"input": {
        "merchantId": shop_id(shop), "code": card}})
    assert [e["code"] for e in again["errors"]] == ["VOUCHER_ALREADY_REDEEMED"]
    own = await resident.gql.mutate(REDEEM_OWN, {"code": card})
    assert [e["code"] for e in own["errors"]] == ["VOUCHER_ALREADY_REDEEMED"]
    assert (await verify.verify(merchants_on["id"])).ok


async def test_a_card_a_member_redeemed_is_refused_at_the_till(merchants_on, shop, cashier,
                                                               card, resident):
    assert (await resident.gql.mutate(REDEEM_OWN, {"code": card}))["errors"] == []
    before = await snapshot(merchants_on)
    again = await cashier.gql.mutate(REDEEM_AT_SHOP, {"input": {
        "merchantId": shop_id(shop), "code": card}})
    assert [e["code"] for e in again["errors"]] == ["VOUCHER_ALREADY_REDEEMED"]
    assert await snapshot(merchants_on) == before and await CardRedemption.count() == 0


async def test_the_cards_qr_payload_works_and_only_staff_may_take_cards(
        merchants_on, shop, cashier, card, resident):
    await plugin_admin.configure(merchants_on, "credits", {
        "voucher_qr_template": "https://yz.example/card/{community}/{code}"})
    denied = await resident.gql.execute(REDEEM_AT_SHOP, {"input": {
        "merchantId": shop_id(shop), "code": card}})
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    bad = await cashier.gql.mutate(REDEEM_AT_SHOP, {"input": {
        "merchantId": shop_id(shop), "code": "ZZZZ-ZZZZ-ZZZZ"}})
    assert [e["code"] for e in bad["errors"]] in (["VOUCHER_CODE_INVALID"],
                                                  ["VOUCHER_NOT_FOUND"])
    payload = await cashier.gql.mutate(REDEEM_AT_SHOP, {"input": {
        "merchantId": shop_id(shop), "code": f"https://yz.example/card/testville/{card}"}})
    assert payload["errors"] == [] and payload["redemption"]["credits"] == "1.50"


async def test_two_tills_taking_one_card_at_once_succeed_once(merchants_on, shop, cashier,
                                                              card, gql, resident):
    colleague = await make_actor(merchants_on, gql, "cashier2", "B", "resident")
    from yizhan.plugins.merchants import service as merchants

    await merchants.add_staff(merchants_on, None, shop["id"], colleague.member_id)

    async def at_till(staff: dict) -> str:
        try:
            await cards.redeem(merchants_on, staff, shop["id"], card)
            return "ok"
        except YizhanError as error:
            return error.code

    async def by_member() -> str:
        try:
            await vouchers.redeem(merchants_on, resident.member, card)
            return "ok"
        except YizhanError as error:
            return error.code

    outcomes = await asyncio.gather(at_till(cashier.member), at_till(colleague.member),
                                    by_member(), at_till(cashier.member))
    assert sorted(outcomes) == ["VOUCHER_ALREADY_REDEEMED"] * 3 + ["ok"]
    assert await CreditVoucher.count().where(CreditVoucher.status == "redeemed") == 1
    assert await CardRedemption.count() == (0 if outcomes[2] == "ok" else 1)
    assert (await verify.verify(merchants_on["id"])).ok


# --- the guaranteed volume, settled --------------------------------------------------------

MARK_PAID = """mutation($input: MarkMerchantGuaranteePaidInput!) {
  markMerchantGuaranteePaid(input: $input) {
    payment { month amount credits yuanPerCredit paidAt paidBy note }
    errors { field code message } } }"""


async def test_the_guarantee_top_up_is_recorded_as_paid_once(merchants_on, cashier, admin,
                                                             clock):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from merchants_helpers import relogin

    from yizhan.plugins.merchants import guarantees
    from yizhan.plugins.merchants import service as merchants

    def local(text: str) -> datetime:
        return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("Asia/Shanghai"))

    clock.set(local("2026-11-10 09:00"))
    stall = await merchants.register(merchants_on, None, name="Fruit stall", kind="fruit",
                                     address="Gate 3", contact="Ms Lin",
                                     starts_on=date(2026, 11, 15))
    clock.set(local("2026-12-20 10:00"))
    admin = await relogin(admin)
    early = await admin.gql.mutate(MARK_PAID, {"input": {"merchantId": shop_id(stall),
                                                         "month": "2026-11"}})
    assert [(e["field"], e["code"]) for e in early["errors"]] == [("month", "NO_TOP_UP_DUE")]
    paid = await admin.gql.mutate(MARK_PAID, {"input": {
        "merchantId": shop_id(stall), "month": "2026-12", "note": "Bank transfer 0042"}})
    assert paid["errors"] == []
    assert {k: paid["payment"][k] for k in ("month", "amount", "credits", "yuanPerCredit",
                                             "note")} == {
        "month": "2026-12", "amount": "500.00", "credits": "50.00", "yuanPerCredit": "10.00",
        "note": "Bank transfer 0042"}
    assert paid["payment"]["paidBy"] is not None and paid["payment"]["paidAt"]
    again = await admin.gql.mutate(MARK_PAID, {"input": {"merchantId": shop_id(stall),
                                                         "month": "2026-12"}})
    assert [e["code"] for e in again["errors"]] == ["GUARANTEE_ALREADY_PAID"]
    assert (await guarantees.payment_of(stall["id"], "2026-12"))["amount_fen"] == 500_00
    denied = await (await relogin(cashier)).gql.execute(MARK_PAID, {"input": {
        "merchantId": shop_id(stall), "month": "2026-12"}})
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
