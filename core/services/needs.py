"""Needs: post, accept, withdraw, mark done, confirm, cancel, expire, escalate.

The status machine::

    open ──accept──▶ accepted ──done──▶ done ──confirm──▶ confirmed
     ▲  ◀─withdraw──┘   │
     │                  └──cancel──▶ cancelled ◀──cancel── open
     └──(window ended, nobody took it)──▶ expired

Every step is one conditional UPDATE (``WHERE status = …``), so two people racing for the same
need cannot both win, and an illegal step is refused with a code that says why.
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from yizhan.core import clock, db
from yizhan.core import deadlines as deadlines_
from yizhan.core.errors import YizhanError, forbidden, invalid, not_found
from yizhan.core.events import EventContext, check_veto, emit
from yizhan.core.services import hours
from yizhan.core.services import validation as v
from yizhan.core.services.communities import get_building
from yizhan.core.services.members import get_member, leaders_of
from yizhan.core.services.notifications import notify
from yizhan.core.services.outbox import publish
from yizhan.core.switches import switches
from yizhan.core.tables import Community, Need, NeedEvent

OPEN, ACCEPTED, DONE, CONFIRMED, CANCELLED, EXPIRED = (
    "open", "accepted", "done", "confirmed", "cancelled", "expired")
STATUSES = (OPEN, ACCEPTED, DONE, CONFIRMED, CANCELLED, EXPIRED)
CLOSED = (CONFIRMED, CANCELLED, EXPIRED)
LATE_NIGHT_START, LATE_NIGHT_END = 22, 6
MAX_MINUTES = 24 * 60


def classify_window(start: datetime, end: datetime, time_zone: str) -> tuple[bool, bool]:
    """(late_night, weekend) for a window, in the community's local time.

    Late night: any part between 22:00 and 06:00. Weekend: any part on Saturday or Sunday.
    """
    tz = ZoneInfo(time_zone)
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    late = weekend = False
    cursor = local_start
    while cursor < local_end and not (late and weekend):
        if cursor.hour >= LATE_NIGHT_START or cursor.hour < LATE_NIGHT_END:
            late = True
        if cursor.weekday() >= 5:
            weekend = True
        cursor = (cursor + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    return late, weekend


def _aware(value: datetime, time_zone: str) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=ZoneInfo(time_zone))


_GET_SQL = "SELECT * FROM yz_need WHERE id = {} AND community = {}"


async def get_need(community: dict, need_id: int, field: str = "needId") -> dict:
    """A need of ``community`` by id, or NOT_FOUND."""
    rows = await db.raw(_GET_SQL, need_id, community["id"])
    if not rows:
        raise not_found("need", field)
    return rows[0]


async def _locked_need(community: dict, need_id: int) -> dict:
    """The need, locked until the transaction ends, so a step decides on what it will change.

    On PostgreSQL this is ``SELECT … FOR UPDATE``; SQLite's write transactions are serialised
    already (``BEGIN IMMEDIATE``).
    """
    rows = await db.raw(_GET_SQL + db.for_update(), need_id, community["id"])
    if not rows:
        raise not_found("need", "needId")
    return rows[0]


_LOG_SQL = "INSERT INTO yz_need_event (need, actor, action, note, at) VALUES ({}, {}, {}, {}, {})"


async def _log(need_id: int, actor: dict | None, action: str, note: str = "") -> None:
    """A step in the need's history, written with the action's other writes just before
    the commit (nothing reads it back inside the action)."""
    await db.write_at_commit(_LOG_SQL, need_id, actor["id"] if actor else None, action, note,
                             clock.now())


async def _changed(need: dict, action: str) -> None:
    await publish(need["community"], "need.changed", {
        "need": need["id"], "action": action, "status": need["status"],
        "requester": need["requester"], "posted_by": need["posted_by"], "helper": need["helper"],
        "building": need["building"],
    })


async def post(community: dict, actor: dict, *, title: str, category: str,
               window_start: datetime, window_end: datetime, estimated_minutes: int,
               credits: Any = "0", description: str = "", building_id: int | None = None,
               on_behalf_of: int | None = None) -> dict:
    """Post a need; a leader may post for a member of their building (``on_behalf_of``)."""
    v.require_person(v.require_verified(actor))
    settings = switches.settings(community["id"], "core")
    title = v.text(title, "title", max_length=80)
    description = v.text(description, "description", max_length=2000, required=False)
    category = v.slug(category, "category")
    if not isinstance(estimated_minutes, int) or not 1 <= estimated_minutes <= MAX_MINUTES:
        raise invalid("estimatedMinutes", "Minutes must be between 1 and {max}.",
                      code="OUT_OF_RANGE", max=MAX_MINUTES)
    centi = v.credits_to_centi(credits, "credits",
                               maximum=int(settings.max_credits_per_need * 100))
    tz = community["time_zone"]
    start, end = _aware(window_start, tz), _aware(window_end, tz)
    now = clock.now()
    if end <= start:
        raise invalid("windowEnd", "The time window must end after it starts.",
                      code="INVALID_WINDOW")
    if end <= now:
        raise invalid("windowEnd", "The time window is already over.", code="WINDOW_IN_PAST")
    if end - now > timedelta(days=settings.max_window_days):
        raise invalid("windowEnd", "The time window may end at most {days} days ahead.",
                      code="WINDOW_TOO_FAR", days=settings.max_window_days)
    async with db.atomic():
        requester = actor
        if on_behalf_of is not None:
            requester = await get_member(community, on_behalf_of, "onBehalfOf")
            v.require_leader_of(actor, requester["building"])
            if requester["status"] != "verified":
                raise YizhanError("NOT_VERIFIED", "Only verified members can do this.",
                                  field="onBehalfOf")
        if building_id is not None:
            building = (await get_building(community, building_id, field="buildingId"))["id"]
        else:
            building = requester["building"]
        late, weekend = classify_window(start, end, tz)
        values = dict(
            community=community["id"], building=building, requester=requester["id"],
            posted_by=actor["id"], title=title, description=description, category=category,
            window_start=start, window_end=end, late_night=late, weekend=weekend,
            estimated_minutes=estimated_minutes, credits_centi=centi, status=OPEN,
            created_at=now,
            escalate_at=min(end, now + timedelta(minutes=settings.escalate_after_minutes)),
        )
        ctx = EventContext(community=community, actor=actor, now=now)
        check_veto(ctx, "need.post", values)
        need = (await Need.insert(Need(**values)).returning(*Need.all_columns()))[0]
        await _log(need["id"], actor, "posted",
                   f"on behalf of member {requester['id']}" if on_behalf_of else "")
        await emit(ctx, "yizhan_need_posted", need=need)
        await publish(community["id"], "need.posted",
                      {"need": need["id"], "building": building, "requester": requester["id"]})
    return need


def _refuse(need: dict, action: str) -> YizhanError:
    status = need["status"]
    if action == "accepted" and status in (ACCEPTED, DONE):
        return YizhanError("NEED_TAKEN", "Someone else has already accepted this need.",
                           field="needId")
    if status in CLOSED:
        return YizhanError("NEED_CLOSED", "This need is closed ({status}).", field="needId",
                           status=status, _translate={"status": "need status"})
    return YizhanError("INVALID_TRANSITION", "A need that is {status} cannot be {action}.",
                       field="needId", status=status, action=action,
                       _translate={"status": "need status", "action": "need action"})


@functools.cache
def _step_sql(columns: tuple[str, ...]) -> str:
    """The conditional UPDATE of a step that sets ``columns`` (built once per step)."""
    sets = ", ".join(f"{column} = {{}}" for column in columns)
    return f"UPDATE yz_need SET {sets} WHERE id = {{}} AND status = {{}} RETURNING *"


async def _step(community: dict, need: dict, action: str, from_status: str,
                values: dict[Any, Any]) -> dict:
    """Move ``need`` from ``from_status`` in one conditional update, or explain the refusal."""
    if need["status"] != from_status:
        raise _refuse(need, action)
    columns = tuple(column._meta.db_column_name for column in values)
    changed = await db.raw(_step_sql(columns), *values.values(), need["id"], from_status)
    if not changed:  # someone else moved it first
        raise _refuse(await get_need(community, need["id"]), action)
    return changed[0]  # the row as written: no second read


async def accept(community: dict, actor: dict, need_id: int) -> dict:
    """Take an open need as its helper (a leader may take any need: 托底).

    Separation of duties: whoever posted a need for someone else cannot be its helper, unless
    the community's ``proxy_helper_needs_second_leader`` allows it — then another leader must
    confirm it (see :func:`confirm`)."""
    v.require_person(v.require_verified(actor))
    async with db.atomic():
        need = await _locked_need(community, need_id)
        if need["requester"] == actor["id"]:
            raise YizhanError("OWN_NEED", "You cannot accept your own need.", field="needId")
        note = ""
        if need["posted_by"] == actor["id"]:
            if not switches.settings(community["id"], "core").proxy_helper_needs_second_leader:
                raise YizhanError("PROXY_SELF_HELP", "You posted this need for someone else, "
                                  "so you cannot be its helper.", field="needId")
            note = "the poster helps: another leader must confirm"
        ctx = EventContext(community=community, actor=actor)
        check_veto(ctx, "need.accept", need)
        need = await _step(community, need, "accepted", OPEN, {
            Need.status: ACCEPTED, Need.helper: actor["id"], Need.accepted_at: clock.now()})
        await _log(need["id"], actor, "accepted", note)
        await schedule_overdue(community, need)
        await emit(ctx, "yizhan_need_accepted", need=need)
        await notify(community["id"], need["requester"], "need.accepted", "Need accepted",
                     "A neighbour accepted your need \u201c{title}\u201d.", title=need["title"])
        await _changed(need, "accepted")
    return need


async def withdraw(community: dict, actor: dict, need_id: int) -> dict:
    """The helper gives an accepted need back; it is open again."""
    async with db.atomic():
        need = await _locked_need(community, need_id)
        if need["helper"] != actor["id"]:
            raise forbidden("Only the helper can do this.")
        helper = need["helper"]
        check_veto(EventContext(community=community, actor=actor), "need.withdraw", need)
        need = await _step(community, need, "withdrawn", ACCEPTED, {
            Need.status: OPEN, Need.helper: None, Need.accepted_at: None})
        await _log(need["id"], actor, "withdrawn")
        await deadlines_.cancel_all(DEADLINES, _subject(need["id"]))
        await emit(EventContext(community=community, actor=actor), "yizhan_need_withdrawn",
                   need=need, helper=helper)
        await notify(community["id"], need["requester"], "need.withdrawn", "Helper withdrew",
                     "The helper withdrew from \u201c{title}\u201d; it is open again.",
                     title=need["title"])
        await _changed(need, "withdrawn")
    return need


async def mark_done(community: dict, actor: dict, need_id: int) -> dict:
    """The helper says the work is done; the requester is asked to confirm. Once the need's
    time window has passed, a leader of its building may mark it done for the helper."""
    async with db.atomic():
        need = await _locked_need(community, need_id)
        note = ""
        if need["helper"] != actor["id"]:
            if not v.is_leader_of(actor, need["building"]):
                raise forbidden("Only the helper can do this.")
            if need["status"] == ACCEPTED and clock.now() < need["window_end"]:
                raise YizhanError("NOT_OVERDUE", "A leader may mark a need done for its helper "
                                  "only after its time window has passed.", field="needId")
            note = "for the helper, by a leader"
        check_veto(EventContext(community=community, actor=actor), "need.done", need)
        need = await _step(community, need, "marked done", ACCEPTED,
                           {Need.status: DONE, Need.done_at: clock.now()})
        await _log(need["id"], actor, "done", note)
        await _schedule_confirmation(community, need)
        await emit(EventContext(community=community, actor=actor), "yizhan_need_done",
                   need=need)
        await notify(community["id"], need["requester"], "need.done", "Please confirm",
                     "The helper finished \u201c{title}\u201d. Please confirm.",
                     title=need["title"])
        if _needs_second_leader(need):
            await _remind(community, need, "second_leader")
        await _changed(need, "done")
    return need


def _needs_second_leader(need: dict) -> bool:
    """The poster, acting for someone else, is also the helper: another leader confirms."""
    return need["helper"] is not None and need["helper"] == need["posted_by"] \
        and need["posted_by"] != need["requester"]


async def _confirm_note(community: dict, actor: dict, need: dict, reason: str) -> str:
    """May ``actor`` confirm ``need``? The note for its history, or a refusal.

    Nobody confirms a need they helped on. The requester confirms; so may the leader who
    posted for them, an admin, or a leader of the requester's building for a requester who
    was posted for or (with a ``reason``) cannot use the app. A need whose poster helped is
    confirmed by another leader only."""
    if need["helper"] is not None and actor["id"] == need["helper"]:
        raise YizhanError("SELF_CONFIRM", "You cannot confirm a need you helped on.",
                          field="needId")
    if actor["id"] == need["requester"] and not _needs_second_leader(need):
        return ""  # the requester confirms their own need: no second read of them
    requester = await get_member(community, need["requester"], "needId")
    leader = v.is_leader_of(actor, requester["building"])
    if _needs_second_leader(need):
        if not leader:
            raise YizhanError("SECOND_LEADER_REQUIRED", "The leader who posted this need also "
                              "helped on it: another leader must confirm it.", field="needId")
        return "confirmed by a second leader"
    if actor["id"] == need["requester"]:
        return ""
    if actor["id"] == need["posted_by"]:
        return "by the leader who posted it"
    if v.is_admin(actor):
        return "by an admin"
    if leader:
        if need["posted_by"] != need["requester"]:
            return "for the requester (posted on their behalf), by a leader"
        if reason:
            return f"for the requester, by a leader: {reason}"
        raise YizhanError("REASON_REQUIRED", "Say why the requester cannot confirm themselves "
                          "(for example: does not use the app).", field="reason")
    raise forbidden("Only the requester can do this.")


async def confirm(community: dict, actor: dict, need_id: int, reason: str = "") -> dict:
    """The requester (or someone allowed to confirm for them, see :func:`_confirm_note`)
    confirms; the hours are recorded and the ``yizhan_need_confirmed`` event pays."""
    reason = v.text(reason, "reason", max_length=200, required=False)
    async with db.atomic():
        now = clock.now()
        # The usual case in one statement: the step's conditional UPDATE locks the need, and
        # the checks run on the need as it was (a done need has no closed_at); a refusal
        # rolls the update back. Anything else takes the general path below.
        rows = await db.raw(_CONFIRM_SQL, CONFIRMED, now, need_id, community["id"], DONE)
        if rows:
            confirmed = rows[0]
            need = {**confirmed, "status": DONE, "closed_at": None}
            note = await _confirm_note(community, actor, need, reason)
            check_veto(EventContext(community=community, actor=actor, now=now),
                       "need.confirm", need)
            return await _confirm(community, actor, need, now, note, confirmed=confirmed)
        need = await _locked_need(community, need_id)
        note = await _confirm_note(community, actor, need, reason)
        if need["status"] == DONE:
            check_veto(EventContext(community=community, actor=actor, now=now),
                       "need.confirm", need)
        return await _confirm(community, actor, need, now, note)


_CONFIRM_SQL = ("UPDATE yz_need SET status = {}, closed_at = {} WHERE id = {} AND community = {} "
                "AND status = {} RETURNING *")


async def _confirm(community: dict, actor: dict | None, need: dict, now: datetime,
                   note: str, confirmed: dict | None = None) -> dict:
    """Close a done need as confirmed (by ``actor``, or automatically when None);
    ``confirmed``: the need's row as the step wrote it already."""
    need = confirmed or await _step(community, need, "confirmed", DONE,
                                    {Need.status: CONFIRMED, Need.closed_at: now})
    await hours.record_help(community, need, need["estimated_minutes"], now)
    await _log(need["id"], actor, "confirmed", note)
    await deadlines_.cancel_all_at_commit(DEADLINES, _subject(need["id"]))
    await emit(EventContext(community=community, actor=actor, now=now),
               "yizhan_need_confirmed", need=need)
    await notify(community["id"], need["helper"], "need.confirmed", "Thank you",
                 "\u201c{title}\u201d was confirmed. Thank you for helping!",
                 title=need["title"])
    await _changed(need, "confirmed")
    return need


def _may_close(actor: dict, need: dict) -> bool:
    return actor["id"] in (need["requester"], need["posted_by"]) or v.is_admin(actor)


async def cancel(community: dict, actor: dict, need_id: int, reason: str = "") -> dict:
    """The requester, the poster or an admin cancels an open or accepted need."""
    reason = v.text(reason, "reason", max_length=500, required=False)
    async with db.atomic():
        need = await _locked_need(community, need_id)
        overdue = need["status"] == ACCEPTED and clock.now() >= need["window_end"]
        if not (_may_close(actor, need)
                or (overdue and v.is_leader_of(actor, need["building"]))):
            raise forbidden("Only the requester can do this.")
        previous = need["status"]
        if previous not in (OPEN, ACCEPTED):
            raise _refuse(need, "cancelled")
        check_veto(EventContext(community=community, actor=actor), "need.cancel", need)
        need = await _step(community, need, "cancelled", previous, {
            Need.status: CANCELLED, Need.closed_at: clock.now(), Need.close_reason: reason})
        await _log(need["id"], actor, "cancelled", reason)
        await deadlines_.cancel_all(DEADLINES, _subject(need["id"]))
        await emit(EventContext(community=community, actor=actor), "yizhan_need_cancelled",
                   need=need, previous_status=previous)
        if need["helper"]:
            await notify(community["id"], need["helper"], "need.cancelled", "Need cancelled",
                         "\u201c{title}\u201d was cancelled.", title=need["title"])
        await _changed(need, "cancelled")
    return need


# --- closing the loop: reminders, automatic confirmation, overdue needs ------------------

#: Core owns its deadlines under this plugin name; subjects are ``need:<id>``.
DEADLINES = "core"
#: How long a vetoed automatic confirmation waits before it is asked again.
HOLD_RECHECK = timedelta(hours=24)


def _subject(need_id: int) -> str:
    return f"need:{need_id}"


def local_time(moment: datetime, community: dict) -> str:
    """``moment`` as the community's wall-clock time, ``YYYY-MM-DD HH:MM`` (for messages)."""
    return moment.astimezone(ZoneInfo(community["time_zone"])).strftime("%Y-%m-%d %H:%M")


async def schedule_overdue(community: dict, need: dict) -> None:
    """Accepted: remind the helper, then the leaders, once the window has passed (called
    again when an accepted need's window moves, as the demo's refresh does)."""
    settings = switches.settings(community["id"], "core")
    end, subject = need["window_end"], _subject(need["id"])
    await deadlines_.schedule(community["id"], DEADLINES, "overdue_helper", subject,
                              end + timedelta(hours=settings.overdue_helper_after_hours))
    await deadlines_.schedule(community["id"], DEADLINES, "overdue_leader", subject,
                              end + timedelta(hours=settings.overdue_leader_after_hours))


async def _schedule_confirmation(community: dict, need: dict) -> None:
    """Done: the overdue reminders no longer apply; remind the requester, then confirm
    automatically — except a need whose poster helped, which waits for a second leader."""
    subject = _subject(need["id"])
    await deadlines_.cancel_all(DEADLINES, subject)
    if _needs_second_leader(need):
        return
    settings = switches.settings(community["id"], "core")
    due = need["done_at"] + timedelta(hours=settings.auto_confirm_after_hours)
    await deadlines_.schedule(community["id"], DEADLINES, "auto_confirm", subject, due)
    before = settings.confirm_reminder_hours_before
    if 0 < before < settings.auto_confirm_after_hours:
        await deadlines_.schedule(community["id"], DEADLINES, "confirm_reminder", subject,
                                  due - timedelta(hours=before), {"auto_at": due.isoformat()})


async def _remind(community: dict, need: dict, stage: str, ctx: EventContext | None = None,
                  auto_at: datetime | None = None) -> None:
    """Send the reminder of ``stage`` and tell plugins (``yizhan_need_reminded``)."""
    title = need["title"]
    if stage == "confirm":
        when = local_time(auto_at or clock.now(), community)
        for member in {need["requester"], need["posted_by"]}:
            await notify(community["id"], member, "need.confirm_reminder",
                         "Please confirm",
                         "\u201c{title}\u201d is done. Confirm it, or object, before {time}: "
                         "then it is confirmed automatically and the helper paid.",
                         title=title, time=when)
    elif stage == "overdue_helper":
        await notify(community["id"], need["helper"], "need.overdue", "Is it done?",
                     "The time for \u201c{title}\u201d has passed. Mark it done, or withdraw "
                     "so someone else can help.", title=title)
    elif stage == "overdue_leader":
        for leader in await leaders_of(community["id"], need["building"]):
            await notify(community["id"], leader["id"], "need.overdue_leader",
                         "A need is overdue",
                         "\u201c{title}\u201d was accepted but is still not done, long after "
                         "its time. Mark it done for the helper, or cancel it.", title=title)
    elif stage == "second_leader":
        for leader in await leaders_of(community["id"], need["building"]):
            if leader["id"] != need["helper"]:
                await notify(community["id"], leader["id"], "need.second_leader",
                             "Please confirm",
                             "A leader posted \u201c{title}\u201d for a neighbour and helped "
                             "on it: another leader must confirm it.", title=title)
    await _log(need["id"], None, "reminded", stage)
    await emit(ctx or EventContext(community=community), "yizhan_need_reminded", need=need,
               stage=stage)


async def deadline_due(ctx: EventContext, deadline: Any) -> None:
    """A core deadline fell due (from core's ``yizhan_deadline_due``): dispatch by kind."""
    if not deadline.subject.startswith("need:"):
        return
    need = await _locked_need(ctx.community, int(deadline.subject.split(":", 1)[1]))
    if deadline.kind == "confirm_reminder" and need["status"] == DONE:
        if _held(ctx, need):
            return  # held (an open dispute): asking to confirm now would mislead
        auto_at = deadline.payload.get("auto_at")
        await _remind(ctx.community, need, "confirm", ctx,
                      datetime.fromisoformat(auto_at) if auto_at else None)
    elif deadline.kind == "auto_confirm" and need["status"] == DONE:
        await _auto_confirm(ctx, need)
    elif deadline.kind in ("overdue_helper", "overdue_leader") and need["status"] == ACCEPTED:
        await _remind(ctx.community, need, deadline.kind, ctx)


def _held(ctx: EventContext, need: dict) -> bool:
    """True when a plugin holds ``need``'s automatic confirmation (vetoes ``need.auto_confirm``)."""
    try:
        check_veto(ctx, "need.auto_confirm", need)
    except YizhanError:
        return True
    return False


async def _auto_confirm(ctx: EventContext, need: dict) -> None:
    """Confirm a done need nobody confirmed or disputed in time, as the system.

    A veto (an open dispute) holds it: the deadline moves :data:`HOLD_RECHECK` later and is
    asked again then, until the holder lets it pass, or someone confirms or cancels it."""
    try:
        check_veto(ctx, "need.auto_confirm", need)
    except YizhanError as held:
        await deadlines_.schedule(ctx.community_id, DEADLINES, "auto_confirm",
                                  _subject(need["id"]), ctx.now + HOLD_RECHECK)
        await _log(need["id"], None, "auto_confirm_held", held.code)
        return
    await _confirm(ctx.community, None, need, ctx.now, "automatically, nobody objected in time")


async def settle(community: dict, need_id: int, outcome: str, *, actor: dict | None = None,
                 note: str = "") -> dict:
    """Close a ``done`` need on a plugin's decision (a dispute's outcome): ``confirmed`` (the
    hours are recorded and credits pays as on any confirmation) or ``cancelled`` (the held
    credits are released). ``actor`` is whoever decided (None for a sweep); no veto is asked,
    the decision is the plugin's own. A need already closed that way is returned unchanged."""
    if outcome not in (CONFIRMED, CANCELLED):
        raise ValueError("outcome is confirmed or cancelled")
    async with db.atomic():
        need = await _locked_need(community, need_id)
        if need["status"] == outcome:
            return need
        now = clock.now()
        ctx = EventContext(community=community, actor=actor, now=now)
        if outcome == CONFIRMED:
            return await _confirm(community, actor, need, now, note)
        need = await _step(community, need, "cancelled", DONE, {
            Need.status: CANCELLED, Need.closed_at: now, Need.close_reason: note})
        await _log(need["id"], actor, "cancelled", note)
        await deadlines_.cancel_all(DEADLINES, _subject(need["id"]))
        await emit(ctx, "yizhan_need_cancelled", need=need, previous_status=DONE)
        await notify(community["id"], need["helper"], "need.cancelled", "Need cancelled",
                     "\u201c{title}\u201d was cancelled.", title=need["title"])
        await _changed(need, outcome)
    return need


async def _community_rows(ids: set[int]) -> dict[int, dict]:
    rows = await Community.select().where(Community.id.is_in(list(ids) or [-1]))
    return {r["id"]: r for r in rows}


async def expire_due(now: datetime) -> int:
    """Sweep: open needs whose window has ended become ``expired``. Idempotent."""
    due = await Need.select().where((Need.status == OPEN) & (Need.window_end <= now)).limit(500)
    communities = await _community_rows({n["community"] for n in due})
    count = 0
    for need in due:
        community = communities[need["community"]]
        async with db.atomic():
            changed = await Need.update({Need.status: EXPIRED, Need.closed_at: now}).where(
                (Need.id == need["id"]) & (Need.status == OPEN)).returning(Need.id)
            if not changed:
                continue
            need = await get_need(community, need["id"])
            await _log(need["id"], None, "expired")
            await emit(EventContext(community=community, now=now), "yizhan_need_expired",
                       need=need)
            await notify(community["id"], need["requester"], "need.expired", "Need expired",
                         "Nobody took \u201c{title}\u201d in time.", title=need["title"])
            await _changed(need, "expired")
            count += 1
    return count


async def escalate_due(now: datetime) -> int:
    """Sweep: open needs nobody took by ``escalate_at`` go to their building leaders, once."""
    due = await Need.select().where(
        (Need.status == OPEN) & (Need.escalate_at <= now) & Need.escalated_at.is_null()
    ).limit(500)
    communities = await _community_rows({n["community"] for n in due})
    count = 0
    for need in due:
        community = communities[need["community"]]
        async with db.atomic():
            changed = await Need.update({Need.escalated_at: now}).where(
                (Need.id == need["id"]) & Need.escalated_at.is_null() & (Need.status == OPEN)
            ).returning(Need.id)
            if not changed:
                continue
            leaders = await leaders_of(community["id"], need["building"])
            for leader in leaders:
                await notify(community["id"], leader["id"], "need.escalated",
                             "Nobody took a need",
                             "Nobody has accepted \u201c{title}\u201d yet. Can you take it?",
                             title=need["title"])
            await _log(need["id"], None, "escalated")
            need = await get_need(community, need["id"])
            await emit(EventContext(community=community, now=now), "yizhan_need_escalated",
                       need=need, leaders=leaders)
            await _changed(need, "escalated")
            count += 1
    return count


async def list_needs(community: dict, *, statuses: list[str] | None = None,
                     building_id: int | None = None, category: str | None = None,
                     window_from: datetime | None = None, window_to: datetime | None = None,
                     late_night: bool | None = None, weekend: bool | None = None,
                     requester: int | None = None, helper: int | None = None,
                     escalated: bool | None = None, before_id: int | None = None,
                     limit: int = 20, mine: int | None = None) -> list[dict]:
    """Needs of a community, newest first, filtered; keyset paging by id.

    ``mine`` (a member id) keeps the needs that member asked for or posted for someone.
    """
    # The feed's query on every page: plain SQL with placeholders, not a Piccolo query built
    # per request (building it cost several times what the database took to answer).
    where, args = ["community = {}"], [community["id"]]

    def add(condition: str, *values: Any) -> None:
        where.append(condition)
        args.extend(values)

    if statuses:
        bad = [s for s in statuses if s not in STATUSES]
        if bad:
            raise invalid("status", "Unknown status {status}.", code="INVALID_STATUS",
                          status=bad[0])
        add(f"status IN ({db.placeholders(len(statuses))})", *statuses)
    if building_id is not None:
        add("building = {}", building_id)
    if category:
        add("category = {}", v.slug(category, "category"))
    if window_from is not None:
        add("window_end > {}", _aware(window_from, community["time_zone"]))
    if window_to is not None:
        add("window_start < {}", _aware(window_to, community["time_zone"]))
    if late_night is not None:
        add("late_night = {}", late_night)
    if weekend is not None:
        add("weekend = {}", weekend)
    if requester is not None:
        add("requester = {}", requester)
    if mine is not None:
        add("(requester = {} OR posted_by = {})", mine, mine)
    if helper is not None:
        add("helper = {}", helper)
    if escalated is not None:
        where.append("escalated_at IS NOT NULL" if escalated else "escalated_at IS NULL")
    if before_id is not None:
        add("id < {}", before_id)
    # (community, id) descending is the same order here, and lets a generic plan walk the
    # (community, id) index of this community instead of every need's id
    sql = (f"SELECT * FROM yz_need WHERE {' AND '.join(where)} "
           "ORDER BY community DESC, id DESC LIMIT {}")
    return await db.read(Need.raw(sql, *args, limit))


async def history(need_id: int) -> list[dict]:
    """A need's steps, oldest first."""
    return await NeedEvent.select().where(NeedEvent.need == need_id).order_by(NeedEvent.id)
