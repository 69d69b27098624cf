"""Small shared pieces of the governance plugin: its name, statuses, look-ups and checks."""

from __future__ import annotations

from yizhan.core.api import YizhanError, invalid, plugin_settings, validate_text
from yizhan.plugins.governance import NAME

PLUGIN = NAME
URGENCIES = ("red", "yellow", "blue")
#: The statuses of a request still waiting for its answer.
OPEN = ("submitted", "assigned", "in_progress")
#: The same as literal SQL: partial indexes on it serve generic (prepared) plans too.
OPEN_SQL = "status IN (" + ", ".join(f"'{s}'" for s in OPEN) + ")"


def settings(community: dict):
    """The community's validated governance settings."""
    return plugin_settings(community["id"], PLUGIN)


def text(value: str | None, field: str, max_length: int, required: bool = True) -> str:
    """A cleaned text input (core's validator: REQUIRED, TOO_LONG …)."""
    return validate_text(value, field, max_length=max_length, required=required)


def urgency(value: str | None, field: str = "urgency") -> str:
    """``red``, ``yellow`` or ``blue`` (any case), else INVALID_URGENCY."""
    cleaned = (value or "").strip().lower()
    if cleaned not in URGENCIES:
        raise invalid(field, "Choose an urgency: red, yellow or blue.", code="INVALID_URGENCY")
    return cleaned


def require_verified(member: dict | None) -> dict:
    """Refuse unless ``member`` is a verified member (NOT_VERIFIED, a permission error)."""
    if not member or member["status"] != "verified":
        raise YizhanError("NOT_VERIFIED", "Only verified members can do this.",
                          kind="permission")
    return member
