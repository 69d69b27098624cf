"""``yizhan disputes list|show|decide|overturn``: disputes from the admin CLI.

A dispute is named by its number (from ``list``). What is done here is recorded with no actor
(the CLI is the platform operator, acting as an admin who is no party).
"""

from __future__ import annotations

import json

import typer

from yizhan.cli.output import COMMUNITY_OPTION, JSON_OPTION, emit, fail
from yizhan.cli.runner import run
from yizhan.core.api import community_with_plugin, format_centi
from yizhan.plugins.disputes import service

disputes_app = typer.Typer(help="Service disputes: list, show, decide, overturn.",
                           no_args_is_help=True)
DISPUTE_ARG = typer.Argument(..., help="The dispute's number (see `disputes list`).")


async def _community(slug: str) -> dict:
    return await community_with_plugin(slug, service.PLUGIN)


def _out(row: dict) -> dict:
    photos = row["photos"]
    return {
        "id": row["id"], "need": row["need"], "category": row["category"],
        "status": row["status"], "requester": row["requester"], "helper": row["helper"],
        "mediator": row["mediator"], "opened_at": row["opened_at"], "due_at": row["due_at"],
        "seconds_left": service.seconds_left(row), "escalated": row["escalated_at"] is not None,
        "outcome": row["outcome"], "decided_at": row["decided_at"],
        "automatic": row["automatic"],
        "hours_to_decide": service.hours_text(row["decision_minutes"])
        if row["decision_minutes"] is not None else None,
        "within_deadline": row["within_deadline"], "reason": row["reason"],
        "public_line": row["public_line"], "release": row["release"],
        "compensation": format_centi(row["compensation_centi"] or 0),
        "taken_back": format_centi(row["takeback_centi"] or 0),
        "redo_need": row["redo_need"], "overturned_at": row["overturned_at"],
        "previous_outcome": row["previous_outcome"], "description": row["description"],
        "photos": json.loads(photos) if isinstance(photos, str) else photos,
    }


def _choice(value: str | None, allowed: tuple[str, ...], option: str) -> str | None:
    if value is None:
        return None
    value = value.strip().lower().replace("-", "_")
    if value not in allowed:
        fail("INVALID_OPTION", f"--{option} takes one of: {', '.join(allowed)}.")
    return value


@disputes_app.command("list")
def list_disputes(community: str = COMMUNITY_OPTION,
                  status: str = typer.Option(None, help="open or decided."),
                  category: str = typer.Option(None, help="not_done, poorly_done, damage, "
                                                          "no_show or conduct."),
                  limit: int = typer.Option(50, help="At most this many, newest first."),
                  as_json: bool = JSON_OPTION) -> None:
    """List the community's disputes, newest first."""
    status = _choice(status, (service.OPEN, service.DECIDED), "status")
    category = _choice(category, service.CATEGORIES, "category")

    async def body():
        row = await _community(community)
        return [_out(d) for d in await service.list_disputes(
            row, status=status, category=category, limit=max(1, min(limit, 500)))]

    emit(run(body), as_json, ["id", "need", "category", "status", "due_at", "outcome",
                              "hours_to_decide", "compensation"])


@disputes_app.command("show")
def show(dispute: int = DISPUTE_ARG, community: str = COMMUNITY_OPTION,
         as_json: bool = JSON_OPTION) -> None:
    """One dispute with its timeline."""

    async def body():
        row = await _community(community)
        found = await service.get(row, dispute, "dispute")
        out = _out(found)
        steps = [{"kind": s["kind"], "actor": s["actor"], "body": s["body"], "at": s["at"]}
                 for s in await service.timeline(found)]
        out["timeline"] = steps
        return out

    out = run(body)
    if as_json:
        emit(out, True)
        return
    steps = out.pop("timeline")
    emit(out, False)
    typer.echo("timeline:")
    for s in steps:
        typer.echo(f"  {s['at']:%Y-%m-%d %H:%M}  {s['kind']}  (member {s['actor'] or '-'})"
                   f"  {s['body']}")


@disputes_app.command("decide")
def decide(dispute: int = DISPUTE_ARG, community: str = COMMUNITY_OPTION,
           outcome: str = typer.Option(..., help="redo, compensate, dismissed or "
                                                 "redo_and_compensate."),
           reason: str = typer.Option(..., help="Why (the parties read it)."),
           public_line: str = typer.Option("", help="A line for the public notice."),
           compensation: str = typer.Option(None, help="Credits from the compensation fund "
                                                       "(default: the need's, capped)."),
           redo_assign: str = typer.Option(None, help="same_helper or open."),
           release: str = typer.Option(None, help="confirmed or cancelled."),
           as_json: bool = JSON_OPTION) -> None:
    """Decide a dispute as an admin."""
    outcome = _choice(outcome, service.OUTCOMES, "outcome")
    redo_assign = _choice(redo_assign, ("same_helper", "open"), "redo-assign")
    release = _choice(release, ("confirmed", "cancelled"), "release")

    async def body():
        row = await _community(community)
        return _out(await service.decide(
            row, None, dispute, outcome=outcome, reason=reason, public_line=public_line,
            compensation=compensation, redo_assign=redo_assign, release=release))

    emit(run(body), as_json)


@disputes_app.command("overturn")
def overturn(dispute: int = DISPUTE_ARG, community: str = COMMUNITY_OPTION,
             outcome: str = typer.Option(..., help="dismissed or compensate."),
             reason: str = typer.Option(..., help="Why (recorded)."),
             compensation: str = typer.Option(None, help="Credits, for compensate."),
             as_json: bool = JSON_OPTION) -> None:
    """Overturn a decision within the set time."""
    outcome = _choice(outcome, (service.DISMISSED, service.COMPENSATE), "outcome")

    async def body():
        row = await _community(community)
        return _out(await service.overturn(row, None, dispute, outcome=outcome, reason=reason,
                                           compensation=compensation))

    emit(run(body), as_json)
