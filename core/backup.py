"""``yizhan backup`` and ``yizhan restore``: consistent copies of the database.

SQLite: SQLite's online backup API (``sqlite3.Connection.backup``), safe while servers write:
it copies a consistent snapshot, the write-ahead log included. PostgreSQL: ``pg_dump`` in the
custom format (a consistent snapshot too), restored with ``pg_restore --clean --if-exists
--single-transaction`` (all or nothing). The client tools are found on ``PATH`` or in
Debian's ``/usr/lib/postgresql/<version>/bin`` (the newest).

A restore over a database that holds tables is refused unless confirmed (``--yes``).
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import urlparse

from yizhan.core.errors import YizhanError


def _sqlite_path(url: str) -> str | None:
    if url.startswith("sqlite:///"):
        return url.split("sqlite:///", 1)[1]
    return None


def pg_tool(name: str) -> str:
    """The path of a PostgreSQL client tool (``pg_dump``, ``pg_restore``)."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: int(Path(p).parts[4]) if Path(p).parts[4].isdigit() else 0)
    if candidates:
        return candidates[-1]
    raise YizhanError("TOOL_MISSING", "{tool} was not found: install PostgreSQL's client tools.",
                      tool=name)


def _pg_env(url: str) -> dict[str, str]:
    parsed = urlparse(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    return env


def _libpq_url(url: str) -> str:
    """The URL without its password (passed through ``PGPASSWORD`` instead of argv)."""
    parsed = urlparse(url)
    if not parsed.password:
        return url.replace("postgres://", "postgresql://", 1)
    netloc = parsed.netloc.replace(f":{parsed.password}@", "@")
    return parsed._replace(scheme="postgresql", netloc=netloc).geturl()


def _run(command: list[str], url: str) -> None:
    done = subprocess.run(command, env=_pg_env(url), capture_output=True, text=True)
    if done.returncode != 0:
        raise YizhanError("BACKUP_FAILED", "{tool} failed: {error}", tool=Path(command[0]).name,
                          error=(done.stderr or done.stdout).strip()[-500:])


def backup(url: str, target: Path) -> dict:
    """Copy the database at ``url`` to the file ``target`` (consistent while it is in use)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    path = _sqlite_path(url)
    if path is not None:
        if not Path(path).is_file():
            raise YizhanError("NOT_FOUND", "No database file at {path}.", path=path)
        partial = target.with_name(target.name + ".partial")
        partial.unlink(missing_ok=True)
        source = sqlite3.connect(path, timeout=60)
        copy = sqlite3.connect(partial)
        try:
            with copy:
                source.backup(copy)
        finally:
            copy.close()
            source.close()
        partial.replace(target)
        return {"database": "sqlite", "file": str(target), "bytes": target.stat().st_size}
    _run([pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(target),
          _libpq_url(url)], url)
    return {"database": "postgresql", "file": str(target), "bytes": target.stat().st_size}


def _has_tables(url: str) -> bool:
    path = _sqlite_path(url)
    if path is not None:
        if not Path(path).is_file() or Path(path).stat().st_size == 0:
            return False
        with sqlite3.connect(path, timeout=60) as connection:
            return bool(connection.execute(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0])
    done = subprocess.run(
        [pg_tool("psql"), "-At", "-c",
         "SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'", _libpq_url(url)],
        env=_pg_env(url), capture_output=True, text=True)
    if done.returncode != 0:
        raise YizhanError("BACKUP_FAILED", "{tool} failed: {error}", tool="psql",
                          error=done.stderr.strip()[-500:])
    return int(done.stdout.strip() or 0) > 0


def restore(url: str, source: Path, confirmed: bool) -> dict:
    """Put the backup ``source`` into the database at ``url``; refuses to overwrite a
    database that has tables unless ``confirmed``."""
    if not source.is_file():
        raise YizhanError("NOT_FOUND", "No backup file at {path}.", path=str(source))
    if not confirmed and _has_tables(url):
        raise YizhanError("CONFIRMATION_NEEDED",
                          "The database already holds data; add --yes to overwrite it.")
    path = _sqlite_path(url)
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        backup_file = sqlite3.connect(source)
        live = sqlite3.connect(path, timeout=60)
        try:
            with live:
                backup_file.backup(live)
        finally:
            live.close()
            backup_file.close()
        return {"database": "sqlite", "restored": str(source), "into": path}
    _run([pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
          "--dbname", _libpq_url(url), str(source)], url)
    return {"database": "postgresql", "restored": str(source)}
