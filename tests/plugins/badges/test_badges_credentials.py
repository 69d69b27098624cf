"""Credentials after the award: revocation, expiry, the public URLs and the signing key."""

from __future__ import annotations

import re

import jsonschema
import jwt
from badges_helpers import (
    APPLY,
    CANDIDATES,
    DEFINE,
    REVOKE,
    apply_ok,
    approve_ok,
    badge_id,
    certify,
    load_schema,
    post_need,
    snapshot,
)

from yizhan.core import jobs
from yizhan.plugins.badges.tables import BadgeKey

MY_BADGES = """query { myBadges(community: "testville") { nodes {
  id status revokedAt revokeReason expiresAt credentialUrl badge { slug }
  history { action note actor { id } } } } }"""

INBOX = """query { notifications(community: "testville", first: 50) { nodes { kind body } } }"""
ZULU = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def response_text(value) -> str:
    """A JSON value as text, to look for what must never be published."""
    import json

    return json.dumps(value)


def path(url: str) -> str:
    """The path of one of our absolute URLs, for the in-process client."""
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


async def test_revocation_is_visible_everywhere_at_once(badges, app, leader, resident,
                                                       neighbour):
    award = await certify(resident, leader)
    need_id = await post_need(badges, neighbour)
    ranked = (await neighbour.gql.data(CANDIDATES, {"id": need_id}))["candidates"]
    assert ranked[0]["member"]["id"] == resident.id

    before = await snapshot()
    result = await neighbour.gql.execute(REVOKE, {"input": {"awardId": award["id"],
                                                            "reason": "no"}})
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    empty = await leader.gql.mutate(REVOKE, {"input": {"awardId": award["id"], "reason": ""}})
    assert [(e["code"], e["field"]) for e in empty["errors"]] == [("REQUIRED", "reason")]
    assert await snapshot() == before

    revoked = await leader.gql.mutate(REVOKE, {"input": {
        "awardId": award["id"], "reason": "The repair did not hold."}})
    assert revoked["errors"] == []
    assert revoked["award"]["status"] == "REVOKED"
    assert revoked["award"]["revokeReason"] == "The repair did not hold."
    again = await leader.gql.mutate(REVOKE, {"input": {"awardId": award["id"],
                                                       "reason": "twice"}})
    assert again["errors"][0]["code"] == "ALREADY_REVOKED"

    # Matching stops counting it at once.
    ranked = (await neighbour.gql.data(CANDIDATES, {"id": need_id}))["candidates"]
    assert all("certified_expert" not in c["reasons"] for c in ranked)

    # The credential answers revoked; its status and the revocation list say so.
    gone = await app.get(path(award["credentialUrl"]))
    assert gone.status_code == 410 and gone.json()["code"] == "CREDENTIAL_REVOKED"
    assert (await app.get(path(award["credentialUrl"]) + "/jwt")).status_code == 410
    status = (await app.get(path(award["credentialUrl"]) + "/status")).json()
    assert status["status"] == "revoked" and ZULU.match(status["revokedAt"])
    listing = (await app.get("/badges/testville/revocations")).json()
    assert [c["id"] for c in listing["revokedCredentials"]] == [award["credentialUrl"]]
    assert "The repair did not hold." not in str(listing)  # reasons stay private

    # The holder sees it, with the reason and the history; and was told.
    mine = (await resident.gql.data(MY_BADGES))["myBadges"]["nodes"]
    assert mine[0]["status"] == "REVOKED"
    assert mine[0]["revokeReason"] == "The repair did not hold."
    assert [(s["action"], s["note"]) for s in mine[0]["history"]] == [
        ("awarded", ""), ("revoked", "The repair did not hold.")]
    assert mine[0]["history"][1]["actor"]["id"] == leader.id
    kinds = [n["kind"] for n in (await resident.gql.data(INBOX))["notifications"]["nodes"]]
    assert "badges.revoked" in kinds and "badges.approved" in kinds

    # A revoked certification can be applied for again.
    application = await apply_ok(resident)
    assert (await approve_ok(leader, application["id"]))["status"] == "ACTIVE"


async def test_expiry_stops_counting_and_is_recorded(badges, app, clock, admin, leader,
                                                     resident, neighbour):
    changed = await admin.gql.mutate(DEFINE, {"input": {
        "community": "testville", "slug": "expert-electrician", "validityDays": 7}})
    assert changed["badge"]["validityDays"] == 7
    award = await certify(resident, leader)
    assert award["expiresAt"] is not None
    credential = (await app.get(path(award["credentialUrl"]))).json()
    assert ZULU.match(credential["validUntil"])
    claims = jwt.decode(award["credentialJwt"], options={"verify_signature": False})
    assert claims["exp"] > claims["nbf"]

    assert (await jobs.run_due(force=True, only="badges.expiry"))["badges.expiry"] == 0
    clock.advance(days=7, seconds=1)
    need_id = await post_need(badges, neighbour)
    ranked = (await neighbour.gql.data(CANDIDATES, {"id": need_id}))["candidates"]
    assert all("certified_expert" not in c["reasons"] for c in ranked)
    status = (await app.get(path(award["credentialUrl"]) + "/status")).json()
    assert status["status"] == "expired"
    mine = (await resident.gql.data(MY_BADGES))["myBadges"]["nodes"]
    assert mine[0]["status"] == "EXPIRED"

    # The expiry sweep records the step once and tells the holder.
    assert (await jobs.run_due(force=True, only="badges.expiry"))["badges.expiry"] == 1
    assert (await jobs.run_due(force=True, only="badges.expiry"))["badges.expiry"] == 0
    mine = (await resident.gql.data(MY_BADGES))["myBadges"]["nodes"]
    assert [s["action"] for s in mine[0]["history"]] == ["awarded", "expired"]
    kinds = [n["kind"] for n in (await resident.gql.data(INBOX))["notifications"]["nodes"]]
    assert kinds.count("badges.expired") == 1

    # An expired certification may be renewed.
    renewed = await resident.gql.mutate(APPLY, {"input": {
        "badgeId": await badge_id(resident, "expert-electrician"), "evidence": "Renewed."}})
    assert renewed["errors"] == []


async def test_public_pages(badges, app):
    achievement = await app.get("/badges/testville/achievements/expert-electrician")
    assert achievement.status_code == 200
    body = achievement.json()
    assert body["id"].endswith("/badges/testville/achievements/expert-electrician")
    assert body["achievementType"] == "Certification" and body["tag"] == ["electrician"]
    image = await app.get(path(body["image"]["id"]))
    assert image.status_code == 200
    assert image.headers["content-type"].startswith("image/svg+xml")
    assert image.text.startswith("<svg") and "</svg>" in image.text

    keys = (await app.get("/badges/testville/jwks.json")).json()["keys"]
    assert len(keys) == 1 and keys[0]["crv"] == "Ed25519" and "d" not in keys[0]
    profile = (await app.get("/badges/testville/issuer")).json()
    jsonschema.Draft201909Validator(load_schema("profile.schema.json")).validate(profile)
    assert profile["verificationMethod"][0]["publicKeyJwk"] == keys[0]
    assert "private" not in response_text(profile).lower()

    for url in ("/badges/testville/achievements/nope",
                "/badges/testville/credentials/not-a-uuid",
                "/badges/testville/credentials/6f1c2b1e-0000-4000-8000-000000000000",
                "/badges/testville/keys/key-9",
                "/badges/nowhere/issuer"):
        response = await app.get(url)
        assert response.status_code == 404, url
        assert response.json()["code"] == "NOT_FOUND"


async def test_accept_header_gives_the_jwt(badges, app, leader, resident):
    award = await certify(resident, leader)
    signed = await app.get(path(award["credentialUrl"]),
                           headers={"Accept": "application/vc+jwt"})
    assert signed.headers["content-type"].startswith("application/vc+jwt")
    assert signed.text == award["credentialJwt"]
    assert (await app.get(path(award["credentialUrl"]) + "/jwt")).text == signed.text


async def test_private_key_encrypted_with_the_secret(community, enable_plugin, monkeypatch,
                                                     leader, resident):
    monkeypatch.setenv("YIZHAN_BADGES_KEY_SECRET", "correct horse battery staple")
    await enable_plugin(community, "badges")
    row = await BadgeKey.select().first()
    assert row["encrypted"] and "ENCRYPTED PRIVATE KEY" in row["private_pem"]
    award = await certify(resident, leader)
    assert award["status"] == "ACTIVE"

    # Without the secret nothing can be signed, and nothing is written.
    monkeypatch.delenv("YIZHAN_BADGES_KEY_SECRET")
    application = await apply_ok(resident, "expert-plumber")
    before = await snapshot()
    from badges_helpers import APPROVE

    locked = await leader.gql.mutate(APPROVE, {"input": {"applicationId": application["id"]}})
    assert [e["code"] for e in locked["errors"]] == ["SIGNING_KEY_LOCKED"]
    assert await snapshot() == before


async def test_key_is_made_once(community, enable_plugin):
    from yizhan.core.services import plugin_admin

    await enable_plugin(community, "badges")
    await plugin_admin.disable(community, "badges")
    await enable_plugin(community, "badges")
    assert await BadgeKey.count() == 1


async def test_rotated_key_signs_new_credentials_and_old_ones_still_verify(
        badges, app, leader, resident, neighbour):
    from yizhan.plugins.badges import keys

    old = await certify(resident, leader)
    await keys.rotate(badges["id"])
    new = await certify(neighbour, leader)
    profile = (await app.get("/badges/testville/issuer")).json()
    published = {m["id"]: m["publicKeyJwk"] for m in profile["verificationMethod"]}
    assert len(published) == 2 and sorted(profile["assertionMethod"]) == sorted(published)
    kids = []
    for award in (old, new):
        header = jwt.get_unverified_header(award["credentialJwt"])
        kids.append(header["kid"].rsplit("/", 1)[1])
        jwt.decode(award["credentialJwt"], jwt.PyJWK(published[header["kid"]]).key,
                   algorithms=["EdDSA"])
        assert (await app.get(path(award["credentialUrl"]))).status_code == 200
    assert kids == ["key-1", "key-2"]


async def test_expiry_is_noted_only_where_badges_is_on(badges, clock, admin, leader,
                                                       resident):
    from yizhan.core.services import plugin_admin

    await admin.gql.mutate(DEFINE, {"input": {
        "community": "testville", "slug": "expert-electrician", "validityDays": 1}})
    await certify(resident, leader)
    await plugin_admin.disable(badges, "badges")
    clock.advance(days=2)
    assert (await jobs.run_due(force=True, only="badges.expiry"))["badges.expiry"] == 0
    await plugin_admin.enable(badges, "badges")
    assert (await jobs.run_due(force=True, only="badges.expiry"))["badges.expiry"] == 1
