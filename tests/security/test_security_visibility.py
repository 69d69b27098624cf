"""Someone who asked to join (pending, unverified) sees what the public sees and their own
request: not the member directory, the needs, the buildings or new needs as they come."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import pytest
import websockets
from security_helpers import POST_NEED, need_input

from yizhan.core.graphql.ids import to_gid

READS = {
    "members": '{ members(community: "testville") { nodes { id } } }',
    "needs": '{ needs(community: "testville") { nodes { id title } } }',
    "buildings": '{ buildings(community: "testville") { id name } }',
}
NODE = """query($id: ID!) { node(id: $id) { id ... on Member { status displayName }
  ... on Need { title } ... on Building { name } } }"""


async def test_pending_member_is_refused_the_community_reads(pending, resident, gql):
    await resident.gql.mutate(POST_NEED, {"input": need_input()})
    for name, query in READS.items():
        result = await pending.gql.execute(query)
        assert result["data"] is None, name
        assert result["errors"][0]["extensions"]["code"] == "NOT_VERIFIED", name
        # The public is refused too; a verified member is not.
        assert (await gql.execute(query))["errors"][0]["extensions"]["code"] == \
            "UNAUTHENTICATED", name
        assert "errors" not in await resident.gql.execute(query), name


async def test_pending_member_reads_nodes_like_the_public(pending, resident, community):
    need = (await resident.gql.mutate(POST_NEED, {"input": need_input()}))["need"]
    building = to_gid("Building", community["buildings"]["A"]["id"])
    for gid in (need["id"], resident.id, building):
        result = await pending.gql.execute(NODE, {"id": gid})
        assert result["errors"][0]["extensions"]["code"] == "NOT_VERIFIED", gid
    # Their own request, though, they see.
    mine = (await pending.gql.data(NODE, {"id": pending.id}))["node"]
    assert mine["id"] == pending.id and mine["status"].upper() == "PENDING"
    assert (await pending.gql.data("{ viewer { memberships { status } } }"))["viewer"][
        "memberships"][0]["status"].upper() == "PENDING"


async def test_node_on_a_pending_member_follows_the_members_rule(pending, resident, leader,
                                                                 admin):
    # A resident's directory has only verified members: node() agrees.
    listed = (await resident.gql.data(READS["members"]))["members"]["nodes"]
    assert pending.id not in [m["id"] for m in listed]
    assert (await resident.gql.data(NODE, {"id": pending.id}))["node"] is None
    # Leaders and admins see pending members in both.
    for boss in (leader, admin):
        listed = (await boss.gql.data(
            '{ members(community: "testville", status: PENDING) { nodes { id } } }'))
        assert pending.id in [m["id"] for m in listed["members"]["nodes"]]
        assert (await boss.gql.data(NODE, {"id": pending.id}))["node"]["id"] == pending.id


@pytest.fixture
def real_time(clock):
    """The server runs on the wall clock: so do the rows and tokens this test makes."""
    clock.set(datetime.now(UTC))


async def test_pending_member_cannot_subscribe_to_new_needs(yizhan_server, pending, real_time):
    ws = await websockets.connect(yizhan_server.ws_url, subprotocols=["graphql-transport-ws"])
    try:
        await ws.send(json.dumps({"type": "connection_init",
                                  "payload": {"authorization": f"Bearer {pending.token}"}}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "connection_ack"
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {
            "query": 'subscription { needPosted(community: "testville") { id } }'}}))
        message = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert message["type"] == "next", message
        assert message["payload"]["errors"][0]["extensions"]["code"] == "NOT_VERIFIED"
    finally:
        await ws.close()


NOTIFICATION_NODE = """query($id: ID!) { node(id: $id) { id ... on Notification { kind title
  read } } }"""


async def test_node_resolves_my_notification_and_only_mine(pending, leader, resident):
    await leader.gql.mutate("""mutation($i: VerifyMemberInput!) { verifyMember(input: $i) {
      errors { code } } }""", {"i": {"memberId": pending.id, "realName": "Wang Fang"}})
    inbox = await pending.gql.data('{ notifications(community: "testville") { nodes { id kind '
                                   'title read } } }')
    (mine,) = inbox["notifications"]["nodes"]
    assert (await pending.gql.data(NOTIFICATION_NODE, {"id": mine["id"]}))["node"] == mine
    # Someone else's inbox entry is nobody else's node.
    assert (await resident.gql.data(NOTIFICATION_NODE, {"id": mine["id"]}))["node"] is None
    result = await resident.gql.execute(NOTIFICATION_NODE, {"id": mine["id"]})
    assert "errors" not in result


VIEWER_NODE = """query($id: ID!) { node(id: $id) { id ... on Viewer { username } } }"""


async def test_node_resolves_a_viewer_for_that_person_only(pending, resident, neighbour, gql):
    me = (await resident.gql.data("{ viewer { id username } }"))["viewer"]
    assert (await resident.gql.data(VIEWER_NODE, {"id": me["id"]}))["node"] == me
    for other in (neighbour.gql, pending.gql, gql):  # another resident, a pending member, anyone
        result = await other.execute(VIEWER_NODE, {"id": me["id"]})
        assert result["data"]["node"] is None and "errors" not in result
