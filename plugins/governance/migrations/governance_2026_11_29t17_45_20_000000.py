"""The answer-time distribution's unique index, the partial indexes of the overdue
corrections and of the request lists, and the running totals rebuilt from the requests there are (set-based SQL:
``totals.rebuild``)."""

from yizhan.core.api import index_migration

ID = "2026-11-29T17:45:20:000000"
VERSION = "1.38.0"
DESCRIPTION = "answer-time distribution: indexes and backfill"

_OPEN = "status IN ('submitted', 'assigned', 'in_progress')"
INDEXES = ["CREATE UNIQUE INDEX governance_answer_time_unique ON governance_answer_time "
           "(community, month, unit, bucket, urgency)",
           # open requests past their deadline that the due deadline has not marked yet, and
           # marked ones whose deadline a later urgency moved: both a few rows, read from the
           # index alone (its columns are all the corrections need)
           "CREATE INDEX governance_request_due_unmarked ON governance_request "
           f"(community, due_at, submitted_at, urgency) WHERE {_OPEN} AND NOT breached",
           "CREATE INDEX governance_request_due_marked ON governance_request "
           f"(community, due_at, submitted_at, urgency) WHERE {_OPEN} AND breached",
           # the lists: one status newest first; the open ones newest first (overdue, Open311's
           # status=open) without walking the community's answered and closed requests
           "CREATE INDEX governance_request_community_status_id ON governance_request "
           "(community, status, id)",
           "CREATE INDEX governance_request_open_id ON governance_request "
           f"(community, id) WHERE {_OPEN}"]

_indexes = index_migration(ID, "governance", DESCRIPTION, INDEXES)


async def _backfill() -> None:
    from yizhan.plugins.governance.totals import rebuild

    await rebuild()


async def forwards():
    manager = await _indexes()
    manager.add_raw(_backfill)
    return manager
