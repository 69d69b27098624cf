"""Global ids (``base64("Need:42")``) and opaque cursors."""

from __future__ import annotations

import base64
import binascii
import functools

from yizhan.core.errors import invalid
from yizhan.core.services.validation import canonical_int

#: The largest key a database column holds (a signed 64-bit integer).
MAX_KEY = 2**63 - 1


def to_gid(type_name: str, pk: int) -> str:
    """The global id of row ``pk`` of ``type_name``."""
    return _gid(type_name, pk)


@functools.lru_cache(maxsize=16384, typed=True)
def _gid(type_name: str, pk: int) -> str:
    """:func:`to_gid`, remembered: a page names the same rows again and again."""
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def from_gid(gid: str, expected: str | tuple[str, ...] | None = None,
             field: str = "id") -> tuple[str, int]:
    """(type, pk) of a global id; refuses garbage or an id of another type."""
    try:
        padded = gid + "=" * (-len(gid) % 4)
        type_name, _, raw = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError, AttributeError):
        raise invalid(field, "Not a valid id.", code="INVALID_ID") from None
    # One spelling only: "Need:10", never "Need:1_0", "Need: 10", "Need:010" or "Need:١٠";
    # and the id must be exactly what to_gid would have made (no padding variants).
    pk = canonical_int(raw)
    if pk is None or not 0 < pk <= MAX_KEY or to_gid(type_name, pk) != gid:
        raise invalid(field, "Not a valid id.", code="INVALID_ID")
    allowed = (expected,) if isinstance(expected, str) else expected
    if allowed and type_name not in allowed:
        raise invalid(field, "This id is not a {expected}.", code="INVALID_ID",
                      expected=" or ".join(allowed))
    return type_name, pk


def pk_of(gid: str, expected: str, field: str = "id") -> int:
    """The primary key in a global id of type ``expected``."""
    return from_gid(gid, expected, field)[1]


def to_cursor(value: int) -> str:
    """An opaque cursor for a keyset position."""
    return _cursor(value)


@functools.lru_cache(maxsize=16384, typed=True)
def _cursor(value: int) -> str:
    """:func:`to_cursor`, remembered."""
    return base64.urlsafe_b64encode(f"c:{value}".encode()).decode().rstrip("=")


def from_cursor(cursor: str | None, field: str = "after") -> int | None:
    """The keyset position in a cursor (None for None)."""
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        tag, _, raw = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
        value = canonical_int(raw.removeprefix("-"))
        if tag != "c" or value is None or value > MAX_KEY:
            raise ValueError
        value = -value if raw.startswith("-") else value
        return value
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise invalid(field, "Not a valid cursor.", code="INVALID_CURSOR") from None
