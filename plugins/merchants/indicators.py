"""The merchants plugin's indicators: redemptions and their value, discounts, ratings, shops and
the first month's guaranteed-volume shortfall — each one SQL aggregate, scoped by community
(or none: the whole deployment) and the period."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from yizhan.core.api import Indicator, IndicatorScope, indicator_community_sql, is_postgres
from yizhan.plugins.merchants.tables import Merchant, Rating, Redemption


def _yuan(fen: object) -> Decimal:
    return (Decimal(int(fen or 0)) / 100).quantize(Decimal("0.01"))


async def _redemption_figure(scope: IndicatorScope, expression: str) -> object:
    where, args = indicator_community_sql("community", scope)
    rows = await Redemption.raw(
        f"SELECT {expression} AS v FROM yz_merchant_redemption WHERE {where} "
        "AND status <> 'voided' AND created_at >= {} AND created_at < {}",
        *args, scope.start, scope.end)
    return rows[0]["v"] if rows else None


async def _redemptions(scope: IndicatorScope) -> int:
    return int(await _redemption_figure(scope, "COUNT(*)") or 0)


async def _redemption_value(scope: IndicatorScope) -> Decimal:
    return _yuan(await _redemption_figure(scope, "COALESCE(SUM(value_fen), 0)"))


async def _discount_given(scope: IndicatorScope) -> Decimal:
    return _yuan(await _redemption_figure(scope, "COALESCE(SUM(discount_fen), 0)"))


async def _average_rating(scope: IndicatorScope) -> Decimal | None:
    where, args = indicator_community_sql("community", scope)
    rows = await Rating.raw(
        f"SELECT AVG(stars * 1.0) AS v FROM yz_merchant_rating WHERE {where} "
        "AND created_at >= {} AND created_at < {}", *args, scope.start, scope.end)
    value = rows[0]["v"] if rows else None
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"), ROUND_HALF_UP)


async def _active_shops(scope: IndicatorScope) -> int:
    where, args = indicator_community_sql("community", scope)
    rows = await Merchant.raw(
        f"SELECT COUNT(*) AS n FROM yz_merchant WHERE {where} AND status = 'active' "
        "AND starts_on < {}", *args, scope.end.date())
    return int(rows[0]["n"]) if rows else 0


def _first_month_end(column: str) -> str:
    if is_postgres():
        return f"(({column} + INTERVAL '1 month')::date)"
    return f"date({column}, '+1 month')"


async def _guarantee_shortfall(scope: IndicatorScope) -> Decimal:
    where, args = indicator_community_sql("m.community", scope)
    end = _first_month_end("m.starts_on")
    rows = await Merchant.raw(
        "SELECT COALESCE(SUM(CASE WHEN g > v THEN g - v ELSE 0 END), 0) AS v FROM ("
        "SELECT m.guarantee_fen AS g, (SELECT COALESCE(SUM(r.value_fen), 0) "
        "FROM yz_merchant_redemption r WHERE r.merchant = m.id AND r.status <> 'voided' "
        f"AND r.created_at >= m.starts_on AND r.created_at < {end}) AS v "
        f"FROM yz_merchant m WHERE {where} AND m.guarantee_fen > 0 "
        f"AND {end} >= {{}} AND {end} < {{}}) AS shops",
        *args, scope.start.date(), scope.end.date())
    return _yuan(rows[0]["v"] if rows else 0)


INDICATORS = [
    Indicator("merchants.redemptions", "Shop redemptions", "商户兑换次数", "count",
              "Redemptions at partner shops during the period (voided ones not counted).",
              _redemptions),
    Indicator("merchants.redemption_value", "Value redeemed at shops", "商户兑换金额", "yuan",
              "The yuan value of the credits redeemed at partner shops during the period.",
              _redemption_value),
    Indicator("merchants.discount_given", "Discounts given", "商户让利", "yuan",
              "Discounts partner shops gave on redemptions during the period.",
              _discount_given),
    Indicator("merchants.average_rating", "Average shop rating", "商户平均评分", "rating",
              "Average stars (1-5) of the ratings members gave shops during the period.",
              _average_rating),
    Indicator("merchants.active_shops", "Active shops", "合作商户", "count",
              "Partner shops active now that had started by the end of the period.",
              _active_shops),
    Indicator("merchants.guarantee_shortfall", "Guaranteed-volume shortfall", "保底差额",
              "yuan", "For shops whose first month ended during the period (calendar days "
              "in UTC), the guaranteed volume minus the value redeemed there that month, "
              "where positive: what the community owes.", _guarantee_shortfall,
              higher_is_better=False),
]
