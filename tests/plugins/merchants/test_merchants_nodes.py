"""``node(id:)`` on the merchants plugin's types answers exactly whom their own queries answer:
shops and their rules are public (an ended shop: admins only); a redemption and its rating
the resident, the shop's staff and admins; a card taken at the till the staff and admins;
nobody where merchants is off. A pending member reads only what the public does."""

from datetime import date

import pytest_asyncio
from merchants_helpers import RATE, add_rule, code_for, shop_id, submit

from yizhan.core.services import plugin_admin
from yizhan.plugins.credits import codes, vouchers
from yizhan.plugins.credits.tables import CreditVoucher
from yizhan.plugins.merchants import shops

NODE = """query($id: ID!) { node(id: $id) { __typename id
  ... on Merchant { name } ... on MerchantRule { kind }
  ... on MerchantRedemption { credits } ... on MerchantRating { stars }
  ... on MerchantCardRedemption { credits } } }"""
REDEEM_AT_SHOP = """mutation($input: RedeemCardAtShopInput!) { redeemCardAtShop(input: $input) {
  redemption { id } errors { code } } }"""


@pytest_asyncio.fixture
async def ids(merchants_on, admin, shop, cashier, rich_resident) -> dict[str, str]:
    """A shop with a rule, a redemption the resident rated, and a card taken at the till."""
    rule = (await add_rule(admin, shop, "CAP", cap="3.00"))["rule"]
    receipt = (await submit(cashier, shop, await code_for(rich_resident)))["redemption"]
    rated = await rich_resident.gql.mutate(RATE.replace("rating { stars", "rating { id stars"), {
        "input": {"redemptionId": receipt["id"], "stars": 4, "smooth": True,
                  "discountReal": True}})
    batch = await vouchers.issue(merchants_on, count=1, amount=150,
                                 expires_on=date(2027, 3, 31), label="Stand")
    card = await CreditVoucher.select().where(CreditVoucher.batch == batch["id"]).first()
    taken = await cashier.gql.mutate(REDEEM_AT_SHOP, {"input": {
        "merchantId": shop_id(shop), "code": codes.display(card["code"])}})
    return {"Merchant": shop_id(shop), "MerchantRule": rule["id"],
            "MerchantRedemption": receipt["id"], "MerchantRating": rated["rating"]["id"],
            "MerchantCardRedemption": taken["redemption"]["id"]}


async def _node(client, gid: str) -> dict | None:
    return (await client.data(NODE, {"id": gid}))["node"]


async def test_shops_and_rules_are_public_nodes_but_an_ended_shop_is_for_admins(
        merchants_on, ids, shop, admin, resident, pending, outsider, gql):
    for type_name in ("Merchant", "MerchantRule"):
        for client in (admin.gql, resident.gql, pending.gql, outsider.gql, gql):
            found = await _node(client, ids[type_name])
            assert found["__typename"] == type_name and found["id"] == ids[type_name]
    await shops.end(merchants_on, None, shop["id"], "Closed down")
    for type_name in ("Merchant", "MerchantRule"):
        assert (await _node(admin.gql, ids[type_name]))["id"] == ids[type_name]
        for client in (resident.gql, pending.gql, gql):
            assert await _node(client, ids[type_name]) is None


async def test_a_redemption_and_its_rating_are_nodes_for_the_resident_staff_and_admins(
        ids, admin, cashier, rich_resident, neighbour, pending, outsider, gql):
    for type_name in ("MerchantRedemption", "MerchantRating"):
        for actor in (rich_resident, cashier, admin):
            assert (await _node(actor.gql, ids[type_name]))["__typename"] == type_name
        for client, code in ((neighbour.gql, "FORBIDDEN"), (pending.gql, "NOT_VERIFIED"),
                             (outsider.gql, "FORBIDDEN"), (gql, "UNAUTHENTICATED")):
            assert await client.error_code(NODE, {"id": ids[type_name]}) == code, client


async def test_a_card_taken_at_the_till_is_a_node_for_the_staff_and_admins(
        ids, admin, cashier, rich_resident, pending, outsider, gql):
    gid = ids["MerchantCardRedemption"]
    assert (await _node(cashier.gql, gid))["credits"] == "1.50"
    assert (await _node(admin.gql, gid))["id"] == gid
    for client, code in ((rich_resident.gql, "FORBIDDEN"), (pending.gql, "NOT_VERIFIED"),
                         (outsider.gql, "FORBIDDEN"), (gql, "UNAUTHENTICATED")):
        assert await client.error_code(NODE, {"id": gid}) == code


async def test_node_answers_plugin_disabled_where_merchants_is_off(merchants_on, ids, admin):
    await plugin_admin.disable(merchants_on, "merchants")
    for gid in ids.values():
        assert await admin.gql.error_code(NODE, {"id": gid}) == "PLUGIN_DISABLED"


async def test_a_pending_member_reads_only_the_public_merchants_fields(merchants_on, shop,
                                                                       pending):
    for query in ('{ myMerchants(community: "testville") { id } }',
                  '{ myRedemptions(community: "testville") { nodes { id } } }'):
        assert await pending.gql.error_code(query) == "NOT_VERIFIED"
    public = await pending.gql.data('{ merchants(community: "testville") { nodes { name } } }')
    assert public["merchants"]["nodes"] == [{"name": "Neighbourhood Supermarket"}]
