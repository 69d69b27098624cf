"""The attempts throttle's look-up index: failures of one (scope, key) in a window."""

from yizhan.core.indexes import index_migration

ID = "2026-11-29T11:19:05:000000"
VERSION = "1.38.0"
DESCRIPTION = "attempts throttle index"

INDEXES = [
    "CREATE INDEX yz_attempt_scope_key_at_ix ON yz_attempt (scope, key, at)",
    "CREATE INDEX yz_attempt_at_ix ON yz_attempt (at)",
]

forwards = index_migration(ID, "core", DESCRIPTION, INDEXES)
