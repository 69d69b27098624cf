"""The disputes service: open, answer, mediate, decide on time, overturn; the public record.

Resolvers, the CLI and the deadline hook call these functions; nothing here knows GraphQL.
Every change runs in one transaction with its cause (credits, the need's release, the notice,
the notifications, the hook ``yizhan_dispute_decided``). Refusals are ``YizhanError`` with a
stable code (``docs/disputes.md``).

The 24-hour promise is held by core's deadlines: opening a dispute schedules the decision's
deadline, the mediator's reminders and the admins' escalation; whichever is still pending when
the dispute is decided is cancelled. At the deadline the community's default outcome applies,
exactly once (core claims each deadline row once, and the decision is a conditional update).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from yizhan.core.api import (
    EventContext,
    YizhanError,
    accept_need,
    after_commit,
    atomic,
    cancel_deadlines,
    credits_to_centi,
    emit,
    forbidden,
    format_centi,
    get_member,
    get_need,
    invalid,
    is_admin,
    leaders_of,
    list_buildings,
    not_found,
    notify,
    now,
    plugin_settings,
    post_need,
    post_notice,
    publish,
    schedule_deadline,
    settle_need,
    translate,
)
from yizhan.plugins.disputes.settings import DisputesSettings, centi
from yizhan.plugins.disputes.tables import Dispute, DisputeStep

PLUGIN = "disputes"
CATEGORIES = ("not_done", "poorly_done", "damage", "no_show", "conduct")
REDO, COMPENSATE, DISMISSED, REDO_AND_COMPENSATE = (
    "redo", "compensate", "dismissed", "redo_and_compensate")
OUTCOMES = (REDO, COMPENSATE, DISMISSED, REDO_AND_COMPENSATE)
#: The outcome recorded when the deadline passed and the community only escalates.
ESCALATED = "escalated"
OPEN, DECIDED = "open", "decided"
MAX_PHOTOS = 6
#: Deadline kinds: the decision's deadline, the admins' escalation, reminders ``remind_<h>``.
DECIDE, ESCALATE = "decide", "escalate"

#: (community, need) pairs held by an open dispute, as this process knows them: the fast
#: path of the veto (a sync hook cannot read the database). The authoritative check is
#: :func:`refuse_confirmation_if_held` in the confirmation's transaction (another process may
#: have opened the dispute). A stale pair is harmless: a decided dispute has closed its need,
#: and core asks the veto only about a need that is done. Forgotten for a community when the
#: plugin is switched on there (:func:`forget_held`).
held_needs: set[tuple[int, int]] = set()


def forget_held(community_id: int) -> None:
    """Forget what this process knows about held needs of a community."""
    held_needs.difference_update({k for k in held_needs if k[0] == community_id})


def is_held(community_id: int, need_id: int) -> bool:
    """True if this process saw a dispute open on the need (the veto's fast path)."""
    return (community_id, need_id) in held_needs


def settings_of(community: dict) -> DisputesSettings:
    """The community's disputes settings."""
    return plugin_settings(community["id"], PLUGIN)


def upheld(outcome: str) -> bool:
    """True when an outcome finds the help at fault (anything but dismissed or escalated)."""
    return outcome in (REDO, COMPENSATE, REDO_AND_COMPENSATE)


def parties(dispute: dict) -> set[int]:
    """The members on either side: requester, who opened it (a leader for an elder), helper."""
    return {dispute["requester"], dispute["opened_by"], dispute["helper"]}


def is_party(dispute: dict, member: dict | None) -> bool:
    """True for the requester, the opener and the helper."""
    return bool(member and member.get("id") in parties(dispute))


def may_see_timeline(dispute: dict, member: dict | None) -> bool:
    """Both parties and the mediator see the timeline, nobody else."""
    return bool(member and member.get("id") is not None
                and (is_party(dispute, member) or member["id"] == dispute["mediator"]))


def may_see(dispute: dict, member: dict | None) -> bool:
    """Parties, the mediator and the community's admins see a dispute."""
    return may_see_timeline(dispute, member) or is_admin(member)


async def find(dispute_id: int) -> dict | None:
    """A dispute by id in any community (resolvers find its community from it)."""
    return await Dispute.select().where(Dispute.id == dispute_id).first()


async def get(community: dict, dispute_id: int, field: str = "disputeId") -> dict:
    """A dispute of ``community``, or NOT_FOUND."""
    row = await Dispute.select().where(
        (Dispute.id == dispute_id) & (Dispute.community == community["id"])).first()
    if row is None:
        raise not_found("dispute", field)
    return row


async def timeline(dispute: dict) -> list[dict]:
    """The dispute's steps, oldest first."""
    return await DisputeStep.select().where(
        DisputeStep.dispute == dispute["id"]).order_by(DisputeStep.id)


async def _step(dispute: dict, actor: dict | None, kind: str, body: str = "") -> None:
    await DisputeStep.insert(DisputeStep(
        community=dispute["community"], dispute=dispute["id"],
        actor=actor["id"] if actor else None, kind=kind, body=body, at=now()))


async def open_on_need(community_id: int, need_id: int) -> bool:
    """True while an undecided dispute holds ``need_id``."""
    return await Dispute.exists().where(
        (Dispute.community == community_id) & (Dispute.need == need_id)
        & (Dispute.status == OPEN))


async def refuse_confirmation_if_held(ctx: EventContext, need: dict) -> None:
    """Inside a confirmation's transaction: refuse (rolling it back) while a dispute is open
    on the need. The veto refuses first where this process knows the hold."""
    if await open_on_need(ctx.community_id, need["id"]):
        held_needs.add((ctx.community_id, need["id"]))
        raise held_error()


def held_error() -> YizhanError:
    """The refusal of a confirmation an open dispute holds."""
    return YizhanError("DISPUTE_OPEN", "A dispute about this need is open; it is confirmed or "
                       "cancelled when the dispute is decided.", field="needId")


# --- the mediator ---


async def choose_mediator(community: dict, building: int | None, sides: set[int]
                          ) -> dict | None:
    """The requester's building leader (the head before the deputies), never a party; if
    every leader of the building is a party (or it has none), an admin who is not."""
    leaders = await leaders_of(community["id"], building) if building else []
    leaders.sort(key=lambda m: (m["role"] != "building_leader", m["id"]))
    for leader in leaders:
        if leader["id"] not in sides:
            return leader
    for admin in await leaders_of(community["id"], None):
        if admin["id"] not in sides and admin["role"] == "admin":
            return admin
    return None


async def _admins(community: dict, dispute: dict) -> list[dict]:
    return [a for a in await leaders_of(community["id"], None)
            if a["role"] == "admin" and a["id"] not in parties(dispute)]


# --- opening ---


def _photos(photos: list[str] | None) -> list[str]:
    found = [p.strip() for p in photos or [] if p and p.strip()]
    if len(found) > MAX_PHOTOS:
        raise invalid("photos", "Add at most {max} photos.", code="TOO_MANY_PHOTOS",
                      max=MAX_PHOTOS)
    if any(len(p) > 300 for p in found):
        raise invalid("photos", "A photo reference may be at most 300 characters.",
                      code="INVALID_PHOTO")
    return found


def _text(value: str | None, field: str, *, max_length: int, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise invalid(field, "This field is required.", code="REQUIRED")
    if len(text) > max_length:
        raise invalid(field, "At most {max} characters.", code="TOO_LONG", max=max_length)
    if any(ord(c) < 32 and c not in "\n\t" for c in text):
        raise invalid(field, "Remove the control characters from this text.",
                      code="INVALID_TEXT")
    return text


async def open_dispute(community: dict, actor: dict, need_id: int, *, category: str,
                       description: str, photos: list[str] | None = None) -> dict:
    """The requester (or the leader who posted for them) opens a dispute on a need that is
    done, or confirmed within ``open_within_days``; once per need."""
    if actor is None or actor.get("id") is None or actor["status"] != "verified":
        raise forbidden("Only the requester of this need can open a dispute about it.")
    if category not in CATEGORIES:
        raise invalid("category", "Unknown problem category {category}.",
                      code="INVALID_CATEGORY", category=category)
    description = _text(description, "description", max_length=2000)
    photos = _photos(photos)
    settings = settings_of(community)
    opened_at = now()
    async with atomic():
        need = await get_need(community, need_id)
        if actor["id"] not in (need["requester"], need["posted_by"]):
            raise forbidden("Only the requester of this need can open a dispute about it.")
        if need["status"] not in ("done", "confirmed"):
            raise YizhanError("NEED_NOT_DONE", "Only help marked done or confirmed can be "
                              "disputed.", field="needId")
        if need["status"] == "confirmed" and (
                need["closed_at"] + timedelta(days=settings.open_within_days) < opened_at):
            raise YizhanError("DISPUTE_WINDOW_CLOSED", "Disputes can be opened up to {days} "
                              "days after confirmation.", field="needId",
                              days=settings.open_within_days)
        if await Dispute.exists().where(Dispute.need == need["id"]):
            raise YizhanError("DISPUTE_EXISTS", "This need already has a dispute.",
                              field="needId")
        requester = await get_member(community, need["requester"])
        building = requester["building"] or need["building"]
        sides = {need["requester"], actor["id"], need["helper"]}
        mediator = await choose_mediator(community, building, sides)
        due = opened_at + timedelta(hours=settings.decide_within_hours)
        rows = await Dispute.insert(Dispute(
            community=community["id"], need=need["id"], building=building,
            requester=need["requester"], helper=need["helper"], opened_by=actor["id"],
            mediator=mediator["id"] if mediator else None, category=category,
            description=description, photos=json.dumps(photos), need_status=need["status"],
            status=OPEN, opened_at=opened_at, due_at=due,
        )).on_conflict(action="DO NOTHING").returning(*Dispute.all_columns())
        if not rows:  # someone opened one at the same moment
            raise YizhanError("DISPUTE_EXISTS", "This need already has a dispute.",
                              field="needId")
        dispute = rows[0]
        await _step(dispute, actor, "opened", description)
        await _schedule(community, dispute, settings)
        await notify(community["id"], dispute["helper"], "dispute.opened",
                     "A dispute about your help",
                     "A problem was reported about \u201c{title}\u201d. You can answer it "
                     "in the dispute.", title=need["title"])
        if mediator is not None:
            await notify(community["id"], mediator["id"], "dispute.mediate",
                         "Please mediate a dispute",
                         "A dispute about \u201c{title}\u201d needs your decision within "
                         "{hours} hours.", title=need["title"],
                         hours=settings.decide_within_hours)
        else:
            await _tell_admins(community, dispute, "dispute.no_mediator",
                               "A dispute has no mediator",
                               "Nobody who is not a party can mediate the dispute about "
                               "\u201c{title}\u201d. Please assign a mediator.",
                               title=need["title"])
        await publish(community["id"], "dispute.opened",
                      {"dispute": dispute["id"], "need": need["id"]})
        if need["status"] == "done":
            key = (community["id"], need["id"])
            after_commit(lambda: held_needs.add(key))
    return dispute


async def _schedule(community: dict, dispute: dict, settings: DisputesSettings) -> None:
    opened, due = dispute["opened_at"], dispute["due_at"]
    await schedule_deadline(community["id"], PLUGIN, DECIDE, dispute["id"], due)
    for hours in settings.reminder_hours:
        await schedule_deadline(community["id"], PLUGIN, f"remind_{hours}", dispute["id"],
                                opened + timedelta(hours=hours), {"hours": hours})
    if settings.escalate_hours_before:
        await schedule_deadline(community["id"], PLUGIN, ESCALATE, dispute["id"],
                                due - timedelta(hours=settings.escalate_hours_before))


async def _tell_admins(community: dict, dispute: dict, kind: str, subject: str, message: str,
                       **params: Any) -> None:
    for admin in await _admins(community, dispute):
        await notify(community["id"], admin["id"], kind, subject, message, **params)


async def _tell_parties(community: dict, dispute: dict, kind: str, subject: str,
                        message: str, *, skip: int | None = None, **params: Any) -> None:
    people = parties(dispute) | ({dispute["mediator"]} if dispute["mediator"] else set())
    for member_id in sorted(people - {skip}):
        await notify(community["id"], member_id, kind, subject, message, **params)


async def _locked_open(community: dict, dispute_id: int) -> dict:
    """The dispute, locked for the transaction (PostgreSQL) and refused when decided."""
    rows = await Dispute.update({Dispute.community: community["id"]}).where(
        (Dispute.id == dispute_id) & (Dispute.community == community["id"])
    ).returning(*Dispute.all_columns())
    if not rows:
        raise not_found("dispute", "disputeId")
    dispute = rows[0]
    if dispute["status"] != OPEN:
        raise YizhanError("DISPUTE_DECIDED", "This dispute was already decided.",
                          field="disputeId")
    return dispute


# --- the timeline and the mediator ---


async def add_statement(community: dict, actor: dict, dispute_id: int, body: str) -> dict:
    """A party or the mediator adds a statement to an open dispute's timeline."""
    body = _text(body, "body", max_length=2000)
    async with atomic():
        dispute = await get(community, dispute_id)
        if not may_see_timeline(dispute, actor):
            raise forbidden("Only the parties and the mediator can add to this dispute.")
        dispute = await _locked_open(community, dispute_id)
        await _step(dispute, actor, "statement", body)
        title = (await get_need(community, dispute["need"]))["title"]
        await _tell_parties(community, dispute, "dispute.statement", "New in your dispute",
                            "There is a new statement in the dispute about \u201c{title}\u201d.",
                            skip=actor["id"], title=title)
    return dispute


async def reassign(community: dict, actor: dict | None, dispute_id: int,
                   mediator_id: int) -> dict:
    """An admin (``None``: the CLI) gives an open dispute another mediator: a verified
    leader or admin who is not a party."""
    if actor is not None and not is_admin(actor):
        raise forbidden("Only a community admin can do this.")
    async with atomic():
        dispute = await _locked_open(community, dispute_id)
        mediator = await get_member(community, mediator_id, "mediatorId")
        if mediator["id"] in parties(dispute):
            raise YizhanError("MEDIATOR_IS_PARTY", "A party to the dispute cannot mediate it.",
                              field="mediatorId")
        if mediator["status"] != "verified" or mediator["role"] not in (
                "building_leader", "deputy_leader", "admin"):
            raise YizhanError("NOT_A_MEDIATOR", "Only a verified leader or admin can mediate.",
                              field="mediatorId")
        dispute = (await Dispute.update({Dispute.mediator: mediator["id"]}).where(
            Dispute.id == dispute["id"]).returning(*Dispute.all_columns()))[0]
        await _step(dispute, actor, "reassigned", str(mediator["id"]))
        title = (await get_need(community, dispute["need"]))["title"]
        await notify(community["id"], mediator["id"], "dispute.mediate",
                     "Please mediate a dispute",
                     "A dispute about \u201c{title}\u201d needs your decision within "
                     "{hours} hours.", title=title, hours=_hours_left(dispute))
        await _tell_parties(community, dispute, "dispute.changed", "Your dispute changed",
                            "The dispute about \u201c{title}\u201d has a new mediator.",
                            skip=mediator["id"], title=title)
    return dispute


async def mediator_left(community: dict, member: dict) -> int:
    """A mediator left the community (or lost their role): their open disputes get a new
    mediator, chosen as at opening, and the admins are told. How many moved."""
    moved = 0
    for dispute in await Dispute.select().where(
            (Dispute.community == community["id"]) & (Dispute.mediator == member["id"])
            & (Dispute.status == OPEN)):
        successor = await choose_mediator(community, dispute["building"],
                                          parties(dispute) | {member["id"]})
        dispute = await _update(dispute, {
            Dispute.mediator: successor["id"] if successor else None})
        await _step(dispute, None, "reassigned", str(successor["id"]) if successor else "")
        title = (await get_need(community, dispute["need"]))["title"]
        if successor is not None:
            await notify(community["id"], successor["id"], "dispute.mediate",
                         "Please mediate a dispute",
                         "A dispute about \u201c{title}\u201d needs your decision within "
                         "{hours} hours.", title=title, hours=_hours_left(dispute))
        else:
            await _tell_admins(community, dispute, "dispute.no_mediator",
                               "A dispute has no mediator",
                               "Nobody who is not a party can mediate the dispute about "
                               "\u201c{title}\u201d. Please assign a mediator.", title=title)
        moved += 1
    return moved


def _hours_left(dispute: dict) -> int:
    return max(0, int((dispute["due_at"] - now()).total_seconds() // 3600))


def seconds_left(dispute: dict, at: datetime | None = None) -> int | None:
    """Seconds until the decision's deadline (0 when past; None once decided)."""
    if dispute["status"] != OPEN:
        return None
    return max(0, int((dispute["due_at"] - (at or now())).total_seconds()))


# --- deciding ---


def may_decide(dispute: dict, actor: dict | None) -> bool:
    """The mediator, or an admin, who is not a party (None: the admin CLI)."""
    if actor is None:
        return True
    if is_party(dispute, actor):
        return False
    return actor.get("id") == dispute["mediator"] or is_admin(actor)


def _default_release(outcome: str) -> str:
    return "cancelled" if outcome in (REDO, REDO_AND_COMPENSATE) else "confirmed"


async def decide(community: dict, actor: dict | None, dispute_id: int, *, outcome: str,
                 reason: str, public_line: str = "", compensation: Any = None,
                 redo_assign: str | None = None, release: str | None = None) -> dict:
    """The mediator decides: redo, compensate, dismissed or redo and compensate, with a
    reason (and a line for the public notice). Compensation needs credits on."""
    dispute = await get(community, dispute_id)
    if is_party(dispute, actor):
        raise YizhanError("PARTY_CANNOT_DECIDE", "A party to the dispute cannot decide it.",
                          kind="permission")
    if not may_decide(dispute, actor):
        raise forbidden("Only the dispute's mediator or an admin can decide it.")
    if outcome not in OUTCOMES:
        raise invalid("outcome", "Unknown outcome {outcome}.", code="INVALID_OUTCOME",
                      outcome=outcome)
    reason = _text(reason, "reason", max_length=1000)
    public_line = _text(public_line, "publicLine", max_length=200, required=False)
    if release not in (None, "confirmed", "cancelled"):
        raise invalid("release", "Release the need as confirmed or cancelled.",
                      code="INVALID_RELEASE")
    if redo_assign not in (None, "same_helper", "open"):
        raise invalid("redoAssign", "Assign the redo to the same helper or open it.",
                      code="INVALID_REDO_ASSIGN")
    settings = settings_of(community)
    amount = 0
    if outcome in (COMPENSATE, REDO_AND_COMPENSATE):
        amount = await _compensation(community, dispute, compensation, settings)
    async with atomic():
        dispute = await _locked_open(community, dispute_id)
        return await _apply(community, dispute, actor, outcome=outcome, reason=reason,
                            public_line=public_line, amount=amount,
                            redo_assign=redo_assign or settings.redo_assign,
                            release=release or _default_release(outcome), automatic=False)


async def _compensation(community: dict, dispute: dict, value: Any,
                        settings: DisputesSettings) -> int:
    if not _credits_on(community):
        raise YizhanError("COMPENSATION_UNAVAILABLE", "Credits are off in this community: "
                          "only redo and dismiss can be decided.", field="outcome")
    need = await get_need(community, dispute["need"])
    cap = centi(settings.max_compensation)
    if value is None or value == "":
        return min(need["credits_centi"], cap) or _zero_compensation()
    amount = credits_to_centi(value, "compensation", maximum=10**9)
    if amount <= 0:
        _zero_compensation()
    if amount > cap:
        raise YizhanError("COMPENSATION_TOO_HIGH", "Compensation may be at most {max} credits.",
                          field="compensation", max=format_centi(cap))
    return amount


def _zero_compensation() -> int:
    raise invalid("compensation", "Compensation must be more than zero.",
                  code="INVALID_COMPENSATION")


def _credits_on(community: dict) -> bool:
    return EventContext(community=community).enabled("credits")


async def _apply(community: dict, dispute: dict, actor: dict | None, *, outcome: str,
                 reason: str, public_line: str, amount: int, redo_assign: str, release: str,
                 automatic: bool) -> dict:
    """Write a decision (the dispute row is locked and open): credits, redo, the need's
    release, the notice, the timeline, notifications and the hook."""
    decided_at = now()
    need = await get_need(community, dispute["need"])
    minutes = max(0, int((decided_at - dispute["opened_at"]).total_seconds() // 60))
    values: dict[Any, Any] = {
        Dispute.status: DECIDED, Dispute.outcome: outcome, Dispute.decided_at: decided_at,
        Dispute.decided_by: actor["id"] if actor else None, Dispute.automatic: automatic,
        Dispute.decision_minutes: minutes,
        Dispute.within_deadline: automatic or decided_at <= dispute["due_at"],
        Dispute.reason: reason, Dispute.public_line: public_line,
    }
    dispute = (await Dispute.update(values).where(
        (Dispute.id == dispute["id"]) & (Dispute.status == OPEN)
    ).returning(*Dispute.all_columns()))[0]
    held_needs.discard((community["id"], need["id"]))
    extra: dict[Any, Any] = {}
    if amount:
        extra.update(await _pay_compensation(community, dispute, need, actor, amount))
    if outcome in (REDO, REDO_AND_COMPENSATE):
        extra[Dispute.redo_need] = await _post_redo(community, dispute, need, redo_assign)
    if need["status"] == "done":
        await settle_need(community, need["id"], release, actor=actor,
                          note=f"dispute {dispute['id']}: {outcome}")
        extra[Dispute.release] = release
    dispute = await _update(dispute, extra)
    await cancel_deadlines(PLUGIN, dispute["id"])
    await _step(dispute, actor, "decided", reason)
    notice = await _post_public_notice(community, dispute)
    dispute = await _update(dispute, {Dispute.notice: notice["id"]})
    await _tell_parties(community, dispute, "dispute.decided", "Your dispute was decided",
                        "The dispute about \u201c{title}\u201d was decided: {outcome}.",
                        skip=actor["id"] if actor else None, title=need["title"],
                        outcome=outcome, _translate={"outcome": "dispute outcome"})
    await _fire_decided(community, actor, dispute, outcome)
    await publish(community["id"], "dispute.decided",
                  {"dispute": dispute["id"], "need": need["id"], "outcome": outcome})
    return dispute


async def _update(dispute: dict, values: dict[Any, Any]) -> dict:
    if not values:
        return dispute
    return (await Dispute.update(values).where(Dispute.id == dispute["id"]).returning(
        *Dispute.all_columns()))[0]


async def _fire_decided(community: dict, actor: dict | None, dispute: dict,
                        outcome: str) -> None:
    ctx = EventContext(community=community, actor=actor)
    await emit(ctx, "yizhan_dispute_decided", dispute=dispute, outcome=outcome)


async def _pay_compensation(community: dict, dispute: dict, need: dict, actor: dict | None,
                            amount: int) -> dict[Any, Any]:
    from yizhan.plugins.credits import service as credits

    by = actor["id"] if actor else None
    posted = await credits.award(
        community, dispute["requester"], amount, from_code=credits.COMPENSATION_FUND,
        kind="compensation", reason=f"Dispute compensation: {need['title']}"[:200],
        key=f"dispute:{dispute['id']}:compensation:{dispute['overturned_at'] or ''}",
        source_kind="dispute", source_id=dispute["id"], actor=by)
    values: dict[Any, Any] = {Dispute.compensation_centi: amount,
                              Dispute.compensation_tx: _tx_id(posted)}
    if settings_of(community).take_back_from_helper:
        available = (await credits.balance(community, dispute["helper"])).available
        taken = min(amount, max(0, available))
        if taken:
            await credits.charge(
                community, dispute["helper"], taken, to_code=credits.COMPENSATION_FUND,
                kind="compensation_takeback", reason=f"Dispute take-back: {need['title']}"[:200],
                key=f"dispute:{dispute['id']}:takeback:{dispute['overturned_at'] or ''}",
                source_kind="dispute", source_id=dispute["id"], actor=by)
        values[Dispute.takeback_centi] = taken
    return values


def _tx_id(posted: Any) -> int | None:
    transaction = getattr(posted, "transaction", None)
    if isinstance(transaction, dict):
        return transaction.get("id")
    return getattr(posted, "id", None)


async def _post_redo(community: dict, dispute: dict, need: dict, assign: str) -> int:
    settings = settings_of(community)
    requester = await get_member(community, dispute["requester"])
    start = now()
    title = translate("Redo: {title}", community.get("locale"), title=need["title"])[:80]
    redo = await post_need(
        community, requester, title=title, category=need["category"],
        window_start=start, window_end=start + timedelta(days=settings.redo_window_days),
        estimated_minutes=need["estimated_minutes"], credits="0",
        description=translate("Rework after a dispute about \u201c{title}\u201d.",
                              community.get("locale"), title=need["title"]),
        building_id=need["building"])
    if assign == "same_helper":
        helper = await get_member(community, dispute["helper"])
        if helper["status"] == "verified":
            await accept_need(community, helper, redo["id"])
    return redo["id"]


async def pay_redo_on_confirmation(ctx: EventContext, need: dict) -> None:
    """A redo need was confirmed: where the fund pays redos, pay its helper the original
    need's credits from the compensation fund (once: an idempotency key)."""
    dispute = await Dispute.select().where(
        (Dispute.community == ctx.community_id) & (Dispute.redo_need == need["id"])).first()
    if dispute is None or not ctx.enabled("credits") or not need["helper"]:
        return
    if settings_of(ctx.community).redo_paid_by != "fund":
        return
    original = await get_need(ctx.community, dispute["need"])
    if original["credits_centi"] <= 0:
        return
    from yizhan.plugins.credits import service as credits

    await credits.award(ctx.community, need["helper"], original["credits_centi"],
                        from_code=credits.COMPENSATION_FUND, kind="compensation",
                        reason=f"Redo paid by the fund: {need['title']}"[:200],
                        key=f"dispute:{dispute['id']}:redo", source_kind="dispute",
                        source_id=dispute["id"])


# --- the public record ---


async def _building_name(community: dict, building: int | None) -> str:
    for row in await list_buildings(community):
        if row["id"] == building:
            return row["name"]
    return "-"


def hours_text(minutes: int | None) -> str:
    """Minutes as hours with one decimal (``3.5``)."""
    return str((Decimal(minutes or 0) / 60).quantize(Decimal("0.1")))


async def _post_public_notice(community: dict, dispute: dict) -> dict:
    """The notice on the board: the kind of problem, the building, hours to decide, what
    was done and the mediator's line — no names, no private details."""
    locale = community.get("locale")
    building = await _building_name(community, dispute["building"])
    done = _done_text(dispute, locale)
    title = translate("Dispute resolved: {category} in building {building}", locale,
                      category=dispute["category"], building=building,
                      _translate={"category": "dispute category"})
    body = translate("A problem with help in building {building} ({category}) was decided "
                     "in {hours} hours. What was done: {done}", locale, building=building,
                     category=dispute["category"], hours=hours_text(dispute["decision_minutes"]),
                     done=done, _translate={"category": "dispute category"})
    if dispute["public_line"]:
        body += "\n" + dispute["public_line"]
    return await post_notice(community["id"], title, body, source=PLUGIN)


def _done_text(dispute: dict, locale: str | None) -> str:
    amount = format_centi(dispute["compensation_centi"] or 0)
    outcome = dispute["outcome"]
    if outcome == REDO:
        return translate("the work is being redone.", locale)
    if outcome == COMPENSATE:
        return translate("the resident was compensated {amount} credits from the "
                         "compensation fund.", locale, amount=amount)
    if outcome == REDO_AND_COMPENSATE:
        return translate("the work is being redone and the resident was compensated {amount} "
                         "credits from the compensation fund.", locale, amount=amount)
    return translate("after hearing both sides the complaint was not upheld.", locale)


# --- deadlines ---


async def deadline_due(ctx: EventContext, deadline: Any) -> None:
    """A disputes deadline fell due (inside core's claim of it: exactly once)."""
    community = ctx.community
    dispute = await Dispute.select().where(
        (Dispute.id == int(deadline.subject)) & (Dispute.community == community["id"])).first()
    if dispute is None or dispute["status"] != OPEN:
        return
    title = (await get_need(community, dispute["need"]))["title"]
    if deadline.kind.startswith("remind_"):
        await _step(dispute, None, "reminded", str(deadline.payload.get("hours", "")))
        if dispute["mediator"]:
            await notify(community["id"], dispute["mediator"], "dispute.reminder",
                         "A dispute waits for your decision",
                         "Please decide the dispute about \u201c{title}\u201d: {hours} hours "
                         "left.", title=title, hours=_hours_left(dispute))
    elif deadline.kind == ESCALATE:
        await Dispute.update({Dispute.escalated_at: ctx.now}).where(Dispute.id == dispute["id"])
        await _step(dispute, None, "escalated")
        await _tell_admins(community, dispute, "dispute.escalated", "A dispute is nearly due",
                           "The dispute about \u201c{title}\u201d must be decided within "
                           "{hours} hours.", title=title, hours=_hours_left(dispute))
    elif deadline.kind == DECIDE:
        await apply_default(ctx, dispute, title)


async def apply_default(ctx: EventContext, dispute: dict, title: str) -> None:
    """Nobody decided by the deadline: the community's default outcome, and the admins told."""
    community = ctx.community
    settings = settings_of(community)
    dispute = await _locked_open(community, dispute["id"])
    amount = 0
    if settings.default_outcome == "compensate" and _credits_on(community):
        amount = await _capped_default(community, dispute, settings)
    if amount:
        reason = translate("Nobody decided within {hours} hours: the community's default "
                           "outcome applied.", community.get("locale"),
                           hours=settings.decide_within_hours)
        await _step(dispute, None, "overdue")
        await _apply(community, dispute, None, outcome=COMPENSATE, reason=reason,
                     public_line="", amount=amount, redo_assign=settings.redo_assign,
                     release="confirmed", automatic=True)
        await _tell_admins(community, dispute, "dispute.defaulted",
                           "A dispute got the default outcome",
                           "Nobody decided the dispute about \u201c{title}\u201d in time; the "
                           "requester was compensated {amount} credits.", title=title,
                           amount=format_centi(amount))
        return
    await Dispute.update({Dispute.escalated_at: dispute["escalated_at"] or ctx.now}).where(
        Dispute.id == dispute["id"])
    await _step(dispute, None, "overdue")
    await _tell_admins(community, dispute, "dispute.overdue", "A dispute is overdue",
                       "Nobody decided the dispute about \u201c{title}\u201d in time. Please "
                       "decide it now.", title=title)


async def _capped_default(community: dict, dispute: dict, settings: DisputesSettings) -> int:
    from yizhan.plugins.credits import service as credits

    need = await get_need(community, dispute["need"])
    try:
        fund = await credits.account_balance(community, credits.COMPENSATION_FUND)
    except YizhanError:
        fund = 0
    return max(0, min(need["credits_centi"], centi(settings.max_compensation), fund))


# --- overturning ---


async def overturn(community: dict, actor: dict | None, dispute_id: int, *, outcome: str,
                   reason: str, compensation: Any = None) -> dict:
    """An admin (None: the CLI) overturns a decision within ``overturn_within_hours``: to
    ``dismissed`` (a compensation paid is reversed) or ``compensate`` (paid now). The redo
    need and the need's release stay; every step is recorded and the public is told."""
    if actor is not None and not is_admin(actor):
        raise forbidden("Only a community admin can do this.")
    if is_party(await get(community, dispute_id), actor):
        raise YizhanError("PARTY_CANNOT_DECIDE", "A party to the dispute cannot decide it.",
                          kind="permission")
    if outcome not in (DISMISSED, COMPENSATE):
        raise invalid("outcome", "A decision can be overturned to dismissed or compensate.",
                      code="INVALID_OUTCOME", outcome=outcome)
    reason = _text(reason, "reason", max_length=1000)
    settings = settings_of(community)
    async with atomic():
        rows = await Dispute.update({Dispute.community: community["id"]}).where(
            (Dispute.id == dispute_id) & (Dispute.community == community["id"])
        ).returning(*Dispute.all_columns())
        if not rows:
            raise not_found("dispute", "disputeId")
        dispute = rows[0]
        if dispute["status"] != DECIDED:
            raise YizhanError("DISPUTE_NOT_DECIDED", "Only a decided dispute can be overturned.",
                              field="disputeId")
        if dispute["overturned_at"] is not None:
            raise YizhanError("ALREADY_OVERTURNED", "This decision was already overturned.",
                              field="disputeId")
        if now() > dispute["decided_at"] + timedelta(hours=settings.overturn_within_hours):
            raise YizhanError("OVERTURN_WINDOW_CLOSED", "A decision can be overturned up to "
                              "{hours} hours after it was made.", field="disputeId",
                              hours=settings.overturn_within_hours)
        if outcome == dispute["outcome"]:
            raise invalid("outcome", "The new outcome must differ from the decision.",
                          code="SAME_OUTCOME")
        amount = 0
        if outcome == COMPENSATE:
            amount = await _compensation(community, dispute, compensation, settings)
        previous = dispute["outcome"]
        dispute = await _update(dispute, {
            Dispute.overturned_at: now(), Dispute.overturned_by: actor["id"] if actor else None,
            Dispute.overturn_reason: reason, Dispute.previous_outcome: previous,
            Dispute.outcome: outcome})
        values: dict[Any, Any] = {}
        if dispute["compensation_tx"] and dispute["compensation_centi"]:
            from yizhan.plugins.credits import service as credits

            await credits.reverse(community, dispute["compensation_tx"],
                                  reason=f"Dispute {dispute['id']} overturned",
                                  actor=actor["id"] if actor else None)
            values.update({Dispute.compensation_centi: 0, Dispute.compensation_tx: None})
        if dispute["takeback_centi"]:
            from yizhan.plugins.credits import service as credits

            await credits.award(
                community, dispute["helper"], dispute["takeback_centi"],
                from_code=credits.COMPENSATION_FUND, kind="compensation_takeback",
                reason=f"Dispute {dispute['id']} overturned: take-back returned",
                key=f"dispute:{dispute['id']}:takeback-returned", source_kind="dispute",
                source_id=dispute["id"], actor=actor["id"] if actor else None)
            values[Dispute.takeback_centi] = 0
        dispute = await _update(dispute, values)
        if amount:
            need = await get_need(community, dispute["need"])
            dispute = await _update(dispute, await _pay_compensation(
                community, dispute, need, actor, amount))
        await _step(dispute, actor, "overturned", f"{previous} -> {outcome}: {reason}")
        locale = community.get("locale")
        building = await _building_name(community, dispute["building"])
        await post_notice(community["id"], translate(
            "Dispute decision revised: {category} in building {building}", locale,
            category=dispute["category"], building=building,
            _translate={"category": "dispute category"}),
            translate("An admin reviewed the decision. What is done now: {done}", locale,
                      done=_done_text(dispute, locale)), source=PLUGIN)
        title = (await get_need(community, dispute["need"]))["title"]
        await _tell_parties(community, dispute, "dispute.overturned",
                            "A dispute decision was overturned",
                            "The decision about \u201c{title}\u201d was overturned: {outcome}.",
                            title=title, outcome=outcome,
                            _translate={"outcome": "dispute outcome"})
        await _fire_decided(community, actor, dispute, outcome)
    return dispute


# --- lists and the promise ---


async def list_disputes(community: dict, *, party: int | None = None,
                        mediator: int | None = None, status: str | None = None,
                        category: str | None = None, outcome: str | None = None,
                        before_id: int | None = None, limit: int = 20) -> list[dict]:
    """Disputes of a community, newest first, filtered; keyset paging by id."""
    query = Dispute.select().where(Dispute.community == community["id"])
    if party is not None:
        query = query.where((Dispute.requester == party) | (Dispute.helper == party)
                            | (Dispute.opened_by == party))
    if mediator is not None:
        query = query.where(Dispute.mediator == mediator)
    if status is not None:
        query = query.where(Dispute.status == status)
    if category is not None:
        query = query.where(Dispute.category == category)
    if outcome is not None:
        query = query.where(Dispute.outcome == outcome)
    if before_id is not None:
        query = query.where(Dispute.id < before_id)
    return await query.order_by(Dispute.id, ascending=False).limit(limit)


def _scoped(community_id: int | None, start: datetime | None, end: datetime | None) -> Any:
    where = Dispute.status == DECIDED
    if community_id is not None:
        where &= Dispute.community == community_id
    if start is not None:
        where &= Dispute.decided_at >= start
    if end is not None:
        where &= Dispute.decided_at < end
    return where


async def decided_count(community_id: int | None, start: datetime | None = None,
                        end: datetime | None = None) -> tuple[int, int]:
    """(decided, decided within the deadline) in ``[start, end)``."""
    where = _scoped(community_id, start, end)
    total = await Dispute.count().where(where)
    within = await Dispute.count().where(where & (Dispute.within_deadline == True))  # noqa: E712
    return total, within


async def median_minutes(community_id: int | None, start: datetime | None = None,
                         end: datetime | None = None) -> Decimal | None:
    """The median minutes from opening to decision, found in SQL (count, then the middle)."""
    where = _scoped(community_id, start, end)
    total = await Dispute.count().where(where)
    if not total:
        return None
    rows = await Dispute.select(Dispute.decision_minutes).where(where).order_by(
        Dispute.decision_minutes).offset((total - 1) // 2).limit(2 - total % 2)
    values = [r["decision_minutes"] for r in rows]
    return Decimal(sum(values)) / len(values)


async def opened_count(community_id: int | None, start: datetime, end: datetime) -> int:
    """Disputes opened in ``[start, end)``."""
    where = (Dispute.opened_at >= start) & (Dispute.opened_at < end)
    if community_id is not None:
        where &= Dispute.community == community_id
    return await Dispute.count().where(where)


def month_start(community: dict, at: datetime | None = None) -> datetime:
    """The first instant of the current month in the community's time zone."""
    local = (at or now()).astimezone(ZoneInfo(community["time_zone"]))
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


async def promise(community: dict) -> dict[str, dict[str, Any]]:
    """The 24-hour promise in the open: this month and all time."""
    out = {}
    for name, start in (("month", month_start(community)), ("all_time", None)):
        total, within = await decided_count(community["id"], start, None)
        median = await median_minutes(community["id"], start, None)
        out[name] = {
            "decided": total, "within_deadline": within,
            "share_percent": (Decimal(within * 100) / total).quantize(Decimal("0.1"))
            if total else None,
            "median_hours": (median / 60).quantize(Decimal("0.1")) if median is not None
            else None,
            "open": await Dispute.count().where(
                (Dispute.community == community["id"]) & (Dispute.status == OPEN))
            if name == "all_time" else None,
        }
    return out


async def upheld_against(community_id: int, member_ids: list[int], start: datetime,
                         end: datetime) -> list[int]:
    """Which of ``member_ids`` had a dispute upheld against them (as helper) decided in
    ``[start, end)`` (for badges' mutual-aid stars)."""
    if not member_ids:
        return []
    rows = await Dispute.select(Dispute.helper).where(
        _scoped(community_id, start, end) & Dispute.helper.is_in(list(member_ids))
        & Dispute.outcome.is_in([REDO, COMPENSATE, REDO_AND_COMPENSATE]))
    return sorted({r["helper"] for r in rows})
