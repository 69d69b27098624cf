"""The outbox: domain events written in the action's transaction, read after commit.

A running server polls it (see :mod:`yizhan.core.broker`) to feed GraphQL subscriptions and
any plugin that delivers events elsewhere, so nothing leaves the process before the action
committed, and actions from the CLI or another server process are seen too.
"""

from __future__ import annotations

import json
from typing import Any

from yizhan.core import clock
from yizhan.core.tables import Outbox


async def publish(community_id: int | None, kind: str, payload: dict[str, Any]) -> None:
    """Write one event (e.g. ``need.posted``) into the current transaction."""
    await Outbox.insert(Outbox(
        community=community_id, kind=kind, payload=json.dumps(payload, default=str),
        created_at=clock.now(),
    ))


async def read_after(last_id: int, limit: int = 500) -> list[dict[str, Any]]:
    """Events with an id above ``last_id``, oldest first, payloads decoded."""
    rows = await Outbox.select().where(Outbox.id > last_id).order_by(Outbox.id).limit(limit)
    for row in rows:
        row["payload"] = json.loads(row["payload"] or "{}")
    return rows


async def read_ids(ids: list[int]) -> list[dict[str, Any]]:
    """The events with these ids that exist (have committed), oldest first, decoded."""
    rows = await Outbox.select().where(Outbox.id.is_in(ids or [-1])).order_by(Outbox.id)
    for row in rows:
        row["payload"] = json.loads(row["payload"] or "{}")
    return rows


async def last_id() -> int:
    """The newest event id (0 when empty)."""
    row = await Outbox.select(Outbox.id).order_by(Outbox.id, ascending=False).first()
    return row["id"] if row else 0
