"""Indexes for flat cost with community size (generic plans on PostgreSQL walk a big
community's rows without them), and the backfill of the indexed copies of members' skills and
availability and of the running totals of hours (see core/matching.py, core/services/hours.py).
"""

import json
from datetime import datetime

from piccolo.table import Table

from yizhan.core.indexes import index_migration

ID = "2026-11-29T12:41:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "flat cost with size: indexes and backfills"

INDEXES = [
    "CREATE INDEX yz_member_community_status_id ON yz_member (community, status, id)",
    "CREATE INDEX yz_member_community_building_status_id "
    "ON yz_member (community, building, status, id)",
    "CREATE INDEX yz_member_community_id ON yz_member (community, id)",
    "CREATE INDEX yz_need_community_id ON yz_need (community, id)",
    # (community, confirmed_at) for helpers_between: main's indicator migration has it
    "CREATE INDEX yz_help_record_helper_requester ON yz_help_record (helper, requester)",
    "CREATE INDEX yz_member_skill_lookup ON yz_member_skill (community, skill, member)",
    "CREATE INDEX yz_member_slot_lookup "
    "ON yz_member_slot (community, weekday, member, slot_start, slot_end)",
    "CREATE UNIQUE INDEX yz_hours_total_unique ON yz_hours_total (community, member)",
    "CREATE UNIQUE INDEX yz_helper_period_unique ON yz_helper_period (community, period, member)",
    "CREATE INDEX yz_helper_period_rank ON yz_helper_period (community, period, score DESC, "
    "households_helped DESC, minutes_given DESC, member)",
]

_indexes = index_migration(ID, "core", DESCRIPTION, INDEXES)


async def _backfill() -> None:
    rows = await Table.raw("SELECT id, community, skills, availability FROM yz_member")
    for row in rows:
        skills, slots = row["skills"], row["availability"]
        skills = json.loads(skills) if isinstance(skills, str) else (skills or [])
        slots = json.loads(slots) if isinstance(slots, str) else (slots or [])
        for skill in skills:
            await Table.raw("INSERT INTO yz_member_skill (community, skill, member) "
                            "VALUES ({}, {}, {})", row["community"], skill, row["id"])
        for slot in slots:
            await Table.raw("INSERT INTO yz_member_slot (community, weekday, slot_start, "
                            "slot_end, member) VALUES ({}, {}, {}, {}, {})", row["community"],
                            slot["weekday"], slot["start"], slot["end"], row["id"])
    await Table.raw(
        "INSERT INTO yz_hours_total (community, member, minutes_given, minutes_received, "
        "needs_helped, helpers) SELECT community, 0, SUM(minutes), 0, COUNT(*), "
        "COUNT(DISTINCT helper) FROM yz_help_record GROUP BY community")
    await Table.raw(
        "INSERT INTO yz_hours_total (community, member, minutes_given, minutes_received, "
        "needs_helped, helpers) SELECT community, member, SUM(given), SUM(received), "
        "SUM(helped), 0 FROM (SELECT community, helper AS member, minutes AS given, "
        "0 AS received, 1 AS helped FROM yz_help_record UNION ALL SELECT community, "
        "requester, 0, minutes, 0 FROM yz_help_record) AS t GROUP BY community, member")


async def _backfill_periods() -> None:
    from yizhan.core.services.hours import add_to_periods

    zones = {r["id"]: r["time_zone"]
             for r in await Table.raw("SELECT id, time_zone FROM yz_community")}
    for record in await Table.raw("SELECT * FROM yz_help_record ORDER BY id"):
        if isinstance(record["confirmed_at"], str):
            record["confirmed_at"] = datetime.fromisoformat(record["confirmed_at"])
        await add_to_periods(record["community"], zones[record["community"]], record,
                             backfill=True)


async def forwards():
    manager = await _indexes()
    manager.add_raw(_backfill)
    manager.add_raw(_backfill_periods)
    return manager
