"""``candidates(needId:)``: declared skills, same building, free in the window, plugins' boosts."""

from __future__ import annotations

import asyncio

import pytest
from core_helpers import POST_NEED, need_input, post_need, snapshot

from yizhan.testing.people import make_actor

CANDIDATES = """query($id: ID!, $first: Int) { candidates(needId: $id, first: $first) {
  member { id } score reasons } }"""

PROFILE = """mutation($input: UpdateMyProfileInput!) { updateMyProfile(input: $input) {
  member { skills availability { weekday start end } } errors { field code message } } }"""

# Monday 2 November 2026, 10:00-12:00 in Shanghai.
WINDOW = {"windowStart": "2026-11-02T10:00:00+08:00", "windowEnd": "2026-11-02T12:00:00+08:00"}


async def profile(actor, **values) -> dict:
    return await actor.gql.mutate(PROFILE, {"input": {"community": "testville", **values}})


@pytest.fixture
async def people(community, gql, resident, neighbour, leader, deputy, admin, pending):
    """Everyone, with declared skills and free times."""
    plumber_b = await make_actor(community, gql, "plumberb", "B", "resident")
    free_b = await make_actor(community, gql, "freeb", "B", "resident")
    sunday_b = await make_actor(community, gql, "sundayb", "B", "resident")
    assert (await profile(neighbour, skills=["plumbing", "errand"],
                          availability=[{"weekday": 0, "start": "09:00",
                                         "end": "11:00"}]))["errors"] == []
    assert (await profile(plumber_b, skills=["Plumbing"]))["errors"] == []
    # Free from 11:00: not at the start of the window, but inside it.
    assert (await profile(free_b, availability=[{"weekday": 0, "start": "11:00",
                                                 "end": "13:00"}]))["errors"] == []
    # Free on Sundays and from 12:00 on Mondays: never inside the window.
    assert (await profile(sunday_b, availability=[
        {"weekday": 6, "start": "09:00", "end": "18:00"},
        {"weekday": 0, "start": "12:00", "end": "24:00"}]))["errors"] == []
    # A pending member with the right skill is never proposed.
    assert (await profile(pending, skills=["plumbing"]))["errors"] == []
    return {"resident": resident, "neighbour": neighbour, "leader": leader, "deputy": deputy,
            "admin": admin, "pending": pending, "plumber_b": plumber_b, "free_b": free_b,
            "sunday_b": sunday_b}


async def test_candidates_are_ranked(people):
    resident = people["resident"]
    need = await post_need(resident, category="plumbing", **WINDOW)
    found = (await resident.gql.data(CANDIDATES, {"id": need["id"]}))["candidates"]
    by_id = {c["member"]["id"]: (c["score"], c["reasons"]) for c in found}
    expected = {
        "neighbour": (7, ["skill", "same_building", "free"]),
        "plumber_b": (3, ["skill"]),
        "leader": (2, ["same_building"]),
        "deputy": (2, ["same_building"]),
        "free_b": (2, ["free"]),
        "admin": (0, []),
        "sunday_b": (0, []),
    }
    assert by_id == {people[name].id: value for name, value in expected.items()}
    # Best first; ties in the order members joined.
    order = sorted(expected, key=lambda n: (-expected[n][0], people[n].member_id))
    assert [c["member"]["id"] for c in found] == [people[n].id for n in order]
    # The requester and unverified members are never candidates.
    assert people["resident"].id not in by_id and people["pending"].id not in by_id
    top = (await resident.gql.data(CANDIDATES, {"id": need["id"], "first": 2}))["candidates"]
    assert [c["member"]["id"] for c in top] == [people["neighbour"].id, people["plumber_b"].id]


async def test_who_may_ask_for_candidates(people, community, gql):
    resident, leader = people["resident"], people["leader"]
    proxy = await leader.gql.mutate(POST_NEED, {"input": need_input(onBehalfOf=resident.id)})
    need = proxy["need"]["id"]
    for name in ("resident", "leader", "deputy", "admin"):
        assert (await people[name].gql.data(CANDIDATES, {"id": need}))["candidates"]
    leader_b = await make_actor(community, gql, "leaderb", "B", "building_leader")
    for actor, code in ((people["neighbour"], "FORBIDDEN"), (leader_b, "FORBIDDEN"),
                        (people["pending"], "NOT_VERIFIED")):
        result = await actor.gql.execute(CANDIDATES, {"id": need})
        assert result["errors"][0]["extensions"]["code"] == code
    result = await gql.execute(CANDIDATES, {"id": need})
    assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    for bad, code in (("garbage", "INVALID_ID"), (people["leader"].id, "INVALID_ID")):
        result = await resident.gql.execute(CANDIDATES, {"id": bad})
        assert result["errors"][0]["extensions"]["code"] == code


async def test_plugins_adjust_the_ranking(people, add_hooks):
    admin = people["admin"]

    def boost_admin(ctx, need, candidates):
        for candidate in candidates:
            if candidate.member["id"] == admin.member_id:
                candidate.add(10, "certified_expert")

    async def async_boost(ctx, need, candidates):
        await asyncio.sleep(0)
        for candidate in candidates:
            if candidate.member["id"] == people["sunday_b"].member_id:
                candidate.add(20, "async_boost")

    add_hooks(yizhan_rank_candidates=boost_admin)
    add_hooks(yizhan_rank_candidates=async_boost)
    need = await post_need(people["resident"], category="plumbing", **WINDOW)
    found = (await admin.gql.data(CANDIDATES, {"id": need["id"]}))["candidates"]
    assert [(c["member"]["id"], c["score"], c["reasons"]) for c in found[:3]] == [
        (people["sunday_b"].id, 20, ["async_boost"]),
        (admin.id, 10, ["certified_expert"]),
        (people["neighbour"].id, 7, ["skill", "same_building", "free"]),
    ]


async def test_a_window_over_midnight_matches_both_days(people):
    need = await post_need(people["resident"], windowStart="2026-11-02T23:00:00+08:00",
                           windowEnd="2026-11-03T01:00:00+08:00")
    assert (await profile(people["free_b"], availability=[
        {"weekday": 1, "start": "00:00", "end": "00:30"}]))["errors"] == []
    found = (await people["resident"].gql.data(CANDIDATES, {"id": need["id"]}))["candidates"]
    free = {c["member"]["id"] for c in found if "free" in c["reasons"]}
    # free_b on Tuesday after midnight, sunday_b on Monday until midnight.
    assert free == {people["free_b"].id, people["sunday_b"].id}


PROFILE_CASES = [
    ({"skills": ["Not a slug!"]}, "INVALID_SLUG"),
    ({"skills": [""]}, "INVALID_SLUG"),
    ({"skills": [f"s{i}" for i in range(21)]}, "TOO_MANY"),
    ({"availability": [{"weekday": 7, "start": "09:00", "end": "10:00"}]}, "INVALID_SLOT"),
    ({"availability": [{"weekday": -1, "start": "09:00", "end": "10:00"}]}, "INVALID_SLOT"),
    ({"availability": [{"weekday": 1, "start": "10:00", "end": "09:00"}]}, "INVALID_SLOT"),
    ({"availability": [{"weekday": 1, "start": "9am", "end": "10:00"}]}, "INVALID_SLOT"),
    ({"availability": [{"weekday": 1, "start": "25:00", "end": "26:00"}]}, "INVALID_SLOT"),
    ({"availability": [{"weekday": 1, "start": "09:00", "end": "10:00"}] * 51}, "TOO_MANY"),
]


async def test_bad_profiles_write_nothing(resident):
    assert (await profile(resident, skills=["errand"]))["errors"] == []
    for values, code in PROFILE_CASES:
        before = await snapshot()
        payload = await profile(resident, **values)
        assert payload["member"] is None, values
        assert [e["code"] for e in payload["errors"]] == [code], values
        assert await snapshot() == before
    seen = await profile(resident)
    assert seen["member"]["skills"] == ["errand"] and seen["member"]["availability"] == []
