"""The iCalendar feeds over HTTP, parsed back with ``icalendar`` and read again with
``recurring-ical-events``: stable UIDs, local times with their time zone, cancelled dates
marked, the private feed behind a secret that can be replaced, and the switch."""

from __future__ import annotations

from datetime import datetime

import icalendar
import pytest
import recurring_ical_events
from events_helpers import (
    CANCEL_OCCURRENCE,
    FEED,
    MOVE,
    SHANGHAI,
    create_game,
    dates,
    iso,
    sign_up,
)

from yizhan.core.services import plugin_admin


def parse(body: bytes) -> icalendar.Calendar:
    """Parse a feed; fails on anything icalendar cannot read."""
    return icalendar.Calendar.from_ical(body)


@pytest.mark.hook("yizhan_register_routes")
async def test_the_public_feed_parses_with_times_uids_and_cancelled_dates(
        events_on, app, leader):
    found = dates(await create_game(leader))
    moved = await leader.gql.mutate(MOVE, {"input": {"occurrenceId": found[1]["id"],
                                                     "startsAt": iso("2026-11-15T14:00"),
                                                     "endsAt": iso("2026-11-15T16:30")}})
    assert moved["errors"] == []
    await leader.gql.mutate(CANCEL_OCCURRENCE, {"input": {"occurrenceId": found[2]["id"],
                                                          "reason": "Painting"}})
    response = await app.get("/events/testville.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    cal = parse(response.content)
    assert str(cal["version"]) == "2.0"
    assert [str(tz["tzid"]) for tz in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    items = cal.walk("VEVENT")
    assert len(items) == 8
    uids = [str(item["uid"]) for item in items]
    assert len(set(uids)) == 8 and all(u.endswith("@testville.yizhan") for u in uids)
    assert uids[0] == found[0]["uid"]  # the API names the date as the calendar does
    first = items[0]
    start = first.decoded("dtstart")
    assert start == datetime(2026, 11, 7, 14, 0, tzinfo=SHANGHAI)
    assert str(start.tzinfo) == "Asia/Shanghai" and first["dtstart"].params["TZID"] == (
        "Asia/Shanghai")
    assert first.decoded("dtend") == datetime(2026, 11, 7, 16, 30, tzinfo=SHANGHAI)
    assert (str(first["summary"]), str(first["location"]), str(first["status"])) == (
        "现金流游戏", "Activity room", "CONFIRMED")
    # The moved date keeps its UID (named by its original start) and has a higher SEQUENCE.
    second = items[1]
    assert "20261114T060000Z" in str(second["uid"])
    assert second.decoded("dtstart") == datetime(2026, 11, 15, 14, 0, tzinfo=SHANGHAI)
    assert int(second["sequence"]) >= 1
    assert str(items[2]["status"]) == "CANCELLED"
    # A second reader agrees: the dates of November, the cancelled one marked.
    november = recurring_ical_events.of(cal).between((2026, 11, 1), (2026, 12, 1))
    assert sorted((e.decoded("dtstart").day, str(e["status"])) for e in november) == [
        (7, "CONFIRMED"), (15, "CONFIRMED"), (21, "CANCELLED"), (28, "CONFIRMED")]


async def test_the_private_feed_lists_my_sign_ups_behind_a_secret(
        events_on, app, leader, resident, neighbour):
    found = dates(await create_game(leader, capacity=1))
    mine = (await sign_up(resident, found[0]["id"]))["signUp"]
    await sign_up(neighbour, found[0]["id"])
    await sign_up(resident, found[3]["id"])
    made = await resident.gql.mutate(FEED, {"input": {"community": "testville"}})
    assert made["errors"] == []
    path = made["url"].split("://", 1)[1].split("/", 1)[1]
    assert path.startswith("events/testville/me/") and path.endswith(".ics")
    response = await app.get("/" + path)
    assert response.status_code == 200
    cal = parse(response.content)
    items = cal.walk("VEVENT")
    assert [i.decoded("dtstart").day for i in items] == [7, 28]
    assert mine["code"] in str(items[0]["description"])
    # Another member's feed is theirs alone; a new secret replaces the old one.
    other = await neighbour.gql.mutate(FEED, {"input": {"community": "testville"}})
    theirs = parse((await app.get("/" + other["url"].split("/", 3)[3])).content)
    assert "On the waitlist" in str(theirs.walk("VEVENT")[0]["description"])
    again = await resident.gql.mutate(FEED, {"input": {"community": "testville"}})
    assert again["url"] != made["url"]
    gone = await app.get("/" + path)
    assert gone.status_code == 404 and gone.json()["code"] == "FEED_NOT_FOUND"
    assert (await app.get("/events/testville/me/guess.ics")).status_code == 404


async def test_the_feeds_check_the_switch(community, events_on, app, leader):
    await create_game(leader)
    assert (await app.get("/events/testville.ics")).status_code == 200
    await plugin_admin.disable(community, "events")
    off = await app.get("/events/testville.ics")
    assert off.status_code == 404 and off.json()["code"] == "PLUGIN_DISABLED"
    assert (await app.get("/events/testville.json")).status_code == 404
