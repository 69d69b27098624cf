"""Sign-ups: places and the waitlist, cancelling until the cut-off, proxies, check-in.

Every change of places happens with the occurrence's row locked (``SELECT … FOR UPDATE`` on
PostgreSQL; SQLite's write transactions are serialised), so the count of confirmed places and
the decision "confirmed or waitlisted" cannot interleave: capacity holds under concurrent
sign-ups. A freed place goes to the first in line (earliest sign-up) in the same transaction,
and they are told. One sign-up per member and occurrence (a unique index); a cancelled one is
reused, at the back of the line.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from yizhan.core.api import (
    MemberTable,
    YizhanError,
    atomic,
    forbidden,
    get_member,
    is_admin,
    is_leader_of,
    not_found,
    notify,
    now,
    plugin_enabled,
    publish,
    require_person,
    require_verified,
    typeable_codes,
)
from yizhan.plugins.events import events as ev
from yizhan.plugins.events.tables import Reward, SignUp

CONFIRMED, WAITLISTED, CANCELLED = "confirmed", "waitlisted", "cancelled"
COMPLETED, NO_SHOW = "completed", "no_show"
ACTIVE = (CONFIRMED, WAITLISTED)
CODE_LENGTH = 8
#: Check-in opens this long before the start.
CHECKIN_OPENS = timedelta(hours=2)


async def active(occurrence_id: int) -> list[dict]:
    """Confirmed and waitlisted sign-ups of an occurrence, in line order."""
    return await SignUp.select().where(
        (SignUp.occurrence == occurrence_id) & SignUp.status.is_in(list(ACTIVE))
    ).order_by(SignUp.created_at).order_by(SignUp.id)


async def of_occurrence(occurrence_id: int) -> list[dict]:
    """Every sign-up of an occurrence, in line order."""
    return await SignUp.select().where(SignUp.occurrence == occurrence_id).order_by(
        SignUp.created_at).order_by(SignUp.id)


async def get_signup(community: dict, signup_id: int, field: str = "signUpId") -> dict:
    """A sign-up of ``community`` or NOT_FOUND."""
    row = await SignUp.select().where((SignUp.id == signup_id)
                                      & (SignUp.community == community["id"])).first()
    if row is None:
        raise not_found("sign-up", field)
    return row


async def find_signup(signup_id: int) -> dict | None:
    """A sign-up by id in any community."""
    return await SignUp.select().where(SignUp.id == signup_id).first()


async def taken(occurrence_id: int) -> int:
    """Places taken at an occurrence (confirmed, or already completed)."""
    return await SignUp.count().where((SignUp.occurrence == occurrence_id) & SignUp.status.is_in(
        [CONFIRMED, COMPLETED]))


async def has_attended(community: dict, member_id: int) -> bool:
    """True once the member completed an event (their first-time reward row exists)."""
    return await Reward.exists().where((Reward.community == community["id"])
                                       & (Reward.key == f"first:{member_id}"))


def qr_payload(community: dict, code: str) -> str:
    """What a sign-up's QR code holds (the community's ``qr_template``)."""
    template = ev.settings_of(community).qr_template
    return template.replace("{community}", community["slug"]).replace("{code}", code)


def extract_code(community: dict, text: str) -> str:
    """The code in what was typed or scanned (a bare code or the QR payload)."""
    raw = (text or "").strip()
    template = ev.settings_of(community).qr_template.replace("{community}", community["slug"])
    prefix, _, suffix = template.partition("{code}")
    if raw.startswith(prefix) and raw.endswith(suffix) and len(raw) > len(prefix) + len(suffix):
        raw = raw[len(prefix):len(raw) - len(suffix)]
    return typeable_codes.normalize(raw)


async def _new_code() -> str:
    for _ in range(20):
        code = typeable_codes.new_code(CODE_LENGTH)
        if not await SignUp.exists().where(SignUp.code == code):
            return code
    raise RuntimeError("no free check-in code after 20 attempts")


# --- fees ------------------------------------------------------------------------------------


async def _charge_fee(community: dict, event: dict, signup: dict) -> int:
    """Charge the event's fee to a returning member (credits on, fee set); 0 otherwise. The
    idempotency key names the sign-up and its check-in code, which is new on every sign-up."""
    fee = event["fee_centi"]
    if fee <= 0 or not plugin_enabled(community["id"], "credits"):
        return 0
    if not await has_attended(community, signup["member"]):
        return 0  # the first participation is free
    from yizhan.plugins.credits import service as credits

    await credits.charge(community, signup["member"], fee, to_code=credits.COMMUNITY_FUND,
                         reason=f"Event fee: {event['title']}", kind="event_fee",
                         key=f"events:fee:{signup['id']}:{signup['code']}",
                         source_kind="event_signup", source_id=signup["id"])
    return fee


async def refund_fee(community: dict, signup: dict) -> None:
    """Give back the fee a sign-up paid (cancelled by the member, the organiser, or left on
    the waitlist)."""
    if signup["fee_centi"] <= 0 or not plugin_enabled(community["id"], "credits"):
        return
    from yizhan.plugins.credits import service as credits

    await credits.award(community, signup["member"], signup["fee_centi"],
                        from_code=credits.COMMUNITY_FUND, reason="Event fee refunded",
                        kind="event_fee_refund",
                        key=f"events:refund:{signup['id']}:{signup['code']}",
                        source_kind="event_signup", source_id=signup["id"])
    await SignUp.update({SignUp.fee_centi: 0}).where(SignUp.id == signup["id"])


# --- signing up ------------------------------------------------------------------------------


async def sign_up(community: dict, actor: dict, occurrence_id: int, *,
                  member_id: int | None = None, referrer_id: int | None = None) -> dict:
    """Sign ``actor`` up (or, for a leader or admin, the member ``member_id`` — an elder
    without a phone; recorded as ``signed_up_by``), naming the member who brought them.

    Past capacity the sign-up joins the waitlist. Refusals change nothing.
    """
    require_verified(actor)
    require_person(actor)
    target = actor
    if member_id is not None and member_id != actor["id"]:
        target = await get_member(community, member_id)
        if not is_leader_of(actor, target.get("building")):
            raise forbidden("Only a leader of their building or an admin can sign up "
                            "someone else.")
        if target["status"] != "verified":
            raise YizhanError("MEMBER_NOT_VERIFIED", "Only verified members can sign up.",
                              field="memberId")
    referrer = None
    if referrer_id is not None:
        if referrer_id == target["id"]:
            raise YizhanError("SELF_REFERRAL", "You cannot name yourself as the one who "
                                               "brought you.", field="referrerId")
        try:
            referrer = await get_member(community, referrer_id)
        except YizhanError:
            raise YizhanError("UNKNOWN_REFERRER", "The member who brought you is not a member "
                                                  "of this community.",
                              field="referrerId") from None
        if referrer["status"] != "verified":
            raise YizhanError("UNKNOWN_REFERRER", "The member who brought you is not a member "
                                                  "of this community.", field="referrerId")
    async with atomic():
        occurrence = await ev.locked_occurrence(community, occurrence_id)
        ev.require_open(occurrence)
        event = await ev.get_event(community, occurrence["event"])
        if now() >= occurrence["starts_at"]:
            raise YizhanError("SIGNUP_CLOSED", "Sign-up for this event date has closed.",
                              field="occurrenceId")
        audience = ev.audience_of(event)
        if audience and target.get("building") not in audience:
            raise YizhanError("NOT_IN_AUDIENCE", "This event is for members of other "
                                                 "buildings.", field="occurrenceId")
        return await _place(community, event, occurrence, target, referrer=referrer,
                            by=actor if actor["id"] != target["id"] else None)


async def _place(community: dict, event: dict, occurrence: dict, target: dict, *,
                 referrer: dict | None, by: dict | None, walk_in: bool = False,
                 checked_in: bool = False) -> dict:
    """Write the sign-up (under the occurrence's lock): confirmed while places are left,
    waitlisted after; a walk-in is confirmed regardless."""
    moment = now()
    existing = await SignUp.select().where((SignUp.occurrence == occurrence["id"])
                                           & (SignUp.member == target["id"])).first()
    if existing is not None and existing["status"] != CANCELLED:
        raise YizhanError("ALREADY_SIGNED_UP", "Already signed up for this event date.",
                          field="occurrenceId")
    free = await taken(occurrence["id"]) < ev.capacity_of(event, occurrence)
    status = CONFIRMED if (free or walk_in) else WAITLISTED
    values: dict[str, Any] = {
        "status": status, "referrer": referrer["id"] if referrer else None,
        "signed_up_by": by["id"] if by else None, "walk_in": walk_in,
        "code": await _new_code(), "checked_in_at": moment if checked_in else None,
        "checked_in_by": (by["id"] if by else None) if checked_in else None,
        "late": checked_in and moment > occurrence["starts_at"] + timedelta(
            minutes=ev.settings_of(community).late_after_minutes),
        "fee_centi": 0, "created_at": moment, "promoted_at": None, "cancelled_at": None,
    }
    if existing is not None:
        await SignUp.update({getattr(SignUp, k): v for k, v in values.items()}).where(
            SignUp.id == existing["id"])
        signup_id = existing["id"]
    else:
        signup_id = (await SignUp.insert(SignUp(
            community=community["id"], occurrence=occurrence["id"], member=target["id"],
            **values)).returning(SignUp.id))[0]["id"]
    signup = await get_signup(community, signup_id)
    if not walk_in:
        fee = await _charge_fee(community, event, signup)
        if fee:
            await SignUp.update({SignUp.fee_centi: fee}).where(SignUp.id == signup_id)
            signup = await get_signup(community, signup_id)
    await publish(community["id"], "event.signed_up", {
        "occurrence": occurrence["id"], "member": target["id"], "status": status})
    return signup


async def cancel_sign_up(community: dict, actor: dict, signup_id: int) -> dict:
    """Cancel a sign-up (the member, whoever signed them up, their building's leader or an
    admin): a confirmed place until ``cancel_cutoff_hours`` before the start, a place in line
    any time. A freed place goes to the first in line."""
    require_verified(actor)
    signup = await get_signup(community, signup_id)
    target = await get_member(community, signup["member"])
    if actor["id"] not in (signup["member"], signup["signed_up_by"]) and not is_leader_of(
            actor, target.get("building")):
        raise forbidden("Only the member, whoever signed them up or a leader can cancel this.")
    async with atomic():
        occurrence = await ev.locked_occurrence(community, signup["occurrence"])
        ev.require_open(occurrence)
        signup = await get_signup(community, signup_id)
        if signup["status"] not in ACTIVE:
            raise YizhanError("NOT_SIGNED_UP", "This sign-up is not active.", field="signUpId")
        cutoff = occurrence["starts_at"] - timedelta(
            hours=ev.settings_of(community).cancel_cutoff_hours)
        if signup["status"] == CONFIRMED and now() >= cutoff:
            raise YizhanError("CANCEL_CUTOFF_PASSED",
                              "It is too late to cancel: tell the organiser instead.",
                              field="signUpId")
        await refund_fee(community, signup)
        await SignUp.update({SignUp.status: CANCELLED, SignUp.cancelled_at: now()}).where(
            SignUp.id == signup["id"])
        event = await ev.get_event(community, occurrence["event"])
        if signup["status"] == CONFIRMED:
            await promote(community, event, occurrence)
        return await get_signup(community, signup["id"])


async def promote(community: dict, event: dict, occurrence: dict) -> list[dict]:
    """Move the first in line up while places are free (call with the occurrence locked);
    each promoted member is told. Returns the promoted sign-ups."""
    promoted = []
    capacity = ev.capacity_of(event, occurrence)
    when = ev.local(community, occurrence["starts_at"]).strftime("%Y-%m-%d %H:%M")
    while await taken(occurrence["id"]) < capacity:
        first = await SignUp.select().where(
            (SignUp.occurrence == occurrence["id"]) & (SignUp.status == WAITLISTED)
        ).order_by(SignUp.created_at).order_by(SignUp.id).first()
        if first is None:
            break
        await SignUp.update({SignUp.status: CONFIRMED, SignUp.promoted_at: now()}).where(
            SignUp.id == first["id"])
        await notify(community["id"], first["member"], "events.promoted",
                     "You have a place at {title}",
                     "A place came free: you are now signed up for {title} on {when} at "
                     "{place}.", title=event["title"], when=when,
                     place=ev.place_of(event, occurrence))
        promoted.append(first)
    return promoted


# --- check-in --------------------------------------------------------------------------------


async def check_in(community: dict, actor: dict | None, occurrence_id: int, *,
                   code: str | None = None, member_id: int | None = None,
                   name: str | None = None, walk_in: bool = False) -> dict:
    """Check someone in (the organiser or an admin; None: the CLI) by their one-time code or
    QR payload, by member, or by name. With ``walk_in`` a member who did not sign up is added
    and checked in at once. A check-in after ``late_after_minutes`` is marked late."""
    occurrence = await ev.get_occurrence(community, occurrence_id)
    event = await ev.get_event(community, occurrence["event"])
    ev.require_in_charge(actor, event)
    given = [x for x in (code, member_id, name) if x not in (None, "")]
    if len(given) != 1:
        raise YizhanError("CHECKIN_NEEDS_ONE", "Give exactly one of: code, member or name.",
                          field="code")
    async with atomic():
        occurrence = await ev.locked_occurrence(community, occurrence_id)
        ev.require_open(occurrence)
        moment = now()
        if moment < occurrence["starts_at"] - CHECKIN_OPENS:
            raise YizhanError("CHECKIN_NOT_OPEN", "Check-in opens two hours before the start.",
                              field="occurrenceId")
        if code:
            signup = await _by_code(community, occurrence, code)
        elif name:
            signup = await _by_name(community, occurrence, name)
        else:
            signup = await SignUp.select().where((SignUp.occurrence == occurrence["id"])
                                                 & (SignUp.member == member_id)).first()
            if (signup is None or signup["status"] == CANCELLED) and walk_in:
                target = await get_member(community, member_id)
                if target["status"] != "verified":
                    raise YizhanError("MEMBER_NOT_VERIFIED",
                                      "Only verified members can sign up.", field="memberId")
                return await _place(community, event, occurrence, target, referrer=None,
                                    by=actor, walk_in=True, checked_in=True)
            if signup is None:
                raise YizhanError("NOT_SIGNED_UP", "This member has not signed up for this "
                                                   "event date.", field="memberId")
        if signup["status"] == CANCELLED:
            raise YizhanError("SIGNUP_CANCELLED", "This sign-up was cancelled.", field="code")
        if signup["checked_in_at"] is not None:
            raise YizhanError("ALREADY_CHECKED_IN", "Already checked in.", field="code")
        late = moment > occurrence["starts_at"] + timedelta(
            minutes=ev.settings_of(community).late_after_minutes)
        await SignUp.update({
            SignUp.status: CONFIRMED, SignUp.checked_in_at: moment,
            SignUp.checked_in_by: actor["id"] if actor else None, SignUp.late: late,
        }).where(SignUp.id == signup["id"])
        return await get_signup(community, signup["id"])


async def _by_code(community: dict, occurrence: dict, text: str) -> dict:
    code = extract_code(community, text)
    if not typeable_codes.is_well_formed(code, CODE_LENGTH):
        raise YizhanError("CODE_INVALID", "This is not a check-in code: check it for a typo.",
                          field="code")
    signup = await SignUp.select().where(SignUp.code == code).first()
    if signup is None or signup["community"] != community["id"]:
        raise YizhanError("CODE_NOT_FOUND", "No such check-in code.", field="code")
    if signup["occurrence"] != occurrence["id"]:
        raise YizhanError("CODE_OTHER_OCCURRENCE", "This code is for another event date.",
                          field="code")
    return signup


async def _by_name(community: dict, occurrence: dict, name: str) -> dict:
    wanted = name.strip().casefold()
    rows = await SignUp.select().where((SignUp.occurrence == occurrence["id"])
                                       & (SignUp.status != CANCELLED))
    if not rows:
        raise YizhanError("NOT_SIGNED_UP", "Nobody of that name signed up.", field="name")
    people = await MemberTable.select(
        MemberTable.id, MemberTable.person.display_name, MemberTable.person.real_name,
        MemberTable.person.username).where(MemberTable.id.is_in([r["member"] for r in rows]))
    ids = {p["id"] for p in people if wanted in (
        (p["person.display_name"] or "").casefold(), (p["person.real_name"] or "").casefold(),
        (p["person.username"] or "").casefold())}
    found = [r for r in rows if r["member"] in ids]
    if not found:
        raise YizhanError("NOT_SIGNED_UP", "Nobody of that name signed up.", field="name")
    if len(found) > 1:
        raise YizhanError("NAME_AMBIGUOUS", "More than one person has that name: use their "
                                            "code.", field="name")
    return found[0]


def is_in_charge(actor: dict | None, event: dict) -> bool:
    """True for the organiser and admins."""
    return bool(actor and (is_admin(actor) or actor.get("id") == event["organiser"]))


async def of_member(community: dict, member_id: int, *, since: datetime | None = None
                    ) -> list[dict]:
    """A member's sign-ups (not cancelled) for occurrences ending after ``since``, soonest
    first, each with ``_occurrence``."""
    from yizhan.plugins.events.tables import Occurrence

    rows = await SignUp.select().where(
        (SignUp.community == community["id"]) & (SignUp.member == member_id)
        & (SignUp.status != CANCELLED))
    if not rows:
        return []
    occurrences = {o["id"]: o for o in await Occurrence.select().where(
        Occurrence.id.is_in([r["occurrence"] for r in rows]))}
    out = []
    for row in rows:
        occ = occurrences[row["occurrence"]]
        if since is None or occ["ends_at"] > since:
            out.append({**row, "_occurrence": occ})
    out.sort(key=lambda r: (r["_occurrence"]["starts_at"], r["id"]))
    return out


async def member_left(community: dict, member: dict) -> int:
    """Cancel the member's sign-ups for dates that have not started (in the caller's
    transaction), moving the first in line up; how many were cancelled."""
    rows = await SignUp.select().where(
        (SignUp.community == community["id"]) & (SignUp.member == member["id"])
        & SignUp.status.is_in(list(ACTIVE)))
    done = 0
    for row in rows:
        occurrence = await ev.locked_occurrence(community, row["occurrence"])
        if occurrence["status"] != ev.SCHEDULED or occurrence["starts_at"] <= now():
            continue
        await refund_fee(community, row)
        await SignUp.update({SignUp.status: CANCELLED, SignUp.cancelled_at: now()}).where(
            SignUp.id == row["id"])
        if row["status"] == CONFIRMED:
            event = await ev.get_event(community, occurrence["event"])
            await promote(community, event, occurrence)
        done += 1
    return done
