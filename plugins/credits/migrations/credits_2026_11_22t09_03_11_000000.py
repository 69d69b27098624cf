"""Composite and partial indexes Piccolo's column API cannot express."""

from yizhan.core.api import index_migration

ID = "2026-11-22T09:03:11:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite indexes"

INDEXES = [
    "CREATE UNIQUE INDEX yz_credit_account_community_code ON yz_credit_account (community, code)",
    "CREATE UNIQUE INDEX yz_credit_tx_community_seq ON yz_credit_tx (community, seq)",
    "CREATE UNIQUE INDEX yz_credit_tx_community_key ON yz_credit_tx (community, idempotency_key)",
    "CREATE INDEX yz_credit_tx_community_source ON yz_credit_tx (community, source_kind, source_id)",
    "CREATE INDEX yz_credit_posting_account_id ON yz_credit_posting (account, id)",
    "CREATE UNIQUE INDEX yz_credit_hold_open_source ON yz_credit_hold "
    "(community, source_kind, source_id) WHERE status = 'open'",
    "CREATE INDEX yz_credit_hold_status ON yz_credit_hold (status, id)",
    "CREATE UNIQUE INDEX yz_credit_voucher_community_code ON yz_credit_voucher (community, code)",
    "CREATE INDEX yz_credit_voucher_batch_id ON yz_credit_voucher (batch, id)",
    "CREATE INDEX yz_credit_voucher_status_expires ON yz_credit_voucher (status, expires_at)",
    "CREATE INDEX yz_credit_voucher_attempt_member_at ON yz_credit_voucher_attempt "
    "(community, member, at)",
    "CREATE INDEX yz_credit_lot_open ON yz_credit_lot (account, remaining_centi, expires_at)",
    "CREATE UNIQUE INDEX yz_credit_confirmed_need_community_need ON yz_credit_confirmed_need "
    "(community, need)",
    "CREATE INDEX yz_credit_confirmed_need_month ON yz_credit_confirmed_need (community, month)",
    "CREATE UNIQUE INDEX yz_credit_pool_run_community_month ON yz_credit_pool_run "
    "(community, month)",
]


forwards = index_migration(ID, "credits", DESCRIPTION, INDEXES)
