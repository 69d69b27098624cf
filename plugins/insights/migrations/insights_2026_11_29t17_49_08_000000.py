"""One snapshot and one closed mark per (community, period): concurrent first reads and the
jobs upsert or skip instead of writing twice."""

from yizhan.core.api import index_migration

ID = "2026-11-29T17:49:08:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique snapshot and closed period"

INDEXES = [
    "CREATE UNIQUE INDEX yz_insights_snapshot_uq ON yz_insights_snapshot (community, period)",
    "CREATE UNIQUE INDEX yz_insights_closed_uq ON yz_insights_closed (community, period)",
]


forwards = index_migration(ID, "insights", DESCRIPTION, INDEXES)
