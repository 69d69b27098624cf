"""Composite indexes for the lists, the promise and the indicators."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-29T11:27:38:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite indexes"

INDEXES = [
    "CREATE INDEX yz_dispute_status_ix ON yz_dispute (community, status, id)",
    "CREATE INDEX yz_dispute_decided_ix ON yz_dispute (community, status, decided_at)",
    "CREATE INDEX yz_dispute_opened_ix ON yz_dispute (community, opened_at)",
    "CREATE INDEX yz_dispute_redo_ix ON yz_dispute (community, redo_need)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="disputes", description=DESCRIPTION)

    async def create_indexes():
        for sql in INDEXES:
            await Table.raw(sql)

    async def drop_indexes():
        for sql in INDEXES:
            await Table.raw("DROP INDEX " + sql.split(" INDEX ")[1].split(" ON ")[0])

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
