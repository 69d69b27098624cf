"""The life of a need through GraphQL: every step, every illegal step, proxies, time slots."""

from __future__ import annotations

import pytest
from core_helpers import (
    CANCEL,
    NEED,
    POST_NEED,
    inbox,
    need_input,
    need_status,
    post_need,
    snapshot,
    step,
    step_ok,
    step_refused,
)

from yizhan.core import jobs
from yizhan.core.graphql.ids import to_gid
from yizhan.core.services import communities
from yizhan.testing.people import make_actor

HOURS = """query($id: ID!) { node(id: $id) { ... on Member {
  hours { minutesGiven minutesReceived needsHelped peopleHelped } } } }"""


async def cancel(actor, need_id: str, reason: str = "") -> dict:
    return await actor.gql.mutate(CANCEL, {"input": {"needId": need_id, "reason": reason}})


async def test_the_whole_life_of_a_need(resident, neighbour, clock):
    need = await post_need(resident)
    assert need["status"] == "OPEN" and need["requester"]["id"] == resident.id
    assert need["postedBy"]["id"] == resident.id and need["helper"] is None
    assert need["building"]["name"] == "A"

    clock.advance(minutes=5)
    accepted = await step_ok(neighbour, "acceptNeed", need["id"], "accepted")
    assert accepted["helper"]["id"] == neighbour.id
    clock.advance(minutes=5)
    withdrawn = await step_ok(neighbour, "withdrawFromNeed", need["id"], "open")
    assert withdrawn["helper"] is None
    await step_ok(neighbour, "acceptNeed", need["id"], "accepted")
    clock.advance(minutes=10)
    await step_ok(neighbour, "markNeedDone", need["id"], "done")
    clock.advance(minutes=1)
    await step_ok(resident, "confirmNeed", need["id"], "confirmed")

    seen = (await resident.gql.data(NEED, {"id": need["id"]}))["need"]
    assert [s["action"] for s in seen["history"]] == [
        "posted", "accepted", "withdrawn", "accepted", "done", "confirmed"]
    assert [s["actorId"] for s in seen["history"]] == [
        resident.id, neighbour.id, neighbour.id, neighbour.id, neighbour.id, resident.id]
    # The requester was told of every step; the helper was thanked.
    assert [n["kind"] for n in await inbox(resident)][:5] == [
        "need.done", "need.accepted", "need.withdrawn", "need.accepted", "member.verified"]
    assert (await inbox(neighbour))[0]["kind"] == "need.confirmed"
    # Hours without money: 10 minutes given by the neighbour, received by the resident.
    given = (await neighbour.gql.data(HOURS, {"id": neighbour.id}))["node"]["hours"]
    assert given == {"minutesGiven": 10, "minutesReceived": 0, "needsHelped": 1,
                     "peopleHelped": 1}
    received = (await neighbour.gql.data(HOURS, {"id": resident.id}))["node"]["hours"]
    assert received == {"minutesGiven": 0, "minutesReceived": 10, "needsHelped": 0,
                        "peopleHelped": 0}


async def _need_in(status: str, resident, neighbour, clock) -> str:
    """A need of ``resident`` brought to ``status`` (helper: ``neighbour`` where there is one)."""
    need = (await post_need(resident, title=f"A need that is {status}"))["id"]
    if status == "expired":
        clock.advance(hours=4)
        await jobs.run_due(force=True)
        clock.advance(hours=-4)
        return need
    path = {"open": [], "accepted": ["acceptNeed"], "done": ["acceptNeed", "markNeedDone"],
            "confirmed": ["acceptNeed", "markNeedDone", "confirmNeed"],
            "cancelled": ["acceptNeed", "cancelNeed"]}[status]
    for name in path:
        if name == "cancelNeed":
            assert (await cancel(resident, need))["errors"] == []
            continue
        actor = resident if name == "confirmNeed" else neighbour
        assert (await step(actor, name, need))["errors"] == []
    return need


# Expected answer of each step (by the person who would be entitled to take it) per status.
ILLEGAL = {
    "open": {"withdrawFromNeed": "FORBIDDEN", "markNeedDone": "FORBIDDEN",
             "confirmNeed": "INVALID_TRANSITION"},
    "accepted": {"acceptNeed": "NEED_TAKEN", "confirmNeed": "INVALID_TRANSITION"},
    "done": {"acceptNeed": "NEED_TAKEN", "withdrawFromNeed": "INVALID_TRANSITION",
             "markNeedDone": "INVALID_TRANSITION", "cancelNeed": "INVALID_TRANSITION"},
    "confirmed": {"acceptNeed": "NEED_CLOSED", "withdrawFromNeed": "NEED_CLOSED",
                  "markNeedDone": "NEED_CLOSED", "confirmNeed": "NEED_CLOSED",
                  "cancelNeed": "NEED_CLOSED"},
    "cancelled": {"acceptNeed": "NEED_CLOSED", "withdrawFromNeed": "NEED_CLOSED",
                  "markNeedDone": "NEED_CLOSED", "confirmNeed": "NEED_CLOSED",
                  "cancelNeed": "NEED_CLOSED"},
    "expired": {"acceptNeed": "NEED_CLOSED", "confirmNeed": "NEED_CLOSED",
                "cancelNeed": "NEED_CLOSED", "withdrawFromNeed": "FORBIDDEN",
                "markNeedDone": "FORBIDDEN"},
}


@pytest.mark.parametrize("status", list(ILLEGAL))
async def test_illegal_steps_are_refused_with_a_code(status, resident, neighbour, leader,
                                                     clock):
    need = await _need_in(status, resident, neighbour, clock)
    assert await need_status(resident, need) == status.upper()
    before = await snapshot()
    for name, code in ILLEGAL[status].items():
        if name == "cancelNeed":
            result = await resident.gql.execute(CANCEL, {"input": {"needId": need}})
            if result.get("errors"):
                got = result["errors"][0]["extensions"]["code"]
            else:
                got = result["data"]["cancelNeed"]["errors"][0]["code"]
        else:
            actor = {"acceptNeed": leader, "confirmNeed": resident}.get(name, neighbour)
            got = await step_refused(actor, name, need)
        assert got == code, (status, name)
    assert await snapshot() == before
    assert await need_status(resident, need) == status.upper()


async def test_who_may_take_each_step(resident, neighbour, leader, deputy, admin):
    need = (await post_need(resident))["id"]
    before = await snapshot()
    assert await step_refused(resident, "acceptNeed", need) == "OWN_NEED"
    assert await snapshot() == before
    await step_ok(neighbour, "acceptNeed", need, "accepted")
    before = await snapshot()
    # Only the helper withdraws or marks done (a leader only once the need is overdue); only
    # the requester (poster, admin) confirms — a leader for them only with a reason.
    for actor in (resident, leader, deputy):
        assert await step_refused(actor, "withdrawFromNeed", need) == "FORBIDDEN"
    assert await step_refused(resident, "markNeedDone", need) == "FORBIDDEN"
    for actor in (leader, deputy):
        assert await step_refused(actor, "markNeedDone", need) == "NOT_OVERDUE"
    await step_ok(neighbour, "markNeedDone", need, "done")
    before = await snapshot()
    assert await step_refused(neighbour, "confirmNeed", need) == "SELF_CONFIRM"
    for actor in (leader, deputy):
        assert await step_refused(actor, "confirmNeed", need) == "REASON_REQUIRED"
    result = await neighbour.gql.execute(CANCEL, {"input": {"needId": need}})
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await snapshot() == before
    # An admin may close it for an absent requester.
    await step_ok(admin, "confirmNeed", need, "confirmed")


async def test_cancel_open_and_accepted(resident, neighbour, admin, clock):
    first = (await post_need(resident))["id"]
    payload = await cancel(resident, first, "  Found some at home ")
    assert payload["need"] == {"id": first, "status": "CANCELLED",
                               "closeReason": "Found some at home"}
    second = (await post_need(resident))["id"]
    await step_ok(neighbour, "acceptNeed", second, "accepted")
    before = await snapshot()
    too_long = await cancel(resident, second, "x" * 501)
    assert [e["code"] for e in too_long["errors"]] == ["TOO_LONG"]
    assert await snapshot() == before
    assert (await cancel(admin, second))["need"]["status"] == "CANCELLED"
    # The helper is told their job is off.
    assert (await inbox(neighbour))[0]["kind"] == "need.cancelled"


async def test_posting_on_behalf_of_an_elder(leader, resident, neighbour, community, gql):
    payload = await leader.gql.mutate(POST_NEED, {"input": need_input(
        title="Fetch medicine for Grandma Zhang", onBehalfOf=resident.id)})
    assert payload["errors"] == []
    need = payload["need"]
    assert need["requester"]["id"] == resident.id and need["postedBy"]["id"] == leader.id
    seen = (await leader.gql.data(NEED, {"id": need["id"]}))["need"]
    assert seen["history"][0]["note"] == f"on behalf of member {resident.member_id}"
    # The elder cannot take their own need; the neighbour does; the leader confirms.
    assert await step_refused(resident, "acceptNeed", need["id"]) == "OWN_NEED"
    await step_ok(neighbour, "acceptNeed", need["id"], "accepted")
    await step_ok(neighbour, "markNeedDone", need["id"], "done")
    await step_ok(leader, "confirmNeed", need["id"], "confirmed")
    # The elder is the one who received help.
    hours = (await leader.gql.data(HOURS, {"id": resident.id}))["node"]["hours"]
    assert hours["minutesReceived"] == 10
    # Both find it among their own needs.
    mine = """{ needs(community: "testville", filter: {mine: true}) { nodes { id } } }"""
    for actor in (leader, resident):
        assert [n["id"] for n in (await actor.gql.data(mine))["needs"]["nodes"]] == [
            need["id"]]


async def test_on_behalf_refusals(leader, resident, neighbour, pending, community, gql):
    leader_b = await make_actor(community, gql, "leaderb", "B", "building_leader")
    other = await communities.create_community("otherville", "Otherville")
    stranger = await make_actor({**other, "buildings": {}}, gql, "stranger", None, "resident")
    before = await snapshot()
    cases = [
        (leader_b, resident.id, "FORBIDDEN"),       # leads another building
        (neighbour, resident.id, "FORBIDDEN"),      # a resident is no proxy
        (leader, pending.id, "NOT_VERIFIED"),       # for someone not verified
        (leader, stranger.id, "NOT_FOUND"),         # a member of another community
        (leader, to_gid("Member", 99999), "NOT_FOUND"),
        (leader, to_gid("Building", 1), "INVALID_ID"),
        (leader, "%%%", "INVALID_ID"),
    ]
    for actor, target, code in cases:
        result = await actor.gql.execute(POST_NEED, {"input": need_input(onBehalfOf=target)})
        if result.get("errors"):
            got = result["errors"][0]["extensions"]["code"]
        else:
            got = result["data"]["postNeed"]["errors"][0]["code"]
        assert got == code, (target, code)
    assert await snapshot() == before


# --- late-night and weekend slots, in community time ------------------------------------


SLOTS = [
    ("2026-11-02T10:00:00+08:00", "2026-11-02T12:00:00+08:00", False, False),
    ("2026-11-02T21:00:00+08:00", "2026-11-02T21:59:00+08:00", False, False),
    ("2026-11-02T21:30:00+08:00", "2026-11-02T22:30:00+08:00", True, False),
    ("2026-11-03T05:00:00+08:00", "2026-11-03T05:30:00+08:00", True, False),
    ("2026-11-03T06:00:00+08:00", "2026-11-03T21:59:00+08:00", False, False),
    ("2026-11-07T10:00:00+08:00", "2026-11-07T11:00:00+08:00", False, True),
    ("2026-11-06T23:00:00+08:00", "2026-11-07T01:00:00+08:00", True, True),
    # Given in UTC: 14:30Z is 22:30 in Shanghai; Friday 17:00Z is Saturday 01:00 there;
    # Sunday 23:00Z is already Monday 07:00 there.
    ("2026-11-02T14:30:00Z", "2026-11-02T15:00:00Z", True, False),
    ("2026-11-06T17:00:00Z", "2026-11-06T18:00:00Z", True, True),
    ("2026-11-08T23:00:00Z", "2026-11-08T23:30:00Z", False, False),
    # Without an offset, times are the community's wall clock.
    ("2026-11-02T23:00:00", "2026-11-02T23:30:00", True, False),
    ("2026-11-08T08:00:00", "2026-11-08T09:00:00", False, True),
]


async def test_late_night_and_weekend_in_community_time(resident):
    for start, end, late, weekend in SLOTS:
        need = await post_need(resident, windowStart=start, windowEnd=end)
        assert (need["lateNight"], need["weekend"]) == (late, weekend), (start, end)


async def test_classification_follows_the_communitys_time_zone(gql, clock):
    london = await communities.create_community("london", "London", "Europe/London", "en")
    await communities.create_building(london, "L1", 10)
    member = await make_actor({**london, "buildings": {}}, gql, "londoner", None, "resident")
    # 22:30 UTC is late at night in London (GMT in November) …
    need = await post_need(member, community="london",
                           windowStart="2026-11-02T22:30:00Z", windowEnd="2026-11-02T23:00:00Z")
    assert need["lateNight"] is True
    # … and 12:00 UTC on Saturday is a weekend afternoon there, not in Shanghai time only.
    need = await post_need(member, community="london",
                           windowStart="2026-11-07T12:00:00Z", windowEnd="2026-11-07T13:00:00Z")
    assert (need["lateNight"], need["weekend"]) == (False, True)


async def test_community_hours_add_up_every_helpers_confirmations(resident, neighbour, leader,
                                                                  deputy):
    # The community's total is kept in several rows (by helper) and read as their sum.
    helped = [(neighbour, 10), (leader, 25), (deputy, 40), (neighbour, 15)]
    for helper, minutes in helped:
        need = (await post_need(resident, estimatedMinutes=minutes))["id"]
        await step_ok(helper, "acceptNeed", need, "accepted")
        await step_ok(helper, "markNeedDone", need, "done")
        await step_ok(resident, "confirmNeed", need, "confirmed")
    hours = await resident.gql.data(
        '{ communityHours(community: "testville") { minutes needs helpers } }')
    assert hours["communityHours"] == {"minutes": 90, "needs": 4, "helpers": 3}
