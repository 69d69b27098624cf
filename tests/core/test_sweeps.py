"""Deadlines: escalation to building leaders, expiry, and the job leases that run the sweeps."""

from __future__ import annotations

import asyncio
import contextlib

from core_helpers import CANCEL, inbox, need_status, post_need, snapshot, step_ok

from yizhan.core import jobs
from yizhan.core.errors import YizhanError
from yizhan.core.graphql.ids import to_gid
from yizhan.core.services import needs as needs_service

CONFIGURE = """mutation($input: ConfigurePluginInput!) { configurePlugin(input: $input) {
  plugin { name settings } errors { field code message } } }"""

ESCALATED = """{ needs(community: "testville", filter: {escalated: true}) { nodes { id } } }"""


def escalations(notifications: list[dict]) -> int:
    return sum(n["kind"] == "need.escalated" for n in notifications)


async def test_escalation_tells_the_building_leaders_once(resident, neighbour, leader, deputy,
                                                          admin, clock):
    need = (await post_need(resident, windowEnd="2026-11-02T18:00:00+08:00"))["id"]
    clock.advance(minutes=119)
    assert (await jobs.run_due(force=True))["core.escalate_needs"] == 0
    clock.advance(minutes=2)
    assert (await jobs.run_due(force=True))["core.escalate_needs"] == 1
    for actor, told in ((leader, 1), (deputy, 1), (admin, 0), (neighbour, 0), (resident, 0)):
        assert escalations(await inbox(actor)) == told, actor.person["username"]
    assert [n["id"] for n in (await leader.gql.data(ESCALATED))["needs"]["nodes"]] == [need]
    # Once only: more sweeps, later, tell nobody again.
    clock.advance(hours=1)
    before = await snapshot()
    assert (await jobs.run_due(force=True))["core.escalate_needs"] == 0
    assert await snapshot() == before
    assert escalations(await inbox(leader)) == 1
    # The leader takes it (托底) and sees it through.
    await step_ok(leader, "acceptNeed", need, "accepted")
    await step_ok(leader, "markNeedDone", need, "done")
    await step_ok(resident, "confirmNeed", need, "confirmed")


async def test_a_building_without_leaders_escalates_to_the_admins(resident, admin, community,
                                                                   clock):
    b = to_gid("Building", community["buildings"]["B"]["id"])
    await post_need(resident, buildingId=b, windowEnd="2026-11-02T18:00:00+08:00")
    clock.advance(hours=3)
    await jobs.run_due(force=True)
    assert escalations(await inbox(admin)) == 1


async def test_escalation_delay_is_a_community_setting(resident, leader, admin, clock):
    payload = await admin.gql.mutate(CONFIGURE, {"input": {
        "community": "testville", "plugin": "core",
        "settings": {"escalate_after_minutes": 30}}})
    assert payload["errors"] == [] and payload["plugin"]["settings"][
        "escalate_after_minutes"] == 30
    for bad in ({"escalate_after_minutes": 1}, {"escalate_after_minutes": "soon"},
                {"nonsense": 1}):
        before = await snapshot()
        refused = await admin.gql.mutate(CONFIGURE, {"input": {
            "community": "testville", "plugin": "core", "settings": bad}})
        assert refused["errors"][0]["code"] in ("INVALID_SETTING", "UNKNOWN_SETTING")
        assert await snapshot() == before
    result = await leader.gql.execute(CONFIGURE, {"input": {
        "community": "testville", "plugin": "core", "settings": {"escalate_after_minutes": 5}}})
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    await post_need(resident, windowEnd="2026-11-02T18:00:00+08:00")
    clock.advance(minutes=31)
    assert (await jobs.run_due(force=True))["core.escalate_needs"] == 1


async def test_a_short_window_escalates_when_it_starts_to_run_out(resident, leader, clock):
    # The window ends at 09:45, before the two-hour delay: the leaders hear at 09:45.
    await post_need(resident, windowStart="2026-11-02T09:15:00+08:00",
                    windowEnd="2026-11-02T09:45:00+08:00")
    clock.advance(minutes=44)
    assert (await jobs.run_due(force=True))["core.escalate_needs"] == 0
    clock.advance(minutes=1)
    assert (await jobs.run_due(force=True))["core.escalate_needs"] == 1


async def test_taken_and_closed_needs_do_not_escalate(resident, neighbour, clock):
    taken = (await post_need(resident))["id"]
    await step_ok(neighbour, "acceptNeed", taken, "accepted")
    closed = (await post_need(resident))["id"]
    assert (await resident.gql.mutate(CANCEL, {"input": {"needId": closed}}))["errors"] == []
    clock.advance(hours=2, minutes=30)
    assert (await jobs.run_due(force=True))["core.escalate_needs"] == 0


async def test_expiry_sweep(resident, neighbour, clock):
    open_need = (await post_need(resident, title="nobody came"))["id"]
    taken = (await post_need(resident, title="taken"))["id"]
    await step_ok(neighbour, "acceptNeed", taken, "accepted")
    later = (await post_need(resident, windowEnd="2026-11-03T12:00:00+08:00"))["id"]
    clock.set(clock.now().replace(hour=4))  # 12:00 Shanghai: the first two windows ended
    results = await jobs.run_due(force=True)
    assert results["core.expire_needs"] == 1
    assert await need_status(resident, open_need) == "EXPIRED"
    assert await need_status(resident, taken) == "ACCEPTED"
    assert await need_status(resident, later) == "OPEN"
    assert [n["kind"] for n in await inbox(resident)][0] == "need.expired"
    # Idempotent: again, nothing more happens.
    before = await snapshot()
    assert (await jobs.run_due(force=True))["core.expire_needs"] == 0
    assert await needs_service.expire_due(clock.now()) == 0
    assert await snapshot() == before


async def test_a_failing_hook_undoes_the_escalation_and_its_notifications(resident, leader,
                                                                          add_hooks, clock):
    def refuse(ctx, need, leaders):
        raise YizhanError("BROKEN", "A plugin failed.")

    add_hooks(yizhan_need_escalated=refuse)
    need = (await post_need(resident, windowEnd="2026-11-02T18:00:00+08:00"))["id"]
    clock.advance(hours=3)
    before = await snapshot()
    assert (await jobs.run_due(force=True))["core.escalate_needs"] is None  # failed, logged
    # The leaders' notifications were written in the same transaction: rolled back with it.
    assert await snapshot() == before
    assert escalations(await inbox(leader)) == 0
    assert (await leader.gql.data(ESCALATED))["needs"]["nodes"] == []
    assert need


# --- job leases ------------------------------------------------------------------------


async def test_two_runners_never_run_the_same_job_at_once(yizhan_db, monkeypatch, clock):
    calls: list[str] = []
    release = asyncio.Event()

    async def slow(now):
        calls.append("ran")
        await release.wait()
        return 1

    monkeypatch.setattr(jobs, "all_jobs", lambda: [jobs.Job("test.slow", 60, slow)])
    first = asyncio.create_task(jobs.run_due(force=True))
    second = asyncio.create_task(jobs.run_due(force=True))
    done, waiting = await asyncio.wait({first, second}, timeout=10,
                                       return_when=asyncio.FIRST_COMPLETED)
    assert len(done) == 1, "both runners took the lease"
    assert done.pop().result() == {"test.slow": None}  # refused: the other one holds it
    release.set()
    assert await waiting.pop() == {"test.slow": 1}
    assert calls == ["ran"]


async def test_jobs_run_when_due_and_a_dead_runners_lease_expires(yizhan_db, monkeypatch,
                                                                 clock):
    calls: list[object] = []
    stuck = asyncio.Event()

    async def job(now):
        calls.append(now)
        if len(calls) == 1:
            await stuck.wait()  # this runner "dies" holding the lease
        return 0

    monkeypatch.setattr(jobs, "all_jobs", lambda: [jobs.Job("test.job", 60, job)])
    dead = asyncio.create_task(jobs.run_due())
    while not calls:
        await asyncio.sleep(0.01)
    clock.advance(seconds=jobs.LEASE_SECONDS - 5)
    assert await jobs.run_due() == {"test.job": None}  # still leased
    clock.advance(seconds=6)
    assert await jobs.run_due() == {"test.job": 0}  # the lease ran out: taken over
    assert await jobs.run_due() == {"test.job": None}  # ran just now: not due
    clock.advance(seconds=61)
    assert await jobs.run_due() == {"test.job": 0}
    dead.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await dead
    assert len(calls) == 3


async def test_concurrent_sweeps_act_once(resident, leader, clock):
    for i in range(5):
        await post_need(resident, title=f"need {i}", windowEnd="2026-11-02T18:00:00+08:00")
    clock.advance(hours=3)
    counts = await asyncio.gather(*(needs_service.escalate_due(clock.now()) for _ in range(4)))
    assert sum(counts) == 5
    assert escalations(await inbox(leader)) == 5


async def test_many_runners_on_a_fresh_database_share_one_lease(yizhan_db, monkeypatch, clock):
    calls: list[object] = []
    release = asyncio.Event()

    async def job(now):
        calls.append(now)
        await release.wait()
        return 1

    monkeypatch.setattr(jobs, "all_jobs", lambda: [jobs.Job("test.fresh", 60, job)])
    runners = [asyncio.create_task(jobs.run_due(force=True)) for _ in range(6)]
    while sum(r.done() for r in runners) < 5:
        await asyncio.sleep(0.01)
        assert not any(r.done() and r.exception() for r in runners)
    release.set()
    results = await asyncio.gather(*runners)
    assert sorted(r["test.fresh"] or 0 for r in results) == [0, 0, 0, 0, 0, 1]
    assert len(calls) == 1
