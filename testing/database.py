"""Emptying the test database between tests, and dropping it clean at session start."""

from __future__ import annotations

from piccolo.conf.apps import Finder

from yizhan.core import db


def _tables() -> list[str]:
    names = []
    for config in Finder().get_app_configs():
        names.extend(t._meta.tablename for t in config.table_classes)
    return names


async def truncate_all() -> None:
    """Delete every row of every app's tables (ids restart on PostgreSQL)."""
    names = _tables()
    if db.is_postgres():
        await db.raw("TRUNCATE " + ", ".join(names) + " RESTART IDENTITY CASCADE")
    else:
        async with db.atomic():
            await db.raw("PRAGMA defer_foreign_keys = ON")
            for name in names:
                await db.raw(f"DELETE FROM {name}")


async def reset_schema() -> None:
    """Drop every table (PostgreSQL: the public schema) so the session migrates from zero."""
    if db.is_postgres():
        await db.raw("DROP SCHEMA public CASCADE")
        await db.raw("CREATE SCHEMA public")
