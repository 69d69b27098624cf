"""``yizhan check``: what is wrong or risky in this deployment (after Django's ``check``).

Each check looks at the settings, the database or the machine and returns findings: a stable
code, a level (``critical`` — fix before serving in production; ``warning`` — risky), what is
wrong and a one-line fix. Core's checks are below; plugins add theirs through
``yizhan_register_checks``. ``yizhan serve`` runs the critical ones at start and refuses to
start in production when one fails.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

CRITICAL = "critical"
WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """One problem: ``code`` (stable), ``level``, ``message`` and ``fix`` (one line each)."""

    code: str
    level: str
    message: str
    fix: str

    def as_dict(self) -> dict[str, str]:
        """The finding as a plain dict (for ``--json``)."""
        return asdict(self)


@dataclass(frozen=True)
class Check:
    """A named check: ``run(now)`` returns the findings (an empty list when all is well).

    ``at_start`` checks run when ``yizhan serve`` starts (keep them fast and local)."""

    name: str
    run: Callable[[datetime], Awaitable[list[Finding]] | list[Finding]]
    at_start: bool = False


def _env_set(name: str) -> bool:
    if os.environ.get(name):
        return True
    env_file = Path(".env")
    if env_file.is_file():
        for line in env_file.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.strip().startswith(f"{name}="):
                return True
    return False


def _sqlite_path() -> Path | None:
    from yizhan.core.config import get_settings

    url = get_settings().database_url
    if not url.startswith("sqlite:"):
        return None
    return Path(url.split("sqlite:///", 1)[-1])


NETWORK_FILESYSTEMS = {"nfs", "nfs4", "cifs", "smbfs", "smb3", "fuse.sshfs", "9p", "afs",
                       "glusterfs", "ceph", "fuse.s3fs"}


def filesystem_of(path: Path) -> str | None:
    """The type of the filesystem holding ``path`` (from /proc/mounts), if known."""
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return None
    target = str(path.resolve())
    best, kind = "", None
    for line in mounts:
        parts = line.split()
        if len(parts) >= 3 and (target == parts[1] or target.startswith(parts[1].rstrip("/")
                                                                          + "/")):
            if len(parts[1]) > len(best):
                best, kind = parts[1], parts[2]
    return kind


def _issuing_plugins_on() -> list[str]:
    """Plugins that print QR codes or issue credentials and are on in some community."""
    from yizhan.core.switches import switches

    issuing = {"credits", "merchants", "badges", "events"}
    return sorted({name for states in switches._states.values()  # noqa: SLF001
                   for name, state in states.items() if name in issuing and state.enabled})


async def check_public_url(now: datetime) -> list[Finding]:
    """QR codes and credentials embed YIZHAN_PUBLIC_URL: it must be set before printing."""
    from yizhan.core.config import get_settings

    if _env_set("YIZHAN_PUBLIC_URL"):
        return []
    issuing = _issuing_plugins_on()
    if not issuing and not get_settings().production:
        return []
    return [Finding(
        "PUBLIC_URL_UNSET", CRITICAL if issuing else WARNING,
        f"YIZHAN_PUBLIC_URL is not set, so printed QR codes, credential and proof links point "
        f"at {get_settings().public_url}"
        + (f" ({', '.join(issuing)} on)." if issuing else "."),
        "Set YIZHAN_PUBLIC_URL=https://your.domain before printing cards or awarding badges.")]


def check_production_ide(now: datetime) -> list[Finding]:
    """Production should not answer introspection for strangers."""
    from yizhan.core.config import get_settings

    settings = get_settings()
    if not settings.production:
        return []
    found = []  # (production never serves GraphiQL; introspection is a setting)
    if (settings.introspection or "").strip().lower() == "on":
        found.append(Finding("INTROSPECTION_IN_PRODUCTION", CRITICAL,
                             "Schema introspection is open to everyone in production.",
                             "Unset YIZHAN_INTROSPECTION, or set it to `admins`."))
    return found


def check_sqlite(now: datetime) -> list[Finding]:
    """SQLite serves one machine and one process well; not several, not over a network."""
    from yizhan.core.config import get_settings

    path = _sqlite_path()
    if path is None:
        return []
    found = []
    kind = filesystem_of(path.parent if not path.exists() else path)
    if kind in NETWORK_FILESYSTEMS:
        found.append(Finding("SQLITE_ON_NETWORK_FS", CRITICAL,
                             f"The SQLite database {path} is on a {kind} network filesystem, "
                             "where its locking is unreliable.",
                             "Move the database to a local disk, or use PostgreSQL."))
    workers = int(os.environ.get("WEB_CONCURRENCY", "1") or 1)
    if workers > 1:
        found.append(Finding("SQLITE_MANY_PROCESSES", CRITICAL,
                             f"{workers} server processes share one SQLite database.",
                             "Use PostgreSQL (YIZHAN_DATABASE_URL=postgresql://…) to serve "
                             "from several processes."))
    elif get_settings().production:
        found.append(Finding("SQLITE_IN_PRODUCTION", WARNING,
                             "Production runs on SQLite: one process on one machine only.",
                             "Use PostgreSQL for several processes or machines."))
    return found


async def check_migrations(now: datetime) -> list[Finding]:
    """Every installed app's migrations have run."""
    pending = await pending_migrations()
    if not pending:
        return []
    names = ", ".join(f"{app} ({n})" for app, n in sorted(pending.items()))
    return [Finding("PENDING_MIGRATIONS", CRITICAL, f"Migrations have not run: {names}.",
                    "Run `yizhan db migrate` (or start `yizhan serve`, which migrates).")]


async def pending_migrations() -> dict[str, int]:
    """{app name: number of migrations not applied} for every installed Piccolo app."""
    from piccolo.apps.migrations.commands.base import BaseMigrationManager
    from piccolo.apps.migrations.tables import Migration
    from piccolo.conf.apps import Finder

    import yizhan.core.dbmigrate  # noqa: F401 - points Piccolo at our configuration

    try:
        applied = {(r["app_name"], r["name"]) for r in await Migration.select(
            Migration.app_name, Migration.name)}
    except Exception:  # no migration table: nothing has run
        applied = set()
    manager = BaseMigrationManager()
    pending: dict[str, int] = {}
    for app_config in Finder().get_app_configs():
        modules = manager.get_migration_modules(app_config.resolved_migrations_folder_path)
        missing = [mid for mid in modules if (app_config.app_name, mid) not in applied]
        if missing:
            pending[app_config.app_name] = len(missing)
    return pending


async def check_jobs(now: datetime) -> list[Finding]:
    """Background jobs must run somewhere: a server (YIZHAN_JOBS_INTERVAL) or cron."""
    from yizhan.core import deadlines, jobs
    from yizhan.core.tables import Community, JobLease

    found = []
    if await Community.count():
        row = await JobLease.select(JobLease.last_run_at).where(
            JobLease.name == "core.deadlines").first()
        last = row["last_run_at"] if row else None
        if last is None or last < now - timedelta(minutes=10):
            found.append(Finding(
                "JOBS_NOT_RUNNING", WARNING,
                "Background jobs have not run in the last 10 minutes "
                f"(last: {last:%Y-%m-%d %H:%M} UTC)." if last else
                "Background jobs have never run: deadlines, escalations and payments wait.",
                "Run `yizhan serve` (YIZHAN_JOBS_INTERVAL > 0) or `* * * * * yizhan jobs run` "
                "from cron."))
    stuck = await JobLease.select(JobLease.name, JobLease.holder).where(
        JobLease.locked_until > now + timedelta(seconds=jobs.LEASE_SECONDS * 2))
    for lease in stuck:
        found.append(Finding("JOB_LEASE_STUCK", WARNING,
                             f"Job {lease['name']} is leased by {lease['holder']} far ahead.",
                             f"If that process is gone, clear it: `yizhan jobs unlock "
                             f"{lease['name']}`."))
    overdue = await deadlines.overdue(now, timedelta(minutes=10))
    if overdue:
        found.append(Finding("DEADLINES_OVERDUE", WARNING,
                             f"{overdue} deadline(s) are more than 10 minutes overdue.",
                             "Make sure jobs run (`yizhan jobs run`); see `yizhan jobs list`."))
    return found


async def check_clock(now: datetime) -> list[Finding]:
    """This process's clock and the database's agree (deadlines compare the two)."""
    from datetime import UTC

    from yizhan.core import db

    if not db.is_postgres():
        return []  # SQLite runs in this process: one clock
    row = (await db.raw("SELECT CURRENT_TIMESTAMP AS now"))[0]
    skew = abs((row["now"] - datetime.now(UTC)).total_seconds())
    if skew <= 5:
        return []
    return [Finding("CLOCK_SKEW", WARNING,
                    f"This machine's clock and the database's differ by {skew:.0f} s.",
                    "Run NTP (systemd-timesyncd or chrony) on every machine.")]


def check_backups(now: datetime) -> list[Finding]:
    """A backup was taken in the last day (``yizhan backup`` writes into YIZHAN_BACKUP_DIR)."""
    from yizhan.core.config import get_settings

    folder = Path(os.environ.get("YIZHAN_BACKUP_DIR", "var/backups"))
    newest = max((p.stat().st_mtime for p in folder.glob("*") if p.is_file()), default=None) \
        if folder.is_dir() else None
    if newest is not None and newest > now.timestamp() - 26 * 3600:
        return []
    if not get_settings().production and newest is None:
        return [Finding("NO_RECENT_BACKUP", WARNING,
                        f"No backup found in {folder}.",
                        "Schedule `yizhan backup` daily (cron) and keep copies elsewhere.")]
    return [Finding("NO_RECENT_BACKUP", WARNING,
                    f"No backup in {folder} from the last day.",
                    "Schedule `yizhan backup` daily (cron) and keep copies elsewhere.")]


CORE_CHECKS = [
    Check("core.public_url", check_public_url, at_start=True),
    Check("core.production_ide", check_production_ide, at_start=True),
    Check("core.sqlite", check_sqlite, at_start=True),
    Check("core.migrations", check_migrations),
    Check("core.jobs", check_jobs),
    Check("core.clock", check_clock),
    Check("core.backups", check_backups),
]


def all_checks() -> list[Check]:
    """Core's checks and those of every installed plugin."""
    from yizhan.core.plugins import get_registry

    found = list(CORE_CHECKS)
    for answer in get_registry().register_results("yizhan_register_checks").values():
        found.extend(answer or [])
    return found


async def run_checks(now: datetime, *, only_start: bool = False) -> list[Finding]:
    """Run the checks (only those marked ``at_start`` with ``only_start``); all findings,
    critical first. A check that crashes is itself a finding, never an exception."""
    findings: list[Finding] = []
    for check in all_checks():
        if only_start and not check.at_start:
            continue
        try:
            result: Any = check.run(now)
            if inspect.isawaitable(result):
                result = await result
        except Exception as error:  # noqa: BLE001 - a broken check must not hide the others
            result = [Finding("CHECK_FAILED", WARNING,
                              f"The check {check.name} failed: {type(error).__name__}: {error}",
                              "Report this; the other checks still ran.")]
        findings.extend(result or [])
    return sorted(findings, key=lambda f: (f.level != CRITICAL, f.code))
