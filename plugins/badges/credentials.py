"""Open Badges 3.0: the credential of an award, the issuer profile, the revocation list, and
the VC-JWT signature (Ed25519, ``alg: EdDSA``).

Every URL is absolute, from the platform's ``YIZHAN_PUBLIC_URL``, under ``/badges/<community>``:

* ``/issuer`` — the issuer Profile, publishing the public keys (``verificationMethod``);
* ``/keys/<kid>`` — one public key as a JWK (the ``kid`` of the JWT header);
* ``/credentials/<uuid>`` — the credential (JSON-LD); ``/credentials/<uuid>/jwt`` — signed;
* ``/revocations`` — the 1EdTech revocation list the credential's ``credentialStatus`` names;
* ``/achievements/<slug>`` and ``/achievements/<slug>/image.svg`` — the badge and its image.

The VC-JWT follows Open Badges 3.0 section 8.2: the payload is the credential itself with the
registered claims ``iss`` (issuer id), ``jti`` (credential id), ``sub`` (subject id), ``nbf``
(``validFrom``) and ``exp`` (``validUntil``, when it expires).
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import jwt

from yizhan.core.api import public_url
from yizhan.plugins.badges.keys import load_private

CONTEXT = ["https://www.w3.org/ns/credentials/v2",
           "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
ACHIEVEMENT_TYPE = {"expert": "Certification", "star": "Award", "custom": "Badge"}
LANGUAGE = {"zh_Hans": "zh-Hans", "en": "en"}


def iso(moment: datetime) -> str:
    """A UTC timestamp as ``2026-11-02T01:00:00Z`` (the spec's DateTimeZ)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def base(community: dict) -> str:
    """``<public url>/badges/<community slug>``."""
    return f"{public_url()}/badges/{community['slug']}"


def issuer_url(community: dict) -> str:
    """The issuer Profile's id and URL."""
    return f"{base(community)}/issuer"


def key_url(community: dict, kid: str) -> str:
    """Where a public key is published as a JWK (the JWT header's ``kid``)."""
    return f"{base(community)}/keys/{kid}"


def credential_url(community: dict, credential_uuid: str) -> str:
    """The credential's id and public URL."""
    return f"{base(community)}/credentials/{credential_uuid}"


def revocations_url(community: dict) -> str:
    """The revocation list named by every credential's ``credentialStatus``."""
    return f"{base(community)}/revocations"


def achievement_url(community: dict, definition: dict) -> str:
    """The badge (Achievement) id and URL."""
    return f"{base(community)}/achievements/{definition['slug']}"


def image_url(community: dict, definition: dict) -> str:
    """The badge's image: the admin's URL, else the generated default."""
    return definition["image_url"] or f"{achievement_url(community, definition)}/image.svg"


def subject_id(community: dict, member_id: int) -> str:
    """A stable, opaque identifier of a member as a credential subject (``urn:uuid:…``)."""
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL,
                                        f"{base(community)}/members/{member_id}"))


def issuer_stub(community: dict) -> dict[str, Any]:
    """The issuer as embedded in credentials."""
    return {"id": issuer_url(community), "type": ["Profile"], "name": community["name"]}


def achievement(community: dict, definition: dict) -> dict[str, Any]:
    """The Achievement (the badge class) of a definition."""
    found: dict[str, Any] = {
        "id": achievement_url(community, definition),
        "type": ["Achievement"],
        "achievementType": ACHIEVEMENT_TYPE.get(definition["kind"], "Badge"),
        "name": definition["name"],
        "description": definition["description"] or definition["name"],
        "criteria": {"narrative": definition["criteria"] or definition["description"]
                     or definition["name"]},
        "image": {"id": image_url(community, definition), "type": "Image",
                  "caption": definition["name"]},
        "creator": issuer_stub(community),
        "inLanguage": LANGUAGE.get(community["locale"], "zh-Hans"),
    }
    if definition["category"]:
        found["tag"] = [definition["category"]]
    return found


def build(community: dict, definition: dict, *, credential_uuid: str, member_id: int,
          member_name: str, awarded_at: datetime, expires_at: datetime | None,
          evidence: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The unsigned OpenBadgeCredential of an award."""
    credential: dict[str, Any] = {
        "@context": list(CONTEXT),
        "id": credential_url(community, credential_uuid),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": definition["name"],
        "description": definition["description"] or definition["name"],
        "issuer": issuer_stub(community),
        "validFrom": iso(awarded_at),
        "awardedDate": iso(awarded_at),
        "credentialSubject": {
            "id": subject_id(community, member_id),
            "type": ["AchievementSubject"],
            "identifier": [{"type": "IdentityObject", "identityType": "name", "hashed": False,
                            "identityHash": member_name}],
            "achievement": achievement(community, definition),
        },
        "credentialStatus": {"id": revocations_url(community), "type": "1EdTechRevocationList"},
        "image": {"id": image_url(community, definition), "type": "Image",
                  "caption": definition["name"]},
    }
    if expires_at is not None:
        credential["validUntil"] = iso(expires_at)
    if evidence:
        credential["evidence"] = evidence
    return credential


def jwt_claims(credential: dict[str, Any]) -> dict[str, Any]:
    """The VC-JWT payload: the credential plus the registered claims of OB 3.0 section 8.2."""
    claims = dict(credential)
    claims["iss"] = credential["issuer"]["id"]
    claims["jti"] = credential["id"]
    claims["sub"] = credential["credentialSubject"]["id"]
    claims["nbf"] = int(datetime.fromisoformat(credential["validFrom"]).timestamp())
    if "validUntil" in credential:
        claims["exp"] = int(datetime.fromisoformat(credential["validUntil"]).timestamp())
    return claims


def sign(community: dict, credential: dict[str, Any], key_row: dict) -> str:
    """The compact VC-JWT of ``credential``, signed with the community's key (EdDSA) by
    PyJWT."""
    jwk = json.loads(key_row["public_jwk"]) if isinstance(key_row["public_jwk"], str) \
        else key_row["public_jwk"]
    header = {"typ": "JWT", "kid": key_url(community, key_row["kid"]), "jwk": jwk}
    return jwt.encode(jwt_claims(credential), load_private(key_row), algorithm="EdDSA",
                      headers=header)


def public_jwk(community: dict, key_row: dict) -> dict[str, Any]:
    """A published key as a JWK, with its ``kid`` (its URL), ``alg`` and ``use``."""
    jwk = json.loads(key_row["public_jwk"]) if isinstance(key_row["public_jwk"], str) \
        else dict(key_row["public_jwk"])
    return {**jwk, "kid": key_url(community, key_row["kid"]), "alg": key_row["algorithm"],
            "use": "sig"}


def issuer_profile(community: dict, keys: list[dict]) -> dict[str, Any]:
    """The issuer Profile with its public keys as ``verificationMethod`` (JsonWebKey)."""
    issuer = issuer_url(community)
    return {
        "@context": list(CONTEXT),
        "id": issuer,
        "type": ["Profile"],
        "name": community["name"],
        "url": issuer,
        "description": f"Yizhan time bank {community['name']} ({community['slug']})",
        "verificationMethod": [
            {"id": key_url(community, k["kid"]), "type": "JsonWebKey", "controller": issuer,
             "publicKeyJwk": public_jwk(community, k)}
            for k in keys
        ],
        # Retired keys no longer sign but still vouch for what they signed.
        "assertionMethod": [key_url(community, k["kid"]) for k in keys],
    }


def revocation_list(community: dict, revoked_uuids: list[str]) -> dict[str, Any]:
    """The 1EdTech revocation list: the ids of this issuer's revoked credentials (reasons are
    kept private; the member and reviewers see them in the app)."""
    return {
        "id": revocations_url(community),
        "issuer": issuer_url(community),
        "revokedCredentials": [{"id": credential_url(community, u)} for u in revoked_uuids],
    }
