"""Fans outbox events out to the GraphQL subscriptions of this process.

The server polls the outbox (a cheap ``id > last`` query) a few times a second, so events from
this process, another server process or the CLI all reach subscribers, and only after commit.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator

from yizhan.core.services import outbox

log = logging.getLogger(__name__)


#: How long an id skipped in the outbox is looked for again: on PostgreSQL a transaction that
#: took a lower id may commit after one that took a higher id (a rolled-back one never does).
GAP_SECONDS = 10.0
#: At most this many skipped ids are remembered per poll.
MAX_GAPS = 1000


class Broker:
    """In-process fan-out of committed outbox rows to subscriber queues."""

    def __init__(self) -> None:
        self.last_id: int | None = None
        self._queues: set[asyncio.Queue[dict]] = set()
        self._gaps: dict[int, float] = {}  # skipped id -> when it was first missed

    async def poll_once(self) -> int:
        """Read new outbox rows and hand them to every subscriber; returns how many.

        Rows are read after the last id seen; ids skipped on the way (a transaction still
        open, or rolled back) are looked for again for :data:`GAP_SECONDS`, so an event that
        commits late is delivered late rather than never.
        """
        if self.last_id is None:
            self.last_id = await outbox.last_id()
            self._gaps.clear()
            return 0
        late = await outbox.read_ids(list(self._gaps)) if self._gaps else []
        rows = await outbox.read_after(self.last_id)
        now = time.monotonic()
        expected = self.last_id + 1
        for row in rows:
            for missing in range(expected, min(row["id"], expected + MAX_GAPS)):
                self._gaps[missing] = now
            expected = row["id"] + 1
        for row in late:
            self._gaps.pop(row["id"], None)
        self._gaps = {i: t for i, t in self._gaps.items() if now - t < GAP_SECONDS}
        for row in [*late, *rows]:
            for queue in list(self._queues):
                try:
                    queue.put_nowait(row)
                except asyncio.QueueFull:  # a stuck subscriber misses events, nobody else does
                    log.warning("a subscriber fell %d events behind; dropping one",
                                queue.qsize())
        if rows:
            self.last_id = rows[-1]["id"]
        return len(late) + len(rows)

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
