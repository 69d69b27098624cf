"""Redemptions through GraphQL: the arithmetic on the receipt, and every refusal — each with its
own code, and nothing changed (no code used, no redemption, no credits moved)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from merchants_helpers import (
    REQUEST_CODE,
    SUBMIT,
    VOID,
    add_rule,
    balance,
    code_for,
    give_credits,
    shop_balance,
    shop_id,
    snapshot,
    submit,
)

from yizhan.core.services import communities, plugin_admin
from yizhan.plugins.merchants import codes, service
from yizhan.plugins.merchants.tables import RedemptionCode
from yizhan.testing.people import make_actor


async def _refused(community, staff, shop, code, amount="40.00", category="daily",
                   *members) -> list[str]:
    before = await snapshot(community, *members)
    payload = await submit(staff, shop, code, amount, category)
    assert payload["redemption"] is None
    assert await snapshot(community, *members) == before
    return [e["code"] for e in payload["errors"]]


async def test_a_plain_redemption_uses_what_the_order_is_worth(
        merchants_on, shop, cashier, rich_resident):
    payload = await submit(cashier, shop, await code_for(rich_resident), "43.27")
    assert payload["errors"] == []
    receipt = payload["redemption"]
    # 43.27 yuan at 10 yuan a credit: 4.32 credits (43.20 yuan), 0.07 yuan left to pay.
    assert (receipt["credits"], receipt["creditValue"], receipt["discount"],
            receipt["toPay"], receipt["yuanPerCredit"]) == (
        "4.32", "43.20", "43.20", "0.07", "10.00")
    assert await balance(merchants_on, rich_resident.member_id) == 5000 - 432
    assert await shop_balance(merchants_on, shop) == 432


async def test_the_resident_spends_what_they_have_and_pays_the_rest(
        merchants_on, shop, cashier, resident):
    await give_credits(merchants_on, resident.member_id, "1.50")
    receipt = (await submit(cashier, shop, await code_for(resident), "100.00"))["redemption"]
    assert (receipt["credits"], receipt["discount"], receipt["toPay"]) == (
        "1.50", "15.00", "85.00")
    assert await balance(merchants_on, resident.member_id) == 0


async def test_the_codes_limit_and_the_shops_cap_bound_a_plain_redemption(
        merchants_on, admin, shop, cashier, rich_resident):
    limited = await code_for(rich_resident, maxCredits="2.50")
    receipt = (await submit(cashier, shop, limited, "100.00"))["redemption"]
    assert (receipt["credits"], receipt["toPay"]) == ("2.50", "75.00")
    assert (await add_rule(admin, shop, "CAP", cap="3.00"))["errors"] == []
    capped = (await submit(cashier, shop, await code_for(rich_resident), "100.00"))[
        "redemption"]
    assert (capped["credits"], capped["toPay"]) == ("3.00", "70.00")


async def test_building_leaders_get_the_extra_discount(
        merchants_on, shop, cashier, leader, deputy, admin):
    assert (await add_rule(admin, shop, "THRESHOLD", minOrder="100.00", credits="2.00",
                           discount="30.00"))["errors"] == []
    for who in (leader, deputy):
        await give_credits(merchants_on, who.member_id, "2.00")
        receipt = (await submit(cashier, shop, await code_for(who), "150.00"))["redemption"]
        # 5% of 150.00 = 7.50 off on top of the deal's 30.00.
        assert (receipt["discount"], receipt["leaderBonus"], receipt["toPay"],
                receipt["leaderBonusPercent"]) == ("30.00", "7.50", "112.50", "5.00")


async def test_the_leader_bonus_never_takes_the_bill_below_zero(
        merchants_on, shop, cashier, leader):
    await give_credits(merchants_on, leader.member_id, "20.00")
    receipt = (await submit(cashier, shop, await code_for(leader), "10.00"))["redemption"]
    assert (receipt["credits"], receipt["discount"], receipt["leaderBonus"],
            receipt["toPay"]) == ("1.00", "10.00", "0.00", "0.00")


async def test_the_rate_and_the_leader_percentage_are_settings(
        merchants_on, shop, cashier, leader):
    await plugin_admin.configure(merchants_on, "merchants", {
        "yuan_per_credit": "12.50", "leader_extra_discount_percent": "2.5"})
    await give_credits(merchants_on, leader.member_id, "20.00")
    receipt = (await submit(cashier, shop, await code_for(leader), "30.00"))["redemption"]
    # 30.00 yuan is worth 2.40 credits at 12.50; 2.5% of 30.00 = 0.75, capped at what is left.
    assert (receipt["credits"], receipt["creditValue"], receipt["leaderBonus"],
            receipt["toPay"], receipt["yuanPerCredit"]) == (
        "2.40", "30.00", "0.00", "0.00", "12.50")


async def test_the_qr_payload_works_like_the_typed_code(
        merchants_on, shop, cashier, rich_resident):
    payload = await rich_resident.gql.mutate(REQUEST_CODE, {"input": {"community": "testville"}})
    qr = payload["code"]["qrPayload"]
    assert qr == "yizhan:merchants:testville:" + codes.normalize(payload["code"]["code"])
    assert (await submit(cashier, shop, qr))["errors"] == []


async def test_typed_codes_ignore_case_spaces_and_dashes(
        merchants_on, shop, cashier, rich_resident):
    code = await code_for(rich_resident)
    typed = " " + code.lower().replace("-", " ") + " "
    assert (await submit(cashier, shop, typed))["errors"] == []


# --- the refusals the issue lists ------------------------------------------------------------


async def test_a_code_used_twice_is_refused(merchants_on, shop, cashier, rich_resident):
    code = await code_for(rich_resident)
    assert (await submit(cashier, shop, code))["errors"] == []
    assert await _refused(merchants_on, cashier, shop, code, "40.00", "daily",
                          rich_resident.member_id) == ["CODE_USED"]


async def test_an_expired_code_is_refused(merchants_on, shop, cashier, rich_resident, clock):
    code = await code_for(rich_resident)
    clock.advance(minutes=5)
    assert await _refused(merchants_on, cashier, shop, code, "40.00", "daily",
                          rich_resident.member_id) == ["CODE_EXPIRED"]


async def test_a_code_from_another_community_is_refused(
        merchants_on, shop, cashier, gql, enable_plugin):
    other = await communities.create_community("otherville", "Otherville")
    other["buildings"] = {"A": await communities.create_building(other, "A", 10)}
    await enable_plugin(other, "credits")
    await enable_plugin(other, "merchants")
    stranger = await make_actor(other, gql, "stranger1", "A", "resident")
    await give_credits(other, stranger.member_id, "10.00")
    payload = await stranger.gql.mutate(REQUEST_CODE, {"input": {"community": "otherville"}})
    assert await _refused(merchants_on, cashier, shop, payload["code"]["code"]) == [
        "CODE_OTHER_COMMUNITY"]
    assert await balance(other, stranger.member_id) == 1000


async def test_a_suspended_shop_refuses(merchants_on, admin, shop, cashier, rich_resident):
    code = await code_for(rich_resident)
    suspended = await admin.gql.mutate(
        'mutation($id: ID!) { suspendMerchant(input: {merchantId: $id, reason: "Complaints"}) '
        '{ merchant { status statusReason } errors { code } } }', {"id": shop_id(shop)})
    assert suspended["merchant"] == {"status": "SUSPENDED", "statusReason": "Complaints"}
    assert await _refused(merchants_on, cashier, shop, code, "40.00", "daily",
                          rich_resident.member_id) == ["MERCHANT_SUSPENDED"]


async def test_a_refused_category_is_refused(merchants_on, admin, shop, cashier, rich_resident):
    for category in ("tobacco", "alcohol"):
        assert (await add_rule(admin, shop, "CATEGORY", category=category,
                               accepted=False))["errors"] == []
    code = await code_for(rich_resident)
    assert await _refused(merchants_on, cashier, shop, code, "40.00", "tobacco",
                          rich_resident.member_id) == ["CATEGORY_REFUSED"]
    assert (await submit(cashier, shop, code, "40.00", "daily"))["errors"] == []


async def test_a_category_outside_the_accepted_list_is_refused(
        merchants_on, admin, shop, cashier, rich_resident):
    assert (await add_rule(admin, shop, "CATEGORY", category="daily"))["errors"] == []
    code = await code_for(rich_resident)
    payload = await submit(cashier, shop, code, "40.00", "electronics")
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [
        ("CATEGORY_REFUSED", "category")]
    assert payload["errors"][0]["message"] == "This shop takes credits only for: daily."


async def test_beyond_the_residents_credits_is_refused(
        merchants_on, admin, shop, cashier, resident):
    await give_credits(merchants_on, resident.member_id, "1.00")
    assert (await add_rule(admin, shop, "THRESHOLD", minOrder="100.00", credits="2.00",
                           discount="30.00"))["errors"] == []
    code = await code_for(resident)
    payload_codes = await _refused(merchants_on, cashier, shop, code, "120.00", "daily",
                                   resident.member_id)
    assert payload_codes == ["INSUFFICIENT_CREDITS"]


async def test_the_credit_limit_is_never_spent_at_a_shop(merchants_on, resident):
    # Members may go below zero for help (credit_limit), never at a shop.
    payload = await resident.gql.mutate(REQUEST_CODE, {"input": {"community": "testville"}})
    assert [e["code"] for e in payload["errors"]] == ["INSUFFICIENT_CREDITS"]
    assert await RedemptionCode.count() == 0
    await give_credits(merchants_on, resident.member_id, "1.00")
    too_much = await resident.gql.mutate(REQUEST_CODE, {"input": {
        "community": "testville", "maxCredits": "1.01"}})
    assert [(e["code"], e["field"]) for e in too_much["errors"]] == [
        ("INSUFFICIENT_CREDITS", "maxCredits")]


# --- the other refusals ----------------------------------------------------------------------


async def test_a_replaced_code_is_refused(merchants_on, shop, cashier, rich_resident):
    first = await code_for(rich_resident)
    second = await code_for(rich_resident)
    assert await _refused(merchants_on, cashier, shop, first) == ["CODE_REPLACED"]
    assert (await submit(cashier, shop, second))["errors"] == []


async def test_an_expired_code_stays_expired_once_a_new_one_is_asked_for(
        merchants_on, shop, cashier, rich_resident, clock):
    first = await code_for(rich_resident)
    clock.advance(minutes=6)
    await code_for(rich_resident)
    assert await _refused(merchants_on, cashier, shop, first) == ["CODE_EXPIRED"]


async def test_a_code_for_another_shop_is_refused(
        merchants_on, admin, shop, cashier, rich_resident):
    pharmacy = await service.register(merchants_on, None, name="Pharmacy", kind="pharmacy",
                                      address="Gate 1", contact="Dr Wu")
    code = await code_for(rich_resident, merchantId=shop_id(pharmacy))
    assert await _refused(merchants_on, cashier, shop, code) == ["CODE_OTHER_MERCHANT"]


async def test_mistyped_and_unknown_codes_are_refused(merchants_on, shop, cashier,
                                                      rich_resident):
    code = codes.normalize(await code_for(rich_resident))
    typo = code[:3] + ("2" if code[3] != "2" else "3") + code[4:]
    assert await _refused(merchants_on, cashier, shop, typo) == ["CODE_INVALID"]
    unknown = codes.new_code()
    assert await _refused(merchants_on, cashier, shop, unknown) == ["CODE_NOT_FOUND"]
    assert await _refused(merchants_on, cashier, shop, "hello") == ["CODE_INVALID"]


async def test_guessing_codes_is_limited(merchants_on, shop, cashier, rich_resident):
    await plugin_admin.configure(merchants_on, "merchants", {"staff_guess_limit": 3})
    for _ in range(3):
        assert (await submit(cashier, shop, codes.new_code()))["errors"][0]["code"] == \
            "CODE_NOT_FOUND"
    good = await code_for(rich_resident)
    result = await cashier.gql.execute(SUBMIT, {"input": {
        "merchantId": shop_id(shop), "code": good, "orderAmount": "10.00",
        "category": "daily"}})
    assert result["errors"][0]["extensions"]["code"] == "CODE_GUESS_LIMIT"


async def test_below_the_threshold_is_refused(merchants_on, admin, shop, cashier, rich_resident):
    assert (await add_rule(admin, shop, "THRESHOLD", minOrder="100.00", credits="2.00",
                           discount="30.00"))["errors"] == []
    code = await code_for(rich_resident)
    payload = await submit(cashier, shop, code, "99.99")
    assert payload["errors"] == [{
        "field": "orderAmount", "code": "BELOW_THRESHOLD",
        "message": "Credits are taken here on orders of 100.00 yuan or more."}]


async def test_a_deal_beyond_the_codes_limit_is_refused(
        merchants_on, admin, shop, cashier, rich_resident):
    assert (await add_rule(admin, shop, "THRESHOLD", minOrder="100.00", credits="2.00",
                           discount="30.00"))["errors"] == []
    code = await code_for(rich_resident, maxCredits="1.00")
    assert await _refused(merchants_on, cashier, shop, code, "120.00") == [
        "CODE_LIMIT_EXCEEDED"]


async def test_an_order_worth_less_than_a_hundredth_credit_is_refused(
        merchants_on, shop, cashier, rich_resident):
    assert await _refused(merchants_on, cashier, shop, await code_for(rich_resident),
                          "0.09") == ["ORDER_TOO_SMALL"]


async def test_staff_cannot_take_their_own_code(merchants_on, shop, cashier):
    await give_credits(merchants_on, cashier.member_id, "5.00")
    assert await _refused(merchants_on, cashier, shop, await code_for(cashier)) == [
        "SELF_REDEMPTION"]


async def test_only_the_shops_staff_submit(merchants_on, shop, rich_resident, neighbour):
    code = await code_for(rich_resident)
    result = await neighbour.gql.execute(SUBMIT, {"input": {
        "merchantId": shop_id(shop), "code": code, "orderAmount": "10.00",
        "category": "daily"}})
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await RedemptionCode.count().where(RedemptionCode.status == "used") == 0


async def test_ended_and_not_yet_started_shops_refuse(
        merchants_on, shop, cashier, rich_resident, clock):
    future = await service.register(
        merchants_on, None, name="Fruit stall", kind="fruit", address="Gate 3",
        contact="Ms Lin", starts_on=clock.now().date() + timedelta(days=3))
    await service.add_staff(merchants_on, None, future["id"], cashier.member_id)
    assert await _refused(merchants_on, cashier, future, await code_for(rich_resident)) == [
        "MERCHANT_NOT_STARTED"]
    await service.end(merchants_on, None, shop["id"], "Closed down")
    assert await _refused(merchants_on, cashier, shop, await code_for(rich_resident)) == [
        "MERCHANT_ENDED"]


async def test_a_code_of_a_member_no_longer_verified_is_refused(
        merchants_on, shop, cashier, rich_resident):
    from yizhan.core.tables import Member

    code = await code_for(rich_resident)
    await Member.update({Member.status: "declined"}).where(Member.id == rich_resident.member_id)
    assert await _refused(merchants_on, cashier, shop, code) == ["RESIDENT_NOT_VERIFIED"]


@pytest.mark.parametrize(("amount", "category", "field", "code"), [
    ("-1.00", "daily", "orderAmount", "NEGATIVE_AMOUNT"),
    ("0", "daily", "orderAmount", "ZERO_AMOUNT"),
    ("1.001", "daily", "orderAmount", "INVALID_AMOUNT"),
    ("ten", "daily", "orderAmount", "INVALID_AMOUNT"),
    ("NaN", "daily", "orderAmount", "INVALID_AMOUNT"),
    ("1000000000", "daily", "orderAmount", "AMOUNT_TOO_LARGE"),
    ("1e9", "daily", "orderAmount", "INVALID_AMOUNT"),  # one canonical spelling (issue 15)
    ("10.00", "Daily Goods!", "category", "INVALID_SLUG"),
    ("10.00", "", "category", "INVALID_SLUG"),
])
async def test_bad_submissions_write_nothing(merchants_on, shop, cashier, rich_resident,
                                             amount, category, field, code):
    good = await code_for(rich_resident)
    before = await snapshot(merchants_on, rich_resident.member_id)
    payload = await submit(cashier, shop, good, amount, category)
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(field, code)]
    assert await snapshot(merchants_on, rich_resident.member_id) == before


async def test_a_float_amount_is_refused(merchants_on, shop, cashier, rich_resident):
    result = await cashier.gql.mutate(SUBMIT, {"input": {
        "merchantId": shop_id(shop), "code": await code_for(rich_resident),
        "orderAmount": 10.5, "category": "daily"}})
    assert [e["code"] for e in result["errors"]] == ["INVALID_AMOUNT"]


@pytest.mark.parametrize(("extra", "field", "code"), [
    ({"maxCredits": "0"}, "maxCredits", "ZERO_AMOUNT"),
    ({"maxCredits": "-1"}, "maxCredits", "NEGATIVE_AMOUNT"),
    ({"maxCredits": "0.001"}, "maxCredits", "INVALID_AMOUNT"),
    ({"merchantId": "bad"}, "merchantId", "INVALID_ID"),
])
async def test_bad_code_requests_write_nothing(merchants_on, rich_resident, extra, field,
                                               code):
    payload = await rich_resident.gql.mutate(REQUEST_CODE, {"input": {
        "community": "testville", **extra}})
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(field, code)]
    assert await RedemptionCode.count() == 0


async def test_codes_for_suspended_shops_and_pending_members_are_refused(
        merchants_on, shop, rich_resident, pending):
    await service.suspend(merchants_on, None, shop["id"], "Inventory")
    payload = await rich_resident.gql.mutate(REQUEST_CODE, {"input": {
        "community": "testville", "merchantId": shop_id(shop)}})
    assert [e["code"] for e in payload["errors"]] == ["MERCHANT_SUSPENDED"]
    result = await pending.gql.execute(REQUEST_CODE, {"input": {"community": "testville"}})
    assert result["errors"][0]["extensions"]["code"] == "NOT_VERIFIED"
    assert await RedemptionCode.count() == 0


async def test_asking_for_codes_is_limited(merchants_on, rich_resident):
    await plugin_admin.configure(merchants_on, "merchants", {"code_requests_per_hour": 2})
    await code_for(rich_resident)
    await code_for(rich_resident)
    result = await rich_resident.gql.execute(REQUEST_CODE, {"input": {"community": "testville"}})
    assert result["errors"][0]["extensions"]["code"] == "CODE_REQUEST_LIMIT"
    assert await RedemptionCode.count() == 2


# --- voiding ---------------------------------------------------------------------------------


async def test_staff_void_a_redemption_the_same_day(
        merchants_on, shop, cashier, rich_resident, neighbour):
    sold = (await submit(cashier, shop, await code_for(rich_resident), "30.00"))["redemption"]
    forbidden = await neighbour.gql.execute(VOID, {"input": {
        "redemptionId": sold["id"], "reason": "Oops"}})
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    empty = await cashier.gql.mutate(VOID, {"input": {"redemptionId": sold["id"],
                                                      "reason": " "}})
    assert [(e["field"], e["code"]) for e in empty["errors"]] == [("reason", "REQUIRED")]

    voided = await cashier.gql.mutate(VOID, {"input": {"redemptionId": sold["id"],
                                                       "reason": "Wrong amount typed"}})
    assert voided["errors"] == []
    assert (voided["redemption"]["status"], voided["redemption"]["voidReason"]) == (
        "VOIDED", "Wrong amount typed")
    assert voided["redemption"]["voidLedgerSeq"] == sold["ledgerSeq"] + 1
    assert await balance(merchants_on, rich_resident.member_id) == 5000
    assert await shop_balance(merchants_on, shop) == 0
    again = await cashier.gql.mutate(VOID, {"input": {"redemptionId": sold["id"],
                                                      "reason": "Twice"}})
    assert [e["code"] for e in again["errors"]] == ["ALREADY_VOIDED"]
    inbox = await rich_resident.gql.data(
        'query { notifications(community: "testville") { nodes { kind } } }')
    assert inbox["notifications"]["nodes"][0]["kind"] == "merchants.voided"


async def test_a_void_the_next_day_is_refused(merchants_on, shop, cashier, rich_resident,
                                              clock):
    sold = (await submit(cashier, shop, await code_for(rich_resident), "30.00"))["redemption"]
    clock.advance(hours=15)  # 09:00 -> 00:00 the next day in Shanghai
    before = await snapshot(merchants_on, rich_resident.member_id)
    late = await cashier.gql.mutate(VOID, {"input": {"redemptionId": sold["id"],
                                                     "reason": "Too late"}})
    assert [e["code"] for e in late["errors"]] == ["VOID_TOO_LATE"]
    assert await snapshot(merchants_on, rich_resident.member_id) == before
