"""Work just before the commit: callbacks in the order registered, early ones (the outbox's one
INSERT) before the ordinary ones still waiting; the action's events written together, in the
order published, only when the transaction commits."""

from __future__ import annotations

import pytest

from yizhan.core.api import atomic, before_commit, outbox_last_id, outbox_read_after, publish


async def test_early_callbacks_run_before_the_ordinary_ones_still_waiting(community):
    ran: list[str] = []

    def ordinary(name: str, then=None):
        def callback() -> None:
            ran.append(name)
            if then is not None:
                then()
        return callback

    async with atomic():
        before_commit(ordinary("first", then=lambda: before_commit(
            ordinary("early from first"), early=True)))
        before_commit(ordinary("second"))
        before_commit(ordinary("early"), early=True)
    assert ran == ["early", "first", "early from first", "second"]


async def test_an_actions_events_are_written_together_in_order_at_commit(community):
    start = await outbox_last_id()
    async with atomic():
        await publish(community["id"], "test.one", {"n": 1})
        await publish(community["id"], "test.two", {"n": 2})
        assert await outbox_last_id() == start  # not written before the commit
    rows = await outbox_read_after(start)
    assert [(r["kind"], r["payload"]) for r in rows] == [("test.one", {"n": 1}),
                                                         ("test.two", {"n": 2})]
    with pytest.raises(RuntimeError):
        async with atomic():
            await publish(community["id"], "test.lost", {})
            raise RuntimeError("rolled back")
    assert [r["kind"] for r in await outbox_read_after(start)] == ["test.one", "test.two"]
    await publish(community["id"], "test.outside", {})  # outside a transaction: at once
    assert (await outbox_read_after(start))[-1]["kind"] == "test.outside"
