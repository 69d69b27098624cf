"""A neighbour who lends the right tool is a better candidate for a need (a decision hook)."""

from __future__ import annotations

from toollib_helpers import add_tool, configure, switch

POST = """mutation($i: PostNeedInput!) { postNeed(input: $i) { need { id } errors { code } } }"""
CANDIDATES = """query($id: ID!) { candidates(needId: $id) { member { displayName } reasons } }"""


async def _repair_need(actor) -> str:
    payload = await actor.gql.mutate(POST, {"i": {
        "community": "testville", "title": "Fix a wobbly shelf", "category": "repair",
        "windowStart": "2026-11-02T10:00:00+08:00", "windowEnd": "2026-11-02T12:00:00+08:00",
        "estimatedMinutes": 30}})
    assert payload["errors"] == []
    return payload["need"]["id"]


async def test_owners_of_a_drill_rank_first_for_a_repair(toollib_on, resident, neighbour,
                                                         leader):
    await add_tool(neighbour)  # a drill: helps with repairs (the default mapping)
    await add_tool(leader, name="Sewing machine", category="sewing")
    need = await _repair_need(resident)
    found = (await resident.gql.data(CANDIDATES, {"id": need}))["candidates"]
    assert found[0]["member"]["displayName"] == "Neighbour1"
    assert "has_tool" in found[0]["reasons"]
    assert all("has_tool" not in c["reasons"] for c in found[1:])


async def test_the_mapping_and_the_boost_are_settings(toollib_on, resident, neighbour, leader,
                                                      admin):
    await add_tool(leader, name="Sewing machine", category="sewing")
    await configure(admin, "toollib", tools_for_needs={"repair": ["sewing"]})
    need = await _repair_need(resident)
    found = (await resident.gql.data(CANDIDATES, {"id": need}))["candidates"]
    assert found[0]["member"]["displayName"] == "Leader1"
    await configure(admin, "toollib", tool_owner_boost=0)
    found = (await resident.gql.data(CANDIDATES, {"id": need}))["candidates"]
    assert all("has_tool" not in c["reasons"] for c in found)


async def test_nothing_changes_where_the_tool_library_is_off(toollib_on, resident, neighbour,
                                                             admin):
    await add_tool(neighbour)
    await switch(admin, "toollib", False)
    need = await _repair_need(resident)
    found = (await resident.gql.data(CANDIDATES, {"id": need}))["candidates"]
    assert all("has_tool" not in c["reasons"] for c in found)
