"""``yizhan_need_reminded``: core's own deadlines remind people about needs and tell plugins,
inside the deadline's transaction, with no actor (the system acts)."""

from __future__ import annotations

import pytest
from contract_helpers import need_pk, posted, step

from yizhan.core import jobs

hook = pytest.mark.hook


@hook("yizhan_need_reminded")
async def test_reminders_reach_the_plugin_with_their_stage(
        community, resident, neighbour, leader, enable_plugin, record, clock):
    await enable_plugin(community, "probe")
    overdue = await posted(resident, title="Walk the dog")  # window ends 12:00 local
    done = await posted(resident, title="Buy soy sauce")
    for gid in (overdue, done):
        assert (await step(neighbour, "acceptNeed", gid))["errors"] == []
    assert (await step(neighbour, "markNeedDone", done))["errors"] == []
    clock.advance(hours=27)  # the window ended 24 h ago; the need was done 27 h ago
    await jobs.run_due(force=True, only="core.deadlines")
    calls = record.of("yizhan_need_reminded")
    assert sorted((c.info["need"], c.info["stage"], c.info["status"]) for c in calls) == sorted([
        (need_pk(overdue), "overdue_helper", "accepted"),
        (need_pk(overdue), "overdue_leader", "accepted"),
        (need_pk(done), "confirm", "done"),
    ])
    assert all(c.in_transaction and c.community == "testville" and c.info["actor"] is None
               for c in calls)
    await jobs.run_due(force=True, only="core.deadlines")  # each reminder once
    assert len(record.of("yizhan_need_reminded")) == 3
