"""The webhooks plugin's logic and service API (no GraphQL here).

Subscriptions belong to a community and are managed by its admins (``actor`` is the admin's
member row; None means the CLI, which is trusted). Delivering is in
:mod:`yizhan.plugins.webhooks.delivery`.

Other plugins may call :func:`list_subscriptions` and :func:`list_deliveries` (read-only) if
they declare ``requires=("webhooks",)`` or check ``ctx.enabled("webhooks")`` first.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import Any

from yizhan.core.api import (
    YizhanError,
    atomic,
    invalid,
    not_found,
    outbox_last_id,
    plugin_settings,
    require_admin,
    validate_text,
)
from yizhan.core.api import now as _now
from yizhan.plugins.webhooks import NAME, signing
from yizhan.plugins.webhooks.tables import WebhookDelivery, WebhookSubscription
from yizhan.plugins.webhooks.urls import check_url

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
STATUSES = (PENDING, DELIVERED, FAILED)
PING = "webhook.ping"
#: After a rotation the old secret keeps signing (next to the new one) this long.
ROTATION_GRACE = timedelta(hours=24)
MAX_PATTERNS = 20
#: ``need.posted``, ``need.*``, ``credits.transaction_posted`` or ``*``.
PATTERN = re.compile(r"^(\*|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?)$")

#: Event types of core, for documentation and clients (plugins publish their own).
CORE_EVENTS = (
    "need.posted", "need.accepted", "need.withdrawn", "need.done", "need.confirmed",
    "need.cancelled", "need.expired", "need.escalated", "notification.created",
)


def settings(community_id: int) -> Any:
    """The community's webhook settings."""
    return plugin_settings(community_id, NAME)


def _require_admin(actor: dict | None) -> None:
    if actor is not None:
        require_admin(actor)


def check_events(events: list[str] | None) -> list[str]:
    """Clean, de-duplicated event patterns; WEBHOOK_EVENTS_INVALID (field ``events``)."""
    cleaned: list[str] = []
    for raw in events or []:
        pattern = (raw or "").strip().lower()
        if not PATTERN.match(pattern) or len(pattern) > 60:
            raise invalid("events", "Unknown event pattern {pattern}: use a name like "
                          "need.posted, a prefix like need.* or *.",
                          code="WEBHOOK_EVENTS_INVALID", pattern=raw)
        if pattern not in cleaned:
            cleaned.append(pattern)
    if not cleaned:
        raise invalid("events", "Choose at least one event.", code="WEBHOOK_EVENTS_INVALID")
    if len(cleaned) > MAX_PATTERNS:
        raise invalid("events", "At most {max} event patterns.", code="WEBHOOK_EVENTS_INVALID",
                      max=MAX_PATTERNS)
    return cleaned


def matches(patterns: list[str], event: str) -> bool:
    """True if ``event`` (e.g. ``need.posted``) matches one of ``patterns``."""
    for pattern in patterns:
        if pattern == "*" or pattern == event:
            return True
        if pattern.endswith(".*") and event.startswith(pattern[:-1]):
            return True
    return False


def patterns_of(row: dict) -> list[str]:
    """A subscription row's event patterns."""
    value = row["events"]
    return json.loads(value) if isinstance(value, str) else list(value or [])


def secret_hint(row: dict) -> str:
    """The last four characters of the secret, so an admin can tell secrets apart."""
    return "…" + row["secret"][-4:]


async def get_subscription(community: dict, subscription_id: int,
                           field: str = "webhookId") -> dict:
    """A subscription of ``community`` by id, or NOT_FOUND."""
    row = await WebhookSubscription.select().where(
        (WebhookSubscription.id == subscription_id)
        & (WebhookSubscription.community == community["id"])).first()
    if row is None:
        raise not_found("webhook", field)
    return row


async def create(community: dict, actor: dict | None, url: str, events: list[str],
                 description: str = "") -> tuple[dict, str]:
    """Subscribe ``url`` to ``events``; returns the row and the secret (shown only now)."""
    _require_admin(actor)
    url = check_url(url)
    patterns = check_events(events)
    description = validate_text(description, "description", max_length=200, required=False)
    limit = settings(community["id"]).max_subscriptions
    secret = signing.new_secret()
    now = _now()
    async with atomic():
        count = await WebhookSubscription.count().where(
            WebhookSubscription.community == community["id"])
        if count >= limit:
            raise YizhanError("TOO_MANY_WEBHOOKS",
                              "This community already has {max} webhooks.", field="url",
                              max=limit)
        row = (await WebhookSubscription.insert(WebhookSubscription(
            community=community["id"], url=url, events=json.dumps(patterns),
            description=description, active=True, secret=secret,
            after_event=await outbox_last_id(), created_by=actor["id"] if actor else None,
            created_at=now, updated_at=now,
        )).returning(*WebhookSubscription.all_columns()))[0]
    return row, secret


async def update(community: dict, actor: dict | None, subscription_id: int, *,
                 url: str | None = None, events: list[str] | None = None,
                 description: str | None = None, active: bool | None = None) -> dict:
    """Change a subscription's URL, events, description, or pause/resume it."""
    _require_admin(actor)
    values: dict[Any, Any] = {WebhookSubscription.updated_at: _now()}
    if url is not None:
        values[WebhookSubscription.url] = check_url(url)
    if events is not None:
        values[WebhookSubscription.events] = json.dumps(check_events(events))
    if description is not None:
        values[WebhookSubscription.description] = validate_text(
            description, "description", max_length=200, required=False)
    async with atomic():
        row = await get_subscription(community, subscription_id)
        if active is not None:
            values[WebhookSubscription.active] = active
            if active and not row["active"]:
                # Resuming starts from now: what happened while paused is not sent.
                values[WebhookSubscription.after_event] = await outbox_last_id()
                values[WebhookSubscription.consecutive_failures] = 0
        await WebhookSubscription.update(values).where(WebhookSubscription.id == row["id"])
        if active is False:
            await WebhookDelivery.update({
                WebhookDelivery.status: FAILED, WebhookDelivery.next_attempt_at: None,
                WebhookDelivery.last_error: "subscription paused",
            }).where((WebhookDelivery.subscription == row["id"])
                     & (WebhookDelivery.status == PENDING))
        return await get_subscription(community, subscription_id)


async def delete(community: dict, actor: dict | None, subscription_id: int) -> None:
    """Remove a subscription and its delivery log."""
    _require_admin(actor)
    async with atomic():
        row = await get_subscription(community, subscription_id)
        await WebhookDelivery.delete().where(WebhookDelivery.subscription == row["id"])
        await WebhookSubscription.delete().where(WebhookSubscription.id == row["id"])


async def rotate_secret(community: dict, actor: dict | None,
                        subscription_id: int) -> tuple[dict, str]:
    """A new secret (returned once); the old one keeps signing for 24 hours beside it."""
    _require_admin(actor)
    secret = signing.new_secret()
    now = _now()
    async with atomic():
        row = await get_subscription(community, subscription_id)
        await WebhookSubscription.update({
            WebhookSubscription.secret: secret,
            WebhookSubscription.previous_secret: row["secret"],
            WebhookSubscription.previous_expires_at: now + ROTATION_GRACE,
            WebhookSubscription.updated_at: now,
        }).where(WebhookSubscription.id == row["id"])
        return await get_subscription(community, subscription_id), secret


def signing_secrets(row: dict, now: datetime) -> list[str]:
    """The secrets that sign a delivery now: the current one, and the previous during grace."""
    found = [row["secret"]]
    expires = row["previous_expires_at"]
    if row["previous_secret"] and expires is not None and expires > now:
        found.append(row["previous_secret"])
    return found


async def list_subscriptions(community: dict, *, after_id: int | None = None,
                             limit: int = 20) -> list[dict]:
    """The community's subscriptions, oldest first (keyset paging by id)."""
    query = WebhookSubscription.select().where(
        WebhookSubscription.community == community["id"])
    if after_id is not None:
        query = query.where(WebhookSubscription.id > after_id)
    return await query.order_by(WebhookSubscription.id).limit(limit)


async def get_delivery(community: dict, delivery_id: int, field: str = "deliveryId") -> dict:
    """A delivery of ``community`` by id, or NOT_FOUND."""
    row = await WebhookDelivery.select().where(
        (WebhookDelivery.id == delivery_id)
        & (WebhookDelivery.community == community["id"])).first()
    if row is None:
        raise not_found("delivery", field)
    return row


async def list_deliveries(community: dict, *, subscription_id: int | None = None,
                          status: str | None = None, before_id: int | None = None,
                          limit: int = 20) -> list[dict]:
    """The community's deliveries, newest first, optionally for one subscription or status."""
    query = WebhookDelivery.select().where(WebhookDelivery.community == community["id"])
    if subscription_id is not None:
        query = query.where(WebhookDelivery.subscription == subscription_id)
    if status is not None:
        if status not in STATUSES:
            raise invalid("status", "Unknown status {status}.", code="INVALID_STATUS",
                          status=status)
        query = query.where(WebhookDelivery.status == status)
    if before_id is not None:
        query = query.where(WebhookDelivery.id < before_id)
    return await query.order_by(WebhookDelivery.id, ascending=False).limit(limit)


async def redeliver(community: dict, actor: dict | None, delivery_id: int) -> dict:
    """Send a finished delivery again from its first attempt (same body and event id)."""
    _require_admin(actor)
    async with atomic():
        row = await get_delivery(community, delivery_id)
        if row["status"] == PENDING:
            raise YizhanError("WEBHOOK_DELIVERY_PENDING",
                              "This delivery is still being attempted.", field="deliveryId")
        subscription = await get_subscription(community, row["subscription"])
        if not subscription["active"]:
            raise YizhanError("WEBHOOK_PAUSED", "This webhook is paused: resume it first.",
                              field="deliveryId")
        await WebhookDelivery.update({
            WebhookDelivery.status: PENDING, WebhookDelivery.attempts: 0,
            WebhookDelivery.next_attempt_at: _now(), WebhookDelivery.delivered_at: None,
        }).where(WebhookDelivery.id == row["id"])
        return await get_delivery(community, delivery_id)


async def ping(community: dict, actor: dict | None, subscription_id: int) -> dict:
    """Queue a ``webhook.ping`` delivery to the subscription, due now."""
    _require_admin(actor)
    from yizhan.plugins.webhooks.delivery import body_for

    async with atomic():
        subscription = await get_subscription(community, subscription_id)
        if not subscription["active"]:
            raise YizhanError("WEBHOOK_PAUSED", "This webhook is paused: resume it first.",
                              field="webhookId")
        now = _now()
        body = body_for(None, PING, community, now, {"webhook": subscription["id"]})
        return (await WebhookDelivery.insert(WebhookDelivery(
            community=community["id"], subscription=subscription["id"], event_id=None,
            event=PING, body=body, status=PENDING, attempts=0, next_attempt_at=now,
            created_at=now,
        )).returning(*WebhookDelivery.all_columns()))[0]
