"""Composite indexes Piccolo's column API cannot express."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-29T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite indexes"

INDEXES = [
    # Admins' lists and the overdue filter: a community's requests by status and deadline.
    "CREATE INDEX governance_request_community_status_due "
    "ON governance_request (community, status, due_at)",
    # Figures: a community's requests by submission time.
    "CREATE INDEX governance_request_community_submitted "
    "ON governance_request (community, submitted_at)",
    # One review per reviewer per proposal; one seat per member on a team and a review panel.
    "CREATE UNIQUE INDEX governance_review_proposal_reviewer "
    "ON governance_review (proposal, reviewer)",
    "CREATE UNIQUE INDEX governance_team_member_grid_member "
    "ON governance_team_member (grid, member)",
    "CREATE UNIQUE INDEX governance_reviewer_round_member "
    "ON governance_reviewer (round, member)",
    "CREATE UNIQUE INDEX governance_grid_community_name ON governance_grid (community, name)",
    "CREATE UNIQUE INDEX governance_round_community_name ON governance_round (community, name)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="governance", description=DESCRIPTION)

    async def create_indexes():
        for sql in INDEXES:
            await Table.raw(sql)

    async def drop_indexes():
        for sql in INDEXES:
            await Table.raw("DROP INDEX " + sql.split(" INDEX ")[1].split(" ON ")[0])

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
