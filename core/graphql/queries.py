"""Core's root query fields. Resolvers stay thin: they check who may see and call services."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from yizhan.core.errors import forbidden, not_found
from yizhan.core.events import EventContext
from yizhan.core.graphql import connections
from yizhan.core.graphql.connections import Connection
from yizhan.core.graphql.ids import from_cursor, from_gid, pk_of, to_gid
from yizhan.core.graphql.loaders import members_by_id, prefetch_needs
from yizhan.core.graphql.types import (
    AuditEntry,
    Building,
    Candidate,
    Community,
    CommunityHours,
    Member,
    MemberStatus,
    Need,
    NeedStatus,
    Node,
    Notice,
    Notification,
    PluginInfo,
    Role,
    Viewer,
    member_objects,
    need_objects,
)
from yizhan.core.matching import candidates as rank_candidates
from yizhan.core.services import communities, hours, members, needs, notices, notifications
from yizhan.core.services import validation as v
from yizhan.core.services.plugin_admin import describe
from yizhan.core.tables import Building as BuildingTable
from yizhan.core.tables import Member as MemberTable
from yizhan.core.tables import Need as NeedTable
from yizhan.core.tables import Notice as NoticeTable
from yizhan.core.tables import Notification as NotificationTable


@strawberry.input
class NeedFilter:
    """Narrow a list of needs. Window bounds select needs whose window overlaps them."""

    status: list[NeedStatus] | None = None
    building_id: strawberry.ID | None = None
    category: str | None = None
    window_from: datetime | None = None
    window_to: datetime | None = None
    late_night: bool | None = None
    weekend: bool | None = None
    mine: bool | None = strawberry.field(default=None,
                                         description="Only needs I asked for or posted.")
    helping: bool | None = strawberry.field(default=None, description="Only needs I accepted.")
    escalated: bool | None = None


@strawberry.input
class AuditFilter:
    """Narrow the audit log. ``action`` matches exactly, or every action starting with it when
    it ends with ``.`` (``need.``)."""

    actor: strawberry.ID | None = strawberry.field(
        default=None, description="Only what this member did.")
    operator: str | None = strawberry.field(
        default=None, description="Only what this CLI operator or service token did.")
    action: str | None = strawberry.field(default=None, description="`need.confirmed`, "
                                                                    "`member.` …")
    subject_type: str | None = strawberry.field(default=None,
                                                description="`Need`, `Member`, `Plugin` …")
    subject_id: str | None = strawberry.field(default=None, description="With subjectType.")
    since: datetime | None = strawberry.field(default=None, description="At or after.")
    until: datetime | None = strawberry.field(default=None, description="Before.")


async def _need_and_community(info: Info, need_id: strawberry.ID) -> tuple[dict, dict]:
    pk = pk_of(need_id, "Need", "needId")
    row = await NeedTable.select().where(NeedTable.id == pk).first()
    if row is None:
        raise not_found("need", "needId")
    community = await info.context.loaders.community.load(row["community"])
    await info.context.require_verified(community)
    return row, community


async def _load_plugin_node(info: Info, type_name: str, pk: int) -> Node | None:
    """A plugin's type answers ``node(id:)`` through its ``load_node`` classmethod, which
    applies the same checks as the plugin's own query for that object (see docs/plugins.md)."""
    definition = info.schema.get_type_by_name(type_name)
    origin = getattr(definition, "origin", None)
    load = getattr(origin, "load_node", None)
    if load is None or Node not in getattr(origin, "__mro__", ()):
        return None
    return await load(info, pk)


async def _load_node(info: Info, gid: strawberry.ID) -> Node | None:
    type_name, pk = from_gid(gid)
    ctx = info.context
    if type_name == "Community":
        row = await ctx.loaders.community.load(pk)
        return Community.from_row(row) if row else None
    if type_name == "AuditEntry":
        from yizhan.core.tables import AuditEntry as AuditTable

        row = await AuditTable.select().where(AuditTable.id == pk).first()
        if row is None or row["community"] is None:
            return None
        community = await ctx.loaders.community.load(row["community"])
        v.require_admin(await ctx.require_member(community))
        return AuditEntry.from_row(row)
    tables = {"Need": NeedTable, "Member": MemberTable, "Building": BuildingTable,
              "Notice": NoticeTable, "Notification": NotificationTable}
    table = tables.get(type_name)
    if table is None:
        return await _load_plugin_node(info, type_name, pk)
    row = await table.select().where(table.id == pk).first()
    if row is None:
        return None
    community = await ctx.loaders.community.load(row["community"])
    if type_name == "Member":
        if not await may_see_member(ctx, community, row):
            return None
    elif type_name == "Notification":  # the rule of `notifications`: my own inbox only
        viewer = await ctx.require_membership(community)
        if viewer["id"] != row["member"]:
            return None
        return Notification.from_row(row, ctx.locale)
    elif type_name != "Notice":
        await ctx.require_verified(community)
    if type_name == "Need":
        return (await need_objects(ctx.loaders, [row]))[0]
    if type_name == "Member":
        return (await member_objects([pk]))[0]
    convert = {"Building": Building, "Notice": Notice}
    return convert[type_name].from_row(row)


def sees_every_member(viewer: dict) -> bool:
    """Admins and verified (deputy) leaders see pending and declined members too."""
    return v.is_admin(viewer) or (viewer["status"] == "verified"
                                  and viewer["role"] in v.LEADER_ROLES)


async def may_see_member(ctx, community: dict, row: dict) -> bool:
    """The rule of ``members`` for one member: their own membership is always visible to a
    person; other members only to verified members, and unverified ones only to leaders and
    admins. Outsiders are refused (UNAUTHENTICATED / FORBIDDEN / NOT_VERIFIED)."""
    person = await ctx.person()
    if person is not None and person["id"] == row["person"]:
        return True
    viewer = await ctx.require_verified(community)
    return row["status"] == "verified" or sees_every_member(viewer)


@strawberry.type
class CoreQuery:
    """Core's root query fields."""

    @strawberry.field(description="The logged-in person, or null when anonymous.")
    async def viewer(self, info: Info) -> Viewer | None:
        person = await info.context.person()
        if person is None:
            return None
        return Viewer(id=to_gid("Person", person["id"]), username=person["username"],
                      display_name=person["display_name"], locale=info.context.locale,
                      _row=person)

    @strawberry.field(description="Any object by its global id.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await _load_node(info, id)

    @strawberry.field(description="A community by slug (public).")
    async def community(self, info: Info, slug: str) -> Community:
        return Community.from_row(await info.context.community(slug))

    @strawberry.field(description="Every community on this platform (public).")
    async def communities(self) -> list[Community]:
        return [Community.from_row(r) for r in await communities.list_communities()]

    @strawberry.field(description="The buildings of a community (members).")
    async def buildings(self, info: Info, community: str) -> list[Building]:
        row = await info.context.community(community)
        await info.context.require_verified(row)
        return [Building.from_row(b) for b in await communities.list_buildings(row)]

    @strawberry.field(description="Members of a community (verified members only). Residents "
                                  "see verified members; leaders and admins see everyone, "
                                  "pending included.")
    async def members(self, info: Info, community: str, status: MemberStatus | None = None,
                      building_id: strawberry.ID | None = None, role: Role | None = None,
                      first: int | None = None, after: str | None = None
                      ) -> Connection[Member]:
        row = await info.context.community(community)
        viewer = await info.context.require_verified(row)
        size = connections.page_size(first)
        building = pk_of(building_id, "Building", "buildingId") \
            if building_id is not None else None
        wanted = status.value if status is not None else None
        if not sees_every_member(viewer):
            wanted = "verified"
        rows = await members.list_members(row, status=wanted, building_id=building,
                                          role=role.value if role is not None else None,
                                          after_id=from_cursor(after),
                                          limit=size + 1)
        info.context.loaders.remember("member", await members_by_id(r["id"] for r in rows))
        return connections.build(rows, size, lambda r: Member.from_row(
            info.context.loaders.known[("member", r["id"])]), after=after)

    @strawberry.field(description="Needs of a community, newest first (verified members).")
    async def needs(self, info: Info, community: str, filter: NeedFilter | None = None,
                    first: int | None = None, after: str | None = None) -> Connection[Need]:
        row = await info.context.community(community)
        viewer = await info.context.require_verified(row)
        size = connections.page_size(first)
        f = filter or NeedFilter()
        rows = await needs.list_needs(
            row, statuses=[s.value for s in f.status] if f.status else None,
            building_id=pk_of(f.building_id, "Building", "buildingId")
            if f.building_id is not None
            else None,
            category=f.category, window_from=f.window_from, window_to=f.window_to,
            late_night=f.late_night, weekend=f.weekend,
            mine=viewer["id"] if f.mine else None,
            helper=viewer["id"] if f.helping else None, escalated=f.escalated,
            before_id=from_cursor(after), limit=size + 1)
        await prefetch_needs(info.context.loaders, rows[:size])
        known = info.context.loaders.known
        return connections.build(rows, size, lambda r: Need.from_row(r, known), after=after)

    @strawberry.field(description="One need.")
    async def need(self, info: Info, id: strawberry.ID) -> Need:
        row, _ = await _need_and_community(info, id)
        return (await need_objects(info.context.loaders, [row]))[0]

    @strawberry.field(description="Who could help with a need, best first (requester, "
                                  "poster, leaders and admins).")
    async def candidates(self, info: Info, need_id: strawberry.ID,
                         first: int | None = None) -> list[Candidate]:
        row, community = await _need_and_community(info, need_id)
        viewer = await info.context.require_verified(community)
        if viewer["id"] not in (row["requester"], row["posted_by"]) and not v.is_leader_of(
                viewer, row["building"]):
            raise forbidden("Only the requester or a leader can see candidates.")
        found = await rank_candidates(EventContext(community=community, actor=viewer), row,
                                      limit=connections.page_size(first))
        people = await member_objects([c.member["id"] for c in found])
        return [Candidate(member=m, score=c.score, reasons=c.reasons)
                for m, c in zip(people, found, strict=True)]

    @strawberry.field(description="The community's public notice board.")
    async def notices(self, info: Info, community: str, source: str | None = None,
                      first: int | None = None, after: str | None = None
                      ) -> Connection[Notice]:
        row = await info.context.community(community)
        size = connections.page_size(first)
        rows = await notices.list_notices(row["id"], source=source,
                                          after_position=from_cursor(after), limit=size + 1)
        for notice in rows:
            notice["position"] = notices.position(notice)
        return connections.build(rows, size, Notice.from_row, key="position", after=after)

    @strawberry.field(description="My inbox in a community, newest first.")
    async def notifications(self, info: Info, community: str, unread_only: bool = False,
                            first: int | None = None, after: str | None = None
                            ) -> Connection[Notification]:
        row = await info.context.community(community)
        viewer = await info.context.require_membership(row)
        size = connections.page_size(first)
        rows = await notifications.list_for(viewer["id"], unread_only=unread_only,
                                            after_id=from_cursor(after), limit=size + 1)
        locale = info.context.locale
        return connections.build(rows, size, lambda r: Notification.from_row(r, locale),
                                 after=after)

    @strawberry.field(description="How many unread notifications I have in a community.")
    async def unread_count(self, info: Info, community: str) -> int:
        row = await info.context.community(community)
        viewer = await info.context.require_membership(row)
        return await notifications.unread_count(viewer["id"])

    @strawberry.field(description="Installed plugins and whether each is on (public); "
                                  "settings are shown to admins.")
    async def plugins(self, info: Info, community: str) -> list[PluginInfo]:
        row = await info.context.community(community)
        viewer = await info.context.member(row) if await info.context.principal() else None
        admin = v.is_admin(viewer)
        return [PluginInfo(name=p["name"], version=p["version"], description=p["description"],
                           requires=p["requires"], works_with=p["works_with"],
                           enabled=p["enabled"],
                           settings=p.get("settings") if admin else None)
                for p in describe(row["id"])]

    @strawberry.field(description="Every state-changing action in a community, newest first, "
                                  "with who did it and how (admins).")
    async def audit_log(self, info: Info, community: str, filter: AuditFilter | None = None,
                        first: int | None = None, after: str | None = None
                        ) -> Connection[AuditEntry]:
        from yizhan.core import audit

        row = await info.context.community(community)
        v.require_admin(await info.context.require_member(row))
        size = connections.page_size(first)
        f = filter or AuditFilter()
        rows = await audit.entries(
            row["id"], actor_member=pk_of(f.actor, "Member", "actor") if f.actor else None,
            operator=f.operator, action=f.action, subject_type=f.subject_type,
            subject_id=f.subject_id, since=f.since, until=f.until,
            before_id=from_cursor(after), limit=size + 1)
        return connections.build(rows, size, AuditEntry.from_row)

    @strawberry.field(description="Confirmed help in a community (public).")
    async def community_hours(self, info: Info, community: str) -> CommunityHours:
        row = await info.context.community(community)
        return CommunityHours(**await hours.community_hours(row["id"]))
