"""``yizhan check`` for webhooks: deliveries piling up behind a receiver that does not answer."""

from __future__ import annotations

from datetime import datetime, timedelta

from yizhan.core.api import CHECK_WARNING, Check, Finding
from yizhan.plugins.webhooks.tables import WebhookDelivery

#: Deliveries waiting longer than this count as a backlog.
LATE = timedelta(minutes=15)


async def backlog(now: datetime) -> list[Finding]:
    """Pending deliveries that should have left more than :data:`LATE` ago."""
    late = await WebhookDelivery.count().where(
        (WebhookDelivery.status == "pending") & (WebhookDelivery.next_attempt_at < now - LATE))
    if not late:
        return []
    return [Finding("WEBHOOK_BACKLOG", CHECK_WARNING,
                    f"{late} webhook deliveries are more than 15 minutes late.",
                    "Check that jobs run and the receivers answer: `yizhan webhooks deliveries`.")]


CHECKS = [Check("webhooks.backlog", backlog)]
