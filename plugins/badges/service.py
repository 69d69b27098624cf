"""The badges service API: definitions, applications, awards, revocation, profiles, matching.

Other plugins may call the functions here (not the tables). Each action is one transaction;
every step is kept in ``yz_badge_event`` (who, when, why). An award's status is computed from
the clock, so an expired or revoked certification stops counting at once::

    apply ──▶ pending ──approve──▶ approved ──▶ award (active ──▶ expired | revoked)
                 ├──reject──▶ rejected
                 └──withdraw──▶ withdrawn

The mutual-aid stars and the leaderboards are in :mod:`yizhan.plugins.badges.stars`.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlparse

from yizhan.core.api import (
    LEADER_ROLES,
    YizhanError,
    atomic,
    forbidden,
    get_member,
    get_person,
    invalid,
    is_admin,
    is_leader_of,
    leaders_of,
    list_communities,
    list_members,
    lock_row,
    member_hours,
    not_found,
    notify,
    plugin_enabled,
    plugin_settings,
    require_admin,
    require_verified,
    translate,
    validate_slug,
    validate_text,
)
from yizhan.core.api import now as _now
from yizhan.plugins.badges import credentials, keys
from yizhan.plugins.badges.tables import (
    BadgeApplication,
    BadgeAward,
    BadgeDefinition,
    BadgeEvent,
)

PLUGIN = "badges"
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
    return plugin_settings(community["id"], PLUGIN)


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


async def _locked_application(community: dict, application_id: int) -> dict:
    """The application, locked and read afresh: concurrent decisions queue behind it."""
    await get_application(community, application_id)
    await lock_row("yz_badge_application", application_id)
    return await get_application(community, application_id)


# --- definitions -------------------------------------------------------------------------


def _url(value: str | None, field: str) -> str:
    cleaned = validate_text(value, field, max_length=MAX_LINK_LENGTH, required=False)
    if not cleaned:
        return ""
    parsed = urlparse(cleaned)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or " " in cleaned:
        raise invalid(field, "Not a web address: it must start with http:// or https://.",
                      code="INVALID_URL")
    return cleaned


async def get_definition(community: dict, definition_id: int | None = None, *,
                         slug: str | None = None, field: str = "badgeId") -> dict:
    """A badge of ``community`` by id or slug, or NOT_FOUND."""
    query = BadgeDefinition.select().where(BadgeDefinition.community == community["id"])
    if definition_id is not None:
        query = query.where(BadgeDefinition.id == definition_id)
    else:
        query = query.where(BadgeDefinition.slug == (slug or "").strip().lower())
    row = await query.first()
    if row is None:
        raise not_found("badge", field)
    return row


async def list_definitions(community: dict, kind: str | None = None,
                           include_retired: bool = False) -> list[dict]:
    """The community's badges: experts by category, then the star, then custom ones."""
    query = BadgeDefinition.select().where(BadgeDefinition.community == community["id"])
    if kind:
        if kind not in KINDS:
            raise invalid("kind", "Unknown badge kind {kind}.", code="INVALID_KIND", kind=kind)
        query = query.where(BadgeDefinition.kind == kind)
    if not include_retired:
        query = query.where(BadgeDefinition.active == True)  # noqa: E712
    rows = await query.order_by(BadgeDefinition.id)
    order = {k: i for i, k in enumerate(KINDS)}
    return sorted(rows, key=lambda r: (order[r["kind"]], r["category"], r["slug"]))


async def define(community: dict, actor: dict | None, *, slug: str, kind: str | None = None,
                 name: str | None = None, category: str | None = None,
                 description: str | None = None, criteria: str | None = None,
                 image_url: str | None = None, validity_days: int | None = None,
                 active: bool | None = None) -> dict:
    """Create a badge or change one (found by ``slug``); admins only (``actor`` None: CLI).

    One expert certification per category and one mutual-aid star per community. A badge's
    kind never changes; retire a badge with ``active=False`` (awards keep their history).
    """
    if actor is not None:
        require_admin(actor)
    slug = validate_slug(slug, "slug")
    async with atomic():
        existing = await BadgeDefinition.select().where(
            (BadgeDefinition.community == community["id"]) & (BadgeDefinition.slug == slug)
        ).first()
        if existing is None and kind is None:
            raise invalid("kind", "Say which kind of badge this is: expert, star or custom.",
                          code="REQUIRED")
        if kind is not None and kind not in KINDS:
            raise invalid("kind", "Unknown badge kind {kind}.", code="INVALID_KIND", kind=kind)
        if existing is not None and kind is not None and kind != existing["kind"]:
            raise invalid("kind", "A badge's kind cannot change; define a new badge instead.",
                          code="KIND_FIXED")
        kind = existing["kind"] if existing else kind
        values: dict[Any, Any] = {}
        if name is not None or existing is None:
            values[BadgeDefinition.name] = validate_text(name, "name", max_length=80)
        if description is not None:
            values[BadgeDefinition.description] = validate_text(description, "description",
                                                         max_length=1000, required=False)
        if criteria is not None:
            values[BadgeDefinition.criteria] = validate_text(criteria, "criteria", max_length=2000,
                                                      required=False)
        if image_url is not None:
            values[BadgeDefinition.image_url] = _url(image_url, "imageUrl")
        if validity_days is not None:
            if not isinstance(validity_days, int) or not 0 <= validity_days <= 3650:
                raise invalid("validityDays", "Validity must be 0 (forever) to 3650 days.",
                              code="OUT_OF_RANGE")
            values[BadgeDefinition.validity_days] = validity_days
        elif existing is None:
            values[BadgeDefinition.validity_days] = (
                _settings(community).default_validity_days if kind == "expert" else 0)
        if active is not None:
            values[BadgeDefinition.active] = bool(active)
        if category is not None or existing is None:
            cleaned = (category or "").strip().lower()
            if kind == "expert":
                cleaned = validate_slug(cleaned, "category") if cleaned else ""
                if not cleaned:
                    raise invalid("category", "An expert certification needs a skill category.",
                                  code="REQUIRED")
            elif kind == "star" and cleaned:
                raise invalid("category", "The mutual-aid star has no skill category.",
                              code="INVALID_INPUT")
            elif cleaned:
                cleaned = validate_slug(cleaned, "category")
            values[BadgeDefinition.category] = cleaned
        await _check_unique(community, kind, values, existing)
        now = _now()
        if existing is None:
            row = {c._meta.name: value for c, value in values.items()}
            created = (await BadgeDefinition.insert(BadgeDefinition(
                community=community["id"], slug=slug, kind=kind, created_at=now,
                updated_at=now, created_by=actor["id"] if actor else None, **row,
            )).returning(*BadgeDefinition.all_columns()))[0]
            await _event(community["id"], "definition", created["id"], "defined", actor)
            return created
        if values:
            values[BadgeDefinition.updated_at] = now
            await BadgeDefinition.update(values).where(BadgeDefinition.id == existing["id"])
            changed = sorted(c._meta.name for c in values if c._meta.name != "updated_at")
            await _event(community["id"], "definition", existing["id"], "updated", actor,
                         ", ".join(changed))
        return await get_definition(community, existing["id"])


async def _check_unique(community: dict, kind: str, values: dict[Any, Any],
                        existing: dict | None) -> None:
    others = BadgeDefinition.select(BadgeDefinition.id).where(
        (BadgeDefinition.community == community["id"]) & (BadgeDefinition.kind == kind))
    if existing is not None:
        others = others.where(BadgeDefinition.id != existing["id"])
    if kind == "star" and await others.first():
        raise invalid("kind", "This community already has its mutual-aid star badge.",
                      code="STAR_EXISTS")
    category = values.get(BadgeDefinition.category)
    if kind == "expert" and category is not None and await others.where(
            BadgeDefinition.category == category).first():
        raise invalid("category", "There is already an expert certification for {category}.",
                      code="CATEGORY_TAKEN", category=category)


async def seed_defaults(community: dict) -> int:
    """Create the mutual-aid star and the default expert certifications that are missing,
    named in the community's language. Idempotent; returns how many were made."""
    locale = community["locale"]
    made = 0
    wanted = [(STAR_SLUG, "star", "", STAR_NAME, STAR_DESCRIPTION, STAR_CRITERIA)]
    wanted += [(f"expert-{category}", "expert", category, name, description, EXPERT_CRITERIA)
               for category, name, description in DEFAULT_EXPERTS]
    existing = await BadgeDefinition.select(
        BadgeDefinition.slug, BadgeDefinition.kind, BadgeDefinition.category
    ).where(BadgeDefinition.community == community["id"])
    slugs = {r["slug"] for r in existing}
    taken = {(r["kind"], r["category"]) for r in existing if r["kind"] in ("expert", "star")}
    for slug, kind, category, name, description, criteria in wanted:
        if slug in slugs or (kind, category if kind == "expert" else "") in taken:
            continue
        await define(community, None, slug=slug, kind=kind, category=category,
                     name=translate(name, locale), description=translate(description, locale),
                     criteria=translate(criteria, locale))
        made += 1
    return made


# --- applications -----------------------------------------------------------------------


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


async def holds(community: dict, definition_id: int, member_id: int,
                now: datetime | None = None) -> dict | None:
    """The member's active (not expired, not revoked) award of a badge, if any."""
    now = now or _now()
    return await BadgeAward.select().where(
        (BadgeAward.community == community["id"]) & (BadgeAward.definition == definition_id)
        & (BadgeAward.member == member_id) & BadgeAward.revoked_at.is_null()
        & (BadgeAward.expires_at.is_null() | (BadgeAward.expires_at > now))
    ).first()


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
        award = await _award(community, definition, applicant, source="application",
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


# --- awards ------------------------------------------------------------------------------


def award_status(award: dict, now: datetime | None = None) -> str:
    """``active``, ``expired`` or ``revoked``, right now."""
    now = now or _now()
    if award["revoked_at"] is not None:
        return REVOKED
    if award["expires_at"] is not None and award["expires_at"] <= now:
        return EXPIRED
    return ACTIVE


async def _award(community: dict, definition: dict, member: dict, *, source: str,
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
        row = await _award(community, definition, member, source="direct", actor=actor,
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
    enabled = [c["id"] for c in await list_communities()
               if plugin_enabled(c["id"], PLUGIN)]
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


# --- matching and profiles --------------------------------------------------------------


async def certified_experts(community_id: int, category: str, member_ids: list[int],
                            now: datetime) -> set[int]:
    """Which of ``member_ids`` hold an active expert certification for ``category``."""
    if not member_ids or not category:
        return set()
    definitions = await BadgeDefinition.select(BadgeDefinition.id).where(
        (BadgeDefinition.community == community_id) & (BadgeDefinition.kind == "expert")
        & (BadgeDefinition.category == category))
    if not definitions:
        return set()
    rows = await BadgeAward.select(BadgeAward.member).where(
        (BadgeAward.community == community_id)
        & BadgeAward.definition.is_in([d["id"] for d in definitions])
        & BadgeAward.member.is_in(list(member_ids)) & BadgeAward.revoked_at.is_null()
        & (BadgeAward.expires_at.is_null() | (BadgeAward.expires_at > now)))
    return {r["member"] for r in rows}


async def profile(community: dict, member_id: int) -> dict[str, Any]:
    """A member's public badge profile: active badges, households helped, hours given."""
    member = await get_member(community, member_id, "memberId")
    hours = await member_hours(member["id"])
    return {
        "member": member,
        "awards": await list_awards(community, member_id=member["id"], active_only=True,
                                    limit=1000),
        "households_helped": hours["people_helped"],
        "minutes_given": hours["minutes_given"],
        "needs_helped": hours["needs_helped"],
    }
