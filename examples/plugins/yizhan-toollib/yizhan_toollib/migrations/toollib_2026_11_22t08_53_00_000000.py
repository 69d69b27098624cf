"""Indexes Piccolo's column API cannot express: the due-date sweep, one open loan per tool."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-22T08:53:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "indexes"

INDEXES = [
    "CREATE INDEX toollib_loan_status_due ON toollib_loan (status, due_at)",
    # A tool is requested or out at most once at a time, whatever races.
    "CREATE UNIQUE INDEX toollib_loan_one_open ON toollib_loan (tool) "
    "WHERE status IN ('requested', 'out')",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="toollib", description=DESCRIPTION)

    async def create_indexes():
        for sql in INDEXES:
            await Table.raw(sql)

    async def drop_indexes():
        for sql in INDEXES:
            await Table.raw("DROP INDEX " + sql.split(" INDEX ")[1].split(" ON ")[0])

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
