"""The 24-hour promise through core's deadlines: reminders, escalation, the default outcome
exactly once (also with two job runners on PostgreSQL)."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
from disputes_helpers import DECIDE, ONE, PROMISE, balance, done_need, fund_balance
from test_disputes_life import _open

from yizhan.core import deadlines
from yizhan.core.services import plugin_admin
from yizhan.core.tables import Notice, Notification
from yizhan.plugins.disputes.tables import Dispute, DisputeStep


async def _kinds(member_id: int) -> list[str]:
    rows = await Notification.select(Notification.kind).where(
        Notification.member == member_id).order_by(Notification.id)
    return [r["kind"] for r in rows if r["kind"].startswith("dispute.")]


async def test_reminders_escalation_and_the_default_outcome_once(
        disputes_on, paying_resident, neighbour, leader, admin, clock):
    need = await done_need(disputes_on, paying_resident, neighbour, "1.00")
    dispute = await _open(disputes_on, paying_resident, need)
    fund_before = await fund_balance(disputes_on)
    requester_before = await balance(disputes_on, paying_resident.member_id)
    clock.advance(hours=11, minutes=59)
    assert await deadlines.run_due(clock.now()) == 0
    clock.advance(minutes=1)
    assert await deadlines.run_due(clock.now()) == 1  # 12 h
    assert await _kinds(leader.member_id) == ["dispute.mediate", "dispute.reminder"]
    clock.advance(hours=8)
    assert await deadlines.run_due(clock.now()) == 1  # 20 h
    clock.advance(hours=2)
    assert await deadlines.run_due(clock.now()) == 1  # 22 h: the admins are told
    assert await _kinds(admin.member_id) == ["dispute.escalated"]
    seen = (await paying_resident.gql.data(ONE, {"id": dispute["id"]}))["dispute"]
    assert seen["escalated"] is True and seen["secondsLeft"] == 2 * 3600
    clock.advance(hours=2)
    # 24 h: the default outcome — and core's reminder to confirm, silenced by the dispute
    assert await deadlines.run_due(clock.now()) == 2
    assert await deadlines.run_due(clock.now()) == 0
    assert not await Notification.exists().where(
        (Notification.member == paying_resident.member_id)
        & (Notification.kind == "need.confirm_reminder"))
    clock.advance(days=3)
    assert await deadlines.run_due(clock.now()) == 0
    got = (await paying_resident.gql.data(ONE, {"id": dispute["id"]}))["dispute"]
    assert (got["status"], got["outcome"], got["automatic"], got["compensation"]) == (
        "DECIDED", "COMPENSATE", True, "1.00")
    assert got["need"]["status"] == "CONFIRMED" and got["hoursToDecide"] == "24.0"
    assert [s["kind"] for s in got["timeline"]] == [
        "opened", "reminded", "reminded", "escalated", "overdue", "decided"]
    assert await fund_balance(disputes_on) == fund_before - 100
    assert await balance(disputes_on, paying_resident.member_id) == requester_before - 100 + 100
    assert await _kinds(admin.member_id) == ["dispute.escalated", "dispute.defaulted"]
    assert await Notice.count().where(Notice.source == "disputes") == 1
    refused = await leader.gql.mutate(DECIDE, {"input": {
        "disputeId": dispute["id"], "outcome": "DISMISSED", "reason": "Late."}})
    assert [e["code"] for e in refused["errors"]] == ["DISPUTE_DECIDED"]
    promise = (await admin.gql.data(PROMISE, {"c": disputes_on["slug"]}))["disputePromise"]
    assert promise["allTime"]["withinDeadline"] == 1


async def test_a_decision_cancels_the_pending_deadlines(disputes_on, paying_resident,
                                                        neighbour, leader, clock):
    need = await done_need(disputes_on, paying_resident, neighbour, "1.00")
    dispute = await _open(disputes_on, paying_resident, need)
    clock.advance(hours=13)
    assert await deadlines.run_due(clock.now()) == 1
    await leader.gql.mutate(DECIDE, {"input": {"disputeId": dispute["id"],
                                               "outcome": "DISMISSED", "reason": "Works."}})
    clock.advance(hours=30)
    assert await deadlines.run_due(clock.now()) == 0
    assert await _kinds(leader.member_id) == ["dispute.mediate", "dispute.reminder"]


async def test_the_default_is_capped_by_the_setting_and_the_fund(
        disputes_on, paying_resident, neighbour, clock):
    await plugin_admin.configure(disputes_on, "disputes", {"max_compensation": "0.50"})
    need = await done_need(disputes_on, paying_resident, neighbour, "1.00")
    dispute = await _open(disputes_on, paying_resident, need)
    clock.advance(hours=24)
    await deadlines.run_due(clock.now())
    row = await Dispute.select().where(Dispute.need == need["id"]).first()
    assert row["compensation_centi"] == 50 and row["automatic"]
    assert dispute["id"]


async def test_escalate_only_leaves_it_open_and_tells_the_admins(
        disputes_on, paying_resident, neighbour, admin, leader, clock):
    await plugin_admin.configure(disputes_on, "disputes", {"default_outcome": "escalate"})
    need = await done_need(disputes_on, paying_resident, neighbour, "1.00")
    dispute = await _open(disputes_on, paying_resident, need)
    fund_before = await fund_balance(disputes_on)
    clock.advance(hours=24)
    assert await deadlines.run_due(clock.now()) == 5  # 4 of the dispute, core's silenced one
    got = (await admin.gql.data(ONE, {"id": dispute["id"]}))["dispute"]
    assert got["status"] == "OPEN" and got["secondsLeft"] == 0 and got["escalated"]
    assert await _kinds(admin.member_id) == ["dispute.escalated", "dispute.overdue"]
    assert await fund_balance(disputes_on) == fund_before
    clock.advance(hours=1)
    decided = await admin.gql.mutate(DECIDE, {"input": {
        "disputeId": dispute["id"], "outcome": "COMPENSATE", "reason": "Late but fair."}})
    assert decided["dispute"]["withinDeadline"] is False
    promise = (await admin.gql.data(PROMISE, {"c": disputes_on["slug"]}))["disputePromise"]
    assert promise["allTime"]["sharePercent"] == "0.0"


async def test_with_credits_off_the_deadline_only_escalates(disputes_only, resident, neighbour,
                                                            admin, clock):
    need = await done_need(disputes_only, resident, neighbour, "0")
    await _open(disputes_only, resident, need)
    clock.advance(hours=24)
    await deadlines.run_due(clock.now())
    row = await Dispute.select().where(Dispute.need == need["id"]).first()
    assert row["status"] == "open" and row["escalated_at"] is not None
    # Building A has no leader here: the admin mediates, and is told at each step.
    assert await _kinds(admin.member_id) == [
        "dispute.mediate", "dispute.reminder", "dispute.reminder", "dispute.escalated",
        "dispute.overdue"]


RUNNER = Path(__file__).parent / "disputes_runner.py"


async def _runner(url: str) -> asyncio.subprocess.Process:
    env = {**os.environ, "YIZHAN_DATABASE_URL": url}
    return await asyncio.create_subprocess_exec(
        sys.executable, str(RUNNER), stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE, env=env)


@pytest.mark.skipif(not os.environ.get("YIZHAN_TEST_DATABASE_URL", "").startswith("postgres"),
                    reason="two runner processes race on PostgreSQL")
async def test_two_runners_on_postgresql_apply_the_default_once(
        yizhan_db, disputes_on, paying_resident, neighbour, admin, clock):
    opened = []
    for _ in range(6):
        need = await done_need(disputes_on, paying_resident, neighbour, "0.50")
        opened.append(await _open(disputes_on, paying_resident, need))
    fund_before = await fund_balance(disputes_on)
    clock.advance(hours=25)
    # Both processes sweep at once, with the clock 25 hours on (see disputes_runner.py).
    os.environ["DISPUTES_RUNNER_NOW"] = clock.now().isoformat()
    try:
        first, second = await _runner(yizhan_db), await _runner(yizhan_db)
        outputs = await asyncio.wait_for(
            asyncio.gather(first.communicate(), second.communicate()), timeout=120)
    finally:
        del os.environ["DISPUTES_RUNNER_NOW"]
    for process, (_out, err) in zip((first, second), outputs, strict=True):
        assert process.returncode == 0, err.decode()
    fired = sum(int(out.strip()) for out, _ in outputs)
    # two reminders, the escalation and the decision of each, and core's silenced reminder
    assert fired == 6 * 5
    assert await fund_balance(disputes_on) == fund_before - 6 * 50
    assert await Dispute.count().where(Dispute.automatic == True) == 6  # noqa: E712
    assert await DisputeStep.count().where(DisputeStep.kind == "decided") == 6
    assert await Notice.count().where(Notice.source == "disputes") == 6
    assert (await _kinds(admin.member_id)).count("dispute.defaulted") == 6


async def test_two_concurrent_sweeps_apply_the_default_once(disputes_on, paying_resident,
                                                            neighbour, admin, clock):
    for _ in range(4):
        need = await done_need(disputes_on, paying_resident, neighbour, "0.50")
        await _open(disputes_on, paying_resident, need)
    fund_before = await fund_balance(disputes_on)
    clock.advance(hours=25)
    fired = await asyncio.gather(deadlines.run_due(clock.now()), deadlines.run_due(clock.now()))
    assert sum(fired) == 4 * 5  # four of each dispute, and core's silenced reminder
    assert await fund_balance(disputes_on) == fund_before - 4 * 50
    assert await DisputeStep.count().where(DisputeStep.kind == "decided") == 4
    assert (await _kinds(admin.member_id)).count("dispute.defaulted") == 4
