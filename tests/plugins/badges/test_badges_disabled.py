"""Where badges is off, every field and every public URL answers PLUGIN_DISABLED."""

from __future__ import annotations

import pytest
from badges_helpers import certify

from yizhan.core.graphql.ids import to_gid
from yizhan.core.services import plugin_admin

QUERIES = [
    'query { badgeDefinitions(community: "testville") { id } }',
    'query { myBadges(community: "testville") { nodes { id } } }',
    'query { myBadgeApplications(community: "testville") { nodes { id } } }',
    'query { badgeApplications(community: "testville") { nodes { id } } }',
    'query { badgeLeaderboard(community: "testville", kind: MONTH) { period } }',
    'query { mutualAidStars(community: "testville") { quarter } }',
    'mutation { defineBadge(input: {community: "testville", slug: "x", kind: CUSTOM, '
    'name: "X"}) { errors { code } } }',
]

BY_ID = [
    ('query($id: ID!) { badgeProfile(memberId: $id) { householdsHelped } }', "member"),
    ('mutation($id: ID!) { applyForBadge(input: {badgeId: $id, evidence: "x"}) '
     '{ errors { code } } }', "badge"),
    ('mutation($id: ID!) { awardBadge(input: {badgeId: $id, memberId: $id}) '
     '{ errors { code } } }', "badge"),
    ('mutation($id: ID!) { withdrawBadgeApplication(input: {applicationId: $id}) '
     '{ errors { code } } }', "application"),
    ('mutation($id: ID!) { approveBadgeApplication(input: {applicationId: $id}) '
     '{ errors { code } } }', "application"),
    ('mutation($id: ID!) { rejectBadgeApplication(input: {applicationId: $id, reason: "r"}) '
     '{ errors { code } } }', "application"),
    ('mutation($id: ID!) { revokeBadge(input: {awardId: $id, reason: "r"}) '
     '{ errors { code } } }', "award"),
]


@pytest.fixture
async def switched_off(badges, admin, leader, resident):
    """Badges was on (a badge awarded, an application pending), then switched off."""
    from badges_helpers import apply_ok

    award = await certify(resident, leader)
    application = await apply_ok(resident, "expert-plumber")
    await plugin_admin.disable(badges, "badges")
    from yizhan.plugins.badges.tables import BadgeDefinition

    definition = await BadgeDefinition.select(BadgeDefinition.id).first()
    return {"member": resident.id, "badge": to_gid("BadgeDefinition", definition["id"]),
            "application": application["id"], "award": award["id"],
            "credential": award["credentialUrl"]}


@pytest.mark.parametrize("query", QUERIES)
async def test_fields_answer_plugin_disabled(switched_off, admin, query):
    assert await admin.gql.error_code(query) == "PLUGIN_DISABLED"


@pytest.mark.parametrize(("query", "target"), BY_ID)
async def test_fields_by_id_answer_plugin_disabled(switched_off, admin, query, target):
    assert await admin.gql.error_code(query, {"id": switched_off[target]}) == \
        "PLUGIN_DISABLED"


async def test_public_urls_answer_plugin_disabled(switched_off, app):
    credential = "/" + switched_off["credential"].split("://", 1)[1].split("/", 1)[1]
    for url in ("/badges/testville/issuer", "/badges/testville/keys/key-1",
                "/badges/testville/jwks.json", credential, credential + "/jwt",
                credential + "/status", "/badges/testville/revocations",
                "/badges/testville/achievements/expert-electrician",
                "/badges/testville/achievements/expert-electrician/image.svg"):
        response = await app.get(url)
        assert response.status_code == 404, url
        assert response.json()["code"] == "PLUGIN_DISABLED", url


async def test_matching_ignores_certifications_while_off(switched_off, badges, neighbour):
    from badges_helpers import CANDIDATES, post_need

    need_id = await post_need(badges, neighbour)
    ranked = (await neighbour.gql.data(CANDIDATES, {"id": need_id}))["candidates"]
    assert all("certified_expert" not in c["reasons"] for c in ranked)


async def test_never_enabled_community(community, app, admin):
    assert await admin.gql.error_code(QUERIES[0]) == "PLUGIN_DISABLED"
    assert (await app.get("/badges/testville/issuer")).json()["code"] == "PLUGIN_DISABLED"
