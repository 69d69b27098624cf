"""Running the ``yizhan`` CLI from tests: in-process (Typer's ``CliRunner``) or as a real
subprocess, and fresh empty databases to run it against.

The CLI runs its own event loop (``asyncio.run``), so it is invoked from plain ``def`` tests;
the :func:`~yizhan.testing.fixtures.cli` fixture pauses the test session's PostgreSQL pool so
the command opens (and closes) one on its own loop, as it does in a shell.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

from click.testing import Result
from typer.testing import CliRunner


@dataclass
class CliRun:
    """What a command did: exit code, stdout, stderr, and any exception that escaped."""

    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None

    def json(self) -> Any:
        """stdout parsed as JSON (for ``--json`` commands)."""
        import json

        return json.loads(self.stdout)


class CliInvoker:
    """``cli("community", "list", "--json")`` runs ``yizhan community list --json``."""

    def __call__(self, *args: str, input: str | None = None) -> CliRun:
        """Run the CLI of the installed plugins (the current registry) with ``args``."""
        from yizhan.cli.main import make_app

        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            raise RuntimeError("use the cli fixture from a plain `def` test, not `async def`")
        result: Result = CliRunner().invoke(make_app(), list(_strings(args)), input=input)
        exception = result.exception
        if isinstance(exception, SystemExit):
            exception = None
        return CliRun(result.exit_code, result.stdout, result.stderr, exception)


def _strings(args: Sequence[Any]) -> list[str]:
    return [str(a) for a in args]


def run_yizhan(*args: str, database_url: str, env: dict[str, str] | None = None
               ) -> subprocess.CompletedProcess[str]:
    """Run the installed ``yizhan`` console command in a subprocess against ``database_url``
    (for what only a real process shows: exit codes, no traceback, a running server)."""
    command = Path(sys.executable).with_name("yizhan")
    argv = [str(command)] if command.exists() else [sys.executable, "-m", "yizhan.cli.main"]
    child_env = {**os.environ, "YIZHAN_DATABASE_URL": database_url, **(env or {})}
    return subprocess.run([*argv, *_strings(args)], env=child_env, capture_output=True,
                          text=True, timeout=120)


@contextlib.asynccontextmanager
async def fresh_database(like_url: str, folder: Path) -> AsyncIterator[str]:
    """An empty database of the same kind as ``like_url``: a new SQLite file in ``folder``,
    or a new PostgreSQL database on the same server (dropped afterwards)."""
    if not like_url.startswith("postgres"):
        yield f"sqlite:///{folder}/fresh-{uuid.uuid4().hex[:8]}.db"
        return
    import asyncpg

    name = f"yz_fresh_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(like_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield urlunparse(urlparse(like_url)._replace(path=f"/{name}"))
    finally:
        admin = await asyncpg.connect(like_url)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


async def table_names(database_url: str) -> set[str]:
    """Names of the tables in a database (SQLite file or PostgreSQL ``public`` schema)."""
    if database_url.startswith("sqlite:///"):
        import sqlite3

        with contextlib.closing(sqlite3.connect(database_url.removeprefix("sqlite:///"))) as c:
            rows = c.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            return {row[0] for row in rows}
    import asyncpg

    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return {row["tablename"] for row in rows}
    finally:
        await conn.close()
