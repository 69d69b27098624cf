"""Indexes Piccolo's column API cannot express: the due-date sweep, one open loan per tool."""

from yizhan.core.api import index_migration

ID = "2026-11-22T08:53:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "indexes"

INDEXES = [
    "CREATE INDEX toollib_loan_status_due ON toollib_loan (status, due_at)",
    # A tool is requested or out at most once at a time, whatever races.
    "CREATE UNIQUE INDEX toollib_loan_one_open ON toollib_loan (tool) "
    "WHERE status IN ('requested', 'out')",
]


forwards = index_migration(ID, "toollib", DESCRIPTION, INDEXES)
