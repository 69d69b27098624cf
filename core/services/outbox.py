"""The outbox: domain events written in the action's transaction, read after commit.

A running server polls it (see :mod:`yizhan.core.broker`) to feed GraphQL subscriptions and
any plugin that delivers events elsewhere, so nothing leaves the process before the action
committed, and actions from the CLI or another server process are seen too.
"""

from __future__ import annotations

import contextvars
import functools
import json
from typing import Any

from yizhan.core import clock, db
from yizhan.core.tables import Outbox

_INSERT = "INSERT INTO yz_outbox (community, kind, payload, created_at) VALUES "

#: Events published in the open transaction and not written yet: (the transaction, rows).
_waiting: contextvars.ContextVar[tuple[object, list[list[Any]]] | None] = \
    contextvars.ContextVar("yizhan_outbox_waiting", default=None)


async def publish(community_id: int | None, kind: str, payload: dict[str, Any]) -> None:
    """Write one event (e.g. ``need.posted``) into the current transaction.

    Inside :func:`yizhan.core.db.atomic` the action's events are written together, in one
    multi-row ``INSERT`` just before the transaction commits (in the order published, before
    the other before-commit work: the credits chain's head is locked after it); outside one,
    at once."""
    row = [community_id, kind, json.dumps(payload, default=str), clock.now()]
    if not db.in_transaction():
        await db.raw(_INSERT + "({}, {}, {}, {})", *row)
        return
    current = db.current_transaction()
    state = _waiting.get()
    if state is None or state[0] is not current:
        state = (current, [])
        _waiting.set(state)
        db.before_commit(lambda rows=state[1]: _flush(rows), early=True)
    state[1].append(row)


async def _flush(rows: list[list[Any]]) -> None:
    if not rows:
        return
    _waiting.set(None)  # an event published after this (a later callback) gets a new flush
    args = [value for row in rows for value in row]
    # sent with the action's other writes at commit (one round trip on PostgreSQL)
    await db.write_at_commit(_INSERT + _rows(len(rows)), *args)


@functools.cache
def _rows(count: int) -> str:
    return ", ".join(["({}, {}, {}, {})"] * count)


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
