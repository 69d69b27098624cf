"""Indexes for flat cost with community size: a community's events newest first, in one
index walk."""

from yizhan.core.api import index_migration

ID = "2026-11-29T15:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "flat cost with size: indexes"

INDEXES = [
    "CREATE INDEX yz_event_community_status_id ON yz_event (community, status, id)",
]

forwards = index_migration(ID, "events", DESCRIPTION, INDEXES)
