"""Crash safety with real processes: a runner killed mid-job frees its lease within a minute,
and two runner processes racing over the same due deadlines fire each exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from yizhan.core import jobs
from yizhan.core.api import atomic, schedule_deadline
from yizhan.core.tables import JobLease, Notice

RUNNER = Path(__file__).with_name("job_runner.py")


async def start_runner(mode: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, str(RUNNER), mode, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(RUNNER.parent)})


async def test_a_killed_runners_lease_is_taken_over_within_a_minute(yizhan_db, monkeypatch,
                                                                    clock):
    runner = await start_runner("hang")
    line = await asyncio.wait_for(runner.stdout.readline(), timeout=60)
    assert line.strip() == b"started", (line, await runner.stderr.read())
    lease = await JobLease.select().where(JobLease.name == "test.crash").first()
    assert lease["holder"].endswith(f":{runner.pid}")
    runner.send_signal(signal.SIGKILL)  # dies holding the lease, releasing nothing
    await runner.wait()

    ran: list[datetime] = []

    async def job(now):
        ran.append(now)
        return 1

    monkeypatch.setattr(jobs, "all_jobs", lambda: [jobs.Job("test.crash", 60, job)])
    real_now = datetime.now(UTC)
    clock.set(real_now)
    assert await jobs.run_due(force=True) == {"test.crash": None}  # still leased
    clock.set(real_now + timedelta(seconds=jobs.LEASE_SECONDS + 1))
    assert jobs.LEASE_SECONDS + 1 <= 60
    assert await jobs.run_due(force=True) == {"test.crash": 1}  # taken over
    assert len(ran) == 1


async def test_two_runner_processes_fire_each_due_deadline_once(community):
    due = datetime.now(UTC) - timedelta(minutes=1)
    async with atomic():
        for subject in range(30):
            await schedule_deadline(community["id"], "runner", "decide", subject, due)
    first, second = await start_runner("deadlines"), await start_runner("deadlines")
    outputs = await asyncio.wait_for(
        asyncio.gather(first.communicate(), second.communicate()), timeout=120)
    for process, (_out, err) in zip((first, second), outputs, strict=True):
        assert process.returncode == 0, err.decode()
    fired = [int(out.strip()) for out, _ in outputs]
    assert sum(fired) == 30
    titles = [r["title"] for r in await Notice.select(Notice.title).where(
        Notice.source == "runner")]
    assert sorted(t.split()[1] for t in titles) == sorted(str(s) for s in range(30))
