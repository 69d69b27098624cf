"""The running month is served from a stored snapshot: as of ``computedAt``, refreshed by the
``insights.refresh_running`` job once ``running_refresh_minutes`` have passed, computed by the
first read when there is none, never carried over into the next month, and recomputed now by
``yizhan insights refresh``."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest_asyncio

from yizhan.core import clock as clock_module
from yizhan.core import jobs
from yizhan.core.services import needs, plugin_admin
from yizhan.plugins.insights import periods, service

QUERY = """query ($p: String) { indicators(community: "testville", period: $p) {
  period previousPeriod closed computedAt values { value previous indicator { key } } } }"""
SERIES = """{ indicatorSeries(community: "testville", key: "core.needs_posted", months: 2)
  { period value computedAt } }"""
JOB = "insights.refresh_running"


def _row(data: dict, key: str = "core.needs_posted") -> dict:
    return next(v for v in data["indicators"]["values"] if v["indicator"]["key"] == key)


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


async def _post(community: dict, person, title: str) -> None:
    start = clock_module.now()
    await needs.post(community, person.member, title=title, category="errand",
                     window_start=start + timedelta(hours=1),
                     window_end=start + timedelta(hours=2), estimated_minutes=15)


async def test_the_running_month_is_a_snapshot_with_computed_at(november, admin, resident,
                                                                clock):
    first = await admin.gql.data(QUERY)
    report = first["indicators"]
    assert report["period"] == "2026-11" and report["closed"] is False
    assert _at(report["computedAt"]) == clock.now()  # no snapshot yet: the read computed it
    assert _row(first)["value"] == "2"
    taken = clock.now()
    await _post(november, resident, "After the snapshot")
    clock.advance(minutes=5)
    again = await admin.gql.data(QUERY)
    assert _row(again)["value"] == "2"  # served as of the snapshot, not recomputed
    assert _at(again["indicators"]["computedAt"]) == taken
    points = (await admin.gql.data(SERIES))["indicatorSeries"]
    assert [p["period"] for p in points] == ["2026-10", "2026-11"]
    assert points[-1]["value"] == "2" and _at(points[-1]["computedAt"]) == taken
    assert points[0]["value"] == "0" and points[0]["computedAt"] is not None  # October closed


async def test_the_job_refreshes_the_snapshot_once_the_interval_has_passed(
        november, admin, resident, clock):
    await admin.gql.data(QUERY)  # the snapshot, at 09:30
    await admin.gql.data('{ indicators(community: "testville", period: "2026-Q4") '
                         '{ computedAt } }')  # the quarter was read: the job keeps it fresh
    await _post(november, resident, "New activity")
    clock.advance(minutes=10)
    await jobs.run_due(only=JOB)
    assert _row(await admin.gql.data(QUERY))["value"] == "2"  # 10 < 15 minutes: kept
    clock.advance(minutes=6)
    refreshed_at = clock.now()
    assert (await jobs.run_due(only=JOB))[JOB] >= 2  # the month and the quarter
    fresh = await admin.gql.data(QUERY)
    assert _row(fresh)["value"] == "3"
    assert _at(fresh["indicators"]["computedAt"]) == refreshed_at
    quarter = await admin.gql.data(QUERY, {"p": "2026-Q4"})
    assert _row(quarter)["value"] == "3"
    assert _at(quarter["indicators"]["computedAt"]) == refreshed_at
    # A community may ask for a slower refresh.
    await plugin_admin.configure(november, "insights", {"running_refresh_minutes": 60})
    await _post(november, resident, "Later still")
    clock.advance(minutes=20)
    await jobs.run_due(only=JOB)
    assert _row(await admin.gql.data(QUERY))["value"] == "3"
    clock.advance(minutes=41)
    await jobs.run_due(only=JOB)
    assert _row(await admin.gql.data(QUERY))["value"] == "4"


async def test_a_snapshot_is_never_served_for_the_next_month(november, admin, resident, clock):
    assert _row(await admin.gql.data(QUERY))["value"] == "2"  # November's snapshot
    clock.advance(days=28, hours=14)  # 30 November 23:30 in Shanghai
    await _post(november, resident, "Last thing in November")
    clock.advance(hours=1, minutes=30)  # 1 December 01:00: no job has run since
    december = await admin.gql.data(QUERY)
    report = december["indicators"]
    assert (report["period"], report["previousPeriod"]) == ("2026-12", "2026-11")
    assert report["closed"] is False and _at(report["computedAt"]) == clock.now()
    assert _row(december)["value"] == "0"
    # November is closed on this first read: exact, with the need posted after its snapshot.
    assert _row(december)["previous"] == "3"
    november_now = await admin.gql.data(QUERY, {"p": "2026-11"})
    assert november_now["indicators"]["closed"] is True
    assert _row(november_now)["value"] == "3"
    # The closing job finds it done.
    assert (await jobs.run_due(only="insights.close_months"))["insights.close_months"] >= 0
    assert _row(await admin.gql.data(QUERY, {"p": "2026-11"}))["value"] == "3"


async def test_the_deployment_is_refreshed_by_the_job_too(november, clock):
    month = periods.month_of(clock.now(), periods.DEPLOYMENT_TZ)
    before = await service.report(None, month, None, clock.now())
    clock.advance(minutes=16)
    await jobs.run_due(only=JOB)
    after = await service.report(None, month, None, clock.now())
    assert before.computed_at < after.computed_at == clock.now()


@pytest_asyncio.fixture
async def stale(november, resident, clock) -> dict:
    """November's snapshot taken at 09:30, then a third need posted and five minutes gone."""
    admin_view = {"role": "admin", "status": "verified"}
    await service.report(november, periods.parse("2026-11"), admin_view, clock.now())
    await _post(november, resident, "After the snapshot")
    clock.advance(minutes=5)
    return november


def _posted(out: dict) -> str:
    return next(i["value"] for i in out["indicators"] if i["key"] == "core.needs_posted")


def test_the_cli_refreshes_now(stale, cli, clock):
    shown = cli("insights", "show", "-c", "testville", "--json")
    assert shown.exit_code == 0, shown.stderr
    assert _posted(shown.json()) == "2"
    done = cli("insights", "refresh", "-c", "testville", "--json")
    assert done.exit_code == 0, done.stderr
    assert done.json() == [{"community": "testville", "period": "2026-11",
                            "computed_at": clock.now().isoformat()}]
    again = cli("insights", "show", "-c", "testville", "--json").json()
    assert _posted(again) == "3" and again["computed_at"] == clock.now().isoformat()
    every = cli("insights", "refresh", "--all", "--json")
    assert {(r["community"], r["period"]) for r in every.json()} == {
        ("testville", "2026-11"), (None, "2026-11")}
    both = cli("insights", "refresh", "-c", "testville", "--all")
    assert both.exit_code == 1 and "[INVALID_INPUT]" in both.stderr
    missing = cli("insights", "refresh", "-c", "nowhere")
    assert missing.exit_code == 1 and missing.stderr.startswith("error:"), missing.stderr


def test_the_refresh_interval_is_validated(november, cli):
    bad = cli("plugins", "config", "insights", "-c", "testville", "running_refresh_minutes=0")
    assert bad.exit_code == 1 and "running_refresh_minutes" in bad.stderr
    ok = cli("plugins", "config", "insights", "-c", "testville", "running_refresh_minutes=5")
    assert ok.exit_code == 0, ok.stderr


async def test_the_reports_breakdowns_come_with_the_snapshot_and_are_final_after_the_month(
        november, resident, clock):
    month = periods.parse("2026-11")
    first = await service.breakdowns(november, month, clock.now())
    assert dict(first["category"]) == {"errand": 1, "shopping": 1}
    await _post(november, resident, "Another errand")
    clock.advance(minutes=5)
    assert await service.breakdowns(november, month, clock.now()) == first  # the snapshot's
    clock.advance(days=29, hours=16)  # 1 December: the month's own, computed once after it
    final = await service.breakdowns(november, month, clock.now())
    assert dict(final["category"]) == {"errand": 2, "shopping": 1}
    clock.advance(hours=2)
    assert await service.breakdowns(november, month, clock.now()) == final


async def test_a_year_long_before_the_community_existed_is_computed_not_stored(november, admin,
                                                                          clock):
    old = await admin.gql.data(QUERY, {"p": "2001-01"})
    assert old["indicators"]["closed"] is False and _row(old)["value"] == "0"
    assert _at(old["indicators"]["computedAt"]) == clock.now()
    clock.advance(minutes=1)
    again = await admin.gql.data(QUERY, {"p": "2001-01"})
    assert again["indicators"]["closed"] is False
    assert _at(again["indicators"]["computedAt"]) == clock.now()
