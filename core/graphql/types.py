"""Core's GraphQL types. One owner per type: plugins import these, never redefine them."""

from __future__ import annotations

import json
from datetime import datetime

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from yizhan.core.graphql.ids import to_gid
from yizhan.core.graphql.scalars import Credits, credits
from yizhan.core.services import hours as hours_service
from yizhan.core.services import validation as v
from yizhan.core.services.notifications import render
from yizhan.core.switches import switches


@strawberry.interface
class Node:
    """An object with a global id, fetchable with ``node(id:)``."""

    id: strawberry.ID


@strawberry.type
class Community(Node):
    """A community running a time bank."""

    slug: str
    name: str
    time_zone: str
    locale: str
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
    households: int
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
    start: str
    end: str


@strawberry.type
class Hours:
    """Help given and received through confirmed needs."""

    minutes_given: int
    minutes_received: int
    needs_helped: int
    people_helped: int = strawberry.field(
        description="Distinct neighbours (households) this member has helped.")


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

    role: str
    status: str
    skills: list[str]
    requested_at: datetime | None
    verified_at: datetime | None
    _row: strawberry.Private[dict]

    @classmethod
    def from_row(cls, row: dict) -> Member:
        """Build from a ``yz_member`` row."""
        return cls(id=to_gid("Member", row["id"]), role=row["role"], status=row["status"],
                   skills=json.loads(row["skills"] or "[]"), requested_at=row["requested_at"],
                   verified_at=row["verified_at"], _row=row)

    @strawberry.field
    async def display_name(self, info: Info) -> str:
        """The name neighbours see."""
        person = await info.context.loaders.person.load(self._row["person"])
        return person["display_name"] if person else ""

    @strawberry.field
    async def username(self, info: Info) -> str:
        """The person's login name."""
        person = await info.context.loaders.person.load(self._row["person"])
        return person["username"] if person else ""

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

    @strawberry.field
    async def building(self, info: Info) -> Building | None:
        """Where the member lives."""
        if self._row["building"] is None:
            return None
        row = await info.context.loaders.building.load(self._row["building"])
        return Building.from_row(row) if row else None

    @strawberry.field(description="Who verified this member (None when done from the CLI).")
    async def verified_by(self, info: Info) -> Member | None:
        if self._row["verified_by"] is None:
            return None
        row = await info.context.loaders.member.load(self._row["verified_by"])
        return Member.from_row(row) if row else None

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
class NeedStep:
    """One step of a need's history."""

    action: str
    note: str
    at: datetime
    actor_id: strawberry.ID | None


@strawberry.type
class Need(Node):
    """A request for help and where it stands."""

    title: str
    description: str
    category: str
    status: str
    window_start: datetime
    window_end: datetime
    late_night: bool = strawberry.field(description="Part of the window is 22:00-06:00 local.")
    weekend: bool = strawberry.field(description="Part of the window is on a weekend.")
    estimated_minutes: int
    credits: Credits
    created_at: datetime
    accepted_at: datetime | None
    done_at: datetime | None
    closed_at: datetime | None
    close_reason: str
    escalated: bool = strawberry.field(
        description="Nobody accepted it in time; its building leaders were told.")
    _row: strawberry.Private[dict]

    @classmethod
    def from_row(cls, row: dict) -> Need:
        """Build from a ``yz_need`` row."""
        return cls(
            id=to_gid("Need", row["id"]), title=row["title"], description=row["description"],
            category=row["category"], status=row["status"], window_start=row["window_start"],
            window_end=row["window_end"], late_night=row["late_night"], weekend=row["weekend"],
            estimated_minutes=row["estimated_minutes"], credits=credits(row["credits_centi"]),
            created_at=row["created_at"], accepted_at=row["accepted_at"],
            done_at=row["done_at"], closed_at=row["closed_at"],
            close_reason=row["close_reason"], escalated=row["escalated_at"] is not None,
            _row=row,
        )

    async def _member(self, info: Info, key: str) -> Member | None:
        if self._row[key] is None:
            return None
        row = await info.context.loaders.member.load(self._row[key])
        return Member.from_row(row) if row else None

    @strawberry.field(description="Who the help is for.")
    async def requester(self, info: Info) -> Member:
        return await self._member(info, "requester")  # type: ignore[return-value]

    @strawberry.field(description="Who posted it: the requester, or a leader on their behalf.")
    async def posted_by(self, info: Info) -> Member:
        return await self._member(info, "posted_by")  # type: ignore[return-value]

    @strawberry.field(description="Who accepted it, once someone has.")
    async def helper(self, info: Info) -> Member | None:
        return await self._member(info, "helper")

    @strawberry.field
    async def building(self, info: Info) -> Building | None:
        """Where the help is needed."""
        if self._row["building"] is None:
            return None
        row = await info.context.loaders.building.load(self._row["building"])
        return Building.from_row(row) if row else None

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
    body: str
    source: str = strawberry.field(description="`core` for people's posts, else the plugin.")
    pinned: bool
    created_at: datetime

    @classmethod
    def from_row(cls, row: dict) -> Notice:
        """Build from a ``yz_notice`` row."""
        return cls(id=to_gid("Notice", row["id"]), title=row["title"], body=row["body"],
                   source=row["source"], pinned=row["pinned"], created_at=row["created_at"])


@strawberry.type
class Notification(Node):
    """An inbox entry, in the reader's language."""

    kind: str
    title: str
    body: str
    created_at: datetime
    read: bool

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
    version: str
    description: str
    requires: list[str]
    enabled: bool
    settings: JSON | None = strawberry.field(description="Current settings (admins only).")


@strawberry.type
class Candidate:
    """A possible helper for a need, with the reasons for their rank."""

    member: Member
    score: float
    reasons: list[str]


@strawberry.type
class CommunityHours:
    """Confirmed help in a community, with or without credits."""

    minutes: int
    needs: int
    helpers: int


@strawberry.type
class Viewer:
    """The logged-in person and their memberships."""

    id: strawberry.ID
    username: str
    display_name: str
    locale: str
    _row: strawberry.Private[dict]

    @strawberry.field
    async def memberships(self) -> list[Member]:
        """Every community this person belongs to (or asked to join)."""
        from yizhan.core.services.members import memberships

        return [Member.from_row(r) for r in await memberships(self._row["id"])]
