"""Platform commands: init, serve, db migrate, plugins, schema, jobs."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import typer

from yizhan.cli.output import COMMUNITY_OPTION, JSON_OPTION, emit, fail
from yizhan.cli.runner import parse_pairs, run
from yizhan.cli.scaffold import new as plugins_new

db_app = typer.Typer(help="Database set-up.", no_args_is_help=True)
plugins_app = typer.Typer(help="Installed plugins and their per-community switches.",
                          no_args_is_help=True)
jobs_app = typer.Typer(help="Periodic jobs (sweeps).", no_args_is_help=True)

JSON = JSON_OPTION
COMMUNITY = COMMUNITY_OPTION


def _migrate() -> list[str]:
    from yizhan.core.dbmigrate import migrate

    return run(migrate, needs_schema=False)


@db_app.command("migrate")
def db_migrate(as_json: bool = JSON) -> None:
    """Apply pending migrations of core and every installed plugin."""
    apps = _migrate()
    emit({"migrated": apps}, as_json)


def init(demo: bool = typer.Option(False, help="Also create the demo community."),
         as_json: bool = JSON) -> None:
    """Create (or upgrade) the database; optionally load the demo community."""
    if as_json:
        with contextlib.redirect_stdout(io.StringIO()):  # only the JSON on stdout
            _migrate()
    else:
        _migrate()
        typer.echo("Database ready.")
    if demo:
        from yizhan.cli.demo import create_demo

        if as_json:
            with contextlib.redirect_stdout(io.StringIO()):
                run(create_demo)
        else:
            run(create_demo)
    if as_json:
        emit({"database": "ready", "demo": demo}, True)


def serve(host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
          port: int = typer.Option(8000, help="Port to listen on."),
          workers: int = typer.Option(1, help="Server processes (PostgreSQL only)."),
          migrate: bool = typer.Option(True, help="Apply pending migrations first."),
          log_level: str = typer.Option("info", help="uvicorn log level."),
          demo: bool = typer.Option(False, help="Create the demo community if it is missing "
                                    "and move its needs into the future, first."),
          as_json: bool = JSON) -> None:
    """Serve the GraphQL API at http://HOST:PORT/graphql under uvicorn (``--json``: the
    address as one JSON line before serving, for supervisors and scripts)."""
    import uvicorn

    quiet = contextlib.redirect_stdout(io.StringIO()) if as_json else contextlib.nullcontext()
    with quiet:
        if migrate or demo:
            _migrate()
        if demo:
            from yizhan.cli.demo import start_demo

            run(start_demo)
    if workers > 1:
        import os

        os.environ.setdefault("WEB_CONCURRENCY", str(workers))
    _start_checks()
    url = f"http://{host}:{port}/graphql"
    if as_json:
        typer.echo(json.dumps({"graphql": url, "workers": workers}))
    else:
        typer.echo(f"Yizhan serving GraphQL at {url}")
        typer.echo('Try: { communities { slug name enabledPlugins } }')
    uvicorn.run("yizhan.core.app:create_app", factory=True, host=host, port=port,
                workers=workers, log_level=log_level, lifespan="on")


async def _checked(run_checks, **options):
    """Load the plugin switches if the database has them (a fresh one does not), then check."""
    from yizhan.core import clock
    from yizhan.core.switches import switches

    try:
        await switches.refresh(force=True)
    except Exception:  # noqa: BLE001 - not migrated: the migrations check says so
        pass
    return await run_checks(clock.now(), **options)


def _start_checks() -> None:
    """Run the start-up checks: print each finding; refuse to start in production on a
    critical one."""
    from yizhan.core.checks import CRITICAL, run_checks
    from yizhan.core.config import get_settings

    findings = run(lambda: _checked(run_checks, only_start=True), needs_schema=False)
    for finding in findings:
        typer.echo(f"{finding.level}: {finding.message} [{finding.code}] fix: {finding.fix}",
                   err=True)
    if get_settings().production and any(f.level == CRITICAL for f in findings):
        fail("CHECK_FAILED", "Refusing to start in production; fix the critical findings "
                             "above (`yizhan check` lists everything).")


def check(strict: bool = typer.Option(False, help="Fail on warnings too."),
          as_json: bool = JSON) -> None:
    """What is wrong or risky in this deployment; exit 1 on a critical finding (on any with
    --strict). Codes are explained in docs/operations.md."""
    from yizhan.core.checks import CRITICAL, run_checks

    findings = run(lambda: _checked(run_checks), needs_schema=False)
    if as_json:
        emit([f.as_dict() for f in findings], True)
    elif not findings:
        typer.echo("No problems found.")
    else:
        for f in findings:
            typer.echo(f"{f.level.upper():8}  {f.code}: {f.message}\n          fix: {f.fix}")
    if any(f.level == CRITICAL or strict for f in findings):
        raise typer.Exit(1)


def schema(output: Path = typer.Option(None, "--output", "-o",
                                       help="Write to a file instead of stdout."),
           as_json: bool = JSON) -> None:
    """Print the GraphQL schema (SDL) of the installed plugins (``--json``: as
    ``{"sdl": …}``, or ``{"written": path}`` with ``-o``)."""
    from yizhan.core.graphql.schema import print_sdl

    sdl = print_sdl()
    if output:
        output.write_text(sdl, encoding="utf-8")
        if as_json:
            emit({"written": str(output)}, True)
    elif as_json:
        emit({"sdl": sdl}, True)
    else:
        typer.echo(sdl, nl=False)


@jobs_app.command("run")
def jobs_run(force: bool = typer.Option(False, help="Run every job now, due or not."),
             only: str = typer.Option(None, help="Run just this job."),
             as_json: bool = JSON) -> None:
    """Run the jobs that are due (for cron: `* * * * * yizhan jobs run`)."""
    from yizhan.core import jobs

    results = run(lambda: jobs.run_due(force=force, only=only))
    if only and only not in results:
        fail("UNKNOWN_JOB", f"No job named {only!r}.")
    emit([{"job": k, "acted_on": "skipped (not due or running elsewhere)" if v is None else v}
          for k, v in results.items()], as_json, ["job", "acted_on"])


@jobs_app.command("list")
def jobs_list(as_json: bool = JSON) -> None:
    """List the periodic jobs of core and the installed plugins."""
    from yizhan.core.jobs import all_jobs

    emit([{"job": j.name, "every_seconds": j.interval_seconds} for j in all_jobs()], as_json,
         ["job", "every_seconds"])


@jobs_app.command("unlock")
def jobs_unlock(name: str, as_json: bool = JSON) -> None:
    """Clear a job's lease (after its runner died; leases also expire by themselves)."""
    from yizhan.core.tables import JobLease

    async def body():
        return await JobLease.update({JobLease.locked_until: None, JobLease.holder: ""}).where(
            JobLease.name == name).returning(JobLease.name)

    if not run(body):
        fail("UNKNOWN_JOB", f"No lease for a job named {name!r}.")
    emit({"unlocked": name}, as_json)


@plugins_app.command("list")
def plugins_list(community: str = typer.Option(None, "--community", "-c",
                                               help="Show on/off for this community."),
                 as_json: bool = JSON) -> None:
    """Installed plugins (and, with --community, whether each is on)."""
    from yizhan.core.services.communities import get_community
    from yizhan.core.services.plugin_admin import describe

    async def body():
        cid = (await get_community(community))["id"] if community else None
        return describe(cid)

    rows = run(body) if community else describe(None)
    columns = ["name", "version", "requires", "source"]
    if community:
        columns.insert(1, "enabled")
    emit(rows, as_json, columns)


@plugins_app.command("info")
def plugins_info(name: str, as_json: bool = JSON) -> None:
    """A plugin's spec, hooks and settings model."""
    from yizhan.core.plugins import get_registry
    from yizhan.core.services.plugin_admin import describe

    entry = next((p for p in describe(None) if p["name"] == name), None)
    if entry is None:
        fail("UNKNOWN_PLUGIN", f"No plugin named {name} is installed.")
    model = get_registry().settings_model(name)
    if model is not None:
        entry["settings"] = model().model_dump(mode="json")  # the defaults
    emit(entry, as_json)


def _toggle(name: str, community: str, on: bool, as_json: bool = False) -> None:
    from yizhan.core.services import plugin_admin
    from yizhan.core.services.communities import get_community

    async def body():
        row = await get_community(community)
        await (plugin_admin.enable if on else plugin_admin.disable)(row, name)

    run(body)
    if as_json:
        emit({"plugin": name, "community": community, "enabled": on}, True)
    else:
        typer.echo(f"{name} {'enabled' if on else 'disabled'} in {community}.")


@plugins_app.command("enable")
def plugins_enable(name: str, community: str = COMMUNITY, as_json: bool = JSON) -> None:
    """Switch a plugin on in a community (refused while what it requires is off)."""
    _toggle(name, community, True, as_json)


@plugins_app.command("disable")
def plugins_disable(name: str,
                    community: str = COMMUNITY, as_json: bool = JSON) -> None:
    """Switch a plugin off in a community (refused while an enabled plugin requires it)."""
    _toggle(name, community, False, as_json)


@plugins_app.command("config")
def plugins_config(name: str, settings: list[str] = typer.Argument(None,
                   help="key=value pairs to change; none to show the current settings."),
                   community: str = COMMUNITY,
                   as_json: bool = JSON) -> None:
    """Show or change a plugin's settings in a community (validated)."""
    from yizhan.core.services import plugin_admin
    from yizhan.core.services.communities import get_community
    from yizhan.core.switches import switches

    async def body():
        row = await get_community(community)
        if settings:
            return await plugin_admin.configure(row, name, parse_pairs(settings))
        if name not in {p["name"] for p in plugin_admin.describe(None)}:
            fail("UNKNOWN_PLUGIN", f"No plugin named {name} is installed.")
        try:
            return switches.settings(row["id"], name).model_dump(mode="json")
        except KeyError:
            fail("NO_SETTINGS", f"The {name} module has no settings.")

    emit(run(body), as_json)


plugins_app.command("new")(plugins_new)  # yizhan plugins new NAME: a plugin scaffold

def register(app: typer.Typer) -> None:
    """Add the platform commands to ``app``."""
    app.command()(init)
    app.command()(serve)
    app.command()(schema)
    app.command()(check)
    app.add_typer(db_app, name="db")
    app.add_typer(plugins_app, name="plugins")
    app.add_typer(jobs_app, name="jobs")
    from yizhan.cli.demo import demo

    app.command()(demo)
