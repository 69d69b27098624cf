"""Checks shared by every service: text lengths, slugs, credit amounts, roles."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from yizhan.core.errors import YizhanError, forbidden, invalid

SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")

#: Roles in a community, from least to most authority.
ROLES = ("resident", "deputy_leader", "building_leader", "admin")
LEADER_ROLES = ("deputy_leader", "building_leader")


#: Characters refused in text: C0 controls other than tab, line feed and carriage return
#: (NUL, escape codes …), DEL, C1 controls (U+0080-U+009F, such as NEL and CSI), bidi
#: embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), which can make text
#: read differently on someone else's screen, and lone surrogates (not Unicode text at all).
CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")

#: The one accepted spelling of a whole number: ASCII digits, no sign, padding, exponent,
#: underscore or leading zero.
CANONICAL_INT = re.compile(r"(0|[1-9][0-9]{0,18})", re.ASCII)
#: The one accepted spelling of an exact amount: an optional minus, ASCII digits without a
#: leading zero, at most two decimals. No exponent, padding, underscore or other digits.
CANONICAL_AMOUNT = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]{1,2})?", re.ASCII)


def canonical_int(value: str) -> int | None:
    """``value`` as a whole number if written in its one canonical form, else None:
    ``"42"`` is 42; ``"042"``, ``" 42"``, ``"4_2"``, ``"4e1"``, ``"٤٢"``, ``"４２"`` are None."""
    return int(value) if isinstance(value, str) and CANONICAL_INT.fullmatch(value) else None


def text(value: str | None, field: str, *, max_length: int, required: bool = True) -> str:
    """Strip ``value``; refuse it empty (when required), longer than ``max_length``, or with
    control characters (line breaks and tabs are fine)."""
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise invalid(field, "This field cannot be empty.", code="REQUIRED")
    if len(cleaned) > max_length:
        raise invalid(field, "Too long: at most {max} characters.", code="TOO_LONG",
                      max=max_length)
    if CONTROL.search(cleaned):
        raise invalid(field, "Remove the control characters from this text.",
                      code="INVALID_TEXT")
    return cleaned


def searchable(value: str | None) -> str | None:
    """``value`` stripped for a look-up, or None when it cannot match anything stored (it has
    control characters, which no stored name has; PostgreSQL refuses a NUL outright)."""
    cleaned = (value or "").strip()
    return None if CONTROL.search(cleaned) else cleaned


def slug(value: str | None, field: str = "slug") -> str:
    """A lowercase identifier of letters, digits, ``-`` and ``_`` (at most 40)."""
    cleaned = (value or "").strip().lower()
    if not SLUG.match(cleaned):
        raise invalid(field, "Use 1-40 lowercase letters, digits, - or _.", code="INVALID_SLUG")
    return cleaned


@dataclass(frozen=True)
class AmountMessages:
    """What :func:`parse_hundredths` says about a bad amount (English msgids, translated by
    the catalogs); ``too_large`` gets ``{max}``."""

    not_float: str
    not_amount: str
    negative: str
    too_large: str
    decimals: str


#: Messages about amounts of credits (hours).
CREDIT_MESSAGES = AmountMessages(
    not_float="Credits must be given as a decimal string, not a float.",
    not_amount="Not a credit amount.",
    negative="Credits cannot be negative.",
    too_large="At most {max} credits.",
    decimals="Credits have at most two decimals.",
)


def parse_hundredths(value: Any, field: str, *, maximum: int,
                     messages: AmountMessages = CREDIT_MESSAGES) -> int:
    """Parse an exact amount with at most two decimals (a decimal string in its one canonical
    form, or an int; never a float) into integer hundredths, at most ``maximum``. Refuses
    with INVALID_AMOUNT (a float, not a number, not canonical, more than two decimals),
    NEGATIVE_AMOUNT or AMOUNT_TOO_LARGE on ``field``."""
    if isinstance(value, float):
        raise invalid(field, messages.not_float, code="INVALID_AMOUNT")
    # One spelling only: "12", "0.2", "12.50" or a whole JSON number; never "1e2", " 1",
    # "1_0", "01" or digits other than ASCII ("١٠", "１０").
    if isinstance(value, int) and not isinstance(value, bool):
        amount = Decimal(value)
    elif isinstance(value, str) and len(value) > 40 and value.isascii() and value.isdigit():
        amount = Decimal(10) ** 40  # absurdly large: AMOUNT_TOO_LARGE below
    elif isinstance(value, str) and CANONICAL_AMOUNT.fullmatch(value):
        amount = Decimal(value)
    else:
        raise invalid(field, messages.not_amount, code="INVALID_AMOUNT")
    if amount < 0:
        raise invalid(field, messages.negative, code="NEGATIVE_AMOUNT")
    if amount > Decimal(maximum) / 100:  # before any arithmetic, which fails on huge numbers
        raise invalid(field, messages.too_large, code="AMOUNT_TOO_LARGE",
                      max=format_centi(maximum))
    try:
        exact = amount == amount.quantize(Decimal("0.01"))
    except InvalidOperation:
        exact = False
    if not exact:
        raise invalid(field, messages.decimals, code="INVALID_AMOUNT")
    return int(amount * 100)


def credits_to_centi(value: Any, field: str = "credits", *, maximum: int = 100_00) -> int:
    """Parse a credit amount (hours, up to two decimals) into integer hundredths."""
    return parse_hundredths(value, field, maximum=maximum)


def format_centi(centi: int) -> str:
    """Integer hundredths as a decimal string: 20 -> ``"0.20"``, -150 -> ``"-1.50"``."""
    sign = "-" if centi < 0 else ""
    whole, frac = divmod(abs(centi), 100)
    return f"{sign}{whole}.{frac:02d}"


def role_rank(role: str) -> int:
    """Position of ``role`` in :data:`ROLES`."""
    return ROLES.index(role)


def require_verified(member: dict | None) -> dict:
    """Refuse unless ``member`` exists and is verified in the community."""
    if member is None:
        raise forbidden("You are not a member of this community.")
    if member["status"] != "verified":
        raise YizhanError("NOT_VERIFIED", "Only verified members can do this.", kind="permission")
    return member


def require_person(member: dict) -> dict:
    """Refuse a bare service token (acting as the community, not as a member) where the action
    needs a person: asking for help, helping, a profile. Use ``X-Act-As``."""
    if member.get("id") is None:
        raise forbidden("A service token must act for a member (X-Act-As) to do this.")
    return member


def is_admin(member: dict | None) -> bool:
    """True for a verified community admin."""
    return bool(member and member["status"] == "verified" and member["role"] == "admin")


def is_leader_of(member: dict | None, building_id: int | None) -> bool:
    """True for an admin, or a verified (deputy) leader of ``building_id``."""
    if is_admin(member):
        return True
    return bool(
        member and member["status"] == "verified" and member["role"] in LEADER_ROLES
        and building_id is not None and member["building"] == building_id
    )


def require_admin(member: dict | None) -> dict:
    """Refuse unless ``member`` is a community admin."""
    if not is_admin(member):
        raise forbidden("Only a community admin can do this.")
    assert member is not None
    return member


def require_leader_of(member: dict | None, building_id: int | None) -> dict:
    """Refuse unless ``member`` leads ``building_id`` (or is an admin)."""
    if not is_leader_of(member, building_id):
        raise forbidden("Only a leader of this building or an admin can do this.")
    assert member is not None
    return member
