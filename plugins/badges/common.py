"""Shared pieces of the badges service: constants, settings, the event log, row locks, and
the checks definitions, applications and awards all use (holding a badge, who may review)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from yizhan.core.api import (
    forbidden,
    is_leader_of,
    lock_row,
    plugin_settings,
)
from yizhan.core.api import now as _now
from yizhan.plugins.badges import NAME
from yizhan.plugins.badges.tables import (
    BadgeAward,
    BadgeEvent,
)

KINDS = ("expert", "star", "custom")


PENDING, APPROVED, REJECTED, WITHDRAWN = "pending", "approved", "rejected", "withdrawn"


APPLICATION_STATUSES = (PENDING, APPROVED, REJECTED, WITHDRAWN)


ACTIVE, EXPIRED, REVOKED = "active", "expired", "revoked"


STAR_SLUG = "mutual-aid-star"


MAX_LINKS, MAX_LINK_LENGTH = 5, 500


#: Expert certifications every community starts with (admins retire what they do not want).
#: category, English name, description — the name and description are msgids.
DEFAULT_EXPERTS = (
    ("electrician", "Certified electrician", "Wiring, lights and small electrical repairs."),
    ("plumber", "Certified plumber", "Taps, pipes and drains."),
    ("repair", "Certified handyman", "Furniture, doors, locks and household repairs."),
    ("tutor", "Certified tutor", "Homework help and lessons for children."),
    ("childcare", "Certified childminder", "Looking after children."),
    ("eldercare", "Certified elder companion", "Visiting and accompanying elders."),
)

EXPERT_CRITERIA = ("Show a qualification (a licence or certificate) or references from "
                   "neighbours you helped; a building leader or an admin checks it.")


STAR_NAME = "Mutual-aid star"


STAR_DESCRIPTION = "Named each quarter for the most help given to neighbours."


STAR_CRITERIA = ("Among the members who gave at least the minimum hours of confirmed help in "
                 "the quarter, the highest score: minutes given plus 60 for every distinct "
                 "household helped, with no dispute upheld against them.")


def _settings(community: dict) -> Any:
    return plugin_settings(community["id"], NAME)


def _loads(value: Any, default: Any) -> Any:
    if value is None or value == "":
        return default
    return json.loads(value) if isinstance(value, str) else value


async def _event(community_id: int, subject: str, subject_id: int, action: str,
                 actor: dict | None, note: str = "") -> None:
    await BadgeEvent.insert(BadgeEvent(
        community=community_id, subject=subject, subject_id=subject_id, action=action,
        actor=actor["id"] if actor else None, note=note, at=_now()))


async def history(community: dict, subject: str, subject_id: int) -> list[dict]:
    """The steps of a definition, application or award, oldest first."""
    return await BadgeEvent.select().where(
        (BadgeEvent.community == community["id"]) & (BadgeEvent.subject == subject)
        & (BadgeEvent.subject_id == subject_id)
    ).order_by(BadgeEvent.id)


async def _lock_definition(definition_id: int) -> None:
    """Serialise applications and awards of one badge."""
    await lock_row("yz_badge_definition", definition_id)


async def holds(community: dict, definition_id: int, member_id: int,
                now: datetime | None = None) -> dict | None:
    """The member's active (not expired, not revoked) award of a badge, if any."""
    now = now or _now()
    return await BadgeAward.select().where(
        (BadgeAward.community == community["id"]) & (BadgeAward.definition == definition_id)
        & (BadgeAward.member == member_id) & BadgeAward.revoked_at.is_null()
        & (BadgeAward.expires_at.is_null() | (BadgeAward.expires_at > now))
    ).first()


def may_review(reviewer: dict | None, applicant: dict) -> bool:
    """Admins review everyone; a building's (deputy) leaders review its residents."""
    return is_leader_of(reviewer, applicant["building"])


def _require_reviewer(actor: dict | None, applicant: dict) -> None:
    if actor is None:
        return
    if actor["id"] == applicant["id"]:
        raise forbidden("You cannot review your own application or badge.")
    if not may_review(actor, applicant):
        raise forbidden("Only a leader of the member's building or an admin can do this.")


def award_status(award: dict, now: datetime | None = None) -> str:
    """``active``, ``expired`` or ``revoked``, right now."""
    now = now or _now()
    if award["revoked_at"] is not None:
        return REVOKED
    if award["expires_at"] is not None and award["expires_at"] <= now:
        return EXPIRED
    return ACTIVE

