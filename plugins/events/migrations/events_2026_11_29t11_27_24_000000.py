"""Unique and composite indexes Piccolo's column API cannot express."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-29T11:27:24:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique and composite indexes"

INDEXES = [
    "CREATE UNIQUE INDEX yz_event_occurrence_uq ON yz_event_occurrence (event, original_start)",
    "CREATE INDEX yz_event_occurrence_when_ix ON yz_event_occurrence (community, starts_at)",
    "CREATE UNIQUE INDEX yz_event_signup_uq ON yz_event_signup (occurrence, member)",
    "CREATE INDEX yz_event_signup_member_ix ON yz_event_signup (community, member, status)",
    "CREATE INDEX yz_event_signup_line_ix ON yz_event_signup (occurrence, status, created_at, id)",
    "CREATE UNIQUE INDEX yz_event_reward_uq ON yz_event_reward (community, key)",
    "CREATE UNIQUE INDEX yz_event_feed_member_uq ON yz_event_feed (community, member)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="events", description=DESCRIPTION)

    async def create_indexes():
        for sql in INDEXES:
            await Table.raw(sql)

    async def drop_indexes():
        for sql in INDEXES:
            await Table.raw("DROP INDEX " + sql.split(" INDEX ")[1].split(" ON ")[0])

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
