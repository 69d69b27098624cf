"""``node(id:)`` on the credits plugin's types answers exactly whom their own queries answer:
admins for accounts, batches and cards; admins and the members it moved credits for for a
transaction; nobody where credits is off. A pending member reads only what the public does."""

from datetime import date

import pytest
from credits_helpers import BALANCE, STATEMENT, help_with

from yizhan.core.services import plugin_admin
from yizhan.plugins.credits import vouchers

NODE = """query($id: ID!) { node(id: $id) { __typename id
  ... on CreditTransaction { kind amount }
  ... on CreditAccount { code balance }
  ... on CreditVoucherBatch { label count }
  ... on CreditVoucher { code status } } }"""


async def _ids(credits_on, admin, resident, neighbour) -> dict[str, str]:
    await help_with(credits_on, resident.member, neighbour.member, "1.50")
    await vouchers.issue(credits_on, count=1, amount=100, expires_on=date(2027, 3, 31),
                         label="Stand")
    line = (await resident.gql.data(STATEMENT))["myCreditStatement"]["edges"][0]["node"]
    data = await admin.gql.data("""{
      creditAccounts(community: "testville", kind: "member") { nodes { id } }
      creditVoucherBatches(community: "testville") { nodes { id } }
      creditVouchers(community: "testville") { nodes { id } } }""")
    return {"CreditTransaction": line["transaction"]["id"],
            "CreditAccount": data["creditAccounts"]["nodes"][0]["id"],
            "CreditVoucherBatch": data["creditVoucherBatches"]["nodes"][0]["id"],
            "CreditVoucher": data["creditVouchers"]["nodes"][0]["id"]}


async def _node(actor, gid: str) -> dict | None:
    return (await actor.gql.data(NODE, {"id": gid}))["node"]


async def test_node_answers_admins_for_every_credits_type(credits_on, admin, resident,
                                                          neighbour):
    ids = await _ids(credits_on, admin, resident, neighbour)
    for type_name, gid in ids.items():
        found = await _node(admin, gid)
        assert found["__typename"] == type_name and found["id"] == gid


@pytest.mark.parametrize("type_name", ["CreditAccount", "CreditVoucherBatch", "CreditVoucher"])
async def test_admin_only_types_refuse_everyone_else_as_their_lists_do(
        credits_on, admin, resident, neighbour, pending, outsider, gql, type_name):
    gid = (await _ids(credits_on, admin, resident, neighbour))[type_name]
    for actor, code in ((resident, "FORBIDDEN"), (pending, "FORBIDDEN"),
                        (outsider, "FORBIDDEN")):
        assert await actor.gql.error_code(NODE, {"id": gid}) == code
    assert await gql.error_code(NODE, {"id": gid}) == "UNAUTHENTICATED"


async def test_a_transaction_is_a_node_for_the_members_it_moved_credits_for_only(
        credits_on, admin, resident, neighbour, leader, pending, outsider, gql):
    gid = (await _ids(credits_on, admin, resident, neighbour))["CreditTransaction"]
    assert (await _node(resident, gid))["kind"] == "need_payment"
    assert (await _node(neighbour, gid))["amount"] == "1.50"
    result = await leader.gql.execute(NODE, {"id": gid})  # another resident: not on theirs
    assert result["data"]["node"] is None and "errors" not in result
    assert await pending.gql.error_code(NODE, {"id": gid}) == "NOT_VERIFIED"
    assert await outsider.gql.error_code(NODE, {"id": gid}) == "FORBIDDEN"
    assert await gql.error_code(NODE, {"id": gid}) == "UNAUTHENTICATED"


async def test_node_answers_plugin_disabled_where_credits_is_off(credits_on, admin, resident,
                                                                 neighbour):
    ids = await _ids(credits_on, admin, resident, neighbour)
    await plugin_admin.disable(credits_on, "credits")
    for gid in ids.values():
        assert await admin.gql.error_code(NODE, {"id": gid}) == "PLUGIN_DISABLED"


async def test_a_pending_member_reads_only_the_public_credits_fields(credits_on, pending):
    for query in (BALANCE, STATEMENT):
        assert await pending.gql.error_code(query) == "NOT_VERIFIED"
    board = await pending.gql.data('{ creditRuleBoard(community: "testville") { payer } }')
    assert board["creditRuleBoard"]["payer"] == "requester"
