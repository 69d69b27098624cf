"""GraphQL for neighbourhood events: anyone reads a community's coming events; verified members
sign up (a leader for an elder), cancel and see their sign-ups with check-in codes; the
organiser (a leader) or an admin creates, moves, cancels, checks in and closes; admins read the
figures. Resolvers stay thin: they resolve the community, check the switch
(``PLUGIN_DISABLED``) and who may act, and call the service.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Annotated
from zoneinfo import ZoneInfo

import strawberry
from strawberry.types import Info

from yizhan.core.api import (
    Connection,
    Credits,
    GraphQLContribution,
    Member,
    Node,
    UserError,
    build_connection,
    forbidden,
    format_centi,
    from_cursor,
    invalid,
    member_by_id,
    not_found,
    page_size,
    payload,
    pk_of,
    public_url,
    require_admin,
    to_gid,
)
from yizhan.plugins.events import closing, ical, signups, stats
from yizhan.plugins.events import events as ev
from yizhan.plugins.events import service as svc

PLUGIN = ev.PLUGIN


# --- enums -----------------------------------------------------------------------------------


@strawberry.enum(description="What kind of event it is.")
class EventKind(Enum):
    GAME = "game"
    """Games: chess, mahjong, cards."""
    FEAST = "feast"
    """A shared meal or festival."""
    VOLUNTEERING = "volunteering"
    """Volunteering: hours can be confirmed and rewarded."""
    TALK = "talk"
    """A talk or class."""
    OTHER = "other"
    """Anything else."""


@strawberry.enum(description="Whether an event (or series) still runs.")
class EventStatus(Enum):
    ACTIVE = "active"
    """It runs."""
    CANCELLED = "cancelled"
    """Cancelled, every date with it."""


@strawberry.enum(description="Where one date of an event stands.")
class EventOccurrenceStatus(Enum):
    SCHEDULED = "scheduled"
    """It will take place (or is taking place)."""
    CANCELLED = "cancelled"
    """This date is cancelled."""
    CLOSED = "closed"
    """Closed after it took place: attendance and rewards are final."""


@strawberry.enum(description="Where a sign-up stands.")
class EventSignUpStatus(Enum):
    CONFIRMED = "confirmed"
    """Has a place."""
    WAITLISTED = "waitlisted"
    """In line for a place that comes free."""
    CANCELLED = "cancelled"
    """Cancelled by the member, or with the date."""
    COMPLETED = "completed"
    """Checked in and the date closed: attended."""
    NO_SHOW = "no_show"
    """Held a place but did not check in."""


@strawberry.enum(description="What a reward was for.")
class EventRewardKind(Enum):
    FIRST_TIME = "first_time"
    """For completing a first event."""
    REFERRAL = "referral"
    """For bringing a newcomer who completed their first event."""
    HOURS = "hours"
    """For volunteering hours the organiser confirmed."""


@strawberry.enum(description="Whether a reward was paid: PAID from the community fund, "
                             "RECORDED only (credits off, or nothing to pay), UNFUNDED (waits "
                             "for the fund).")
class EventRewardStatus(Enum):
    PAID = "paid"
    """Paid from the community fund."""
    RECORDED = "recorded"
    """Recorded only (credits off, or nothing to pay)."""
    UNFUNDED = "unfunded"
    """Waits for the community fund to have enough."""


# --- helpers ---------------------------------------------------------------------------------


async def _community_of(info: Info, community_id: int) -> dict:
    community = await info.context.loaders.community.load(community_id)
    info.context.require_plugin(community, PLUGIN)
    return community


async def _viewer(info: Info, community: dict) -> dict | None:
    if await info.context.principal() is None:
        return None
    return await info.context.member(community)


def _positioned(items: list, after: str | None, skipped: int = 0) -> list[dict]:
    """``items`` with their positions (cursors): those after ``after``; or, when the first
    ``skipped`` were left out in SQL already, all of them numbered from ``skipped`` + 1."""
    start = skipped or from_cursor(after) or 0
    first = skipped + 1 if skipped else 1
    return [{"_pos": index, "item": item} for index, item in enumerate(items, start=first)
            if index > start]


async def _find_event(info: Info, gid: str, field: str = "eventId") -> tuple[dict, dict]:
    row = await ev.find_event(pk_of(gid, "Event", field))
    if row is None:
        raise not_found("event", field)
    return await _community_of(info, row["community"]), row


async def _find_occurrence(info: Info, gid: str, field: str = "occurrenceId"
                           ) -> tuple[dict, dict]:
    row = await ev.find_occurrence(pk_of(gid, "EventOccurrence", field))
    if row is None:
        raise not_found("event date", field)
    return await _community_of(info, row["community"]), row


def _member_pk(gid: str | None, field: str) -> int | None:
    return None if gid is None else pk_of(gid, "Member", field)


def _buildings(ids: list[strawberry.ID] | None, field: str) -> list[int] | None:
    return None if ids is None else [pk_of(i, "Building", field) for i in ids]


# --- types -----------------------------------------------------------------------------------


@strawberry.type(description="A reward earned at an event: the first completed event, a "
                             "newcomer brought, volunteering hours.")
class EventReward:
    kind: EventRewardKind
    """What it was for."""
    amount: Credits = strawberry.field(description="Credits (paid when credits is on).")
    status: EventRewardStatus
    """Whether it was paid."""
    _member: strawberry.Private[int]

    @strawberry.field(description="Who earned it.")
    async def member(self, info: Info) -> Member | None:
        return await member_by_id(info, self._member)


@strawberry.type(description="A neighbourhood event, or a series of them (with a recurrence "
                             "rule).")
class Event(Node):
    id: strawberry.ID
    """The global id (`node(id:)` fetches it again)."""
    title: str
    """The event's name."""
    description: str
    """What it is about (may be empty)."""
    kind: EventKind
    """What kind of event it is."""
    place: str = strawberry.field(description="Where it usually takes place.")
    starts_at: datetime = strawberry.field(description="The first date's start.")
    duration_minutes: int
    """How long each date lasts, in minutes."""
    rrule: str | None = strawberry.field(description="The RFC 5545 recurrence rule of a "
                                                     "series (null: a single event).")
    capacity: int = strawberry.field(description="Places per date.")
    fee: Credits = strawberry.field(description="Credits asked of members after their first "
                                                "participation (the first is free).")
    status: EventStatus
    """Whether it still runs."""
    audience: list[strawberry.ID] = strawberry.field(
        description="Buildings whose members may sign up (empty: the whole community).")
    invited: list[strawberry.ID] = strawberry.field(
        description="Buildings whose members are invited ahead of each date.")
    _row: strawberry.Private[dict]

    @classmethod
    def from_row(cls, row: dict) -> Event:
        """Build from a ``yz_event`` row."""
        return cls(
            id=to_gid("Event", row["id"]), title=row["title"], description=row["description"],
            kind=EventKind(row["kind"]), place=row["place"], starts_at=row["starts_at"],
            duration_minutes=row["duration_minutes"], rrule=row["rrule"] or None,
            capacity=row["capacity"], fee=format_centi(row["fee_centi"]),
            status=EventStatus(row["status"]),
            audience=[to_gid("Building", b) for b in ev.audience_of(row)],
            invited=[to_gid("Building", b) for b in ev.invited_of(row)], _row=row)

    @classmethod
    async def load_node(cls, info: Info, pk: int) -> Event | None:
        """``node(id:)``: public, like ``event`` (where events is on)."""
        row = await ev.find_event(pk)
        if row is None:
            return None
        await _community_of(info, row["community"])
        return cls.from_row(row)

    @strawberry.field(description="The organiser (a building leader or an admin).")
    async def organiser(self, info: Info) -> Member | None:
        return await member_by_id(info, self._row["organiser"])

    @strawberry.field(description="Its dates that have not ended yet, soonest first.")
    async def occurrences(self, info: Info, first: int | None = None, after: str | None = None,
                          include_cancelled: bool = False) -> Connection[EventOccurrence]:
        """
        Args:
            first: Page size, 1 to 100 (default 20).
            after: Return the items after this cursor (`pageInfo.endCursor`).
            include_cancelled: Include cancelled ones too.
        """
        community = await _community_of(info, self._row["community"])
        size = page_size(first)
        start = from_cursor(after) or 0
        found = await ev.upcoming(community, event_id=self._row["id"],
                                  include_cancelled=include_cancelled, offset=start,
                                  limit=size + 1)
        rows = _positioned(found, None, start)
        return build_connection(rows, size, lambda r: EventOccurrence.from_row(*r["item"]),
                                key="_pos")


@strawberry.type(description="One date of an event: it can be moved or cancelled alone.")
class EventOccurrence(Node):
    id: strawberry.ID
    """The global id (`node(id:)` fetches it again)."""
    title: str
    """The event's name."""
    kind: EventKind
    """What kind of event it is."""
    starts_at: datetime
    """When this date starts."""
    ends_at: datetime
    """When this date ends."""
    place: str
    """Where this date takes place."""
    capacity: int
    """Places at this date."""
    status: EventOccurrenceStatus
    """Where this date stands."""
    moved: bool = strawberry.field(description="Moved from the series' usual time or place.")
    cancel_reason: str
    """Why this date was cancelled (empty if not)."""
    closed_at: datetime | None
    """When the date was closed (null while open)."""
    _row: strawberry.Private[dict]
    _event: strawberry.Private[dict]

    @classmethod
    def from_row(cls, row: dict, event: dict) -> EventOccurrence:
        """Build from a ``yz_event_occurrence`` row and its event."""
        return cls(
            id=to_gid("EventOccurrence", row["id"]), title=event["title"],
            kind=EventKind(event["kind"]), starts_at=row["starts_at"], ends_at=row["ends_at"],
            place=ev.place_of(event, row), capacity=ev.capacity_of(event, row),
            status=EventOccurrenceStatus(row["status"]), moved=row["moved"],
            cancel_reason=row["cancel_reason"], closed_at=row["closed_at"], _row=row,
            _event=event)

    @classmethod
    async def load_node(cls, info: Info, pk: int) -> EventOccurrence | None:
        """``node(id:)``: public, like ``eventOccurrence`` (where events is on)."""
        row = await ev.find_occurrence(pk)
        if row is None:
            return None
        community = await _community_of(info, row["community"])
        return cls.from_row(row, await ev.get_event(community, row["event"]))

    @strawberry.field(description="Its UID in the iCalendar feeds (stable however it moves).")
    async def uid(self, info: Info) -> str:
        community = await info.context.loaders.community.load(self._row["community"])
        return ical.uid(community, self._row)

    @strawberry.field(description="The event or series.")
    def event(self) -> Event:
        return Event.from_row(self._event)

    @strawberry.field(description="Places taken (confirmed or completed).")
    async def places_taken(self) -> int:
        return await signups.taken(self._row["id"])

    @strawberry.field(description="Places still free.")
    async def places_left(self) -> int:
        return max(ev.capacity_of(self._event, self._row) - await signups.taken(self._row["id"]),
                   0)

    @strawberry.field(description="People waiting for a place.")
    async def waitlist(self) -> int:
        return len([s for s in await signups.active(self._row["id"])
                    if s["status"] == signups.WAITLISTED])

    @strawberry.field(description="The caller's sign-up for this date, if any.")
    async def viewer_sign_up(self, info: Info) -> EventSignUp | None:
        community = await _community_of(info, self._row["community"])
        member = await _viewer(info, community)
        if not member or member.get("id") is None:
            return None
        for row in await signups.of_occurrence(self._row["id"]):
            if row["member"] == member["id"] and row["status"] != signups.CANCELLED:
                return EventSignUp.from_row(row, community)
        return None


@strawberry.type(description="A member's place (or place in line) at one date of an event.")
class EventSignUp(Node):
    id: strawberry.ID
    """The global id (`node(id:)` fetches it again)."""
    status: EventSignUpStatus
    """Where the sign-up stands."""
    walk_in: bool
    """Added at the door without signing up first."""
    checked_in_at: datetime | None
    """When they were checked in (null: not yet)."""
    late: bool = strawberry.field(description="Checked in after the start (plus the grace "
                                              "minutes).")
    first_time: bool = strawberry.field(description="It was the member's first completed "
                                                    "event (set at close).")
    fee: Credits
    """Credits charged for this place (0 for a first participation)."""
    hours: str | None = strawberry.field(description="Volunteering hours the organiser "
                                                     "confirmed.")
    created_at: datetime
    """When they signed up."""
    promoted_at: datetime | None = strawberry.field(description="When a place came free for "
                                                                "them on the waitlist.")
    _row: strawberry.Private[dict]
    _community: strawberry.Private[dict]

    @classmethod
    def from_row(cls, row: dict, community: dict) -> EventSignUp:
        """Build from a ``yz_event_signup`` row."""
        return cls(
            id=to_gid("EventSignUp", row["id"]), status=EventSignUpStatus(row["status"]),
            walk_in=row["walk_in"], checked_in_at=row["checked_in_at"], late=row["late"],
            first_time=row["first_time"], fee=format_centi(row["fee_centi"]),
            hours=None if row["hours_centi"] is None else format_centi(row["hours_centi"]),
            created_at=row["created_at"], promoted_at=row["promoted_at"], _row=row,
            _community=community)

    @classmethod
    async def load_node(cls, info: Info, pk: int) -> EventSignUp | None:
        """``node(id:)``: the member and whoever signed them up (``myEventSignUps``), the
        organiser and admins (``eventAttendance``); null for other members."""
        row = await signups.find_signup(pk)
        if row is None:
            return None
        community = await _community_of(info, row["community"])
        member = await info.context.require_member(community)
        if member.get("id") in (row["member"], row["signed_up_by"]):
            return cls.from_row(row, community)
        member = await info.context.require_verified(community)
        occurrence = await ev.get_occurrence(community, row["occurrence"])
        event = await ev.get_event(community, occurrence["event"])
        return cls.from_row(row, community) if signups.is_in_charge(member, event) else None

    async def _may_see_code(self, info: Info) -> bool:
        member = await _viewer(info, self._community)
        return bool(member and member.get("id") in (self._row["member"],
                                                   self._row["signed_up_by"]))

    @strawberry.field(description="The one-time check-in code (the member and whoever signed "
                                  "them up; null for others).")
    async def code(self, info: Info) -> str | None:
        return self._row["code"] if await self._may_see_code(info) else None

    @strawberry.field(description="What the check-in QR code holds (same people as `code`).")
    async def qr_payload(self, info: Info) -> str | None:
        if not await self._may_see_code(info):
            return None
        return signups.qr_payload(self._community, self._row["code"])

    @strawberry.field(description="Place in line (1: next), for a waitlisted sign-up.")
    async def position(self) -> int | None:
        if self._row["status"] != signups.WAITLISTED:
            return None
        line = [s["id"] for s in await signups.active(self._row["occurrence"])
                if s["status"] == signups.WAITLISTED]
        return line.index(self._row["id"]) + 1

    @strawberry.field(description="The member.")
    async def member(self, info: Info) -> Member | None:
        return await member_by_id(info, self._row["member"])

    @strawberry.field(description="The member who brought them, as they named.")
    async def referrer(self, info: Info) -> Member | None:
        return await member_by_id(info, self._row["referrer"])

    @strawberry.field(description="Who signed them up, when not themself (a leader for an "
                                  "elder, the organiser for a walk-in).")
    async def signed_up_by(self, info: Info) -> Member | None:
        return await member_by_id(info, self._row["signed_up_by"])

    @strawberry.field(description="The event date.")
    async def occurrence(self) -> EventOccurrence:
        row = await ev.get_occurrence(self._community, self._row["occurrence"])
        return EventOccurrence.from_row(row, await ev.get_event(self._community, row["event"]))

    @strawberry.field(description="Rewards this sign-up earned.")
    async def rewards(self) -> list[EventReward]:
        found = await closing.rewards_of(self._community, [self._row["id"]])
        return [EventReward(kind=EventRewardKind(r["kind"]),
                            amount=format_centi(r["amount_centi"]),
                            status=EventRewardStatus(r["status"]), _member=r["member"])
                for r in found.get(self._row["id"], [])]


@strawberry.type(description="Counts for one event date or a period.")
class EventFigures:
    signed_up: int = strawberry.field(description="Places held (completed, no-show or still "
                                                  "confirmed).")
    waitlisted: int
    """People still in line."""
    attended: int
    """People checked in."""
    no_shows: int
    """People who held a place and did not come."""
    first_timers: int = strawberry.field(description="Attendees whose first completed event "
                                                     "it was.")
    referrals: int = strawberry.field(description="First-timers who named the member who "
                                                  "brought them.")
    converted: int = strawberry.field(description="First-timers who posted or accepted a need "
                                                  "within the conversion window.")
    conversion: str | None = strawberry.field(description="The share of first-timers who "
                                                          "converted, in percent (one decimal); "
                                                          "null without first-timers.")

    @classmethod
    def of(cls, figures: stats.Figures) -> EventFigures:
        """Build from the service's figures."""
        conversion = figures.conversion
        return cls(signed_up=figures.signed_up, waitlisted=figures.waitlisted,
                   attended=figures.attended, no_shows=figures.no_shows,
                   first_timers=figures.first_timers, referrals=figures.referrals,
                   converted=figures.converted,
                   conversion=None if conversion is None else str(conversion))


@strawberry.type(description="One event date's figures.")
class EventOccurrenceFigures:
    occurrence: EventOccurrence
    """The date."""
    figures: EventFigures
    """Its counts."""


@strawberry.type(description="A month's event figures (admins).")
class EventStats:
    month: str = strawberry.field(description="The month, `2026-11`, in the community's time "
                                              "zone.")
    conversion_days: int = strawberry.field(description="The conversion window in days.")
    totals: EventFigures
    """The month's counts, every date together."""
    occurrences: list[EventOccurrenceFigures]
    """Each date of the month, soonest first."""


# --- queries ---------------------------------------------------------------------------------


def _month_bounds(community: dict, month: str | None) -> tuple[str, datetime, datetime]:
    tz = ZoneInfo(community.get("time_zone") or "Asia/Shanghai")
    if month is None:
        today = ev.local(community, ev.now()).date()
        first = date(today.year, today.month, 1)
    else:
        try:
            year, number = (int(p) for p in month.split("-"))
            first = date(year, number, 1)
        except ValueError:
            raise invalid("month", "Give a month like 2026-11.", code="INVALID_MONTH") from None
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return (f"{first:%Y-%m}", datetime(first.year, first.month, 1, tzinfo=tz),
            datetime(following.year, following.month, 1, tzinfo=tz))


async def event_stats(community: dict, month: str | None) -> EventStats:
    """The figures of a month (also used by the CLI)."""
    label, start, end = _month_bounds(community, month)
    entries = await stats.by_occurrence(community["id"], start, end)
    total = stats.Figures()
    out = []
    events = await ev.events_by_id([e.occurrence["event"] for e in entries])
    for entry in entries:
        total.add(entry.figures)
        out.append(EventOccurrenceFigures(
            occurrence=EventOccurrence.from_row(entry.occurrence,
                                                events[entry.occurrence["event"]]),
            figures=EventFigures.of(entry.figures)))
    return EventStats(month=label, conversion_days=ev.settings_of(community).conversion_days,
                      totals=EventFigures.of(total), occurrences=out)


@strawberry.type
class EventsQuery:
    """The events plugin's root query fields."""

    @strawberry.field(description="A community's events and series, newest first (public).")
    async def events(self, info: Info, community: str, include_cancelled: bool = False,
                     first: int | None = None, after: str | None = None) -> Connection[Event]:
        """
        Args:
            community: The community's slug.
            include_cancelled: Include cancelled ones too.
            first: Page size, 1 to 100 (default 20).
            after: Return the items after this cursor (`pageInfo.endCursor`).
        """
        row = await info.context.plugin_community(community, PLUGIN)
        size = page_size(first)
        rows = await ev.list_events(row, include_cancelled, before_id=from_cursor(after),
                                    limit=size + 1)
        return build_connection(rows, size, Event.from_row)

    @strawberry.field(description="One event or series (public).")
    async def event(self, info: Info, id: strawberry.ID) -> Event:
        """
        Args:
            id: The event's global id.
        """
        _, row = await _find_event(info, id, "id")
        return Event.from_row(row)

    @strawberry.field(description="Event dates that have not ended, soonest first (public), "
                                  "filtered by kind, period (`from`, `to`), a building whose "
                                  "members may come, and whether to include cancelled ones.")
    async def upcoming_events(self, info: Info, community: str, kind: EventKind | None = None,
                              from_: Annotated[datetime | None, strawberry.argument(
                                  name="from")] = None,
                              to: datetime | None = None,
                              building_id: strawberry.ID | None = None,
                              include_cancelled: bool = False, first: int | None = None,
                              after: str | None = None) -> Connection[EventOccurrence]:
        """
        Args:
            community: The community's slug.
            kind: Only events of this kind.
            from_: Only dates ending after this time.
            to: Only dates starting before this time.
            building_id: Only events members of this building may come to.
            include_cancelled: Include cancelled ones too.
            first: Page size, 1 to 100 (default 20).
            after: Return the items after this cursor (`pageInfo.endCursor`).
        """
        row = await info.context.plugin_community(community, PLUGIN)
        size = page_size(first)
        building = None if building_id is None else pk_of(building_id, "Building",
                                                          "buildingId")
        start = from_cursor(after) or 0
        found = await ev.upcoming(row, kind=kind.value if kind else None, start=from_, end=to,
                                  building=building, include_cancelled=include_cancelled,
                                  offset=start, limit=size + 1)
        rows = _positioned(found, None, start)
        return build_connection(rows, size, lambda r: EventOccurrence.from_row(*r["item"]),
                                key="_pos")

    @strawberry.field(description="One event date (public).")
    async def event_occurrence(self, info: Info, id: strawberry.ID) -> EventOccurrence:
        """
        Args:
            id: The date's global id.
        """
        community, row = await _find_occurrence(info, id, "id")
        return EventOccurrence.from_row(row, await ev.get_event(community, row["event"]))

    @strawberry.field(description="My sign-ups with their check-in codes, soonest first "
                                  "(coming ones; with `includePast`, all).")
    async def my_event_sign_ups(self, info: Info, community: str, include_past: bool = False,
                                first: int | None = None, after: str | None = None
                                ) -> Connection[EventSignUp]:
        """
        Args:
            community: The community's slug.
            include_past: Include past dates' sign-ups too.
            first: Page size, 1 to 100 (default 20).
            after: Return the items after this cursor (`pageInfo.endCursor`).
        """
        row = await info.context.plugin_community(community, PLUGIN)
        member = await info.context.require_member(row)
        size = page_size(first)
        found = [] if member.get("id") is None else await signups.of_member(
            row, member["id"], since=None if include_past else ev.now())
        rows = _positioned(found, after)[:size + 1]
        return build_connection(rows, size, lambda r: EventSignUp.from_row(r["item"], row),
                                key="_pos")

    @strawberry.field(description="Everyone signed up for a date, in line order, with "
                                  "check-in state (the organiser and admins).")
    async def event_attendance(self, info: Info, occurrence_id: strawberry.ID
                               ) -> list[EventSignUp]:
        """
        Args:
            occurrence_id: The date (an `EventOccurrence` id).
        """
        community, occurrence = await _find_occurrence(info, occurrence_id)
        member = await info.context.require_verified(community)
        event = await ev.get_event(community, occurrence["event"])
        if not signups.is_in_charge(member, event):
            raise forbidden("Only the organiser or an admin can do this.")
        return [EventSignUp.from_row(r, community)
                for r in await signups.of_occurrence(occurrence["id"])]

    @strawberry.field(description="A month's event figures, each date and the totals, with "
                                  "conversion (admins; the current month by default).")
    async def event_stats(self, info: Info, community: str, month: str | None = None
                          ) -> EventStats:
        """
        Args:
            community: The community's slug.
            month: The month, `2026-11` (default: the current one).
        """
        row = await info.context.plugin_community(community, PLUGIN)
        require_admin(await info.context.require_member(row))
        return await event_stats(row, month)


# --- mutations -------------------------------------------------------------------------------


@strawberry.input(description="A new event, or a series with `rrule` (leaders and admins). "
                              "Times without an offset are local to the community.")
class CreateEventInput:
    community: str
    """The community's slug."""
    title: str
    """The event's name."""
    kind: EventKind
    """What kind of event it is."""
    place: str
    """Where it takes place."""
    starts_at: datetime
    """When the (first) date starts."""
    ends_at: datetime
    """When the (first) date ends (sets each date's length)."""
    capacity: int
    """Places per date (at least 1)."""
    description: str = ""
    """What it is about."""
    rrule: str | None = strawberry.field(default=None, description="RFC 5545 rule, e.g. "
                                                                   "FREQ=WEEKLY;BYDAY=SA.")
    organiser_id: strawberry.ID | None = strawberry.field(
        default=None, description="Another leader or admin as organiser (default: me).")
    audience: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Buildings whose members may sign up (default: everyone).")
    invite: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Buildings whose members are invited ahead of each date.")
    fee: Credits | None = strawberry.field(default=None, description="Fee after the first "
                                                                     "participation (default: "
                                                                     "the setting).")


@strawberry.input(description="Change an event or series (the organiser or an admin); what "
                              "is left out stays.")
class UpdateEventInput:
    event_id: strawberry.ID
    """The event or series."""
    title: str | None = None
    """A new name."""
    description: str | None = None
    """A new description."""
    kind: EventKind | None = None
    """A new kind."""
    place: str | None = None
    """A new usual place."""
    capacity: int | None = None
    """New places per date (not below the places taken)."""
    fee: Credits | None = None
    """A new fee after the first participation."""
    audience: list[strawberry.ID] | None = None
    """Buildings whose members may sign up (empty: everyone)."""
    invite: list[strawberry.ID] | None = None
    """Buildings whose members are invited ahead of each date."""


@strawberry.input(description="Cancel an event or a whole series (the organiser or an admin).")
class CancelEventInput:
    event_id: strawberry.ID
    """The event or series."""
    reason: str
    """Why, told to everyone signed up."""


@strawberry.type(description="The event after the change.")
class EventPayload:
    event: Event | None = None
    """The event (null when there are errors)."""
    errors: list[UserError] = strawberry.field(default_factory=list)
    """What was wrong with the input (empty on success; nothing was changed otherwise)."""


@strawberry.input(description="Move one date, or change its place or capacity (the organiser "
                              "or an admin); the rest of the series stays.")
class UpdateEventOccurrenceInput:
    occurrence_id: strawberry.ID
    """The date."""
    starts_at: datetime | None = None
    """A new start."""
    ends_at: datetime | None = None
    """A new end."""
    place: str | None = None
    """A new place for this date."""
    capacity: int | None = None
    """New places for this date."""


@strawberry.input(description="Cancel one date alone; everyone signed up is told.")
class CancelEventOccurrenceInput:
    occurrence_id: strawberry.ID
    """The date."""
    reason: str
    """Why, told to everyone signed up."""


@strawberry.input(description="Hours one volunteer gave, confirmed by the organiser.")
class VolunteerHoursInput:
    member_id: strawberry.ID
    """The volunteer (a `Member` id)."""
    hours: str = strawberry.field(description="Hours as a decimal string, `2.5`.")


@strawberry.input(description="Close a date after its start: checked-in people completed, "
                              "the others no-show; rewards are paid once.")
class CloseEventOccurrenceInput:
    occurrence_id: strawberry.ID
    """The date."""
    hours: list[VolunteerHoursInput] | None = None
    """Volunteers' hours to confirm at once (volunteering dates)."""


@strawberry.type(description="The event date after the change.")
class EventOccurrencePayload:
    occurrence: EventOccurrence | None = None
    """The date (null when there are errors)."""
    errors: list[UserError] = strawberry.field(default_factory=list)
    """What was wrong with the input (empty on success; nothing was changed otherwise)."""


@strawberry.input(description="Sign up for a date (verified members). A leader may sign up a "
                              "member of their building (`memberId`); `referrerId` names who "
                              "brought them.")
class SignUpForEventInput:
    occurrence_id: strawberry.ID
    """The date."""
    member_id: strawberry.ID | None = None
    """Sign up this member of your building instead of yourself (leaders)."""
    referrer_id: strawberry.ID | None = None
    """The member who brought them (for the referral reward)."""


@strawberry.input(description="Cancel a sign-up (until the cut-off for a confirmed place).")
class CancelEventSignUpInput:
    sign_up_id: strawberry.ID
    """The sign-up."""


@strawberry.input(description="Check someone in (the organiser or an admin) by exactly one "
                              "of: their code or QR payload, member, or name. `walkIn` adds a "
                              "member who did not sign up.")
class CheckInToEventInput:
    occurrence_id: strawberry.ID
    """The date."""
    code: str | None = None
    """Their check-in code or the QR payload."""
    member_id: strawberry.ID | None = None
    """The member."""
    name: str | None = None
    """Their name, as shown in the attendance list."""
    walk_in: bool = False
    """Add a member who did not sign up."""


@strawberry.type(description="The sign-up after the change.")
class EventSignUpPayload:
    sign_up: EventSignUp | None = None
    """The sign-up (null when there are errors)."""
    errors: list[UserError] = strawberry.field(default_factory=list)
    """What was wrong with the input (empty on success; nothing was changed otherwise)."""


@strawberry.input(description="Confirm volunteers' hours at a closed volunteering date.")
class ConfirmVolunteerHoursInput:
    occurrence_id: strawberry.ID
    """The closed date."""
    hours: list[VolunteerHoursInput]
    """Each volunteer's hours."""


@strawberry.type(description="The sign-ups whose hours were confirmed.")
class VolunteerHoursPayload:
    sign_ups: list[EventSignUp] = strawberry.field(default_factory=list)
    """The sign-ups whose hours were confirmed."""
    errors: list[UserError] = strawberry.field(default_factory=list)
    """What was wrong with the input (empty on success; nothing was changed otherwise)."""


@strawberry.input(description="Make a new secret URL for my calendar of sign-ups (the old one "
                              "stops working).")
class RegenerateEventFeedInput:
    community: str
    """The community's slug."""


@strawberry.type(description="My private calendar feed: keep the URL secret.")
class EventFeedPayload:
    url: str | None = None
    """The feed's new secret URL (iCalendar)."""
    errors: list[UserError] = strawberry.field(default_factory=list)
    """What was wrong with the input (empty on success; nothing was changed otherwise)."""


def _hours(entries: list[VolunteerHoursInput] | None) -> list[tuple[int, str]]:
    return [(pk_of(e.member_id, "Member", "hours"), e.hours) for e in entries or []]


@strawberry.type
class EventsMutation:
    """The events plugin's mutations."""

    @strawberry.mutation(description="Create an event or series (leaders and admins).")
    @payload(EventPayload)
    async def create_event(self, info: Info, input: CreateEventInput) -> EventPayload:
        """
        Args:
            input: The event.
        """
        row = await info.context.plugin_community(input.community, PLUGIN)
        actor = await info.context.require_verified(row)
        ev.require_organiser_role(actor)
        organiser = None
        if input.organiser_id is not None:
            organiser = await svc_member(row, pk_of(input.organiser_id, "Member",
                                                    "organiserId"))
        event = await svc.create_event(
            row, actor, title=input.title, kind=input.kind.value, place=input.place,
            starts_at=input.starts_at, ends_at=input.ends_at, capacity=input.capacity,
            description=input.description, rrule=input.rrule, organiser=organiser,
            audience=_buildings(input.audience, "audience"),
            invited=_buildings(input.invite, "invite"), fee=input.fee)
        return EventPayload(event=Event.from_row(event))

    @strawberry.mutation(description="Change an event or series (the organiser or an admin).")
    @payload(EventPayload)
    async def update_event(self, info: Info, input: UpdateEventInput) -> EventPayload:
        """
        Args:
            input: The event and what changes.
        """
        community, row = await _find_event(info, input.event_id)
        actor = await info.context.require_verified(community)
        event = await svc.update_event(
            community, actor, row["id"], title=input.title, description=input.description,
            kind=input.kind.value if input.kind else None, place=input.place,
            capacity=input.capacity, fee=input.fee,
            audience=_buildings(input.audience, "audience"),
            invited=_buildings(input.invite, "invite"))
        return EventPayload(event=Event.from_row(event))

    @strawberry.mutation(description="Cancel an event or a whole series.")
    @payload(EventPayload)
    async def cancel_event(self, info: Info, input: CancelEventInput) -> EventPayload:
        """
        Args:
            input: The event and why.
        """
        community, row = await _find_event(info, input.event_id)
        actor = await info.context.require_verified(community)
        return EventPayload(event=Event.from_row(
            await svc.cancel_event(community, actor, row["id"], input.reason)))

    @strawberry.mutation(description="Move one date or change its place or capacity.")
    @payload(EventOccurrencePayload)
    async def update_event_occurrence(self, info: Info, input: UpdateEventOccurrenceInput
                                      ) -> EventOccurrencePayload:
        """
        Args:
            input: The date and what changes.
        """
        community, row = await _find_occurrence(info, input.occurrence_id)
        actor = await info.context.require_verified(community)
        changed = await svc.move_occurrence(
            community, actor, row["id"], starts_at=input.starts_at, ends_at=input.ends_at,
            place=input.place, capacity=input.capacity)
        return EventOccurrencePayload(occurrence=EventOccurrence.from_row(
            changed, await ev.get_event(community, changed["event"])))

    @strawberry.mutation(description="Cancel one date alone.")
    @payload(EventOccurrencePayload)
    async def cancel_event_occurrence(self, info: Info, input: CancelEventOccurrenceInput
                                      ) -> EventOccurrencePayload:
        """
        Args:
            input: The date and why.
        """
        community, row = await _find_occurrence(info, input.occurrence_id)
        actor = await info.context.require_verified(community)
        changed = await svc.cancel_occurrence(community, actor, row["id"], input.reason)
        return EventOccurrencePayload(occurrence=EventOccurrence.from_row(
            changed, await ev.get_event(community, changed["event"])))

    @strawberry.mutation(description="Sign up for a date (or join its waitlist when full).")
    @payload(EventSignUpPayload)
    async def sign_up_for_event(self, info: Info, input: SignUpForEventInput
                                ) -> EventSignUpPayload:
        """
        Args:
            input: The date and whom to sign up.
        """
        community, row = await _find_occurrence(info, input.occurrence_id)
        actor = await info.context.require_verified(community)
        signup = await svc.sign_up(community, actor, row["id"],
                                   member_id=_member_pk(input.member_id, "memberId"),
                                   referrer_id=_member_pk(input.referrer_id, "referrerId"))
        return EventSignUpPayload(sign_up=EventSignUp.from_row(signup, community))

    @strawberry.mutation(description="Cancel a sign-up; a freed place goes to the first in "
                                     "line.")
    @payload(EventSignUpPayload)
    async def cancel_event_sign_up(self, info: Info, input: CancelEventSignUpInput
                                   ) -> EventSignUpPayload:
        """
        Args:
            input: The sign-up.
        """
        found = await signups.find_signup(pk_of(input.sign_up_id, "EventSignUp", "signUpId"))
        if found is None:
            raise not_found("sign-up", "signUpId")
        community = await _community_of(info, found["community"])
        actor = await info.context.require_verified(community)
        signup = await svc.cancel_sign_up(community, actor, found["id"])
        return EventSignUpPayload(sign_up=EventSignUp.from_row(signup, community))

    @strawberry.mutation(description="Check someone in by code, QR payload, member or name; "
                                     "walk-ins are added and checked in at once.")
    @payload(EventSignUpPayload)
    async def check_in_to_event(self, info: Info, input: CheckInToEventInput
                                ) -> EventSignUpPayload:
        """
        Args:
            input: The date and who came.
        """
        community, row = await _find_occurrence(info, input.occurrence_id)
        actor = await info.context.require_verified(community)
        signup = await svc.check_in(community, actor, row["id"], code=input.code,
                                    member_id=_member_pk(input.member_id, "memberId"),
                                    name=input.name, walk_in=input.walk_in)
        return EventSignUpPayload(sign_up=EventSignUp.from_row(signup, community))

    @strawberry.mutation(description="Close a date: attendees completed, others no-show, "
                                     "rewards paid once.")
    @payload(EventOccurrencePayload)
    async def close_event_occurrence(self, info: Info, input: CloseEventOccurrenceInput
                                     ) -> EventOccurrencePayload:
        """
        Args:
            input: The date and volunteers' hours.
        """
        community, row = await _find_occurrence(info, input.occurrence_id)
        actor = await info.context.require_verified(community)
        closed = await svc.close(community, actor, row["id"], hours=_hours(input.hours))
        return EventOccurrencePayload(occurrence=EventOccurrence.from_row(
            closed, await ev.get_event(community, closed["event"])))

    @strawberry.mutation(description="Confirm volunteers' hours (paid once, 1 credit an hour).")
    @payload(VolunteerHoursPayload)
    async def confirm_volunteer_hours(self, info: Info, input: ConfirmVolunteerHoursInput
                                      ) -> VolunteerHoursPayload:
        """
        Args:
            input: The date and the hours.
        """
        community, row = await _find_occurrence(info, input.occurrence_id)
        actor = await info.context.require_verified(community)
        done = await svc.confirm_hours(community, actor, row["id"], _hours(input.hours))
        return VolunteerHoursPayload(sign_ups=[EventSignUp.from_row(s, community)
                                               for s in done])

    @strawberry.mutation(description="A new secret URL for my calendar of sign-ups.")
    @payload(EventFeedPayload)
    async def regenerate_event_feed(self, info: Info, input: RegenerateEventFeedInput
                                    ) -> EventFeedPayload:
        """
        Args:
            input: The community.
        """
        row = await info.context.plugin_community(input.community, PLUGIN)
        member = await info.context.require_verified(row)
        if member.get("id") is None:
            raise forbidden("A service token must act for a member (X-Act-As) to do this.")
        secret = await ical.regenerate(row, member["id"])
        return EventFeedPayload(url=public_url() + ical.feed_path(row, secret))


async def svc_member(community: dict, member_id: int) -> dict:
    """A member of the community (for an organiser named by id)."""
    from yizhan.core.api import get_member

    return await get_member(community, member_id)


def contribution() -> GraphQLContribution:
    """What the events plugin adds to the schema."""
    return GraphQLContribution(query=EventsQuery, mutation=EventsMutation)
