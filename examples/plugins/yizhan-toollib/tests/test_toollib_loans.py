"""Lending a tool: request, hand over, due date, return — and every refusal, writing nothing."""

from __future__ import annotations

import asyncio

import pytest
from toollib_helpers import (
    ADD,
    LOANS,
    TOOLS,
    UPDATE,
    act,
    add_tool,
    configure,
    inbox,
    lent,
    request,
    switch,
)
from yizhan.core.api import pk_of, to_gid

from yizhan_toollib import service
from yizhan_toollib.tables import Loan, Tool


async def test_a_drill_is_lent_for_three_days_and_comes_back(toollib_on, resident, neighbour):
    tool = await add_tool(neighbour, description="With a set of bits")
    assert tool == {"id": tool["id"], "name": "Bosch drill", "category": "drill",
                    "deposit": "0.50", "depositApplies": False, "maxLoanDays": 30,
                    "listed": True, "available": True, "owner": {"displayName": "Neighbour1"}}
    shelf = (await resident.gql.data(TOOLS, {"f": {"available": True}}))["tools"]["nodes"]
    assert [t["name"] for t in shelf] == ["Bosch drill"]

    asked = await request(resident, tool, days=3, note="To hang shelves")
    assert asked["errors"] == []
    loan = asked["loan"]
    assert loan["status"] == "REQUESTED" and loan["days"] == 3 and loan["dueAt"] is None
    assert loan["tool"]["available"] is False
    (told,) = await inbox(neighbour)
    assert told == {"kind": "toollib.requested",
                    "body": "Resident1 would like to borrow \u201cBosch drill\u201d for 3 days."}

    handed = await act(neighbour, "lendTool", loan)
    assert handed["errors"] == []
    out = handed["loan"]
    assert out["status"] == "OUT" and out["dueAt"] == "2026-11-05T01:00:00+00:00"
    assert out["depositStatus"] == "NONE" and out["overdue"] is False  # credits is off
    assert (await inbox(resident))[0] == {
        "kind": "toollib.lent", "body": "You borrowed \u201cBosch drill\u201d from Neighbour1. "
                                        "Please bring it back by 2026-11-05 09:00."}

    back = await act(neighbour, "returnTool", loan)
    assert back["errors"] == [] and back["loan"]["status"] == "RETURNED"
    assert back["loan"]["tool"]["available"] is True
    assert (await inbox(resident))[0]["kind"] == "toollib.returned"
    mine = (await resident.gql.data(LOANS, {"r": "BORROWING", "o": False}))["toolLoans"]
    assert [n["status"] for n in mine["nodes"]] == ["RETURNED"]


@pytest.mark.parametrize(("fields", "field", "code"), [
    ({"name": "  "}, "name", "REQUIRED"),
    ({"name": "x" * 81}, "name", "TOO_LONG"),
    ({"category": "power tools"}, "category", "INVALID_CATEGORY"),
    ({"category": ""}, "category", "INVALID_CATEGORY"),
    ({"deposit": "5.01"}, "deposit", "DEPOSIT_TOO_HIGH"),
    ({"deposit": "-1"}, "deposit", "NEGATIVE_AMOUNT"),
    ({"deposit": "0.555"}, "deposit", "INVALID_AMOUNT"),
    ({"deposit": "lots"}, "deposit", "INVALID_AMOUNT"),
    ({"maxLoanDays": 0}, "maxLoanDays", "OUT_OF_RANGE"),
    ({"maxLoanDays": 31}, "maxLoanDays", "OUT_OF_RANGE"),
])
async def test_a_bad_tool_is_refused_and_nothing_is_written(toollib_on, neighbour, fields,
                                                            field, code):
    base = {"community": "testville", "name": "Ladder", "category": "ladder"}
    payload = await neighbour.gql.mutate(ADD, {"i": {**base, **fields}})
    assert payload["tool"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(field, code)]
    assert await Tool.count() == 0


@pytest.mark.parametrize(("days", "code"), [(0, "OUT_OF_RANGE"), (8, "OUT_OF_RANGE")])
async def test_a_loan_longer_than_the_owner_allows_is_refused(toollib_on, resident, neighbour,
                                                              days, code):
    tool = await add_tool(neighbour, maxLoanDays=7)
    payload = await request(resident, tool, days=days)
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("days", code)]
    assert await Loan.count() == 0
    assert (await resident.gql.data(TOOLS))["tools"]["nodes"][0]["available"] is True


async def test_who_may_borrow_and_when(toollib_on, resident, neighbour, leader, pending):
    tool = await add_tool(neighbour)
    own = await request(neighbour, tool)
    assert own["errors"][0]["code"] == "OWN_TOOL"
    assert await pending.gql.error_code(
        "mutation($i: RequestToolLoanInput!) { requestToolLoan(input: $i) { errors { code } } }",
        {"i": {"toolId": tool["id"]}}) == "NOT_VERIFIED"
    first = await request(resident, tool)
    assert first["errors"] == []
    second = await request(leader, tool)
    assert second["errors"][0]["code"] == "TOOL_NOT_AVAILABLE"
    assert await Loan.count() == 1


async def test_a_tool_off_the_shelf_cannot_be_asked_for(toollib_on, resident, neighbour,
                                                        admin):
    tool = await add_tool(neighbour)
    refused = await resident.gql.execute(UPDATE, {"i": {"toolId": tool["id"], "listed": False}})
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    shelved = await neighbour.gql.mutate(UPDATE, {"i": {"toolId": tool["id"], "listed": False}})
    assert shelved["tool"]["listed"] is False and shelved["tool"]["available"] is False
    assert (await request(resident, tool))["errors"][0]["code"] == "TOOL_NOT_AVAILABLE"
    assert (await resident.gql.data(TOOLS))["tools"]["nodes"] == []
    back = await admin.gql.mutate(UPDATE, {"i": {"toolId": tool["id"], "listed": True,
                                                 "deposit": "1.00"}})
    assert back["tool"]["listed"] is True and back["tool"]["deposit"] == "1.00"


async def test_a_member_may_have_only_so_many_tools_at_once(toollib_on, resident, neighbour,
                                                            admin):
    await configure(admin, "toollib", max_open_loans=2)
    tools = [await add_tool(neighbour, name=f"Tool {i}") for i in range(3)]
    assert (await request(resident, tools[0]))["errors"] == []
    assert (await request(resident, tools[1]))["errors"] == []
    third = await request(resident, tools[2])
    assert [(e["field"], e["code"]) for e in third["errors"]] == [("toolId", "TOO_MANY_LOANS")]
    assert await Loan.count() == 2


async def test_only_the_owner_hands_over_and_steps_follow_the_order(toollib_on, resident,
                                                                    neighbour, leader):
    tool = await add_tool(neighbour)
    loan = (await request(resident, tool))["loan"]
    assert await resident.gql.error_code(
        "mutation($i: ToolLoanInput!) { lendTool(input: $i) { errors { code } } }",
        {"i": {"loanId": loan["id"]}}) == "FORBIDDEN"
    early = await act(neighbour, "returnTool", loan)
    assert early["errors"][0]["code"] == "INVALID_LOAN_STATE"
    assert early["errors"][0]["message"] == "A loan that is requested cannot be returned."
    declined = await act(neighbour, "declineToolLoan", loan, reason="I need it this week")
    assert declined["loan"]["status"] == "DECLINED"
    assert declined["loan"]["closeReason"] == "I need it this week"
    assert (await inbox(resident))[0]["kind"] == "toollib.declined"
    again = await act(neighbour, "lendTool", loan)
    assert again["errors"][0]["code"] == "INVALID_LOAN_STATE"
    # Declined, the tool is free for someone else.
    assert (await request(leader, tool))["errors"] == []


async def test_the_borrower_may_withdraw_a_request(toollib_on, resident, neighbour):
    tool = await add_tool(neighbour)
    loan = (await request(resident, tool))["loan"]
    assert await neighbour.gql.error_code(
        "mutation($i: ToolLoanInput!) { cancelToolLoan(input: $i) { errors { code } } }",
        {"i": {"loanId": loan["id"]}}) == "FORBIDDEN"
    cancelled = await act(resident, "cancelToolLoan", loan)
    assert cancelled["loan"]["status"] == "CANCELLED"
    assert cancelled["loan"]["tool"]["available"] is True
    assert (await inbox(neighbour))[0] == {
        "kind": "toollib.cancelled", "body": "Resident1 no longer needs \u201cBosch drill\u201d."}


async def test_two_neighbours_asking_at_once_cannot_both_win(toollib_on, resident, neighbour,
                                                             leader):
    tool = await add_tool(neighbour)
    pk = pk_of(tool["id"], "Tool")
    results = await asyncio.gather(
        service.request_loan(toollib_on, resident.member, pk),
        service.request_loan(toollib_on, leader.member, pk), return_exceptions=True)
    won = [r for r in results if isinstance(r, dict)]
    lost = [r for r in results if not isinstance(r, dict)]
    assert len(won) == 1 and len(lost) == 1
    assert getattr(lost[0], "code", None) == "TOOL_NOT_AVAILABLE" or "unique" in str(
        lost[0]).lower()
    assert await Loan.count() == 1
    row = await Tool.select(Tool.current_loan).first()
    assert row["current_loan"] == won[0]["id"]


async def test_who_sees_the_current_loan(toollib_on, resident, neighbour, leader, admin):
    await lent(neighbour, resident)
    query = """query { tools(community: "testville") { nodes { currentLoan {
      borrower { displayName } } } } }"""
    for actor, expected in ((neighbour, "Resident1"), (resident, "Resident1"),
                            (admin, "Resident1"), (leader, None)):
        (node,) = (await actor.gql.data(query))["tools"]["nodes"]
        loan = node["currentLoan"]
        assert (loan["borrower"]["displayName"] if loan else None) == expected
    assert await leader.gql.error_code(LOANS, {"r": "ALL", "o": False}) == "FORBIDDEN"
    everyone = (await admin.gql.data(LOANS, {"r": "ALL", "o": False}))["toolLoans"]["nodes"]
    assert len(everyone) == 1


async def test_every_field_answers_plugin_disabled_where_off(community, resident, neighbour):
    assert await resident.gql.error_code(TOOLS) == "PLUGIN_DISABLED"
    assert await resident.gql.error_code(LOANS, {"r": "MINE", "o": False}) == "PLUGIN_DISABLED"
    assert await neighbour.gql.error_code(ADD, {"i": {
        "community": "testville", "name": "Ladder", "category": "ladder"}}) == \
        "PLUGIN_DISABLED"


async def test_a_tool_of_a_community_where_it_was_switched_off(toollib_on, resident,
                                                               neighbour, admin):
    tool = await add_tool(neighbour)
    await switch(admin, "toollib", False)
    assert await resident.gql.error_code(
        "mutation($i: RequestToolLoanInput!) { requestToolLoan(input: $i) { errors { code } } }",
        {"i": {"toolId": tool["id"]}}) == "PLUGIN_DISABLED"
    assert await resident.gql.error_code(
        "query($id: ID!) { tool(id: $id) { name } }", {"id": tool["id"]}) == "PLUGIN_DISABLED"


async def test_unknown_or_garbage_ids(toollib_on, resident):
    missing = await resident.gql.execute(
        "mutation($i: RequestToolLoanInput!) { requestToolLoan(input: $i) { errors { code } } }",
        {"i": {"toolId": to_gid("Tool", 999)}})
    assert missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    garbage = await resident.gql.mutate(
        "mutation($i: RequestToolLoanInput!) { requestToolLoan(input: $i) { errors { code } } }",
        {"i": {"toolId": to_gid("Need", 1)}})
    assert garbage == {"errors": [{"code": "INVALID_ID"}]}
