"""Indexes for flat cost with community size: a party's disputes (requester, helper or
opener: each arm of the OR has an index) and a community's newest first."""

from yizhan.core.api import index_migration

ID = "2026-11-29T15:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "flat cost with size: indexes"

INDEXES = [
    "CREATE INDEX yz_dispute_opened_by_ix ON yz_dispute (opened_by)",
    "CREATE INDEX yz_dispute_community_id_ix ON yz_dispute (community, id)",
]

forwards = index_migration(ID, "disputes", DESCRIPTION, INDEXES)
