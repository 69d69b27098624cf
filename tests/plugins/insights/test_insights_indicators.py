"""Indicators through GraphQL and the CLI: at least thirty with definitions, computed for a
community and the deployment, admins only with a public subset, nothing from a plugin off."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from yizhan.core import indicators
from yizhan.plugins.insights.cli import markdown_reference
from yizhan.plugins.insights.periods import parse

QUERY = """query Ind($c: String!, $p: String) { indicators(community: $c, period: $p) {
  period previousPeriod closed values { value previous change
  indicator { key title unit definition plugin higherIsBetter } } } }"""


async def test_thirty_indicators_with_definitions_for_community_and_deployment(
        november, enable_plugin):
    for plugin in ("credits", "merchants", "badges"):
        await enable_plugin(november, plugin)
    every = indicators.indicators_for(november["id"])
    assert len(every) >= 30
    assert all(i.title_en and i.title_zh and i.definition and i.unit for i in every)
    start, end = parse("2026-11").bounds("Asia/Shanghai")
    mine = await indicators.compute(november["id"], start, end)
    everyone = await indicators.compute(None, start, end)
    assert set(mine) == {i.key for i in every} <= set(everyone)
    assert mine["core.needs_posted"] == 2 and mine["core.needs_confirmed"] == 1
    assert mine["core.active_members"] == 2  # the resident posted, the neighbour helped
    assert mine["core.proxy_share"] == Decimal("50.0")
    assert mine["core.completion_rate"] == Decimal("100.0")
    assert mine["core.median_minutes_to_accept"] == Decimal("30.0")
    assert mine["core.hours_of_help"] == Decimal("0.50")
    assert everyone["core.needs_posted"] >= 2


async def test_admins_see_all_others_the_public_subset(november, admin, resident, gql, cli):
    data = await admin.gql.data(QUERY, {"c": "testville", "p": "2026-11"})
    report = data["indicators"]
    keys = {v["indicator"]["key"]: v for v in report["values"]}
    assert len(keys) >= 19 and report["closed"] is False and report["previousPeriod"] == "2026-10"
    assert keys["core.needs_posted"]["value"] == "2"
    assert keys["core.needs_posted"]["previous"] == "0"
    assert keys["core.needs_posted"]["change"] == "2"
    hidden = await resident.gql.data(QUERY, {"c": "testville", "p": "2026-11"})
    assert hidden["indicators"]["values"] == []
    assert await resident.gql.error_code(
        '{ indicatorSeries(community: "testville", key: "core.needs_posted") { period } }'
    ) == "FORBIDDEN"
    assert await resident.gql.error_code(
        '{ monthlyReport(community: "testville", month: "2026-11") { month } }') == "FORBIDDEN"


def test_public_indicators_are_validated_and_shown(november, cli):
    bad = cli("plugins", "config", "insights", "-c", "testville",
              'public_indicators=["no.such"]')
    assert bad.exit_code == 1 and "no.such" in bad.stderr
    ok = cli("plugins", "config", "insights", "-c", "testville",
             'public_indicators=["core.hours_of_help"]')
    assert ok.exit_code == 0, ok.stderr


async def test_the_public_subset_reaches_anyone(november, resident, gql):
    from yizhan.core.services import plugin_admin

    await plugin_admin.configure(november, "insights",
                                 {"public_indicators": ["core.hours_of_help"]})
    seen = await gql.data(QUERY, {"c": "testville", "p": "2026-11"})
    assert [v["indicator"]["key"] for v in seen["indicators"]["values"]] == [
        "core.hours_of_help"]
    series = await resident.gql.data(
        '{ indicatorSeries(community: "testville", key: "core.hours_of_help", months: 3) '
        '{ period value } }')
    assert series["indicatorSeries"][-1] == {"period": "2026-11", "value": "0.50"}


async def test_a_plugin_off_contributes_nothing(november, admin, enable_plugin):
    await enable_plugin(november, "credits")
    data = await admin.gql.data(QUERY, {"c": "testville"})
    assert any(v["indicator"]["plugin"] == "credits" for v in data["indicators"]["values"])
    from yizhan.core.services import plugin_admin

    await plugin_admin.disable(november, "credits")
    data = await admin.gql.data(QUERY, {"c": "testville"})
    assert not any(v["indicator"]["plugin"] == "credits" for v in data["indicators"]["values"])
    await plugin_admin.disable(november, "insights")
    assert await admin.gql.error_code(QUERY, {"c": "testville"}) == "PLUGIN_DISABLED"


@pytest.mark.parametrize("period", ["2026-13", "26-11", "2026-Q5", "2027-01"])
async def test_bad_or_future_periods_are_refused(november, admin, period):
    result = await admin.gql.execute(QUERY, {"c": "testville", "p": period})
    assert result["errors"][0]["extensions"]["code"] in ("INVALID_PERIOD", "FUTURE_PERIOD")


def test_docs_indicators_md_is_up_to_date():
    rows = [{"key": i.key, "plugin": i.plugin, "unit": i.unit, "title_en": i.title_en,
             "title_zh": i.title_zh, "higher_is_better": i.higher_is_better,
             "definition": i.definition} for i in indicators.all_indicators()]
    path = Path(__file__).resolve().parents[3] / "docs" / "indicators.md"
    assert path.read_text(encoding="utf-8") == markdown_reference(rows), (
        "docs/indicators.md is stale: run YIZHAN_PLUGINS_DENY=hello,toollib "
        "yizhan insights list --markdown > docs/indicators.md")


async def test_a_pending_member_sees_only_the_public_subset(november, pending, gql):
    from yizhan.core.services import plugin_admin

    await plugin_admin.configure(november, "insights",
                                 {"public_indicators": ["core.hours_of_help"]})
    public = await gql.data(QUERY, {"c": "testville", "p": "2026-11"})
    asked = await pending.gql.data(QUERY, {"c": "testville", "p": "2026-11"})
    assert asked == public
    assert [v["indicator"]["key"] for v in asked["indicators"]["values"]] == [
        "core.hours_of_help"]
    assert await pending.gql.error_code(
        '{ indicatorSeries(community: "testville", key: "core.needs_posted") { period } }'
    ) == "FORBIDDEN"
    assert await pending.gql.error_code(
        '{ monthlyReport(community: "testville", month: "2026-11") { month } }') == "FORBIDDEN"
