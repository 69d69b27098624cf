"""Listing needs: every filter, alone and together, and cursor pagination."""

from __future__ import annotations

import pytest
from core_helpers import CANCEL, post_need, step_ok

from yizhan.core import jobs
from yizhan.core.graphql.ids import to_gid

LIST = """query($filter: NeedFilter, $first: Int, $after: String) {
  needs(community: "testville", filter: $filter, first: $first, after: $after) {
    nodes { id title } pageInfo { hasNextPage endCursor } } }"""


@pytest.fixture
async def needs(resident, neighbour, community, clock):
    """Four needs: {name: global id}."""
    b = to_gid("Building", community["buildings"]["B"]["id"])
    found = {
        "soy": await post_need(resident, title="soy", windowStart="2026-11-02T10:00:00+08:00",
                               windowEnd="2026-11-02T12:00:00+08:00"),
        "night": await post_need(neighbour, title="night", category="childcare",
                                 buildingId=b, windowStart="2026-11-02T22:00:00+08:00",
                                 windowEnd="2026-11-02T23:00:00+08:00"),
        "saturday": await post_need(resident, title="saturday",
                                    windowStart="2026-11-07T10:00:00+08:00",
                                    windowEnd="2026-11-07T11:00:00+08:00"),
        "cancelled": await post_need(resident, title="cancelled"),
    }
    await step_ok(neighbour, "acceptNeed", found["saturday"]["id"], "accepted")
    result = await resident.gql.mutate(CANCEL, {"input": {"needId": found["cancelled"]["id"]}})
    assert result["errors"] == []
    return {name: need["id"] for name, need in found.items()}


async def titles(actor, **filter_) -> list[str]:
    data = await actor.gql.data(LIST, {"filter": filter_, "first": 100})
    return [n["title"] for n in data["needs"]["nodes"]]


async def test_filters(resident, neighbour, community, needs):
    a = to_gid("Building", community["buildings"]["A"]["id"])
    b = to_gid("Building", community["buildings"]["B"]["id"])
    cases = [
        ({}, ["cancelled", "saturday", "night", "soy"]),
        ({"buildingId": a}, ["cancelled", "saturday", "soy"]),
        ({"buildingId": b}, ["night"]),
        ({"category": "childcare"}, ["night"]),
        ({"category": " Errand "}, ["cancelled", "saturday", "soy"]),
        ({"category": "plumbing"}, []),
        ({"status": ["OPEN"]}, ["night", "soy"]),
        ({"status": ["ACCEPTED", "CANCELLED"]}, ["cancelled", "saturday"]),
        ({"lateNight": True}, ["night"]),
        ({"weekend": True}, ["saturday"]),
        ({"weekend": False, "lateNight": False}, ["cancelled", "soy"]),
        ({"buildingId": a, "status": ["OPEN"]}, ["soy"]),
        # Window filters keep needs whose window overlaps [windowFrom, windowTo).
        ({"windowFrom": "2026-11-02T11:00:00+08:00", "windowTo": "2026-11-02T11:30:00+08:00"},
         ["cancelled", "soy"]),
        ({"windowFrom": "2026-11-02T12:00:00+08:00", "windowTo": "2026-11-02T21:00:00+08:00"},
         []),
        ({"windowFrom": "2026-11-02T22:30:00+08:00"}, ["saturday", "night"]),
        ({"windowTo": "2026-11-02T10:30:00"}, ["cancelled", "soy"]),
        ({"windowFrom": "2026-11-06T16:00:00Z", "windowTo": "2026-11-07T03:00:00Z"},
         ["saturday"]),
    ]
    for filter_, expected in cases:
        assert await titles(resident, **filter_) == expected, filter_
    assert await titles(resident, mine=True) == ["cancelled", "saturday", "soy"]
    assert await titles(neighbour, mine=True) == ["night"]
    assert await titles(neighbour, helping=True) == ["saturday"]
    assert await titles(resident, helping=True) == []
    assert await titles(neighbour, helping=True, status=["OPEN"]) == []


async def test_escalated_filter(resident, needs, clock):
    assert await titles(resident, escalated=True) == []
    clock.advance(hours=2, minutes=1)
    await jobs.run_due(force=True)
    # "soy" and "night" waited two hours; "saturday" was taken and "cancelled" is closed.
    assert await titles(resident, escalated=True) == ["night", "soy"]
    assert await titles(resident, escalated=False) == ["cancelled", "saturday"]


async def test_bad_filters_are_refused(resident, needs):
    for filter_, code in (({"buildingId": "nope"}, "INVALID_ID"),
                          ({"buildingId": needs["soy"]}, "INVALID_ID")):
        result = await resident.gql.execute(LIST, {"filter": filter_})
        assert result["errors"][0]["extensions"]["code"] == code
    result = await resident.gql.execute(LIST, {"filter": {"status": ["LOST"]}})
    assert result["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_pagination(resident):
    posted = [(await post_need(resident, title=f"need {i}"))["id"] for i in range(25)]
    newest_first = list(reversed(posted))
    seen, after, pages = [], None, 0
    while True:
        data = (await resident.gql.data(LIST, {"first": 10, "after": after}))["needs"]
        seen.extend(n["id"] for n in data["nodes"])
        pages += 1
        if not data["pageInfo"]["hasNextPage"]:
            break
        after = data["pageInfo"]["endCursor"]
    assert seen == newest_first and pages == 3
    # Default page size, an exact last page, an empty page after the end.
    assert len((await resident.gql.data(LIST))["needs"]["nodes"]) == 20
    exact = (await resident.gql.data(LIST, {"first": 25}))["needs"]
    assert len(exact["nodes"]) == 25 and exact["pageInfo"]["hasNextPage"] is False
    empty = (await resident.gql.data(LIST, {"after": exact["pageInfo"]["endCursor"]}))["needs"]
    assert empty == {"nodes": [], "pageInfo": {"hasNextPage": False, "endCursor": None}}
    # A filter and a cursor together.
    page = (await resident.gql.data(LIST, {"first": 2, "after": None,
                                           "filter": {"status": ["OPEN"]}}))["needs"]
    assert [n["id"] for n in page["nodes"]] == newest_first[:2]


PAGING_CASES = [
    ({"first": 0}, "OUT_OF_RANGE"),
    ({"first": -1}, "OUT_OF_RANGE"),
    ({"first": 101}, "OUT_OF_RANGE"),
    ({"first": 2**31}, "GRAPHQL_VALIDATION_FAILED"),
    ({"after": "garbage"}, "INVALID_CURSOR"),
    ({"after": to_gid("Need", 1)}, "INVALID_CURSOR"),
    ({"after": "YzpOb3RBTnVtYmVy"}, "INVALID_CURSOR"),  # "c:NotANumber"
]


async def test_bad_paging_is_refused(resident):
    for variables, code in PAGING_CASES:
        result = await resident.gql.execute(LIST, variables)
        assert result.get("data") is None, variables
        assert result["errors"][0]["extensions"]["code"] == code, variables
        assert "Traceback" not in str(result)
