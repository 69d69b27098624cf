"""The answer-time distribution's unique index, the partial indexes of the overdue
corrections, and the running totals rebuilt from the requests there are (set-based SQL:
``totals.rebuild``)."""

from yizhan.core.api import index_migration

ID = "2026-11-29T17:45:20:000000"
VERSION = "1.38.0"
DESCRIPTION = "answer-time distribution: indexes and backfill"

_OPEN = "status IN ('submitted', 'assigned', 'in_progress')"
INDEXES = ["CREATE UNIQUE INDEX governance_answer_time_unique ON governance_answer_time "
           "(community, month, unit, bucket, urgency)",
           # open requests past their deadline that the due deadline has not marked yet
           "CREATE INDEX governance_request_due_unmarked ON governance_request "
           f"(community, due_at) WHERE {_OPEN} AND NOT breached",
           # marked ones whose deadline a later urgency moved (both sets are a few rows)
           "CREATE INDEX governance_request_due_marked ON governance_request "
           f"(community, due_at) WHERE {_OPEN} AND breached"]

_indexes = index_migration(ID, "governance", DESCRIPTION, INDEXES)


async def _backfill() -> None:
    from yizhan.plugins.governance.totals import rebuild

    await rebuild()


async def forwards():
    manager = await _indexes()
    manager.add_raw(_backfill)
    return manager
