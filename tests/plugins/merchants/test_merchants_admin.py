"""Admins register shops, their staff and details; residents find shops near them; staff see
the day's redemptions; every field answers PLUGIN_DISABLED where merchants is off."""

from __future__ import annotations

import pytest
from merchants_helpers import code_for, shop_id, snapshot, submit

from yizhan.core.graphql.ids import to_gid
from yizhan.core.services import plugin_admin
from yizhan.plugins.merchants import service
from yizhan.plugins.merchants.tables import Merchant, MerchantStaff

REGISTER = """mutation($input: RegisterMerchantInput!) { registerMerchant(input: $input) {
  merchant { id name kind address contact startsOn status latitude longitude guarantee
    settlementBalance rules { kind } rating { count average } }
  errors { field code message } } }"""

STAFF = """mutation($input: MerchantStaffInput!) {{ {name}(input: $input) {{
  merchant {{ staff {{ displayName }} }} errors {{ field code }} }} }}"""


def shop_input(**overrides) -> dict:
    """A valid registerMerchant input."""
    values = {"community": "testville", "name": "康宁大药房", "kind": "pharmacy",
              "address": "1号楼底商", "contact": "吴医生 139-0000-0000"}
    values.update(overrides)
    return {"input": values}


async def test_an_admin_registers_a_shop_with_its_settlement_account(merchants_on, admin):
    payload = await admin.gql.mutate(REGISTER, shop_input(
        latitude="30.746500", longitude="120.755000", startsOn="2026-11-20",
        guarantee="300.00"))
    assert payload["errors"] == []
    shop = payload["merchant"]
    assert {k: shop[k] for k in ("name", "kind", "startsOn", "status", "latitude",
                                 "longitude", "guarantee", "settlementBalance")} == {
        "name": "康宁大药房", "kind": "pharmacy", "startsOn": "2026-11-20", "status": "ACTIVE",
        "latitude": "30.7465", "longitude": "120.755", "guarantee": "300.00",
        "settlementBalance": "0.00"}
    assert shop["rating"] == {"count": 0, "average": None}
    accounts = await admin.gql.data(
        'query { creditAccounts(community: "testville", kind: "system") { nodes { code owner '
        'name } } }')
    assert {"code": f"merchants.shop_{(await Merchant.select().first())['id']}",
            "owner": "merchants", "name": "康宁大药房"} in accounts["creditAccounts"]["nodes"]


@pytest.mark.parametrize(("overrides", "field", "code"), [
    ({"name": " "}, "name", "REQUIRED"),
    ({"name": "x" * 81}, "name", "TOO_LONG"),
    ({"kind": "Big Shop"}, "kind", "INVALID_SLUG"),
    ({"address": ""}, "address", "REQUIRED"),
    ({"contact": "a\x00b"}, "contact", "INVALID_TEXT"),
    ({"latitude": "30.5"}, "longitude", "INVALID_LOCATION"),
    ({"latitude": "91", "longitude": "120"}, "latitude", "INVALID_LOCATION"),
    ({"latitude": "30.1234567", "longitude": "120"}, "latitude", "INVALID_LOCATION"),
    ({"startsOn": "2028-01-01"}, "startsOn", "OUT_OF_RANGE"),
    ({"guarantee": "-5"}, "guarantee", "NEGATIVE_AMOUNT"),
    ({"guarantee": "5.555"}, "guarantee", "INVALID_AMOUNT"),
])
async def test_bad_registrations_write_nothing(merchants_on, admin, overrides, field, code):
    before = await snapshot(merchants_on)
    payload = await admin.gql.mutate(REGISTER, shop_input(**overrides))
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(field, code)]
    assert await snapshot(merchants_on) == before


async def test_names_are_unique_among_current_partners(merchants_on, admin):
    assert (await admin.gql.mutate(REGISTER, shop_input()))["errors"] == []
    twice = await admin.gql.mutate(REGISTER, shop_input())
    assert [e["code"] for e in twice["errors"]] == ["NAME_TAKEN"]
    first = await Merchant.select().first()
    await service.end(merchants_on, None, first["id"], "Moved away")
    assert (await admin.gql.mutate(REGISTER, shop_input()))["errors"] == []


async def test_only_admins_register_and_manage(merchants_on, resident, shop):
    denied = await resident.gql.execute(REGISTER, shop_input())
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    for mutation in ('suspendMerchant(input: {merchantId: $id, reason: "x"})',
                     'reinstateMerchant(input: {merchantId: $id})',
                     'endMerchantPartnership(input: {merchantId: $id, reason: "x"})',
                     'updateMerchant(input: {merchantId: $id, name: "x"})'):
        result = await resident.gql.execute(
            f'mutation($id: ID!) {{ {mutation} {{ errors {{ code }} }} }}',
            {"id": shop_id(shop)})
        assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN", mutation
    assert await Merchant.count() == 1


async def test_updating_details(merchants_on, admin, shop):
    query = ('mutation($input: UpdateMerchantInput!) { updateMerchant(input: $input) { '
             'merchant { name contact latitude } errors { field code } } }')
    changed = await admin.gql.mutate(query, {"input": {
        "merchantId": shop_id(shop), "contact": "Ms Zhou 137", "latitude": "30.1",
        "longitude": "120.2"}})
    assert changed == {"merchant": {"name": "Neighbourhood Supermarket",
                                    "contact": "Ms Zhou 137", "latitude": "30.1"},
                       "errors": []}
    cleared = await admin.gql.mutate(query, {"input": {"merchantId": shop_id(shop),
                                                       "clearLocation": True}})
    assert cleared["merchant"]["latitude"] is None
    bad = await admin.gql.mutate(query, {"input": {"merchantId": shop_id(shop), "name": ""}})
    assert [(e["field"], e["code"]) for e in bad["errors"]] == [("name", "REQUIRED")]


async def test_states_move_only_where_they_may(merchants_on, admin, shop):
    async def call(name: str, extra: str = "") -> list[str]:
        result = await admin.gql.mutate(
            f'mutation($id: ID!) {{ {name}(input: {{merchantId: $id{extra}}}) '
            f'{{ merchant {{ status }} errors {{ code }} }} }}', {"id": shop_id(shop)})
        return [e["code"] for e in result["errors"]] or [result["merchant"]["status"]]

    assert await call("reinstateMerchant") == ["NOT_SUSPENDED"]
    assert await call("suspendMerchant", ', reason: ""') == ["REQUIRED"]
    assert await call("suspendMerchant", ', reason: "Stock issues"') == ["SUSPENDED"]
    assert await call("suspendMerchant", ', reason: "Again"') == ["ALREADY_SUSPENDED"]
    assert await call("reinstateMerchant") == ["ACTIVE"]
    assert await call("endMerchantPartnership", ', reason: "Closed"') == ["ENDED"]
    assert await call("reinstateMerchant") == ["MERCHANT_ENDED"]
    assert await call("suspendMerchant", ', reason: "x"') == ["MERCHANT_ENDED"]
    history = await admin.gql.data('query($id: ID!) { merchant(id: $id) { history { action '
                                   'note actor { displayName } } } }', {"id": shop_id(shop)})
    assert [s["action"] for s in history["merchant"]["history"]] == [
        "registered", "staff_added", "suspended", "reinstated", "ended"]
    assert history["merchant"]["history"][2]["actor"] == {"displayName": "Admin1"}


async def test_staff_are_added_and_removed(merchants_on, admin, shop, neighbour, pending,
                                           cashier):
    add = STAFF.format(name="addMerchantStaff")
    remove = STAFF.format(name="removeMerchantStaff")
    added = await admin.gql.mutate(add, {"input": {"merchantId": shop_id(shop),
                                                   "memberId": neighbour.id}})
    assert [m["displayName"] for m in added["merchant"]["staff"]] == ["Cashier1", "Neighbour1"]
    twice = await admin.gql.mutate(add, {"input": {"merchantId": shop_id(shop),
                                                   "memberId": neighbour.id}})
    assert [e["code"] for e in twice["errors"]] == ["ALREADY_STAFF"]
    unverified = await admin.gql.mutate(add, {"input": {"merchantId": shop_id(shop),
                                                        "memberId": pending.id}})
    assert [(e["field"], e["code"]) for e in unverified["errors"]] == [
        ("memberId", "NOT_VERIFIED")]
    gone = await admin.gql.mutate(remove, {"input": {"merchantId": shop_id(shop),
                                                     "memberId": cashier.id}})
    assert [m["displayName"] for m in gone["merchant"]["staff"]] == ["Neighbour1"]
    not_staff = await admin.gql.mutate(remove, {"input": {"merchantId": shop_id(shop),
                                                          "memberId": cashier.id}})
    assert [e["code"] for e in not_staff["errors"]] == ["NOT_STAFF"]
    mine = await neighbour.gql.data('query { myMerchants(community: "testville") { name '
                                    'viewerIsStaff } }')
    assert mine["myMerchants"] == [{"name": "Neighbourhood Supermarket", "viewerIsStaff": True}]
    assert await cashier.gql.data('query { myMerchants(community: "testville") { name } }') \
        == {"myMerchants": []}
    assert await MerchantStaff.count() == 2


async def test_residents_find_shops_nearest_first(merchants_on, resident, admin, shop):
    for name, lat, lon in (("Far pharmacy", "30.760000", "120.770000"),
                           ("Near fruit", "30.746600", "120.755100")):
        assert (await admin.gql.mutate(REGISTER, shop_input(
            name=name, latitude=lat, longitude=lon)))["errors"] == []
    ended = await service.register(merchants_on, None, name="Old bakery", kind="bakery",
                                   address="Gate 9", contact="-")
    await service.end(merchants_on, None, ended["id"], "Closed")
    query = ('query($near: GeoPoint, $first: Int, $after: String) { merchants(community: '
             '"testville", near: $near, first: $first, after: $after) { edges { cursor node '
             '{ name distanceMeters } } pageInfo { hasNextPage endCursor } } }')
    near = {"latitude": "30.746500", "longitude": "120.755000"}
    page = (await resident.gql.data(query, {"near": near, "first": 2}))["merchants"]
    assert [(e["node"]["name"], e["node"]["distanceMeters"]) for e in page["edges"]] == [
        ("Near fruit", 15), ("Far pharmacy", 2076)]
    assert page["pageInfo"]["hasNextPage"] is True
    rest = (await resident.gql.data(query, {"near": near, "first": 2,
                                            "after": page["pageInfo"]["endCursor"]}))[
        "merchants"]
    assert [(e["node"]["name"], e["node"]["distanceMeters"]) for e in rest["edges"]] == [
        ("Neighbourhood Supermarket", None)]
    by_name = (await resident.gql.data(query, {}))["merchants"]["edges"]
    assert [e["node"]["name"] for e in by_name] == ["Far pharmacy", "Near fruit",
                                                   "Neighbourhood Supermarket"]
    denied = await resident.gql.execute(
        'query { merchants(community: "testville", status: ENDED) { nodes { name } } }')
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    ended_list = await admin.gql.data(
        'query { merchants(community: "testville", status: ENDED) { nodes { name } } }')
    assert ended_list["merchants"]["nodes"] == [{"name": "Old bakery"}]
    anonymous = await resident.gql.as_(None).data(
        'query { merchants(community: "testville", kind: "pharmacy") { nodes { name '
        'settlementBalance guarantee } } }')
    assert anonymous["merchants"]["nodes"] == [
        {"name": "Far pharmacy", "settlementBalance": None, "guarantee": None},
        {"name": "Near fruit", "settlementBalance": None, "guarantee": None}]


async def test_staff_see_the_days_redemptions(merchants_on, shop, cashier, rich_resident,
                                              resident, clock):
    await submit(cashier, shop, await code_for(rich_resident), "10.00")
    clock.advance(days=1)
    today = await submit(cashier, shop, await code_for(rich_resident), "20.00")
    query = ('query($id: ID!, $day: Date) { merchantRedemptions(merchantId: $id, day: $day) '
             '{ nodes { orderAmount resident { displayName } } } }')
    found = await cashier.gql.data(query, {"id": shop_id(shop)})
    assert found["merchantRedemptions"]["nodes"] == [
        {"orderAmount": "20.00", "resident": {"displayName": "Resident1"}}]
    yesterday = await cashier.gql.data(query, {"id": shop_id(shop), "day": "2026-11-02"})
    assert [n["orderAmount"] for n in yesterday["merchantRedemptions"]["nodes"]] == ["10.00"]
    outsider = await resident.gql.as_(None).execute(query, {"id": shop_id(shop)})
    assert outsider["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    receipt = await rich_resident.gql.data('query($id: ID!) { merchantRedemption(id: $id) '
                                           '{ toPay } }', {"id": today["redemption"]["id"]})
    assert receipt["merchantRedemption"] == {"toPay": "0.00"}


async def test_others_cannot_read_a_receipt(merchants_on, shop, cashier, rich_resident,
                                            neighbour):
    sold = await submit(cashier, shop, await code_for(rich_resident), "10.00")
    result = await neighbour.gql.execute('query($id: ID!) { merchantRedemption(id: $id) '
                                         '{ toPay } }', {"id": sold["redemption"]["id"]})
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_unknown_ids_are_not_found(merchants_on, admin):
    result = await admin.gql.execute('query($id: ID!) { merchant(id: $id) { name } }',
                                     {"id": to_gid("Merchant", 999)})
    assert result["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    wrong = await admin.gql.execute('query($id: ID!) { merchant(id: $id) { name } }',
                                    {"id": to_gid("Need", 1)})
    assert wrong["errors"][0]["extensions"]["code"] == "INVALID_ID"


async def test_enabling_merchants_needs_credits(community, enable_plugin):
    from yizhan.core.errors import YizhanError

    with pytest.raises(YizhanError) as refused:
        await enable_plugin(community, "merchants")
    assert refused.value.code == "PLUGIN_REQUIRES"


# --- PLUGIN_DISABLED -------------------------------------------------------------------------

QUERIES = [
    'query { merchants(community: "testville") { nodes { name } } }',
    'query { myMerchants(community: "testville") { name } }',
    'query { myRedemptions(community: "testville") { nodes { id } } }',
    'query { merchantBoard(community: "testville") { month } }',
    'query { communityProfile(community: "testville") { households } }',
    'mutation { registerMerchant(input: {community: "testville", name: "x", kind: "x", '
    'address: "x", contact: "x"}) { errors { code } } }',
    'mutation { requestRedemptionCode(input: {community: "testville"}) { errors { code } } }',
]

BY_ID = [
    ('query($id: ID!) { merchant(id: $id) { name } }', "shop"),
    ('query($id: ID!) { merchantRedemptions(merchantId: $id) { nodes { id } } }', "shop"),
    ('query($id: ID!) { merchantSettlement(merchantId: $id) { month } }', "shop"),
    ('query($id: ID!) { merchantRedemption(id: $id) { id } }', "redemption"),
    ('mutation($id: ID!) { updateMerchant(input: {merchantId: $id, name: "y"}) '
     '{ errors { code } } }', "shop"),
    ('mutation($id: ID!, $m: ID!) { addMerchantStaff(input: {merchantId: $id, memberId: $m}) '
     '{ errors { code } } }', "shop"),
    ('mutation($id: ID!, $m: ID!) { removeMerchantStaff(input: {merchantId: $id, '
     'memberId: $m}) { errors { code } } }', "shop"),
    ('mutation($id: ID!) { addMerchantRule(input: {merchantId: $id, kind: CAP, cap: "1"}) '
     '{ errors { code } } }', "shop"),
    ('mutation($id: ID!) { withdrawMerchantRule(input: {ruleId: $id}) { errors { code } } }',
     "rule"),
    ('mutation($id: ID!) { suspendMerchant(input: {merchantId: $id, reason: "x"}) '
     '{ errors { code } } }', "shop"),
    ('mutation($id: ID!) { reinstateMerchant(input: {merchantId: $id}) { errors { code } } }',
     "shop"),
    ('mutation($id: ID!) { endMerchantPartnership(input: {merchantId: $id, reason: "x"}) '
     '{ errors { code } } }', "shop"),
    ('mutation($id: ID!) { submitRedemption(input: {merchantId: $id, code: "x", '
     'orderAmount: "1", category: "daily"}) { errors { code } } }', "shop"),
    ('mutation($id: ID!) { voidRedemption(input: {redemptionId: $id, reason: "x"}) '
     '{ errors { code } } }', "redemption"),
    ('mutation($id: ID!) { rateRedemption(input: {redemptionId: $id, stars: 5, smooth: true, '
     'discountReal: true}) { errors { code } } }', "redemption"),
]


@pytest.fixture
async def switched_off(merchants_on, admin, shop, cashier, rich_resident):
    """Merchants was on (a shop, a rule, a redemption), then switched off."""
    from merchants_helpers import add_rule

    rule = await add_rule(admin, shop, "CAP", cap="3")
    sold = await submit(cashier, shop, await code_for(rich_resident), "10.00")
    await plugin_admin.disable(merchants_on, "merchants")
    return {"shop": shop_id(shop), "rule": rule["rule"]["id"],
            "redemption": sold["redemption"]["id"], "member": admin.id}


@pytest.mark.parametrize("query", QUERIES)
async def test_fields_answer_plugin_disabled(switched_off, admin, query):
    assert await admin.gql.error_code(query) == "PLUGIN_DISABLED"


@pytest.mark.parametrize(("query", "target"), BY_ID)
async def test_fields_by_id_answer_plugin_disabled(switched_off, admin, query, target):
    variables = {"id": switched_off[target], "m": switched_off["member"]}
    if "$m" not in query:
        variables.pop("m")
    assert await admin.gql.error_code(query, variables) == "PLUGIN_DISABLED"


async def test_the_sweep_skips_communities_where_merchants_is_off(switched_off, clock):
    from yizhan.core import jobs
    from yizhan.plugins.merchants.tables import Board

    clock.advance(days=40)
    await jobs.run_due(force=True)
    assert await Board.count() == 0


async def test_never_enabled_community(community, admin):
    assert await admin.gql.error_code(QUERIES[0]) == "PLUGIN_DISABLED"


@pytest.mark.parametrize(("settings", "field"), [
    ({"qr_template": "no code here"}, "qr_template"),
    ({"yuan_per_credit": "0"}, "yuan_per_credit"),
    ({"yuan_per_credit": "10.001"}, "yuan_per_credit"),
    ({"leader_extra_discount_percent": "60"}, "leader_extra_discount_percent"),
    ({"suspend_below": "6"}, "suspend_below"),
    ({"code_valid_minutes": 0}, "code_valid_minutes"),
])
async def test_bad_settings_are_refused(merchants_on, admin, settings, field):
    from yizhan.core.errors import YizhanError

    with pytest.raises(YizhanError) as refused:
        await plugin_admin.configure(merchants_on, "merchants", settings)
    assert refused.value.code == "INVALID_SETTING"
    assert refused.value.field in (field, "settings")
