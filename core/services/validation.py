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


#: Control characters other than tab, line feed and carriage return (NUL, escape codes …).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


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
    """Parse an exact amount with at most two decimals (a decimal string or an int, never a
    float) into integer hundredths, at most ``maximum``. Refuses with INVALID_AMOUNT (a float,
    not a number, more than two decimals), NEGATIVE_AMOUNT or AMOUNT_TOO_LARGE on ``field``."""
    if isinstance(value, float):
        raise invalid(field, messages.not_float, code="INVALID_AMOUNT")
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise invalid(field, messages.not_amount, code="INVALID_AMOUNT") from None
    if not amount.is_finite():
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
