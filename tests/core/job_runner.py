"""A job runner in a process of its own, for the crash and race tests of test_job_crash.py.

``python job_runner.py hang`` takes the lease of job ``test.crash`` and hangs in it (the test
kills it with SIGKILL); ``python job_runner.py deadlines`` fires the due deadlines of the
hook holder ``runner`` once, writing a notice per firing.
"""

from __future__ import annotations

import asyncio
import os
import sys


class Runner:
    """Hook implementations of this process (not a switchable plugin: on everywhere)."""

    from yizhan.core.plugins import hookimpl

    @hookimpl
    async def yizhan_deadline_due(self, ctx, deadline):
        from yizhan.core.api import post_notice

        await post_notice(ctx.community_id, f"fired {deadline.subject} by {os.getpid()}",
                          source="runner")


async def main(mode: str) -> None:
    from yizhan.core import clock, db, deadlines, jobs
    from yizhan.core.plugins import get_registry

    db.use(os.environ["YIZHAN_DATABASE_URL"])
    await db.start()
    try:
        if mode == "hang":
            async def hang(now):
                print("started", flush=True)
                await asyncio.Event().wait()

            jobs.all_jobs = lambda: [jobs.Job("test.crash", 60, hang)]
            await jobs.run_due(force=True)
        else:
            get_registry().add_implementations(Runner(), name="runner")
            print(await deadlines.run_due(clock.now()), flush=True)
    finally:
        await db.stop()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
