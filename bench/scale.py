"""Flat cost with size: each member-facing query in a 100,000-member community ÷ the same query
in a 1,000-member community of the same database.

Builds the database with bulk SQL (``INSERT … SELECT generate_series`` on PostgreSQL; under a
minute), then times each query through GraphQL in-process (the real app, an admin's token):
per round, the median of ``BENCH_RUNS`` runs (7) per community after a warm-up, big and small
alternating; ``BENCH_REPEAT`` rounds (3); at the end one table of the rounds' medians, the
ratio of each round, and the fastest run of each side (on a loaded machine the fairest view of
a query's own cost). Queries: ``candidates(needId)``, ``communityHours``,
``badgeLeaderboard``, ``members(first: 50)``, the ``needs(first: 50)`` feed, and the plugins'
main lists and figures: disputes (all, open, mine), events (list, coming dates, by kind, my
sign-ups), governance (all requests, mine, the public figures), ``indicators`` of the month,
``myCredits``, ``myCreditStatement`` and ``merchants``.

Each community has, per 10 members, 5 needs (half confirmed: help records this month, the
open ones tomorrow 10:00–12:00 local); members have skills, weekly availability (two
weekdays, 09–12 and 14–18) and a building of 100 members. Per 1,000 members: 10 disputes, 10
events of 5 dates with 10 sign-ups each, 100 governance requests over 60 days, 5 shops, 500
credit transactions — and at least a full page of each list in the small community too (75
disputes, a third open; 25 events; 25 shops), so that both sides list the same number of
rows; the admin has the same few of their own (5 sign-ups, 5 requests, 100 transactions) in
both communities.

Usage: ``YIZHAN_DATABASE_URL=postgresql://… python bench/scale.py`` (PostgreSQL only; the
database is emptied). ``BENCH_BIG`` / ``BENCH_SMALL`` change the sizes; ``BENCH_JSON=path``
writes the final table as JSON; ``BENCH_ONLY=indicators,members`` times only the queries whose
names contain one of those words.

Measured on PostgreSQL 15 on the idle 2-core machine (ms; medians of 3 rounds of 7 runs, the
ratio of each round, and the fastest run of each side); every query within 1.2×:

| query | small | big | big ÷ small | rounds | fastest: small, big, ÷ |
|---|---:|---:|---:|---|---|
| ``candidates(needId)`` | 14.2 | 15.7 | 1.14× | 1.11, 1.14, 1.18 | 11.0, 12.0, 1.10× |
| ``communityHours`` | 2.2 | 2.2 | 0.98× | 0.98, 1.00, 0.97 | 1.8, 1.8, 0.97× |
| ``badgeLeaderboard`` | 3.7 | 3.7 | 1.00× | 1.03, 1.00, 1.00 | 2.8, 2.9, 1.05× |
| ``members(first: 50)`` | 4.7 | 4.9 | 1.08× | 1.08, 0.99, 1.14 | 4.1, 3.8, 0.92× |
| ``needs(first: 50)`` | 6.0 | 5.9 | 1.03× | 1.03, 1.00, 1.05 | 5.4, 5.5, 1.02× |
| ``disputes(first: 20)`` | 3.8 | 3.6 | 0.97× | 0.97, 1.06, 0.96 | 2.6, 2.7, 1.03× |
| ``disputes(OPEN)`` | 3.3 | 3.3 | 1.04× | 1.04, 0.94, 1.04 | 2.6, 2.9, 1.13× |
| ``myDisputes`` | 2.9 | 2.9 | 1.06× | 0.96, 1.06, 1.08 | 2.1, 2.2, 1.01× |
| ``events(first: 20)`` | 3.0 | 3.5 | 1.00× | 0.97, 1.00, 1.23 | 2.6, 2.7, 1.07× |
| ``upcomingEvents(first: 20)`` | 4.2 | 4.5 | 1.07× | 1.07, 1.03, 1.28 | 3.4, 3.5, 1.02× |
| ``upcomingEvents(kind: TALK)`` | 5.5 | 5.6 | 1.03× | 1.03, 1.03, 1.05 | 4.2, 4.1, 0.99× |
| ``myEventSignUps`` | 4.2 | 4.3 | 1.00× | 1.04, 1.00, 0.93 | 3.2, 3.1, 0.95× |
| ``governanceRequests(50)`` | 6.1 | 6.3 | 1.04× | 1.04, 1.08, 1.03 | 3.8, 4.1, 1.08× |
| ``governanceMyRequests`` | 4.1 | 4.0 | 1.05× | 0.97, 1.09, 1.05 | 3.1, 3.6, 1.13× |
| ``governanceFigures`` | 12.9 | 14.7 | 1.14× | 1.16, 1.10, 1.14 | 11.7, 13.2, 1.13× |
| ``indicators(month)`` | 5.5 | 5.3 | 0.97× | 0.97, 0.97, 0.98 | 3.8, 3.5, 0.93× |
| ``indicatorSeries(6)`` | 4.4 | 4.4 | 0.99× | 0.99, 0.96, 1.07 | 3.7, 3.9, 1.06× |
| ``myCredits`` | 2.3 | 2.3 | 1.00× | 1.00, 1.03, 0.94 | 2.1, 2.0, 0.96× |
| ``myCreditStatement(20)`` | 4.7 | 4.7 | 1.03× | 1.00, 1.03, 1.08 | 3.2, 3.2, 1.02× |
| ``merchants(first: 20)`` | 3.4 | 3.4 | 0.98× | 0.95, 1.07, 0.98 | 2.7, 2.6, 0.97× |

A run just before the small community got full pages measured ``merchants(first: 20)`` at
1.21× and ``disputes(OPEN)`` at 1.20×: the small side listed 5 shops and 3 open disputes
against the big side's 20, so the lists differed, not the communities.

How the governance and indicators changes moved their figures (before and after side by
side, measured while other work loaded the machine):

Governance (its three rows measured apart, ``BENCH_ONLY=governance``, load 9–13; same data
before and after, main at 317b1dd with this script): ``governanceFigures`` 1.60× (fastest
runs 14.6, 27.6 ms, 1.90×) → 0.90× (14.4, 12.9 ms); in-process, 60 alternating calls of the
figures alone, fastest small, big: 6.2, 14.8 ms before (2.4×); 8.3, 9.2 ms after (1.12×:
the small community's figures cost a little more than before, the big one's far less).
``governanceRequests(50)`` 1.45× → 0.91×, ``governanceMyRequests`` 1.22× (fastest 1.70×) →
1.01×. The figures read running totals in 8 statements whatever the size: the counts, two
exact corrections of the overdue count (index-only scans of partial indexes), and the
medians walked down the answer-time distribution (day, hour, ten minutes, minute, ten
seconds, second; one statement per unit for all medians, one row back per median). The
lists loaded every building of the community for a page (now only the page's), and are
ordered like their ``(community[, status], id)`` indexes so generic plans stay in the
community. The governance requests here have answer times to the second and their overdue
open ones marked, as the due deadline does.

``indicators`` and ``indicatorSeries`` (separate runs with ``BENCH_ONLY=indicator``, load
6.5–8; the rows above are from the second): the running month is now read from a stored
snapshot that the ``insights.refresh_running`` job recomputes every 15 minutes (computing it
takes 0.8–1.4 s for the big community, 0.16 s for the small one, once per interval instead of
per read); a closed month was stored already.

| query | before (main at 317b1dd): small, big, ÷ | fastest ÷ | after: small, big, ÷ | fastest ÷ |
|---|---|---:|---|---:|
| ``indicators(month)`` | 602.0, 2251.9, 3.74× | 4.50× | 28.1, 32.0, 1.00× | 1.21× |
| ``indicatorSeries(6)`` | 30.0, 38.9, 1.09× | 1.22× | 28.0, 26.1, 0.94× | 0.87× |

(A first run after the change, at lower load: ``indicators(month)`` 11.4 and 11.5 ms, 1.02×,
fastest 1.01×.)

Before these changes (main at 81d4d86): ``candidates`` 1.30–1.58×, events and coming dates
and shops loaded every row of the community (2.1–2.7×), the governance figures counted every
request (20 statements).

Earlier, before the plugins' queries were added (ms, median of 5-7):

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
import json
import logging
import os
import statistics
import sys
import time
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import httpx

from bench.common import fresh_database, record
from yizhan.core import clock, db
from yizhan.core.graphql.ids import to_gid
from yizhan.core.services import communities, people, plugin_admin
from yizhan.core.switches import switches

try:  # the governance figures' running totals rebuilt from the requests (set-based SQL)
    from yizhan.plugins.governance.totals import rebuild as rebuild_totals
except ImportError:
    rebuild_totals = None

BIG = int(os.environ.get("BENCH_BIG", "100000"))
SMALL = int(os.environ.get("BENCH_SMALL", "1000"))
RUNS = int(os.environ.get("BENCH_RUNS", "7"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))
#: The fewest disputes (open ones: a third), events and shops a community gets, so that a list
#: of 20 is a full page in the small community too (both sides then list the same rows).
PAGE = 25
ONLY = [w.strip() for w in os.environ.get("BENCH_ONLY", "").split(",") if w.strip()]
SKILLS = ["errand", "repair", "tutoring", "cooking", "eldercare", "computer", "garden",
          "childcare", "cleaning", "moving"]


HOUSEHOLD_MINUTES = 60  # as core's (the leaderboard's score)


def labels(now) -> list[str]:
    """This month's and quarter's labels in Shanghai (``2026-11``, ``2026Q4``)."""
    local = now.astimezone(ZoneInfo("Asia/Shanghai"))
    return [f"{local.year}-{local.month:02d}", f"{local.year}Q{(local.month - 1) // 3 + 1}"]


def tomorrow_ten(now):
    """Tomorrow 10:00 in Shanghai: the needs' window opens then (members' slots are 09-12 and
    14-18 on two weekdays each, so some are free and some are not)."""
    local = (now.astimezone(ZoneInfo("Asia/Shanghai")) + timedelta(days=1)).replace(
        hour=10, minute=0, second=0, microsecond=0)
    return local.astimezone(UTC)


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
        "{}::timestamptz, {}::timestamptz + interval '2 hours', false, "
        "false, 30, 0, CASE WHEN g % 2 = 1 THEN 'confirmed' ELSE 'open' END, {}, '', "
        "CASE WHEN g % 2 = 1 THEN {}::timestamptz END FROM generate_series(1, {}::int) g",
        cid, first_building, n_buildings, low + 1, size - 1, low + 1, size - 1, low + 1,
        size - 1, tomorrow_ten(now), tomorrow_ten(now), now, now, n_needs)
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
    for plugin in PLUGINS:
        await plugin_admin.enable(community, plugin)
    await plugin_rows(cid, size, low, offset + 1, first_building, n_buildings, now)
    need = (await db.raw("SELECT id FROM yz_need WHERE community = {} AND status = 'open' "
                         "ORDER BY id LIMIT 1", cid))[0]["id"]
    token, _ = await people.create_login_token(offset + 1)
    return {"slug": slug, "token": token, "need": to_gid("Need", need)}


PLUGINS = ("credits", "merchants", "badges", "disputes", "events", "governance", "insights")


async def plugin_rows(cid: int, size: int, low: int, admin_person: int, first_building: int,
                      n_buildings: int, now) -> None:
    """The plugins' rows, in proportion to the community's size (per 1,000 members: 10
    disputes, 10 events of 5 dates with 10 sign-ups each, 100 governance requests, 5 shops,
    500 credit transactions; at least ``3 * PAGE`` disputes and ``PAGE`` events and shops),
    plus the same few of the admin's own in each community."""
    admin = (await db.raw("SELECT id FROM yz_member WHERE community = {} AND person = {}",
                          cid, admin_person))[0]["id"]
    # disputes on confirmed needs, a third still open
    await db.raw(
        "INSERT INTO yz_dispute (community, need, building, requester, helper, opened_by, "
        "category, need_status, status, opened_at, due_at, outcome, decided_at, "
        "decision_minutes, within_deadline) "
        "SELECT community, id, building, requester, helper, requester, "
        "(ARRAY['not_done', 'poorly_done', 'damage', 'no_show', 'conduct'])[1 + id % 5], "
        "'confirmed', CASE WHEN id % 3 = 0 THEN 'open' ELSE 'decided' END, {}, "
        "{}::timestamptz + interval '3 days', CASE WHEN id % 3 = 0 THEN '' ELSE 'dismissed' "
        "END, CASE WHEN id % 3 = 0 THEN NULL ELSE {}::timestamptz END, "
        "CASE WHEN id % 3 = 0 THEN NULL ELSE 30 + id % 600 END, "
        "CASE WHEN id % 3 = 0 THEN NULL ELSE id % 5 > 0 END FROM yz_need "
        "WHERE community = {} AND status = 'confirmed' ORDER BY id LIMIT {}",
        now, now, now, cid, max(size // 100, 3 * PAGE))
    # events (a weekly series each), five coming dates each, ten sign-ups per date
    n_events = max(size // 100, PAGE)
    await db.raw(
        "INSERT INTO yz_event (community, title, kind, place, starts_at, duration_minutes, "
        "capacity, organiser, status, created_at, updated_at) SELECT {}, '活动 #' || g, "
        "(ARRAY['game', 'feast', 'volunteering', 'talk', 'other'])[1 + g % 5], '活动室', "
        "{}::timestamptz + g * interval '1 hour', 90, 30, {}, 'active', {}, {} "
        "FROM generate_series(1, {}::int) g", cid, now, admin, now, now, n_events)
    await db.raw(
        "INSERT INTO yz_event_occurrence (community, event, original_start, starts_at, "
        "ends_at, status) SELECT e.community, e.id, e.starts_at + w * interval '7 days', "
        "e.starts_at + w * interval '7 days', "
        "e.starts_at + w * interval '7 days' + interval '90 minutes', 'scheduled' "
        "FROM yz_event e, generate_series(0, 4) w WHERE e.community = {}", cid)
    await db.raw(
        "INSERT INTO yz_event_signup (community, occurrence, member, status, code, "
        "created_at) SELECT o.community, o.id, {} + 1 + (o.id * 10 + j) % ({} - 1), "
        "'confirmed', 'c' || o.id || '-' || j, {} FROM yz_event_occurrence o, "
        "generate_series(0, 9) j WHERE o.community = {}", low, size, now, cid)
    await db.raw(  # the admin's own five sign-ups, in both communities alike
        "INSERT INTO yz_event_signup (community, occurrence, member, status, code, "
        "created_at) SELECT community, id, {}, 'confirmed', 'a' || id, {} FROM "
        "(SELECT community, id FROM yz_event_occurrence WHERE community = {} ORDER BY id "
        "LIMIT 5) o", admin, now, cid)
    # governance requests over the last 60 days, most answered; five of the admin's
    await db.raw(
        "INSERT INTO governance_request (community, category, description, building, "
        "urgency, status, requester, submitted_at, clock_from, due_at, answered_at, "
        "answer_seconds, on_time, breached, token) SELECT {}, 'repair', '楼道灯坏了 #' || g, "
        "{} + g % {}, "
        "(ARRAY['red', 'yellow', 'blue'])[1 + g % 3], CASE WHEN g % 4 = 0 THEN 'submitted' "
        "ELSE 'answered' END, CASE WHEN g <= 5 THEN {} ELSE {} + g % {} END, "
        "{}::timestamptz - (g % 60) * interval '1 day', "
        "{}::timestamptz - (g % 60) * interval '1 day', "
        "{}::timestamptz - (g % 60) * interval '1 day' + interval '24 hours', "
        "CASE WHEN g % 4 = 0 THEN NULL ELSE {}::timestamptz - (g % 60) * interval '1 day' "
        "+ ((g % 30) * 3600 + g % 3571) * interval '1 second' END, CASE WHEN g % 4 = 0 "
        "THEN NULL ELSE (g % 30) * 3600 + g % 3571 END, CASE WHEN g % 4 = 0 THEN NULL "
        "ELSE g % 30 < 24 END, g % 4 = 0 AND g % 60 >= 2, md5(random()::text || g) "
        "FROM generate_series(1, {}::int) g",
        cid, first_building, n_buildings, admin, low, size, now, now, now, now, size // 10)
    if rebuild_totals is None:  # a version without the rebuild: its running totals
        await side(
            "governance_figure_total",
            "INSERT INTO governance_figure_total (community, month, urgency, submitted, "
            "answered, answered_on_time, rated, satisfied) SELECT community, "
            "to_char(submitted_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM'), urgency, COUNT(*), "
            "COUNT(answered_at), COUNT(*) FILTER (WHERE on_time), COUNT(rated_at), "
            "COUNT(*) FILTER (WHERE satisfied) FROM governance_request WHERE community = {} "
            "AND status <> 'rejected' GROUP BY 1, 2, 3", cid)
    # shops
    await db.raw(
        "INSERT INTO yz_merchant (community, name, kind, starts_on, status, created_at) "
        "SELECT {}, '小店 ' || lpad(g::text, 5, '0'), 'grocery', {}::date, 'active', {} "
        "FROM generate_series(1, {}::int) g", cid, now, now, max(size // 200, PAGE))
    # credits: an account per member; a transaction per two members, and 100 of the admin's
    await db.raw(
        "INSERT INTO yz_credit_account (community, code, kind, member, balance_centi, "
        "created_at) SELECT community, 'member:' || id, 'member', id, 1000, {} "
        "FROM yz_member WHERE community = {} ON CONFLICT DO NOTHING", now, cid)
    n_tx = size // 2 + 100
    await db.raw(
        "INSERT INTO yz_credit_tx (community, seq, kind, reason, idempotency_key, "
        "amount_centi, created_us, prev_hash, hash) SELECT {}, "
        "COALESCE((SELECT MAX(seq) FROM yz_credit_tx WHERE community = {}), 0) + g, "
        "'help', '帮忙', 'bench:' || g, 100, 0, '', '' FROM generate_series(1, {}::int) g",
        cid, cid, n_tx)
    await db.raw(
        "INSERT INTO yz_credit_posting (community, tx, account, amount_centi, "
        "balance_after_centi) SELECT t.community, t.id, a.id, 100, 1000 FROM "
        "(SELECT id, community, row_number() OVER (ORDER BY id) AS g FROM yz_credit_tx "
        "WHERE community = {} AND idempotency_key LIKE 'bench:%') t "
        "JOIN yz_credit_account a ON a.community = t.community AND a.code = 'member:' || "
        "CASE WHEN t.g <= 100 THEN {} ELSE {} + 1 + t.g % ({} - 1) END", cid, admin, low, size)


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
    "disputes(first: 20)": ("query($c: String!) { disputes(community: $c, first: 20) { edges "
                            "{ node { id status category } } } }", lambda c: {"c": c["slug"]}),
    "disputes(OPEN)": ("query($c: String!) { disputes(community: $c, status: OPEN, first: 20) "
                       "{ edges { node { id status } } } }", lambda c: {"c": c["slug"]}),
    "myDisputes": ("query($c: String!) { myDisputes(community: $c, first: 20) { edges "
                   "{ node { id } } } }", lambda c: {"c": c["slug"]}),
    "events(first: 20)": ("query($c: String!) { events(community: $c, first: 20) { edges "
                          "{ node { id title } } } }", lambda c: {"c": c["slug"]}),
    "upcomingEvents(first: 20)": ("query($c: String!) { upcomingEvents(community: $c, "
                                  "first: 20) { edges { node { id startsAt } } } }",
                                  lambda c: {"c": c["slug"]}),
    "upcomingEvents(kind: TALK)": ("query($c: String!) { upcomingEvents(community: $c, "
                                   "kind: TALK, first: 20) { edges { node { id } } } }",
                                   lambda c: {"c": c["slug"]}),
    "myEventSignUps": ("query($c: String!) { myEventSignUps(community: $c, first: 20) "
                       "{ edges { node { id code } } } }", lambda c: {"c": c["slug"]}),
    "governanceRequests(50)": ("query($c: String!) { governanceRequests(community: $c, "
                               "first: 50) { edges { node { id status } } } }",
                               lambda c: {"c": c["slug"]}),
    "governanceMyRequests": ("query($c: String!) { governanceMyRequests(community: $c, "
                             "first: 20) { edges { node { id } } } }",
                             lambda c: {"c": c["slug"]}),
    "governanceFigures": ("query($c: String!) { governanceFigures(community: $c) { thisMonth "
                          "{ submitted answered onTimePercent medianHoursToAnswer } allTime "
                          "{ submitted answered onTimePercent medianHoursToAnswer } } }",
                          lambda c: {"c": c["slug"]}),
    "indicators(month)": ("query($c: String!) { indicators(community: $c) { period values "
                          "{ value previous } } }", lambda c: {"c": c["slug"]}),
    "indicatorSeries(6)": ("query($c: String!) { indicatorSeries(community: $c, "
                           "key: \"core.needs_posted\", months: 6) { period value } }",
                           lambda c: {"c": c["slug"]}),
    "myCredits": ("query($c: String!) { myCredits(community: $c) { balance held available } }",
                  lambda c: {"c": c["slug"]}),
    "myCreditStatement(20)": ("query($c: String!) { myCreditStatement(community: $c, "
                              "first: 20) { edges { node { amount balanceAfter } } } }",
                              lambda c: {"c": c["slug"]}),
    "merchants(first: 20)": ("query($c: String!) { merchants(community: $c, first: 20) "
                             "{ edges { node { id name } } } }", lambda c: {"c": c["slug"]}),
}


if ONLY:
    QUERIES = {name: q for name, q in QUERIES.items() if any(w in name for w in ONLY)}


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
    if rebuild_totals is not None:
        begun = time.perf_counter()
        await rebuild_totals()
        print(f"governance totals rebuilt in {time.perf_counter() - begun:.2f} s")
    await db.raw("ANALYZE")
    await switches.refresh(force=True)
    print(f"built {BIG:,} + {SMALL:,} members in {time.perf_counter() - started:.1f} s "
          f"({url.rsplit('/', 1)[-1]})")
    from yizhan.core.app import create_app, lifespan

    app = create_app(run_jobs=False)
    rounds: dict[str, list[tuple[float, float]]] = {name: [] for name in QUERIES}
    async with lifespan(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for round_ in range(1, REPEAT + 1):
                print(f"round {round_}/{REPEAT}: {'query':<28}{'big ms':>10}{'small ms':>10}"
                      f"{'big÷small':>11}")
                for name, (query, variables) in QUERIES.items():
                    b, s = await measure(client, big, small, query, variables)
                    rounds[name].append((b, s))
                    print(f"{'':<13}{name:<28}{b:>10.1f}{s:>10.1f}{b / s:>10.2f}×",
                          flush=True)
    await db.stop()
    print(f"\nmedians of {REPEAT} rounds (each the median of {RUNS} runs per community):")
    print("| query | small ms | big ms | big ÷ small | ratios of the rounds | best: small, big, "
          "÷ |")
    print("|---|---:|---:|---:|---|---|")
    table = []
    fastest = {name: (min(best["small"][i::len(QUERIES)]), min(best["big"][i::len(QUERIES)]))
               for i, name in enumerate(QUERIES)}
    for name, pairs in rounds.items():
        b = statistics.median(p[0] for p in pairs)
        s = statistics.median(p[1] for p in pairs)
        ratio = statistics.median(p[0] / p[1] for p in pairs)
        spread = ", ".join(f"{p[0] / p[1]:.2f}" for p in pairs)
        flag = "" if ratio <= 1.2 else " **over 1.2**"
        fs, fb = fastest[name]
        print(f"| `{name}` | {s:.1f} | {b:.1f} | {ratio:.2f}×{flag} | {spread} | "
              f"{fs:.1f}, {fb:.1f}, {fb / fs:.2f}× |")
        table.append({"query": name, "small_ms": s, "big_ms": b, "ratio": ratio,
                      "best_small_ms": fs, "best_big_ms": fb})
        record(f"`{name}`: {BIG:,}-member ÷ {SMALL:,}-member community", ratio, "<= 1.2",
               f"{b:.1f} ms ÷ {s:.1f} ms (medians)", "PostgreSQL")
    if os.environ.get("BENCH_JSON"):
        with open(os.environ["BENCH_JSON"], "w") as out:
            json.dump(table, out, indent=1)


#: The fastest run of each measurement (big, small): on a loaded machine the fairest view of
#: what a query itself costs, printed next to the medians.
best: dict[str, list[float]] = {"big": [], "small": []}


async def measure(client: httpx.AsyncClient, big: dict, small: dict, query: str,
                  variables) -> tuple[float, float]:
    """(big ms, small ms): medians of ``RUNS`` runs each, alternating which goes first so
    that load from elsewhere hits both alike, after a warm-up."""
    times: dict[str, list[float]] = {"big": [], "small": []}
    for community in (big, small):
        await timed(client, community, query, variables)
    for run in range(RUNS):
        for community in ((big, small) if run % 2 else (small, big)):
            times[community["slug"]].append(await timed(client, community, query, variables))
    best["big"].append(min(times["big"]) * 1000)
    best["small"].append(min(times["small"]) * 1000)
    return (statistics.median(times["big"]) * 1000, statistics.median(times["small"]) * 1000)

if __name__ == "__main__":
    asyncio.run(main())
