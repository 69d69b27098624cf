"""Signing deliveries the Standard Webhooks way (https://www.standardwebhooks.com), and
verifying them on the receiving side.

Every request carries::

    webhook-id: V2ViaG9va0RlbGl2ZXJ5OjE          (the delivery's id, the same on every retry)
    webhook-timestamp: 1793581200               (Unix seconds when this attempt was sent)
    webhook-signature: v1,<base64 HMAC-SHA256>  (one ``v1,`` entry per valid secret,
                                                 separated by spaces)

The HMAC key is the secret after its ``whsec_`` prefix, base64-decoded; the signed message is
``"{webhook-id}.{webhook-timestamp}.{body}"``. Receivers use a Standard Webhooks library (for
Python ``standardwebhooks``: ``Webhook(secret).verify(body, headers)``), which also refuses a
timestamp more than five minutes from its own clock (a replay); :func:`verify` here does the
same without the dependency.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import time
from collections.abc import Iterable, Mapping

ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"
#: Not part of the standard: the event's type, so a receiver can route before parsing.
EVENT_HEADER = "X-Yizhan-Event"
SCHEME = "v1"
PREFIX = "whsec_"
#: Receivers should refuse deliveries whose timestamp is further than this from now.
TOLERANCE_SECONDS = 300


class SignatureError(ValueError):
    """A delivery whose signature does not verify, or whose timestamp is too old or new."""


def new_secret() -> str:
    """A fresh signing secret: ``whsec_`` and 32 random bytes in base64."""
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def _key(secret: str) -> bytes:
    """The HMAC key of a secret, decoded as Standard Webhooks libraries decode it; a secret
    made before the switch (URL-safe characters) falls back to its URL-safe decoding."""
    raw = secret.removeprefix(PREFIX)
    try:
        return base64.b64decode(raw + "==", validate=True) if "=" not in raw else \
            base64.b64decode(raw, validate=True)
    except binascii.Error:
        try:
            return base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
        except (binascii.Error, ValueError):
            return raw.encode()


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """``v1,<base64>``: the HMAC-SHA256 of ``"{id}.{timestamp}.{body}"`` under ``secret``."""
    message = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), message, hashlib.sha256).digest()
    return f"{SCHEME},{base64.b64encode(digest).decode('ascii')}"


def headers(secrets_: Iterable[str], message_id: str, timestamp: int,
            body: bytes) -> dict[str, str]:
    """The three Standard Webhooks headers, signed with every valid secret."""
    return {
        ID_HEADER: message_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: " ".join(signature(s, message_id, timestamp, body)
                                   for s in secrets_ if s),
    }


def verify(secret: str, body: bytes, received: Mapping[str, str], *,
           now: float | None = None, tolerance: int = TOLERANCE_SECONDS) -> int:
    """Check a delivery's headers; return its timestamp, or raise :class:`SignatureError`.

    ``now`` is the receiver's clock in Unix seconds (default: ``time.time()``).
    """
    lowered = {k.lower(): v for k, v in received.items()}
    message_id = lowered.get(ID_HEADER)
    stamp = lowered.get(TIMESTAMP_HEADER)
    signatures = lowered.get(SIGNATURE_HEADER)
    if not message_id or not stamp or not signatures:
        raise SignatureError("missing webhook-id, webhook-timestamp or webhook-signature")
    if not stamp.isascii() or not stamp.isdigit():
        raise SignatureError("timestamp is not an integer")
    timestamp = int(stamp)
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise SignatureError("timestamp outside the tolerance (replayed or clock skew)")
    expected = signature(secret, message_id, timestamp, body)
    for candidate in signatures.split(" "):
        if candidate.startswith(SCHEME + ",") and hmac.compare_digest(candidate, expected):
            return timestamp
    raise SignatureError("no signature matches")
