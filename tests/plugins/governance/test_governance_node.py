"""``node(id:)`` on governance's types applies the rules of governance's own queries: grids
and rounds are public; a request is seen by its resident and its staff; a proposal by its
proposer, the admins and the round's reviewers until it is funded, then by everyone. A
pending member sees only what the public sees."""

from __future__ import annotations

from governance_helpers import submitted

from yizhan.core.api import to_gid
from yizhan.core.services import plugin_admin
from yizhan.plugins.governance import service

NODE = """query($id: ID!) { node(id: $id) { id ... on GovernanceGrid { name }
  ... on GovernanceRound { total } ... on GovernanceRequest { number }
  ... on GovernanceProposal { title } } }"""


async def _node(client, gid: str) -> dict | None:
    return (await client.data(NODE, {"id": gid}))["node"]


async def test_grids_and_rounds_are_public(gov, gql, pending, outsider):
    grid = to_gid("GovernanceGrid", gov["grid"]["id"])
    rnd = await service.create_round(gov, None, "2026", "150000.00")
    round_gid = to_gid("GovernanceRound", rnd["id"])
    for client in (gql, pending.gql, outsider.gql):
        assert await _node(client, grid) == {"id": grid, "name": "东区"}
        assert await _node(client, round_gid) == {"id": round_gid, "total": "150000.00"}
    await plugin_admin.disable(gov, "governance")
    for gid in (grid, round_gid):
        assert await gql.error_code(NODE, {"id": gid}) == "PLUGIN_DISABLED"


async def test_a_request_is_seen_by_its_resident_and_its_staff(
        gov, gql, admin, resident, neighbour, steward, bystander, pending, outsider):
    request = await submitted(resident)
    gid = request["id"]
    for viewer in (resident, steward, admin):  # the resident, 东区's team, an admin
        assert await _node(viewer.gql, gid) == {"id": gid, "number": request["number"]}
    for viewer in (neighbour, bystander):  # another resident; a resident on no team
        assert await _node(viewer.gql, gid) is None
    assert await pending.gql.error_code(NODE, {"id": gid}) == "NOT_VERIFIED"
    assert await outsider.gql.error_code(NODE, {"id": gid}) == "FORBIDDEN"
    assert await gql.error_code(NODE, {"id": gid}) == "UNAUTHENTICATED"
    await plugin_admin.disable(gov, "governance")
    assert await resident.gql.error_code(NODE, {"id": gid}) == "PLUGIN_DISABLED"


async def test_a_proposal_is_private_until_it_is_funded(
        gov, gql, admin, resident, neighbour, bystander, pending):
    rnd = await service.create_round(gov, None, "2026", "150000.00")
    await service.add_reviewer(gov, None, rnd["id"], bystander.member_id)
    proposal = await service.submit_proposal(gov, resident.member, rnd["id"], title="Benches",
                                             description="Two benches by the pond.",
                                             team="Residents of A", budget="800.00")
    gid = to_gid("GovernanceProposal", proposal["id"])
    for viewer in (resident, admin, bystander):  # the proposer, an admin, a reviewer
        assert await _node(viewer.gql, gid) == {"id": gid, "title": "Benches"}
    assert await _node(neighbour.gql, gid) is None
    assert await pending.gql.error_code(NODE, {"id": gid}) == "NOT_VERIFIED"
    assert await gql.error_code(NODE, {"id": gid}) == "UNAUTHENTICATED"
    await service.grant(gov, None, proposal["id"], "800.00")
    # Funded: a public project, like governanceFundedProjects.
    for client in (gql, pending.gql, neighbour.gql):
        assert await _node(client, gid) == {"id": gid, "title": "Benches"}
    await plugin_admin.disable(gov, "governance")
    assert await gql.error_code(NODE, {"id": gid}) == "PLUGIN_DISABLED"
