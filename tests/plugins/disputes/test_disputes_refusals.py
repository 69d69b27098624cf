"""Every refusal has a clear code and writes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from disputes_helpers import (
    DECIDE,
    OPEN,
    OVERTURN,
    REASSIGN,
    STATEMENT,
    done_need,
    need_gid,
    snapshot,
)
from test_disputes_life import _open

from yizhan.core.services import needs, plugin_admin


def _open_input(community, need, **extra):
    return {"input": {"community": community["slug"], "needId": need_gid(need),
                      "category": "POORLY_DONE", "description": "It broke again.", **extra}}


async def _refused(actor, document, variables, community) -> str:
    """The single error code of a refused mutation, checking nothing was written."""
    before = await snapshot(community["id"])
    result = await actor.gql.execute(document, variables)
    after = await snapshot(community["id"])
    assert after == before
    if result.get("errors"):
        return result["errors"][0]["extensions"]["code"]
    (payload,) = result["data"].values()
    assert payload["dispute"] is None
    (error,) = payload["errors"]
    return error["code"]


async def test_a_stranger_cannot_open_a_dispute(disputes_on, paying_resident, neighbour,
                                                deputy):
    need = await done_need(disputes_on, paying_resident, neighbour)
    for stranger in (deputy, neighbour):  # neither the requester nor who posted it
        assert await _refused(stranger, OPEN, _open_input(disputes_on, need),
                              disputes_on) == "FORBIDDEN"


async def test_a_second_dispute_on_the_same_need_is_refused(disputes_on, paying_resident,
                                                            neighbour, leader):
    need = await done_need(disputes_on, paying_resident, neighbour)
    dispute = await _open(disputes_on, paying_resident, need)
    assert await _refused(paying_resident, OPEN, _open_input(disputes_on, need),
                          disputes_on) == "DISPUTE_EXISTS"
    await leader.gql.mutate(DECIDE, {"input": {"disputeId": dispute["id"],
                                               "outcome": "DISMISSED", "reason": "Fine."}})
    assert await _refused(paying_resident, OPEN, _open_input(disputes_on, need),
                          disputes_on) == "DISPUTE_EXISTS"


async def test_only_done_or_recently_confirmed_needs(disputes_on, paying_resident, neighbour,
                                                     clock):
    need = await done_need(disputes_on, paying_resident, neighbour)
    accepted = await needs.post(disputes_on, paying_resident.member, title="Water plants",
                                category="errand", window_start=clock.now(),
                                window_end=clock.now() + timedelta(hours=5),
                                estimated_minutes=10)
    assert await _refused(paying_resident, OPEN, _open_input(disputes_on, accepted),
                          disputes_on) == "NEED_NOT_DONE"
    await needs.confirm(disputes_on, paying_resident.member, need["id"])
    clock.advance(days=7, minutes=1)
    assert await _refused(paying_resident, OPEN, _open_input(disputes_on, need),
                          disputes_on) == "DISPUTE_WINDOW_CLOSED"


async def test_a_confirmed_need_may_be_disputed_within_the_window(disputes_on, paying_resident,
                                                                  neighbour, leader, clock):
    need = await done_need(disputes_on, paying_resident, neighbour)
    await needs.confirm(disputes_on, paying_resident.member, need["id"])
    clock.advance(days=6)
    dispute = await _open(disputes_on, paying_resident, need)
    decided = await leader.gql.mutate(DECIDE, {"input": {
        "disputeId": dispute["id"], "outcome": "COMPENSATE", "reason": "Leaks."}})
    assert decided["errors"] == [] and decided["dispute"]["release"] is None
    assert decided["dispute"]["need"]["status"] == "CONFIRMED"


async def test_a_party_cannot_decide_and_nobody_decides_twice(disputes_on, paying_resident,
                                                              neighbour, leader, deputy):
    need = await done_need(disputes_on, paying_resident, neighbour)
    dispute = await _open(disputes_on, paying_resident, need)
    decide = {"input": {"disputeId": dispute["id"], "outcome": "COMPENSATE",
                        "reason": "I say so."}}
    for party in (paying_resident, neighbour):
        assert await _refused(party, DECIDE, decide, disputes_on) == "PARTY_CANNOT_DECIDE"
    # another leader does not even see it
    assert await _refused(deputy, DECIDE, decide, disputes_on) == "NOT_FOUND"
    first = await leader.gql.mutate(DECIDE, decide)
    assert first["errors"] == []
    assert await _refused(leader, DECIDE, decide, disputes_on) == "DISPUTE_DECIDED"


async def test_compensating_with_credits_off_is_refused_redo_and_dismiss_work(
        disputes_only, resident, neighbour, leader):
    need = await done_need(disputes_only, resident, neighbour, credits_amount="0")
    dispute = await _open(disputes_only, resident, need)
    for outcome in ("COMPENSATE", "REDO_AND_COMPENSATE"):
        assert await _refused(leader, DECIDE, {"input": {
            "disputeId": dispute["id"], "outcome": outcome, "reason": "Leaks."}},
            disputes_only) == "COMPENSATION_UNAVAILABLE"
    decided = await leader.gql.mutate(DECIDE, {"input": {
        "disputeId": dispute["id"], "outcome": "REDO", "reason": "Leaks."}})
    assert decided["errors"] == [] and decided["dispute"]["redoNeed"]["status"] == "ACCEPTED"


async def test_compensation_is_capped_and_the_fund_must_cover_it(disputes_on, paying_resident,
                                                                 neighbour, leader):
    need = await done_need(disputes_on, paying_resident, neighbour)
    dispute = await _open(disputes_on, paying_resident, need)
    assert await _refused(leader, DECIDE, {"input": {
        "disputeId": dispute["id"], "outcome": "COMPENSATE", "compensation": "10.01",
        "reason": "Much."}}, disputes_on) == "COMPENSATION_TOO_HIGH"
    await plugin_admin.configure(disputes_on, "disputes", {"max_compensation": "50"})
    assert await _refused(leader, DECIDE, {"input": {  # the fund holds only 20
        "disputeId": dispute["id"], "outcome": "COMPENSATE", "compensation": "30",
        "reason": "Much."}}, disputes_on) == "INSUFFICIENT_FUNDS"


@pytest.mark.parametrize("field, value, code", [
    ("category", "BROKEN", "GRAPHQL_VALIDATION_FAILED"),
    ("description", "", "REQUIRED"),
    ("description", "x" * 2001, "TOO_LONG"),
    ("photos", ["p"] * 7, "TOO_MANY_PHOTOS"),
])
async def test_bad_input_to_open(disputes_on, paying_resident, neighbour, field, value, code):
    need = await done_need(disputes_on, paying_resident, neighbour)
    variables = _open_input(disputes_on, need)
    variables["input"][field] = value
    assert await _refused(paying_resident, OPEN, variables, disputes_on) == code


async def test_statements_reassign_and_overturn_refusals(disputes_on, paying_resident,
                                                         neighbour, leader, admin, deputy,
                                                         clock):
    need = await done_need(disputes_on, paying_resident, neighbour)
    dispute = await _open(disputes_on, paying_resident, need)
    gid = dispute["id"]
    assert await _refused(deputy, STATEMENT, {"input": {"disputeId": gid, "body": "Hi"}},
                          disputes_on) == "NOT_FOUND"
    assert await _refused(admin, STATEMENT, {"input": {"disputeId": gid, "body": "Hi"}},
                          disputes_on) == "FORBIDDEN"
    assert await _refused(leader, REASSIGN, {"input": {
        "disputeId": gid, "mediatorId": deputy.id}}, disputes_on) == "FORBIDDEN"
    assert await _refused(admin, REASSIGN, {"input": {
        "disputeId": gid, "mediatorId": neighbour.id}}, disputes_on) == "MEDIATOR_IS_PARTY"
    overturn = {"input": {"disputeId": gid, "outcome": "DISMISSED", "reason": "No."}}
    assert await _refused(admin, OVERTURN, overturn, disputes_on) == "DISPUTE_NOT_DECIDED"
    await leader.gql.mutate(DECIDE, {"input": {"disputeId": gid, "outcome": "COMPENSATE",
                                               "reason": "Leaks."}})
    assert await _refused(leader, OVERTURN, overturn, disputes_on) == "FORBIDDEN"
    assert await _refused(paying_resident, STATEMENT, {"input": {
        "disputeId": gid, "body": "More"}}, disputes_on) == "DISPUTE_DECIDED"
    clock.advance(hours=72, minutes=1)
    assert await _refused(admin, OVERTURN, overturn, disputes_on) == "OVERTURN_WINDOW_CLOSED"


async def test_disputes_off_refuses_every_field(community, resident, neighbour, enable_plugin):
    await enable_plugin(community, "credits")
    need = await done_need(community, resident, neighbour, credits_amount="0")
    result = await resident.gql.execute(OPEN, _open_input(community, need))
    assert result["errors"][0]["extensions"]["code"] == "PLUGIN_DISABLED"
