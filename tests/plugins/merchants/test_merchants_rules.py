"""Rules are checked when saved: meaningless or contradicting rules are refused with a clear
code and nothing is written; validity windows decide which rules a redemption uses."""

from __future__ import annotations

from datetime import timedelta

import pytest
from merchants_helpers import add_rule, code_for, shop_id, submit

from yizhan.plugins.merchants import shops
from yizhan.plugins.merchants.tables import MerchantRule

DEAL = {"minOrder": "100.00", "credits": "2.00", "discount": "30.00"}


def day(community, offset: int) -> str:
    """A local date ``offset`` days from today, as GraphQL sends it."""
    return (shops.local_date(community) + timedelta(days=offset)).isoformat()


@pytest.mark.parametrize(("kind", "fields", "field", "code"), [
    ("CAP", {"cap": "-1"}, "cap", "NEGATIVE_AMOUNT"),
    ("CAP", {"cap": "0"}, "cap", "ZERO_AMOUNT"),
    ("CAP", {"cap": "0.001"}, "cap", "INVALID_AMOUNT"),
    ("CAP", {"cap": "5000"}, "cap", "AMOUNT_TOO_LARGE"),
    ("CAP", {}, "cap", "REQUIRED"),
    ("CAP", {"cap": "2", "category": "daily"}, "category", "NOT_APPLICABLE"),
    ("THRESHOLD", {**DEAL, "minOrder": "-100"}, "minOrder", "NEGATIVE_AMOUNT"),
    ("THRESHOLD", {**DEAL, "credits": "0"}, "credits", "ZERO_AMOUNT"),
    ("THRESHOLD", {**DEAL, "discount": "0.00"}, "discount", "ZERO_AMOUNT"),
    ("THRESHOLD", {**DEAL, "discount": "100.01"}, "discount", "DISCOUNT_EXCEEDS_ORDER"),
    ("THRESHOLD", {"minOrder": "100.00", "credits": "2.00"}, "discount", "REQUIRED"),
    ("THRESHOLD", {**DEAL, "cap": "3"}, "cap", "NOT_APPLICABLE"),
    ("CATEGORY", {}, "category", "REQUIRED"),
    ("CATEGORY", {"category": "Tobacco & wine"}, "category", "INVALID_SLUG"),
    ("CATEGORY", {"category": "tobacco", "accepted": False, "credits": "1"}, "credits",
     "NOT_APPLICABLE"),
])
async def test_meaningless_rules_are_refused(merchants_on, admin, shop, kind, fields, field,
                                             code):
    payload = await add_rule(admin, shop, kind, **fields)
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(field, code)]
    assert payload["rule"] is None
    assert await MerchantRule.count() == 0


async def test_windows_must_make_sense(merchants_on, admin, shop):
    past = await add_rule(admin, shop, "CAP", cap="2", validFrom=day(merchants_on, -1))
    assert [(e["field"], e["code"]) for e in past["errors"]] == [("validFrom", "INVALID_WINDOW")]
    backwards = await add_rule(admin, shop, "CAP", cap="2", validFrom=day(merchants_on, 5),
                               validUntil=day(merchants_on, 4))
    assert [(e["field"], e["code"]) for e in backwards["errors"]] == [
        ("validUntil", "INVALID_WINDOW")]
    assert await MerchantRule.count() == 0


@pytest.mark.parametrize(("first", "second", "field"), [
    (("CAP", {"cap": "3"}), ("CAP", {"cap": "5"}), "cap"),
    (("THRESHOLD", DEAL), ("THRESHOLD", {**DEAL, "discount": "35.00"}), "minOrder"),
    (("THRESHOLD", DEAL), ("THRESHOLD", {"minOrder": "200.00", "credits": "4.00",
                                         "discount": "30.00"}), "discount"),
    (("THRESHOLD", DEAL), ("THRESHOLD", {"minOrder": "50.00", "credits": "1.00",
                                         "discount": "40.00"}), "discount"),
    (("CAP", {"cap": "1.50"}), ("THRESHOLD", DEAL), "credits"),
    (("THRESHOLD", DEAL), ("CAP", {"cap": "1.50"}), "cap"),
    (("CATEGORY", {"category": "tobacco", "accepted": False}),
     ("CATEGORY", {"category": "tobacco", "accepted": True}), "accepted"),
])
async def test_contradicting_rules_are_refused(merchants_on, admin, shop, first, second,
                                               field):
    made = await add_rule(admin, shop, first[0], **first[1])
    assert made["errors"] == []
    payload = await add_rule(admin, shop, second[0], **second[1])
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(field, "RULE_CONFLICT")]
    assert "rule #1" in payload["errors"][0]["message"].lower()
    assert await MerchantRule.count() == 1


async def test_the_same_category_decision_twice_is_a_duplicate(merchants_on, admin, shop):
    assert (await add_rule(admin, shop, "CATEGORY", category="daily"))["errors"] == []
    twice = await add_rule(admin, shop, "CATEGORY", category="daily", accepted=True)
    assert [e["code"] for e in twice["errors"]] == ["RULE_DUPLICATE"]


async def test_rules_that_do_not_overlap_or_agree_are_accepted(merchants_on, admin, shop):
    assert (await add_rule(admin, shop, "CAP", cap="3", validUntil=day(merchants_on, 6)))[
        "errors"] == []
    later = await add_rule(admin, shop, "CAP", cap="5", validFrom=day(merchants_on, 7))
    assert later["errors"] == []
    tiers = [await add_rule(admin, shop, "THRESHOLD", minOrder=m, credits=c, discount=d,
                            validUntil=day(merchants_on, 6))
             for m, c, d in (("100.00", "2.00", "30.00"), ("200.00", "3.00", "70.00"))]
    assert [t["errors"] for t in tiers] == [[], []]
    assert tiers[1]["rule"]["description"] == (
        "3.00 credits take 70.00 yuan off orders of 200.00 yuan or more")


async def test_the_highest_tier_reached_applies(merchants_on, admin, shop, cashier,
                                                rich_resident):
    for m, c, d in (("100.00", "2.00", "30.00"), ("200.00", "3.00", "70.00")):
        assert (await add_rule(admin, shop, "THRESHOLD", minOrder=m, credits=c,
                               discount=d))["errors"] == []
    low = (await submit(cashier, shop, await code_for(rich_resident), "199.99"))["redemption"]
    high = (await submit(cashier, shop, await code_for(rich_resident), "200.00"))["redemption"]
    assert (low["credits"], low["discount"], low["toPay"]) == ("2.00", "30.00", "169.99")
    assert (high["credits"], high["discount"], high["toPay"]) == ("3.00", "70.00", "130.00")


async def test_validity_windows_decide_what_applies(merchants_on, admin, shop, cashier,
                                                   rich_resident, clock):
    tomorrow = await add_rule(admin, shop, "CATEGORY", category="tobacco", accepted=False,
                              validFrom=day(merchants_on, 1), validUntil=day(merchants_on, 1))
    assert tomorrow["errors"] == []
    assert (await submit(cashier, shop, await code_for(rich_resident), "20.00",
                         "tobacco"))["errors"] == []
    clock.advance(days=1)
    refused = await submit(cashier, shop, await code_for(rich_resident), "20.00", "tobacco")
    assert [e["code"] for e in refused["errors"]] == ["CATEGORY_REFUSED"]
    clock.advance(days=1)
    assert (await submit(cashier, shop, await code_for(rich_resident), "20.00",
                         "tobacco"))["errors"] == []


async def test_a_withdrawn_rule_stops_applying_and_frees_its_place(
        merchants_on, admin, shop, cashier, rich_resident):
    cap = await add_rule(admin, shop, "CAP", cap="1.00")
    withdraw = ('mutation($id: ID!) { withdrawMerchantRule(input: {ruleId: $id}) '
                '{ rule { withdrawnAt } errors { code } } }')
    done = await admin.gql.mutate(withdraw, {"id": cap["rule"]["id"]})
    assert done["errors"] == [] and done["rule"]["withdrawnAt"]
    again = await admin.gql.mutate(withdraw, {"id": cap["rule"]["id"]})
    assert [e["code"] for e in again["errors"]] == ["ALREADY_WITHDRAWN"]
    receipt = (await submit(cashier, shop, await code_for(rich_resident), "30.00"))[
        "redemption"]
    assert receipt["credits"] == "3.00"
    assert (await add_rule(admin, shop, "CAP", cap="2.00"))["errors"] == []


async def test_residents_see_the_rules_in_force(merchants_on, admin, shop, resident):
    assert (await add_rule(admin, shop, "THRESHOLD", **DEAL))["errors"] == []
    assert (await add_rule(admin, shop, "CAP", cap="4", validFrom=day(merchants_on, 2)))[
        "errors"] == []
    query = ('query($id: ID!) { merchant(id: $id) { now: rules { kind description } '
             'all: rules(upcoming: true) { kind validFrom } } }')
    found = (await resident.gql.data(query, {"id": shop_id(shop)}))["merchant"]
    assert found["now"] == [{"kind": "THRESHOLD", "description":
                             "2.00 credits take 30.00 yuan off orders of 100.00 yuan or more"}]
    assert [r["kind"] for r in found["all"]] == ["THRESHOLD", "CAP"]


async def test_only_admins_manage_rules(merchants_on, shop, cashier, resident):
    for actor in (cashier, resident):
        result = await actor.gql.execute(
            'mutation($id: ID!) { addMerchantRule(input: {merchantId: $id, kind: CAP, '
            'cap: "2"}) { errors { code } } }', {"id": shop_id(shop)})
        assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await MerchantRule.count() == 0
