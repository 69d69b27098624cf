"""The whole life of a dispute through GraphQL, in each outcome, with the movable clock."""

from __future__ import annotations

from disputes_helpers import (
    CONFIRM,
    DECIDE,
    NOTICES,
    ONE,
    OPEN,
    PROMISE,
    STATEMENT,
    balance,
    done_need,
    fund_balance,
    need_gid,
)


async def _open(community, actor, need, category="POORLY_DONE"):
    payload = await actor.gql.mutate(OPEN, {"input": {
        "community": community["slug"], "needId": need_gid(need), "category": category,
        "description": "The tap drips again the next day.", "photos": ["photos/tap.jpg"]}})
    assert payload["errors"] == []
    return payload["dispute"]


async def test_compensate_moves_exactly_the_compensation_from_the_fund(
        disputes_on, paying_resident, neighbour, leader, clock):
    need = await done_need(disputes_on, paying_resident, neighbour, "1.00")
    dispute = await _open(disputes_on, paying_resident, need)
    assert dispute["status"] == "OPEN" and dispute["mediator"]["displayName"] == "Leader1"
    assert dispute["secondsLeft"] == 24 * 3600
    assert [s["kind"] for s in dispute["timeline"]] == ["opened"]
    answer = await neighbour.gql.mutate(STATEMENT, {"input": {
        "disputeId": dispute["id"], "body": "I only changed the washer."}})
    assert answer["errors"] == []
    assert answer["dispute"]["timeline"][-1]["actor"]["displayName"] == "Neighbour1"
    requester_before = await balance(disputes_on, paying_resident.member_id)
    helper_before = await balance(disputes_on, neighbour.member_id)
    fund_before = await fund_balance(disputes_on)
    clock.advance(hours=3)
    decided = await leader.gql.mutate(DECIDE, {"input": {
        "disputeId": dispute["id"], "outcome": "COMPENSATE", "compensation": "0.80",
        "reason": "The washer was not enough.", "publicLine": "以后会更严格审核技能"}})
    assert decided["errors"] == []
    got = decided["dispute"]
    assert (got["status"], got["outcome"], got["compensation"], got["release"]) == (
        "DECIDED", "COMPENSATE", "0.80", "CONFIRMED")
    assert got["hoursToDecide"] == "3.0" and got["withinDeadline"] is True
    assert got["need"]["status"] == "CONFIRMED" and got["secondsLeft"] is None
    # The requester paid the need (1.00, held since acceptance) and got 0.80 from the fund.
    assert await balance(disputes_on, paying_resident.member_id) == requester_before - 100 + 80
    assert await balance(disputes_on, neighbour.member_id) == helper_before + 100
    assert await fund_balance(disputes_on) == fund_before - 80
    notices = (await paying_resident.gql.data(NOTICES, {"c": disputes_on["slug"]}))["notices"]
    (notice,) = [e["node"] for e in notices["edges"]]
    assert "building A" in notice["title"] and "3.0 hours" in notice["body"]
    assert "0.80 credits" in notice["body"] and "以后会更严格审核技能" in notice["body"]
    for name in ("Resident1", "Neighbour1", "Leader1", "Real"):
        assert name not in notice["title"] + notice["body"]
    promise = (await paying_resident.gql.data(PROMISE, {"c": disputes_on["slug"]}))
    assert promise["disputePromise"]["allTime"] == {
        "decided": 1, "withinDeadline": 1, "sharePercent": "100.0", "medianHours": "3.0"}


async def test_redo_posts_a_linked_rework_need_for_the_same_helper(
        disputes_on, paying_resident, neighbour, leader, clock):
    need = await done_need(disputes_on, paying_resident, neighbour, "1.00")
    dispute = await _open(disputes_on, paying_resident, need, "NOT_DONE")
    before = await balance(disputes_on, paying_resident.member_id)
    decided = await leader.gql.mutate(DECIDE, {"input": {
        "disputeId": dispute["id"], "outcome": "REDO", "reason": "Half finished."}})
    got = decided["dispute"]
    assert decided["errors"] == [] and got["outcome"] == "REDO"
    assert got["release"] == "CANCELLED" and got["need"]["status"] == "CANCELLED"
    redo = got["redoNeed"]
    assert redo["status"] == "ACCEPTED" and redo["helper"]["displayName"] == "Neighbour1"
    assert redo["title"].startswith("Redo:") and redo["credits"] == "0.00"
    # Cancelled: the hold was released, the requester paid nothing.
    assert await balance(disputes_on, paying_resident.member_id) == before
    assert got["compensation"] == "0.00"


async def test_redo_opened_to_others_and_compensated(disputes_on, paying_resident, neighbour,
                                                      leader):
    need = await done_need(disputes_on, paying_resident, neighbour, "1.00")
    dispute = await _open(disputes_on, paying_resident, need, "DAMAGE")
    fund_before = await fund_balance(disputes_on)
    decided = await leader.gql.mutate(DECIDE, {"input": {
        "disputeId": dispute["id"], "outcome": "REDO_AND_COMPENSATE", "redoAssign": "OPEN",
        "reason": "The cupboard door was scratched."}})
    got = decided["dispute"]
    assert decided["errors"] == [] and got["redoNeed"]["status"] == "OPEN"
    assert got["compensation"] == "1.00" and got["need"]["status"] == "CANCELLED"
    assert await fund_balance(disputes_on) == fund_before - 100


async def test_dismissed_confirms_the_need_and_pays_the_helper(disputes_on, paying_resident,
                                                               neighbour, leader):
    need = await done_need(disputes_on, paying_resident, neighbour, "1.00")
    dispute = await _open(disputes_on, paying_resident, need, "CONDUCT")
    helper_before = await balance(disputes_on, neighbour.member_id)
    decided = await leader.gql.mutate(DECIDE, {"input": {
        "disputeId": dispute["id"], "outcome": "DISMISSED",
        "reason": "Both sides agree the tap works."}})
    got = decided["dispute"]
    assert decided["errors"] == [] and got["outcome"] == "DISMISSED"
    assert got["need"]["status"] == "CONFIRMED"
    assert await balance(disputes_on, neighbour.member_id) == helper_before + 100


async def test_an_open_dispute_holds_the_confirmation(disputes_on, paying_resident, neighbour,
                                                      leader):
    need = await done_need(disputes_on, paying_resident, neighbour, "1.00")
    dispute = await _open(disputes_on, paying_resident, need)
    before = await balance(disputes_on, neighbour.member_id)
    refused = await paying_resident.gql.mutate(CONFIRM, {"id": need_gid(need)})
    assert [e["code"] for e in refused["errors"]] == ["DISPUTE_OPEN"]
    assert await balance(disputes_on, neighbour.member_id) == before
    seen = await paying_resident.gql.data(ONE, {"id": dispute["id"]})
    assert seen["dispute"]["need"]["status"] == "DONE"


async def test_the_hold_holds_when_this_process_did_not_see_the_dispute_open(
        disputes_on, paying_resident, neighbour):
    from yizhan.plugins.disputes import service

    need = await done_need(disputes_on, paying_resident, neighbour, "1.00")
    await _open(disputes_on, paying_resident, need)
    service.held_needs.clear()  # opened by another server process
    before = await balance(disputes_on, neighbour.member_id)
    refused = await paying_resident.gql.mutate(CONFIRM, {"id": need_gid(need)})
    assert [e["code"] for e in refused["errors"]] == ["DISPUTE_OPEN"]
    assert await balance(disputes_on, neighbour.member_id) == before


async def test_timeline_is_for_the_parties_and_the_mediator_only(
        disputes_on, paying_resident, neighbour, leader, admin, deputy):
    need = await done_need(disputes_on, paying_resident, neighbour, "1.00")
    dispute = await _open(disputes_on, paying_resident, need)
    for actor in (paying_resident, neighbour, leader):
        seen = await actor.gql.data(ONE, {"id": dispute["id"]})
        assert [s["kind"] for s in seen["dispute"]["timeline"]] == ["opened"]
    seen = await admin.gql.data(ONE, {"id": dispute["id"]})
    assert seen["dispute"]["timeline"] is None
    assert await deputy.gql.error_code(ONE, {"id": dispute["id"]}) == "NOT_FOUND"
