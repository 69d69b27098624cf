"""The issue's "done when": an electrician applies, is certified, comes first among the
candidates for an electrical need, and the credential validates against the Open Badges 3.0
schema and verifies with another library than the one that signed it."""

from __future__ import annotations

import jsonschema
import jwt
from badges_helpers import (
    APPLY,
    CANDIDATES,
    apply_ok,
    approve_ok,
    badge_id,
    load_schema,
    post_need,
)

from yizhan.testing.people import make_actor


async def test_electrician_is_certified_ranked_first_and_credential_verifies(
        badges, app, gql, leader, resident, neighbour):
    community = badges
    electrician = await make_actor(community, gql, "chen", "A", "resident")
    # Without a certification the neighbour who declared the skill ranks with the others.
    need_id = await post_need(community, resident)

    application = await apply_ok(electrician, "expert-electrician",
                                 links=["https://example.org/licence.pdf"])
    assert application["status"] == "PENDING"
    assert application["links"] == ["https://example.org/licence.pdf"]
    award = await approve_ok(leader, application["id"], note="Licence checked")
    assert award["status"] == "ACTIVE" and award["badge"]["slug"] == "expert-electrician"

    ranked = (await resident.gql.data(CANDIDATES, {"id": need_id}))["candidates"]
    assert ranked[0]["member"]["id"] == electrician.id
    assert "certified_expert" in ranked[0]["reasons"]
    assert ranked[0]["score"] > max(c["score"] for c in ranked[1:])

    # The public credential URL serves the OpenBadgeCredential (JSON-LD) ...
    path = award["credentialUrl"].split("://", 1)[1].split("/", 1)[1]
    response = await app.get("/" + path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/ld+json")
    credential = response.json()
    assert credential["id"] == award["credentialUrl"]
    assert "OpenBadgeCredential" in credential["type"]
    jsonschema.Draft201909Validator(
        load_schema("achievementcredential.schema.json"),
        format_checker=jsonschema.Draft201909Validator.FORMAT_CHECKER,
    ).validate(credential)

    # ... and the issuer profile publishes the key, valid against the Profile schema.
    issuer_path = credential["issuer"]["id"].split("://", 1)[1].split("/", 1)[1]
    profile = (await app.get("/" + issuer_path)).json()
    jsonschema.Draft201909Validator(load_schema("profile.schema.json")).validate(profile)

    # The VC-JWT (signed with `cryptography`) verifies with PyJWT using the published key.
    token = award["credentialJwt"]
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "EdDSA"
    method = next(m for m in profile["verificationMethod"] if m["id"] == header["kid"])
    key = jwt.PyJWK(method["publicKeyJwk"])
    claims = jwt.decode(token, key=key.key, algorithms=["EdDSA"],
                        options={"verify_aud": False})
    assert claims["jti"] == credential["id"]
    assert claims["iss"] == credential["issuer"]["id"]
    assert claims["sub"] == credential["credentialSubject"]["id"]
    assert {k: v for k, v in claims.items()
            if k not in ("iss", "jti", "sub", "nbf", "exp")} == credential
    # The key the `kid` names is served on its own too.
    kid_path = header["kid"].split("://", 1)[1].split("/", 1)[1]
    assert (await app.get("/" + kid_path)).json()["x"] == method["publicKeyJwk"]["x"]

    # A tampered payload does not verify.
    head, body, signature = token.split(".")
    forged = f"{head}.{body[:-4]}AAAA.{signature}"
    try:
        jwt.decode(forged, key=key.key, algorithms=["EdDSA"])
    except jwt.InvalidTokenError:
        pass
    else:
        raise AssertionError("a forged credential verified")

    # Applying again while certified is refused.
    again = await electrician.gql.mutate(APPLY, {"input": {
        "badgeId": await badge_id(electrician, "expert-electrician"), "evidence": "again"}})
    assert [e["code"] for e in again["errors"]] == ["ALREADY_HOLDS"]
