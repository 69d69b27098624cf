"""Hours of help given and received, from confirmed needs — with or without credits.

Read from running totals (``yz_hours_total``: a row per community and one per member) that
:func:`record_help` updates in the transaction that records a confirmed need, so reading them
costs the same in a community of 1,000 members as in one of 100,000.
"""

from __future__ import annotations

from datetime import datetime

from yizhan.core import db, periods
from yizhan.core.tables import HelpRecord, HoursTotal

#: The ``member`` of a community's own total row.
COMMUNITY_ROW = 0
#: A helper's score for a period: minutes given plus this much per distinct household helped
#: (the mutual-aid stars and leaderboards rank on it).
HOUSEHOLD_MINUTES = 60

_ADD = ("INSERT INTO yz_hours_total (community, member, minutes_given, minutes_received, "
        "needs_helped, helpers) VALUES ({}, {}, {}, {}, {}, {}) "
        "ON CONFLICT (community, member) DO UPDATE SET "
        "minutes_given = yz_hours_total.minutes_given + excluded.minutes_given, "
        "minutes_received = yz_hours_total.minutes_received + excluded.minutes_received, "
        "needs_helped = yz_hours_total.needs_helped + excluded.needs_helped, "
        "helpers = yz_hours_total.helpers + excluded.helpers RETURNING needs_helped")


def help_periods(when: datetime, time_zone: str) -> list[tuple[str, datetime, datetime]]:
    """The month (``2026-11``) and quarter (``2026Q4``) that ``when`` falls in, locally:
    ``(label, start, end)`` with UTC bounds ``[start, end)``."""
    return [(p.label, p.start, p.end)
            for p in (periods.containing("month", when, time_zone),
                      periods.containing("quarter", when, time_zone))]


_ADD_PERIOD_ROW = "({}, {}, {}, {}, 1, %s, {} + %d * %s)"
_EXISTS_EARLIER = (
    "(CASE WHEN EXISTS (SELECT 1 FROM yz_help_record WHERE helper = {} AND requester = {} "
    "AND community = {} AND confirmed_at >= {} AND confirmed_at < {} AND id %s {}) "
    "THEN 0 ELSE 1 END)")
_ADD_PERIODS = (
    "INSERT INTO yz_helper_period (community, period, member, minutes_given, needs_helped, "
    "households_helped, score) VALUES %s "
    "ON CONFLICT (community, period, member) DO UPDATE SET "
    "minutes_given = yz_helper_period.minutes_given + excluded.minutes_given, "
    "needs_helped = yz_helper_period.needs_helped + 1, "
    "households_helped = yz_helper_period.households_helped + excluded.households_helped, "
    "score = yz_helper_period.score + excluded.score")


def _periods_sql(other: str) -> str:
    new = _EXISTS_EARLIER % other
    row = _ADD_PERIOD_ROW % (new, HOUSEHOLD_MINUTES, new)
    return _ADD_PERIODS % ", ".join([row, row])


#: One statement for a record's month and quarter (``id <> record``, or ``id < record`` when
#: backfilling); a household is new in a period when the pair has no other record there.
_PERIODS = {False: _periods_sql("<>"), True: _periods_sql("<")}


async def add_to_periods(community_id: int, time_zone: str, record: dict,
                         backfill: bool = False) -> None:
    """Add a help record (already inserted) to its helper's month and quarter figures, in one
    statement; its household counts as new in a period when the pair has no other record
    there (when ``backfill``, no earlier one: every record exists already). Called with the
    helper's total row locked (by an earlier statement, so this one's snapshot is taken after
    the lock), so of two concurrent confirmations the second sees the first."""
    args: list = []
    for label, start, end in help_periods(record["confirmed_at"], time_zone):
        earlier = [record["helper"], record["requester"], community_id, start, end, record["id"]]
        args += [community_id, label, record["helper"], record["minutes"], *earlier,
                 record["minutes"], *earlier]
    await db.raw(_PERIODS[backfill], *args)


#: PostgreSQL: the help record and the three running totals in one statement. The helper's
#: row is upserted first (``h``, which locks it); the community row counts a new helper from
#: what ``h`` returns, under that lock.
_RECORD_PG = (
    "WITH rec AS (INSERT INTO yz_help_record (community, need, helper, requester, minutes, "
    "confirmed_at) VALUES ({}, {}, {}, {}, {}, {}) RETURNING id), "
    "h AS (" + _ADD + "), "
    "r AS (" + _ADD.removesuffix(" RETURNING needs_helped") + "), "
    "c AS (" + _ADD.replace("{}, {}, {}, {}, {}, {})", "{}, {}, {}, {}, {}, "
                            "(SELECT CASE WHEN needs_helped = 1 THEN 1 ELSE 0 END FROM h))")
    .removesuffix(" RETURNING needs_helped") + ") "
    "SELECT rec.id AS id, (SELECT needs_helped FROM h) AS needs_helped FROM rec")


async def record_help(community: dict, need: dict, minutes: int, now: datetime) -> None:
    """Record a confirmed need's help and add it to the running totals (call inside the
    confirmation's transaction). The helper's row is upserted first, which locks it, so two
    confirmations for the same helper cannot both count them as a new helper (or a household
    as new in a period)."""
    community_id = community["id"]
    record = {"community": community_id, "need": need["id"], "helper": need["helper"],
              "requester": need["requester"], "minutes": minutes, "confirmed_at": now}
    if db.is_postgres() and need["helper"] != need["requester"]:  # one round trip
        (row,) = await db.raw(_RECORD_PG, community_id, need["id"], need["helper"],
                              need["requester"], minutes, now,
                              community_id, need["helper"], minutes, 0, 1, 0,
                              community_id, need["requester"], 0, minutes, 0, 0,
                              community_id, COMMUNITY_ROW, minutes, 0, 1)
        record["id"] = row["id"]
        await add_to_periods(community_id, community["time_zone"], record)
        return
    (inserted,) = await HelpRecord.insert(HelpRecord(**record)).returning(HelpRecord.id)
    record["id"] = inserted["id"]
    rows = await db.raw(_ADD, community_id, need["helper"], minutes, 0, 1, 0)
    first_help = rows[0]["needs_helped"] == 1
    await db.raw(_ADD, community_id, need["requester"], 0, minutes, 0, 0)
    await db.raw(_ADD, community_id, COMMUNITY_ROW, minutes, 0, 1, 1 if first_help else 0)
    await add_to_periods(community_id, community["time_zone"], record)


async def _total(community_id: int, member_id: int) -> dict:
    row = await HoursTotal.select().where(
        (HoursTotal.community == community_id) & (HoursTotal.member == member_id)).first()
    return row or {"minutes_given": 0, "minutes_received": 0, "needs_helped": 0, "helpers": 0}


async def member_hours(member_id: int) -> dict[str, int]:
    """Minutes given and received by a member, and distinct households (requesters) helped."""
    from yizhan.core.tables import Member

    member = await Member.select(Member.community).where(Member.id == member_id).first()
    total = await _total(member["community"] if member else -1, member_id)
    people = await db.raw("SELECT COUNT(DISTINCT requester) AS n FROM yz_help_record "
                          "WHERE helper = {}", member_id)
    return {
        "minutes_given": int(total["minutes_given"]),
        "minutes_received": int(total["minutes_received"]),
        "needs_helped": int(total["needs_helped"]),
        "people_helped": int(people[0]["n"] if people else 0),
    }


async def community_hours(community_id: int) -> dict[str, int]:
    """Total confirmed help in a community: minutes, needs, distinct helpers."""
    total = await _total(community_id, COMMUNITY_ROW)
    return {"minutes": int(total["minutes_given"]), "needs": int(total["needs_helped"]),
            "helpers": int(total["helpers"])}


async def helpers_between(community_id: int, start: datetime, end: datetime
                          ) -> dict[int, dict[str, int]]:
    """Help given per helper through needs confirmed in ``[start, end)`` in a community.

    ``{helper member id: {"minutes_given", "needs_helped", "households_helped"}}``, where
    households helped counts distinct requesters. Leaderboards and awards rank on this.
    """
    rows = await HelpRecord.select(
        HelpRecord.helper, HelpRecord.requester, HelpRecord.minutes
    ).where(
        (HelpRecord.community == community_id) & (HelpRecord.confirmed_at >= start)
        & (HelpRecord.confirmed_at < end)
    )
    totals: dict[int, dict[str, int]] = {}
    requesters: dict[int, set[int]] = {}
    for row in rows:
        entry = totals.setdefault(row["helper"], {"minutes_given": 0, "needs_helped": 0,
                                                  "households_helped": 0})
        entry["minutes_given"] += row["minutes"]
        entry["needs_helped"] += 1
        requesters.setdefault(row["helper"], set()).add(row["requester"])
    for helper, seen in requesters.items():
        totals[helper]["households_helped"] = len(seen)
    return totals


async def top_helpers_of_period(community_id: int, period: str, *, min_minutes: int = 0,
                                limit: int = 10, offset: int = 0) -> list[dict[str, int]]:
    """The best verified helpers of a month (``2026-11``) or quarter (``2026Q4``), read from
    the running figures in score order (an index walk that stops after ``limit``): score =
    minutes given + ``HOUSEHOLD_MINUTES`` per distinct requester; ties by more households,
    more minutes, lower member id. Rows: ``member_id``, ``minutes_given``, ``needs_helped``,
    ``households_helped``, ``score``."""
    rows = await db.raw(
        "SELECT p.member AS member_id, p.minutes_given, p.needs_helped, p.households_helped, "
        "p.score FROM yz_helper_period p JOIN yz_member m ON m.id = p.member "
        "WHERE p.community = {} AND p.period = {} AND m.status = 'verified' "
        "AND p.minutes_given >= {} ORDER BY p.community, p.period, p.score DESC, "
        "p.households_helped DESC, p.minutes_given DESC, p.member LIMIT {} OFFSET {}",
        community_id, period, min_minutes, limit, offset)
    return [{k: int(v) for k, v in row.items()} for row in rows]
