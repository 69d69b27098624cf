"""The figures through GraphQL and the indicators: per date and per month, signed up,
attended, no-shows, first-timers, referrals, and conversion — first-timers who posted or
accepted a need within 30 days after."""

from __future__ import annotations

from datetime import timedelta

import pytest
from events_helpers import STATS, check_in, close, create_game, dates, sign_up

from yizhan.core import indicators
from yizhan.core.services import needs, plugin_admin
from yizhan.testing.people import make_actor

START = {"day": 7, "hour": 6, "minute": 0}


async def _post_need(community: dict, actor, title: str) -> dict:
    from yizhan.core import clock

    now = clock.now()
    return await needs.post(community, actor.member, title=title, category="errand",
                            window_start=now + timedelta(hours=1),
                            window_end=now + timedelta(hours=3), estimated_minutes=10)


async def _session(community, leader, people: list, referrers: dict, clock) -> str:
    """The first Saturday: everyone in ``people`` signs up (naming ``referrers``), all but
    the last come; the session is closed."""
    first = dates(await create_game(leader, capacity=10))[0]["id"]
    rows = []
    for who in people:
        named = referrers.get(who.member_id)
        extra = {"referrerId": named.id} if named else {}
        rows.append((await sign_up(who, first, **extra))["signUp"])
    clock.set(clock.now().replace(**START))
    for row in rows[:-1]:
        assert (await check_in(leader, first, code=row["code"]))["errors"] == []
    assert (await close(leader, first))["errors"] == []
    return first


@pytest.mark.hook("yizhan_register_indicators")
async def test_month_figures_and_conversion(events_on, community, gql, admin, leader, resident,
                                            neighbour, newcomer, clock):
    helper = await make_actor(community, gql, "helper1", "B", "resident")
    absent = await make_actor(community, gql, "absent1", "B", "resident")
    people = [resident, neighbour, newcomer, helper, absent]
    first = await _session(community, leader, people, {newcomer.member_id: resident,
                                                              helper.member_id: resident},
                           clock)
    # Within 30 days: the resident posts a need and the helper accepts it.
    clock.advance(days=3)
    need = await _post_need(community, resident, "买酱油")
    await needs.accept(community, helper.member, need["id"])
    # After 30 days: the neighbour posts — too late to count.
    clock.advance(days=28)
    await _post_need(community, neighbour, "取快递")
    admin = await make_actor(community, gql, "admin2", None, "admin")  # a fresh login
    resident = await make_actor(community, gql, "resident2", "A", "resident")

    data = await admin.gql.data(STATS, {"c": "testville", "month": "2026-11"})
    stats = data["eventStats"]
    assert (stats["month"], stats["conversionDays"]) == ("2026-11", 30)
    assert stats["totals"] == {"signedUp": 5, "waitlisted": 0, "attended": 4, "noShows": 1,
                               "firstTimers": 4, "referrals": 2, "converted": 2,
                               "conversion": "50.0"}
    # Every November Saturday is listed; only the first had people.
    assert [o["occurrence"]["id"] for o in stats["occurrences"]][0] == first
    assert len(stats["occurrences"]) == 4
    assert [o["figures"]["attended"] for o in stats["occurrences"]] == [4, 0, 0, 0]
    assert stats["occurrences"][0]["figures"]["conversion"] == "50.0"
    empty = await admin.gql.data(STATS, {"c": "testville", "month": "2026-12"})
    assert empty["eventStats"]["totals"]["conversion"] is None

    refused = await resident.gql.execute(STATS, {"c": "testville", "month": "2026-11"})
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    bad = await admin.gql.execute(STATS, {"c": "testville", "month": "November"})
    assert bad["errors"][0]["extensions"]["code"] == "INVALID_MONTH"

    from datetime import UTC, datetime

    start, end = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)
    values = await indicators.compute(community["id"], start, end, [
        "events.signed_up", "events.attended", "events.no_shows", "events.first_timers",
        "events.referrals", "events.conversion"])
    assert values == {"events.signed_up": 5, "events.attended": 4, "events.no_shows": 1,
                      "events.first_timers": 4, "events.referrals": 2,
                      "events.conversion": pytest.approx(50)}
    everywhere = await indicators.compute(None, start, end, ["events.attended"])
    assert everywhere == {"events.attended": 4}
    # A shorter window (setting) counts the helper's acceptance after 3 days still, but not
    # with a 2-day window.
    await plugin_admin.configure(community, "events", {"conversion_days": 2})
    values = await indicators.compute(community["id"], start, end, ["events.conversion"])
    assert values == {"events.conversion": 0}


async def test_indicators_are_absent_where_events_is_off(community, events_on):
    await plugin_admin.disable(community, "events")
    keys = [i.key for i in indicators.indicators_for(community["id"])]
    assert not [k for k in keys if k.startswith("events.")]
    everything = [i.key for i in indicators.all_indicators()]
    assert "events.conversion" in everything
