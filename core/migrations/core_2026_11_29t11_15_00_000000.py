"""Deadlines: one pending deadline per (plugin, kind, subject); the sweep's index."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-29T11:15:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "deadline indexes"

INDEXES = [
    "CREATE UNIQUE INDEX IF NOT EXISTS yz_deadline_pending_key "
    "ON yz_deadline (plugin, kind, subject) WHERE status = 'pending'",
    "CREATE INDEX IF NOT EXISTS yz_deadline_status_fire_at ON yz_deadline (status, fire_at)",
    "CREATE INDEX IF NOT EXISTS yz_deadline_plugin_subject ON yz_deadline (plugin, subject)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def create_indexes():
        for sql in INDEXES:
            await Table.raw(sql)

    async def drop_indexes():
        for sql in INDEXES:
            await Table.raw("DROP INDEX IF EXISTS " + sql.split(" ON ")[0].split()[-1])

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
