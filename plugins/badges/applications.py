"""Applications for a badge: a verified member applies with evidence; a leader of their
building or an admin approves (which awards it), rejects; the member may withdraw."""

from __future__ import annotations

import json

from yizhan.core.api import (
    LEADER_ROLES,
    YizhanError,
    atomic,
    forbidden,
    get_member,
    get_person,
    invalid,
    is_admin,
    leaders_of,
    list_members,
    lock_row,
    not_found,
    notify,
    require_verified,
    validate_text,
)
from yizhan.core.api import now as _now
from yizhan.plugins.badges.awards import (
    give_award,
)
from yizhan.plugins.badges.common import (
    APPLICATION_STATUSES,
    APPROVED,
    MAX_LINKS,
    PENDING,
    REJECTED,
    WITHDRAWN,
    _event,
    _lock_definition,
    _require_reviewer,
    holds,
)
from yizhan.plugins.badges.definitions import (
    _url,
    get_definition,
)
from yizhan.plugins.badges.tables import (
    BadgeApplication,
)


async def _locked_application(community: dict, application_id: int) -> dict:
    """The application, locked and read afresh: concurrent decisions queue behind it."""
    await get_application(community, application_id)
    await lock_row("yz_badge_application", application_id)
    return await get_application(community, application_id)


def _links(links: list[str] | None) -> list[str]:
    links = [link for link in (links or []) if (link or "").strip()]
    if len(links) > MAX_LINKS:
        raise invalid("links", "At most {max} links.", code="TOO_MANY", max=MAX_LINKS)
    return [_url(link, "links") for link in links]


async def get_application(community: dict, application_id: int,
                          field: str = "applicationId") -> dict:
    """An application of ``community`` by id, or NOT_FOUND."""
    row = await BadgeApplication.select().where(
        (BadgeApplication.id == application_id)
        & (BadgeApplication.community == community["id"])).first()
    if row is None:
        raise not_found("application", field)
    return row


async def apply(community: dict, actor: dict, definition_id: int, evidence: str,
                links: list[str] | None = None) -> dict:
    """A verified member applies for an expert certification or a custom badge."""
    require_verified(actor)
    evidence = validate_text(evidence, "evidence", max_length=2000)
    cleaned_links = _links(links)
    async with atomic():
        definition = await get_definition(community, definition_id)
        await _lock_definition(definition["id"])
        if definition["kind"] == "star":
            raise YizhanError("NOT_APPLICABLE", "The mutual-aid star is not applied for: it is "
                              "named each quarter.", field="badgeId")
        if not definition["active"]:
            raise YizhanError("BADGE_RETIRED", "This badge is no longer awarded.",
                              field="badgeId")
        if await holds(community, definition["id"], actor["id"]):
            raise YizhanError("ALREADY_HOLDS", "You already hold this badge.", field="badgeId")
        if await BadgeApplication.exists().where(
                (BadgeApplication.definition == definition["id"])
                & (BadgeApplication.member == actor["id"])
                & (BadgeApplication.status == PENDING)):
            raise YizhanError("APPLICATION_PENDING",
                              "You already applied for this badge; wait for the decision.",
                              field="badgeId")
        row = (await BadgeApplication.insert(BadgeApplication(
            community=community["id"], definition=definition["id"], member=actor["id"],
            evidence=evidence, links=json.dumps(cleaned_links), status=PENDING,
            submitted_at=_now(),
        )).returning(*BadgeApplication.all_columns()))[0]
        await _event(community["id"], "application", row["id"], "applied", actor)
        person = await get_person(actor["person"])
        for reviewer in await leaders_of(community["id"], actor["building"]):
            if reviewer["id"] != actor["id"]:
                await notify(community["id"], reviewer["id"], "badges.application",
                             "New badge application",
                             "{name} applied for \u201c{badge}\u201d.",
                             name=person["display_name"], badge=definition["name"])
    return row


async def _decide(community: dict, application: dict, status: str, actor: dict | None,
                  reason: str) -> None:
    changed = await BadgeApplication.update({
        BadgeApplication.status: status, BadgeApplication.decided_at: _now(),
        BadgeApplication.decided_by: actor["id"] if actor else None,
        BadgeApplication.decision_reason: reason,
    }).where((BadgeApplication.id == application["id"])
             & (BadgeApplication.status == PENDING)).returning(BadgeApplication.id)
    if not changed:
        raise YizhanError("NOT_PENDING", "This application was already decided or withdrawn.",
                          field="applicationId")


async def approve(community: dict, actor: dict | None, application_id: int,
                  note: str = "") -> dict:
    """Approve a pending application: the member is awarded the badge (signed credential)."""
    note = validate_text(note, "note", max_length=500, required=False)
    async with atomic():
        application = await _locked_application(community, application_id)
        applicant = await get_member(community, application["member"], "applicationId")
        _require_reviewer(actor, applicant)
        if application["status"] != PENDING:
            raise YizhanError("NOT_PENDING", "This application was already decided or "
                              "withdrawn.", field="applicationId")
        definition = await get_definition(community, application["definition"])
        await _lock_definition(definition["id"])
        if not definition["active"]:
            raise YizhanError("BADGE_RETIRED", "This badge is no longer awarded.",
                              field="applicationId")
        if applicant["status"] != "verified":
            raise YizhanError("NOT_VERIFIED", "Only verified members can do this.",
                              field="applicationId")
        if await holds(community, definition["id"], applicant["id"]):
            raise YizhanError("ALREADY_HOLDS", "The member already holds this badge.",
                              field="applicationId")
        await _decide(community, application, APPROVED, actor, note)
        award = await give_award(community, definition, applicant, source="application",
                             actor=actor, note=note, application_id=application["id"])
        await BadgeApplication.update({BadgeApplication.award: award["id"]}).where(
            BadgeApplication.id == application["id"])
        await _event(community["id"], "application", application["id"], "approved", actor,
                     note)
        await notify(community["id"], applicant["id"], "badges.approved", "Badge awarded",
                     "Your application for \u201c{badge}\u201d was approved.",
                     badge=definition["name"])
        return await get_application(community, application["id"])


async def reject(community: dict, actor: dict | None, application_id: int,
                 reason: str) -> dict:
    """Reject a pending application with a reason the member will see."""
    reason = validate_text(reason, "reason", max_length=500)
    async with atomic():
        application = await _locked_application(community, application_id)
        applicant = await get_member(community, application["member"], "applicationId")
        _require_reviewer(actor, applicant)
        definition = await get_definition(community, application["definition"])
        await _decide(community, application, REJECTED, actor, reason)
        await _event(community["id"], "application", application["id"], "rejected", actor,
                     reason)
        await notify(community["id"], applicant["id"], "badges.rejected",
                     "Application declined",
                     "Your application for \u201c{badge}\u201d was declined: {reason}",
                     badge=definition["name"], reason=reason)
        return await get_application(community, application["id"])


async def withdraw(community: dict, actor: dict, application_id: int) -> dict:
    """The applicant takes back a pending application."""
    async with atomic():
        application = await _locked_application(community, application_id)
        if application["member"] != actor["id"]:
            raise forbidden("Only the applicant can do this.")
        await _decide(community, application, WITHDRAWN, actor, "")
        await _event(community["id"], "application", application["id"], "withdrawn", actor)
        return await get_application(community, application["id"])


async def list_applications(community: dict, viewer: dict | None, *,
                            status: str | None = PENDING, member_id: int | None = None,
                            before_id: int | None = None, limit: int = 20) -> list[dict]:
    """Applications, newest first. ``viewer`` None (CLI) or an admin sees all; a leader sees
    their building's residents; anyone else only their own (``member_id`` must be theirs)."""
    query = BadgeApplication.select().where(BadgeApplication.community == community["id"])
    if status:
        if status not in APPLICATION_STATUSES:
            raise invalid("status", "Unknown status {status}.", code="INVALID_STATUS",
                          status=status)
        query = query.where(BadgeApplication.status == status)
    if member_id is not None:
        query = query.where(BadgeApplication.member == member_id)
    if viewer is not None and not is_admin(viewer) and member_id != viewer["id"]:
        if viewer["status"] != "verified" or viewer["role"] not in LEADER_ROLES \
                or viewer["building"] is None:
            raise forbidden("Only leaders and admins can review applications.")
        residents = await list_members(community, building_id=viewer["building"],
                                       limit=100_000)
        query = query.where(BadgeApplication.member.is_in(
            [m["id"] for m in residents if m["id"] != viewer["id"]] or [-1]))
    if before_id is not None:
        query = query.where(BadgeApplication.id < before_id)
    return await query.order_by(BadgeApplication.id, ascending=False).limit(limit)

