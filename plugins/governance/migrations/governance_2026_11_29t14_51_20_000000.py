"""The running totals' unique index and their backfill from the requests there are; the
(community, id) index of the request lists."""

from datetime import datetime
from zoneinfo import ZoneInfo

from piccolo.table import Table

from yizhan.core.api import index_migration

ID = "2026-11-29T14:51:20:000000"
VERSION = "1.38.0"
DESCRIPTION = "running totals of the figures: index and backfill"

INDEXES = ["CREATE UNIQUE INDEX governance_figure_total_unique "
           "ON governance_figure_total (community, month, urgency)",
           # a community's requests newest first, without walking other communities' rows
           "CREATE INDEX governance_request_community_id ON governance_request (community, id)",
           # a resident's own requests (requested or filed: each arm of the OR has an index)
           "CREATE INDEX governance_request_filed_by ON governance_request (filed_by)",
           # the medians: answered requests in answer-time order (per urgency and in all)
           "CREATE INDEX governance_request_answer_urgency ON governance_request "
           "(community, urgency, answer_seconds) WHERE answer_seconds IS NOT NULL",
           "CREATE INDEX governance_request_answer ON governance_request "
           "(community, answer_seconds) WHERE answer_seconds IS NOT NULL"]

_indexes = index_migration(ID, "governance", DESCRIPTION, INDEXES)


async def _backfill() -> None:
    zones = {r["id"]: r["time_zone"] for r in await Table.raw(
        "SELECT id, time_zone FROM yz_community")}
    sums: dict = {}
    for row in await Table.raw(
            "SELECT community, submitted_at, urgency, status, answered_at, on_time, "
            "rated_at, satisfied FROM governance_request WHERE status <> 'rejected'"):
        if isinstance(row["submitted_at"], str):
            row["submitted_at"] = datetime.fromisoformat(row["submitted_at"])
        local = row["submitted_at"].astimezone(
            ZoneInfo(zones.get(row["community"]) or "Asia/Shanghai"))
        key = (row["community"], f"{local.year:04d}-{local.month:02d}", row["urgency"])
        counts = sums.setdefault(key, [0, 0, 0, 0, 0])
        for i, value in enumerate((True, row["answered_at"] is not None,
                                   bool(row["on_time"]), row["rated_at"] is not None,
                                   bool(row["satisfied"]))):
            counts[i] += int(value)
    for (community, month, urgency), counts in sums.items():
        await Table.raw(
            "INSERT INTO governance_figure_total (community, month, urgency, submitted, "
            "answered, answered_on_time, rated, satisfied) "
            "VALUES ({}, {}, {}, {}, {}, {}, {}, {})", community, month, urgency, *counts)


async def forwards():
    manager = await _indexes()
    manager.add_raw(_backfill)
    return manager
