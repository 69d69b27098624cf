"""Signing deliveries, and verifying them on the receiving side.

Every request carries::

    X-Yizhan-Timestamp: 1793581200                 (Unix seconds when this attempt was sent)
    X-Yizhan-Signature: v1=<hex HMAC-SHA256>       (one ``v1=`` entry per valid secret)

where the HMAC key is the subscription's secret and the message is ``"{timestamp}.{body}"``
(the raw request body bytes). A receiver recomputes it with its secret, compares in constant
time, and refuses a timestamp more than five minutes away from its own clock (a replay).
:func:`verify` does all of that; receivers in other languages follow ``docs/operations.md``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Iterable

TIMESTAMP_HEADER = "X-Yizhan-Timestamp"
SIGNATURE_HEADER = "X-Yizhan-Signature"
EVENT_HEADER = "X-Yizhan-Event"
DELIVERY_HEADER = "X-Yizhan-Delivery"
SCHEME = "v1"
#: Receivers should refuse deliveries whose timestamp is further than this from now.
TOLERANCE_SECONDS = 300


class SignatureError(ValueError):
    """A delivery whose signature does not verify, or whose timestamp is too old or new."""


def new_secret() -> str:
    """A fresh signing secret: ``whsec_`` and 43 URL-safe random characters."""
    return "whsec_" + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``"{timestamp}.{body}"`` under ``secret``."""
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secrets_: Iterable[str], timestamp: int, body: bytes) -> str:
    """The ``X-Yizhan-Signature`` value: ``v1=<hex>`` for each secret, comma-separated."""
    return ",".join(f"{SCHEME}={signature(s, timestamp, body)}" for s in secrets_ if s)


def verify(secret: str, body: bytes, timestamp_header: str | None,
           signature_header_value: str | None, *, now: float | None = None,
           tolerance: int = TOLERANCE_SECONDS) -> int:
    """Check a delivery; return its timestamp, or raise :class:`SignatureError`.

    ``now`` is the receiver's clock in Unix seconds (default: ``time.time()``).
    """
    if not timestamp_header or not signature_header_value:
        raise SignatureError("missing timestamp or signature header")
    try:
        timestamp = int(timestamp_header)
    except ValueError:
        raise SignatureError("timestamp is not an integer") from None
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise SignatureError("timestamp outside the tolerance (replayed or clock skew)")
    expected = signature(secret, timestamp, body)
    for part in signature_header_value.split(","):
        scheme, _, value = part.strip().partition("=")
        if scheme == SCHEME and hmac.compare_digest(value, expected):
            return timestamp
    raise SignatureError("no signature matches")
