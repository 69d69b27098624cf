"""The outbox broker behind subscriptions: committed events reach subscribers, late ones too."""

from __future__ import annotations

import asyncio
import contextlib
import json

from yizhan.core import clock
from yizhan.core.broker import Broker
from yizhan.core.services import outbox
from yizhan.core.tables import Outbox


async def _insert(pk: int, community: int, kind: str = "test.event") -> None:
    await Outbox.insert(Outbox(id=pk, community=community, kind=kind,
                               payload=json.dumps({"n": pk}), created_at=clock.now()))


async def test_events_committed_out_of_order_are_all_delivered(community):
    broker = Broker()
    await broker.poll_once()  # starts from the newest event
    start = await outbox.last_id()
    stream = broker.events("test.event", community["id"])
    first = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0)  # the subscriber is listening
    # A transaction that took id start+2 commits before the one that took start+1.
    await _insert(start + 2, community["id"])
    assert await broker.poll_once() == 1
    assert (await first)["payload"] == {"n": start + 2}
    await _insert(start + 1, community["id"])
    await _insert(start + 3, community["id"], kind="other.event")
    await _insert(start + 4, community["id"] + 1)  # another community
    assert await broker.poll_once() == 3
    late = await asyncio.wait_for(anext(stream), 1)
    assert late["payload"] == {"n": start + 1}
    # Nothing more for this subscriber: the other kind and community are filtered out.
    more = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0.05)
    assert not more.done()
    more.cancel()
    with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
        await more
    # Delivered once: polling again finds nothing new.
    assert await broker.poll_once() == 0
