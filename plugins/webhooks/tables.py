"""The webhooks plugin's tables: subscriptions, deliveries, and the outbox cursor."""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    BigInt,
    Boolean,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table


class WebhookSubscription(Table, tablename="webhooks_subscription"):
    """A URL a community admin subscribed to some domain events of their community.

    ``secret`` signs the deliveries (HMAC needs the key itself, so it is stored as is and shown
    to the admin once). After a rotation the previous secret keeps signing alongside the new one
    until ``previous_expires_at``, so receivers can switch without losing a delivery.
    """

    community = BigInt(index=True)
    url = Varchar(length=500)
    #: JSON list of event patterns: ``need.posted``, ``need.*`` or ``*``.
    events = JSON(default="[]")
    description = Varchar(length=200, default="")
    active = Boolean(default=True)
    secret = Varchar(length=100)
    previous_secret = Varchar(length=100, default="")
    previous_expires_at = Timestamptz(default=None, null=True)
    #: Only outbox events after this id reach the subscription (it hears nothing from before).
    after_event = BigInt(default=0)
    #: Deliveries given up in a row (reset by a success).
    consecutive_failures = Integer(default=0)
    created_by = BigInt(null=True, default=None)
    created_at = Timestamptz(default=None, null=True)
    updated_at = Timestamptz(default=None, null=True)


class WebhookDelivery(Table, tablename="webhooks_delivery"):
    """One event for one subscription, its exact body, and how sending it went."""

    community = BigInt()
    subscription = ForeignKey(WebhookSubscription, on_delete=OnDelete.cascade)
    #: The outbox event id (None for a ping).
    event_id = BigInt(null=True, default=None)
    event = Varchar(length=60)
    #: The JSON body, byte for byte what every attempt sends.
    body = Text()
    #: ``pending``, ``delivered`` or ``failed`` (gave up after the last attempt).
    status = Varchar(length=20, default="pending")
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(default=None, null=True)
    last_attempt_at = Timestamptz(default=None, null=True)
    last_status_code = Integer(null=True, default=None)
    last_error = Text(default="")
    delivered_at = Timestamptz(default=None, null=True)
    created_at = Timestamptz(default=None, null=True)


class WebhookCursor(Table, tablename="webhooks_cursor"):
    """How far the fan-out has read core's outbox (one row, ``name = 'outbox'``)."""

    name = Varchar(length=40, unique=True)
    last_event_id = BigInt(default=0)
    updated_at = Timestamptz(default=None, null=True)
