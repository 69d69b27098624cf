"""Fans outbox events out to the GraphQL subscriptions of this process.

The server polls the outbox (a cheap ``id > last`` query) a few times a second, so events from
this process, another server process or the CLI all reach subscribers, and only after commit.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from yizhan.core.services import outbox


class Broker:
    """In-process fan-out of committed outbox rows to subscriber queues."""

    def __init__(self) -> None:
        self.last_id: int | None = None
        self._queues: set[asyncio.Queue[dict]] = set()

    async def poll_once(self) -> int:
        """Read new outbox rows and hand them to every subscriber; returns how many."""
        if self.last_id is None:
            self.last_id = await outbox.last_id()
            return 0
        rows = await outbox.read_after(self.last_id)
        for row in rows:
            for queue in self._queues:
                queue.put_nowait(row)
        if rows:
            self.last_id = rows[-1]["id"]
        return len(rows)

    async def events(self, kind: str, community_id: int) -> AsyncIterator[dict]:
        """Committed events of ``kind`` in a community, from now on, until cancelled."""
        queue: asyncio.Queue[dict] = asyncio.Queue(maxsize=1000)
        self._queues.add(queue)
        try:
            while True:
                row = await queue.get()
                if row["kind"] == kind and row["community"] == community_id:
                    yield row
        finally:
            self._queues.discard(queue)


broker = Broker()
