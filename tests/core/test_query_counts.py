"""DataLoaders: a page of needs with its people and buildings costs a constant few queries."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator

import pytest
from core_helpers import post_need, step_ok

from yizhan.core import db
from yizhan.core.graphql.ids import to_gid
from yizhan.testing.people import make_actor

FEED = """query($first: Int) { needs(community: "testville", first: $first) {
  edges { cursor node { id title status credits
    requester { displayName building { name } }
    helper { displayName }
    building { name } } }
  pageInfo { hasNextPage endCursor } } }"""


_counting: contextvars.ContextVar[bool] = contextvars.ContextVar("counting", default=False)


class QueryCounter:
    """Counts the SQL statements run for this test's requests.

    Only statements from the test's own context count (the request, and the DataLoader tasks
    it starts, which copy that context) — not the server's background polling.
    """

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __len__(self) -> int:
        return len(self.statements)


@pytest.fixture
def sql_queries(monkeypatch: pytest.MonkeyPatch) -> Iterator[QueryCounter]:
    """Statements sent through the engine by this test from now on (``len()`` counts them)."""
    counter = QueryCounter()
    engine_class = type(db.engine())  # engines have slots: patch the class
    original = engine_class.run_querystring

    async def counting(self, querystring, *args, **kwargs):
        if _counting.get():
            counter.statements.append(str(querystring))
        return await original(self, querystring, *args, **kwargs)

    monkeypatch.setattr(engine_class, "run_querystring", counting)
    token = _counting.set(True)
    yield counter
    _counting.reset(token)


async def _fill(community, gql, resident, count: int) -> None:
    """``count`` needs by different people in both buildings, half of them accepted."""
    people = [resident] + [
        await make_actor(community, gql, f"neighbour{i}", "AB"[i % 2], "resident")
        for i in range(5)]
    b = to_gid("Building", community["buildings"]["B"]["id"])
    for i in range(count):
        requester = people[i % len(people)]
        need = await post_need(requester, title=f"need {i}",
                               **({"buildingId": b} if i % 3 == 0 else {}))
        if i % 2:
            await step_ok(people[(i + 1) % len(people)], "acceptNeed", need["id"], "accepted")


async def _count(actor, sql_queries, first: int) -> int:
    sql_queries.statements.clear()
    data = await actor.gql.data(FEED, {"first": first})
    assert len(data["needs"]["edges"]) == first
    edges = [e["node"] for e in data["needs"]["edges"]]
    assert all(n["requester"]["displayName"] and n["requester"]["building"] for n in edges)
    assert any(n["helper"] for n in edges) and any(n["helper"] is None for n in edges)
    return len(sql_queries)


async def test_a_page_of_needs_costs_a_constant_few_queries(community, gql, resident,
                                                            sql_queries):
    await _fill(community, gql, resident, 51)
    counts = {first: await _count(resident, sql_queries, first) for first in (10, 50)}
    assert counts[10] == counts[50], (counts, sql_queries.statements)
    assert 3 <= counts[50] <= 6, sql_queries.statements


async def test_the_page_is_right(community, gql, resident, sql_queries):
    await _fill(community, gql, resident, 4)
    data = await resident.gql.data(FEED, {"first": 4})
    nodes = [e["node"] for e in data["needs"]["edges"]]
    assert [n["title"] for n in nodes] == ["need 3", "need 2", "need 1", "need 0"]
    assert [n["building"]["name"] for n in nodes] == ["B", "B", "A", "B"]
    assert nodes[3]["requester"] == {"displayName": "Resident1", "building": {"name": "A"}}
    assert nodes[2]["helper"] == {"displayName": "Neighbour1"}
    assert nodes[1]["helper"] is None
