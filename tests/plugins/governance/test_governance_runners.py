"""Two sweeper processes on one database (PostgreSQL when ``YIZHAN_TEST_DATABASE_URL`` points
at one) fire each request's deadlines exactly once: one escalation per overdue request, one
notification per admin, no reminder after the deadline."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from yizhan.core.tables import Notification
from yizhan.plugins.governance import service
from yizhan.plugins.governance.tables import RequestEvent

RUNNER = Path(__file__).with_name("deadline_runner.py")


async def test_two_runner_processes_escalate_each_overdue_request_once(gov, resident, admin,
                                                                        clock, yizhan_db):
    clock.set(datetime.now(UTC) - timedelta(hours=49))  # the runners use the wall clock
    for i in range(12):
        await service.submit(gov, resident.member, category="safety",
                             description=f"Loose railing {i}", building="A",
                             suggested_urgency="red")
    runners = [await asyncio.create_subprocess_exec(
        sys.executable, str(RUNNER), stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "YIZHAN_DATABASE_URL": yizhan_db}) for _ in range(2)]
    outputs = await asyncio.wait_for(asyncio.gather(*(r.communicate() for r in runners)),
                                     timeout=120)
    for runner, (_out, err) in zip(runners, outputs, strict=True):
        assert runner.returncode == 0, err.decode()
    assert sum(int(out.strip()) for out, _ in outputs) == 36  # 2 reminders + 1 due, each
    escalated = await RequestEvent.count().where(RequestEvent.action == "escalated")
    reminded = await RequestEvent.count().where(RequestEvent.action == "reminded")
    assert (escalated, reminded) == (12, 0)
    notes = await Notification.count().where(
        (Notification.member == admin.member_id) & (Notification.kind == "governance.escalated"))
    assert notes == 12
