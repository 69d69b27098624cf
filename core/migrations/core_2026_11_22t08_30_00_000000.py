"""Composite indexes Piccolo's column API cannot express (unique per community)."""

from yizhan.core.indexes import index_migration

ID = "2026-11-22T08:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite indexes"

INDEXES = [
    "CREATE UNIQUE INDEX yz_building_community_name ON yz_building (community, name)",
    "CREATE UNIQUE INDEX yz_member_community_person ON yz_member (community, person)",
    "CREATE UNIQUE INDEX yz_plugin_state_community_plugin ON yz_plugin_state (community, plugin)",
    "CREATE INDEX yz_need_community_status_id ON yz_need (community, status, id)",
    "CREATE INDEX yz_need_open_escalate ON yz_need (status, escalate_at)",
]


forwards = index_migration(ID, "core", DESCRIPTION, INDEXES)
