"""Concurrent steps on one need: exactly one wins, the others are told why (SQLite and PG)."""

from __future__ import annotations

import asyncio

from core_helpers import CANCEL, post_need, snapshot, step, step_ok

from yizhan.testing.people import make_actor


async def test_two_accepts_racing_for_one_need(resident, neighbour, leader):
    need = (await post_need(resident))["id"]
    first, second = await asyncio.gather(step(neighbour, "acceptNeed", need),
                                         step(leader, "acceptNeed", need))
    winners = [p for p in (first, second) if p["errors"] == []]
    losers = [p for p in (first, second) if p["errors"]]
    assert len(winners) == 1 and len(losers) == 1
    assert [e["code"] for e in losers[0]["errors"]] == ["NEED_TAKEN"]
    helper = winners[0]["need"]["helper"]["id"]
    seen = await resident.gql.data(
        "query($id: ID!) { need(id: $id) { status helper { id } history { action } } }",
        {"id": need})
    assert seen["need"]["status"] == "ACCEPTED" and seen["need"]["helper"]["id"] == helper
    assert [s["action"] for s in seen["need"]["history"]] == ["posted", "accepted"]


async def test_many_helpers_racing(resident, community, gql):
    helpers = [await make_actor(community, gql, f"helper{i}", "A", "resident")
               for i in range(6)]
    for _ in range(3):
        need = (await post_need(resident))["id"]
        results = await asyncio.gather(*(step(h, "acceptNeed", need) for h in helpers))
        codes = sorted(p["errors"][0]["code"] if p["errors"] else "OK" for p in results)
        assert codes == ["NEED_TAKEN"] * 5 + ["OK"]


async def test_accept_racing_a_cancel(resident, neighbour):
    for _ in range(3):
        need = (await post_need(resident))["id"]
        accepted, cancelled = await asyncio.gather(
            step(neighbour, "acceptNeed", need),
            resident.gql.mutate(CANCEL, {"input": {"needId": need}}))
        # Either order is possible; the cancel always wins in the end (it may cancel an
        # accepted need), and an accept that came second is told the need is closed.
        assert cancelled["errors"] == []
        if accepted["errors"]:
            assert accepted["errors"][0]["code"] == "NEED_CLOSED"


async def test_two_confirms_record_the_hours_once(resident, neighbour, admin):
    need = (await post_need(resident))["id"]
    await step_ok(neighbour, "acceptNeed", need, "accepted")
    await step_ok(neighbour, "markNeedDone", need, "done")
    before = await snapshot()
    results = await asyncio.gather(step(resident, "confirmNeed", need),
                                   step(admin, "confirmNeed", need))
    assert sorted(p["errors"][0]["code"] if p["errors"] else "OK" for p in results) == [
        "NEED_CLOSED", "OK"]
    after = await snapshot()
    assert after["yz_help_record"] == before["yz_help_record"] + 1
    hours = await resident.gql.data('{ communityHours(community: "testville") { needs } }')
    assert hours["communityHours"]["needs"] == 1
