"""Each community's Ed25519 signing key: made when the plugin is first enabled, kept in
``yz_badge_key``, its public half published as a JWK at the issuer profile.

The private key is stored as PKCS#8 PEM, encrypted with ``YIZHAN_BADGES_KEY_SECRET`` when that
environment variable is set (recommended in production; keep the secret out of the database).
It is never returned by the API or the CLI.
"""

from __future__ import annotations

import base64
import json
import os

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from yizhan.core.api import YizhanError, atomic, now
from yizhan.plugins.badges.tables import BadgeKey

SECRET_ENV = "YIZHAN_BADGES_KEY_SECRET"


def b64url(data: bytes) -> str:
    """Base64url without padding (JOSE's encoding)."""
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _secret() -> bytes | None:
    value = os.environ.get(SECRET_ENV, "")
    return value.encode() if value else None


def public_jwk(private: Ed25519PrivateKey) -> dict[str, str]:
    """The public half as an OKP JWK (RFC 8037)."""
    raw = private.public_key().public_bytes(serialization.Encoding.Raw,
                                            serialization.PublicFormat.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "x": b64url(raw)}


async def ensure_key(community_id: int) -> dict:
    """The community's current signing key row, made (in the caller's transaction) if none."""
    async with atomic():
        row = await current_key(community_id)
        if row is not None:
            return row
        private = Ed25519PrivateKey.generate()
        secret = _secret()
        pem = private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(secret) if secret
            else serialization.NoEncryption())
        count = await BadgeKey.count().where(BadgeKey.community == community_id)
        return (await BadgeKey.insert(BadgeKey(
            community=community_id, kid=f"key-{count + 1}", algorithm="EdDSA",
            public_jwk=json.dumps(public_jwk(private)), private_pem=pem.decode("ascii"),
            encrypted=secret is not None, created_at=now(),
        )).returning(*BadgeKey.all_columns()))[0]


async def current_key(community_id: int) -> dict | None:
    """The newest key that is not retired, or None."""
    return await BadgeKey.select().where(
        (BadgeKey.community == community_id) & BadgeKey.retired_at.is_null()
    ).order_by(BadgeKey.id, ascending=False).first()


async def published_keys(community_id: int) -> list[dict]:
    """Every key of the community (retired ones too: old credentials still verify)."""
    return await BadgeKey.select(
        BadgeKey.id, BadgeKey.kid, BadgeKey.algorithm, BadgeKey.public_jwk,
        BadgeKey.created_at, BadgeKey.retired_at,
    ).where(BadgeKey.community == community_id).order_by(BadgeKey.id)


async def rotate(community_id: int) -> dict:
    """Retire the current key and make a new one; old credentials keep verifying."""
    async with atomic():
        await BadgeKey.update({BadgeKey.retired_at: now()}).where(
            (BadgeKey.community == community_id) & BadgeKey.retired_at.is_null())
        return await ensure_key(community_id)


def load_private(row: dict) -> Ed25519PrivateKey:
    """The private key of a key row (decrypted with the secret when it was encrypted)."""
    secret = _secret() if row["encrypted"] else None
    if row["encrypted"] and secret is None:
        raise YizhanError("SIGNING_KEY_LOCKED",
                          "The badge signing key is encrypted and its secret is not set.")
    try:
        key = serialization.load_pem_private_key(row["private_pem"].encode("ascii"),
                                                 password=secret)
    except (ValueError, TypeError):
        raise YizhanError(
            "SIGNING_KEY_LOCKED",
            "The badge signing key cannot be opened with the configured secret.") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise YizhanError("SIGNING_KEY_LOCKED", "The badge signing key is not an Ed25519 key.")
    return key
