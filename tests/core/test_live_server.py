"""Subscriptions (graphql-transport-ws) against a real ``yizhan serve``, fed over HTTP."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import websockets
from core_helpers import POST_NEED, STEP, need_input

from yizhan.core.graphql.ids import to_gid

NEED_POSTED = """subscription($building: ID) { needPosted(community: "testville",
  buildingId: $building) { id title building { name } requester { displayName } } }"""

MY_NEED_CHANGED = """subscription { myNeedChanged(community: "testville") {
  action need { id status helper { id } } } }"""


@pytest.fixture(autouse=True)
def real_time(clock):
    """The server runs on the wall clock: so do the rows and tokens this test makes."""
    clock.set(datetime.now(UTC))


class Live:
    """GraphQL over real HTTP to the server, as ``actor``."""

    def __init__(self, server, http: httpx.AsyncClient) -> None:
        self.server, self.http = server, http

    async def mutate(self, actor, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        response = await self.http.post(self.server.graphql_url, json={
            "query": query, "variables": variables},
            headers={"Authorization": f"Bearer {actor.token}"})
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body
        (payload,) = body["data"].values()
        assert payload["errors"] == [], payload
        return payload

    async def post(self, actor, **values) -> dict[str, Any]:
        return (await self.mutate(actor, POST_NEED, {"input": need_input(**values)}))["need"]

    async def step(self, actor, name: str, need_id: str) -> dict[str, Any]:
        return await self.mutate(actor, STEP.format(name=name), {"input": {"needId": need_id}})


@pytest.fixture
async def live(yizhan_server):
    async with httpx.AsyncClient(timeout=30) as http:
        yield Live(yizhan_server, http)


class Subscriber:
    """One graphql-transport-ws connection."""

    def __init__(self, ws) -> None:
        self.ws = ws

    @classmethod
    async def connect(cls, server, token: str | None):
        ws = await websockets.connect(server.ws_url, subprotocols=["graphql-transport-ws"])
        payload = {"authorization": f"Bearer {token}"} if token else {}
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        ack = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert ack["type"] == "connection_ack", ack
        return cls(ws)

    async def subscribe(self, sub_id: str, query: str, variables: dict | None = None) -> None:
        await self.ws.send(json.dumps({"id": sub_id, "type": "subscribe", "payload": {
            "query": query, "variables": variables or {}}}))

    async def next(self, timeout: float) -> dict[str, Any] | None:
        """The next data/error message (pings answered), or None after ``timeout`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            left = deadline - loop.time()
            if left <= 0:
                return None
            try:
                message = json.loads(await asyncio.wait_for(self.ws.recv(), left))
            except TimeoutError:
                return None
            if message["type"] == "ping":
                await self.ws.send(json.dumps({"type": "pong"}))
                continue
            return message

    async def close(self) -> None:
        await self.ws.close()


async def _first_event(subscriber: Subscriber, act, tries: int = 10) -> tuple[dict, list]:
    """Act (e.g. post a need) until the subscription delivers; (message, what act returned).

    A subscription starts listening a moment after ``subscribe`` is sent, with no signal to
    the client, so the first action may come too early; acting again is how a client would
    find out, and it keeps the test free of sleeps.
    """
    done = []
    for _ in range(tries):
        done.append(await act())
        message = await subscriber.next(timeout=2)
        if message is not None:
            return message, done
    raise AssertionError("the subscription never delivered")


async def test_need_posted_in_my_building(live, resident, neighbour, community):
    subscriber = await Subscriber.connect(live.server, resident.token)
    try:
        await subscriber.subscribe("1", NEED_POSTED)
        message, posted = await _first_event(
            subscriber, lambda: live.post(neighbour, title="Watch my child for 10 minutes"))
        assert message["type"] == "next" and message["id"] == "1"
        need = message["payload"]["data"]["needPosted"]
        assert need["id"] in [p["id"] for p in posted]
        assert need["title"] == "Watch my child for 10 minutes"
        assert need["building"] == {"name": "A"}
        assert need["requester"] == {"displayName": "Neighbour1"}
        # Now that it listens: a need in building B is not for me; the next one in A is.
        while await subscriber.next(timeout=0.5):
            pass  # late deliveries of the retries above
        b = to_gid("Building", community["buildings"]["B"]["id"])
        await live.post(neighbour, title="In building B", buildingId=b)
        mine = await live.post(neighbour, title="In building A")
        message = await subscriber.next(timeout=10)
        assert message["payload"]["data"]["needPosted"]["id"] == mine["id"]
    finally:
        await subscriber.close()


async def test_my_need_changed_when_a_neighbour_accepts(live, resident, neighbour, leader):
    subscriber = await Subscriber.connect(live.server, resident.token)
    try:
        await subscriber.subscribe("7", MY_NEED_CHANGED)

        async def post_and_accept():
            need = await live.post(resident)
            await live.step(neighbour, "acceptNeed", need["id"])
            return need["id"]

        message, accepted = await _first_event(subscriber, post_and_accept)
        change = message["payload"]["data"]["myNeedChanged"]
        assert change["action"] == "accepted" and change["need"]["id"] in accepted
        assert change["need"]["status"] == "ACCEPTED"
        assert change["need"]["helper"] == {"id": neighbour.id}
        while await subscriber.next(timeout=0.5):
            pass
        # Someone else's need changing is not mine; my need being marked done is.
        theirs = await live.post(neighbour)
        await live.step(leader, "acceptNeed", theirs["id"])
        await live.step(neighbour, "markNeedDone", accepted[0])
        message = await subscriber.next(timeout=10)
        change = message["payload"]["data"]["myNeedChanged"]
        assert (change["action"], change["need"]["id"]) == ("done", accepted[0])
    finally:
        await subscriber.close()


async def test_subscriptions_refuse_bad_logins_and_documents(live, resident):
    # A bad token is refused at connection_init: the socket is closed with 4403.
    ws = await websockets.connect(live.server.ws_url, subprotocols=["graphql-transport-ws"])
    await ws.send(json.dumps({"type": "connection_init",
                              "payload": {"authorization": "Bearer garbage"}}))
    with pytest.raises(websockets.exceptions.ConnectionClosed) as closed:
        await asyncio.wait_for(ws.recv(), 10)
    assert closed.value.rcvd.code == 4403
    for token, code in ((None, "UNAUTHENTICATED"),):
        subscriber = await Subscriber.connect(live.server, token)
        try:
            await subscriber.subscribe("1", NEED_POSTED)
            message = await subscriber.next(timeout=10)
            # An execution error comes as a result with errors; then the subscription ends.
            assert message["type"] == "next" and message["id"] == "1", message
            assert message["payload"]["data"] is None
            assert message["payload"]["errors"][0]["extensions"]["code"] == code
            assert (await subscriber.next(timeout=10))["type"] == "complete"
        finally:
            await subscriber.close()
    # A document that does not fit the schema is refused before it runs.
    subscriber = await Subscriber.connect(live.server, resident.token)
    try:
        await subscriber.subscribe("1", "subscription { needPosted { nope } }")
        message = await subscriber.next(timeout=10)
        assert message["type"] == "error" and message["id"] == "1"
        assert message["payload"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    finally:
        await subscriber.close()
