"""Core's own indicators: membership, activity, needs, response times, hours of help.

Every figure is one or two SQL aggregates over ``yz_member``, ``yz_need`` and
``yz_help_record``, scoped by community (or none, for the whole deployment) and the half-open
period ``[start, end)``: it costs the same for a community of 100 and of 100,000 members.
Shares are percentages with one decimal; a share or a median with nothing to measure is None.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from piccolo.query.functions.aggregate import Sum

from yizhan.core.indicators import (
    Indicator,
    Scope,
    community_sql,
    median_sql,
    minutes_sql,
    share,
)
from yizhan.core.tables import HelpRecord, Member, Need


def _in_community(column: Any, scope: Scope) -> Any:
    return column.is_not_null() if scope.community_id is None else column == scope.community_id


def _period(column: Any, scope: Scope) -> Any:
    return (column >= scope.start) & (column < scope.end)


async def _verified_members(scope: Scope) -> int:
    return await Member.count().where(
        _in_community(Member.community, scope) & (Member.status == "verified")
        & (Member.verified_at < scope.end))


async def _members_joined(scope: Scope) -> int:
    return await Member.count().where(
        _in_community(Member.community, scope) & _period(Member.requested_at, scope))


async def _members_verified(scope: Scope) -> int:
    return await Member.count().where(
        _in_community(Member.community, scope) & _period(Member.verified_at, scope))


async def _active_members(scope: Scope) -> int:
    where_n, args_n = community_sql("community", scope)
    where_h, args_h = community_sql("community", scope)
    rows = await Need.raw(
        "SELECT COUNT(*) AS n FROM ("
        f"SELECT requester AS m FROM yz_need WHERE {where_n} AND created_at >= {{}} "
        "AND created_at < {} "
        f"UNION SELECT helper AS m FROM yz_help_record WHERE {where_h} "
        "AND confirmed_at >= {} AND confirmed_at < {}) AS active",
        *args_n, scope.start, scope.end, *args_h, scope.start, scope.end)
    return int(rows[0]["n"]) if rows else 0


async def _distinct_help(scope: Scope, column: str) -> int:
    where, args = community_sql("community", scope)
    rows = await HelpRecord.raw(
        f"SELECT COUNT(DISTINCT {column}) AS n FROM yz_help_record WHERE {where} "
        "AND confirmed_at >= {} AND confirmed_at < {}", *args, scope.start, scope.end)
    return int(rows[0]["n"]) if rows else 0


async def _helpers(scope: Scope) -> int:
    return await _distinct_help(scope, "helper")


async def _people_helped(scope: Scope) -> int:
    return await _distinct_help(scope, "requester")


async def _needs_posted(scope: Scope) -> int:
    return await Need.count().where(
        _in_community(Need.community, scope) & _period(Need.created_at, scope))


async def _needs_confirmed(scope: Scope) -> int:
    return await HelpRecord.count().where(
        _in_community(HelpRecord.community, scope) & _period(HelpRecord.confirmed_at, scope))


async def _closed_as(scope: Scope, status: str) -> int:
    return await Need.count().where(
        _in_community(Need.community, scope) & (Need.status == status)
        & _period(Need.closed_at, scope))


async def _needs_expired(scope: Scope) -> int:
    return await _closed_as(scope, "expired")


async def _needs_cancelled(scope: Scope) -> int:
    return await _closed_as(scope, "cancelled")


async def _needs_escalated(scope: Scope) -> int:
    return await Need.count().where(
        _in_community(Need.community, scope) & _period(Need.escalated_at, scope))


async def _completion_rate(scope: Scope) -> Decimal | None:
    where, args = community_sql("community", scope)
    rows = await Need.raw(
        "SELECT COUNT(*) AS ended, "
        "SUM(CASE WHEN status = 'confirmed' THEN 1 ELSE 0 END) AS confirmed "
        f"FROM yz_need WHERE {where} AND closed_at >= {{}} AND closed_at < {{}} "
        "AND status IN ('confirmed', 'expired', 'cancelled')", *args, scope.start, scope.end)
    row = rows[0] if rows else {}
    return share(int(row.get("confirmed") or 0), int(row.get("ended") or 0))


async def _posted_share(scope: Scope, condition: str) -> Decimal | None:
    where, args = community_sql("community", scope)
    rows = await Need.raw(
        f"SELECT COUNT(*) AS n, SUM(CASE WHEN {condition} THEN 1 ELSE 0 END) AS k "
        f"FROM yz_need WHERE {where} AND created_at >= {{}} AND created_at < {{}}",
        *args, scope.start, scope.end)
    row = rows[0] if rows else {}
    return share(int(row.get("k") or 0), int(row.get("n") or 0))


async def _late_night_share(scope: Scope) -> Decimal | None:
    return await _posted_share(scope, "late_night")


async def _weekend_share(scope: Scope) -> Decimal | None:
    return await _posted_share(scope, "weekend")


async def _proxy_share(scope: Scope) -> Decimal | None:
    return await _posted_share(scope, "posted_by <> requester")


async def _median_to_accept(scope: Scope) -> Decimal | None:
    where, args = community_sql("community", scope)
    return await median_sql(
        Need, minutes_sql("accepted_at", "created_at"),
        f"{where} AND accepted_at >= {{}} AND accepted_at < {{}}", [*args, scope.start, scope.end])


async def _median_to_confirm(scope: Scope) -> Decimal | None:
    where, args = community_sql("community", scope)
    return await median_sql(
        Need, minutes_sql("closed_at", "created_at"),
        f"{where} AND status = 'confirmed' AND closed_at >= {{}} AND closed_at < {{}}",
        [*args, scope.start, scope.end])


async def _accepted_in_time(scope: Scope) -> Decimal | None:
    where, args = community_sql("community", scope)
    rows = await Need.raw(
        "SELECT COUNT(*) AS n, SUM(CASE WHEN escalate_at IS NULL OR accepted_at <= escalate_at "
        "THEN 1 ELSE 0 END) AS k "
        f"FROM yz_need WHERE {where} AND accepted_at >= {{}} AND accepted_at < {{}}",
        *args, scope.start, scope.end)
    row = rows[0] if rows else {}
    return share(int(row.get("k") or 0), int(row.get("n") or 0))


async def _hours_of_help(scope: Scope) -> Decimal:
    row = await HelpRecord.select(Sum(HelpRecord.minutes, alias="minutes")).where(
        _in_community(HelpRecord.community, scope) & _period(HelpRecord.confirmed_at, scope)
    ).first()
    minutes = (row or {}).get("minutes") or 0
    return (Decimal(int(minutes)) / 60).quantize(Decimal("0.01"))


INDICATORS = [
    Indicator("core.verified_members", "Verified members", "实名认证成员", "count",
              "Members verified by real name by the end of the period (still verified now).",
              _verified_members),
    Indicator("core.members_joined", "Join requests", "新申请加入", "count",
              "People who asked to join during the period.", _members_joined),
    Indicator("core.members_verified", "Members verified", "新认证成员", "count",
              "Members whose real name was verified during the period.", _members_verified),
    Indicator("core.active_members", "Active members", "活跃成员", "count",
              "Distinct members who posted a need or gave help that was confirmed during the "
              "period.", _active_members),
    Indicator("core.helpers", "Helpers", "提供帮助的成员", "count",
              "Distinct members whose help was confirmed during the period.", _helpers),
    Indicator("core.people_helped", "People helped", "得到帮助的居民", "count",
              "Distinct requesters whose needs were confirmed as done during the period.",
              _people_helped),
    Indicator("core.needs_posted", "Needs posted", "发布的需求", "count",
              "Needs posted during the period, by residents or by leaders for them.",
              _needs_posted),
    Indicator("core.needs_confirmed", "Needs completed", "完成的需求", "count",
              "Needs whose help was confirmed during the period.", _needs_confirmed),
    Indicator("core.needs_expired", "Needs expired", "过期未完成的需求", "count",
              "Needs whose time window passed without help during the period.",
              _needs_expired, higher_is_better=False),
    Indicator("core.needs_cancelled", "Needs cancelled", "取消的需求", "count",
              "Needs cancelled by their requester or a leader during the period.",
              _needs_cancelled, higher_is_better=False),
    Indicator("core.needs_escalated", "Needs escalated", "升级给楼长的需求", "count",
              "Needs nobody took in time that were passed to their building leaders during "
              "the period.", _needs_escalated, higher_is_better=False),
    Indicator("core.completion_rate", "Completion rate", "完成率", "percent",
              "Of the needs that ended during the period (confirmed, expired or cancelled), "
              "the share confirmed.", _completion_rate),
    Indicator("core.median_minutes_to_accept", "Median time to accept", "接单时间中位数",
              "minutes", "Median minutes from posting to acceptance of the needs accepted "
              "during the period.", _median_to_accept, higher_is_better=False),
    Indicator("core.median_minutes_to_confirm", "Median time to completion", "完成时间中位数",
              "minutes", "Median minutes from posting to confirmation of the needs confirmed "
              "during the period.", _median_to_confirm, higher_is_better=False),
    Indicator("core.accepted_in_time", "Answered before escalation", "按时响应率", "percent",
              "Of the needs accepted during the period, the share accepted before they were "
              "due to go to the building leaders.", _accepted_in_time),
    Indicator("core.late_night_share", "Late-night share", "夜间需求占比", "percent",
              "Share of the needs posted during the period whose window is late at night.",
              _late_night_share),
    Indicator("core.weekend_share", "Weekend share", "周末需求占比", "percent",
              "Share of the needs posted during the period whose window falls on a weekend.",
              _weekend_share),
    Indicator("core.proxy_share", "Posted on behalf", "代发需求占比", "percent",
              "Share of the needs posted during the period by a leader on behalf of a "
              "resident (elders without a phone).", _proxy_share),
    Indicator("core.hours_of_help", "Hours of help", "互助时长", "hours",
              "Estimated minutes of confirmed needs during the period, in hours.",
              _hours_of_help),
]


#: What :func:`needs_breakdown` may group by: the label column and its join.
_BREAKDOWNS = {
    "category": ("n.category", ""),
    "building": ("COALESCE(b.name, '')", "LEFT JOIN yz_building b ON b.id = n.building"),
    "status": ("n.status", ""),
}


async def needs_breakdown(community_id: int | None, start: Any, end: Any,
                          by: str) -> list[tuple[str, int]]:
    """Needs posted in ``[start, end)`` counted by ``category``, ``building`` or (current)
    ``status``, largest first: one ``GROUP BY`` query."""
    label, join = _BREAKDOWNS[by]
    where, args = community_sql("n.community", Scope(community_id, start, end))
    rows = await Need.raw(
        f"SELECT {label} AS label, COUNT(*) AS n FROM yz_need n {join} WHERE {where} "
        "AND n.created_at >= {} AND n.created_at < {} "
        f"GROUP BY {label} ORDER BY n DESC, label", *args, start, end)
    return [(str(r["label"]), int(r["n"])) for r in rows]
