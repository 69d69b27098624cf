"""``yizhan governance requests|grids|grants|figures …``: the community's requests, its grids
and teams, and the micro-grant fund, from the command line.

Request and proposal ids are the numbers ``list`` prints. ``--by USERNAME`` says who acts;
without it a staff step is done by the operator running the CLI (as an admin would be), while
the residents' own steps (submit, close, reopen, rate, propose, progress, complete) need it.
"""

from __future__ import annotations

from pathlib import Path

import typer

from yizhan.cli.output import COMMUNITY_OPTION, JSON_OPTION, emit, fail
from yizhan.cli.runner import run
from yizhan.core.api import (
    community_with_plugin,
    find_person,
    list_buildings,
    member_for,
    members_by_id,
)
from yizhan.plugins.governance import service

governance_app = typer.Typer(help="Governance: residents' requests, grids and teams, "
                                  "micro-grants.", no_args_is_help=True)
requests_app = typer.Typer(help="Residents' requests and their deadlines.",
                           no_args_is_help=True)
grids_app = typer.Typer(help="Grids, their buildings and teams.", no_args_is_help=True)
grants_app = typer.Typer(help="Micro-grant rounds, proposals, reviews and grants.",
                         no_args_is_help=True)
governance_app.add_typer(requests_app, name="requests")
governance_app.add_typer(grids_app, name="grids")
governance_app.add_typer(grants_app, name="grants")

COMMUNITY = COMMUNITY_OPTION
JSON = JSON_OPTION
BY = typer.Option(None, "--by", help="Username of the member acting.")
BY_REQUIRED = typer.Option(..., "--by", help="Username of the member acting.")
REQUEST_COLUMNS = ["id", "status", "urgency", "category", "where", "grid", "due_at",
                   "overdue", "on_time", "satisfied"]
PROPOSAL_COLUMNS = ["id", "round", "title", "budget", "granted", "status", "proposer"]


async def _community(slug: str) -> dict:
    return await community_with_plugin(slug, service.PLUGIN)


async def _member(community: dict, username: str | None) -> dict | None:
    if not username:
        return None
    person = await find_person(username)
    member = await member_for(community["id"], person["id"]) if person else None
    if member is None:
        fail("NOT_FOUND", f"{username} is not a member of {community['slug']}.")
    return member


async def _grid_id(community: dict, name: str | None) -> int | None:
    if not name:
        return None
    grid = await service.grid_by_name(community, name)
    if grid is None:
        fail("NOT_FOUND", f"No grid named {name}.")
    return grid["id"]


async def _usernames(ids) -> dict[int, str]:
    return {m["id"]: m["username"] for m in await members_by_id(i for i in ids if i)}


async def _request_dict(community: dict, row: dict, timeline: bool = False) -> dict:
    buildings = {b["id"]: b["name"] for b in await list_buildings(community)}
    grids = {g["id"]: g["name"] for g in await service.list_grids(community)}
    steps = await service.timeline(row["id"]) if timeline else []
    names = await _usernames([row["assignee"], row["requester"], row["filed_by"],
                              *(e["actor"] for e in steps)])
    found = {
        "id": row["id"], "status": row["status"], "urgency": row["urgency"],
        "triaged": row["triaged"], "category": row["category"],
        "description": row["description"],
        "where": ", ".join(p for p in (buildings.get(row["building"]), row["place"]) if p),
        "grid": grids.get(row["grid"]), "assignee": names.get(row["assignee"]),
        "requester": names.get(row["requester"]) or row["reporter_name"] or None,
        "filed_by": names.get(row["filed_by"]),
        "channel": row["channel"], "submitted_at": row["submitted_at"],
        "due_at": row["due_at"], "answered_at": row["answered_at"],
        "overdue": service.is_overdue(row), "on_time": row["on_time"],
        "breached": row["breached"], "escalated_at": row["escalated_at"],
        "response": row["response"], "satisfied": row["satisfied"],
        "rating_comment": row["rating_comment"],
    }
    if timeline:
        found["timeline"] = [{"action": e["action"], "actor": names.get(e["actor"]),
                              "note": e["note"], "at": e["at"]} for e in steps]
    return found


def _step(community: str, as_json: bool, action) -> None:
    """Run one request step and print the request after it."""

    async def body() -> dict:
        row = await _community(community)
        return await _request_dict(row, await action(row))

    emit(run(body), as_json)


# --- requests ----------------------------------------------------------------------------


@requests_app.command("list")
def requests_list(community: str = COMMUNITY,
                  urgency: str = typer.Option(None, help="red, yellow or blue."),
                  status: str = typer.Option(None, help="submitted, assigned, in_progress, "
                                                        "answered, closed or rejected."),
                  overdue: bool = typer.Option(False, "--overdue",
                                               help="Only open requests past the deadline."),
                  grid: str = typer.Option(None, help="Only this grid's requests."),
                  limit: int = typer.Option(50, min=1, max=1000), as_json: bool = JSON) -> None:
    """The community's requests, newest first."""

    async def body() -> list[dict]:
        row = await _community(community)
        if status and status not in service.STATUSES:
            fail("INVALID_STATUS", f"Unknown status {status}.")
        rows = await service.list_requests(
            row, level=urgency or None, status=status, overdue=True if overdue else None,
            grid_ids=[await _grid_id(row, grid)] if grid else None, limit=limit)
        return [await _request_dict(row, r) for r in rows]

    if urgency and urgency not in service.URGENCIES:
        fail("INVALID_URGENCY", "Choose an urgency: red, yellow or blue.")
    emit(run(body), as_json, REQUEST_COLUMNS)


@requests_app.command("show")
def requests_show(request_id: int, community: str = COMMUNITY, as_json: bool = JSON) -> None:
    """One request with its timeline."""

    async def body() -> dict:
        row = await _community(community)
        return await _request_dict(row, await service.get_request(row, request_id), True)

    emit(run(body), as_json)


@requests_app.command("submit")
def requests_submit(community: str = COMMUNITY, by: str = BY_REQUIRED,
                    for_: str = typer.Option(None, "--for",
                                             help="The resident a leader files for."),
                    category: str = typer.Option(..., help="A category code."),
                    description: str = typer.Option(..., help="What is wrong or wished for."),
                    building: str = typer.Option(None, help="A building's name."),
                    place: str = typer.Option("", help="A place, in words."),
                    urgency: str = typer.Option(None, help="Suggested: red, yellow, blue."),
                    photo: list[str] = typer.Option([], help="A photo reference; repeat."),
                    as_json: bool = JSON) -> None:
    """Submit a request (as --by; a leader may file --for a resident)."""

    async def action(row: dict) -> dict:
        actor = await _member(row, by)
        elder = await _member(row, for_)
        return await service.submit(row, actor, category=category, description=description,
                                    building=building, place=place, photos=photo,
                                    suggested_urgency=urgency,
                                    on_behalf_of=elder["id"] if elder else None)

    _step(community, as_json, action)


@requests_app.command("triage")
def requests_triage(request_id: int, community: str = COMMUNITY,
                    urgency: str = typer.Option(..., help="red, yellow or blue."),
                    assignee: str = typer.Option(None, help="Username of a person to handle "
                                                            "it (else the grid team)."),
                    grid: str = typer.Option(None, help="A grid other than the building's."),
                    note: str = typer.Option(""), by: str = BY, as_json: bool = JSON) -> None:
    """Triage a request and route it to its grid team or a person."""

    async def action(row: dict) -> dict:
        person = await _member(row, assignee)
        return await service.triage(row, await _member(row, by), request_id, urgency,
                                    assignee_id=person["id"] if person else None,
                                    grid_id=await _grid_id(row, grid), note=note)

    _step(community, as_json, action)


@requests_app.command("assign")
def requests_assign(request_id: int, community: str = COMMUNITY,
                    assignee: str = typer.Option(None, help="Username of a person."),
                    grid: str = typer.Option(None, help="A grid's name."),
                    note: str = typer.Option(""), by: str = BY, as_json: bool = JSON) -> None:
    """Hand a request to a person or a grid team."""

    async def action(row: dict) -> dict:
        person = await _member(row, assignee)
        return await service.assign(row, await _member(row, by), request_id,
                                    assignee_id=person["id"] if person else None,
                                    grid_id=await _grid_id(row, grid), note=note)

    _step(community, as_json, action)


@requests_app.command("update")
def requests_update(request_id: int, community: str = COMMUNITY,
                    urgency: str = typer.Option(None, help="A new urgency (moves the "
                                                           "deadline)."),
                    start: bool = typer.Option(False, "--start", help="Mark it in progress."),
                    note: str = typer.Option(""), by: str = BY, as_json: bool = JSON) -> None:
    """Change the urgency, start the work, or add a note."""

    async def action(row: dict) -> dict:
        return await service.update(row, await _member(row, by), request_id, level=urgency,
                                    start=start, note=note)

    _step(community, as_json, action)


@requests_app.command("answer")
def requests_answer(request_id: int, community: str = COMMUNITY,
                    response: str = typer.Option(..., help="The answer."),
                    private: bool = typer.Option(False, "--private",
                                                 help="Only the resident sees it."),
                    by: str = BY, as_json: bool = JSON) -> None:
    """Answer a request (cancels its deadline; on time is recorded)."""

    async def action(row: dict) -> dict:
        return await service.answer(row, await _member(row, by), request_id, response,
                                    not private)

    _step(community, as_json, action)


@requests_app.command("reject")
def requests_reject(request_id: int, community: str = COMMUNITY,
                    reason: str = typer.Option(..., help="Why."), by: str = BY,
                    as_json: bool = JSON) -> None:
    """Reject a request with a reason."""

    async def action(row: dict) -> dict:
        return await service.reject(row, await _member(row, by), request_id, reason)

    _step(community, as_json, action)


@requests_app.command("close")
def requests_close(request_id: int, community: str = COMMUNITY, by: str = BY_REQUIRED,
                   as_json: bool = JSON) -> None:
    """The resident confirms an answered request."""

    async def action(row: dict) -> dict:
        return await service.close(row, await _member(row, by), request_id)

    _step(community, as_json, action)


@requests_app.command("reopen")
def requests_reopen(request_id: int, community: str = COMMUNITY, by: str = BY_REQUIRED,
                    reason: str = typer.Option(..., help="Why."), as_json: bool = JSON) -> None:
    """The resident reopens a request within the allowed days."""

    async def action(row: dict) -> dict:
        return await service.reopen(row, await _member(row, by), request_id, reason)

    _step(community, as_json, action)


@requests_app.command("rate")
def requests_rate(request_id: int, community: str = COMMUNITY, by: str = BY_REQUIRED,
                  satisfied: bool = typer.Option(..., "--satisfied/--unsatisfied"),
                  comment: str = typer.Option(""), as_json: bool = JSON) -> None:
    """The resident rates the answer, once."""

    async def action(row: dict) -> dict:
        return await service.rate(row, await _member(row, by), request_id, satisfied, comment)

    _step(community, as_json, action)


# --- figures ------------------------------------------------------------------------------


def _period(p: service.Period) -> dict:
    def s(value):
        return None if value is None else str(value)

    return {"submitted": p.submitted, "due_or_answered": p.due_or_answered,
            "answered_on_time": p.answered_on_time, "on_time_percent": s(p.on_time_percent),
            "median_hours": s(p.median_hours), "overdue_open": p.overdue_open,
            "rated": p.rated, "satisfaction_percent": s(p.satisfaction_percent)}


@governance_app.command("figures")
def figures(community: str = COMMUNITY, as_json: bool = JSON) -> None:
    """The public figures: answered on time per urgency, this month and all time."""

    async def body() -> list[dict]:
        row = await _community(community)
        found = await service.figures(row)
        lines = []
        for level in (*service.URGENCIES, "all"):
            for period in ("month", "all"):
                data = found[period]
                p = data.total if level == "all" else data.by_urgency[level]
                lines.append({"urgency": level,
                              "period": "this month" if period == "month" else "all time",
                              **_period(p)})
        return lines

    emit(run(body), as_json, ["urgency", "period", "submitted", "due_or_answered",
                              "answered_on_time", "on_time_percent", "median_hours",
                              "overdue_open", "satisfaction_percent"])


# --- grids ---------------------------------------------------------------------------------


async def _grids(row: dict) -> list[dict]:
    names = {b["id"]: b["name"] for b in await list_buildings(row)}
    grids = await service.list_grids(row)
    ids = [g["id"] for g in grids]
    buildings, teams = await service.buildings_of(ids), await service.teams_of(ids)
    people = await _usernames(t["member"] for ts in teams.values() for t in ts)
    return [{"id": g["id"], "name": g["name"],
             "buildings": sorted(names.get(b, "?") for b in buildings[g["id"]]),
             "team": [{"member": people.get(t["member"]), "role": t["role"]}
                      for t in teams[g["id"]]]} for g in grids]


@grids_app.command("list")
def grids_list(community: str = COMMUNITY, as_json: bool = JSON) -> None:
    """The grids with their buildings and teams."""

    async def body() -> list[dict]:
        return await _grids(await _community(community))

    emit(run(body), as_json, ["id", "name", "buildings", "team"])


@grids_app.command("create")
def grids_create(name: str, community: str = COMMUNITY,
                 building: list[str] = typer.Option([], help="A building's name; repeat."),
                 description: str = typer.Option(""), as_json: bool = JSON) -> None:
    """Create a grid with its buildings."""

    async def body() -> dict:
        row = await _community(community)
        grid = await service.create_grid(row, None, name, description, building)
        return next(g for g in await _grids(row) if g["id"] == grid["id"])

    emit(run(body), as_json)


@grids_app.command("team-add")
def grids_team_add(grid: str, username: str, community: str = COMMUNITY,
                   role: str = typer.Option(..., help="A role from the community's list."),
                   as_json: bool = JSON) -> None:
    """Put a member on a grid's team."""

    async def body() -> dict:
        row = await _community(community)
        member = await _member(row, username)
        added = await service.add_team_member(row, None, await _grid_id(row, grid),
                                              member["id"], role)
        return {"grid": grid, "member": username, "role": added["role"]}

    emit(run(body), as_json)


@grids_app.command("team-remove")
def grids_team_remove(grid: str, username: str, community: str = COMMUNITY,
                      as_json: bool = JSON) -> None:
    """Take a member off a grid's team."""

    async def body() -> dict:
        row = await _community(community)
        member = await _member(row, username)
        await service.remove_team_member(row, None, await _grid_id(row, grid), member["id"])
        return {"grid": grid, "member": username, "removed": True}

    emit(run(body), as_json)


@grids_app.command("import")
def grids_import(file: Path = typer.Argument(..., help="CSV: grid,building[,building…]"),
                 community: str = COMMUNITY,
                 dry_run: bool = typer.Option(False, "--dry-run",
                                              help="Check and report; write nothing."),
                 as_json: bool = JSON) -> None:
    """Import grids from a CSV: all lines or none; errors name their lines."""
    try:
        content = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        fail("INVALID_CSV", f"Cannot read {file}: {error}")

    async def body() -> dict:
        return await service.import_csv(await _community(community), content, dry_run=dry_run)

    emit(run(body), as_json)


# --- grants ---------------------------------------------------------------------------------


def _round(r: dict) -> dict:
    return {"id": r["id"], "name": r["name"], "status": r["status"],
            "total": service.yuan(r["total_fen"]), "granted": service.yuan(r["granted_fen"]),
            "remaining": service.yuan(r["total_fen"] - r["granted_fen"])}


def _proposal(p: dict, names: dict[int, str] | None = None) -> dict:
    return {"id": p["id"], "round": p["round"], "title": p["title"],
            "budget": service.yuan(p["budget_fen"]), "granted": service.yuan(p["granted_fen"]),
            "status": p["status"], "proposer": (names or {}).get(p["proposer"], p["proposer"]),
            "decision_reason": p["decision_reason"]}


async def _round_id(row: dict, name: str) -> int:
    found = await service.round_by_name(row, name)
    if found is None:
        fail("NOT_FOUND", f"No round named {name}.")
    return found["id"]


@grants_app.command("rounds")
def grants_rounds(community: str = COMMUNITY, as_json: bool = JSON) -> None:
    """The rounds with their funds: total, granted, remaining (yuan)."""

    async def body() -> list[dict]:
        return [_round(r) for r in await service.list_rounds(await _community(community))]

    emit(run(body), as_json, ["id", "name", "status", "total", "granted", "remaining"])


@grants_app.command("round-create")
def grants_round_create(name: str, community: str = COMMUNITY,
                        total: str = typer.Option(..., help="The fund in yuan."),
                        description: str = typer.Option(""), as_json: bool = JSON) -> None:
    """Open a round with its fund."""

    async def body() -> dict:
        return _round(await service.create_round(await _community(community), None, name,
                                                 total, description))

    emit(run(body), as_json)


@grants_app.command("reviewer-add")
def grants_reviewer_add(round_name: str, username: str, community: str = COMMUNITY,
                        as_json: bool = JSON) -> None:
    """Name a member as a reviewer of a round."""

    async def body() -> dict:
        row = await _community(community)
        member = await _member(row, username)
        await service.add_reviewer(row, None, await _round_id(row, round_name), member["id"])
        return {"round": round_name, "reviewer": username}

    emit(run(body), as_json)


@grants_app.command("proposals")
def grants_proposals(community: str = COMMUNITY,
                     round_name: str = typer.Option(None, "--round"),
                     status: str = typer.Option(None), as_json: bool = JSON) -> None:
    """Proposals, newest first."""

    async def body() -> list[dict]:
        row = await _community(community)
        rid = await _round_id(row, round_name) if round_name else None
        rows = await service.list_proposals(row, round_id=rid, status=status, limit=1000)
        names = await _usernames(p["proposer"] for p in rows)
        return [_proposal(p, names) for p in rows]

    emit(run(body), as_json, PROPOSAL_COLUMNS)


@grants_app.command("funded")
def grants_funded(community: str = COMMUNITY, as_json: bool = JSON) -> None:
    """The public list of funded projects with their amounts."""

    async def body() -> list[dict]:
        rows = await service.list_proposals(await _community(community),
                                            statuses=["granted", "completed"], limit=1000)
        names = await _usernames(p["proposer"] for p in rows)
        return [_proposal(p, names) for p in rows]

    emit(run(body), as_json, PROPOSAL_COLUMNS)


@grants_app.command("propose")
def grants_propose(round_name: str, community: str = COMMUNITY, by: str = BY_REQUIRED,
                   title: str = typer.Option(...), description: str = typer.Option(...),
                   team: str = typer.Option(""), budget: str = typer.Option(..., help="Yuan."),
                   as_json: bool = JSON) -> None:
    """Propose a project to a round."""

    async def body() -> dict:
        row = await _community(community)
        return _proposal(await service.submit_proposal(
            row, await _member(row, by), await _round_id(row, round_name), title=title,
            description=description, team=team, budget=budget))

    emit(run(body), as_json)


@grants_app.command("review")
def grants_review(proposal_id: int, community: str = COMMUNITY, by: str = BY_REQUIRED,
                  score: int = typer.Option(None, help="1 to 5."),
                  verdict: str = typer.Option(None, help="approve or reject."),
                  reason: str = typer.Option(""), as_json: bool = JSON) -> None:
    """Review a proposal (an admin or a named reviewer)."""

    async def body() -> dict:
        row = await _community(community)
        review = await service.review(row, await _member(row, by), proposal_id, score=score,
                                      verdict=verdict, reason=reason)
        return {"proposal": proposal_id, "reviewer": by, "score": review["score"],
                "verdict": review["verdict"], "reason": review["reason"]}

    emit(run(body), as_json)


@grants_app.command("grant")
def grants_grant(proposal_id: int, community: str = COMMUNITY,
                 amount: str = typer.Option(..., help="Yuan."), reason: str = typer.Option(""),
                 by: str = BY, as_json: bool = JSON) -> None:
    """Grant a proposal an amount within what is left in its round."""

    async def body() -> dict:
        row = await _community(community)
        granted = await service.grant(row, await _member(row, by), proposal_id, amount, reason)
        return {**_proposal(granted),
                "round_remaining": _round(await service.get_round(row, granted["round"]))[
                    "remaining"]}

    emit(run(body), as_json)


@grants_app.command("decline")
def grants_decline(proposal_id: int, community: str = COMMUNITY,
                   reason: str = typer.Option(...), by: str = BY,
                   as_json: bool = JSON) -> None:
    """Decline a proposal with a reason."""

    async def body() -> dict:
        row = await _community(community)
        return _proposal(await service.decline(row, await _member(row, by), proposal_id,
                                               reason))

    emit(run(body), as_json)


@grants_app.command("progress")
def grants_progress(proposal_id: int, community: str = COMMUNITY, by: str = BY_REQUIRED,
                    note: str = typer.Option(...), as_json: bool = JSON) -> None:
    """The proposer reports progress on a funded project."""

    async def body() -> dict:
        row = await _community(community)
        await service.add_progress(row, await _member(row, by), proposal_id, note)
        return _proposal(await service.get_proposal(row, proposal_id))

    emit(run(body), as_json)


@grants_app.command("complete")
def grants_complete(proposal_id: int, community: str = COMMUNITY, by: str = BY_REQUIRED,
                    note: str = typer.Option(""), as_json: bool = JSON) -> None:
    """The proposer marks a funded project completed."""

    async def body() -> dict:
        row = await _community(community)
        return _proposal(await service.complete(row, await _member(row, by), proposal_id,
                                                note))

    emit(run(body), as_json)
