"""Unique and composite indexes Piccolo's column API cannot express."""

from yizhan.core.api import index_migration

ID = "2026-11-22T09:21:09:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique and composite indexes"

INDEXES = [
    "CREATE UNIQUE INDEX yz_merchant_staff_live_uq ON yz_merchant_staff (merchant, member)"
    " WHERE removed_at IS NULL",
    "CREATE INDEX yz_merchant_staff_member_ix ON yz_merchant_staff (community, member)",
    "CREATE INDEX yz_merchant_community_status_ix ON yz_merchant (community, status)",
    "CREATE INDEX yz_merchant_event_merchant_ix ON yz_merchant_event (merchant, id)",
    "CREATE INDEX yz_merchant_rule_merchant_ix ON yz_merchant_rule (merchant, id)",
    "CREATE INDEX yz_merchant_code_member_ix ON yz_merchant_code (community, member, created_at)",
    "CREATE UNIQUE INDEX yz_merchant_code_live_uq ON yz_merchant_code (member)"
    " WHERE status = 'live'",
    "CREATE INDEX yz_merchant_code_attempt_ix ON yz_merchant_code_attempt (community, member, at)",
    "CREATE INDEX yz_merchant_redemption_shop_ix ON yz_merchant_redemption"
    " (merchant, created_at)",
    "CREATE INDEX yz_merchant_redemption_month_ix ON yz_merchant_redemption"
    " (community, created_at)",
    "CREATE INDEX yz_merchant_redemption_member_ix ON yz_merchant_redemption (community, member, id)",
    "CREATE INDEX yz_merchant_rating_month_ix ON yz_merchant_rating (community, created_at)",
    "CREATE UNIQUE INDEX yz_merchant_board_month_uq ON yz_merchant_board (community, month)",
    "CREATE UNIQUE INDEX yz_merchant_board_entry_uq ON yz_merchant_board_entry (board, merchant)",
]


forwards = index_migration(ID, "merchants", DESCRIPTION, INDEXES)
