"""The public figures: share answered on time per urgency, this month and all time, the
median time to answer and satisfaction — for anyone, and as indicators."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from governance_helpers import ANSWER, FIGURES, RATE, REJECT, REOPEN, TRIAGE, submitted

from yizhan.core import indicators
from yizhan.core.api import IndicatorScope


async def answer(staff, request, text="Done") -> dict:
    result = await staff.gql.mutate(ANSWER, {"i": {"requestId": request["id"],
                                                   "response": text}})
    assert result["errors"] == []
    return result["request"]


async def test_on_time_share_median_and_satisfaction_are_public(gov, resident, admin, gql,
                                                               clock):
    quick = await submitted(resident, suggestedUrgency="RED")
    slow = await submitted(resident, suggestedUrgency="RED")
    open_late = await submitted(resident, suggestedUrgency="YELLOW")
    blue = await submitted(resident, suggestedUrgency="BLUE")
    clock.advance(hours=10)
    await answer(admin, quick)  # 10 h: on time
    clock.advance(hours=20)
    await answer(admin, blue)  # 30 h: on time
    clock.advance(hours=20)
    await answer(admin, slow)  # 50 h: late
    await resident.gql.mutate(RATE, {"i": {"requestId": quick["id"], "satisfied": True}})
    await resident.gql.mutate(RATE, {"i": {"requestId": slow["id"], "satisfied": False}})
    clock.advance(hours=71)  # 121 h: the yellow one is overdue and still open
    assert open_late["number"]
    data = (await gql.data(FIGURES))["governanceFigures"]  # anonymous
    assert data["allTime"] == {
        "submitted": 4, "dueOrAnswered": 4, "answeredOnTime": 2, "onTimePercent": "50.0",
        "medianHoursToAnswer": "30.00", "satisfactionPercent": "50.0"}
    by = {u["urgency"]: u for u in data["byUrgency"]}
    assert by["RED"]["hoursAllowed"] == 48
    assert by["RED"]["allTime"] == {"dueOrAnswered": 2, "answeredOnTime": 1,
                                    "onTimePercent": "50.0"}
    assert by["YELLOW"]["allTime"] == {"dueOrAnswered": 1, "answeredOnTime": 0,
                                       "onTimePercent": "0.0"}
    assert by["BLUE"]["allTime"]["onTimePercent"] == "100.0"
    assert data["thisMonth"]["submitted"] == 4 and data["thisMonth"]["overdueOpen"] == 1
    # A new month: this month's figures start again, all time keeps everything.
    clock.set(datetime(2026, 12, 1, 2, 0))  # 10:00 in Shanghai
    await submitted(resident, suggestedUrgency="RED")
    data = (await gql.data(FIGURES))["governanceFigures"]
    assert data["thisMonth"]["submitted"] == 1 and data["thisMonth"]["onTimePercent"] is None
    assert data["allTime"]["submitted"] == 5


async def test_no_requests_means_no_percentages(gov, gql):
    data = (await gql.data(FIGURES))["governanceFigures"]
    assert data["allTime"]["onTimePercent"] is None
    assert data["allTime"]["medianHoursToAnswer"] is None


@pytest.mark.hook("yizhan_register_indicators")
async def test_indicators_are_computed_in_sql_for_a_period(gov, resident, admin, clock):
    start = clock.now()
    first = await submitted(resident, suggestedUrgency="RED")
    second = await submitted(resident, suggestedUrgency="RED")
    clock.advance(hours=2)
    await answer(admin, first)
    clock.advance(hours=2)
    await answer(admin, second)
    await resident.gql.mutate(RATE, {"i": {"requestId": first["id"], "satisfied": True}})
    scope = IndicatorScope(gov["id"], start, clock.now() + timedelta(seconds=1))
    found = {i.key: i for i in indicators.all_indicators() if i.plugin == "governance"}
    assert sorted(found) == ["governance.answered_on_time", "governance.grants_awarded",
                             "governance.median_hours_to_answer",
                             "governance.requests_submitted", "governance.satisfaction"]
    assert await found["governance.requests_submitted"].compute(scope) == 2
    assert await found["governance.answered_on_time"].compute(scope) == Decimal("100.0")
    assert await found["governance.median_hours_to_answer"].compute(scope) == Decimal("3.00")
    assert await found["governance.satisfaction"].compute(scope) == Decimal("100.0")
    everywhere = IndicatorScope(None, start, clock.now() + timedelta(seconds=1))
    assert await found["governance.requests_submitted"].compute(everywhere) == 2
    before = IndicatorScope(gov["id"], start - timedelta(days=2), start)
    assert await found["governance.requests_submitted"].compute(before) == 0


async def test_running_totals_equal_counting_every_request(gov, resident, admin, gql, clock):
    """The figures come from running totals kept in each change's transaction; through
    triage (urgency moves), rejection, reopening, answers and ratings across two months
    they stay what counting the requests gives."""
    from yizhan.core.api import get_community
    from yizhan.plugins.governance.figures import compute

    async def same() -> None:
        community = await get_community("testville")
        current = clock.now()
        end = current + timedelta(microseconds=1)
        start = (await gql.data('query { governanceFigures(community: "testville") '
                                '{ monthStart } }'))["governanceFigures"]["monthStart"]
        data = (await gql.data(FIGURES))["governanceFigures"]
        for key, begin in (("thisMonth", datetime.fromisoformat(start)), ("allTime", None)):
            counted = (await compute(community["id"], begin, end, at=current)).total
            got = data[key]
            assert got["submitted"] == counted.submitted
            assert got["dueOrAnswered"] == counted.due_or_answered
            assert got["answeredOnTime"] == counted.answered_on_time
            assert got["onTimePercent"] == (None if counted.on_time_percent is None
                                            else str(counted.on_time_percent))
            assert got["medianHoursToAnswer"] == (None if counted.median_hours is None
                                                  else str(counted.median_hours))
            assert got["satisfactionPercent"] == (
                None if counted.satisfaction_percent is None
                else str(counted.satisfaction_percent))

    clock.set(datetime(2026, 11, 30, 15, 0))  # 23:00 in Shanghai, the last day of November
    first = await submitted(resident, suggestedUrgency="BLUE")
    second = await submitted(resident)
    third = await submitted(resident, suggestedUrgency="RED")
    await same()
    await admin.gql.mutate(TRIAGE, {"i": {"requestId": first["id"], "urgency": "RED"}})
    await admin.gql.mutate(REJECT, {"i": {"requestId": second["id"], "reason": "Not ours."}})
    await same()
    clock.advance(hours=2)  # December in Shanghai
    fourth = await submitted(resident, suggestedUrgency="YELLOW")
    await answer(admin, first)
    await answer(admin, fourth)
    await resident.gql.mutate(RATE, {"i": {"requestId": first["id"], "satisfied": True}})
    await same()
    await resident.gql.mutate(REOPEN, {"i": {"requestId": first["id"], "reason": "Again."}})
    await resident.gql.mutate(REOPEN, {"i": {"requestId": second["id"], "reason": "It is."}})
    clock.advance(hours=24)  # (logins last 30 days from 2 November)
    await answer(admin, second)
    await answer(admin, third)
    await same()
    data = (await gql.data(FIGURES))["governanceFigures"]
    assert data["allTime"]["submitted"] == 4 and data["thisMonth"]["submitted"] == 1
