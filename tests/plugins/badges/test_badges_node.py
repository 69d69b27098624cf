"""``node(id:)`` on badges' types applies the rules of badges' own queries, and a person who
only asked to join (pending) sees no more than the public and their own."""

from __future__ import annotations

from badges_helpers import APPLY, DEFINITIONS, REVOKE, apply_ok, badge_id, certify

from yizhan.core.services import plugin_admin

NODE = """query($id: ID!) { node(id: $id) { id
  ... on BadgeDefinition { slug } ... on BadgeAward { status }
  ... on BadgeApplication { state: status } } }"""

PROFILE = """query($id: ID!) { badgeProfile(memberId: $id) { needsHelped badges { id } } }"""


async def _node(actor, gid: str) -> dict | None:
    return (await actor.gql.data(NODE, {"id": gid}))["node"]


async def test_a_badge_is_public_like_badge_definitions(badges, gql, pending, outsider):
    gid = await badge_id(pending, "expert-electrician")
    for viewer in (gql, pending.gql, outsider.gql):
        found = (await viewer.data(NODE, {"id": gid}))["node"]
        assert found == {"id": gid, "slug": "expert-electrician"}
    await plugin_admin.disable(badges, "badges")
    assert await gql.error_code(NODE, {"id": gid}) == "PLUGIN_DISABLED"


async def test_an_application_is_seen_by_its_applicant_and_reviewers(
        badges, gql, admin, leader, resident, neighbour, pending, outsider):
    application = await apply_ok(resident)
    gid = application["id"]
    for viewer in (resident, leader, admin):
        assert await _node(viewer, gid) == {"id": gid, "state": "PENDING"}
    assert await _node(neighbour, gid) is None  # another resident reviews nobody
    assert await pending.gql.error_code(NODE, {"id": gid}) == "NOT_VERIFIED"
    assert await outsider.gql.error_code(NODE, {"id": gid}) == "FORBIDDEN"
    assert await gql.error_code(NODE, {"id": gid}) == "UNAUTHENTICATED"
    await plugin_admin.disable(badges, "badges")
    assert await resident.gql.error_code(NODE, {"id": gid}) == "PLUGIN_DISABLED"


async def test_an_award_is_seen_like_profiles_and_my_badges(
        badges, gql, admin, leader, resident, neighbour, pending, outsider):
    award = await certify(resident, leader)
    gid = award["id"]
    for viewer in (resident, neighbour, leader, admin):  # active: on the holder's profile
        assert await _node(viewer, gid) == {"id": gid, "status": "ACTIVE"}
    assert await pending.gql.error_code(NODE, {"id": gid}) == "NOT_VERIFIED"
    assert await outsider.gql.error_code(NODE, {"id": gid}) == "FORBIDDEN"
    assert await gql.error_code(NODE, {"id": gid}) == "UNAUTHENTICATED"
    revoked = await leader.gql.mutate(REVOKE, {"input": {"awardId": gid, "reason": "Lapsed"}})
    assert revoked["errors"] == []
    # Revoked: the holder and the reviewers still see it, another resident no longer.
    for viewer in (resident, leader, admin):
        assert await _node(viewer, gid) == {"id": gid, "status": "REVOKED"}
    assert await _node(neighbour, gid) is None
    await plugin_admin.disable(badges, "badges")
    assert await resident.gql.error_code(NODE, {"id": gid}) == "PLUGIN_DISABLED"


async def test_a_pending_member_sees_only_their_own_profile(badges, leader, resident, pending):
    await certify(resident, leader)
    assert await pending.gql.error_code(PROFILE, {"id": resident.id}) == "NOT_VERIFIED"
    own = (await pending.gql.data(PROFILE, {"id": pending.id}))["badgeProfile"]
    assert own == {"needsHelped": 0, "badges": []}
    # Verified members read each other's profiles; the public parts stay public.
    profile = (await leader.gql.data(PROFILE, {"id": resident.id}))["badgeProfile"]
    assert len(profile["badges"]) == 1
    assert (await pending.gql.data(DEFINITIONS, {"c": "testville"}))["badgeDefinitions"]
    refused = await pending.gql.execute(APPLY, {"input": {
        "badgeId": await badge_id(pending, "expert-plumber"), "evidence": "x"}})
    assert refused["errors"][0]["extensions"]["code"] == "NOT_VERIFIED"
