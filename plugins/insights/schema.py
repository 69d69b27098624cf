"""The insights plugin's GraphQL fields: indicators of a period, one indicator's series, and
the monthly report.

Admins see every indicator of the plugins on in their community; anybody else (members and
anonymous callers) sees only those the community made public (setting
``public_indicators``). Every field answers ``PLUGIN_DISABLED`` where insights is off.
"""

from __future__ import annotations

import base64
from datetime import datetime
from decimal import Decimal
from enum import Enum

import strawberry
from strawberry.types import Info

from yizhan.core.api import Indicator, forbidden, invalid, is_admin, now
from yizhan.plugins.insights import periods, service

PLUGIN = "insights"


@strawberry.enum(description="What an indicator's value counts.")
class IndicatorUnit(Enum):
    """The unit of an indicator."""

    COUNT = "count"
    """A number of things (needs, members …)."""
    PERCENT = "percent"
    """A share in percent (0 to 100, one decimal)."""
    HOURS = "hours"
    """Hours, two decimals."""
    MINUTES = "minutes"
    """Minutes."""
    CREDITS = "credits"
    """Time credits, two decimals."""
    YUAN = "yuan"
    """Yuan (CNY), two decimals."""
    RATING = "rating"
    """An average rating, 1 to 5 stars."""


def _text(value: int | Decimal | None) -> str | None:
    return None if value is None else str(value)


@strawberry.type(description="A named figure a plugin contributes (see docs/indicators.md).")
class IndicatorDefinition:
    """What an indicator measures."""

    key: str = strawberry.field(description="`plugin.figure`, e.g. `core.needs_posted`.")
    title: str = strawberry.field(description="The title in the caller's language.")
    title_en: str = strawberry.field(description="The English title.")
    title_zh: str = strawberry.field(description="The Chinese title.")
    unit: IndicatorUnit = strawberry.field(description="What the value counts.")
    definition: str = strawberry.field(description="How it is computed (English).")
    plugin: str = strawberry.field(description="The plugin that contributes it.")
    higher_is_better: bool = strawberry.field(
        description="False for figures such as waiting times, where lower is better.")

    @classmethod
    def of(cls, indicator: Indicator, locale: str) -> IndicatorDefinition:
        """Build from a core ``Indicator``."""
        return cls(key=indicator.key, title=indicator.title(locale),
                   title_en=indicator.title_en, title_zh=indicator.title_zh,
                   unit=IndicatorUnit(indicator.unit), definition=indicator.definition,
                   plugin=indicator.plugin, higher_is_better=indicator.higher_is_better)


@strawberry.type(description="One indicator's value for a period, with the previous period's.")
class IndicatorValue:
    """An indicator in a period."""

    indicator: IndicatorDefinition = strawberry.field(description="What is measured.")
    value: str | None = strawberry.field(
        description="The exact value as a decimal string; null when there was nothing to "
                    "measure (a median of no needs).")
    previous: str | None = strawberry.field(description="The previous period's value.")
    change: str | None = strawberry.field(description="`value - previous`, when both exist.")


@strawberry.type(description="A community's indicators for a month or a quarter.")
class IndicatorReport:
    """The indicators the caller may see for one period."""

    period: str = strawberry.field(description="`2026-11` or `2026-Q4`.")
    previous_period: str = strawberry.field(description="The period compared with.")
    start: datetime = strawberry.field(description="The period's start (local midnight).")
    end: datetime = strawberry.field(description="The period's end, exclusive.")
    closed: bool = strawberry.field(
        description="True when the values are the stored, final ones of a closed period; "
                    "false while the period runs (figures as of `computedAt`).")
    computed_at: datetime = strawberry.field(
        description="When the figures were computed: a running period's snapshot is "
                    "refreshed every few minutes (setting `running_refresh_minutes`), a "
                    "closed one's is when it closed. Show it as \"as of HH:MM\".")
    values: list[IndicatorValue] = strawberry.field(description="One entry per indicator.")


@strawberry.type(description="One month of an indicator's series.")
class IndicatorPoint:
    """A month and the indicator's value in it."""

    period: str = strawberry.field(description="The month, `2026-11`.")
    value: str | None = strawberry.field(description="The exact value; null when none.")
    computed_at: datetime | None = strawberry.field(
        description="When the value was computed (the running month: its latest snapshot); "
                    "null for a month not started.")


@strawberry.type(description="A community's monthly report with charts, ready to download.")
class MonthlyReportFile:
    """The rendered report (admins)."""

    month: str = strawberry.field(description="The month, `2026-11`.")
    locale: str = strawberry.field(description="The language it is written in.")
    filename: str = strawberry.field(description="A file name for the PDF.")
    pdf_base64: str = strawberry.field(description="The PDF, base64-encoded.")
    html: str = strawberry.field(
        description="The same report as one self-contained HTML page (charts inline).")


async def _caller(info: Info, slug: str) -> tuple[dict, dict | None]:
    community = await info.context.plugin_community(slug, PLUGIN)
    return community, await info.context.member(community)


@strawberry.type
class InsightsQuery:
    """Indicators and the monthly report."""

    @strawberry.field(description="The indicators of a month (`2026-11`) or quarter "
                                  "(`2026-Q4`; default: this month) with the previous "
                                  "period's values. Admins see all; others the public ones.")
    async def indicators(self, info: Info, community: str,
                         period: str | None = None) -> IndicatorReport:
        """
        Args:
            community: The community's slug.
            period: A month (`2026-11`) or a quarter (`2026-Q4`); default: this month.
        """
        row, member = await _caller(info, community)
        current = now()
        chosen = (periods.parse(period) if period
                  else periods.month_of(current, row["time_zone"]))
        locale = await info.context.resolved_locale()
        rep = await service.report(row, chosen, member, current)
        return IndicatorReport(
            period=chosen.label, previous_period=chosen.shift(-1).label, start=rep.start,
            end=rep.end, closed=rep.closed, computed_at=rep.computed_at,
            values=[IndicatorValue(indicator=IndicatorDefinition.of(r.indicator, locale),
                                   value=_text(r.value), previous=_text(r.previous),
                                   change=_text(r.change)) for r in rep.rows])

    @strawberry.field(description="One indicator month by month, oldest first, ending with "
                                  "this month (closed months read from storage, this "
                                  "month from its latest snapshot).")
    async def indicator_series(self, info: Info, community: str, key: str,
                               months: int = 6) -> list[IndicatorPoint]:
        """
        Args:
            community: The community's slug.
            key: The indicator's key, e.g. `core.needs_posted`.
            months: How many months, 1 to 36 (default 6).
        """
        row, member = await _caller(info, community)
        if not 1 <= months <= 36:
            raise invalid("months", "Give a number of months from 1 to 36.")
        indicator = service.require_visible(row, member, key)
        points = await service.series(row, indicator, months, now())
        return [IndicatorPoint(period=p.label, value=_text(v), computed_at=at)
                for p, v, at in points]

    @strawberry.field(description="Every indicator the caller may see in the community, "
                                  "with its definition.")
    async def indicator_definitions(self, info: Info,
                                    community: str) -> list[IndicatorDefinition]:
        """
        Args:
            community: The community's slug.
        """
        row, member = await _caller(info, community)
        locale = await info.context.resolved_locale()
        return [IndicatorDefinition.of(i, locale)
                for i in service.visible_indicators(row, member)]

    @strawberry.field(description="The monthly report of a month (default: last month) as a "
                                  "PDF (base64) and an HTML page, in the community's "
                                  "language (admins).")
    async def monthly_report(self, info: Info, community: str,
                             month: str | None = None) -> MonthlyReportFile:
        """
        Args:
            community: The community's slug.
            month: The month, `2026-11` (default: last month).
        """
        row, member = await _caller(info, community)
        if not is_admin(member):
            raise forbidden("Only a community admin can download the monthly report.")
        current = now()
        chosen = (periods.parse(month, "month") if month
                  else periods.month_of(current, row["time_zone"]).shift(-1))
        if chosen.kind != "month":
            raise invalid("month", "Give a month like 2026-11 or a quarter like 2026-Q4.",
                          code="INVALID_PERIOD")
        from yizhan.plugins.insights import report  # matplotlib loads on first use only

        rendered = await report.build(row, chosen, current)
        return MonthlyReportFile(
            month=rendered.month, locale=rendered.locale,
            filename=f"{row['slug']}-{rendered.month}.pdf",
            pdf_base64=base64.b64encode(rendered.pdf).decode(), html=rendered.html)
