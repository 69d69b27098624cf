"""The community profile an admin shows a shop when pitching a partnership: how many households
and verified members, how many neighbours actively help, how much help was confirmed, and what
partner shops took in credits month by month. Only aggregates: no names, no single person's
figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from yizhan.core.api import community_hours, count_members, helpers_between, list_buildings
from yizhan.core.api import now as _now
from yizhan.plugins.merchants import months, shops
from yizhan.plugins.merchants.tables import Merchant, Redemption

MONTHS = 12


@dataclass
class MonthFigures:
    """Redemptions at every partner shop in one month (voided ones left out)."""

    month: str
    redemptions: int = 0
    credits_centi: int = 0
    value_fen: int = 0
    residents: int = 0


@dataclass
class Profile:
    """A community in figures."""

    households: int
    buildings: int
    verified_members: int
    active_helpers: int
    active_helper_days: int
    help_minutes: int
    needs_confirmed: int
    active_merchants: int
    by_month: list[MonthFigures] = field(default_factory=list)


async def profile(community: dict) -> Profile:
    """The community's profile now, with the last twelve months of redemptions."""
    settings = shops.settings_of(community)
    now = _now()
    buildings = await list_buildings(community)
    helpers = await helpers_between(community["id"],
                                    now - timedelta(days=settings.active_helper_days),
                                    now + timedelta(seconds=1))  # help confirmed just now
    hours = await community_hours(community["id"])
    active = await Merchant.count().where((Merchant.community == community["id"])
                                          & (Merchant.status == shops.ACTIVE))
    periods = months.last(MONTHS, now, community["time_zone"])
    rows = await Redemption.select(Redemption.created_at, Redemption.member,
                                   Redemption.credits_centi, Redemption.value_fen).where(
        (Redemption.community == community["id"]) & (Redemption.status == "completed")
        & (Redemption.created_at >= periods[0].start))
    figures = [MonthFigures(p.label) for p in periods]
    residents: list[set[int]] = [set() for _ in periods]
    for row in rows:
        for index, period in enumerate(periods):
            if period.start <= row["created_at"] < period.end:
                figures[index].redemptions += 1
                figures[index].credits_centi += row["credits_centi"]
                figures[index].value_fen += row["value_fen"]
                residents[index].add(row["member"])
                break
    for index, seen in enumerate(residents):
        figures[index].residents = len(seen)
    return Profile(
        households=sum(b["households"] for b in buildings), buildings=len(buildings),
        verified_members=await count_members(community["id"], "verified"),
        active_helpers=len(helpers), active_helper_days=settings.active_helper_days,
        help_minutes=hours["minutes"], needs_confirmed=hours["needs"],
        active_merchants=active, by_month=figures)
