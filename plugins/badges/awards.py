"""Awards: signed Open Badges credentials given, revoked, expired, looked up, and the
notes to holders whose certification expired."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import Any

from yizhan.core.api import (
    YizhanError,
    atomic,
    communities_with_plugin,
    get_member,
    get_person,
    lock_row,
    not_found,
    notify,
    require_admin,
    validate_text,
)
from yizhan.core.api import now as _now
from yizhan.plugins.badges import NAME, credentials, keys
from yizhan.plugins.badges.common import (
    _event,
    _loads,
    _lock_definition,
    _require_reviewer,
    holds,
)
from yizhan.plugins.badges.definitions import (
    get_definition,
)
from yizhan.plugins.badges.tables import (
    BadgeAward,
    BadgeDefinition,
)


async def give_award(community: dict, definition: dict, member: dict, *, source: str,
                 actor: dict | None, note: str = "", application_id: int | None = None,
                 period: str = "", evidence: list[dict[str, Any]] | None = None) -> dict:
    """Write an award and its signed credential (inside the caller's transaction)."""
    key = await keys.ensure_key(community["id"])
    now = _now().replace(microsecond=0)
    expires = (now + timedelta(days=definition["validity_days"])
               if definition["validity_days"] else None)
    person = await get_person(member["person"])
    credential_uuid = str(uuid.uuid4())
    credential = credentials.build(
        community, definition, credential_uuid=credential_uuid, member_id=member["id"],
        member_name=person["display_name"], awarded_at=now, expires_at=expires,
        evidence=evidence)
    signed = credentials.sign(community, credential, key)
    row = (await BadgeAward.insert(BadgeAward(
        community=community["id"], definition=definition["id"], member=member["id"],
        uuid=credential_uuid, source=source, application=application_id, period=period,
        note=note, awarded_by=actor["id"] if actor else None, awarded_at=now,
        expires_at=expires, credential=json.dumps(credential, ensure_ascii=False),
        credential_jwt=signed, signing_key=key["id"],
    )).returning(*BadgeAward.all_columns()))[0]
    await _event(community["id"], "award", row["id"], "awarded", actor, note)
    return row


async def award(community: dict, actor: dict | None, definition_id: int, member_id: int,
                note: str = "") -> dict:
    """An admin (or the CLI, ``actor`` None) awards a badge directly, e.g. after checking a
    qualification in person. The mutual-aid star is only named by the quarterly sweep."""
    if actor is not None:
        require_admin(actor)
    note = validate_text(note, "note", max_length=500, required=False)
    async with atomic():
        definition = await get_definition(community, definition_id)
        await _lock_definition(definition["id"])
        member = await get_member(community, member_id, "memberId")
        if definition["kind"] == "star":
            raise YizhanError("NOT_APPLICABLE", "The mutual-aid star is named by the quarterly "
                              "sweep, not awarded by hand.", field="badgeId")
        if not definition["active"]:
            raise YizhanError("BADGE_RETIRED", "This badge is no longer awarded.",
                              field="badgeId")
        if member["status"] != "verified":
            raise YizhanError("NOT_VERIFIED", "Only verified members can do this.",
                              field="memberId")
        if await holds(community, definition["id"], member["id"]):
            raise YizhanError("ALREADY_HOLDS", "The member already holds this badge.",
                              field="memberId")
        row = await give_award(community, definition, member, source="direct", actor=actor,
                           note=note)
        await notify(community["id"], member["id"], "badges.awarded", "Badge awarded",
                     "You were awarded \u201c{badge}\u201d.", badge=definition["name"])
        return row


async def get_award(community: dict, award_id: int, field: str = "awardId") -> dict:
    """An award of ``community`` by id, or NOT_FOUND."""
    row = await BadgeAward.select().where(
        (BadgeAward.id == award_id) & (BadgeAward.community == community["id"])).first()
    if row is None:
        raise not_found("badge award", field)
    return row


async def find_award(community: dict, credential_uuid: str) -> dict:
    """An award by its credential's UUID, or NOT_FOUND."""
    try:
        cleaned = str(uuid.UUID((credential_uuid or "").strip()))
    except ValueError:
        raise not_found("credential", "credential") from None
    row = await BadgeAward.select().where(
        (BadgeAward.uuid == cleaned) & (BadgeAward.community == community["id"])).first()
    if row is None:
        raise not_found("credential", "credential")
    return row


async def revoke(community: dict, actor: dict | None, award_id: int, reason: str) -> dict:
    """Revoke an award with a reason: it stops counting at once, the credential answers
    revoked and joins the revocation list. Admins, or leaders of the holder's building."""
    reason = validate_text(reason, "reason", max_length=500)
    async with atomic():
        await get_award(community, award_id)
        await lock_row("yz_badge_award", award_id)
        found = await get_award(community, award_id)
        holder = await get_member(community, found["member"], "awardId")
        _require_reviewer(actor, holder)
        changed = await BadgeAward.update({
            BadgeAward.revoked_at: _now(), BadgeAward.revoke_reason: reason,
            BadgeAward.revoked_by: actor["id"] if actor else None,
        }).where((BadgeAward.id == found["id"]) & BadgeAward.revoked_at.is_null()
                 ).returning(BadgeAward.id)
        if not changed:
            raise YizhanError("ALREADY_REVOKED", "This badge was already revoked.",
                              field="awardId")
        definition = await get_definition(community, found["definition"])
        await _event(community["id"], "award", found["id"], "revoked", actor, reason)
        await notify(community["id"], holder["id"], "badges.revoked", "Badge revoked",
                     "Your badge \u201c{badge}\u201d was revoked: {reason}",
                     badge=definition["name"], reason=reason)
        return await get_award(community, found["id"])


async def list_awards(community: dict, *, member_id: int | None = None,
                      definition_id: int | None = None, active_only: bool = False,
                      before_id: int | None = None, limit: int = 20) -> list[dict]:
    """Awards, newest first; ``active_only`` leaves out expired and revoked ones."""
    query = BadgeAward.select().where(BadgeAward.community == community["id"])
    if member_id is not None:
        query = query.where(BadgeAward.member == member_id)
    if definition_id is not None:
        query = query.where(BadgeAward.definition == definition_id)
    if active_only:
        query = query.where(BadgeAward.revoked_at.is_null() & (
            BadgeAward.expires_at.is_null() | (BadgeAward.expires_at > _now())))
    if before_id is not None:
        query = query.where(BadgeAward.id < before_id)
    return await query.order_by(BadgeAward.id, ascending=False).limit(limit)


async def revoked_uuids(community: dict) -> list[str]:
    """UUIDs of the community's revoked credentials, oldest revocation first."""
    rows = await BadgeAward.select(BadgeAward.uuid).where(
        (BadgeAward.community == community["id"]) & BadgeAward.revoked_at.is_not_null()
    ).order_by(BadgeAward.revoked_at)
    return [r["uuid"] for r in rows]


def credential_of(award: dict) -> dict[str, Any]:
    """The award's credential as signed (JSON-LD)."""
    return _loads(award["credential"], {})


async def note_expired(now: datetime) -> int:
    """Sweep: record the expiry of certifications that ran out and tell their holders.

    (They already stopped counting when the clock passed ``expires_at``; this keeps the step
    in the history.) Only where badges is on. Idempotent."""
    enabled = [c["id"] for c in await communities_with_plugin(NAME)]
    due = await BadgeAward.select().where(
        BadgeAward.community.is_in(enabled or [-1])
        & BadgeAward.expires_at.is_not_null() & (BadgeAward.expires_at <= now)
        & BadgeAward.expiry_noted_at.is_null() & BadgeAward.revoked_at.is_null()
    ).order_by(BadgeAward.expires_at).limit(500)
    count = 0
    for row in due:
        async with atomic():
            changed = await BadgeAward.update({BadgeAward.expiry_noted_at: now}).where(
                (BadgeAward.id == row["id"]) & BadgeAward.expiry_noted_at.is_null()
            ).returning(BadgeAward.id)
            if not changed:
                continue
            definition = await BadgeDefinition.select(BadgeDefinition.name).where(
                BadgeDefinition.id == row["definition"]).first()
            await _event(row["community"], "award", row["id"], "expired", None)
            await notify(row["community"], row["member"], "badges.expired",
                         "Certification expired",
                         "Your badge \u201c{badge}\u201d has expired. You can apply again.",
                         badge=definition["name"] if definition else "")
            count += 1
    return count

