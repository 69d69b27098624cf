"""Core's own indicators: membership, needs and hours of help, aggregated in SQL."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from piccolo.query.functions.aggregate import Sum

from yizhan.core.indicators import Indicator, Scope
from yizhan.core.tables import HelpRecord, Member, Need


def _in_community(column: Any, scope: Scope) -> Any:
    return column.is_not_null() if scope.community_id is None else column == scope.community_id


async def _verified_members(scope: Scope) -> int:
    return await Member.count().where(
        _in_community(Member.community, scope) & (Member.status == "verified")
        & (Member.verified_at < scope.end))


async def _members_joined(scope: Scope) -> int:
    return await Member.count().where(
        _in_community(Member.community, scope) & (Member.requested_at >= scope.start)
        & (Member.requested_at < scope.end))


async def _needs_posted(scope: Scope) -> int:
    return await Need.count().where(
        _in_community(Need.community, scope) & (Need.created_at >= scope.start)
        & (Need.created_at < scope.end))


async def _needs_confirmed(scope: Scope) -> int:
    return await HelpRecord.count().where(
        _in_community(HelpRecord.community, scope) & (HelpRecord.confirmed_at >= scope.start)
        & (HelpRecord.confirmed_at < scope.end))


async def _hours_of_help(scope: Scope) -> Decimal:
    row = await HelpRecord.select(Sum(HelpRecord.minutes, alias="minutes")).where(
        _in_community(HelpRecord.community, scope) & (HelpRecord.confirmed_at >= scope.start)
        & (HelpRecord.confirmed_at < scope.end)).first()
    minutes = (row or {}).get("minutes") or 0
    return (Decimal(int(minutes)) / 60).quantize(Decimal("0.01"))


INDICATORS = [
    Indicator("core.verified_members", "Verified members", "实名认证成员", "count",
              "Members verified by real name by the end of the period.", _verified_members),
    Indicator("core.members_joined", "Join requests", "新申请加入", "count",
              "People who asked to join during the period.", _members_joined),
    Indicator("core.needs_posted", "Needs posted", "发布的需求", "count",
              "Needs posted during the period, by residents or by leaders for them.",
              _needs_posted),
    Indicator("core.needs_confirmed", "Needs completed", "完成的需求", "count",
              "Needs whose help was confirmed during the period.", _needs_confirmed),
    Indicator("core.hours_of_help", "Hours of help", "互助时长", "hours",
              "Estimated minutes of confirmed needs during the period, in hours.",
              _hours_of_help),
]
