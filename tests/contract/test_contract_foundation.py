"""The foundation the plugins build on: deadlines fired exactly once, the member and plugin
events, vetoes over every step, indicators, optional integrations and one-job-name rule."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
import yz_probe
from contract_helpers import SET_PLUGIN, load_registry, posted, step

from yizhan.core import clock, deadlines, indicators, jobs
from yizhan.core.api import (
    Veto,
    atomic,
    cancel_deadline,
    communities_with_plugin,
    pending_deadlines,
    schedule_deadline,
)
from yizhan.core.plugins import PluginError, PluginSpec
from yizhan.core.services import communities, members
from yizhan.core.tables import Notice

hook = pytest.mark.hook

REMOVE = """mutation($input: RemoveMemberInput!) { removeMember(input: $input) {
  member { id status role } errors { field code message } } }"""
LEAVE = """mutation($input: LeaveCommunityInput!) { leaveCommunity(input: $input) {
  member { id status } errors { field code message } } }"""
DECLINE = """mutation($input: DeclineMemberInput!) { declineMember(input: $input) {
  member { id status } errors { field code message } } }"""
SET_ROLE = """mutation($input: SetMemberRoleInput!) { setMemberRole(input: $input) {
  member { id role } errors { field code message } } }"""


async def fired_notices() -> list[str]:
    """Titles of the notices the probe wrote when its deadlines fired."""
    rows = await Notice.select(Notice.title).where(Notice.source == "probe-deadline").order_by(
        Notice.id)
    return [r["title"] for r in rows]


async def schedule(community, kind: str, subject: int, minutes: float, **payload):
    async with atomic():
        return await schedule_deadline(community["id"], "probe", kind, subject,
                                       clock.now() + timedelta(minutes=minutes), payload)


# --- deadlines ---------------------------------------------------------------------------


@hook("yizhan_deadline_due")
async def test_a_deadline_fires_once_when_due_with_its_payload(community, enable_plugin,
                                                               record, clock):
    await enable_plugin(community, "probe")
    await schedule(community, "decide", 7, 60, note="24h")
    assert await deadlines.run_due(clock.now()) == 0
    clock.advance(minutes=59)
    assert await deadlines.run_due(clock.now()) == 0
    clock.advance(minutes=1)
    assert await deadlines.run_due(clock.now()) == 1
    assert await deadlines.run_due(clock.now()) == 0
    clock.advance(days=3)
    assert await deadlines.run_due(clock.now()) == 0
    (call,) = record.of("yizhan_deadline_due")
    assert call.in_transaction and call.community == "testville"
    assert (call.info["kind"], call.info["subject"], call.info["payload"]) == (
        "decide", "7", {"note": "24h"})
    assert await fired_notices() == ["deadline decide 7"]
    assert await pending_deadlines("probe", 7) == []


async def test_scheduling_again_moves_and_cancel_stops_it(community, enable_plugin, clock):
    await enable_plugin(community, "probe")
    await schedule(community, "remind", 1, 10)
    moved = await schedule(community, "remind", 1, 120)
    await schedule(community, "decide", 2, 10)
    (pending,) = await pending_deadlines("probe", 1)
    assert pending.id == moved.id and pending.due_at == clock.now() + timedelta(minutes=120)
    async with atomic():
        assert await cancel_deadline("probe", "decide", 2) is True
        assert await cancel_deadline("probe", "decide", 2) is False
    clock.advance(minutes=30)
    assert await deadlines.run_due(clock.now()) == 0  # moved later, and the other cancelled
    clock.advance(minutes=90)
    assert await deadlines.run_due(clock.now()) == 1
    assert await fired_notices() == ["deadline remind 1"]


async def test_a_deadline_scheduled_in_a_rolled_back_action_never_exists(community,
                                                                       enable_plugin, clock):
    await enable_plugin(community, "probe")
    with pytest.raises(RuntimeError):
        async with atomic():
            await schedule_deadline(community["id"], "probe", "decide", 3, clock.now())
            raise RuntimeError("the action failed")
    assert await pending_deadlines("probe", 3) == []
    assert await deadlines.run_due(clock.now()) == 0


async def test_deadlines_of_a_plugin_that_is_off_wait_for_it(community, enable_plugin, admin,
                                                             clock):
    await enable_plugin(community, "probe")
    await schedule(community, "decide", 4, 5)
    off = await admin.gql.mutate(SET_PLUGIN, {"input": {
        "community": "testville", "plugin": "probe", "enabled": False}})
    assert off["errors"] == []
    clock.advance(hours=2)
    assert await deadlines.run_due(clock.now()) == 0
    assert len(await pending_deadlines("probe", 4)) == 1  # kept, not lost
    await enable_plugin(community, "probe")
    assert await deadlines.run_due(clock.now()) == 1  # fired late, once
    assert await fired_notices() == ["deadline decide 4"]


async def test_a_failing_deadline_rolls_back_and_is_tried_again_later(
        community, enable_plugin, record, clock):
    await enable_plugin(community, "probe")
    await schedule(community, "decide", 5, 0)
    record.fail_on["yizhan_deadline_due"] = RuntimeError("mediator service down")
    assert await deadlines.run_due(clock.now()) == 0
    assert await fired_notices() == []  # what the failing hook wrote rolled back
    (waiting,) = await pending_deadlines("probe", 5)
    assert waiting.attempts == 1
    assert await deadlines.run_due(clock.now()) == 0  # backing off: not yet
    del record.fail_on["yizhan_deadline_due"]
    clock.advance(minutes=1)
    assert await deadlines.run_due(clock.now()) == 1
    assert await fired_notices() == ["deadline decide 5"]


async def test_concurrent_sweeps_fire_each_deadline_exactly_once(community, enable_plugin,
                                                                 clock):
    await enable_plugin(community, "probe")
    for subject in range(12):
        await schedule(community, "decide", subject, subject)
    clock.advance(hours=1)
    fired = await asyncio.gather(*(deadlines.run_due(clock.now()) for _ in range(4)))
    assert sum(fired) == 12
    titles = await fired_notices()
    assert sorted(titles) == sorted(f"deadline decide {s}" for s in range(12))


async def test_deadlines_are_fired_by_the_core_job(community, enable_plugin, clock):
    await enable_plugin(community, "probe")
    await schedule(community, "decide", 9, 1)
    clock.advance(minutes=2)
    assert await jobs.run_due(only="core.deadlines") == {"core.deadlines": 1}
    assert await fired_notices() == ["deadline decide 9"]


def test_the_deadline_sweep_is_a_listed_job(cli):
    listed = cli("jobs", "list", "--json").json()
    assert {"job": "core.deadlines", "every_seconds": 5} in listed


# --- member and plugin events --------------------------------------------------------------


@hook("yizhan_member_declined")
async def test_declining_tells_plugins_with_the_reason(community, leader, pending,
                                                       enable_plugin, record):
    await enable_plugin(community, "probe")
    payload = await leader.gql.mutate(DECLINE, {"input": {"memberId": pending.id,
                                                         "reason": "Not in building A"}})
    assert payload["errors"] == [] and payload["member"]["status"] == "DECLINED"
    (call,) = record.of("yizhan_member_declined")
    assert call.in_transaction
    assert call.info == {"member": pending.member_id, "reason": "Not in building A",
                         "status": "declined"}


@hook("yizhan_member_left")
async def test_leaving_and_removing_tell_plugins(community, leader, resident, neighbour,
                                                 enable_plugin, record):
    await enable_plugin(community, "probe")
    left = await neighbour.gql.mutate(LEAVE, {"input": {"community": "testville"}})
    assert left["errors"] == [] and left["member"]["status"] == "LEFT"
    removed = await leader.gql.mutate(REMOVE, {"input": {"memberId": resident.id,
                                                        "reason": "moved away"}})
    assert removed["errors"] == [] and removed["member"]["status"] == "REMOVED"
    calls = record.of("yizhan_member_left")
    assert [(c.info["member"], c.info["status"], c.info["removed_by"]) for c in calls] == [
        (neighbour.member_id, "left", None), (resident.member_id, "removed", leader.member_id)]


async def test_leaving_is_refused_with_needs_open_and_for_the_last_admin(
        community, admin, resident, neighbour, leader):
    await posted(resident)
    refused = await resident.gql.mutate(LEAVE, {"input": {"community": "testville"}})
    assert [e["code"] for e in refused["errors"]] == ["HAS_OPEN_NEEDS"]
    last = await admin.gql.mutate(LEAVE, {"input": {"community": "testville"}})
    assert [e["code"] for e in last["errors"]] == ["LAST_ADMIN"]
    stranger = await neighbour.gql.execute(REMOVE, {"input": {"memberId": leader.id,
                                                             "reason": "no"}})
    assert stranger["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    member = await members.get_member(community, resident.member_id)
    assert member["status"] == "verified"


def test_the_cli_removes_a_member(community, resident, cli):
    result = cli("member", "remove", "resident1", "-c", "testville", "--reason", "moved",
                 "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["status"] == "removed"
    again = cli("member", "remove", "resident1", "-c", "testville", "--reason", "moved")
    assert again.exit_code == 1 and "[NOT_MEMBER]" in again.stderr


@hook("yizhan_member_role_changed")
async def test_a_role_change_tells_plugins_the_previous_role(community, admin, resident,
                                                             enable_plugin, record):
    await enable_plugin(community, "probe")
    for role in ("BUILDING_LEADER", "BUILDING_LEADER", "RESIDENT"):
        payload = await admin.gql.mutate(SET_ROLE, {"input": {"memberId": resident.id,
                                                             "role": role}})
        assert payload["errors"] == [], payload
    calls = record.of("yizhan_member_role_changed")
    assert [(c.info["previous"], c.info["role"]) for c in calls] == [
        ("resident", "building_leader"), ("building_leader", "resident")]


@hook("yizhan_plugin_disabled")
async def test_switching_off_tells_the_plugin_itself(community, admin, enable_plugin, record):
    await enable_plugin(community, "probe")
    payload = await admin.gql.mutate(SET_PLUGIN, {"input": {
        "community": "testville", "plugin": "probe", "enabled": False}})
    assert payload["errors"] == []
    (call,) = record.of("yizhan_plugin_disabled")
    assert call.info == {"plugin": "probe"} and call.in_transaction


# --- vetoes over every step ------------------------------------------------------------


@hook("yizhan_veto")
@pytest.mark.parametrize("action, steps", [
    ("need.withdraw", ["acceptNeed", "withdrawFromNeed"]),
    ("need.done", ["acceptNeed", "markNeedDone"]),
    ("need.confirm", ["acceptNeed", "markNeedDone", "confirmNeed"]),
])
async def test_a_plugin_can_hold_any_need_step(community, resident, neighbour, enable_plugin,
                                               record, action, steps):
    await enable_plugin(community, "probe")
    record.vetoes[action] = Veto("DISPUTE_OPEN", "A dispute is open on this need.")
    gid = await posted(resident)
    *allowed, held = steps
    for name in allowed:
        assert (await step(neighbour, name, gid))["errors"] == []
    actor = resident if held == "confirmNeed" else neighbour
    refused = await step(actor, held, gid)
    assert [e["code"] for e in refused["errors"]] == ["DISPUTE_OPEN"]
    del record.vetoes[action]
    assert (await step(actor, held, gid))["errors"] == []


async def test_member_actions_can_be_vetoed(community, leader, pending, resident,
                                            enable_plugin, record):
    await enable_plugin(community, "probe")
    record.vetoes["member.decline"] = Veto("HELD", "Held by a plugin.")
    record.vetoes["member.leave"] = Veto("HELD", "Held by a plugin.")
    declined = await leader.gql.mutate(DECLINE, {"input": {"memberId": pending.id,
                                                          "reason": "no"}})
    left = await resident.gql.mutate(LEAVE, {"input": {"community": "testville"}})
    assert declined["errors"][0]["code"] == left["errors"][0]["code"] == "HELD"
    assert (await members.get_member(community, pending.member_id))["status"] == "pending"
    assert (await members.get_member(community, resident.member_id))["status"] == "verified"


# --- indicators ----------------------------------------------------------------------------


@hook("yizhan_register_indicators")
async def test_indicators_of_core_and_plugins_on_are_computed(community, resident,
                                                              enable_plugin, clock):
    start = clock.now()
    await posted(resident)
    await posted(resident, title="Walk the dog")
    keys = {i.key for i in indicators.indicators_for(community["id"])}
    assert "core.needs_posted" in keys and "probe.notices" not in keys  # probe is off
    await enable_plugin(community, "probe")
    values = await indicators.compute(community["id"], start, clock.now() + timedelta(hours=1))
    assert values["core.needs_posted"] == 2
    assert values["core.verified_members"] == 1
    assert values["probe.notices"] == 0
    earlier = await indicators.compute(community["id"], start - timedelta(days=30), start,
                                       ["core.needs_posted"])
    assert earlier == {"core.needs_posted": 0}


async def test_an_unknown_indicator_is_refused(community):
    from yizhan.core.errors import YizhanError

    with pytest.raises(YizhanError) as refused:
        await indicators.compute(community["id"], clock.now(), clock.now(), ["no.such"])
    assert refused.value.code == "UNKNOWN_INDICATOR"


def test_a_duplicate_indicator_key_names_both_plugins(monkeypatch):
    from yizhan.core.plugins import get_registry

    registry = get_registry()
    original = registry.register_results

    def doubled(name, **kwargs):
        results = original(name, **kwargs)
        if name == "yizhan_register_indicators":
            results["copycat"] = list(results["probe"])
        return results

    monkeypatch.setattr(registry, "register_results", doubled)
    with pytest.raises(indicators.IndicatorError, match="'probe' and 'copycat'"):
        indicators.all_indicators()


# --- optional integrations, sweeps, jobs --------------------------------------------------


def _module(name: str, **spec):
    import types

    module = types.ModuleType(f"yz_{name}")
    module.PLUGIN = PluginSpec(name=name, version="1", description=name, **spec)
    return module


def test_a_plugin_is_registered_after_the_plugins_it_works_with():
    first = _module("zz_fund")
    user = _module("aa_disputes", works_with=("zz_fund", "not_installed"))
    registry = load_registry(yz_probe, user, first)
    assert registry.order.index("zz_fund") < registry.order.index("aa_disputes")


async def test_communities_with_plugin_lists_where_it_is_on(community, enable_plugin):
    other = await communities.create_community("otherville", "Otherville")
    assert [c["slug"] for c in await communities_with_plugin("probe")] == []
    await enable_plugin(community, "probe")
    assert [c["slug"] for c in await communities_with_plugin("probe")] == ["testville"]
    everywhere = {c["slug"] for c in await communities_with_plugin("core")}
    assert everywhere == {"testville", other["slug"]}


def test_two_jobs_of_one_name_are_refused(monkeypatch):
    from yizhan.core.plugins import get_registry

    registry = get_registry()
    original = registry.register_results

    def doubled(name, **kwargs):
        results = original(name, **kwargs)
        if name == "yizhan_register_jobs":
            results["copycat"] = list(results["probe"])
        return results

    monkeypatch.setattr(registry, "register_results", doubled)
    with pytest.raises(jobs.JobError, match="'probe' and 'copycat'"):
        jobs.all_jobs()


def test_plugin_errors_stay_plugin_errors():
    with pytest.raises(PluginError):
        load_registry(_module("loop_a", requires=("loop_b",)),
                      _module("loop_b", requires=("loop_a",)))
