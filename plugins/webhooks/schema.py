"""The webhooks plugin's GraphQL types and fields (admins of the community only).

Every field answers ``PLUGIN_DISABLED`` where webhooks is off; resolvers stay thin.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from strawberry.types import Info

from yizhan.core.api import (
    Connection,
    Node,
    UserError,
    admin_node_in_community,
    build_connection,
    from_cursor,
    object_in_community,
    page_size,
    payload,
    require_admin_of,
    to_gid,
)
from yizhan.plugins.webhooks import NAME, delivery, service
from yizhan.plugins.webhooks.tables import WebhookDelivery as DeliveryTable
from yizhan.plugins.webhooks.tables import WebhookSubscription as SubscriptionTable


@strawberry.enum
class WebhookDeliveryStatus(Enum):
    """Where a delivery stands."""

    PENDING = "pending"
    """Not delivered yet: the next attempt is due at `nextAttemptAt`."""
    DELIVERED = "delivered"
    """The receiver answered with a 2xx status."""
    FAILED = "failed"
    """Given up after the last retry (send it again with `redeliverWebhook`)."""


@strawberry.type
class WebhookDelivery(Node):
    """One event sent (or being sent) to one webhook, and how it went (admins)."""

    webhook_id: strawberry.ID
    """The webhook it was sent to."""
    event: str = strawberry.field(description="The event type, e.g. `need.posted`.")
    event_id: strawberry.ID | None = strawberry.field(
        description="The event's id (the body's `id`); null for a ping.")
    status: WebhookDeliveryStatus
    """Where the delivery stands."""
    attempts: int
    """How many times it was sent so far."""
    next_attempt_at: datetime | None = strawberry.field(
        description="When the next attempt is due (pending deliveries).")
    last_attempt_at: datetime | None
    """When it was last sent (null before the first attempt)."""
    last_status_code: int | None = strawberry.field(
        description="The HTTP status of the last attempt; null when none came back.")
    last_error: str = strawberry.field(description="Why the last attempt failed, if it did.")
    delivered_at: datetime | None
    """When the receiver accepted it (null until then)."""
    created_at: datetime
    """When the event was queued for this webhook."""
    body: str = strawberry.field(description="The JSON body every attempt sends.")

    @classmethod
    async def load_node(cls, info: Info, pk: int) -> WebhookDelivery | None:
        """For ``node(id:)``: admins, as ``webhookDeliveries``."""
        row = await admin_node_in_community(info, DeliveryTable, pk, NAME)
        return cls.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: dict) -> WebhookDelivery:
        """Build from a ``webhooks_delivery`` row."""
        return cls(
            id=to_gid("WebhookDelivery", row["id"]),
            webhook_id=to_gid("Webhook", row["subscription"]), event=row["event"],
            event_id=to_gid("Event", row["event_id"]) if row["event_id"] else None,
            status=WebhookDeliveryStatus(row["status"]), attempts=row["attempts"],
            next_attempt_at=row["next_attempt_at"], last_attempt_at=row["last_attempt_at"],
            last_status_code=row["last_status_code"], last_error=row["last_error"],
            delivered_at=row["delivered_at"], created_at=row["created_at"], body=row["body"])


@strawberry.type
class Webhook(Node):
    """A URL subscribed to some of the community's events (admins)."""

    url: str
    """Where events are POSTed (http or https; private addresses are refused unless the server
    allows them)."""
    events: list[str] = strawberry.field(
        description="Event patterns: a type (`need.posted`), a prefix (`need.*`) or `*`.")
    description: str
    """The admin's note on what it is for (empty when none)."""
    active: bool = strawberry.field(description="False while paused.")
    secret_hint: str = strawberry.field(
        description="The last characters of the signing secret (it is shown only once).")
    consecutive_failures: int = strawberry.field(
        description="Deliveries given up in a row since the last success.")
    created_at: datetime
    """When it was created."""
    updated_at: datetime
    """When it was last changed."""
    _row: strawberry.Private[dict]

    @classmethod
    async def load_node(cls, info: Info, pk: int) -> Webhook | None:
        """For ``node(id:)``: admins, as ``webhook(id:)``."""
        row = await admin_node_in_community(info, SubscriptionTable, pk, NAME)
        return cls.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: dict) -> Webhook:
        """Build from a ``webhooks_subscription`` row."""
        return cls(id=to_gid("Webhook", row["id"]), url=row["url"],
                   events=service.patterns_of(row), description=row["description"],
                   active=row["active"], secret_hint=service.secret_hint(row),
                   consecutive_failures=row["consecutive_failures"],
                   created_at=row["created_at"], updated_at=row["updated_at"], _row=row)

    @strawberry.field(description="This webhook's deliveries, newest first.")
    async def deliveries(self, status: WebhookDeliveryStatus | None = None,
                         first: int | None = None, after: str | None = None
                         ) -> Connection[WebhookDelivery]:
        """Args:
            status: Only deliveries in this state."""
        size = page_size(first)
        rows = await service.list_deliveries(
            {"id": self._row["community"]}, subscription_id=self._row["id"],
            status=status.value if status else None, before_id=from_cursor(after),
            limit=size + 1)
        return build_connection(rows, size, WebhookDelivery.from_row)


# --- inputs and payloads -------------------------------------------------------------


@strawberry.input
class CreateWebhookInput:
    """Subscribe a URL to events of a community (admins)."""

    community: str
    url: str
    """Where to POST events."""
    events: list[str]
    """Event patterns: a type (`need.posted`), a prefix (`need.*`) or `*`."""
    description: str = ""
    """What it is for (optional)."""


@strawberry.input
class UpdateWebhookInput:
    """Change a webhook; omitted fields stay. ``active: false`` pauses it."""

    webhook_id: strawberry.ID
    """The webhook."""
    url: str | None = None
    """A new URL (left out: unchanged)."""
    events: list[str] | None = None
    """New event patterns (left out: unchanged)."""
    description: str | None = None
    """A new note (left out: unchanged)."""
    active: bool | None = None
    """False pauses it, true resumes it (left out: unchanged)."""


@strawberry.input
class WebhookIdInput:
    """Which webhook."""

    webhook_id: strawberry.ID
    """The webhook."""


@strawberry.input
class RedeliverWebhookInput:
    """Which delivery to send again."""

    delivery_id: strawberry.ID
    """The delivered or failed delivery."""


@strawberry.type
class WebhookSecretPayload:
    """The webhook and its signing secret — shown this once only: store it now."""

    webhook: Webhook | None = None
    """The webhook (null when it failed)."""
    secret: str | None = None
    """The signing secret: shown only now, store it (null when it failed)."""
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class WebhookPayload:
    """The webhook after the change."""

    webhook: Webhook | None = None
    """The webhook after the change (null when it failed)."""
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class DeleteWebhookPayload:
    """The id of the removed webhook."""

    deleted_id: strawberry.ID | None = None
    """The removed webhook's id (null when it failed)."""
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class WebhookDeliveryPayload:
    """The delivery after its first attempt."""

    delivery: WebhookDelivery | None = None
    """The delivery after its attempt (null when it failed)."""
    errors: list[UserError] = strawberry.field(default_factory=list)


# --- helpers ---------------------------------------------------------------------------


async def _admin_of(info: Info, community: dict) -> dict:
    info.context.require_plugin(community, NAME)
    return await require_admin_of(info, community)


async def _by_slug(info: Info, slug: str) -> tuple[dict, dict]:
    community = await info.context.plugin_community(slug, NAME)
    return community, await require_admin_of(info, community)


async def _by_webhook(info: Info, gid: strawberry.ID) -> tuple[dict, dict, int]:
    community, row = await object_in_community(info, gid, "Webhook", SubscriptionTable,
                                               NAME, field="webhookId", what="webhook")
    return community, await require_admin_of(info, community), row["id"]


async def _by_delivery(info: Info, gid: strawberry.ID) -> tuple[dict, dict, int]:
    community, row = await object_in_community(info, gid, "WebhookDelivery", DeliveryTable,
                                               NAME, field="deliveryId",
                                               what="delivery")
    return community, await require_admin_of(info, community), row["id"]


@strawberry.type
class WebhooksQuery:
    """Root query fields of the webhooks plugin."""

    @strawberry.field(description="The community's webhooks (admins; webhooks plugin).")
    async def webhooks(self, info: Info, community: str, first: int | None = None,
                       after: str | None = None) -> Connection[Webhook]:
        row, _ = await _by_slug(info, community)
        size = page_size(first)
        rows = await service.list_subscriptions(row, after_id=from_cursor(after),
                                                limit=size + 1)
        return build_connection(rows, size, Webhook.from_row)

    @strawberry.field(description="One webhook (admins; webhooks plugin).")
    async def webhook(self, info: Info, id: strawberry.ID) -> Webhook:
        """Args:
            id: The webhook's global id."""
        community, _, pk = await _by_webhook(info, id)
        return Webhook.from_row(await service.get_subscription(community, pk, "id"))

    @strawberry.field(description="Deliveries of all the community's webhooks, newest first "
                                  "(admins; webhooks plugin).")
    async def webhook_deliveries(self, info: Info, community: str,
                                 status: WebhookDeliveryStatus | None = None,
                                 first: int | None = None, after: str | None = None
                                 ) -> Connection[WebhookDelivery]:
        """Args:
            status: Only deliveries in this state."""
        row, _ = await _by_slug(info, community)
        size = page_size(first)
        rows = await service.list_deliveries(row, status=status.value if status else None,
                                             before_id=from_cursor(after), limit=size + 1)
        return build_connection(rows, size, WebhookDelivery.from_row)

    @strawberry.field(description="Core's event types a webhook can subscribe to (plugins "
                                  "add their own; see docs/operations.md).")
    async def webhook_event_types(self, info: Info, community: str) -> list[str]:
        await info.context.plugin_community(community, NAME)
        return list(service.CORE_EVENTS)


@strawberry.type
class WebhooksMutation:
    """Root mutation fields of the webhooks plugin."""

    @strawberry.mutation(description="Subscribe a URL to events; returns the signing secret "
                                     "once (admins; webhooks plugin).")
    @payload(WebhookSecretPayload)
    async def create_webhook(self, info: Info, input: CreateWebhookInput
                             ) -> WebhookSecretPayload:
        community, actor = await _by_slug(info, input.community)
        row, secret = await service.create(community, actor, input.url, input.events,
                                           input.description)
        return WebhookSecretPayload(webhook=Webhook.from_row(row), secret=secret)

    @strawberry.mutation(description="Change, pause or resume a webhook (admins).")
    @payload(WebhookPayload)
    async def update_webhook(self, info: Info, input: UpdateWebhookInput) -> WebhookPayload:
        community, actor, pk = await _by_webhook(info, input.webhook_id)
        row = await service.update(community, actor, pk, url=input.url, events=input.events,
                                   description=input.description, active=input.active)
        return WebhookPayload(webhook=Webhook.from_row(row))

    @strawberry.mutation(description="Remove a webhook and its delivery log (admins).")
    @payload(DeleteWebhookPayload)
    async def delete_webhook(self, info: Info, input: WebhookIdInput) -> DeleteWebhookPayload:
        community, actor, pk = await _by_webhook(info, input.webhook_id)
        await service.delete(community, actor, pk)
        return DeleteWebhookPayload(deleted_id=input.webhook_id)

    @strawberry.mutation(description="Give a webhook a new signing secret, returned once; the "
                                     "old one keeps signing beside it for 24 hours (admins).")
    @payload(WebhookSecretPayload)
    async def rotate_webhook_secret(self, info: Info, input: WebhookIdInput
                                    ) -> WebhookSecretPayload:
        community, actor, pk = await _by_webhook(info, input.webhook_id)
        row, secret = await service.rotate_secret(community, actor, pk)
        return WebhookSecretPayload(webhook=Webhook.from_row(row), secret=secret)

    @strawberry.mutation(description="Send a `webhook.ping` now and return how it went "
                                     "(admins).")
    @payload(WebhookDeliveryPayload)
    async def ping_webhook(self, info: Info, input: WebhookIdInput) -> WebhookDeliveryPayload:
        community, actor, pk = await _by_webhook(info, input.webhook_id)
        row = await service.ping(community, actor, pk)
        return WebhookDeliveryPayload(delivery=WebhookDelivery.from_row(
            await delivery.send_now(community, row["id"])))

    @strawberry.mutation(description="Send a delivered or failed delivery again, now "
                                     "(admins).")
    @payload(WebhookDeliveryPayload)
    async def redeliver_webhook(self, info: Info, input: RedeliverWebhookInput
                                ) -> WebhookDeliveryPayload:
        community, actor, pk = await _by_delivery(info, input.delivery_id)
        row = await service.redeliver(community, actor, pk)
        return WebhookDeliveryPayload(delivery=WebhookDelivery.from_row(
            await delivery.send_now(community, row["id"])))

