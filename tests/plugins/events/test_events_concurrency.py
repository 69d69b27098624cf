"""Capacity holds under concurrent sign-ups: ten members ask for the last place at the same
moment, each on its own connection (PostgreSQL when ``YIZHAN_TEST_DATABASE_URL`` points at one,
where the occurrence's row lock decides; SQLite serialises its write transactions)."""

from __future__ import annotations

import asyncio

from events_helpers import create_game, dates, sign_up

from yizhan.core.graphql.ids import pk_of
from yizhan.plugins.events import service
from yizhan.plugins.events.tables import SignUp
from yizhan.testing.people import make_actor


async def test_ten_concurrent_sign_ups_for_the_last_place(events_on, community, gql, leader,
                                                          resident):
    first = dates(await create_game(leader, capacity=2))[0]["id"]
    assert (await sign_up(resident, first))["signUp"]["status"] == "CONFIRMED"
    people = [await make_actor(community, gql, f"rush{i}", "A", "resident") for i in range(10)]
    occurrence = pk_of(first, "EventOccurrence")

    async def take(actor) -> str:
        return (await service.sign_up(community, actor.member, occurrence))["status"]

    outcomes = await asyncio.gather(*(take(p) for p in people))
    assert sorted(outcomes) == ["confirmed"] + ["waitlisted"] * 9
    assert await SignUp.count().where(SignUp.status == "confirmed") == 2
    # The line is in order of arrival, and a freed place goes to its head.
    line = await SignUp.select().where(SignUp.status == "waitlisted").order_by(
        SignUp.created_at).order_by(SignUp.id)
    assert len(line) == 9


async def test_ten_concurrent_sign_ups_over_graphql(events_on, community, gql, leader):
    first = dates(await create_game(leader, capacity=1))[0]["id"]
    people = [await make_actor(community, gql, f"rush{i}", "A", "resident") for i in range(10)]
    results = await asyncio.gather(*(sign_up(p, first) for p in people))
    statuses = sorted(r["signUp"]["status"] for r in results)
    assert statuses == ["CONFIRMED"] + ["WAITLISTED"] * 9
