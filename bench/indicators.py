"""Benchmark of the indicators: every indicator for one month of a community of 100,000 members
(and 300,000 needs over six months), of a community of 100, and of the whole deployment;
then the same month read back once the ``insights.close_months`` job stored it.

Usage: ``python bench/indicators.py`` with ``YIZHAN_DATABASE_URL`` set (or a temporary SQLite
file); ``BENCH_MEMBERS`` and ``BENCH_NEEDS`` change the size. Rows are inserted in bulk (the
figures are about reading them).
"""

from __future__ import annotations

import asyncio
import os
import time
from datetime import UTC, datetime

from bench.common import fresh_database
from yizhan.core import clock, db, indicators
from yizhan.core.services import communities, plugin_admin
from yizhan.core.tables import Member

MEMBERS = int(os.environ.get("BENCH_MEMBERS", "100000"))
NEEDS = int(os.environ.get("BENCH_NEEDS", str(3 * MEMBERS)))
PLUGINS = ("credits", "merchants", "badges", "insights")
NOVEMBER = (datetime(2026, 10, 31, 16, tzinfo=UTC), datetime(2026, 11, 30, 16, tzinfo=UTC))


START = "2026-05-31 16:00:00"  # 1 June, Shanghai


def _series(n: int) -> tuple[str, str]:
    """(prefix, FROM clause) producing ``i`` = 0 … n-1."""
    if db.is_postgres():
        return "", f"FROM generate_series(0::bigint, {n - 1}) AS s(i)"
    return (f"WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < {n - 1}) ",
            "FROM s")


def _at(seconds: str) -> str:
    if db.is_postgres():
        return f"(timestamptz '{START}+00' + ({seconds}) * interval '1 second')"
    return (f"(strftime('%Y-%m-%d %H:%M:%S', '{START}', '+' || ({seconds}) || ' seconds') "
            "|| '.000000+00:00')")


async def seed(slug: str, n_members: int, n_needs: int) -> dict:
    """A community with ``n_members`` verified members and ``n_needs`` needs posted over the
    six months to November, about two thirds of them confirmed — generated in SQL."""
    community = await communities.create_community(slug, slug, "Asia/Shanghai")
    for plugin in PLUGINS:
        await plugin_admin.enable(community, plugin)
    buildings = [(await communities.create_building(community, f"{i}号楼", 300))["id"]
                 for i in range(1, 11)]
    cid, first_building = community["id"], buildings[0]
    prefix, source = _series(n_members)
    start = _at("0")
    await db.raw(f"{prefix}INSERT INTO yz_person (username, phone, display_name, real_name, "
                 "password_hash, locale, created_at) "
                 f"SELECT '{slug}' || i, NULL, '邻居' || i, '', '', '', {start} {source}"
                 if db.is_postgres() else
                 f"INSERT INTO yz_person (username, phone, display_name, real_name, "
                 f"password_hash, locale, created_at) {prefix}"
                 f"SELECT '{slug}' || i, NULL, '邻居' || i, '', '', '', {start} {source}")
    await db.raw("INSERT INTO yz_member (community, person, building, role, status, "
                 "requested_at, verified_by, verified_at, declined_by, declined_at, "
                 "decline_reason, skills, availability) "
                 f"SELECT {cid}, id, {first_building} + id % 10, 'resident', 'verified', "
                 f"{start}, NULL, {start}, NULL, NULL, '', '[]', '[]' FROM yz_person "
                 f"WHERE username LIKE '{slug}%'")
    low = (await Member.select(Member.id).where(Member.community == cid)
           .order_by(Member.id).first())["id"]
    span = int((NOVEMBER[1] - datetime(2026, 5, 31, 16, tzinfo=UTC)).total_seconds())
    prefix, source = _series(n_needs)
    # Deterministic scrambles of i stand in for random numbers (SQLite would re-evaluate
    # random() wherever a flattened subquery's column is used).
    inner = (f"SELECT i, (i * 37) % 100 AS fate, (i * 2654435761) % {span} AS sec, "
             f"1 + (i * 13) % 240 AS wait, {low} + (i * 104729) % {n_members} AS r, "
             f"{low} + (i * 7919 + 1) % {n_members} AS h, (i * 7) % 10 AS night, "
             f"(i * 3) % 10 AS wkd {source}")
    body = (
        "INSERT INTO yz_need (community, building, requester, posted_by, helper, title, "
        "description, category, window_start, window_end, late_night, weekend, "
        "estimated_minutes, credits_centi, status, created_at, escalate_at, escalated_at, "
        "accepted_at, done_at, closed_at, close_reason) "
        f"{prefix if not db.is_postgres() else ''}"
        f"SELECT {cid}, {first_building} + i % 10, r, r, "
        "CASE WHEN fate < 66 THEN h END, '代取快递', '', "
        "CASE i % 3 WHEN 0 THEN 'errand' WHEN 1 THEN 'childcare' ELSE 'repair' END, "
        f"{_at('sec')}, {_at('sec + 10800')}, night < 2, wkd < 3, 15, 0, "
        "CASE WHEN fate < 66 THEN 'confirmed' WHEN fate < 80 THEN 'expired' ELSE 'open' END, "
        f"{_at('sec')}, {_at('sec + 7200')}, NULL, "
        f"CASE WHEN fate < 66 THEN {_at('sec + wait * 60')} END, NULL, "
        f"CASE WHEN fate < 66 THEN {_at('sec + wait * 60 + 7200')} "
        f"WHEN fate < 80 THEN {_at('sec + 86400')} END, '' "
        f"FROM ({inner}) AS g")
    await db.raw(body)
    await db.raw("INSERT INTO yz_help_record (community, need, helper, requester, minutes, "
                 "confirmed_at) SELECT community, id, helper, requester, 15, closed_at "
                 f"FROM yz_need WHERE community = {cid} AND status = 'confirmed'")
    return community


async def timed(label: str, community_id: int | None) -> float:
    started = time.perf_counter()
    values = await indicators.compute(community_id, *NOVEMBER)
    took = time.perf_counter() - started
    print(f"  {label:<38} {len(values):>3} indicators in {took * 1000:8.1f} ms")
    return took


async def main() -> None:
    url = await fresh_database()
    print(f"database: {'PostgreSQL' if db.is_postgres() else 'SQLite'}; big community "
          f"{MEMBERS:,} members, {NEEDS:,} needs")
    started = time.perf_counter()
    big = await seed("big", MEMBERS, NEEDS)
    small = await seed("small", 100, 300)
    await db.raw("VACUUM ANALYZE" if db.is_postgres() else "ANALYZE")  # as autovacuum would
    print(f"  seeded in {time.perf_counter() - started:.0f} s")
    from yizhan.core.switches import switches

    await switches.refresh(force=True)
    await indicators.compute(small["id"], *NOVEMBER)  # warm up (imports, statement caches)
    await timed("November, community of 100", small["id"])
    await timed(f"November, community of {MEMBERS:,}", big["id"])
    await timed("November, whole deployment", None)
    from yizhan.plugins.insights import periods, service

    clock.install(clock.MovableClock(datetime(2026, 12, 1, 1, tzinfo=UTC)))
    started = time.perf_counter()
    stored = await service.close_community(big, clock.now(), datetime(2026, 10, 31, 16,
                                                                        tzinfo=UTC))
    print(f"  closing November of the big community ({stored} periods) "
          f"{(time.perf_counter() - started) * 1000:8.1f} ms")
    every = indicators.indicators_for(big["id"])
    started = time.perf_counter()
    values, closed = await service.values(big, periods.parse("2026-11"), every, clock.now())
    took = time.perf_counter() - started
    assert closed and len(values) == len(every)
    print(f"  {'November read back (closed)':<38} {len(values):>3} indicators in "
          f"{took * 1000:8.1f} ms")
    del url
    await db.stop()


if __name__ == "__main__":
    asyncio.run(main())
