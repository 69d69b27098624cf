"""Composite indexes Piccolo's column API cannot express."""

from yizhan.core.api import index_migration

ID = "2026-11-22T08:37:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite indexes"

INDEXES = [
    # One delivery per (subscription, event): fanning out twice cannot send twice.
    "CREATE UNIQUE INDEX webhooks_delivery_subscription_event "
    "ON webhooks_delivery (subscription, event_id)",
    "CREATE INDEX webhooks_delivery_due ON webhooks_delivery (status, next_attempt_at)",
    "CREATE INDEX webhooks_delivery_community_id ON webhooks_delivery (community, id)",
]


forwards = index_migration(ID, "webhooks", DESCRIPTION, INDEXES)
