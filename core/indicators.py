"""Indicators: named figures each plugin contributes, computed in SQL for a community and period.

A plugin returns :class:`Indicator` objects from ``yizhan_register_indicators``; core
contributes its own. :func:`compute` evaluates them for one community (only the indicators of
plugins on there) or the whole deployment (``community_id=None``), over a half-open period
``[start, end)``. The insights plugin stores, shows and charts them.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

#: Units an indicator may have.
UNITS = ("count", "percent", "hours", "minutes", "credits", "yuan", "rating")

Value = int | Decimal | None
Compute = Callable[["Scope"], Awaitable[Value] | Value]


@dataclass(frozen=True)
class Scope:
    """What an indicator is computed for: one community (or every one, when ``community_id``
    is None) over ``[start, end)`` (UTC)."""

    community_id: int | None
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Indicator:
    """A named figure: ``key`` (``plugin.figure``), titles in English and Chinese, a ``unit``
    from :data:`UNITS`, a one-line ``definition`` (English), and ``compute(scope)`` returning
    an ``int``, an exact ``Decimal`` or None (no data). ``higher_is_better`` steers charts and
    trends; ``plugin`` is filled in by core."""

    key: str
    title_en: str
    title_zh: str
    unit: str
    definition: str
    compute: Compute
    higher_is_better: bool = True
    plugin: str = field(default="", compare=False)

    def title(self, locale: str) -> str:
        """The title in ``locale`` (Chinese unless it is English)."""
        return self.title_en if locale.startswith("en") else self.title_zh


class IndicatorError(RuntimeError):
    """A plugin contributed a bad indicator (unknown unit, a key another plugin has)."""


def all_indicators() -> list[Indicator]:
    """Every installed plugin's indicators (core's first), in dependency order."""
    from yizhan.core.plugins import get_registry

    found: dict[str, Indicator] = {}
    results = get_registry().register_results("yizhan_register_indicators")
    for plugin, answer in results.items():
        for indicator in answer or []:
            if indicator.unit not in UNITS:
                raise IndicatorError(
                    f"Indicator {indicator.key!r} of {plugin!r} has unit {indicator.unit!r}; "
                    f"use one of {', '.join(UNITS)}")
            if indicator.key in found:
                raise IndicatorError(
                    f"Indicator {indicator.key!r} is contributed by both "
                    f"{found[indicator.key].plugin!r} and {plugin!r}")
            found[indicator.key] = replace(indicator, plugin=plugin)
    return list(found.values())


def indicators_for(community_id: int | None) -> list[Indicator]:
    """The indicators of plugins on in the community (every installed one when None)."""
    from yizhan.core.switches import switches

    every = all_indicators()
    if community_id is None:
        return every
    return [i for i in every if switches.enabled(community_id, i.plugin)]


async def compute(community_id: int | None, start: datetime, end: datetime,
                  keys: list[str] | None = None) -> dict[str, Value]:
    """{key: value} of the community's indicators (or those named in ``keys``) over
    ``[start, end)``. An unknown key raises ``UNKNOWN_INDICATOR``."""
    from yizhan.core.errors import YizhanError

    available = {i.key: i for i in indicators_for(community_id)}
    wanted = list(available) if keys is None else keys
    unknown = [k for k in wanted if k not in available]
    if unknown:
        raise YizhanError("UNKNOWN_INDICATOR", "No indicator named {key} here.", field="keys",
                          key=", ".join(unknown))
    scope = Scope(community_id, start, end)
    values: dict[str, Value] = {}
    for key in wanted:
        result: Any = available[key].compute(scope)
        if inspect.isawaitable(result):
            result = await result
        values[key] = result
    return values


# --- helpers for indicator authors (raw SQL aggregates on SQLite and PostgreSQL) ----------


def community_sql(column: str, scope: Scope) -> tuple[str, list[Any]]:
    """A raw-SQL condition scoping ``column`` to the scope's community (none: every one)."""
    if scope.community_id is None:
        return "1 = 1", []
    return f"{column} = {{}}", [scope.community_id]


def minutes_sql(later: str, earlier: str) -> str:
    """Raw SQL for the minutes from ``earlier`` to ``later`` (two timestamp columns)."""
    from yizhan.core import db

    if db.is_postgres():
        return f"(EXTRACT(EPOCH FROM ({later} - {earlier})) / 60.0)"
    return f"((julianday({later}) - julianday({earlier})) * 1440.0)"


def share(part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole`` in percent with one decimal; None when ``whole`` is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


async def median_sql(table: Any, expression: str, where: str, args: list[Any]) -> Decimal | None:
    """The median of ``expression`` over the rows of ``table`` matching ``where``, found in SQL
    (a count, then the middle one or two values by ``ORDER BY … LIMIT … OFFSET``); None when
    no row matches. Rounded to one decimal."""
    name = table._meta.tablename
    counted = await table.raw(f"SELECT COUNT(*) AS n FROM {name} WHERE {where}", *args)
    n = int(counted[0]["n"]) if counted else 0
    if not n:
        return None
    rows = await table.raw(
        f"SELECT AVG(v) AS m FROM (SELECT {expression} AS v FROM {name} WHERE {where} "
        f"ORDER BY v LIMIT {2 - n % 2} OFFSET {(n - 1) // 2}) AS middle", *args)
    value = rows[0]["m"] if rows else None
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.1"), ROUND_HALF_UP)
