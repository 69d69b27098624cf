"""Events and series through GraphQL: a weekly RRULE series made ahead to the horizon, one date
moved or cancelled alone (its deadlines follow), the horizon extended by its deadline, and the
refusals that write nothing."""

from __future__ import annotations

import pytest
from events_helpers import (
    CANCEL_EVENT,
    CANCEL_OCCURRENCE,
    MOVE,
    UPCOMING,
    UPDATE,
    building,
    create_game,
    dates,
    iso,
    local,
    notifications,
    sign_up,
    snapshot,
)

from yizhan.core import deadlines
from yizhan.core.api import pending_deadlines
from yizhan.core.graphql.ids import pk_of


async def test_a_weekly_series_is_made_eight_weeks_ahead_in_local_time(events_on, leader):
    payload = await create_game(leader)
    assert payload["errors"] == [], payload
    event = payload["event"]
    assert (event["rrule"], event["kind"], event["capacity"], event["fee"]) == (
        "FREQ=WEEKLY;BYDAY=SA", "GAME", 3, "0.00")
    assert event["organiser"]["displayName"] == "Leader1"
    found = dates(payload)
    # 2 November + 8 weeks = 28 December: the Saturdays 7 November .. 26 December.
    assert [d["startsAt"][:10] for d in found] == [
        f"2026-{d}" for d in ("11-07", "11-14", "11-21", "11-28", "12-05", "12-12", "12-19",
                              "12-26")]
    first = found[0]
    assert local("2026-11-07T14:00").isoformat() == iso("2026-11-07T14:00")
    assert first["startsAt"] == "2026-11-07T06:00:00+00:00"
    assert first["endsAt"] == "2026-11-07T08:30:00+00:00"
    assert (first["status"], first["placesLeft"], first["place"]) == ("SCHEDULED", 3,
                                                                      "Activity room")
    # Each date has its reminder (the day before) and automatic close deadlines.
    occ = pk_of(first["id"], "EventOccurrence")
    kinds = {d.kind: d.due_at for d in await pending_deadlines("events", f"occ:{occ}")}
    assert kinds["remind"] == local("2026-11-06T14:00")
    assert kinds["autoclose"] == local("2026-11-08T04:30")


@pytest.mark.hook("yizhan_deadline_due")
async def test_the_horizon_moves_on_with_its_deadline(events_on, leader, clock):
    payload = await create_game(leader)
    assert len(dates(payload)) == 8
    clock.advance(days=7, minutes=1)
    await deadlines.run_due(clock.now())
    data = await leader.gql.data(UPCOMING, {"c": "testville", "cancelled": False})
    starts = [e["node"]["startsAt"][:10] for e in data["upcomingEvents"]["edges"]]
    # 7 November is past; the horizon now reaches 2 January.
    assert starts[0] == "2026-11-14" and starts[-1] == "2027-01-02" and len(starts) == 8


async def test_one_date_is_moved_alone_and_its_deadlines_follow(
        events_on, leader, resident):
    found = dates(await create_game(leader))
    second = found[1]
    assert (await sign_up(resident, second["id"]))["errors"] == []
    moved = await leader.gql.mutate(MOVE, {"input": {
        "occurrenceId": second["id"], "startsAt": iso("2026-11-15T09:30"),
        "endsAt": iso("2026-11-15T12:00"), "place": "Garden pavilion"}})
    assert moved["errors"] == [], moved
    occ = moved["occurrence"]
    assert (occ["startsAt"], occ["place"], occ["moved"]) == (
        "2026-11-15T01:30:00+00:00", "Garden pavilion", True)
    data = await leader.gql.data(UPCOMING, {"c": "testville", "cancelled": False})
    others = [e["node"] for e in data["upcomingEvents"]["edges"] if e["node"]["id"] != occ["id"]]
    assert all(o["startsAt"].endswith("T06:00:00+00:00") and not o["moved"] for o in others)
    reminder = await pending_deadlines("events", f"occ:{pk_of(occ['id'], 'EventOccurrence')}",
                                       "remind")
    assert reminder[0].due_at == local("2026-11-14T09:30")
    inbox = await notifications(resident)
    assert inbox[0]["kind"] == "events.moved" and "Garden pavilion" in inbox[0]["body"]


async def test_one_date_is_cancelled_alone_and_everyone_signed_up_is_told(
        events_on, leader, resident, neighbour):
    found = dates(await create_game(leader))
    third = found[2]
    for who in (resident, neighbour):
        assert (await sign_up(who, third["id"]))["errors"] == []
    done = await leader.gql.mutate(CANCEL_OCCURRENCE, {"input": {
        "occurrenceId": third["id"], "reason": "The activity room is being painted"}})
    assert done["errors"] == [] and done["occurrence"]["status"] == "CANCELLED"
    assert await pending_deadlines("events", f"occ:{pk_of(third['id'], 'EventOccurrence')}") == []
    for who in (resident, neighbour):
        inbox = await notifications(who)
        assert inbox[0]["kind"] == "events.cancelled"
        assert "being painted" in inbox[0]["body"]
    data = await leader.gql.data(UPCOMING, {"c": "testville", "cancelled": False})
    assert third["id"] not in [e["node"]["id"] for e in data["upcomingEvents"]["edges"]]
    assert len(data["upcomingEvents"]["edges"]) == 7
    again = await sign_up(resident, third["id"])
    assert again["errors"][0]["code"] == "OCCURRENCE_CANCELLED"


async def test_cancelling_a_series_cancels_its_coming_dates(events_on, leader, resident):
    payload = await create_game(leader)
    assert (await sign_up(resident, dates(payload)[0]["id"]))["errors"] == []
    done = await leader.gql.mutate(CANCEL_EVENT, {"input": {"eventId": payload["event"]["id"],
                                                            "reason": "Season over"}})
    assert done["event"]["status"] == "CANCELLED"
    data = await leader.gql.data(UPCOMING, {"c": "testville", "cancelled": True})
    assert {e["node"]["status"] for e in data["upcomingEvents"]["edges"]} == {"CANCELLED"}
    assert (await notifications(resident))[0]["kind"] == "events.cancelled"


async def test_upcoming_events_filter_by_kind_period_and_building(events_on, leader, admin):
    await create_game(leader)
    feast = await create_game(admin, title="百家宴", kind="FEAST", rrule=None,
                              startsAt=iso("2026-11-20T17:00"), endsAt=iso("2026-11-20T20:00"),
                              capacity=80, audience=[building(events_on, "B")])
    assert feast["errors"] == []
    query = {"c": "testville", "cancelled": False}
    feasts = await leader.gql.data(UPCOMING, {**query, "kind": "FEAST"})
    assert [e["node"]["title"] for e in feasts["upcomingEvents"]["edges"]] == ["百家宴"]
    week = await leader.gql.data(UPCOMING, {**query, "from": iso("2026-11-14T00:00"),
                                            "to": iso("2026-11-21T00:00")})
    assert [e["node"]["title"] for e in week["upcomingEvents"]["edges"]] == [
        "现金流游戏", "百家宴"]
    for_a = await leader.gql.data(UPCOMING, {**query, "building": building(events_on, "A")})
    assert "百家宴" not in [e["node"]["title"] for e in for_a["upcomingEvents"]["edges"]]


async def test_update_changes_details_and_a_larger_capacity_moves_people_up(
        events_on, leader, resident, neighbour, admin, deputy):
    payload = await create_game(leader, capacity=1)
    first = dates(payload)[0]["id"]
    assert (await sign_up(resident, first))["signUp"]["status"] == "CONFIRMED"
    assert (await sign_up(neighbour, first))["signUp"]["status"] == "WAITLISTED"
    done = await admin.gql.mutate(UPDATE, {"input": {"eventId": payload["event"]["id"],
                                                     "capacity": 2, "title": "Cashflow"}})
    assert done["errors"] == [] and done["event"]["title"] == "Cashflow"
    assert (await notifications(neighbour))[0]["kind"] == "events.promoted"
    refused = await deputy.gql.execute(UPDATE, {"input": {"eventId": payload["event"]["id"],
                                                          "title": "Mine"}})
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


@pytest.mark.parametrize(("overrides", "field", "code"), [
    ({"rrule": "FREQ=SOMETIMES"}, "rrule", "INVALID_RRULE"),
    ({"rrule": "FREQ=HOURLY"}, "rrule", "INVALID_RRULE"),
    ({"rrule": "FREQ=WEEKLY;UNTIL=20261101T000000"}, "rrule", "INVALID_RRULE"),
    ({"startsAt": iso("2026-11-01T14:00"), "endsAt": iso("2026-11-01T16:00")}, "startsAt",
     "EVENT_IN_PAST"),
    ({"endsAt": iso("2026-11-07T13:00")}, "endsAt", "ENDS_BEFORE_START"),
    ({"endsAt": iso("2026-11-09T13:00")}, "endsAt", "EVENT_TOO_LONG"),
    ({"capacity": 0}, "capacity", "INVALID_CAPACITY"),
    ({"title": "  "}, "title", "REQUIRED"),
    ({"fee": "0.125"}, "fee", "INVALID_AMOUNT"),
])
async def test_bad_events_are_refused_with_a_code_and_nothing_written(
        events_on, leader, overrides, field, code):
    before = await snapshot()
    payload = await create_game(leader, **overrides)
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(field, code)]
    assert payload["event"] is None
    assert await snapshot() == before


async def test_residents_cannot_organise_and_the_switch_is_checked(
        community, events_on, resident, leader, cli):
    before = await snapshot()
    result = await resident.gql.execute(
        """mutation($input: CreateEventInput!) { createEvent(input: $input) {
        errors { code } } }""", {"input": {
            "community": "testville", "title": "x", "kind": "GAME", "place": "p",
            "startsAt": iso("2026-11-07T14:00"), "endsAt": iso("2026-11-07T15:00"),
            "capacity": 3}})
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await snapshot() == before
    from yizhan.core.services import plugin_admin

    await plugin_admin.disable(community, "events")
    off = await leader.gql.execute(UPCOMING, {"c": "testville", "cancelled": False})
    assert off["errors"][0]["extensions"]["code"] == "PLUGIN_DISABLED"
