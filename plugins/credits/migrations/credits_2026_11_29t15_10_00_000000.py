"""Indexes for flat cost with community size: a community's postings (the indicators summed
every community's postings to find one's)."""

from yizhan.core.api import index_migration

ID = "2026-11-29T15:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "flat cost with size: indexes"

INDEXES = [
    "CREATE INDEX yz_credit_posting_community_tx ON yz_credit_posting (community, tx)",
]

forwards = index_migration(ID, "credits", DESCRIPTION, INDEXES)
