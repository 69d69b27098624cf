"""``yizhan badges define|list|award|revoke|stars``: badges from the admin CLI.

Everything done here is recorded with no actor (the CLI is the platform operator).
"""

from __future__ import annotations

import typer

from yizhan.cli.output import COMMUNITY_OPTION, JSON_OPTION, emit, fail
from yizhan.cli.runner import run
from yizhan.core.api import (
    community_with_plugin,
    find_person,
    get_member,
    get_person,
    member_for,
    now,
    parse_period,
    period_containing,
    previous_period,
)
from yizhan.plugins.badges import NAME, credentials, service, stars

badges_app = typer.Typer(help="Badges: expert certification, custom badges, mutual-aid stars.",
                         no_args_is_help=True)


async def _community(slug: str) -> dict:
    return await community_with_plugin(slug, NAME)


async def _member_id(community: dict, username: str) -> int:
    person = await find_person(username)
    member = await member_for(community["id"], person["id"]) if person else None
    if member is None:
        fail("NOT_FOUND", f"{username} is not a member of {community['slug']}.")
    return member["id"]


@badges_app.command("define")
def define(slug: str, community: str = COMMUNITY_OPTION,
           kind: str = typer.Option(None, help="expert, star or custom (new badges)."),
           name: str = typer.Option(None, help="Display name."),
           category: str = typer.Option(None, help="Skill category of an expert badge."),
           description: str = typer.Option(None, help="What the badge means."),
           criteria: str = typer.Option(None, help="How to earn it."),
           image_url: str = typer.Option(None, help="Image URL (empty: generated image)."),
           validity_days: int = typer.Option(None, help="Days an award is valid (0: forever)."),
           retire: bool = typer.Option(None, "--retire/--reactivate",
                                       help="Stop or resume awarding it."),
           as_json: bool = JSON_OPTION) -> None:
    """Create a badge, or change the one with this slug."""

    async def body():
        row = await _community(community)
        return await service.define(
            row, None, slug=slug, kind=kind, name=name, category=category,
            description=description, criteria=criteria, image_url=image_url,
            validity_days=validity_days, active=None if retire is None else not retire)

    emit(run(body), as_json)


@badges_app.command("list")
def list_badges(community: str = COMMUNITY_OPTION,
                awards: bool = typer.Option(False, "--awards",
                                            help="List awards instead of badges."),
                username: str = typer.Option(None, help="Only this member's awards."),
                include_retired: bool = typer.Option(False, help="Show retired badges too."),
                as_json: bool = JSON_OPTION) -> None:
    """List the community's badges (or, with --awards, who holds what)."""

    async def body():
        row = await _community(community)
        if not awards:
            return await service.list_definitions(row, include_retired=include_retired)
        member_id = await _member_id(row, username) if username else None
        found = await service.list_awards(row, member_id=member_id, limit=100_000)
        names = {d["id"]: d["slug"] for d in await service.list_definitions(
            row, include_retired=True)}
        return [{"id": a["id"], "badge": names.get(a["definition"]), "member": a["member"],
                 "status": service.award_status(a), "awarded_at": a["awarded_at"],
                 "expires_at": a["expires_at"], "period": a["period"],
                 "credential": credentials.credential_url(row, a["uuid"])} for a in found]

    columns = (["id", "badge", "member", "status", "awarded_at", "expires_at", "credential"]
               if awards else ["id", "slug", "kind", "category", "name", "validity_days",
                               "active"])
    emit(run(body), as_json, columns)


@badges_app.command("award")
def award(slug: str, username: str, community: str = COMMUNITY_OPTION,
          note: str = typer.Option("", help="Why (kept in the history)."),
          as_json: bool = JSON_OPTION) -> None:
    """Award a badge to a member directly (the star is named by the quarterly sweep)."""

    async def body():
        row = await _community(community)
        definition = await service.get_definition(row, slug=slug, field="slug")
        found = await service.award(row, None, definition["id"],
                                    await _member_id(row, username), note)
        return {"id": found["id"], "badge": slug, "member": found["member"],
                "expires_at": found["expires_at"],
                "credential": credentials.credential_url(row, found["uuid"])}

    emit(run(body), as_json)


@badges_app.command("revoke")
def revoke(award_id: int, community: str = COMMUNITY_OPTION,
           reason: str = typer.Option(..., help="Why (the member sees it)."),
           as_json: bool = JSON_OPTION) -> None:
    """Revoke an award (its id from `badges list --awards`) with a reason."""

    async def body():
        row = await _community(community)
        found = await service.revoke(row, None, award_id, reason)
        return {"id": found["id"], "status": service.award_status(found),
                "revoked_at": found["revoked_at"], "reason": found["revoke_reason"]}

    emit(run(body), as_json)


@badges_app.command("stars")
def show_stars(community: str = COMMUNITY_OPTION,
               quarter: str = typer.Option(None, help="The quarter, e.g. 2026Q3 (default: "
                                                      "the last one that ended)."),
               run_now: bool = typer.Option(False, "--run",
                                            help="Name the stars of that quarter if not done "
                                                 "yet (idempotent)."),
               as_json: bool = JSON_OPTION) -> None:
    """Show (or, with --run, name) the mutual-aid stars of a quarter."""

    async def body():

        row = await _community(community)
        tz = row["time_zone"]
        label = (parse_period("quarter", quarter, tz, "quarter").label if quarter else
                 previous_period(period_containing("quarter", now(), tz), tz).label)
        made = False
        if run_now:
            found, made = await stars.run_round(row, label)
            if found is None:
                fail("BADGE_RETIRED", "The mutual-aid star badge is retired here.")
        else:
            found = await stars.get_round(row, label)
        if found is None:
            return {"quarter": label, "ran": False, "winners": []}
        people = {m: n for m, n in await _names(row, [w["member"] for w in
                                                      await stars.winners(found["id"])])}
        return {"quarter": label, "ran": True, "made_now": made, "ran_at": found["ran_at"],
                "prize": found["prize"], "sponsor": found["sponsor"],
                "winners": [{"rank": w["rank"], "member": w["member"],
                             "name": people.get(w["member"], ""),
                             "hours": stars.hours_text(w["minutes_given"]),
                             "households": w["households_helped"],
                             "credits": w["credits_status"]}
                            for w in await stars.winners(found["id"])]}

    result = run(body)
    if as_json:
        emit(result, True)
        return
    if not result["ran"]:
        typer.echo(f"No mutual-aid stars named for {result['quarter']} yet "
                   "(use --run once the quarter has ended).")
        return
    typer.echo(f"Mutual-aid stars of {result['quarter']}"
               + (" (named now)" if result["made_now"] else ""))
    emit(result["winners"], False, ["rank", "name", "hours", "households", "credits"])


async def _names(community: dict, member_ids: list[int]) -> list[tuple[int, str]]:
    found = []
    for member_id in member_ids:
        member = await get_member(community, member_id)
        found.append((member_id, (await get_person(member["person"]))["display_name"]))
    return found


@badges_app.command("rotate-key")
def rotate_key(community: str = COMMUNITY_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Retire the community's signing key and make a new one (old credentials still verify:
    retired keys stay published)."""
    from yizhan.plugins.badges import keys

    async def body():
        row = await _community(community)
        key = await keys.rotate(row["id"])
        return {"kid": key["kid"], "url": credentials.key_url(row, key["kid"]),
                "created_at": key["created_at"]}

    emit(run(body), as_json)
