"""Tokens: a bad token is refused everywhere (public fields, WebSocket connection_init), a
subscription ends when its token is logged out or revoked, the CLI refuses odd lifetimes."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import httpx
import pytest
import websockets

from yizhan.core.services import people
from yizhan.testing.server import start_server

NEED_POSTED = 'subscription { needPosted(community: "testville") { id title } }'


@pytest.fixture
def real_time(clock):
    """The server runs on the wall clock: so do the rows and tokens this test makes."""
    clock.set(datetime.now(UTC))


async def test_a_bad_token_on_a_public_field_is_invalid_token(gql, community, resident):
    for header in ("Bearer garbage", "Basic abc", "Bearer"):
        result = await gql.execute("{ communities { slug } }", Authorization=header)
        assert "data" not in result, header
        assert result["errors"][0]["extensions"]["code"] == "INVALID_TOKEN", header
    await people.revoke_token(token=resident.token)
    result = await resident.gql.execute('{ community(slug: "testville") { name } }')
    assert result["errors"][0]["extensions"]["code"] == "INVALID_TOKEN"
    # No token at all is simply anonymous.
    assert await gql.data("{ communities { slug } }") == {"communities": [{"slug": "testville"}]}


async def _connect(url: str, token: str | None):
    ws = await websockets.connect(url, subprotocols=["graphql-transport-ws"])
    payload = {"authorization": f"Bearer {token}"} if token else {}
    await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
    return ws


async def _next(ws, timeout: float = 10) -> dict:
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), timeout))
        if message["type"] == "ping":
            await ws.send(json.dumps({"type": "pong"}))
            continue
        return message


async def test_websocket_with_a_bad_token_is_closed_4403(yizhan_server, community, resident,
                                                          real_time):
    await people.revoke_token(token=resident.token)
    for token in ("garbage", resident.token):
        ws = await _connect(yizhan_server.ws_url, token)
        with pytest.raises(websockets.exceptions.ConnectionClosed) as closed:
            await _next(ws)
        assert closed.value.rcvd.code == 4403


@pytest.mark.parametrize("how", ["logout", "revoke"])
async def test_a_subscription_ends_when_its_token_stops_being_valid(yizhan_db, community,
                                                                     resident, real_time, how):
    server = await start_server(yizhan_db,
                                env={"YIZHAN_SUBSCRIPTION_TOKEN_CHECK_SECONDS": "0.2"})
    try:
        ws = await _connect(server.ws_url, resident.token)
        assert (await _next(ws))["type"] == "connection_ack"
        await ws.send(json.dumps({"id": "1", "type": "subscribe",
                                  "payload": {"query": NEED_POSTED}}))
        if how == "logout":
            async with httpx.AsyncClient() as http:
                answer = (await http.post(server.graphql_url, json={
                    "query": "mutation { logout { revoked } }"},
                    headers={"Authorization": f"Bearer {resident.token}"})).json()
            assert answer["data"]["logout"]["revoked"] is True
        else:
            assert await people.revoke_token(token=resident.token)
        message = await _next(ws)
        assert message["id"] == "1" and message["type"] == "next", message
        assert message["payload"]["errors"][0]["extensions"]["code"] == "INVALID_TOKEN"
        assert (await _next(ws))["type"] == "complete"
        await ws.close()
    finally:
        server.stop()


@pytest.mark.parametrize(("hours", "code"), [("0", "INVALID_HOURS"), ("-5", "INVALID_HOURS"),
                                           ("100000", "INVALID_HOURS")])
def test_token_create_refuses_odd_lifetimes(resident, cli, hours, code):
    result = cli("token", "create", "--username", "resident1", "--hours", hours)
    assert result.exit_code == 1, result.stdout
    assert result.stderr.startswith("error: ") and result.stderr.rstrip().endswith(f"[{code}]")
    listed = cli("token", "list", "--username", "resident1", "--json")
    assert len(json.loads(listed.stdout)) == 1  # only the fixture's own token


def test_token_create_accepts_one_hour(resident, cli):
    result = cli("token", "create", "--username", "resident1", "--hours", "1", "--json")
    assert result.exit_code == 0, result.stderr
    made = json.loads(result.stdout)
    assert made["kind"] == "login"
