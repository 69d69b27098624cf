"""Core's mutations: one ``input`` each, a payload with the changed object and ``errors``."""

from __future__ import annotations

from datetime import datetime, timedelta

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from yizhan.core.config import get_settings
from yizhan.core.errors import invalid, not_found
from yizhan.core.graphql.errors import UserError, payload
from yizhan.core.graphql.ids import pk_of, to_gid
from yizhan.core.graphql.scalars import Credits
from yizhan.core.graphql.types import (
    Building,
    Member,
    Need,
    Notice,
    PluginInfo,
    Role,
    Viewer,
    member_objects,
    need_objects,
)
from yizhan.core.services import (
    communities,
    members,
    needs,
    notices,
    notifications,
    people,
    plugin_admin,
)
from yizhan.core.services import validation as v
from yizhan.core.tables import Need as NeedTable


def _viewer(person: dict, locale: str) -> Viewer:
    return Viewer(id=to_gid("Person", person["id"]), username=person["username"],
                  display_name=person["display_name"], locale=person["locale"] or locale,
                  _row=person)


# --- inputs and payloads -------------------------------------------------------------


@strawberry.input
class LoginInput:
    """Log in with a username or phone number and a password."""

    identifier: str
    """Your username or phone number."""
    password: str
    """Your password."""


@strawberry.type
class LoginPayload:
    """A bearer token for ``Authorization: Bearer …`` and who it belongs to."""

    token: str | None = None
    """The bearer token (null when the login failed); send it as `Authorization: Bearer …`."""
    viewer: Viewer | None = None
    """Who logged in (null when the login failed)."""
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class RegisterInput:
    """Create a login. Joining a community is a separate step."""

    username: str
    """The login name: unique on this server, not changeable later."""
    display_name: str
    """The name neighbours see."""
    password: str
    """8 to 256 characters."""
    phone: str | None = None
    """A phone number to log in with instead of the username (optional)."""
    locale: str | None = None
    """The language to read in, `zh_Hans` or `en` (left out: the server's default)."""


@strawberry.type
class RegisterPayload:
    """The new person."""

    viewer: Viewer | None = None
    """The new person (null when registration failed)."""
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class LogoutPayload:
    """Whether the token was revoked."""

    revoked: bool = False
    """True when the token was revoked (false when it already was)."""
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class JoinCommunityInput:
    """Ask to join a community, naming the building you live in."""

    community: str
    building_id: strawberry.ID | None = None
    """The building you live in (a leader of it verifies you)."""


@strawberry.input
class VerifyMemberInput:
    """Verify a pending member by their real name (leaders of their building, admins)."""

    member_id: strawberry.ID
    """The pending member."""
    real_name: str
    """Their real name as checked in person: seen only by the member and their leaders."""


@strawberry.input
class DeclineMemberInput:
    """Decline a pending member with a reason they will see."""

    member_id: strawberry.ID
    """The pending member."""
    reason: str
    """Why, shown to the person."""


@strawberry.input
class RemoveMemberInput:
    """Remove a member from the community with a reason they will see."""

    member_id: strawberry.ID = strawberry.field(description="The member to remove.")
    reason: str = strawberry.field(description="Why, shown to the member.")


@strawberry.input
class LeaveCommunityInput:
    """Leave a community (you may ask to join again later)."""

    community: str


@strawberry.input
class SetMemberRoleInput:
    """Make a member a resident, deputy leader, building leader or admin (admins)."""

    member_id: strawberry.ID
    """The member whose role changes."""
    role: Role
    """The new role."""


@strawberry.input
class AvailabilityInput:
    """A weekly slot: weekday 0 (Monday) to 6, times as HH:MM in community local time."""

    weekday: int
    """Day of the week: 0 is Monday, 6 is Sunday."""
    start: str
    """Start time, `HH:MM` (community local time)."""
    end: str
    """End time, `HH:MM` (community local time), after `start`."""


@strawberry.input
class UpdateMyProfileInput:
    """Declare the skills you offer and when you are usually free."""

    community: str
    skills: list[str] | None = None
    """What you offer to help with (left out: unchanged)."""
    availability: list[AvailabilityInput] | None = None
    """When you are usually free each week (left out: unchanged; empty: never)."""


@strawberry.type
class MemberPayload:
    """The changed member."""

    member: Member | None = None
    """The membership after the change (null when it failed)."""
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class CreateBuildingInput:
    """Add a building (admins)."""

    community: str
    name: str
    """The building's name as residents know it."""
    households: int = 0
    """How many households live there (for participation rates)."""


@strawberry.type
class BuildingPayload:
    """The new building."""

    building: Building | None = None
    """The new building (null when it failed)."""
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class PostNeedInput:
    """Ask neighbours for help. ``onBehalfOf`` lets a leader post for a member (an elder
    without a phone); both are recorded."""

    community: str
    title: str
    """What is needed, in a few words."""
    category: str
    """A free-form kind of help (`shopping`, `repairs` …)."""
    window_start: datetime
    """When the help can start."""
    window_end: datetime
    """By when it must be done (after `windowStart`)."""
    estimated_minutes: int
    """How long you expect it to take."""
    credits: Credits = strawberry.field(default="0")
    """Credits offered to the helper on confirmation, a decimal string (`"2.50"`); needs the
    credits plugin unless 0."""
    description: str = ""
    """More detail (optional)."""
    building_id: strawberry.ID | None = None
    """Where the help is needed (left out: the requester's building)."""
    on_behalf_of: strawberry.ID | None = None
    """The member the help is for, when a leader posts for them (left out: yourself)."""


@strawberry.input
class NeedActionInput:
    """Which need."""

    need_id: strawberry.ID
    """The need."""


@strawberry.input
class ConfirmNeedForInput:
    """A leader of the requester's building confirms for them: a requester who was posted for
    needs no reason; one who cannot use the app needs one. Recorded in the need's history."""

    need_id: strawberry.ID = strawberry.field(description="The done need.")
    reason: str = strawberry.field(default="", description="Why the requester cannot confirm "
                                                           "themselves (up to 200 characters).")


@strawberry.input
class CancelNeedInput:
    """Cancel an open or accepted need, optionally saying why."""

    need_id: strawberry.ID
    """The open or accepted need."""
    reason: str = ""
    """Why (optional), shown in its history."""


@strawberry.type
class NeedPayload:
    """The need after the step."""

    need: Need | None = None
    """The need after the step (null when it failed)."""
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class PostNoticeInput:
    """An announcement on the notice board (leaders and admins)."""

    community: str
    title: str
    """The headline."""
    body: str = ""
    """The text (optional)."""
    pinned: bool = False
    """Show it above the others."""


@strawberry.type
class NoticePayload:
    """The new notice."""

    notice: Notice | None = None
    """The new notice (null when it failed)."""
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class MarkNotificationsReadInput:
    """Mark some notifications read, or all of them in the community when ``ids`` is null."""

    community: str
    ids: list[strawberry.ID] | None = None
    """The notifications to mark (null: every one of mine in the community)."""


@strawberry.type
class MarkNotificationsReadPayload:
    """How many were marked."""

    count: int = 0
    """How many were marked read."""
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class SetPluginEnabledInput:
    """Switch a plugin on or off in a community (admins)."""

    community: str
    plugin: str
    """The plugin's name (`credits`)."""
    enabled: bool
    """True to switch it on, false to switch it off."""


@strawberry.input
class ConfigurePluginInput:
    """Change some of a plugin's settings in a community (admins)."""

    community: str
    plugin: str
    """The plugin's name (`credits`)."""
    settings: JSON
    """A JSON object of the settings to change; the others keep their values. Refused with a code
    when a value is invalid."""


@strawberry.type
class PluginPayload:
    """The plugin's state after the change."""

    plugin: PluginInfo | None = None
    """The plugin's state after the change (null when it failed)."""
    errors: list[UserError] = strawberry.field(default_factory=list)


async def _member_out(row: dict) -> Member:
    return (await member_objects([row["id"]]))[0]


async def _need_out(info: Info, row: dict) -> Need:
    return (await need_objects(info.context.loaders, [row]))[0]


def _plugin_info(community_id: int, name: str) -> PluginInfo:
    entry = next(p for p in plugin_admin.describe(community_id) if p["name"] == name)
    return PluginInfo(name=entry["name"], version=entry["version"],
                      description=entry["description"], requires=entry["requires"],
                      works_with=entry["works_with"], enabled=entry["enabled"],
                      settings=entry.get("settings"))


async def _need_context(info: Info, need_id: strawberry.ID) -> tuple[dict, dict, int]:
    pk = pk_of(need_id, "Need", "needId")
    row = await NeedTable.select(NeedTable.community).where(NeedTable.id == pk).first()
    if row is None:
        raise not_found("need", "needId")
    community = await info.context.loaders.community.load(row["community"])
    actor = await info.context.require_verified(community)
    return community, actor, pk


async def _member_target(info: Info, member_id: strawberry.ID) -> tuple[dict, dict, int]:
    from yizhan.core.tables import Member as MemberTable

    pk = pk_of(member_id, "Member", "memberId")
    row = await MemberTable.select(MemberTable.community).where(MemberTable.id == pk).first()
    if row is None:
        raise not_found("member", "memberId")
    community = await info.context.loaders.community.load(row["community"])
    actor = await info.context.require_verified(community)
    return community, actor, pk


@strawberry.type
class CoreMutation:
    """Core's mutations."""

    @strawberry.mutation(description="Log in; returns a bearer token.")
    @payload(LoginPayload)
    async def login(self, info: Info, input: LoginInput) -> LoginPayload:
        token, person = await people.login(input.identifier, input.password,
                                           info.context.client_address())
        return LoginPayload(token=token, viewer=_viewer(person, info.context.locale))

    @strawberry.mutation(description="Revoke the token this request was made with.")
    @payload(LogoutPayload)
    async def logout(self, info: Info) -> LogoutPayload:
        principal = await info.context.principal()
        if principal is None:
            return LogoutPayload(revoked=False)
        return LogoutPayload(revoked=await people.revoke_token(token_id=principal.token_id))

    @strawberry.mutation(description="Create a login (then join a community).")
    @payload(RegisterPayload)
    async def register(self, info: Info, input: RegisterInput) -> RegisterPayload:
        await people.claim_attempts(
            "register",
            [(people.address_key("ip", info.context.client_address()),
              get_settings().register_max_per_address)],
            timedelta(minutes=get_settings().login_window_minutes),
            message="Too many registrations from this address. Try again in {minutes} minutes.")
        person = await people.create_person(input.username, input.display_name,
                                            input.password, phone=input.phone,
                                            locale=input.locale or "", quiet_phone=True)
        return RegisterPayload(viewer=_viewer(person, info.context.locale))

    @strawberry.mutation(description="Ask to join a community.")
    @payload(MemberPayload)
    async def join_community(self, info: Info, input: JoinCommunityInput) -> MemberPayload:
        person = await info.context.require_person()
        community = await info.context.community(input.community)
        building = pk_of(input.building_id, "Building", "buildingId") \
            if input.building_id is not None \
            else None
        return MemberPayload(member=await _member_out(
            await members.join(community, person["id"], building)))

    @strawberry.mutation(description="Verify a pending member by real name.")
    @payload(MemberPayload)
    async def verify_member(self, info: Info, input: VerifyMemberInput) -> MemberPayload:
        community, actor, pk = await _member_target(info, input.member_id)
        return MemberPayload(member=await _member_out(
            await members.verify(community, actor, pk, input.real_name)))

    @strawberry.mutation(description="Decline a pending member with a reason.")
    @payload(MemberPayload)
    async def decline_member(self, info: Info, input: DeclineMemberInput) -> MemberPayload:
        community, actor, pk = await _member_target(info, input.member_id)
        return MemberPayload(member=await _member_out(
            await members.decline(community, actor, pk, input.reason)))

    @strawberry.mutation(description="Remove a member (their building's leaders or admins; "
                                     "leaders and admins only by an admin). Refused while they "
                                     "have needs open.")
    @payload(MemberPayload)
    async def remove_member(self, info: Info, input: RemoveMemberInput) -> MemberPayload:
        community, actor, pk = await _member_target(info, input.member_id)
        return MemberPayload(member=await _member_out(
            await members.remove(community, actor, pk, input.reason)))

    @strawberry.mutation(description="Leave a community. Refused while you have needs open "
                                     "or are its last admin.")
    @payload(MemberPayload)
    async def leave_community(self, info: Info, input: LeaveCommunityInput) -> MemberPayload:
        community = await info.context.community(input.community)
        actor = await info.context.require_member(community)
        return MemberPayload(member=await _member_out(await members.leave(community, actor)))

    @strawberry.mutation(description="Change a member's role (admins).")
    @payload(MemberPayload)
    async def set_member_role(self, info: Info, input: SetMemberRoleInput) -> MemberPayload:
        community, actor, pk = await _member_target(info, input.member_id)
        return MemberPayload(member=await _member_out(
            await members.set_role(community, actor, pk, input.role.value)))

    @strawberry.mutation(description="Declare my skills and free times in a community.")
    @payload(MemberPayload)
    async def update_my_profile(self, info: Info, input: UpdateMyProfileInput
                                ) -> MemberPayload:
        community = await info.context.community(input.community)
        actor = await info.context.require_member(community)
        slots = None if input.availability is None else [
            {"weekday": s.weekday, "start": s.start, "end": s.end} for s in input.availability]
        return MemberPayload(member=await _member_out(
            await members.set_profile(community, actor, input.skills, slots)))

    @strawberry.mutation(description="Add a building (admins).")
    @payload(BuildingPayload)
    async def create_building(self, info: Info, input: CreateBuildingInput
                              ) -> BuildingPayload:
        community = await info.context.community(input.community)
        actor = v.require_admin(await info.context.require_member(community))
        return BuildingPayload(building=Building.from_row(
            await communities.create_building(community, input.name, input.households,
                                              actor if actor.get("id") else None)))

    @strawberry.mutation(description="Post a need.")
    @payload(NeedPayload)
    async def post_need(self, info: Info, input: PostNeedInput) -> NeedPayload:
        community = await info.context.community(input.community)
        actor = await info.context.require_verified(community)
        need = await needs.post(
            community, actor, title=input.title, category=input.category,
            description=input.description, window_start=input.window_start,
            window_end=input.window_end, estimated_minutes=input.estimated_minutes,
            credits=input.credits,
            building_id=pk_of(input.building_id, "Building", "buildingId")
            if input.building_id is not None else None,
            on_behalf_of=pk_of(input.on_behalf_of, "Member", "onBehalfOf")
            if input.on_behalf_of is not None else None)
        return NeedPayload(need=await _need_out(info, need))

    @strawberry.mutation(description="Accept a need as its helper.")
    @payload(NeedPayload)
    async def accept_need(self, info: Info, input: NeedActionInput) -> NeedPayload:
        community, actor, pk = await _need_context(info, input.need_id)
        return NeedPayload(need=await _need_out(info, await needs.accept(community, actor, pk)))

    @strawberry.mutation(description="Give an accepted need back (the helper).")
    @payload(NeedPayload)
    async def withdraw_from_need(self, info: Info, input: NeedActionInput) -> NeedPayload:
        community, actor, pk = await _need_context(info, input.need_id)
        return NeedPayload(need=await _need_out(info, await needs.withdraw(community, actor, pk)))

    @strawberry.mutation(description="Say the work is done (the helper).")
    @payload(NeedPayload)
    async def mark_need_done(self, info: Info, input: NeedActionInput) -> NeedPayload:
        community, actor, pk = await _need_context(info, input.need_id)
        return NeedPayload(need=await _need_out(info, await needs.mark_done(community, actor, pk)))

    @strawberry.mutation(description="Confirm the help happened (the requester or poster).")
    @payload(NeedPayload)
    async def confirm_need(self, info: Info, input: NeedActionInput) -> NeedPayload:
        community, actor, pk = await _need_context(info, input.need_id)
        return NeedPayload(need=await _need_out(info, await needs.confirm(community, actor, pk)))

    @strawberry.mutation(description="Confirm for the requester (a leader of their building: "
                                     "for an elder who was posted for or cannot use the app).")
    @payload(NeedPayload)
    async def confirm_need_for(self, info: Info, input: ConfirmNeedForInput) -> NeedPayload:
        community, actor, pk = await _need_context(info, input.need_id)
        return NeedPayload(need=await _need_out(
            info, await needs.confirm(community, actor, pk, input.reason)))

    @strawberry.mutation(description="Cancel an open or accepted need.")
    @payload(NeedPayload)
    async def cancel_need(self, info: Info, input: CancelNeedInput) -> NeedPayload:
        community, actor, pk = await _need_context(info, input.need_id)
        return NeedPayload(need=await _need_out(
            info, await needs.cancel(community, actor, pk, input.reason)))

    @strawberry.mutation(description="Post on the notice board (leaders and admins).")
    @payload(NoticePayload)
    async def post_notice(self, info: Info, input: PostNoticeInput) -> NoticePayload:
        community = await info.context.community(input.community)
        actor = await info.context.require_verified(community)
        return NoticePayload(notice=Notice.from_row(
            await notices.announce(community, actor, input.title, input.body, input.pinned)))

    @strawberry.mutation(description="Mark notifications read.")
    @payload(MarkNotificationsReadPayload)
    async def mark_notifications_read(self, info: Info, input: MarkNotificationsReadInput
                                      ) -> MarkNotificationsReadPayload:
        community = await info.context.community(input.community)
        actor = await info.context.require_membership(community)
        ids = None if input.ids is None else [pk_of(i, "Notification", "ids") for i in input.ids]
        return MarkNotificationsReadPayload(
            count=await notifications.mark_read(actor["id"], ids))

    @strawberry.mutation(description="Switch a plugin on or off (admins).")
    @payload(PluginPayload)
    async def set_plugin_enabled(self, info: Info, input: SetPluginEnabledInput
                                 ) -> PluginPayload:
        community = await info.context.community(input.community)
        v.require_admin(await info.context.require_member(community))
        if input.enabled:
            await plugin_admin.enable(community, input.plugin)
        else:
            await plugin_admin.disable(community, input.plugin)
        return PluginPayload(plugin=_plugin_info(community["id"], input.plugin))

    @strawberry.mutation(description="Change a plugin's settings (admins).")
    @payload(PluginPayload)
    async def configure_plugin(self, info: Info, input: ConfigurePluginInput
                               ) -> PluginPayload:
        community = await info.context.community(input.community)
        v.require_admin(await info.context.require_member(community))
        if not isinstance(input.settings, dict):
            raise invalid("settings", "Settings must be a JSON object.",
                            code="INVALID_INPUT")
        await plugin_admin.configure(community, input.plugin, input.settings)
        return PluginPayload(plugin=_plugin_info(community["id"], input.plugin))
