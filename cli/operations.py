"""Operations commands: ``member import``, ``export``, ``backup`` and ``restore``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from yizhan.cli.output import COMMUNITY_OPTION, JSON_OPTION, emit, fail
from yizhan.cli.runner import run
from yizhan.core import backup as backups
from yizhan.core.config import get_settings
from yizhan.core.errors import YizhanError
from yizhan.core.i18n import translate
from yizhan.core.services import communities, csvio

JSON = JSON_OPTION
COMMUNITY = COMMUNITY_OPTION


def member_import(file: Path = typer.Argument(..., help="CSV with the columns name, real_name, "
                                                        "phone, building, role, status."),
                  community: str = COMMUNITY,
                  dry_run: bool = typer.Option(False, "--dry-run",
                                               help="Check every line, write nothing."),
                  as_json: bool = JSON) -> None:
    """Import members from a CSV file, all or nothing: every bad line is reported with its
    number and nothing is written unless every line is right."""
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        fail("INVALID_FILE", f"Cannot read {file} as UTF-8 text: {error}.")
        return

    async def body():
        row = await communities.get_community(community)
        return await csvio.import_members(row, text, dry_run=dry_run)

    result = run(body)
    data = {"rows": result.rows, "imported": result.imported, "dry_run": result.dry_run,
            "errors": [e.__dict__ for e in result.errors]}
    if as_json:
        emit(data, True)
    else:
        for e in result.errors:
            typer.echo(f"line {e.line}: {e.field}: {e.message} [{e.code}]", err=True)
        if not result.errors:
            typer.echo(f"{result.rows} rows checked, nothing written (dry run)." if dry_run
                       else f"{result.imported} members imported.")
    if result.errors:
        if not as_json:
            typer.echo(f"error: {len(result.errors)} bad line(s); nothing was imported "
                       "[IMPORT_REJECTED]", err=True)
        raise typer.Exit(1)


def export(what: str = typer.Argument(..., help="members, needs, or a plugin's export "
                                                "(ledger with credits)."),
           community: str = COMMUNITY,
           output: Path = typer.Option(None, "--output", "-o",
                                       help="CSV file to write (default: standard output)."),
           as_json: bool = JSON) -> None:
    """Export a community's members, needs or ledger as CSV (read page by page)."""
    available = csvio.exports()
    if what not in available:
        fail("UNKNOWN_EXPORT", f"No export named {what!r}; choose from "
                               f"{', '.join(sorted(available))}.")

    async def body() -> int:
        row = await communities.get_community(community)
        if output is None:
            return await csvio.write_csv(available[what](row), sys.stdout)
        partial = output.with_name(output.name + ".partial")
        with partial.open("w", encoding="utf-8", newline="") as handle:
            count = await csvio.write_csv(available[what](row), handle)
        partial.replace(output)
        return count

    count = run(body)
    if output is None:
        return
    if as_json:
        emit({"export": what, "rows": count, "file": str(output)}, True)
    else:
        typer.echo(f"{count} rows written to {output}.")


def backup(output: Path = typer.Option(..., "--output", "-o", help="The backup file."),
           as_json: bool = JSON) -> None:
    """Copy the database consistently while servers run (SQLite's online backup, or pg_dump)."""
    try:
        emit(backups.backup(get_settings().database_url, output), as_json)
    except YizhanError as error:
        fail(error.code, translate(error.message, "en", **error.params))


def _verify_ledgers() -> list[dict]:
    """Run ``yizhan ledger verify`` for every community with credits on (when installed)."""
    from typer.testing import CliRunner

    from yizhan.cli.main import make_app

    app = make_app()
    if not any(group.name == "ledger" for group in app.registered_groups):
        return []
    slugs = run(lambda: communities.communities_with_plugin("credits"))
    results = []
    for community in slugs:
        outcome = CliRunner().invoke(app, ["ledger", "verify", "-c", community["slug"],
                                           "--json"])
        try:
            data = json.loads(outcome.stdout)
        except ValueError:
            data = {"ok": False, "message": outcome.stdout.strip() or str(outcome.exception)}
        results.append({"community": community["slug"], "ok": bool(data.get("ok")),
                        "message": data.get("message", "")})
    return results


def restore(file: Path = typer.Argument(..., help="A file made by yizhan backup."),
            yes: bool = typer.Option(False, "--yes", help="Overwrite a database holding data."),
            as_json: bool = JSON) -> None:
    """Put a backup back into the configured database, then verify every community's ledger
    (credits plugin). Refuses to overwrite data without --yes."""
    try:
        done = backups.restore(get_settings().database_url, file, yes)
    except YizhanError as error:
        fail(error.code, translate(error.message, "en", **error.params))
        return
    done["ledgers"] = _verify_ledgers()
    if as_json:
        emit(done, True)
    else:
        typer.echo(f"Restored {file} ({done['database']}).")
        for ledger in done["ledgers"]:
            typer.echo(f"ledger {ledger['community']}: "
                       f"{'OK' if ledger['ok'] else 'FAILED'} {ledger['message']}")
    if not all(ledger["ok"] for ledger in done["ledgers"]):
        if not as_json:
            typer.echo("error: a ledger does not verify after the restore [LEDGER_INVALID]",
                       err=True)
        raise typer.Exit(1)


def register(app: typer.Typer, member_app: typer.Typer) -> None:
    """Add the operations commands."""
    if not any(c.name == "import" for c in member_app.registered_commands):
        member_app.command("import")(member_import)
    app.command("export")(export)
    app.command("backup")(backup)
    app.command("restore")(restore)
