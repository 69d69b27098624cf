"""Flat cost with size: each member-facing query in a 100,000-member community ÷ the same query
in a 1,000-member community of the same database.

Builds the database with bulk SQL (``INSERT … SELECT generate_series`` on PostgreSQL; a few
seconds), then times each query through GraphQL in-process (the real app, an admin's token),
median of ``BENCH_RUNS`` runs (7) after a warm-up, and prints big, small and big ÷ small:
``candidates(needId)``, ``communityHours``, ``badgeLeaderboard``, ``members(first: 50)`` and
the ``needs(first: 50)`` feed. Each community has, per 10 members, 5 needs (half confirmed:
help records this month); members have skills, weekly availability and a building.

Usage: ``YIZHAN_DATABASE_URL=postgresql://… python bench/scale.py`` (PostgreSQL only; the
database is emptied). ``BENCH_BIG`` / ``BENCH_SMALL`` change the sizes.

Measured on PostgreSQL 15 (shared 2-core machine, heavily loaded; ms, median of 5-7):

| query | before: big | small | big ÷ small | after: big | small | big ÷ small |
|---|---:|---:|---:|---:|---:|---:|
| ``candidates(needId)`` | 3150.9 | 38.4 | 82.09× | 23.2 | 23.0 | 1.01× |
| ``communityHours`` | 55.6 | 3.0 | 18.51× | 2.4 | 2.6 | 0.95× |
| ``badgeLeaderboard`` | 1181.7 | 8.8 | 134.88× | 2.2 | 3.0 | 0.75× |
| ``members(first: 50)`` | 12.0 | 28.0 | 0.43× | 7.6 | 7.0 | 1.09× |
| ``needs(first: 50)`` | 17.3 | 12.8 | 1.35× | 13.9 | 14.1 | 0.99× |

"Before" is main at 90993b7 with this script (the running tables skipped): the small
community's member list was slower than the big one's (a generic plan walked the big
community's rows in id order).
"""

from __future__ import annotations

import asyncio
import logging
import os
import statistics
import sys
import time
from zoneinfo import ZoneInfo

import httpx

from bench.common import fresh_database
from yizhan.core import clock, db
from yizhan.core.graphql.ids import to_gid
from yizhan.core.services import communities, people, plugin_admin
from yizhan.core.switches import switches

BIG = int(os.environ.get("BENCH_BIG", "100000"))
SMALL = int(os.environ.get("BENCH_SMALL", "1000"))
RUNS = int(os.environ.get("BENCH_RUNS", "7"))
SKILLS = ["errand", "repair", "tutoring", "cooking", "eldercare", "computer", "garden",
          "childcare", "cleaning", "moving"]


HOUSEHOLD_MINUTES = 60  # as core's (the leaderboard's score)


def labels(now) -> list[str]:
    """This month's and quarter's labels in Shanghai (``2026-11``, ``2026Q4``)."""
    local = now.astimezone(ZoneInfo("Asia/Shanghai"))
    return [f"{local.year}-{local.month:02d}", f"{local.year}Q{(local.month - 1) // 3 + 1}"]


async def side(table: str, sql: str, *args) -> None:
    """Fill one of the running tables/indexed copies, if this version of core has it."""
    found = await db.raw("SELECT to_regclass({}) IS NOT NULL AS ok", table)
    if found[0]["ok"]:
        await db.raw(sql, *args)


async def build(slug: str, size: int, offset: int, now) -> dict:
    """A community of ``size`` verified members (the first an admin) and its needs."""
    community = await communities.create_community(slug, slug, "Asia/Shanghai")
    cid = community["id"]
    n_buildings = max(size // 1000, 1) * 10
    await db.raw("INSERT INTO yz_building (community, name, households, created_at) "
                 "SELECT {}, g || '号楼', 100, {} FROM generate_series(1, {}::int) g",
                 cid, now, n_buildings)
    first_building = (await db.raw("SELECT MIN(id) AS id FROM yz_building WHERE community = {}",
                                   cid))[0]["id"]
    await db.raw(
        "INSERT INTO yz_person (username, display_name, real_name, password_hash, locale, "
        "created_at) SELECT 'u' || g, '邻居' || g, '实名' || g, '', '', {} "
        "FROM generate_series({}::int, {}::int) g", now, offset + 1, offset + size)
    skills = "ARRAY[" + ", ".join(f"'{s}'" for s in SKILLS) + "]"
    await db.raw(
        "INSERT INTO yz_member (community, person, building, role, status, requested_at, "
        "verified_at, decline_reason, skills, availability) "
        "SELECT {}, p.id, {} + (p.id % {}), CASE WHEN p.id = {} THEN 'admin' ELSE 'resident' "
        "END, 'verified', {}, {}, '', "
        f"json_build_array(({skills})[1 + p.id % 10], ({skills})[1 + (p.id / 10) % 10]), "
        "json_build_array(json_build_object('weekday', p.id % 7, 'start', '09:00', "
        "'end', '12:00'), json_build_object('weekday', (p.id + 3) % 7, 'start', '14:00', "
        "'end', '18:00')) FROM yz_person p WHERE p.id BETWEEN {} AND {}",
        cid, first_building, n_buildings, offset + 1, now, now, offset + 1, offset + size)
    await side("yz_member_skill",
        "INSERT INTO yz_member_skill (community, skill, member) SELECT DISTINCT m.community, "
        "s.value, m.id FROM yz_member m, json_array_elements_text(m.skills) s "
        "WHERE m.community = {}", cid)
    await side("yz_member_slot",
        "INSERT INTO yz_member_slot (community, weekday, slot_start, slot_end, member) "
        "SELECT m.community, (s.value->>'weekday')::int, s.value->>'start', s.value->>'end', "
        "m.id FROM yz_member m, json_array_elements(m.availability) s "
        "WHERE m.community = {}", cid)
    low = (await db.raw("SELECT MIN(id) AS id FROM yz_member WHERE community = {}",
                        cid))[0]["id"]
    n_needs = size // 2
    # needs: even ones open (tomorrow), odd ones confirmed (helped by the next member)
    await db.raw(
        "INSERT INTO yz_need (community, building, requester, posted_by, helper, title, "
        "description, category, window_start, window_end, late_night, weekend, "
        "estimated_minutes, credits_centi, status, created_at, close_reason, closed_at) "
        "SELECT {}, {} + (g % {}), {} + g % {}, {} + g % {}, "
        "CASE WHEN g % 2 = 1 THEN {} + (g + 1) % {} END, '代取快递 #' || g, '', "
        f"({skills})[1 + g % 10], "
        "{}::timestamptz + interval '1 day', {}::timestamptz + interval '1 day 2 hours', false, "
        "false, 30, 0, CASE WHEN g % 2 = 1 THEN 'confirmed' ELSE 'open' END, {}, '', "
        "CASE WHEN g % 2 = 1 THEN {}::timestamptz END FROM generate_series(1, {}::int) g",
        cid, first_building, n_buildings, low + 1, size - 1, low + 1, size - 1, low + 1,
        size - 1, now, now, now, now, n_needs)
    await db.raw(
        "INSERT INTO yz_help_record (community, need, helper, requester, minutes, "
        "confirmed_at) SELECT community, id, helper, requester, estimated_minutes, closed_at "
        "FROM yz_need WHERE community = {} AND status = 'confirmed'", cid)
    await side("yz_hours_total",
        "INSERT INTO yz_hours_total (community, member, minutes_given, minutes_received, "
        "needs_helped, helpers) SELECT community, 0, SUM(minutes), 0, COUNT(*), "
        "COUNT(DISTINCT helper) FROM yz_help_record WHERE community = {} GROUP BY community",
        cid)
    # per helper and month/quarter (all help is in this month)
    await side("yz_helper_period",
        "INSERT INTO yz_helper_period (community, period, member, minutes_given, needs_helped, "
        "households_helped, score) SELECT community, p.label, helper, SUM(minutes), COUNT(*), "
        "COUNT(DISTINCT requester), SUM(minutes) + {} * COUNT(DISTINCT requester) "
        "FROM yz_help_record, (VALUES ({}), ({})) AS p(label) WHERE community = {} "
        "GROUP BY community, p.label, helper", HOUSEHOLD_MINUTES, *labels(now), cid)
    await side("yz_hours_total",
        "INSERT INTO yz_hours_total (community, member, minutes_given, minutes_received, "
        "needs_helped, helpers) SELECT community, member, SUM(given), SUM(received), "
        "SUM(helped), 0 FROM (SELECT community, helper AS member, minutes AS given, "
        "0 AS received, 1 AS helped FROM yz_help_record WHERE community = {} UNION ALL "
        "SELECT community, requester, 0, minutes, 0 FROM yz_help_record WHERE community = {}"
        ") AS t GROUP BY community, member", cid, cid)
    await plugin_admin.enable(community, "badges")
    need = (await db.raw("SELECT id FROM yz_need WHERE community = {} AND status = 'open' "
                         "ORDER BY id LIMIT 1", cid))[0]["id"]
    token, _ = await people.create_login_token(offset + 1)
    return {"slug": slug, "token": token, "need": to_gid("Need", need)}


QUERIES = {
    "candidates(needId)": ("query($n: ID!) { candidates(needId: $n) { score reasons "
                           "member { id } } }", lambda c: {"n": c["need"]}),
    "communityHours": ("query($c: String!) { communityHours(community: $c) { minutes needs "
                       "helpers } }", lambda c: {"c": c["slug"]}),
    "badgeLeaderboard": ("query($c: String!) { badgeLeaderboard(community: $c, kind: MONTH) "
                         "{ period entries { rank score } } }", lambda c: {"c": c["slug"]}),
    "members(first: 50)": ("query($c: String!) { members(community: $c, first: 50) { edges "
                           "{ node { id displayName } } } }", lambda c: {"c": c["slug"]}),
    "needs(first: 50)": ("query($c: String!) { needs(community: $c, first: 50) { edges { node "
                         "{ id title status requester { displayName } helper { displayName } "
                         "building { name } } } } }", lambda c: {"c": c["slug"]}),
}


async def timed(client: httpx.AsyncClient, community: dict, query: str, variables) -> float:
    started = time.perf_counter()
    response = await client.post("/graphql", json={"query": query,
                                                   "variables": variables(community)},
                                 headers={"Authorization": f"Bearer {community['token']}"})
    elapsed = time.perf_counter() - started
    data = response.json()
    if data.get("errors"):
        raise SystemExit(f"{community['slug']}: {data['errors']}")
    return elapsed


async def main() -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    url = await fresh_database()
    if not db.is_postgres():
        sys.exit("bench/scale.py runs on PostgreSQL (YIZHAN_DATABASE_URL=postgresql://…)")
    now = clock.now()
    started = time.perf_counter()
    big = await build("big", BIG, 0, now)
    small = await build("small", SMALL, BIG, now)
    await db.raw("ANALYZE")
    await switches.refresh(force=True)
    print(f"built {BIG:,} + {SMALL:,} members in {time.perf_counter() - started:.1f} s "
          f"({url.rsplit('/', 1)[-1]})")
    from yizhan.core.app import create_app, lifespan

    app = create_app(run_jobs=False)
    async with lifespan(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            print(f"{'query':<22}{'big ms':>10}{'small ms':>10}{'big÷small':>11}")
            for name, (query, variables) in QUERIES.items():
                times = {}
                for community in (big, small):
                    await timed(client, community, query, variables)  # warm up
                for community in (big, small):
                    times[community["slug"]] = statistics.median(
                        [await timed(client, community, query, variables)
                         for _ in range(RUNS)])
                b, s = times["big"] * 1000, times["small"] * 1000
                print(f"{name:<22}{b:>10.1f}{s:>10.1f}{b / s:>10.2f}×", flush=True)
    await db.stop()


if __name__ == "__main__":
    asyncio.run(main())
