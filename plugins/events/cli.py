"""``yizhan events create|list|signup|checkin|close|stats|feed``: neighbourhood events from
the admin CLI. Members are named by username, buildings by name, event dates by the number
``list`` shows.

The CLI acts as the platform operator: what it creates, checks in and closes is recorded with
no actor (the organiser is named with ``--organiser``); ``signup`` acts for the member named.
"""

from __future__ import annotations

from datetime import datetime

import typer

from yizhan.cli.output import COMMUNITY_OPTION, JSON_OPTION, emit, fail
from yizhan.cli.runner import run
from yizhan.core.api import (
    community_with_plugin,
    find_person,
    format_centi,
    list_buildings,
    member_for,
)
from yizhan.plugins.events import events as ev
from yizhan.plugins.events import ical, service, signups
from yizhan.plugins.events.schema import event_stats

events_app = typer.Typer(help="Neighbourhood events: create, list, sign up, check in, close, "
                              "figures and the calendar feed.", no_args_is_help=True)
OCCURRENCE_ARG = typer.Argument(..., help="The event date's number (see `events list`).")


async def _community(slug: str) -> dict:
    return await community_with_plugin(slug, ev.PLUGIN)


async def _member(community: dict, username: str) -> dict:
    person = await find_person(username)
    member = await member_for(community["id"], person["id"]) if person else None
    if member is None:
        fail("NOT_FOUND", f"{username} is not a member of {community['slug']}.")
    return member


async def _building_ids(community: dict, names: str | None) -> list[int] | None:
    if not names:
        return None
    known = {b["name"]: b["id"] for b in await list_buildings(community)}
    out = []
    for name in (n.strip() for n in names.split(",") if n.strip()):
        if name not in known:
            fail("UNKNOWN_BUILDING", f"No building named {name!r} in {community['slug']}.")
        out.append(known[name])
    return out


def _when(text: str, option: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        fail("INVALID_DATE", f"--{option} takes a time like 2026-11-07T14:00.")
    raise AssertionError("unreachable")


def _occurrence_out(community: dict, occurrence: dict, event: dict, taken: int,
                    waiting: int) -> dict:
    return {"id": occurrence["id"], "event": event["id"], "title": event["title"],
            "kind": event["kind"],
            "starts": ev.local(community, occurrence["starts_at"]).isoformat(),
            "ends": ev.local(community, occurrence["ends_at"]).isoformat(),
            "place": ev.place_of(event, occurrence), "capacity": ev.capacity_of(event,
                                                                               occurrence),
            "taken": taken, "waitlist": waiting, "status": occurrence["status"]}


async def _describe(community: dict, occurrence: dict, event: dict) -> dict:
    active = await signups.active(occurrence["id"])
    return _occurrence_out(community, occurrence, event, await signups.taken(occurrence["id"]),
                           len([s for s in active if s["status"] == signups.WAITLISTED]))


def _signup_out(row: dict, username: str = "") -> dict:
    return {"id": row["id"], "occurrence": row["occurrence"], "member": row["member"],
            "username": username, "status": row["status"], "code": row["code"],
            "checked_in_at": row["checked_in_at"], "late": row["late"],
            "walk_in": row["walk_in"], "first_time": row["first_time"],
            "referrer": row["referrer"]}


@events_app.command("create")
def create(title: str, community: str = COMMUNITY_OPTION,
           kind: str = typer.Option(..., help="game, feast, volunteering, talk or other."),
           place: str = typer.Option(..., help="Where it takes place."),
           start: str = typer.Option(..., help="First start, local time: 2026-11-07T14:00."),
           end: str = typer.Option(..., help="First end, local time: 2026-11-07T16:30."),
           capacity: int = typer.Option(..., help="Places per date."),
           organiser: str = typer.Option(..., help="The organiser's username (a leader or "
                                                   "admin)."),
           rrule: str = typer.Option(None, help="RFC 5545 rule for a series: "
                                                "FREQ=WEEKLY;BYDAY=SA."),
           description: str = typer.Option("", help="What it is about."),
           audience: str = typer.Option(None, help="Buildings that may sign up (comma-"
                                                   "separated names; default everyone)."),
           invite: str = typer.Option(None, help="Buildings invited ahead of each date."),
           fee: str = typer.Option(None, help="Credits asked after the first participation."),
           as_json: bool = JSON_OPTION) -> None:
    """Create an event, or a series with --rrule."""

    async def body():
        row = await _community(community)
        boss = await _member(row, organiser)
        event = await service.create_event(
            row, None, title=title, kind=kind, place=place, starts_at=_when(start, "start"),
            ends_at=_when(end, "end"), capacity=capacity, description=description,
            rrule=rrule, organiser=boss, audience=await _building_ids(row, audience),
            invited=await _building_ids(row, invite), fee=fee)
        dates = await ev.upcoming(row, event_id=event["id"])
        return {"id": event["id"], "title": event["title"], "kind": event["kind"],
                "rrule": event["rrule"], "capacity": event["capacity"],
                "fee": format_centi(event["fee_centi"]),
                "dates": [await _describe(row, o, e) for o, e in dates]}

    emit(run(body), as_json)


@events_app.command("list")
def list_dates(community: str = COMMUNITY_OPTION,
               kind: str = typer.Option(None, help="Only this kind."),
               cancelled: bool = typer.Option(False, "--cancelled",
                                              help="Include cancelled dates."),
               as_json: bool = JSON_OPTION) -> None:
    """List the event dates that have not ended."""

    async def body():
        row = await _community(community)
        return [await _describe(row, o, e) for o, e in await ev.upcoming(
            row, kind=kind, include_cancelled=cancelled)]

    emit(run(body), as_json, ["id", "title", "starts", "place", "capacity", "taken",
                              "waitlist", "status"])


@events_app.command("signup")
def signup(occurrence: int = OCCURRENCE_ARG, username: str = typer.Argument(
               ..., help="The member signing up."),
           community: str = COMMUNITY_OPTION,
           referrer: str = typer.Option(None, help="Username of the member who brought them."),
           as_json: bool = JSON_OPTION) -> None:
    """Sign a member up for a date (acting for them), naming who brought them."""

    async def body():
        row = await _community(community)
        member = await _member(row, username)
        named = await _member(row, referrer) if referrer else None
        done = await service.sign_up(row, member, occurrence,
                                     referrer_id=named["id"] if named else None)
        out = _signup_out(done, username)
        out["qr_payload"] = signups.qr_payload(row, done["code"])
        return out

    emit(run(body), as_json)


@events_app.command("checkin")
def checkin(occurrence: int = OCCURRENCE_ARG, community: str = COMMUNITY_OPTION,
            code: str = typer.Option(None, help="The check-in code or QR payload."),
            member: str = typer.Option(None, help="The member's username."),
            name: str = typer.Option(None, help="The member's name."),
            walk_in: bool = typer.Option(False, "--walk-in",
                                         help="Add a member who did not sign up (with "
                                              "--member)."),
            as_json: bool = JSON_OPTION) -> None:
    """Check someone in by code, username or name."""

    async def body():
        row = await _community(community)
        member_id = (await _member(row, member))["id"] if member else None
        done = await service.check_in(row, None, occurrence, code=code, member_id=member_id,
                                      name=name, walk_in=walk_in)
        return _signup_out(done, member or "")

    emit(run(body), as_json)


@events_app.command("close")
def close(occurrence: int = OCCURRENCE_ARG, community: str = COMMUNITY_OPTION,
          hours: list[str] = typer.Option(None, "--hours",
                                          help="Volunteer hours: username=2.5 (repeatable)."),
          as_json: bool = JSON_OPTION) -> None:
    """Close a date: checked-in people completed, the others no-show; rewards paid once."""

    async def body():
        row = await _community(community)
        entries = []
        for item in hours or []:
            username, sep, amount = item.partition("=")
            if not sep:
                fail("INVALID_HOURS", "--hours takes username=hours, e.g. li=2.5.")
            entries.append(((await _member(row, username))["id"], amount))
        closed = await service.close(row, None, occurrence, hours=entries or None)
        event = await ev.get_event(row, closed["event"])
        out = await _describe(row, closed, event)
        rows = await signups.of_occurrence(closed["id"])
        rewards = await service.rewards_of(row, [s["id"] for s in rows])
        out["attendees"] = [{
            "member": s["member"], "status": s["status"], "first_time": s["first_time"],
            "rewards": [{"kind": r["kind"], "member": r["member"],
                         "amount": format_centi(r["amount_centi"]), "status": r["status"]}
                        for r in rewards.get(s["id"], [])]} for s in rows]
        return out

    emit(run(body), as_json)


@events_app.command("stats")
def stats_command(community: str = COMMUNITY_OPTION,
                  month: str = typer.Option(None, help="The month, 2026-11 (default: this "
                                                       "month)."),
                  as_json: bool = JSON_OPTION) -> None:
    """A month's figures: each date and the totals, with conversion."""

    async def body():
        row = await _community(community)
        found = await event_stats(row, month)

        def figures(f) -> dict:
            return {"signed_up": f.signed_up, "waitlisted": f.waitlisted,
                    "attended": f.attended, "no_shows": f.no_shows,
                    "first_timers": f.first_timers, "referrals": f.referrals,
                    "converted": f.converted, "conversion": f.conversion}

        return {"month": found.month, "conversion_days": found.conversion_days,
                "totals": figures(found.totals),
                "occurrences": [{"id": int(o.occurrence._row["id"]),
                                 "title": o.occurrence.title,
                                 "starts": o.occurrence.starts_at.isoformat(),
                                 **figures(o.figures)} for o in found.occurrences]}

    emit(run(body), as_json)


@events_app.command("feed")
def feed(community: str = COMMUNITY_OPTION) -> None:
    """Print the community's public iCalendar feed (what /events/<community>.ics serves)."""

    async def body():
        return (await ical.public_feed(await _community(community))).decode()

    typer.echo(run(body), nl=False)
