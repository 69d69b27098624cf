"""Residents' requests (诉求): submitted, triaged red/yellow/blue, routed to a grid team or a
person, answered within the urgency's time, closed, rejected, reopened, rated.

Every step writes a timeline row (who, what, when) in the step's transaction. Deadlines go
through core's deadlines: reminders at the settings' shares of the time allowed, the due
moment (escalation to the admins, breach recorded) and the automatic close after an answer.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta

from piccolo.query import WhereRaw

from yizhan.core.api import (
    YizhanError,
    atomic,
    cancel_deadline,
    cancel_deadlines,
    forbidden,
    get_building,
    get_member,
    invalid,
    is_admin,
    is_leader_of,
    list_members,
    lock_row,
    not_found,
    notify,
    now,
    publish,
    schedule_deadline,
)
from yizhan.plugins.governance import grids, totals
from yizhan.plugins.governance.common import OPEN, OPEN_SQL, PLUGIN, settings, text, urgency
from yizhan.plugins.governance.tables import Request, RequestEvent

SUBMITTED, ASSIGNED, IN_PROGRESS = "submitted", "assigned", "in_progress"
ANSWERED, CLOSED, REJECTED = "answered", "closed", "rejected"
STATUSES = (SUBMITTED, ASSIGNED, IN_PROGRESS, ANSWERED, CLOSED, REJECTED)
DUE, AUTOCLOSE = "due", "autoclose"
MAX_PHOTOS = 9


# --- look-ups and permissions -----------------------------------------------------------


async def get_request(community: dict, request_id: int, field: str = "requestId") -> dict:
    """The request ``request_id`` of the community, or NOT_FOUND."""
    row = await Request.select().where((Request.id == request_id)
                                       & (Request.community == community["id"])).first()
    if row is None:
        raise not_found("request", field)
    return row


async def is_staff(community: dict, member: dict | None, request: dict | None = None) -> bool:
    """Admins; team members of the request's grid (of any grid without a request); the
    person it is assigned to."""
    if not member or member["status"] != "verified":
        return False
    if is_admin(member):
        return True
    mine = await grids.grids_of_member(community, member["id"])
    if request is None:
        return bool(mine)
    return request["assignee"] == member["id"] or (request["grid"] in mine)


async def _require_staff(community: dict, actor: dict | None, request: dict) -> None:
    if actor is not None and not await is_staff(community, actor, request):
        raise forbidden("Only the community's staff and this request's grid team can do this.")


def _require_requester(actor: dict | None, request: dict) -> None:
    if actor is not None and actor["id"] not in (request["requester"], request["filed_by"]):
        raise forbidden("Only the resident who made this request can do this.")


def _require_status(request: dict, allowed: tuple[str, ...]) -> None:
    if request["status"] not in allowed:
        raise YizhanError("INVALID_STATUS", "This request is {status}; that cannot be done now.",
                          field="requestId", status=request["status"], _translate=("status",))


async def _event(request: dict, action: str, actor: dict | None, note: str = "",
                 at: datetime | None = None, **detail) -> None:
    await RequestEvent.insert(RequestEvent(
        community=request["community"], request=request["id"], action=action,
        actor=actor["id"] if actor else None, note=note,
        detail=json.dumps(detail, ensure_ascii=False, default=str), at=at or now()))


async def _save(request_id: int, values: dict, *, expect: tuple[str, ...] | None = None
                ) -> dict:
    """Update a request (only while its status is one of ``expect``); the new row."""
    values = {**values, Request.updated_at: now()}
    await lock_row("governance_request", request_id)
    old = await Request.select().where(Request.id == request_id).first()
    query = Request.update(values).where(Request.id == request_id)
    if expect:
        query = query.where(Request.status.is_in(list(expect)))
    rows = await query.returning(*Request.all_columns())
    if not rows:
        raise YizhanError("INVALID_STATUS", "This request changed meanwhile; try again.",
                          field="requestId")
    await totals.count_change(old, rows[0])
    return rows[0]


async def timeline(request_id: int) -> list[dict]:
    """The request's steps, oldest first."""
    return await RequestEvent.select().where(RequestEvent.request == request_id).order_by(
        RequestEvent.id)


# --- deadlines --------------------------------------------------------------------------


def _reminder_kind(percent: int) -> str:
    return f"remind:{percent}"


async def _schedule(community: dict, request: dict) -> None:
    """(Re)schedule the reminders and the due moment of an open request."""
    conf = settings(community)
    start, due = request["clock_from"], request["due_at"]
    await cancel_deadlines(PLUGIN, request["id"])
    current = now()
    for percent in conf.reminder_percents:
        at = start + (due - start) * percent / 100
        if at > current:
            await schedule_deadline(community["id"], PLUGIN, _reminder_kind(percent),
                                    request["id"], at, {"percent": percent})
    await schedule_deadline(community["id"], PLUGIN, DUE, request["id"], due, {})


def _due(community: dict, start: datetime, level: str) -> datetime:
    return start + timedelta(hours=settings(community).hours_for(level))


async def _recipients(community: dict, request: dict) -> list[int]:
    """Who handles the request: its assignee, else its grid's team, else the admins."""
    if request["assignee"]:
        return [request["assignee"]]
    if request["grid"]:
        team = await grids.team_member_ids(request["grid"])
        if team:
            return team
    return await admin_ids(community)


async def admin_ids(community: dict) -> list[int]:
    """The community's verified admins."""
    return [m["id"] for m in await list_members(community, status="verified", role="admin",
                                                limit=200)]


async def deadline_due(ctx, deadline) -> None:
    """A request's reminder, due moment or automatic close has come (the plugin's
    ``yizhan_deadline_due``)."""
    community = ctx.community
    row = await Request.select().where(Request.id == int(deadline.subject)).first()
    if row is None:
        return
    if deadline.kind == AUTOCLOSE:
        if row["status"] == ANSWERED:
            await _save(row["id"], {Request.status: CLOSED, Request.closed_at: ctx.now},
                        expect=(ANSWERED,))
            await _event(row, "closed", None, automatic=True)
            await publish(community["id"], "governance.request_closed",
                          {"request": row["id"], "automatic": True})
        return
    if row["status"] not in OPEN:
        return
    params = {"number": row["id"], "category": row["category"], "urgency": row["urgency"]}
    if deadline.kind == DUE:
        if row["escalated_at"] is not None:
            return  # escalated already; a later urgency change does not escalate it twice
        await _save(row["id"], {Request.breached: True, Request.escalated_at: ctx.now},
                    expect=OPEN)
        await _event(row, "escalated", None, due_at=row["due_at"])
        for member_id in await admin_ids(community):
            await notify(community["id"], member_id, "governance.escalated",
                         "Request {number} is overdue",
                         "Request {number} ({category}, {urgency}) passed its deadline "
                         "without an answer.", **params)
        await publish(community["id"], "governance.request_escalated", {"request": row["id"]})
        return
    if ctx.now >= row["due_at"]:
        return  # a reminder that fell due while nothing ran: the escalation says it all
    percent = deadline.payload.get("percent")
    for member_id in await _recipients(community, row):
        await notify(community["id"], member_id, "governance.reminder",
                     "Request {number}: {percent}% of the time used",
                     "Request {number} ({category}, {urgency}) is due {due}; please answer "
                     "it in time.", percent=percent, due=row["due_at"].isoformat(), **params)
    await _event(row, "reminded", None, percent=percent)


# --- the steps ---------------------------------------------------------------------------


def _photos(photos: list[str] | None) -> list[str]:
    cleaned = [p.strip() for p in (photos or []) if p and p.strip()]
    if len(cleaned) > MAX_PHOTOS:
        raise invalid("photos", "At most {max} photos.", code="TOO_MANY_PHOTOS", max=MAX_PHOTOS)
    for photo in cleaned:
        if len(photo) > 500 or any(c.isspace() for c in photo):
            raise invalid("photos", "A photo reference is a URL or a file key without spaces "
                                    "(at most 500 characters).", code="INVALID_PHOTO")
    return cleaned


async def _building_id(community: dict, name: str | None) -> int | None:
    if not name or not name.strip():
        return None
    try:  # one look-up by name, not the community's every building
        return (await get_building(community, name=name))["id"]
    except YizhanError as error:
        if error.code != "NOT_FOUND":
            raise
    raise invalid("building", "No building named {name} in this community.",
                  code="UNKNOWN_BUILDING", name=name.strip())


async def submit(community: dict, actor: dict | None, *, category: str, description: str,
                 building: str | None = None, place: str = "", photos: list[str] | None = None,
                 suggested_urgency: str | None = None, on_behalf_of: int | None = None,
                 channel: str = "app", reporter_name: str = "",
                 at: datetime | None = None) -> dict:
    """Submit a request: a verified member for themselves, a leader for a resident
    (``on_behalf_of``, both recorded), or an integration (``actor`` None, ``channel``
    ``open311``). The deadline of the suggested urgency starts now; triage may move it."""
    conf = settings(community)
    code = (category or "").strip()
    if conf.category(code) is None:
        raise invalid("category", "Unknown category {category}.", code="UNKNOWN_CATEGORY",
                      category=code)
    description = text(description, "description", 2000)
    place = text(place, "place", 200, required=False)
    building_id = await _building_id(community, building)
    if building_id is None and not place:
        raise invalid("place", "Say which building or place this is about.",
                      code="PLACE_REQUIRED")
    level = urgency(suggested_urgency or "yellow", "suggestedUrgency")
    pictures = _photos(photos)
    reporter_name = text(reporter_name, "reporterName", 120, required=False)
    requester = actor
    if on_behalf_of is not None:
        resident = await get_member(community, on_behalf_of, "onBehalfOf")
        if resident["status"] != "verified":
            raise YizhanError("NOT_VERIFIED", "Requests can be filed only for verified members.",
                              field="onBehalfOf")
        if actor is not None and not is_leader_of(actor, resident["building"]):
            raise forbidden("Only the resident's building leader can file a request for them.")
        requester = resident
        channel = "proxy" if actor is not None else channel
    start = at or now()
    async with atomic():
        row = (await Request.insert(Request(
            community=community["id"], category=code, description=description,
            building=building_id, place=place, photos=json.dumps(pictures),
            suggested_urgency=level, urgency=level, status=SUBMITTED,
            requester=requester["id"] if requester else None,
            filed_by=actor["id"] if actor else None, channel=channel,
            reporter_name=reporter_name, grid=await grids.grid_of_building(building_id),
            submitted_at=start, clock_from=start, due_at=_due(community, start, level),
            token=secrets.token_hex(8), updated_at=start,
        )).returning(*Request.all_columns()))[0]
        await totals.count_change(None, row)
        await _event(row, "submitted", actor, at=start, urgency=level, channel=channel,
                     on_behalf_of=on_behalf_of)
        await _schedule(community, row)
        await publish(community["id"], "governance.request_submitted",
                      {"request": row["id"], "category": code, "urgency": level})
    return row


async def _check_assignee(community: dict, assignee_id: int | None) -> None:
    if assignee_id is None:
        return
    member = await get_member(community, assignee_id, "assigneeId")
    if member["status"] != "verified":
        raise YizhanError("NOT_VERIFIED", "Requests can be assigned to verified members only.",
                          field="assigneeId")


async def _route(community: dict, request: dict, assignee_id: int | None,
                 grid_id: int | None) -> dict:
    """Who handles it: a person, a named grid, or the grid of the request's building."""
    await _check_assignee(community, assignee_id)
    if grid_id is not None:
        await grids.get_grid(community, grid_id)
    else:
        grid_id = request["grid"] or await grids.grid_of_building(request["building"])
    return {Request.assignee: assignee_id, Request.grid: grid_id}


async def _notify_handlers(community: dict, row: dict) -> None:
    for member_id in await _recipients(community, row):
        await notify(community["id"], member_id, "governance.assigned",
                     "Request {number} is yours",
                     "Request {number} ({category}, {urgency}) was assigned to you; answer it "
                     "by {due}.", number=row["id"], category=row["category"],
                     urgency=row["urgency"], due=row["due_at"].isoformat())


async def triage(community: dict, actor: dict | None, request_id: int, level: str, *,
                 assignee_id: int | None = None, grid_id: int | None = None,
                 note: str = "") -> dict:
    """Staff set the urgency (moving the deadline, still counted from submission) and route
    the request: to ``assignee_id``, to grid ``grid_id``, or to its building's grid team."""
    request = await get_request(community, request_id)
    await _require_staff(community, actor, request)
    level = urgency(level)
    note = text(note, "note", 1000, required=False)
    _require_status(request, (SUBMITTED, ASSIGNED))
    async with atomic():
        values = await _route(community, request, assignee_id, grid_id)
        values.update({Request.urgency: level, Request.triaged: True,
                       Request.triaged_at: now(), Request.status: ASSIGNED,
                       Request.due_at: _due(community, request["clock_from"], level)})
        row = await _save(request_id, values, expect=(SUBMITTED, ASSIGNED))
        await _event(row, "triaged", actor, note, urgency=level, grid=row["grid"],
                     assignee=row["assignee"])
        await _schedule(community, row)
        await _notify_handlers(community, row)
        await publish(community["id"], "governance.request_triaged",
                      {"request": row["id"], "urgency": level})
    return row


async def assign(community: dict, actor: dict | None, request_id: int, *,
                 assignee_id: int | None = None, grid_id: int | None = None,
                 note: str = "") -> dict:
    """Staff hand an open request to a person or a grid team (its deadline stays)."""
    request = await get_request(community, request_id)
    await _require_staff(community, actor, request)
    note = text(note, "note", 1000, required=False)
    _require_status(request, OPEN)
    async with atomic():
        values = await _route(community, request, assignee_id, grid_id)
        if request["status"] == SUBMITTED:
            values[Request.status] = ASSIGNED
        row = await _save(request_id, values, expect=OPEN)
        await _event(row, "assigned", actor, note, grid=row["grid"], assignee=row["assignee"])
        await _notify_handlers(community, row)
    return row


async def update(community: dict, actor: dict | None, request_id: int, *,
                 level: str | None = None, start: bool = False, note: str = "") -> dict:
    """Staff change the urgency (the deadline and reminders move), mark the work started, or
    add a note to the timeline."""
    request = await get_request(community, request_id)
    await _require_staff(community, actor, request)
    note = text(note, "note", 1000, required=False)
    new_level = urgency(level) if level else None
    if not (new_level or start or note):
        raise invalid("urgency", "Nothing to change.", code="NOTHING_TO_UPDATE")
    _require_status(request, OPEN)
    async with atomic():
        row = request
        if new_level and new_level != request["urgency"]:
            row = await _save(request_id, {
                Request.urgency: new_level, Request.triaged: True,
                Request.due_at: _due(community, request["clock_from"], new_level)},
                expect=OPEN)
            await _event(row, "urgency_changed", actor, old=request["urgency"], new=new_level,
                         due_at=row["due_at"])
            await _schedule(community, row)
        if start and row["status"] != IN_PROGRESS:
            row = await _save(request_id, {Request.status: IN_PROGRESS}, expect=OPEN)
            await _event(row, "started", actor)
        if note:
            await _event(row, "note", actor, note)
    return row


async def answer(community: dict, actor: dict | None, request_id: int, response: str,
                 public: bool = True) -> dict:
    """Staff answer the request (a public or a private response): the deadline and reminders
    are cancelled, on-time is recorded, and it closes by itself after ``auto_close_days``
    unless the resident confirms or reopens it first."""
    request = await get_request(community, request_id)
    await _require_staff(community, actor, request)
    response = text(response, "response", 2000)
    _require_status(request, OPEN)
    current = now()
    async with atomic():
        row = await _save(request_id, {
            Request.status: ANSWERED, Request.response: response,
            Request.response_public: public, Request.answered_at: current,
            Request.answer_seconds: int((current - request["clock_from"]).total_seconds()),
            Request.on_time: current <= request["due_at"]}, expect=OPEN)
        await cancel_deadlines(PLUGIN, request_id)
        await schedule_deadline(community["id"], PLUGIN, AUTOCLOSE, request_id,
                                current + timedelta(days=settings(community).auto_close_days))
        await _event(row, "answered", actor, response if public else "", public=public,
                     on_time=row["on_time"])
        if row["requester"]:
            await notify(community["id"], row["requester"], "governance.answered",
                         "Your request {number} was answered",
                         "Please confirm it is solved, rate the answer, or reopen it.",
                         number=row["id"])
        await publish(community["id"], "governance.request_answered",
                      {"request": row["id"], "on_time": row["on_time"]})
    return row


async def close(community: dict, actor: dict | None, request_id: int) -> dict:
    """The resident confirms an answered request: it is closed."""
    request = await get_request(community, request_id)
    _require_requester(actor, request)
    _require_status(request, (ANSWERED,))
    async with atomic():
        row = await _save(request_id, {Request.status: CLOSED, Request.closed_at: now()},
                          expect=(ANSWERED,))
        await cancel_deadline(PLUGIN, AUTOCLOSE, request_id)
        await _event(row, "closed", actor, automatic=False)
        await publish(community["id"], "governance.request_closed",
                      {"request": row["id"], "automatic": False})
    return row


async def reject(community: dict, actor: dict | None, request_id: int, reason: str) -> dict:
    """Staff reject an open request with a reason (the resident may reopen it in time)."""
    request = await get_request(community, request_id)
    await _require_staff(community, actor, request)
    reason = text(reason, "reason", 1000)
    _require_status(request, OPEN)
    async with atomic():
        row = await _save(request_id, {Request.status: REJECTED, Request.reject_reason: reason,
                                       Request.closed_at: now()}, expect=OPEN)
        await cancel_deadlines(PLUGIN, request_id)
        await _event(row, "rejected", actor, reason)
        if row["requester"]:
            await notify(community["id"], row["requester"], "governance.rejected",
                         "Your request {number} was rejected", "Reason: {reason}",
                         number=row["id"], reason=reason)
    return row


async def reopen(community: dict, actor: dict | None, request_id: int, reason: str) -> dict:
    """The resident reopens an answered, closed or rejected request within ``reopen_days``:
    it goes back to its handlers with a fresh deadline counted from now."""
    request = await get_request(community, request_id)
    _require_requester(actor, request)
    reason = text(reason, "reason", 1000)
    _require_status(request, (ANSWERED, CLOSED, REJECTED))
    since = request["closed_at"] if request["status"] == REJECTED else request["answered_at"]
    current = now()
    if since is None or current > since + timedelta(days=settings(community).reopen_days):
        raise YizhanError("REOPEN_WINDOW_PASSED",
                          "This request can no longer be reopened (allowed for {days} days).",
                          field="requestId", days=settings(community).reopen_days)
    async with atomic():
        row = await _save(request_id, {
            Request.status: ASSIGNED if request["triaged"] else SUBMITTED,
            Request.clock_from: current,
            Request.due_at: _due(community, current, request["urgency"]),
            Request.answered_at: None, Request.answer_seconds: None, Request.on_time: None,
            Request.closed_at: None, Request.breached: False, Request.escalated_at: None,
            Request.satisfied: None, Request.rating_comment: "", Request.rated_at: None},
            expect=(ANSWERED, CLOSED, REJECTED))
        await _event(row, "reopened", actor, reason)
        await _schedule(community, row)
        await _notify_handlers(community, row)
    return row


async def rate(community: dict, actor: dict | None, request_id: int, satisfied: bool,
               comment: str = "") -> dict:
    """The resident rates the answer once: satisfied or not, with a comment."""
    request = await get_request(community, request_id)
    _require_requester(actor, request)
    comment = text(comment, "comment", 1000, required=False)
    _require_status(request, (ANSWERED, CLOSED))
    if request["rated_at"] is not None:
        raise YizhanError("ALREADY_RATED", "This answer was already rated.", field="requestId")
    async with atomic():
        rows = await Request.update({
            Request.satisfied: satisfied, Request.rating_comment: comment,
            Request.rated_at: now(), Request.updated_at: now()}).where(
            (Request.id == request_id) & Request.rated_at.is_null()).returning(
            *Request.all_columns())
        if not rows:
            raise YizhanError("ALREADY_RATED", "This answer was already rated.",
                              field="requestId")
        await totals.count_change({**rows[0], "rated_at": None, "satisfied": None}, rows[0])
        await _event(rows[0], "rated", actor, comment, satisfied=satisfied)
    return rows[0]


# --- lists ------------------------------------------------------------------------------


async def list_requests(community: dict, *, requester: int | None = None,
                        grid_ids: list[int] | None = None, assignee: int | None = None,
                        level: str | None = None, status: str | None = None,
                        statuses: list[str] | None = None, overdue: bool | None = None,
                        category: str | None = None, since: datetime | None = None,
                        until: datetime | None = None, ids: list[int] | None = None,
                        before_id: int | None = None, limit: int = 50) -> list[dict]:
    """Requests newest first with filters. ``grid_ids`` and ``assignee`` together mean
    "in one of these grids or assigned to this person" (a team member's queue)."""
    query = Request.select().where(Request.community == community["id"])
    if requester is not None:
        query = query.where((Request.requester == requester) | (Request.filed_by == requester))
    if grid_ids is not None or assignee is not None:
        condition = None
        if grid_ids:
            condition = Request.grid.is_in(grid_ids)
        if assignee is not None:
            mine = Request.assignee == assignee
            condition = mine if condition is None else (condition | mine)
        if condition is None:
            return []
        query = query.where(condition)
    if level:
        query = query.where(Request.urgency == level)
    if status:
        query = query.where(Request.status == status)
    if statuses and set(statuses) == set(OPEN):
        query = query.where(WhereRaw(OPEN_SQL))  # literal: the partial index applies
    elif statuses:
        query = query.where(Request.status.is_in(statuses))
    if category:
        query = query.where(Request.category == category)
    if since is not None:
        query = query.where(Request.submitted_at >= since)
    if until is not None:
        query = query.where(Request.submitted_at <= until)
    if ids is not None:
        if not ids:
            return []
        query = query.where(Request.id.is_in(ids))
    if overdue is not None:
        query = query.where(WhereRaw(f"{OPEN_SQL} AND due_at < {{}}", now()) if overdue
                            else WhereRaw(f"NOT ({OPEN_SQL} AND due_at < {{}})", now()))
    if before_id is not None:
        query = query.where(Request.id < before_id)
    # ordered like the (community[, status], id) indexes, so that a generic plan walks this
    # community's rows only (not every community's newest ones by primary key)
    order = [Request.community, Request.status, Request.id] if status else [
        Request.community, Request.id]
    return await query.order_by(*order, ascending=False).limit(limit)


def is_overdue(row: dict) -> bool:
    """An open request past its deadline."""
    return row["status"] in OPEN and row["due_at"] < now()


def photos_of(row: dict) -> list[str]:
    """The request's photo references."""
    value = row["photos"]
    return json.loads(value) if isinstance(value, str) else list(value or [])
