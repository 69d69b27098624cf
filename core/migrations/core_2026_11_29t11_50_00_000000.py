from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-29T11:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "indicator indexes: (community, time) for every period filter"

#: Covering where cheap: an indicator over a month of a large community then reads only the
#: month's index entries, never the community's whole history or the table rows.
INDEXES = [
    "CREATE INDEX yz_need_community_created_at ON yz_need "
    "(community, created_at, requester, posted_by, late_night, weekend)",
    "CREATE INDEX yz_need_community_accepted_at ON yz_need "
    "(community, accepted_at, created_at, escalate_at)",
    "CREATE INDEX yz_need_community_closed_at ON yz_need "
    "(community, closed_at, status, created_at)",
    "CREATE INDEX yz_need_community_escalated_at ON yz_need (community, escalated_at)",
    "CREATE INDEX yz_help_record_community_confirmed_at ON yz_help_record "
    "(community, confirmed_at, helper, requester, minutes)",
    "CREATE INDEX yz_member_community_requested_at ON yz_member (community, requested_at)",
    "CREATE INDEX yz_member_community_verified_at ON yz_member "
    "(community, verified_at, status)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def create_indexes():
        for sql in INDEXES:
            await Table.raw(sql)

    async def drop_indexes():
        for sql in INDEXES:
            await Table.raw("DROP INDEX " + sql.split(" INDEX ")[1].split(" ON ")[0])

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
