"""Indexes Piccolo's column API cannot express (composite, unique, partial), as a migration.

A migration file lists its ``CREATE [UNIQUE] INDEX <name> ON …`` statements and gets its
``forwards`` from :func:`index_migration`; going backwards drops the indexes by name::

    from yizhan.core.api import index_migration

    ID = "2026-11-22T09:21:09:000000"
    VERSION = "1.38.0"
    DESCRIPTION = "composite indexes"
    INDEXES = ["CREATE INDEX yz_thing_community_ix ON yz_thing (community, id)"]
    forwards = index_migration(ID, "myplugin", DESCRIPTION, INDEXES)
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table


def index_name(statement: str) -> str:
    """The name in ``CREATE [UNIQUE] INDEX <name> ON …``."""
    return statement.split(" INDEX ")[1].split(" ON ")[0]


def index_migration(migration_id: str, app_name: str, description: str,
                    statements: Sequence[str]) -> Callable[[], Awaitable[MigrationManager]]:
    """The ``forwards`` of a migration that creates the indexes of ``statements`` (and drops
    them when the migration is reversed)."""
    statements = list(statements)

    async def forwards() -> MigrationManager:
        manager = MigrationManager(migration_id=migration_id, app_name=app_name,
                                   description=description)

        async def create_indexes() -> None:
            for sql in statements:
                await Table.raw(sql)

        async def drop_indexes() -> None:
            for sql in statements:
                await Table.raw("DROP INDEX " + index_name(sql))

        manager.add_raw(create_indexes)
        manager.add_raw_backwards(drop_indexes)
        return manager

    return forwards
