"""Admin commands: communities, buildings, members, tokens."""

from __future__ import annotations

import getpass
from datetime import datetime

import typer

from yizhan.cli.output import COMMUNITY_OPTION, JSON_OPTION, emit, fail
from yizhan.cli.runner import run
from yizhan.core import db
from yizhan.core.services import communities, members, people

community_app = typer.Typer(help="Communities.", no_args_is_help=True)
building_app = typer.Typer(help="Buildings of a community.", no_args_is_help=True)
member_app = typer.Typer(help="Members: add, verify, promote, list.", no_args_is_help=True)
token_app = typer.Typer(help="Login and service tokens.", no_args_is_help=True)

JSON = JSON_OPTION
COMMUNITY = COMMUNITY_OPTION


@community_app.command("create")
def community_create(slug: str, name: str = typer.Option(..., help="Display name."),
                     time_zone: str = typer.Option("Asia/Shanghai", help="IANA time zone."),
                     locale: str = typer.Option("zh_Hans", help="zh_Hans or en."),
                     as_json: bool = JSON) -> None:
    """Create a community."""
    row = run(lambda: communities.create_community(slug, name, time_zone, locale))
    emit(row, as_json)


@community_app.command("list")
def community_list(as_json: bool = JSON) -> None:
    """List communities."""
    emit(run(communities.list_communities), as_json, ["id", "slug", "name", "time_zone",
                                                       "locale"])


@building_app.command("create")
def building_create(name: str, community: str = COMMUNITY,
                    households: int = typer.Option(0, help="Number of households."),
                    as_json: bool = JSON) -> None:
    """Add a building to a community."""

    async def body():
        row = await communities.get_community(community)
        return await communities.create_building(row, name, households)

    emit(run(body), as_json)


@building_app.command("list")
def building_list(community: str = COMMUNITY, as_json: bool = JSON) -> None:
    """List a community's buildings."""

    async def body():
        return await communities.list_buildings(await communities.get_community(community))

    emit(run(body), as_json, ["id", "name", "households"])


@member_app.command("add")
def member_add(username: str, community: str = COMMUNITY,
               name: str = typer.Option(None, help="Display name (new people)."),
               building: str = typer.Option(None, help="Building name."),
               real_name: str = typer.Option(None, help="Verify at once with this real name."),
               role: str = typer.Option("resident", help="resident, deputy_leader, "
                                        "building_leader or admin (needs --real-name)."),
               phone: str = typer.Option(None, help="Phone number (new people)."),
               password: str = typer.Option(None, help="Password (new people); prompted "
                                            "when omitted and a terminal is attached."),
               as_json: bool = JSON) -> None:
    """Add a person to a community (creating their login if new)."""
    if role != "resident" and not real_name:
        fail("INVALID_INPUT", "A role other than resident needs --real-name (verification).")

    secret = password
    if secret is None and typer.get_text_stream("stdin").isatty():
        secret = _new_login_password(username)

    async def body():
        # One transaction: a refused step (the building, the role …) leaves nothing behind —
        # no login, no verified member without their role.
        async with db.atomic():
            row = await communities.get_community(community)
            person = await people.find_person(username)
            if person is None:
                person = await people.create_person(username, name or username, secret,
                                                    phone=phone)
            building_id = None
            if building:
                building_id = (await communities.get_building(row, name=building))["id"]
            return await members.add_member(row, person["id"], building_id, role, real_name)

    emit(run(body), as_json)


@member_app.command("verify")
def member_verify(username: str, community: str = COMMUNITY,
                  real_name: str = typer.Option(..., help="The real name you checked."),
                  as_json: bool = JSON) -> None:
    """Verify a pending member by real name."""

    async def body():
        row = await communities.get_community(community)
        member = await _member_by_username(row, username)
        return await members.verify(row, None, member["id"], real_name)

    emit(run(body), as_json)


@member_app.command("remove")
def member_remove(username: str, community: str = COMMUNITY,
                  reason: str = typer.Option(..., help="Why; the member is told."),
                  as_json: bool = JSON) -> None:
    """Remove a member (refused while they have needs open or are the last admin)."""

    async def body():
        row = await communities.get_community(community)
        member = await _member_by_username(row, username)
        return await members.remove(row, None, member["id"], reason)

    emit(run(body), as_json)


@member_app.command("promote")
def member_promote(username: str, role: str = typer.Option(..., help="resident, "
                   "deputy_leader, building_leader or admin."),
                   community: str = COMMUNITY, as_json: bool = JSON) -> None:
    """Change a verified member's role."""

    async def body():
        row = await communities.get_community(community)
        member = await _member_by_username(row, username)
        return await members.set_role(row, None, member["id"], role)

    emit(run(body), as_json)


@member_app.command("list")
def member_list(community: str = COMMUNITY,
                status: str = typer.Option(
                    None, help="pending, verified, declined, left or removed."),
                as_json: bool = JSON) -> None:
    """List a community's members."""
    from yizhan.core.tables import Person

    async def body():
        row = await communities.get_community(community)
        found = await members.list_members(row, status=status, limit=10_000)
        names = {p["id"]: p for p in await Person.select().where(
            Person.id.is_in([m["person"] for m in found] or [-1]))}
        buildings = {b["id"]: b["name"] for b in await communities.list_buildings(row)}
        for m in found:
            m["username"] = names[m["person"]]["username"]
            m["name"] = names[m["person"]]["display_name"]
            m["building_name"] = buildings.get(m["building"])
        return found

    emit(run(body), as_json, ["id", "username", "name", "role", "status", "building_name",
                              "verified_at"])


def _new_login_password(username: str) -> str | None:
    """Ask for a new person's password on a terminal (before the transaction opens)."""
    async def exists() -> bool:
        return await people.find_person(username) is not None

    if run(exists):
        return None
    return getpass.getpass("Password for the new login: ")


def audit_log(community: str = COMMUNITY,
              action: str = typer.Option(None, help="An action (need.confirmed) or a prefix "
                                         "ending in a dot (need.)."),
              subject_type: str = typer.Option(None, help="Need, Member, Plugin …"),
              subject_id: str = typer.Option(None, help="With --subject-type."),
              actor: str = typer.Option(None, help="Only what this member (username) did."),
              by: str = typer.Option(None, help="Only what this CLI operator or service "
                                     "token did."),
              since: datetime = typer.Option(None, help="At or after (ISO, community time)."),
              until: datetime = typer.Option(None, help="Before (ISO, community time)."),
              limit: int = typer.Option(50, min=1, max=10_000, help="At most this many."),
              as_json: bool = JSON) -> None:
    """Read a community's audit log, newest first: who did what, on what, when, and how."""
    from zoneinfo import ZoneInfo

    from yizhan.core import audit
    from yizhan.core.tables import Member, Person

    async def body():
        row = await communities.get_community(community)
        tz = ZoneInfo(row["time_zone"])
        member_id = None
        if actor:
            member_id = (await _member_by_username(row, actor))["id"]
        found = [audit.decode(r) for r in await audit.entries(
            row["id"], actor_member=member_id, operator=by, action=action,
            subject_type=subject_type, subject_id=subject_id,
            since=since.replace(tzinfo=since.tzinfo or tz) if since else None,
            until=until.replace(tzinfo=until.tzinfo or tz) if until else None, limit=limit)]
        ids = {r["actor_member"] for r in found if r["actor_member"] is not None}
        names = {m["id"]: m["person.username"] for m in await Member.select(
            Member.id, Member.person.username).where(Member.id.is_in(list(ids) or [-1]))}
        persons = {p["id"]: p["username"] for p in await Person.select(
            Person.id, Person.username).where(Person.id.is_in(
                [r["actor_person"] for r in found if r["actor_person"]] or [-1]))}
        for r in found:
            r["actor"] = names.get(r["actor_member"]) or persons.get(r["actor_person"])
            r["subject"] = f"{r['subject_type']} {r['subject_id']}".strip()
            r["at"] = r["at"].astimezone(tz)
        return found

    emit(run(body), as_json, ["id", "at", "via", "operator", "actor", "action", "subject",
                              "details"])


async def _member_by_username(community: dict, username: str) -> dict:
    person = await people.find_person(username)
    member = await members.member_for(community["id"], person["id"]) if person else None
    if member is None:
        fail("NOT_FOUND", f"{username} is not a member of {community['slug']}.")
    return member


@token_app.command("create")
def token_create(username: str = typer.Option(None, help="A login token for this person."),
                 service: str = typer.Option(None, help="A service token with this name."),
                 community: str = typer.Option(None, "--community", "-c",
                                               help="Community of a service token."),
                 hours: int = typer.Option(None, help="Lifetime of a login token."),
                 as_json: bool = JSON) -> None:
    """Create a token; its value is shown once."""
    if bool(username) == bool(service):
        fail("INVALID_INPUT", "Give either --username or --service.")
    if service and not community:
        fail("INVALID_INPUT", "A service token needs --community.")

    async def body():
        if username:
            person = await people.find_person(username)
            if person is None:
                fail("NOT_FOUND", f"No person named {username}.")
            token, row = await people.create_login_token(person["id"], hours)
        else:
            cid = (await communities.get_community(community))["id"]
            token, row = await people.create_service_token(service, cid)
        return {"id": row["id"], "kind": row["kind"], "token": token,
                "expires_at": row["expires_at"]}

    emit(run(body), as_json)


@token_app.command("revoke")
def token_revoke(token_id: int, as_json: bool = JSON) -> None:
    """Revoke a token by its id."""
    if not run(lambda: people.revoke_token(token_id=token_id)):
        fail("NOT_FOUND", f"No active token {token_id}.")
    if as_json:
        emit({"id": token_id, "revoked": True}, True)
    else:
        typer.echo(f"Token {token_id} revoked.")


@token_app.command("list")
def token_list(username: str = typer.Option(None, help="Only this person's tokens."),
               as_json: bool = JSON) -> None:
    """List tokens (never their values)."""

    async def body():
        pid = None
        if username:
            person = await people.find_person(username)
            if person is None:
                fail("NOT_FOUND", f"No person named {username}.")
            pid = person["id"]
        return await people.list_tokens(pid)

    emit(run(body), as_json, ["id", "kind", "name", "person", "community", "expires_at",
                              "revoked_at"])


def register(app: typer.Typer) -> None:
    """Add the admin commands to ``app``."""
    app.add_typer(community_app, name="community")
    app.add_typer(building_app, name="building")
    app.add_typer(member_app, name="member")
    app.add_typer(token_app, name="token")
    app.command("audit")(audit_log)
