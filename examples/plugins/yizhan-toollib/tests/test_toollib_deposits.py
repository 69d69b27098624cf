"""Deposits in credits, where the community has credits on — through its service API."""

from __future__ import annotations

from toollib_helpers import act, add_tool, balance, configure, lent, remind, request, switch

from yizhan_toollib.tables import Loan


async def _deposits(community: dict) -> int:
    from yizhan.plugins.credits import service as credits

    return await credits.account_balance(community, "toollib.deposits")


async def test_the_deposit_is_held_while_out_and_returned_with_the_tool(credits_on, resident,
                                                                        neighbour):
    loan = await lent(neighbour, resident)
    assert loan["deposit"] == "0.50" and loan["depositStatus"] == "HELD"
    assert loan["tool"] == {"name": "Bosch drill", "available": False}
    assert await balance(resident) == "-0.50"
    assert await _deposits(credits_on) == 50

    back = await act(neighbour, "returnTool", loan)
    assert back["loan"]["depositStatus"] == "REFUNDED"
    assert await balance(resident) == "0.00"
    assert await balance(neighbour) == "0.00"
    assert await _deposits(credits_on) == 0


async def test_a_lost_tool_pays_its_deposit_to_the_owner(credits_on, resident, neighbour):
    loan = await lent(neighbour, resident, deposit="2.00")
    lost = await act(neighbour, "reportToolLost", loan, note="Left it on the bus")
    assert lost["loan"]["status"] == "LOST" and lost["loan"]["depositStatus"] == "FORFEITED"
    assert lost["loan"]["tool"]["available"] is False
    assert await balance(resident) == "-2.00"
    assert await balance(neighbour) == "2.00"
    assert await _deposits(credits_on) == 0


async def test_a_request_the_borrower_cannot_cover_is_refused(credits_on, resident, neighbour,
                                                              admin):
    await configure(admin, "credits", credit_limit="0")
    tool = await add_tool(neighbour)
    refused = await request(resident, tool)
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [
        ("toolId", "DEPOSIT_NOT_COVERED")]
    assert refused["errors"][0]["message"] == (
        "The borrower cannot cover the deposit of 0.50 credits right now (0.00 available).")
    assert await Loan.count() == 0


async def test_a_hand_over_the_borrower_can_no_longer_cover_changes_nothing(
        credits_on, resident, neighbour, admin):
    tool = await add_tool(neighbour)
    loan = (await request(resident, tool))["loan"]
    await configure(admin, "credits", credit_limit="0")
    refused = await act(neighbour, "lendTool", loan)
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [
        ("loanId", "DEPOSIT_NOT_COVERED")]
    row = await Loan.select().first()
    assert row["status"] == "requested" and row["due_at"] is None
    assert row["deposit_status"] == "none"
    assert await balance(resident) == "0.00"


async def test_no_deposit_for_a_tool_that_asks_none(credits_on, resident, neighbour):
    loan = await lent(neighbour, resident, deposit="0")
    assert loan["depositStatus"] == "NONE" and await balance(resident) == "0.00"


async def test_a_return_while_credits_is_off_refunds_once_it_is_back(credits_on, resident,
                                                                     neighbour, admin):
    loan = await lent(neighbour, resident)
    await switch(admin, "credits", False)
    back = await act(neighbour, "returnTool", loan)
    assert back["errors"] == [] and back["loan"]["status"] == "RETURNED"
    assert back["loan"]["depositStatus"] == "REFUND_DUE"
    assert await remind() == 0  # credits is still off: nothing can move
    await switch(admin, "credits", True)
    assert await remind() == 1
    assert await remind() == 0
    row = await Loan.select().first()
    assert row["deposit_status"] == "refunded"
    assert await balance(resident) == "0.00"
    assert await _deposits(credits_on) == 0
