"""The badges plugin's indicators: certified experts, certifications and mutual-aid stars —
each one SQL aggregate, scoped by community (or none: the whole deployment) and the period."""

from __future__ import annotations

from yizhan.core.api import Indicator, IndicatorScope, indicator_community_sql
from yizhan.plugins.badges.tables import BadgeAward, StarWinner


async def _count(table: type, sql: str, *args: object) -> int:
    rows = await table.raw(sql, *args)
    return int(rows[0]["n"]) if rows else 0


async def _certified_experts(scope: IndicatorScope) -> int:
    where, args = indicator_community_sql("a.community", scope)
    return await _count(
        BadgeAward,
        "SELECT COUNT(DISTINCT a.member) AS n FROM yz_badge_award a "
        "JOIN yz_badge_definition d ON d.id = a.definition "
        f"WHERE {where} AND d.kind = 'expert' AND a.awarded_at < {{}} "
        "AND (a.revoked_at IS NULL OR a.revoked_at >= {}) "
        "AND (a.expires_at IS NULL OR a.expires_at >= {})",
        *args, scope.end, scope.end, scope.end)


async def _certifications(scope: IndicatorScope) -> int:
    where, args = indicator_community_sql("a.community", scope)
    return await _count(
        BadgeAward,
        "SELECT COUNT(*) AS n FROM yz_badge_award a "
        "JOIN yz_badge_definition d ON d.id = a.definition "
        f"WHERE {where} AND d.kind = 'expert' AND a.awarded_at >= {{}} AND a.awarded_at < {{}}",
        *args, scope.start, scope.end)


async def _stars(scope: IndicatorScope) -> int:
    where, args = indicator_community_sql("w.community", scope)
    return await _count(
        StarWinner,
        "SELECT COUNT(*) AS n FROM yz_badge_star_winner w "
        "JOIN yz_badge_star_round r ON r.id = w.round "
        f"WHERE {where} AND r.ran_at >= {{}} AND r.ran_at < {{}}", *args, scope.start, scope.end)


INDICATORS = [
    Indicator("badges.certified_experts", "Certified experts", "认证专家", "count",
              "Members holding an expert certification (not revoked or expired) at the end "
              "of the period.", _certified_experts),
    Indicator("badges.certifications", "Certifications granted", "新增专家认证", "count",
              "Expert certifications awarded during the period.", _certifications),
    Indicator("badges.stars", "Mutual-aid stars", "互助之星", "count",
              "Mutual-aid stars named in the star rounds run during the period.", _stars),
]
