"""Core's GraphQL types. One owner per type: plugins import these, never redefine them."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from yizhan.core.graphql.ids import to_gid
from yizhan.core.graphql.scalars import Credits, credits
from yizhan.core.services import hours as hours_service
from yizhan.core.services import validation as v
from yizhan.core.services.notifications import render
from yizhan.core.switches import switches

T = TypeVar("T")


@strawberry.enum
class NeedStatus(Enum):
    """Where a need stands."""

    OPEN = "open"
    """Posted and waiting for a helper."""
    ACCEPTED = "accepted"
    """A helper took it on; the work is not done yet."""
    DONE = "done"
    """The helper marked it done; waiting for the requester to confirm."""
    CONFIRMED = "confirmed"
    """The requester (or a leader for them) confirmed the help: hours and any credits are booked."""
    CANCELLED = "cancelled"
    """Called off before it was confirmed; nothing is booked."""
    EXPIRED = "expired"
    """Its window passed with no helper; nothing is booked."""


@strawberry.enum
class MemberStatus(Enum):
    """Where a membership stands."""

    PENDING = "pending"
    """Asked to join; a leader has not decided yet. Sees only what the public sees and their own
    request."""
    VERIFIED = "verified"
    """A leader checked who they are: a full member."""
    DECLINED = "declined"
    """A leader declined the request to join (the reason is on the membership)."""
    LEFT = "left"
    """The member left the community."""
    REMOVED = "removed"
    """An admin removed the member."""


@strawberry.enum
class Role(Enum):
    """A member's role in a community, from least to most authority."""

    RESIDENT = "resident"
    """A member with no leading role."""
    DEPUTY_LEADER = "deputy_leader"
    """Helps the building leaders: verifies members and posts for neighbours in their building."""
    BUILDING_LEADER = "building_leader"
    """Leads a building: verifies its members, posts and confirms for its residents."""
    ADMIN = "admin"
    """Runs the community: roles, buildings, plugins and their settings."""


@strawberry.interface
class Node:
    """An object with a global id, fetchable with ``node(id:)``."""

    id: strawberry.ID
    """The global id: give it to `node(id:)` or to any argument that takes this object's id."""


@strawberry.type
class Community(Node):
    """A community running a time bank."""

    slug: str
    """The short name in addresses and in every `community:` argument (`shuixie`)."""
    name: str
    """The community's display name."""
    time_zone: str
    """The IANA time zone its local times are in (`Asia/Shanghai`)."""
    locale: str
    """The default language of its messages (`zh_Hans` or `en`)."""
    _row: strawberry.Private[dict]

    @classmethod
    def from_row(cls, row: dict) -> Community:
        """Build from a ``yz_community`` row."""
        return cls(id=to_gid("Community", row["id"]), slug=row["slug"], name=row["name"],
                   time_zone=row["time_zone"], locale=row["locale"], _row=row)

    @strawberry.field
    def enabled_plugins(self) -> list[str]:
        """Plugins switched on here (core included): clients show only what is on."""
        return switches.enabled_plugins(self._row["id"])


@strawberry.type
class Building(Node):
    """A building of a community."""

    name: str
    """The building's name as residents know it."""
    households: int
    """How many households live there (for participation rates)."""
    _row: strawberry.Private[dict]

    @classmethod
    def from_row(cls, row: dict) -> Building:
        """Build from a ``yz_building`` row."""
        return cls(id=to_gid("Building", row["id"]), name=row["name"],
                   households=row["households"], _row=row)


@strawberry.type
class AvailabilitySlot:
    """A weekly time a member is usually free (community local time)."""

    weekday: int
    """Day of the week: 0 is Monday, 6 is Sunday."""
    start: str
    """Start time, `HH:MM` (community local time)."""
    end: str
    """End time, `HH:MM` (community local time), after `start`."""


@strawberry.type
class Hours:
    """Help given and received through confirmed needs."""

    minutes_given: int
    """Minutes of help this member gave in confirmed needs."""
    minutes_received: int
    """Minutes of help this member received in confirmed needs."""
    needs_helped: int
    """How many confirmed needs this member helped with."""
    people_helped: int = strawberry.field(
        description="Distinct neighbours (households) this member has helped.")


def _related(info: Info, kind: str, pk: int | None, convert: Callable[[dict], T]) -> Any:
    """``convert(row)`` for a related row: at once when prefetched, else awaitable (batched).

    Resolvers return this directly; graphql-core awaits it only when it is awaitable, so
    prefetched pages resolve without creating a coroutine per field.
    """
    if pk is None:
        return None
    row = info.context.loaders.row(kind, pk)
    if isinstance(row, dict):
        return convert(row)

    async def later() -> T | None:
        loaded = await row
        return convert(loaded) if loaded else None

    return later()


async def _viewer_sees_private(info: Info, member_row: dict) -> bool:
    ctx = info.context
    person = await ctx.person()
    if person is not None and person["id"] == member_row["person"]:
        return True
    community = await ctx.loaders.community.load(member_row["community"])
    viewer = await ctx.member(community)
    return v.is_leader_of(viewer, member_row["building"])


@strawberry.type
class Member(Node):
    """A person's membership of one community."""

    display_name: str = strawberry.field(description="The name neighbours see.")
    username: str = strawberry.field(description="The person's login name.")
    role: Role = strawberry.field(description="The member's role in the community.")
    status: MemberStatus = strawberry.field(description="Whether the membership is pending, "
                                                        "verified, declined, left or removed.")
    skills: list[str]
    """What the member offers to help with, in their words."""
    requested_at: datetime | None
    """When they asked to join (null for members added from the CLI)."""
    verified_at: datetime | None
    """When a leader verified them (null until then)."""
    _row: strawberry.Private[dict]

    @classmethod
    def from_row(cls, row: dict) -> Member:
        """Build from a member row joined with its person (see ``loaders.members_by_id``)."""
        return cls(id=to_gid("Member", row["id"]), display_name=row["display_name"],
                   username=row["username"], role=Role(row["role"]),
                   status=MemberStatus(row["status"]),
                   skills=json.loads(row["skills"] or "[]"), requested_at=row["requested_at"],
                   verified_at=row["verified_at"], _row=row)

    @strawberry.field(description="Real name: visible to the member and their leaders only.")
    async def real_name(self, info: Info) -> str | None:
        if not await _viewer_sees_private(info, self._row):
            return None
        person = await info.context.loaders.person.load(self._row["person"])
        return person["real_name"] if person else None

    @strawberry.field(description="Why a request to join was declined (member and leaders).")
    async def decline_reason(self, info: Info) -> str | None:
        if not self._row["decline_reason"] or not await _viewer_sees_private(info, self._row):
            return None
        return self._row["decline_reason"]

    @strawberry.field(description="When the request to join was declined (member and leaders).")
    async def declined_at(self, info: Info) -> datetime | None:
        if self._row["declined_at"] is None or not await _viewer_sees_private(info, self._row):
            return None
        return self._row["declined_at"]

    @strawberry.field(description="Who declined the request to join (member and leaders; None "
                                  "when done from the CLI).")
    async def declined_by(self, info: Info) -> Member | None:
        if self._row["declined_by"] is None or not await _viewer_sees_private(info, self._row):
            return None
        found = await member_objects([self._row["declined_by"]])
        return found[0] if found else None

    @strawberry.field(description="Every request to join and every decision on it (verified, "
                                   "declined with the reason, left, removed, role changes), "
                                   "oldest first: the member and their leaders only.")
    async def join_history(self, info: Info) -> list[AuditEntry] | None:
        from yizhan.core import audit

        if not await _viewer_sees_private(info, self._row):
            return None
        rows = await audit.entries(self._row["community"], subject_type="Member",
                                   subject_id=str(self._row["id"]), action="member.",
                                   limit=200)
        return [AuditEntry.from_row(r) for r in reversed(rows)]

    @strawberry.field
    def building(self, info: Info) -> Building | None:
        """Where the member lives."""
        return _related(info, "building", self._row["building"], Building.from_row)

    @strawberry.field(description="Who verified this member (None when done from the CLI).")
    async def verified_by(self, info: Info) -> Member | None:
        if self._row["verified_by"] is None:
            return None
        found = await member_objects([self._row["verified_by"]])
        return found[0] if found else None

    @strawberry.field
    def availability(self) -> list[AvailabilitySlot]:
        """When the member is usually free."""
        return [AvailabilitySlot(**s) for s in json.loads(self._row["availability"] or "[]")]

    @strawberry.field
    async def hours(self) -> Hours:
        """Help given and received, from confirmed needs."""
        return Hours(**await hours_service.member_hours(self._row["id"]))

    @strawberry.field
    async def community(self, info: Info) -> Community:
        """The community of this membership."""
        return Community.from_row(await info.context.loaders.community.load(
            self._row["community"]))


@strawberry.type
class AuditEntry(Node):
    """One state-changing action in a community's audit log (append-only)."""

    at: datetime = strawberry.field(description="When it happened.")
    action: str = strawberry.field(
        description="What was done: `need.confirmed`, `member.declined`, `building.created` …")
    subject_type: str = strawberry.field(description="What kind of thing it was done to "
                                                     "(`Need`, `Member`, `Plugin` …).")
    subject_id: str = strawberry.field(description="Which one (its database id or name).")
    via: str = strawberry.field(description="How it came in: `api` (a login), `service` (a "
                                            "service token), `cli` (the admin CLI), `system` "
                                            "(jobs and deadlines) or `internal`.")
    operator: str = strawberry.field(description="The CLI operator's name or the service "
                                                 "token's name (empty for a login).")
    details: JSON = strawberry.field(description="A small JSON object of particulars "
                                                 "(a reason, a previous status …).")
    _row: strawberry.Private[dict]

    @classmethod
    def from_row(cls, row: dict) -> AuditEntry:
        """Build from a ``yz_audit`` row."""
        details = row["details"] or "{}"
        return cls(id=to_gid("AuditEntry", row["id"]), at=row["at"], action=row["action"],
                   subject_type=row["subject_type"], subject_id=row["subject_id"],
                   via=row["via"], operator=row["operator"],
                   details=json.loads(details) if isinstance(details, str) else details,
                   _row=row)

    @strawberry.field(description="The member who acted (null for the system, the CLI "
                                   "acting as nobody, or a bare service token).")
    async def actor(self, info: Info) -> Member | None:
        return await member_by_id(info, self._row["actor_member"])


@strawberry.type
class NeedStep:
    """One step of a need's history."""

    action: str
    """What happened: `posted`, `accepted`, `withdrawn`, `marked done`, `confirmed`,
    `cancelled`, `expired` …"""
    note: str
    """A reason or remark given with the step (empty when none)."""
    at: datetime
    """When it happened."""
    actor_id: strawberry.ID | None
    """The global id of the member who took the step (null for the system)."""


@strawberry.type
class Need(Node):
    """A request for help and where it stands."""

    title: str
    """What is needed, in the requester's words."""
    description: str
    """More detail (empty when none)."""
    category: str
    """A free-form kind of help (`shopping`, `repairs` …) used for filtering and matching."""
    status: NeedStatus = strawberry.field(description="Where the need stands.")
    window_start: datetime
    """When the help can start."""
    window_end: datetime
    """By when the help must be done."""
    late_night: bool = strawberry.field(description="Part of the window is 22:00-06:00 local.")
    weekend: bool = strawberry.field(description="Part of the window is on a weekend.")
    estimated_minutes: int
    """How long the requester expects it to take."""
    credits: Credits
    """Credits offered to the helper on confirmation (0 when none)."""
    created_at: datetime
    """When it was posted."""
    accepted_at: datetime | None
    """When a helper accepted it (null until then)."""
    done_at: datetime | None
    """When the helper marked it done (null until then)."""
    closed_at: datetime | None
    """When it was confirmed, cancelled or expired (null while open)."""
    close_reason: str
    """Why it was cancelled (empty otherwise)."""
    escalated: bool = strawberry.field(
        description="Nobody accepted it in time; its building leaders were told.")
    requester: Member = strawberry.field(description="Who the help is for.")
    posted_by: Member = strawberry.field(
        description="Who posted it: the requester, or a leader on their behalf.")
    helper: Member | None = strawberry.field(description="Who accepted it, once someone has.")
    building: Building | None = strawberry.field(description="Where the help is needed.")
    _row: strawberry.Private[dict]

    @classmethod
    def from_row(cls, row: dict, known: dict[tuple[str, int], dict]) -> Need:
        """Build from a ``yz_need`` row and the prefetched rows it points to
        (use :func:`need_objects`, which prefetches)."""

        def member(pk: int | None) -> Member | None:
            # one object per member and request: a page names the same people many times
            if pk is None:
                return None
            found = known.get(("Member object", pk))
            if found is None:
                found = known[("Member object", pk)] = Member.from_row(known[("member", pk)])
            return found

        building = known.get(("building", row["building"])) if row["building"] else None
        return cls(
            id=to_gid("Need", row["id"]), title=row["title"], description=row["description"],
            category=row["category"], status=NeedStatus(row["status"]),
            window_start=row["window_start"],
            window_end=row["window_end"], late_night=row["late_night"], weekend=row["weekend"],
            estimated_minutes=row["estimated_minutes"], credits=credits(row["credits_centi"]),
            created_at=row["created_at"], accepted_at=row["accepted_at"],
            done_at=row["done_at"], closed_at=row["closed_at"],
            close_reason=row["close_reason"], escalated=row["escalated_at"] is not None,
            requester=member(row["requester"]), posted_by=member(row["posted_by"]),
            helper=member(row["helper"]),
            building=Building.from_row(building) if building else None, _row=row,
        )

    @strawberry.field
    async def history(self) -> list[NeedStep]:
        """Every step, oldest first."""
        from yizhan.core.services.needs import history

        return [NeedStep(action=s["action"], note=s["note"], at=s["at"],
                         actor_id=to_gid("Member", s["actor"]) if s["actor"] else None)
                for s in await history(self._row["id"])]


@strawberry.type
class Notice(Node):
    """An announcement on the notice board."""

    title: str
    """The headline."""
    body: str
    """The text."""
    source: str = strawberry.field(description="`core` for people's posts, else the plugin.")
    pinned: bool
    """Shown above the others."""
    created_at: datetime
    """When it was posted."""

    @classmethod
    def from_row(cls, row: dict) -> Notice:
        """Build from a ``yz_notice`` row."""
        return cls(id=to_gid("Notice", row["id"]), title=row["title"], body=row["body"],
                   source=row["source"], pinned=row["pinned"], created_at=row["created_at"])


@strawberry.type
class Notification(Node):
    """An inbox entry, in the reader's language."""

    kind: str
    """What it is about (`need.accepted`, `member.verified` …), for icons and filtering."""
    title: str
    """The headline, in the reader's language."""
    body: str
    """The text, in the reader's language."""
    created_at: datetime
    """When it was sent."""
    read: bool
    """True once marked read."""

    @classmethod
    def from_row(cls, row: dict, locale: str) -> Notification:
        """Build from a ``yz_notification`` row, rendered in ``locale``."""
        title, body = render(row, locale)
        return cls(id=to_gid("Notification", row["id"]), kind=row["kind"], title=title,
                   body=body, created_at=row["created_at"], read=row["read_at"] is not None)


@strawberry.type
class PluginInfo:
    """An installed plugin and whether it is on in the community."""

    name: str
    """The plugin's name (`credits`): what `setPluginEnabled` takes."""
    version: str
    """The installed version."""
    description: str
    """What it does, in one line."""
    requires: list[str]
    """Plugins that must be on for this one to be on."""
    works_with: list[str] = strawberry.field(
        default_factory=list,
        description="Plugins this one integrates with when they are on (optional).")
    enabled: bool = False
    """True when it is on in this community."""
    settings: JSON | None = strawberry.field(description="Current settings (admins only).")


@strawberry.type
class Candidate:
    """A possible helper for a need, with the reasons for their rank."""

    member: Member
    """The possible helper."""
    score: float
    """The rank: higher is a better match (compare within one list only)."""
    reasons: list[str]
    """Why they rank there: `skill` (has a skill the need asks for), `same_building`, `free`
    (usually free in the need's window)."""


@strawberry.type
class CommunityHours:
    """Confirmed help in a community, with or without credits."""

    minutes: int
    """Minutes of confirmed help in the community."""
    needs: int
    """How many needs were confirmed."""
    helpers: int
    """How many different members helped."""


@strawberry.type
class Viewer(Node):
    """The logged-in person and their memberships. Its id (a `Person` id) answers `node(id:)`
    for that same person only: null for anyone else, anonymous callers included."""

    username: str
    """The login name."""
    display_name: str
    """The name shown to others."""
    locale: str
    """The language the person reads (`zh_Hans` or `en`)."""
    _row: strawberry.Private[dict]

    @strawberry.field
    async def memberships(self) -> list[Member]:
        """Every community this person belongs to (or asked to join)."""
        from yizhan.core.services.members import memberships

        rows = await memberships(self._row["id"])
        return await member_objects([r["id"] for r in rows])


async def member_objects(ids: list[int]) -> list[Member]:
    """Members by id (with their names, in one query), in the order asked."""
    from yizhan.core.graphql.loaders import members_by_id

    rows = {r["id"]: r for r in await members_by_id(ids)}
    return [Member.from_row(rows[i]) for i in ids if i in rows]


async def need_objects(loaders: Any, rows: list[dict]) -> list[Need]:
    """Needs with their people and buildings, prefetched in two queries."""
    from yizhan.core.graphql.loaders import prefetch_needs

    await prefetch_needs(loaders, rows)
    return [Need.from_row(row, loaders.known) for row in rows]


async def member_by_id(info: Info, pk: int | None) -> Member | None:
    """One member (with their name) through the request's batching loader; None for None."""
    if pk is None:
        return None
    row = await info.context.loaders.member.load(pk)
    return Member.from_row(row) if row else None
