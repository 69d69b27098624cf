"""Composite indexes Piccolo's column API cannot express."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-22T08:37:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite indexes"

INDEXES = [
    # One delivery per (subscription, event): fanning out twice cannot send twice.
    "CREATE UNIQUE INDEX webhooks_delivery_subscription_event "
    "ON webhooks_delivery (subscription, event_id)",
    "CREATE INDEX webhooks_delivery_due ON webhooks_delivery (status, next_attempt_at)",
    "CREATE INDEX webhooks_delivery_community_id ON webhooks_delivery (community, id)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="webhooks", description=DESCRIPTION)

    async def create_indexes():
        for sql in INDEXES:
            await Table.raw(sql)

    async def drop_indexes():
        for sql in INDEXES:
            await Table.raw("DROP INDEX " + sql.split(" INDEX ")[1].split(" ON ")[0])

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
