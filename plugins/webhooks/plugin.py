"""The webhooks plugin's spec and hook implementations (its entry-point module)."""

from __future__ import annotations

from yizhan.core.api import GraphQLContribution, Job, PluginSpec, hookimpl
from yizhan.plugins.webhooks import NAME

PLUGIN = PluginSpec(
    name=NAME,
    version="0.1.0",
    description="Signed HTTP callbacks for a community's domain events, sent after commit "
                "from the outbox and retried with backoff.",
)


@hookimpl
def yizhan_register_piccolo_app():
    """Subscriptions, deliveries and the outbox cursor."""
    return "yizhan.plugins.webhooks.piccolo_app"


@hookimpl
def yizhan_register_settings():
    """Retries, timeouts and limits per community."""
    from yizhan.plugins.webhooks.settings import WebhooksSettings

    return WebhooksSettings


@hookimpl
def yizhan_register_graphql():
    """Admins' queries and mutations for webhooks and their deliveries."""
    from yizhan.plugins.webhooks.schema import (
        Webhook,
        WebhookDelivery,
        WebhooksMutation,
        WebhooksQuery,
    )

    return GraphQLContribution(query=WebhooksQuery, mutation=WebhooksMutation,
                               types=[Webhook, WebhookDelivery])


@hookimpl
def yizhan_register_jobs():
    """``webhooks.deliver``: fan out new outbox events, send due deliveries, prune the log.

    It is due every second, so deliveries leave as often as the server's job loop ticks
    (``YIZHAN_JOBS_INTERVAL``) or cron calls ``yizhan jobs run``.
    """
    from yizhan.plugins.webhooks import delivery

    return [Job("webhooks.deliver", 1, delivery.run)]


@hookimpl
def yizhan_register_checks():
    """``WEBHOOK_BACKLOG``: deliveries piling up."""
    from yizhan.plugins.webhooks.checks import CHECKS

    return CHECKS


@hookimpl
def yizhan_register_commands(app):
    """``yizhan webhooks …``: add, list, update, remove, rotate-secret, ping, deliveries,
    redeliver."""
    from yizhan.plugins.webhooks.cli import webhooks_app

    app.add_typer(webhooks_app, name="webhooks")


@hookimpl
def yizhan_register_metrics():
    """``yizhan_webhook_deliveries_pending``: deliveries waiting to be sent (the backlog)."""
    from yizhan.core.api import MetricGauge
    from yizhan.plugins.webhooks.tables import WebhookDelivery

    async def pending() -> int:
        return await WebhookDelivery.count().where(WebhookDelivery.status == "pending")

    return [MetricGauge("yizhan_webhook_deliveries_pending",
                        "Webhook deliveries waiting to be sent (every community).", pending)]
