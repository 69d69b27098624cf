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


_EVENT = "INSERT INTO yz_outbox (community, kind, payload, created_at) VALUES ({}, {}, {}, {})"


async def test_writes_at_commit_go_after_the_early_callbacks_in_order_and_only_on_commit(
        community, clock):
    from yizhan.core.api import write_at_commit

    start = await outbox_last_id()
    seen: list[list[str]] = []

    async def look() -> None:  # an ordinary callback: the writes were sent before it
        seen.append([r["kind"] for r in await outbox_read_after(start)])

    async with atomic():
        await write_at_commit(_EVENT, community["id"], "test.later.one", "{}", clock.now())
        await publish(community["id"], "test.published", {})
        await write_at_commit(_EVENT, community["id"], "test.later.two", "{}", clock.now())
        before_commit(look)
        assert await outbox_last_id() == start  # nothing sent yet
    assert seen == [["test.later.one", "test.later.two", "test.published"]]
    with pytest.raises(RuntimeError):
        async with atomic():
            await write_at_commit(_EVENT, community["id"], "test.lost", "{}", clock.now())
            raise RuntimeError("rolled back")
    await write_at_commit(_EVENT, community["id"], "test.outside", "{}", clock.now())
    assert [r["kind"] for r in await outbox_read_after(start)] == [
        "test.later.one", "test.later.two", "test.published", "test.outside"]


async def test_a_callback_that_sends_the_writes_gets_its_own_rows_and_the_writes_land(
        community, clock):
    from yizhan.core.api import raw_sql, with_writes, write_at_commit

    start = await outbox_last_id()
    answers: list[list[dict]] = []

    async def carrier() -> None:
        answers.append(await with_writes(
            "SELECT COUNT(*) AS n FROM yz_outbox WHERE id > {}", start))

    async with atomic():
        await write_at_commit(_EVENT, community["id"], "test.carried", "{}", clock.now())
        before_commit(carrier, sends_writes=True)
    assert len(answers) == 1 and len(answers[0]) == 1  # the carrier's own statement's rows
    assert [r["kind"] for r in await outbox_read_after(start)] == ["test.carried"]
    assert (await raw_sql("SELECT COUNT(*) AS n FROM yz_outbox WHERE id > {}",
                          start))[0]["n"] == 1


async def test_upserts_of_two_tables_go_together_and_two_of_one_row_in_order(
        community, monkeypatch):
    """An upsert's ``DO UPDATE SET`` is not a table: upserts of two tables share a statement on
    PostgreSQL; a second upsert of the same row comes after the first."""
    from yizhan.core import db
    from yizhan.core.api import is_postgres, raw_sql, write_at_commit

    sent: list[str] = []
    engine_class = type(db.engine())  # engines have slots: patch the class
    original = engine_class.run_querystring

    async def counting(self, querystring, *args, **kwargs):
        sent.append(str(querystring))
        return await original(self, querystring, *args, **kwargs)

    monkeypatch.setattr(engine_class, "run_querystring", counting)
    total = ("INSERT INTO yz_hours_total (community, member, minutes_given, minutes_received, "
             "needs_helped, helpers) VALUES ({}, -7, {}, 0, 0, 0) ON CONFLICT (community, "
             "member) DO UPDATE SET minutes_given = yz_hours_total.minutes_given * 10 + "
             "excluded.minutes_given")
    period = ("INSERT INTO yz_helper_period (community, period, member, minutes_given, "
              "needs_helped, households_helped, score) VALUES ({}, '2026-11', 424242, {}, 1, "
              "1, 0) ON CONFLICT (community, period, member) DO UPDATE SET minutes_given = "
              "yz_helper_period.minutes_given + excluded.minutes_given")
    async with atomic():
        await write_at_commit(total, community["id"], 1)
        await write_at_commit(period, community["id"], 5)
        await write_at_commit(total, community["id"], 2)  # the same row again
    writes = [s for s in sent if "yz_hours_total" in s or "yz_helper_period" in s]
    assert len(writes) == (2 if is_postgres() else 3)
    if is_postgres():
        assert "yz_hours_total" in writes[0] and "yz_helper_period" in writes[0]
    rows = await raw_sql("SELECT minutes_given FROM yz_hours_total WHERE community = {} "
                         "AND member = -7", community["id"])
    assert rows[0]["minutes_given"] == 12  # 1, then 1 * 10 + 2: in the order written
