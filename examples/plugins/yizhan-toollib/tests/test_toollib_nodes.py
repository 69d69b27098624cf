"""``node(id:)`` on the tool library's types: a tool for verified members (as ``tool(id:)``),
a loan for its owner, its borrower and admins (as ``toolLoans``); a pending member sees what
the public sees."""

from __future__ import annotations

from toollib_helpers import TOOLS, add_tool, lent
from yizhan.core.services import plugin_admin

NODE = """query($id: ID!) { node(id: $id) { __typename id
  ... on Tool { name } ... on ToolLoan { status } } }"""


async def test_a_tool_is_a_node_for_verified_members(toollib_on, resident, neighbour, pending,
                                                     gql):
    tool = await add_tool(neighbour)
    found = (await resident.gql.data(NODE, {"id": tool["id"]}))["node"]
    assert found == {"__typename": "Tool", "id": tool["id"], "name": "Bosch drill"}
    assert await pending.gql.error_code(NODE, {"id": tool["id"]}) == "NOT_VERIFIED"
    assert await pending.gql.error_code(TOOLS) == "NOT_VERIFIED"
    assert await gql.error_code(NODE, {"id": tool["id"]}) == "UNAUTHENTICATED"


async def test_a_loan_is_a_node_for_its_owner_borrower_and_admins(
        toollib_on, admin, resident, neighbour, leader, pending):
    loan = await lent(neighbour, resident)
    for actor in (neighbour, resident, admin):
        assert (await actor.gql.data(NODE, {"id": loan["id"]}))["node"]["status"] == "OUT"
    other = await leader.gql.execute(NODE, {"id": loan["id"]})  # another member
    assert other["data"]["node"] is None and "errors" not in other
    assert await pending.gql.error_code(NODE, {"id": loan["id"]}) == "NOT_VERIFIED"
    await plugin_admin.disable(toollib_on, "toollib")
    assert await admin.gql.error_code(NODE, {"id": loan["id"]}) == "PLUGIN_DISABLED"
