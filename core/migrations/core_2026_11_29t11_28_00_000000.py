"""The audit log is append-only: an UPDATE (and, on PostgreSQL, a DELETE) of a row is refused
by the database itself; an index for reading a community's log newest first."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.table import Table

ID = "2026-11-29T11:28:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit log append-only"

INDEX = "CREATE INDEX yz_audit_community_id ON yz_audit (community, id)"

POSTGRES = [
    "CREATE OR REPLACE FUNCTION yz_audit_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'yz_audit is append-only'; END $$ LANGUAGE plpgsql",
    "CREATE TRIGGER yz_audit_append_only BEFORE UPDATE OR DELETE ON yz_audit "
    "FOR EACH ROW EXECUTE FUNCTION yz_audit_append_only()",
]
SQLITE = [
    "CREATE TRIGGER yz_audit_append_only BEFORE UPDATE ON yz_audit "
    "BEGIN SELECT RAISE(ABORT, 'yz_audit is append-only'); END",
]


def _postgres() -> bool:
    return engine_finder().engine_type in ("postgres", "cockroach")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def create():
        await Table.raw(INDEX)
        for sql in POSTGRES if _postgres() else SQLITE:
            await Table.raw(sql)

    async def drop():
        await Table.raw("DROP TRIGGER yz_audit_append_only"
                        + (" ON yz_audit" if _postgres() else ""))
        if _postgres():
            await Table.raw("DROP FUNCTION yz_audit_append_only()")
        await Table.raw("DROP INDEX yz_audit_community_id")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
