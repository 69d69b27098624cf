"""Membership: joining, real-name verification, roles, declared skills and free times."""

from __future__ import annotations

import json
import re
from typing import Any

from yizhan.core import audit, clock, db
from yizhan.core.errors import YizhanError, forbidden, invalid, not_found
from yizhan.core.events import EventContext, check_veto, emit
from yizhan.core.services import validation as v
from yizhan.core.services.communities import get_building
from yizhan.core.services.notifications import notify
from yizhan.core.tables import Building, Member, MemberSkill, MemberSlot, Person

TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$")
DEPUTY_MIN_HOUSEHOLDS = 300
MAX_DEPUTIES = 2
MEMBER_STATUSES = ("pending", "verified", "declined", "left", "removed")


async def member_for(community_id: int, person_id: int | None) -> dict | None:
    """The person's membership row in the community, if any."""
    if person_id is None:
        return None
    rows = await db.raw("SELECT * FROM yz_member WHERE community = {} AND person = {} LIMIT 1",
                        community_id, person_id)  # every request: SQL written once
    return rows[0] if rows else None


async def get_member(community: dict, member_id: int, field: str = "member") -> dict:
    """A member of ``community`` by id, or NOT_FOUND (never another community's)."""
    row = await Member.select().where(
        (Member.id == member_id) & (Member.community == community["id"])
    ).first()
    if row is None:
        raise not_found("member", field)
    return row


async def _leaders_of(community_id: int, building_id: int | None) -> list[dict]:
    query = Member.select().where(
        (Member.community == community_id) & (Member.status == "verified")
    )
    if building_id is None:
        query = query.where(Member.role == "admin")
    else:
        query = query.where(
            Member.role.is_in(list(v.LEADER_ROLES)) & (Member.building == building_id)
        )
    return await query.order_by(Member.id)


async def leaders_of(community_id: int, building_id: int | None) -> list[dict]:
    """The building's head and deputy leaders; the community's admins when it has none."""
    leaders = await _leaders_of(community_id, building_id) if building_id else []
    return leaders or await _leaders_of(community_id, None)


async def join(community: dict, person_id: int, building_id: int | None) -> dict:
    """Ask to join ``community`` living in ``building_id``; the member starts ``pending``."""
    building = await get_building(community, building_id) if building_id is not None else None
    async with db.atomic():
        existing = await member_for(community["id"], person_id)
        if existing and existing["status"] in ("pending", "verified"):
            raise YizhanError("ALREADY_MEMBER", "You have already joined or asked to join.")
        values = dict(building=building["id"] if building else None, status="pending",
                      requested_at=clock.now(), role="resident", decline_reason="",
                      declined_at=None, declined_by=None)
        check_veto(EventContext(community=community), "member.join",
                   {**values, "community": community["id"], "person": person_id})
        if existing:
            await Member.update(values).where(Member.id == existing["id"])
            member = await get_member(community, existing["id"])
        else:
            member = (await Member.insert(Member(community=community["id"], person=person_id,
                                                 **values)).returning(*Member.all_columns()))[0]
        ctx = EventContext(community=community)
        await emit(ctx, "yizhan_member_joined", member=member)
        person = await Person.select(Person.display_name).where(Person.id == person_id).first()
        for leader in await leaders_of(community["id"], member["building"]):
            await notify(community["id"], leader["id"], "member.join_requested",
                         "New neighbour", "{name} asked to join and waits for verification.",
                         name=person["display_name"] if person else "")
    return member


async def verify(community: dict, actor: dict | None, member_id: int, real_name: str) -> dict:
    """Verify a pending member by real name. ``actor`` None means the admin CLI."""
    real_name = v.text(real_name, "realName", max_length=60)
    async with db.atomic():
        member = await get_member(community, member_id)
        if actor is not None:
            v.require_leader_of(actor, member["building"])
            if actor["id"] == member["id"]:
                raise forbidden("You cannot verify yourself.")
        if member["status"] != "pending":
            raise YizhanError("NOT_PENDING", "This member is not waiting for verification.",
                              field="memberId")
        ctx = EventContext(community=community, actor=actor)
        check_veto(ctx, "member.verify", member)
        now = clock.now()
        await Member.update({Member.status: "verified", Member.verified_at: now,
                             Member.verified_by: actor["id"] if actor else None}).where(
            Member.id == member["id"])
        await Person.update({Person.real_name: real_name}).where(Person.id == member["person"])
        member = await get_member(community, member_id)
        await emit(ctx, "yizhan_member_verified", member=member, verifier=actor)
        await notify(community["id"], member["id"], "member.verified", "Welcome",
                     "Your membership is verified. You can now post and accept needs.")
    return member


async def decline(community: dict, actor: dict | None, member_id: int, reason: str) -> dict:
    """Decline a pending member with a reason the person will see."""
    reason = v.text(reason, "reason", max_length=500)
    async with db.atomic():
        member = await get_member(community, member_id)
        if actor is not None:
            v.require_leader_of(actor, member["building"])
        if member["status"] != "pending":
            raise YizhanError("NOT_PENDING", "This member is not waiting for verification.",
                              field="memberId")
        ctx = EventContext(community=community, actor=actor)
        check_veto(ctx, "member.decline", member)
        await Member.update({Member.status: "declined", Member.decline_reason: reason,
                             Member.declined_at: clock.now(),
                             Member.declined_by: actor["id"] if actor else None}).where(
            Member.id == member["id"])
        await notify(community["id"], member["id"], "member.declined", "Membership declined",
                     "Your request to join was declined: {reason}", reason=reason)
        member = await get_member(community, member_id)
        await emit(ctx, "yizhan_member_declined", member=member, reason=reason)
        return member


async def set_role(community: dict, actor: dict | None, member_id: int, role: str) -> dict:
    """Change a verified member's role; one head leader and up to two deputies per building.

    Deputies are for buildings of 300 or more households. ``actor`` None is the admin CLI.
    """
    if role not in v.ROLES:
        raise invalid("role", "Unknown role {role}.", code="INVALID_ROLE", role=role)
    if actor is not None:
        v.require_admin(actor)
    async with db.atomic():
        member = await get_member(community, member_id)
        if member["status"] != "verified":
            raise YizhanError("NOT_VERIFIED", "Only verified members can do this.",
                              field="memberId")
        if member["role"] == "admin" and role != "admin":
            await _lock("yz_community", community["id"])
            if not await Member.exists().where(
                (Member.community == community["id"]) & (Member.role == "admin")
                & (Member.status == "verified") & (Member.id != member["id"])
            ):
                raise YizhanError("LAST_ADMIN", "A community needs at least one admin: "
                                  "make someone else admin first.", field="role")
        if role in v.LEADER_ROLES:
            if member["building"] is None:
                raise YizhanError("NO_BUILDING", "A leader must live in a building.",
                                  field="memberId")
            await _lock("yz_building", member["building"])
            others = await Member.select(Member.id, Member.role).where(
                (Member.community == community["id"]) & (Member.building == member["building"])
                & (Member.status == "verified") & (Member.id != member["id"])
                & Member.role.is_in(list(v.LEADER_ROLES))
            )
            if role == "building_leader" and any(o["role"] == role for o in others):
                raise YizhanError("LEADER_EXISTS", "This building already has a head leader.",
                                  field="role")
            if role == "deputy_leader":
                building = await Building.select().where(
                    Building.id == member["building"]).first()
                if building["households"] < DEPUTY_MIN_HOUSEHOLDS:
                    raise YizhanError(
                        "DEPUTY_NOT_ALLOWED",
                        "Deputy leaders are for buildings of {min} or more households.",
                        field="role", min=DEPUTY_MIN_HOUSEHOLDS)
                if sum(o["role"] == role for o in others) >= MAX_DEPUTIES:
                    raise YizhanError("TOO_MANY_DEPUTIES",
                                      "A building has at most {max} deputy leaders.",
                                      field="role", max=MAX_DEPUTIES)
        ctx = EventContext(community=community, actor=actor)
        check_veto(ctx, "member.role", {**member, "new_role": role})
        await Member.update({Member.role: role}).where(Member.id == member["id"])
        changed = await get_member(community, member_id)
        if role != member["role"]:
            await emit(ctx, "yizhan_member_role_changed", member=changed,
                       previous_role=member["role"])
        return changed


async def leave(community: dict, member: dict) -> dict:
    """``member`` leaves the community (status ``left``); they may ask to join again later."""
    return await _end_membership(community, member, None, "left", "")


async def remove(community: dict, actor: dict | None, member_id: int, reason: str) -> dict:
    """A leader of the member's building or an admin removes a member (status ``removed``),
    saying why; ``actor`` None is the admin CLI."""
    reason = v.text(reason, "reason", max_length=500)
    member = await get_member(community, member_id)
    if actor is not None:
        v.require_leader_of(actor, member["building"])
        if actor["id"] == member["id"]:
            raise forbidden("Use leaveCommunity to leave yourself.")
        if member["role"] != "resident" and not v.is_admin(actor):
            raise forbidden("Only an admin can remove a leader or an admin.")
    return await _end_membership(community, member, actor, "removed", reason)


async def _end_membership(community: dict, member: dict, actor: dict | None, status: str,
                          reason: str) -> dict:
    """Leave or remove: refused for the last admin and while the member has needs open."""
    from yizhan.core.tables import Need

    async with db.atomic():
        await _lock("yz_member", member["id"])
        member = await get_member(community, member["id"])
        if member["status"] not in ("pending", "verified"):
            raise YizhanError("NOT_MEMBER", "This person is not a member here.", field="memberId")
        if member["role"] == "admin":
            await _lock("yz_community", community["id"])
            if not await Member.exists().where(
                (Member.community == community["id"]) & (Member.role == "admin")
                & (Member.status == "verified") & (Member.id != member["id"])
            ):
                raise YizhanError("LAST_ADMIN", "A community needs at least one admin: "
                                  "make someone else admin first.", field="memberId")
        if await Need.exists().where(
            (Need.community == community["id"])
            & Need.status.is_in(["open", "accepted", "done"])
            & ((Need.requester == member["id"]) | (Need.helper == member["id"]))
        ):
            raise YizhanError("HAS_OPEN_NEEDS", "Finish or cancel the member's open needs "
                              "first (posted, accepted or waiting for confirmation).",
                              field="memberId")
        ctx = EventContext(community=community, actor=actor)
        check_veto(ctx, "member.leave" if status == "left" else "member.remove", member)
        await Member.update({Member.status: status, Member.role: "resident"}).where(
            Member.id == member["id"])
        ended = await get_member(community, member["id"])
        await emit(ctx, "yizhan_member_left", member=ended, removed_by=actor
                   if status == "removed" else None)
        if status == "removed":
            await notify(community["id"], member["id"], "member.removed", "Membership ended",
                         "You were removed from the community: {reason}", reason=reason)
        return ended


async def _lock(table: str, row_id: int) -> None:
    """Lock one row until the transaction ends (PostgreSQL; SQLite writes are serialised)."""
    await db.lock_row(table, row_id)


def _parse_availability(slots: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if len(slots) > 50:
        raise invalid("availability", "At most {max} time slots.", code="TOO_MANY", max=50)
    cleaned = []
    for slot in slots:
        weekday, start, end = slot.get("weekday"), slot.get("start", ""), slot.get("end", "")
        if not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise invalid("availability", "Weekday must be 0 (Monday) to 6 (Sunday).",
                          code="INVALID_SLOT")
        if not TIME.match(start) or not TIME.match(end) or start >= end:
            raise invalid("availability", "A slot needs start and end times, HH:MM, start first.",
                          code="INVALID_SLOT")
        cleaned.append({"weekday": weekday, "start": start, "end": end})
    return cleaned


async def set_profile(community: dict, member: dict, skills: list[str] | None = None,
                      availability: list[dict[str, Any]] | None = None) -> dict:
    """Declare the skills (category slugs) a member offers and when they are usually free."""
    v.require_person(member)
    values: dict[Any, Any] = {}
    skill_rows = slot_rows = None
    if skills is not None:
        if len(skills) > 20:
            raise invalid("skills", "At most {max} skills.", code="TOO_MANY", max=20)
        declared = sorted({v.slug(s, "skills") for s in skills})
        values[Member.skills] = json.dumps(declared)
        skill_rows = [MemberSkill(community=community["id"], skill=s, member=member["id"])
                      for s in declared]
    if availability is not None:
        slots = _parse_availability(availability)
        values[Member.availability] = json.dumps(slots)
        slot_rows = [MemberSlot(community=community["id"], member=member["id"],
                                weekday=slot["weekday"], slot_start=slot["start"],
                                slot_end=slot["end"]) for slot in slots]
    if values:
        async with db.atomic():
            await Member.update(values).where(Member.id == member["id"])
            # the indexed copies matching reads (see core/matching.py)
            for table, rows in ((MemberSkill, skill_rows), (MemberSlot, slot_rows)):
                if rows is not None:
                    await table.delete().where(table.member == member["id"])
                    if rows:
                        await table.insert(*rows)
            await audit.record(EventContext(community=community, actor=member),
                               "profile.updated", "Member", member["id"],
                               {"skills": skills is not None,
                                "availability": availability is not None})
    return await get_member(community, member["id"])


async def add_member(community: dict, person_id: int, building_id: int | None,
                     role: str = "resident", verify_as: str | None = None) -> dict:
    """Admin shortcut (CLI, demo): join and, with ``verify_as`` (a real name), verify at once,
    in one transaction — a refused role leaves no member behind."""
    if role != "resident" and not verify_as:
        raise invalid("role", "A role other than resident needs verification (a real name).",
                      code="INVALID_INPUT")
    async with db.atomic():
        member = await join(community, person_id, building_id)
        if verify_as:
            member = await verify(community, None, member["id"], verify_as)
            if role != "resident":
                member = await set_role(community, None, member["id"], role)
    return member


async def list_members(community: dict, *, status: str | None = None,
                       building_id: int | None = None, role: str | None = None,
                       after_id: int | None = None, limit: int = 50) -> list[dict]:
    """Members of a community with filters, by id, for keyset paging."""
    if status and status not in MEMBER_STATUSES:
        raise invalid("status", "Unknown status {status}.", code="INVALID_STATUS",
                      status=status)
    if role and role not in v.ROLES:
        raise invalid("role", "Unknown role {role}.", code="INVALID_ROLE", role=role)
    query = Member.select().where(Member.community == community["id"])
    if status:
        query = query.where(Member.status == status)
    if building_id is not None:
        query = query.where(Member.building == building_id)
    if role:
        query = query.where(Member.role == role)
    if after_id is not None:
        query = query.where(Member.id > after_id)
    # ordered by (community, id), which is the same order here: a generic plan (prepared
    # statements) then walks the (community, id) index instead of every member's id
    return await db.read(query.order_by(Member.community, Member.id).limit(limit))


async def memberships(person_id: int) -> list[dict]:
    """Every membership of a person, across communities."""
    return await Member.select().where(Member.person == person_id).order_by(Member.id)


async def count_members(community_id: int, status: str | None = None) -> int:
    """How many members a community has (optionally in one status): for aggregate figures such
    as a community profile, without reading the rows."""
    if status and status not in MEMBER_STATUSES:
        raise invalid("status", "Unknown status {status}.", code="INVALID_STATUS",
                      status=status)
    query = Member.count().where(Member.community == community_id)
    if status:
        query = query.where(Member.status == status)
    return await query
