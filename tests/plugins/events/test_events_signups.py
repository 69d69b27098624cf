"""Sign-up through GraphQL: places and the waitlist with automatic promotion, the cut-off,
proxies for elders, audiences, invitations and reminders from core's deadlines, and every
refusal with a code and nothing written."""

from __future__ import annotations

import pytest
from events_helpers import (
    CANCEL_SIGN_UP,
    MY_SIGN_UPS,
    building,
    create_game,
    dates,
    iso,
    notifications,
    sign_up,
    snapshot,
)

from yizhan.core import deadlines
from yizhan.testing.people import make_actor


async def test_a_full_session_fills_then_waits_and_a_freed_place_goes_to_the_first_in_line(
        events_on, leader, resident, neighbour, newcomer, deputy, clock):
    first = dates(await create_game(leader, capacity=2))[0]["id"]
    one = await sign_up(resident, first)
    two = await sign_up(neighbour, first)
    three = await sign_up(newcomer, first)
    four = await sign_up(deputy, first)
    assert [p["signUp"]["status"] for p in (one, two, three, four)] == [
        "CONFIRMED", "CONFIRMED", "WAITLISTED", "WAITLISTED"]
    assert (three["signUp"]["position"], four["signUp"]["position"]) == (1, 2)
    assert one["signUp"]["code"] and one["signUp"]["qrPayload"].endswith(one["signUp"]["code"])

    clock.advance(days=1)
    gone = await neighbour.gql.mutate(CANCEL_SIGN_UP, {"input": {"signUpId": two["signUp"]["id"]}})
    assert gone["errors"] == [] and gone["signUp"]["status"] == "CANCELLED"
    mine = await newcomer.gql.data(MY_SIGN_UPS, {"c": "testville", "past": False})
    assert [e["node"]["status"] for e in mine["myEventSignUps"]["edges"]] == ["CONFIRMED"]
    inbox = await notifications(newcomer)
    assert inbox[0]["kind"] == "events.promoted"
    assert "现金流游戏" in inbox[0]["body"] and "2026-11-07 14:00" in inbox[0]["body"]
    assert not [n for n in await notifications(deputy) if n["kind"] == "events.promoted"]

    # A waitlisted member may leave the line at any time; nobody is promoted by that.
    left = await deputy.gql.mutate(CANCEL_SIGN_UP, {"input": {"signUpId": four["signUp"]["id"]}})
    assert left["errors"] == []
    # Signing up again after cancelling goes to the back of the line.
    again = await sign_up(neighbour, first)
    assert again["signUp"]["status"] == "WAITLISTED" and again["signUp"]["position"] == 1


async def test_cancelling_closes_at_the_cut_off(events_on, leader, resident, clock):
    first = dates(await create_game(leader))[0]["id"]
    mine = await sign_up(resident, first)
    clock.set(clock.now().replace(day=7, hour=4, minute=30))  # 12:30 Shanghai, start 14:00
    before = await snapshot()
    late = await resident.gql.mutate(CANCEL_SIGN_UP, {"input": {"signUpId": mine["signUp"]["id"]}})
    assert late["errors"][0]["code"] == "CANCEL_CUTOFF_PASSED"
    assert await snapshot() == before
    clock.set(clock.now().replace(hour=6, minute=0))
    closed = await sign_up(resident, first)
    assert closed["errors"][0]["code"] == "SIGNUP_CLOSED"


async def test_a_leader_signs_up_an_elder_of_their_building(events_on, community, gql, leader,
                                                         resident, neighbour):
    elder = await make_actor(community, gql, "elder1", "A", "resident")
    first = dates(await create_game(leader))[0]["id"]
    done = await sign_up(leader, first, memberId=elder.id, referrerId=resident.id)
    assert done["errors"] == []
    assert (done["signUp"]["member"]["id"], done["signUp"]["signedUpBy"]["id"],
            done["signUp"]["referrer"]["id"]) == (elder.id, leader.id, resident.id)
    assert done["signUp"]["code"]  # the leader sees the code to hand over on paper
    mine = await elder.gql.data(MY_SIGN_UPS, {"c": "testville", "past": False})
    assert mine["myEventSignUps"]["edges"][0]["node"]["code"] == done["signUp"]["code"]
    peek = await sign_up(neighbour, first)
    assert peek["errors"] == []
    # A resident cannot sign up someone else.
    before = await snapshot()
    result = await resident.gql.execute(
        """mutation($input: SignUpForEventInput!) { signUpForEvent(input: $input) {
        errors { code } } }""", {"input": {"occurrenceId": first, "memberId": leader.id}})
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await snapshot() == before


async def test_refusals_have_codes_and_write_nothing(events_on, leader, resident, pending,
                                                    newcomer, admin, community, gql):
    game = dates(await create_game(leader))[0]["id"]
    feast = await create_game(admin, title="百家宴", kind="FEAST", rrule=None,
                              startsAt=iso("2026-11-20T17:00"), endsAt=iso("2026-11-20T20:00"),
                              capacity=80, audience=[building(events_on, "A")])
    feast_date = dates(feast)[0]["id"]
    outsider = await make_actor(community, gql, "outsider1", None, "resident")
    assert (await sign_up(outsider, feast_date))["errors"][0]["code"] == "NOT_IN_AUDIENCE"
    assert (await sign_up(resident, game))["errors"] == []
    before = await snapshot()
    cases = [
        (resident, game, {}, "ALREADY_SIGNED_UP"),
        (newcomer, game, {"referrerId": newcomer.id}, "SELF_REFERRAL"),
        (newcomer, feast_date, {}, "NOT_IN_AUDIENCE"),
    ]
    for actor, occurrence, extra, code in cases:
        payload = await sign_up(actor, occurrence, **extra)
        assert payload["errors"][0]["code"] == code, payload
    bad = await sign_up(newcomer, game, referrerId="TWVtYmVyOjk5OTk")  # Member:9999
    assert bad["errors"][0]["code"] == "UNKNOWN_REFERRER"
    unverified = await pending.gql.execute(
        """mutation($input: SignUpForEventInput!) { signUpForEvent(input: $input) {
        errors { code } } }""", {"input": {"occurrenceId": game}})
    assert unverified["errors"][0]["extensions"]["code"] == "NOT_VERIFIED"
    assert await snapshot() == before


@pytest.mark.hook("yizhan_deadline_due")
async def test_invited_buildings_hear_three_days_ahead_and_everyone_the_day_before(
        events_on, leader, resident, newcomer, neighbour, clock):
    game = await create_game(leader, rrule=None, invite=[building(events_on, "A")])
    first = dates(game)[0]["id"]
    assert (await sign_up(neighbour, first))["errors"] == []
    # Wednesday 4 November 14:00 Shanghai: three days ahead.
    clock.set(clock.now().replace(day=4, hour=5, minute=59))
    await deadlines.run_due(clock.now())
    assert not [n for n in await notifications(resident) if n["kind"] == "events.invited"]
    clock.advance(minutes=2)
    await deadlines.run_due(clock.now())
    invited = [n for n in await notifications(resident) if n["kind"] == "events.invited"]
    assert len(invited) == 1 and "现金流游戏" in invited[0]["body"]
    assert not [n for n in await notifications(newcomer) if n["kind"] == "events.invited"]
    assert not [n for n in await notifications(neighbour) if n["kind"] == "events.invited"]
    # Friday 14:00 Shanghai: the reminder, with the check-in code.
    clock.set(clock.now().replace(day=6, hour=6, minute=1))
    await deadlines.run_due(clock.now())
    reminded = [n for n in await notifications(neighbour) if n["kind"] == "events.reminder"]
    assert len(reminded) == 1 and "Activity room" in reminded[0]["body"]
    assert not [n for n in await notifications(resident) if n["kind"] == "events.reminder"]
    await deadlines.run_due(clock.now())
    assert len([n for n in await notifications(neighbour)
                if n["kind"] == "events.reminder"]) == 1


@pytest.mark.hook("yizhan_member_left")
async def test_a_member_who_leaves_gives_their_place_to_the_first_in_line(
        events_on, leader, resident, neighbour):
    first = dates(await create_game(leader, capacity=1))[0]["id"]
    assert (await sign_up(resident, first))["signUp"]["status"] == "CONFIRMED"
    assert (await sign_up(neighbour, first))["signUp"]["status"] == "WAITLISTED"
    left = await resident.gql.data(
        """mutation { leaveCommunity(input: {community: "testville"}) {
        errors { code } } }""")
    assert left["leaveCommunity"]["errors"] == []
    inbox = await notifications(neighbour)
    assert inbox[0]["kind"] == "events.promoted"
    mine = await neighbour.gql.data(MY_SIGN_UPS, {"c": "testville", "past": False})
    assert [e["node"]["status"] for e in mine["myEventSignUps"]["edges"]] == ["CONFIRMED"]
