"""A job runner in a process of its own for the PostgreSQL race test: sweeps the due
deadlines once at ``DISPUTES_RUNNER_NOW`` and prints how many it fired."""

from __future__ import annotations

import asyncio
import os
from datetime import datetime


async def main() -> None:
    from yizhan.core import clock, db, deadlines
    from yizhan.core.switches import switches

    db.use(os.environ["YIZHAN_DATABASE_URL"])
    await db.start()
    try:
        await switches.refresh(force=True)
        now = datetime.fromisoformat(os.environ["DISPUTES_RUNNER_NOW"])
        clock.install(clock.MovableClock(now))
        print(await deadlines.run_due(now), flush=True)
    finally:
        await db.stop()


if __name__ == "__main__":
    asyncio.run(main())
