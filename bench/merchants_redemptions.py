"""Redemptions per second through the real path: a resident's code asked for, then submitted
by a shop's staff (the rules applied, the code claimed, the credits charged through the credits
service, the receipt written), with ``--clients`` residents at the tills of one shop at once.

    python bench/merchants_redemptions.py --database postgresql://postgres@127.0.0.1:55432/yz_bench
    python bench/merchants_redemptions.py --database sqlite:////tmp/yz_bench.db

The database is emptied first (a SQLite file is deleted). Prints figures; not part of the
test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


async def run(url: str, clients: int, per_client: int) -> dict:
    """Seed a community with a supermarket and ``clients`` residents, then redeem."""
    os.environ["YIZHAN_DATABASE_URL"] = url
    from argon2 import PasswordHasher

    from bench.common import fresh_database
    from yizhan.core import db
    from yizhan.core.services import communities, members, people, plugin_admin
    from yizhan.plugins.credits import service as credits
    from yizhan.plugins.credits import verify
    from yizhan.plugins.merchants import redemptions, rules, shops

    people._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    if url.startswith("sqlite:///"):  # fresh_database empties PostgreSQL; start SQLite anew
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    await fresh_database()
    community = await communities.create_community("bench", "Bench")
    building = await communities.create_building(community, "A", 300)
    await plugin_admin.enable(community, "credits")
    await plugin_admin.enable(community, "merchants")
    await plugin_admin.configure(community, "merchants", {"code_requests_per_hour": 1000})
    await plugin_admin.configure(community, "credits", {"max_balance": "100000"})
    shop = await shops.register(community, None, name="Supermarket", kind="supermarket",
                                address="Gate 2", contact="Mr Zhou")
    await rules.add(community, None, shop["id"], rules.CATEGORY, category="tobacco",
                    accepted=False)
    tills, residents = [], []
    for i in range(clients):
        staff = await people.create_person(f"till{i}", f"Till {i}", None)
        person = await people.create_person(f"res{i}", f"Resident {i}", None)
        till = await members.add_member(community, staff["id"], building["id"], "resident",
                                        f"T {i}")
        await shops.add_staff(community, None, shop["id"], till["id"])
        resident = await members.add_member(community, person["id"], building["id"],
                                            "resident", f"R {i}")
        await credits.award(community, resident["id"], 10_000_00, reason="Bench",
                            key=f"bench:{i}")
        tills.append(till)
        residents.append(resident)
    latencies: list[float] = []

    async def client(i: int) -> None:
        for _ in range(per_client):
            began = time.perf_counter()
            code = await redemptions.request_code(community, residents[i])
            await redemptions.submit(community, tills[i], shop["id"], code["code"], "12.30",
                                     "daily")
            latencies.append(time.perf_counter() - began)

    began = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(clients)))
    elapsed = time.perf_counter() - began
    ok = (await verify.verify(community["id"], record=False)).ok
    await db.stop()
    done = clients * per_client
    ordered = sorted(latencies)
    return {"redemptions": done, "seconds": round(elapsed, 2),
            "per_second": round(done / elapsed, 1),
            "median_ms": round(statistics.median(ordered) * 1000, 1),
            "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 1),
            "chain_ok": ok}


def main() -> None:
    """Parse the options, run, print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default=os.environ.get("YIZHAN_DATABASE_URL") or
                        f"sqlite:///{tempfile.mkdtemp()}/bench.db")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--per-client", type=int, default=50)
    args = parser.parse_args()
    figures = asyncio.run(run(args.database, args.clients, args.per_client))
    kind = "PostgreSQL" if args.database.startswith("postgres") else "SQLite"
    print(f"merchants redemptions ({kind}, {args.clients} clients): {figures}")


if __name__ == "__main__":
    main()
