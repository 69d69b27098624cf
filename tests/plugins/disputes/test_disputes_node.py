"""``node(id:)`` on a dispute applies the rule of ``dispute``: its parties, its mediator and
the community's admins; null for other members (a pending one included), refused to people
outside the community."""

from __future__ import annotations

from disputes_helpers import done_need
from test_disputes_life import _open

from yizhan.core.services import plugin_admin
from yizhan.testing.people import make_actor

NODE = "query($id: ID!) { node(id: $id) { id ... on Dispute { status } } }"


async def test_node_shows_a_dispute_to_those_who_may_see_it(
        disputes_on, gql, paying_resident, neighbour, leader, admin, deputy, pending, outsider):
    need = await done_need(disputes_on, paying_resident, neighbour)
    dispute = await _open(disputes_on, paying_resident, need)
    gid = dispute["id"]
    for viewer in (paying_resident, neighbour, leader, admin):  # parties, mediator, admin
        found = (await viewer.gql.data(NODE, {"id": gid}))["node"]
        assert found == {"id": gid, "status": "OPEN"}
    other = await make_actor(disputes_on, gql, "other1", "B", "resident")
    for viewer in (deputy, other, pending):
        assert (await viewer.gql.data(NODE, {"id": gid}))["node"] is None
    assert await outsider.gql.error_code(NODE, {"id": gid}) == "FORBIDDEN"
    assert await gql.error_code(NODE, {"id": gid}) == "UNAUTHENTICATED"
    await plugin_admin.disable(disputes_on, "disputes")
    assert await admin.gql.error_code(NODE, {"id": gid}) == "PLUGIN_DISABLED"
