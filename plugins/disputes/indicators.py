"""The disputes plugin's indicators, aggregated in SQL over decided disputes."""

from __future__ import annotations

from decimal import Decimal

from yizhan.core.api import Indicator, IndicatorScope
from yizhan.plugins.disputes import service


async def _within_share(scope: IndicatorScope) -> Decimal | None:
    total, within = await service.decided_count(scope.community_id, scope.start, scope.end)
    if not total:
        return None
    return (Decimal(within * 100) / total).quantize(Decimal("0.1"))


async def _median_hours(scope: IndicatorScope) -> Decimal | None:
    median = await service.median_minutes(scope.community_id, scope.start, scope.end)
    return None if median is None else (median / 60).quantize(Decimal("0.01"))


async def _opened(scope: IndicatorScope) -> int:
    return await service.opened_count(scope.community_id, scope.start, scope.end)


INDICATORS = [
    Indicator("disputes.decided_within_deadline", "Disputes decided on time",
              "纠纷按时处理率", "percent",
              "Share of disputes decided in the period that were decided by their deadline "
              "(24 hours by default; the deadline's default outcome counts as on time).",
              _within_share),
    Indicator("disputes.median_hours_to_decide", "Median hours to decide a dispute",
              "纠纷处理时长中位数", "hours",
              "Median hours from opening to decision of disputes decided in the period.",
              _median_hours, higher_is_better=False),
    Indicator("disputes.opened", "Disputes opened", "发起的纠纷", "count",
              "Disputes opened during the period.", _opened, higher_is_better=False),
]
