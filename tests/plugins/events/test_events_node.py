"""``node(id:)`` on events' types applies the rules of events' own queries: events and their
dates are public; a sign-up is seen by its member, whoever signed them up, the organiser and
admins, and by nobody else (a pending member included)."""

from __future__ import annotations

from events_helpers import create_game, dates, sign_up

from yizhan.core.services import plugin_admin

NODE = """query($id: ID!) { node(id: $id) { id ... on Event { title }
  ... on EventOccurrence { capacity } ... on EventSignUp { walkIn } } }"""


async def _node(client, gid: str) -> dict | None:
    return (await client.data(NODE, {"id": gid}))["node"]


async def test_events_and_their_dates_are_public(events_on, gql, leader, pending, outsider):
    created = await create_game(leader)
    event, occurrence = created["event"]["id"], dates(created)[0]["id"]
    for client in (gql, pending.gql, outsider.gql):
        assert await _node(client, event) == {"id": event, "title": "现金流游戏"}
        assert await _node(client, occurrence) == {"id": occurrence, "capacity": 3}
    await plugin_admin.disable(events_on, "events")
    for gid in (event, occurrence):
        assert await gql.error_code(NODE, {"id": gid}) == "PLUGIN_DISABLED"


async def test_a_sign_up_is_seen_by_its_member_and_those_in_charge(
        events_on, gql, admin, leader, deputy, resident, neighbour, pending, outsider):
    occurrence = dates(await create_game(leader))[0]["id"]
    signed = await sign_up(resident, occurrence)
    assert signed["errors"] == []
    gid = signed["signUp"]["id"]
    for viewer in (resident, leader, admin):  # the member, the organiser, an admin
        assert await _node(viewer.gql, gid) == {"id": gid, "walkIn": False}
    for viewer in (neighbour, deputy):  # another resident; a leader who is not organising
        assert await _node(viewer.gql, gid) is None
    assert await pending.gql.error_code(NODE, {"id": gid}) == "NOT_VERIFIED"
    assert await outsider.gql.error_code(NODE, {"id": gid}) == "FORBIDDEN"
    assert await gql.error_code(NODE, {"id": gid}) == "UNAUTHENTICATED"
    # A leader signing up a resident of their building sees that sign-up too.
    for_neighbour = await sign_up(deputy, occurrence, memberId=neighbour.id)
    assert for_neighbour["errors"] == []
    other = for_neighbour["signUp"]["id"]
    for viewer in (deputy, neighbour):
        assert await _node(viewer.gql, other) == {"id": other, "walkIn": False}
    assert await _node(resident.gql, other) is None
    await plugin_admin.disable(events_on, "events")
    assert await resident.gql.error_code(NODE, {"id": gid}) == "PLUGIN_DISABLED"
