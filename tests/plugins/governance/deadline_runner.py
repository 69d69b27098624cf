"""A deadline sweeper in a process of its own (for test_governance_runners.py): fires the due
deadlines once, on the wall clock, and prints how many it fired."""

from __future__ import annotations

import asyncio
import os


async def main() -> None:
    from yizhan.core import clock, db, deadlines
    from yizhan.core.switches import switches

    db.use(os.environ["YIZHAN_DATABASE_URL"])
    await db.start()
    try:
        await switches.refresh(force=True)
        print(await deadlines.run_due(clock.now()), flush=True)
    finally:
        await db.stop()


if __name__ == "__main__":
    asyncio.run(main())
