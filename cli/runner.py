"""Running a CLI command's async body against the database, turning refusals into one line."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from yizhan.cli.output import fail
from yizhan.core import audit, db
from yizhan.core.errors import YizhanError
from yizhan.core.i18n import translate
from yizhan.core.plugins import PluginError
from yizhan.core.switches import switches

T = TypeVar("T")

_operator_name: str | None = None


def set_operator_name(name: str | None) -> None:
    """The operator's name for this command (``--operator``/``YIZHAN_OPERATOR``)."""
    global _operator_name
    _operator_name = (name or "").strip()[:60] or None


def operator_name() -> str:
    """Who runs this command: ``--operator``, else ``$YIZHAN_OPERATOR``, else the OS user."""
    import getpass
    import os

    if _operator_name:
        return _operator_name
    if os.environ.get("YIZHAN_OPERATOR", "").strip():
        return os.environ["YIZHAN_OPERATOR"].strip()[:60]
    try:
        return getpass.getuser()[:60]
    except Exception:  # noqa: BLE001 - no user database (some containers)
        return "unknown"


def _missing_table(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "no such table" in text or ("relation" in text and "does not exist" in text)


def run(body: Callable[[], Awaitable[T]], *, needs_schema: bool = True) -> T:
    """Open the database, load plugin states, run ``body``, close; refusals exit 1."""

    async def main() -> T:
        audit.set_operator(audit.Operator("cli", name=operator_name()))
        opened = await db.start()
        try:
            if needs_schema:
                await switches.refresh(force=True)
            return await body()
        finally:
            if opened:  # a pool someone else opened (an embedding process) stays open
                await db.stop()

    try:
        return asyncio.run(main())
    except YizhanError as error:
        fail(error.code, translate(error.message, "en", **error.params))
    except PluginError as error:
        fail("PLUGIN_ERROR", str(error))
    except db.DatabaseURLError as error:
        fail("BAD_DATABASE_URL", str(error))
    except OSError as error:
        fail("DB_UNREACHABLE", f"Cannot reach the database: {error}.")
    except (sqlite3.OperationalError, Exception) as error:  # noqa: BLE001
        if needs_schema and _missing_table(error):
            fail("NOT_MIGRATED", "The database is not set up: run `yizhan db migrate` first.")
        raise
    raise AssertionError("unreachable")


def parse_pairs(pairs: list[str]) -> dict[str, Any]:
    """``key=value`` arguments to a dict (values parsed as JSON when they parse)."""
    import json

    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            fail("INVALID_INPUT", f"Expected key=value, got {pair!r}.")
        try:
            out[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            out[key.strip()] = value
    return out
