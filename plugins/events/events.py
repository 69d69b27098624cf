"""Events and series: create, change, cancel; occurrences made ahead by a recurrence rule.

A series' rule is an RFC 5545 RRULE expanded by ``python-dateutil`` in the community's local
time (so "every Saturday 14:00" stays 14:00 across daylight-saving changes) and made into
occurrence rows up to the horizon (``horizon_weeks``); the ``extend`` deadline moves the horizon
on every week. Each occurrence carries its own deadlines (subject ``occ:<id>``): the invitation
of the invited buildings, the reminder of everyone signed up and the automatic close. Moving an
occurrence moves them; cancelling one cancels them and tells everyone signed up.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from dateutil import rrule as dateutil_rrule

from yizhan.core.api import (
    LEADER_ROLES,
    YizhanError,
    atomic,
    cancel_deadline,
    cancel_deadlines,
    forbidden,
    invalid,
    is_admin,
    list_buildings,
    lock_row,
    not_found,
    notify,
    now,
    plugin_settings,
    publish,
    schedule_deadline,
)
from yizhan.plugins.events.settings import EventsSettings, centi
from yizhan.plugins.events.tables import Event, Occurrence, SignUp

PLUGIN = "events"
KINDS = ("game", "feast", "volunteering", "talk", "other")
SCHEDULED, CANCELLED, CLOSED = "scheduled", "cancelled", "closed"
ACTIVE = "active"
#: Occurrences one materialisation makes at most (a daily series over two years is 730).
MAX_OCCURRENCES = 800
MAX_CAPACITY = 10_000
MAX_HOURS = 24


def settings_of(community: dict) -> EventsSettings:
    """The community's events settings."""
    return plugin_settings(community["id"], PLUGIN)


def zone(community: dict) -> ZoneInfo:
    """The community's time zone."""
    return ZoneInfo(community.get("time_zone") or "Asia/Shanghai")


def local(community: dict, moment: datetime) -> datetime:
    """An instant in the community's time zone; a naive one is read as local time."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=zone(community))
    return moment.astimezone(zone(community))


def subject(occurrence_id: int) -> str:
    """The deadlines' subject of an occurrence."""
    return f"occ:{occurrence_id}"


# --- validation ------------------------------------------------------------------------------


def _text(value: str | None, field: str, maximum: int, *, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise invalid(field, "This field is required.", code="REQUIRED")
    if len(text) > maximum:
        raise invalid(field, "At most {max} characters.", code="TOO_LONG", max=maximum)
    if any(ord(ch) < 32 and ch not in "\n\t" for ch in text):
        raise invalid(field, "This text contains characters that cannot be shown.",
                      code="INVALID_TEXT")
    return text


def _kind(value: str) -> str:
    if value not in KINDS:
        raise invalid("kind", "Choose one of: {choices}.", code="INVALID_KIND",
                      choices=", ".join(KINDS))
    return value


def _capacity(value: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_CAPACITY:
        raise invalid("capacity", "The capacity must be between 1 and {max}.",
                      code="INVALID_CAPACITY", max=MAX_CAPACITY)
    return value


def parse_credits(value: Any, field: str) -> int:
    """Credits as a decimal string (or Decimal/int) to hundredths; floats are refused."""
    if isinstance(value, float) or isinstance(value, bool):
        raise invalid(field, "Give the amount as a decimal string such as 0.50.",
                      code="INVALID_AMOUNT")
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise invalid(field, "Give the amount as a decimal string such as 0.50.",
                      code="INVALID_AMOUNT") from None
    if not amount.is_finite() or amount < 0 or amount > 1000 or amount != amount.quantize(
            Decimal("0.01")):
        raise invalid(field, "The amount must be between 0 and 1000 with at most two "
                             "decimals.", code="INVALID_AMOUNT")
    return int(amount * 100)


def _times(community: dict, starts_at: datetime, ends_at: datetime, *,
           allow_past: bool = False) -> tuple[datetime, datetime]:
    start, end = local(community, starts_at), local(community, ends_at)
    if end <= start:
        raise invalid("endsAt", "The end must be after the start.", code="ENDS_BEFORE_START")
    if end - start > timedelta(hours=MAX_HOURS):
        raise invalid("endsAt", "An event lasts at most {hours} hours.", code="EVENT_TOO_LONG",
                      hours=MAX_HOURS)
    if start <= now() and not allow_past:
        raise invalid("startsAt", "The start must be in the future.", code="EVENT_IN_PAST")
    return start, end


def parse_rrule(community: dict, rule: str, start: datetime) -> dateutil_rrule.rrule:
    """The recurrence rule ``rule`` (``FREQ=WEEKLY;BYDAY=SA``) anchored at ``start`` (local)."""
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    if not text or "\n" in text or "DTSTART" in text.upper():
        raise invalid("rrule", "Give one RFC 5545 recurrence rule such as "
                               "FREQ=WEEKLY;BYDAY=SA.", code="INVALID_RRULE")
    naive = start.replace(tzinfo=None)
    try:
        parsed = dateutil_rrule.rrulestr(text, dtstart=naive, ignoretz=True)
    except (ValueError, TypeError, KeyError):
        raise invalid("rrule", "Give one RFC 5545 recurrence rule such as "
                               "FREQ=WEEKLY;BYDAY=SA.", code="INVALID_RRULE") from None
    if not isinstance(parsed, dateutil_rrule.rrule) or parsed._freq > dateutil_rrule.DAILY:
        raise invalid("rrule", "A series repeats at most daily.", code="INVALID_RRULE")
    if parsed.after(naive, inc=True) is None:
        raise invalid("rrule", "This rule has no date on or after the start.",
                      code="INVALID_RRULE")
    return parsed


async def _buildings(community: dict, ids: list[int] | None, field: str) -> list[int]:
    if not ids:
        return []
    known = {b["id"] for b in await list_buildings(community)}
    chosen = sorted(set(ids))
    if any(b not in known for b in chosen):
        raise invalid(field, "No such building in this community.", code="UNKNOWN_BUILDING")
    return chosen


def may_organise(member: dict | None) -> bool:
    """Leaders (head and deputies) and admins may organise events."""
    return bool(member and member.get("status") == "verified"
                and (is_admin(member) or member.get("role") in LEADER_ROLES))


def require_organiser_role(member: dict | None) -> None:
    """Refuse unless ``member`` is a verified leader or admin."""
    if not may_organise(member):
        raise forbidden("Only building leaders and admins can organise events.")


def require_in_charge(actor: dict | None, event: dict) -> None:
    """Refuse unless ``actor`` (None: the CLI or a job) is the organiser or an admin."""
    if actor is None or is_admin(actor) or actor.get("id") == event["organiser"]:
        return
    raise forbidden("Only the organiser or an admin can do this.")


def audience_of(event: dict) -> list[int]:
    """Building ids that may sign up (empty: everyone in the community)."""
    return json.loads(event["audience"] or "[]")


def invited_of(event: dict) -> list[int]:
    """Building ids invited ahead of each occurrence."""
    return json.loads(event["invited"] or "[]")


# --- look-ups --------------------------------------------------------------------------------


async def get_event(community: dict, event_id: int, field: str = "eventId") -> dict:
    """An event of ``community`` or NOT_FOUND."""
    row = await Event.select().where((Event.id == event_id)
                                     & (Event.community == community["id"])).first()
    if row is None:
        raise not_found("event", field)
    return row


async def find_event(event_id: int) -> dict | None:
    """An event by id in any community (resolvers then check the community)."""
    return await Event.select().where(Event.id == event_id).first()


async def get_occurrence(community: dict, occurrence_id: int,
                         field: str = "occurrenceId") -> dict:
    """An occurrence of ``community`` or NOT_FOUND."""
    row = await Occurrence.select().where(
        (Occurrence.id == occurrence_id) & (Occurrence.community == community["id"])).first()
    if row is None:
        raise not_found("event date", field)
    return row


async def find_occurrence(occurrence_id: int) -> dict | None:
    """An occurrence by id in any community."""
    return await Occurrence.select().where(Occurrence.id == occurrence_id).first()


async def locked_occurrence(community: dict, occurrence_id: int,
                            field: str = "occurrenceId") -> dict:
    """The occurrence, locked until the transaction ends (sign-ups decide on its places)."""
    await lock_row("yz_event_occurrence", occurrence_id)
    return await get_occurrence(community, occurrence_id, field)


def capacity_of(event: dict, occurrence: dict) -> int:
    """The places at an occurrence (its own capacity, or the event's)."""
    return occurrence["capacity"] if occurrence["capacity"] is not None else event["capacity"]


def place_of(event: dict, occurrence: dict) -> str:
    """Where an occurrence takes place."""
    return occurrence["place"] or event["place"]


def require_open(occurrence: dict) -> None:
    """Refuse a cancelled or closed occurrence."""
    if occurrence["status"] == CANCELLED:
        raise YizhanError("OCCURRENCE_CANCELLED", "This event date was cancelled.",
                          field="occurrenceId")
    if occurrence["status"] == CLOSED:
        raise YizhanError("OCCURRENCE_CLOSED", "This event date is already closed.",
                          field="occurrenceId")


# --- creating --------------------------------------------------------------------------------


async def create_event(community: dict, actor: dict | None, *, title: str, kind: str,
                       place: str, starts_at: datetime, ends_at: datetime, capacity: int,
                       description: str = "", rrule: str | None = None,
                       organiser: dict | None = None, audience: list[int] | None = None,
                       invited: list[int] | None = None, fee: Any = None,
                       allow_past: bool = False) -> dict:
    """Create an event (a series when ``rrule`` is given) and its first occurrences.

    ``actor`` (None: the CLI) must be a leader or admin; ``organiser`` defaults to the actor.
    Times are instants or naive local times. ``allow_past`` (demo data and imports only, never
    from the API) lets the first date lie in the past. Returns the event row.
    """
    if actor is not None:
        require_organiser_role(actor)
    organiser = organiser or actor
    if organiser is None:
        raise invalid("organiser", "Name the organiser: a building leader or an admin.",
                      code="ORGANISER_REQUIRED")
    if not may_organise(organiser) or organiser["community"] != community["id"]:
        raise invalid("organiser", "The organiser must be a verified building leader or admin.",
                      code="INVALID_ORGANISER")
    settings = settings_of(community)
    title = _text(title, "title", 80)
    description = _text(description, "description", 4000, required=False)
    place = _text(place, "place", 120)
    kind = _kind(kind)
    capacity = _capacity(capacity)
    start, end = _times(community, starts_at, ends_at, allow_past=allow_past)
    rule_text = (rrule or "").strip()
    if rule_text:
        parse_rrule(community, rule_text, start)
        rule_text = rule_text[6:] if rule_text.upper().startswith("RRULE:") else rule_text
    fee_centi = centi(settings.default_fee) if fee is None else parse_credits(fee, "fee")
    audience_ids = await _buildings(community, audience, "audience")
    invited_ids = await _buildings(community, invited, "invited")
    moment = now()
    async with atomic():
        row = (await Event.insert(Event(
            community=community["id"], title=title, description=description, kind=kind,
            place=place, starts_at=start, duration_minutes=int((end - start).total_seconds()
                                                               // 60),
            rrule=rule_text, capacity=capacity, fee_centi=fee_centi,
            organiser=organiser["id"], audience=json.dumps(audience_ids),
            invited=json.dumps(invited_ids), status=ACTIVE,
            created_by=actor["id"] if actor else None, created_at=moment, updated_at=moment,
        )).returning(*Event.all_columns()))[0]
        await materialise(community, row)
        await publish(community["id"], "event.created", {"event": row["id"], "kind": kind})
        return await get_event(community, row["id"])


async def materialise(community: dict, event: dict, until: datetime | None = None) -> int:
    """Make the event's occurrences up to ``until`` (default: now + the horizon); for a series,
    schedule the next ``extend``. Returns how many were made. Idempotent."""
    settings = settings_of(community)
    tz = zone(community)
    start = event["starts_at"].astimezone(tz)
    duration = timedelta(minutes=event["duration_minutes"])
    made = 0
    if not event["rrule"]:
        made += await _add_occurrence(community, event, start, start + duration)
        await Event.update({Event.materialised_until: start}).where(Event.id == event["id"])
        return made
    horizon = until or (now() + timedelta(weeks=settings.horizon_weeks))
    rule = parse_rrule(community, event["rrule"], start)
    done = event["materialised_until"]
    after = done.astimezone(tz).replace(tzinfo=None) if done else None
    last = done
    for naive in rule.xafter(after or start.replace(tzinfo=None), inc=after is None):
        begins = naive.replace(tzinfo=tz)
        if begins > horizon or made >= MAX_OCCURRENCES:
            break
        made += await _add_occurrence(community, event, begins, begins + duration)
        last = begins
    if last is not None:
        await Event.update({Event.materialised_until: last}).where(Event.id == event["id"])
    if event["status"] == ACTIVE:
        await schedule_deadline(community["id"], PLUGIN, "extend", f"event:{event['id']}",
                                now() + timedelta(days=7), {"event": event["id"]})
    return made


async def _add_occurrence(community: dict, event: dict, start: datetime, end: datetime) -> int:
    rows = await Occurrence.insert(Occurrence(
        community=community["id"], event=event["id"], original_start=start, starts_at=start,
        ends_at=end, status=SCHEDULED,
    )).on_conflict(action="DO NOTHING").returning(*Occurrence.all_columns())
    if not rows:
        return 0
    await schedule_occurrence(community, event, rows[0])
    return 1


async def schedule_occurrence(community: dict, event: dict, occurrence: dict) -> None:
    """Set (or move) the occurrence's invitation, reminder and automatic close."""
    settings = settings_of(community)
    key = subject(occurrence["id"])
    moment = now()
    start, end = occurrence["starts_at"], occurrence["ends_at"]
    payload = {"occurrence": occurrence["id"]}
    if invited_of(event) and settings.invite_hours_ahead and start > moment:
        due = max(start - timedelta(hours=settings.invite_hours_ahead), moment)
        await schedule_deadline(community["id"], PLUGIN, "invite", key, due, payload)
    remind = start - timedelta(hours=settings.reminder_hours_ahead)
    if settings.reminder_hours_ahead and remind > moment:
        await schedule_deadline(community["id"], PLUGIN, "remind", key, remind, payload)
    else:
        await cancel_deadline(PLUGIN, "remind", key)
    if settings.auto_close_hours:
        await schedule_deadline(community["id"], PLUGIN, "autoclose", key,
                                end + timedelta(hours=settings.auto_close_hours), payload)


# --- changing --------------------------------------------------------------------------------


async def update_event(community: dict, actor: dict | None, event_id: int, *,
                       title: str | None = None, description: str | None = None,
                       kind: str | None = None, place: str | None = None,
                       capacity: int | None = None, fee: Any = None,
                       audience: list[int] | None = None,
                       invited: list[int] | None = None) -> dict:
    """Change an event's details (the organiser or an admin); what is None stays. A larger
    capacity moves people up from the waitlists of its coming occurrences."""
    from yizhan.plugins.events import signups

    event = await get_event(community, event_id)
    require_in_charge(actor, event)
    if event["status"] != ACTIVE:
        raise YizhanError("EVENT_CANCELLED", "This event was cancelled.", field="eventId")
    changes: dict[Any, Any] = {}
    if title is not None:
        changes[Event.title] = _text(title, "title", 80)
    if description is not None:
        changes[Event.description] = _text(description, "description", 4000, required=False)
    if kind is not None:
        changes[Event.kind] = _kind(kind)
    if place is not None:
        changes[Event.place] = _text(place, "place", 120)
    if capacity is not None:
        changes[Event.capacity] = _capacity(capacity)
    if fee is not None:
        changes[Event.fee_centi] = parse_credits(fee, "fee")
    if audience is not None:
        changes[Event.audience] = json.dumps(await _buildings(community, audience, "audience"))
    if invited is not None:
        changes[Event.invited] = json.dumps(await _buildings(community, invited, "invited"))
    changes[Event.updated_at] = now()
    async with atomic():
        await lock_row("yz_event", event["id"])
        await Event.update(changes).where(Event.id == event["id"])
        event = await get_event(community, event["id"])
        for occurrence in await coming_occurrences(community, event["id"]):
            await Occurrence.update({Occurrence.sequence: Occurrence.sequence + 1}).where(
                Occurrence.id == occurrence["id"])
            if invited is not None:
                await schedule_occurrence(community, event, occurrence)
            if capacity is not None and occurrence["capacity"] is None:
                await lock_row("yz_event_occurrence", occurrence["id"])
                await signups.promote(community, event, occurrence)
        return event


async def coming_occurrences(community: dict, event_id: int) -> list[dict]:
    """The event's scheduled occurrences that have not started yet, soonest first."""
    return await Occurrence.select().where(
        (Occurrence.community == community["id"]) & (Occurrence.event == event_id)
        & (Occurrence.status == SCHEDULED) & (Occurrence.starts_at > now())
    ).order_by(Occurrence.starts_at)


async def cancel_event(community: dict, actor: dict | None, event_id: int,
                       reason: str) -> dict:
    """Cancel an event or a whole series: its coming occurrences are cancelled (everyone
    signed up is told) and no more are made."""
    event = await get_event(community, event_id)
    require_in_charge(actor, event)
    reason = _text(reason, "reason", 500)
    if event["status"] != ACTIVE:
        raise YizhanError("EVENT_CANCELLED", "This event was cancelled.", field="eventId")
    async with atomic():
        await lock_row("yz_event", event["id"])
        await Event.update({Event.status: CANCELLED, Event.updated_at: now()}).where(
            Event.id == event["id"])
        await cancel_deadlines(PLUGIN, f"event:{event['id']}")
        for occurrence in await coming_occurrences(community, event["id"]):
            await _cancel(community, event, occurrence, reason)
        return await get_event(community, event["id"])


async def move_occurrence(community: dict, actor: dict | None, occurrence_id: int, *,
                          starts_at: datetime | None = None, ends_at: datetime | None = None,
                          place: str | None = None, capacity: int | None = None) -> dict:
    """Move one occurrence or change its place or capacity, leaving the rest of the series
    alone. Its deadlines move with it; everyone signed up is told of a new time or place; a
    larger capacity moves people up from the waitlist."""
    from yizhan.plugins.events import signups

    occurrence = await get_occurrence(community, occurrence_id)
    event = await get_event(community, occurrence["event"])
    require_in_charge(actor, event)
    require_open(occurrence)
    changes: dict[Any, Any] = {}
    moved = False
    if starts_at is not None or ends_at is not None:
        start = starts_at or occurrence["starts_at"]
        end = ends_at or (start + (occurrence["ends_at"] - occurrence["starts_at"]))
        start, end = _times(community, start, end)
        moved = (start, end) != (occurrence["starts_at"], occurrence["ends_at"])
        changes.update({Occurrence.starts_at: start, Occurrence.ends_at: end})
    if place is not None:
        new_place = _text(place, "place", 120)
        moved = moved or new_place != place_of(event, occurrence)
        changes[Occurrence.place] = new_place
    if capacity is not None:
        changes[Occurrence.capacity] = _capacity(capacity)
    if not changes:
        return occurrence
    changes[Occurrence.moved] = occurrence["moved"] or moved
    async with atomic():
        occurrence = await locked_occurrence(community, occurrence_id)
        require_open(occurrence)
        await Occurrence.update({**changes, Occurrence.sequence: Occurrence.sequence + 1}).where(
            Occurrence.id == occurrence["id"])
        occurrence = await get_occurrence(community, occurrence["id"])
        await schedule_occurrence(community, event, occurrence)
        if capacity is not None:
            await signups.promote(community, event, occurrence)
        if moved:
            when = local(community, occurrence["starts_at"]).strftime("%Y-%m-%d %H:%M")
            for signup in await signups.active(occurrence["id"]):
                await notify(community["id"], signup["member"], "events.moved",
                             "{title} has moved",
                             "{title} now takes place on {when} at {place}.",
                             title=event["title"], when=when,
                             place=place_of(event, occurrence))
        await publish(community["id"], "event.occurrence_changed",
                      {"event": event["id"], "occurrence": occurrence["id"]})
        return occurrence


async def cancel_occurrence(community: dict, actor: dict | None, occurrence_id: int,
                            reason: str) -> dict:
    """Cancel one occurrence alone: its deadlines go, everyone signed up (and waiting) is told,
    fees are refunded."""
    occurrence = await get_occurrence(community, occurrence_id)
    event = await get_event(community, occurrence["event"])
    require_in_charge(actor, event)
    reason = _text(reason, "reason", 500)
    require_open(occurrence)
    async with atomic():
        occurrence = await locked_occurrence(community, occurrence_id)
        require_open(occurrence)
        await _cancel(community, event, occurrence, reason)
        return await get_occurrence(community, occurrence["id"])


async def _cancel(community: dict, event: dict, occurrence: dict, reason: str) -> None:
    from yizhan.plugins.events import signups

    moment = now()
    await Occurrence.update({
        Occurrence.status: CANCELLED, Occurrence.cancel_reason: reason,
        Occurrence.cancelled_at: moment, Occurrence.sequence: Occurrence.sequence + 1,
    }).where(Occurrence.id == occurrence["id"])
    await cancel_deadlines(PLUGIN, subject(occurrence["id"]))
    when = local(community, occurrence["starts_at"]).strftime("%Y-%m-%d %H:%M")
    for signup in await signups.active(occurrence["id"]):
        await signups.refund_fee(community, signup)
        await SignUp.update({SignUp.status: signups.CANCELLED, SignUp.cancelled_at: moment}
                            ).where(SignUp.id == signup["id"])
        await notify(community["id"], signup["member"], "events.cancelled",
                     "{title} is cancelled",
                     "{title} on {when} is cancelled: {reason}", title=event["title"],
                     when=when, reason=reason)
    await publish(community["id"], "event.occurrence_cancelled",
                  {"event": event["id"], "occurrence": occurrence["id"]})


# --- listing ---------------------------------------------------------------------------------


async def upcoming(community: dict, *, kind: str | None = None, start: datetime | None = None,
                   end: datetime | None = None, building: int | None = None,
                   include_cancelled: bool = False, event_id: int | None = None,
                   include_closed: bool = False, offset: int = 0,
                   limit: int | None = None) -> list[tuple[dict, dict]]:
    """(occurrence, event) pairs of the community that have not ended, soonest first, with
    filters: kind, a period, open to members of ``building``, one event; scheduled ones, and
    cancelled or closed ones when asked. With ``limit``, at most that many after the first
    ``offset`` — read from the (community, starts_at) index a page at a time, never every
    coming date of the community."""
    query = Occurrence.select(*Occurrence.all_columns()).where(
        (Occurrence.community == community["id"])
        & (Occurrence.ends_at > (start or now())))
    if end is not None:
        query = query.where(Occurrence.starts_at < end)
    statuses = [SCHEDULED] + ([CANCELLED] if include_cancelled else []) + (
        [CLOSED] if include_closed else [])
    query = query.where(Occurrence.status.is_in(statuses))
    if event_id is not None:
        query = query.where(Occurrence.event == event_id)
    if kind:
        query = query.where(Occurrence.event.kind == kind)
    query = query.order_by(Occurrence.starts_at).order_by(Occurrence.id)
    wanted = None if limit is None else offset + limit
    chunk = 500 if wanted is None else wanted + (0 if building is None else 50)
    out: list[tuple[dict, dict]] = []
    scanned = 0
    while True:
        rows = await (query if wanted is None else query.offset(scanned).limit(chunk))
        scanned += len(rows)
        events = await events_by_id([r["event"] for r in rows])
        for row in rows:
            event = events[row["event"]]
            if building is not None and audience_of(event) and building not in audience_of(
                    event):
                continue
            out.append((row, event))
        if wanted is None or len(rows) < chunk or len(out) >= wanted:
            break
    return out[offset:wanted] if limit is not None else out


async def events_by_id(ids: list[int]) -> dict[int, dict]:
    """Events by id."""
    if not ids:
        return {}
    return {e["id"]: e for e in await Event.select().where(Event.id.is_in(sorted(set(ids))))}


async def list_events(community: dict, include_cancelled: bool = False, *,
                      before_id: int | None = None, limit: int | None = None) -> list[dict]:
    """The community's events and series, newest first (keyset: those older than
    ``before_id``, at most ``limit``)."""
    query = Event.select().where(Event.community == community["id"])
    if not include_cancelled:
        query = query.where(Event.status == ACTIVE)
    if before_id is not None:
        query = query.where(Event.id < before_id)
    query = query.order_by(Event.id, ascending=False)
    return await (query if limit is None else query.limit(limit))
