"""Public Open Badges URLs (plain HTTP, no login): the issuer profile and its keys, each
credential (JSON-LD, or its VC-JWT), its status, the revocation list, the badges and images.

Every handler checks the community's switch (``PLUGIN_DISABLED``, HTTP 404). A revoked
credential answers HTTP 410 with ``{"code": "CREDENTIAL_REVOKED", …}``; its status URL and the
revocation list say so too. Refusals are JSON ``{code, message}`` (core's HTTP error handlers).
"""

from __future__ import annotations

from litestar import Request, Response, get

from yizhan.core.api import community_with_plugin, not_found, translate
from yizhan.plugins.badges import NAME, credentials, images, keys, service

LD_JSON = "application/ld+json"
VC_JWT = "application/vc+jwt"
JSON = "application/json"
FRESH = {"Cache-Control": "no-cache"}
CACHED = {"Cache-Control": "public, max-age=300"}


async def _community(slug: str) -> dict:
    return await community_with_plugin(slug, NAME)


def _locale(request: Request) -> str | None:
    accept = request.headers.get("accept-language")
    return accept.split(",")[0] if accept else None


def _revoked(request: Request, community: dict, award: dict) -> Response:
    return Response({
        "code": "CREDENTIAL_REVOKED",
        "message": translate("This credential was revoked by its issuer.", _locale(request)),
        "id": credentials.credential_url(community, award["uuid"]),
        "status": service.REVOKED,
        "revokedAt": credentials.iso(award["revoked_at"]),
    }, status_code=410, media_type=JSON, headers=FRESH)


def _wants_jwt(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return VC_JWT in accept or "application/jwt" in accept


@get("/badges/{community:str}/issuer")
async def issuer_profile(community: str) -> Response:
    """The issuer Profile, publishing the community's public keys."""
    row = await _community(community)
    published = await keys.published_keys(row["id"])
    return Response(credentials.issuer_profile(row, published), media_type=LD_JSON,
                    headers=CACHED)


@get("/badges/{community:str}/keys/{kid:str}")
async def public_key(community: str, kid: str) -> Response:
    """One public key as a JWK (what a VC-JWT's ``kid`` points to)."""
    row = await _community(community)
    for key in await keys.published_keys(row["id"]):
        if key["kid"] == kid:
            return Response(credentials.public_jwk(row, key), media_type="application/jwk+json",
                            headers=CACHED)

    raise not_found("key")


@get("/badges/{community:str}/jwks.json")
async def key_set(community: str) -> Response:
    """Every public key of the community as a JWK Set."""
    row = await _community(community)
    found = [credentials.public_jwk(row, k) for k in await keys.published_keys(row["id"])]
    return Response({"keys": found}, media_type="application/jwk-set+json", headers=CACHED)


@get("/badges/{community:str}/credentials/{credential:str}")
async def credential(request: Request, community: str, credential: str) -> Response:
    """The credential as JSON-LD (or its VC-JWT with ``Accept: application/vc+jwt``)."""
    row = await _community(community)
    award = await service.find_award(row, credential)
    if award["revoked_at"] is not None:
        return _revoked(request, row, award)
    if _wants_jwt(request):
        return Response(award["credential_jwt"], media_type=VC_JWT, headers=FRESH)
    return Response(service.credential_of(award), media_type=LD_JSON, headers=FRESH)


@get("/badges/{community:str}/credentials/{credential:str}/jwt")
async def credential_jwt(request: Request, community: str, credential: str) -> Response:
    """The credential's VC-JWT (compact JWS, EdDSA)."""
    row = await _community(community)
    award = await service.find_award(row, credential)
    if award["revoked_at"] is not None:
        return _revoked(request, row, award)
    return Response(award["credential_jwt"], media_type=VC_JWT, headers=FRESH)


@get("/badges/{community:str}/credentials/{credential:str}/status")
async def credential_status(community: str, credential: str) -> Response:
    """Whether the credential is ``active``, ``expired`` or ``revoked`` right now."""
    row = await _community(community)
    award = await service.find_award(row, credential)
    body = {
        "id": credentials.credential_url(row, award["uuid"]),
        "status": service.award_status(award),
        "validFrom": credentials.iso(award["awarded_at"]),
        "validUntil": credentials.iso(award["expires_at"]) if award["expires_at"] else None,
        "revokedAt": credentials.iso(award["revoked_at"]) if award["revoked_at"] else None,
    }
    return Response(body, media_type=JSON, headers=FRESH)


@get("/badges/{community:str}/revocations")
async def revocations(community: str) -> Response:
    """The 1EdTech revocation list named by every credential's ``credentialStatus``."""
    row = await _community(community)
    return Response(credentials.revocation_list(row, await service.revoked_uuids(row)),
                    media_type=JSON, headers=FRESH)


@get("/badges/{community:str}/achievements/{slug:str}")
async def achievement(community: str, slug: str) -> Response:
    """A badge (Achievement) as JSON-LD."""
    row = await _community(community)
    definition = await service.get_definition(row, slug=slug, field="slug")
    body = {"@context": list(credentials.CONTEXT), **credentials.achievement(row, definition)}
    return Response(body, media_type=LD_JSON, headers=CACHED)


@get("/badges/{community:str}/achievements/{slug:str}/image.svg")
async def achievement_image(community: str, slug: str) -> Response:
    """The badge's generated default image (SVG)."""
    row = await _community(community)
    definition = await service.get_definition(row, slug=slug, field="slug")
    return Response(images.svg(definition["name"], definition["slug"], definition["kind"]),
                    media_type="image/svg+xml",
                    headers={"Cache-Control": "public, max-age=3600",
                             "Content-Security-Policy": "default-src 'none'; style-src "
                                                        "'unsafe-inline'"})


ROUTES = [issuer_profile, public_key, key_set, credential, credential_jwt, credential_status,
          revocations, achievement, achievement_image]
