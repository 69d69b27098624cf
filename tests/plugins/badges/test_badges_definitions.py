"""Badge definitions, direct awards by admins, the public profile and the settings."""

from __future__ import annotations

import pytest
from badges_helpers import (
    AWARD,
    DEFINE,
    DEFINITIONS,
    REVOKE,
    badge_id,
    certify,
    give_help,
    snapshot,
)

from yizhan.core.errors import YizhanError
from yizhan.core.graphql.ids import to_gid
from yizhan.core.services import communities, plugin_admin
from yizhan.plugins.badges import service

PROFILE = """query($id: ID!) { badgeProfile(memberId: $id) { householdsHelped minutesGiven
  needsHelped hoursGiven member { id } badges { status badge { slug } } } }"""


async def test_defaults_are_seeded_in_the_community_language(badges, gql, resident):
    found = (await resident.gql.data(DEFINITIONS, {"c": "testville"}))["badgeDefinitions"]
    kinds = {(b["slug"], b["kind"], b["category"]) for b in found}
    assert ("mutual-aid-star", "STAR", "") in kinds
    assert ("expert-electrician", "EXPERT", "electrician") in kinds
    electrician = next(b for b in found if b["slug"] == "expert-electrician")
    assert electrician["name"] == "Certified electrician"
    assert electrician["validityDays"] == 365
    assert electrician["imageUrl"].endswith(
        "/badges/testville/achievements/expert-electrician/image.svg")
    # Public: anonymous callers see them too.
    assert (await gql.data(DEFINITIONS, {"c": "testville"}))["badgeDefinitions"] == found

    chinese = await communities.create_community("shuixie", "水榭花都", "Asia/Shanghai",
                                                 "zh_Hans")
    await plugin_admin.enable(chinese, "badges")
    names = {d["slug"]: d["name"] for d in await service.list_definitions(chinese)}
    assert names["mutual-aid-star"] == "互助之星"
    assert names["expert-electrician"] == "社区达人·电工"


async def test_admin_defines_and_changes_a_badge(badges, admin):
    created = await admin.gql.mutate(DEFINE, {"input": {
        "community": "testville", "slug": "Gallery-Helper", "kind": "CUSTOM",
        "name": "Stairwell gallery helper", "description": "Helped hang the 楼道美术馆.",
        "imageUrl": "https://example.org/gallery.png"}})
    assert created["errors"] == []
    badge = created["badge"]
    assert (badge["slug"], badge["kind"], badge["validityDays"], badge["imageUrl"]) == (
        "gallery-helper", "CUSTOM", 0, "https://example.org/gallery.png")
    changed = await admin.gql.mutate(DEFINE, {"input": {
        "community": "testville", "slug": "gallery-helper", "validityDays": 30,
        "imageUrl": ""}})
    assert changed["badge"]["validityDays"] == 30
    assert changed["badge"]["name"] == "Stairwell gallery helper"
    assert changed["badge"]["imageUrl"].endswith("/achievements/gallery-helper/image.svg")
    expert = await admin.gql.mutate(DEFINE, {"input": {
        "community": "testville", "slug": "expert-nurse", "kind": "EXPERT",
        "category": "Nursing", "name": "Certified nurse"}})
    assert expert["badge"]["category"] == "nursing"
    assert expert["badge"]["validityDays"] == 365


@pytest.mark.parametrize(("fields", "code", "field"), [
    ({"slug": "new-one", "name": "New"}, "REQUIRED", "kind"),
    ({"slug": "expert-electrician", "kind": "CUSTOM"}, "KIND_FIXED", "kind"),
    ({"slug": "another-star", "kind": "STAR", "name": "Star 2"}, "STAR_EXISTS", "kind"),
    ({"slug": "sparky", "kind": "EXPERT", "name": "Sparky", "category": "electrician"},
     "CATEGORY_TAKEN", "category"),
    ({"slug": "no-cat", "kind": "EXPERT", "name": "No category"}, "REQUIRED", "category"),
    ({"slug": "star-cat", "kind": "CUSTOM", "name": "x", "category": "Not a slug!"},
     "INVALID_SLUG", "category"),
    ({"slug": "bad image", "kind": "CUSTOM", "name": "x"}, "INVALID_SLUG", "slug"),
    ({"slug": "img", "kind": "CUSTOM", "name": "x", "imageUrl": "javascript:alert(1)"},
     "INVALID_URL", "imageUrl"),
    ({"slug": "days", "kind": "CUSTOM", "name": "x", "validityDays": -1},
     "OUT_OF_RANGE", "validityDays"),
    ({"slug": "long", "kind": "CUSTOM", "name": "x" * 81}, "TOO_LONG", "name"),
    ({"slug": "blank", "kind": "CUSTOM", "name": "  "}, "REQUIRED", "name"),
    ({"slug": "mutual-aid-star", "category": "errand"}, "INVALID_INPUT", "category"),
])
async def test_bad_definitions_are_refused_and_write_nothing(badges, admin, fields, code,
                                                             field):
    before = await snapshot()
    payload = await admin.gql.mutate(DEFINE, {"input": {"community": "testville", **fields}})
    assert payload["badge"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [(code, field)]
    assert await snapshot() == before


async def test_only_admins_define_and_award(badges, leader, resident):
    before = await snapshot()
    define = await leader.gql.execute(DEFINE, {"input": {
        "community": "testville", "slug": "x", "kind": "CUSTOM", "name": "X"}})
    assert define["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    award = await leader.gql.execute(AWARD, {"input": {
        "badgeId": await badge_id(leader, "expert-tutor"), "memberId": resident.id}})
    assert award["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await snapshot() == before


async def test_direct_award_and_its_refusals(badges, gql, admin, resident, pending):
    tutor = await badge_id(admin, "expert-tutor")
    done = await admin.gql.mutate(AWARD, {"input": {"badgeId": tutor, "memberId": resident.id,
                                                    "note": "Checked her diploma."}})
    assert done["errors"] == [] and done["award"]["status"] == "ACTIVE"
    assert done["award"]["member"]["id"] == resident.id

    other = await communities.create_community("elsewhere", "Elsewhere")
    from yizhan.testing.people import make_actor

    other["buildings"] = {"A": await communities.create_building(other, "A", 10)}
    stranger = await make_actor(other, gql, "stranger", "A", "resident")
    before = await snapshot()
    for member, badge, code in (
            (resident.id, tutor, "ALREADY_HOLDS"),
            (pending.id, await badge_id(admin, "expert-plumber"), "NOT_VERIFIED"),
            (resident.id, await badge_id(admin, "mutual-aid-star"), "NOT_APPLICABLE"),
            ("garbage", tutor, "INVALID_ID")):
        payload = await admin.gql.mutate(AWARD, {"input": {"badgeId": badge,
                                                           "memberId": member}})
        assert [e["code"] for e in payload["errors"]] == [code]
    missing = await admin.gql.execute(AWARD, {"input": {"badgeId": tutor,
                                                        "memberId": stranger.id}})
    assert missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert await snapshot() == before


async def test_public_profile(badges, gql, leader, resident, neighbour, deputy):
    award = await certify(neighbour, leader)
    await certify(neighbour, leader, "expert-tutor")
    await leader.gql.mutate(REVOKE, {"input": {"awardId": award["id"], "reason": "Retrain."}})
    await give_help(badges, neighbour, resident, 50)
    await give_help(badges, neighbour, resident, 40)
    await give_help(badges, neighbour, deputy, 10)

    profile = (await resident.gql.data(PROFILE, {"id": neighbour.id}))["badgeProfile"]
    assert profile["member"]["id"] == neighbour.id
    assert [b["badge"]["slug"] for b in profile["badges"]] == ["expert-tutor"]
    assert (profile["householdsHelped"], profile["minutesGiven"], profile["needsHelped"]) == (
        2, 100, 3)
    assert profile["hoursGiven"] == "1.66"
    assert await gql.error_code(PROFILE, {"id": neighbour.id}) == "UNAUTHENTICATED"
    assert await resident.gql.error_code(PROFILE, {"id": to_gid("Member", 99999)}) == \
        "NOT_FOUND"


async def test_settings_are_validated(badges):
    with pytest.raises(YizhanError) as refused:
        await plugin_admin.configure(badges, "badges", {"expert_boost": 7})
    assert refused.value.code == "INVALID_SETTING"
    with pytest.raises(YizhanError) as refused:
        await plugin_admin.configure(badges, "badges", {"stars_per_quarter": 0})
    assert refused.value.code == "INVALID_SETTING"
    saved = await plugin_admin.configure(badges, "badges", {"expert_boost": 20})
    assert saved["expert_boost"] == 20
