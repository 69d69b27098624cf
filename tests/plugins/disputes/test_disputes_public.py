"""What is public: the promise query, the indicators, the settings' validation, the demo."""

from __future__ import annotations

from datetime import timedelta

import pytest
from disputes_helpers import DECIDE, PROMISE, done_need
from test_disputes_life import _open

from yizhan.core.errors import YizhanError
from yizhan.core.indicators import compute
from yizhan.core.services import communities, plugin_admin
from yizhan.core.tables import Notice


async def test_the_promise_this_month_and_all_time(disputes_on, paying_resident, neighbour,
                                                   leader, gql, clock):
    for hours in (2, 6, 30):
        need = await done_need(disputes_on, paying_resident, neighbour, "0.20")
        dispute = await _open(disputes_on, paying_resident, need)
        clock.advance(hours=hours)
        decided = await leader.gql.mutate(DECIDE, {"input": {
            "disputeId": dispute["id"], "outcome": "DISMISSED", "reason": "Fine."}})
        assert decided["errors"] == []
    need = await done_need(disputes_on, paying_resident, neighbour, "0.20")
    await _open(disputes_on, paying_resident, need)
    promise = (await gql.data(PROMISE, {"c": "testville"}))["disputePromise"]  # anonymous
    assert promise["decideWithinHours"] == 24 and promise["openNow"] == 1
    assert promise["allTime"] == {"decided": 3, "withinDeadline": 2, "sharePercent": "66.7",
                                  "medianHours": "6.0"}
    assert promise["thisMonth"] == promise["allTime"]
    clock.advance(days=31)
    later = (await gql.data(PROMISE, {"c": "testville"}))["disputePromise"]
    assert later["thisMonth"] == {"decided": 0, "withinDeadline": 0, "sharePercent": None,
                                  "medianHours": None}


async def test_the_indicators(disputes_on, paying_resident, neighbour, leader, clock):
    start = clock.now()
    for hours in (1, 3):
        need = await done_need(disputes_on, paying_resident, neighbour, "0.20")
        dispute = await _open(disputes_on, paying_resident, need)
        clock.advance(hours=hours)
        await leader.gql.mutate(DECIDE, {"input": {"disputeId": dispute["id"],
                                                   "outcome": "DISMISSED", "reason": "Ok."}})
    keys = ["disputes.decided_within_deadline", "disputes.median_hours_to_decide",
            "disputes.opened"]
    figures = await compute(disputes_on["id"], start, start + timedelta(days=1), keys)
    assert figures == {"disputes.decided_within_deadline": 100,
                       "disputes.median_hours_to_decide": 2, "disputes.opened": 2}
    deployment = await compute(None, start, start + timedelta(days=1), keys)
    assert deployment == figures
    empty = await compute(disputes_on["id"], start - timedelta(days=2), start, keys)
    assert empty == {"disputes.decided_within_deadline": None,
                     "disputes.median_hours_to_decide": None, "disputes.opened": 0}


@pytest.mark.parametrize("changes", [
    {"decide_within_hours": 0}, {"reminder_hours": [30]}, {"reminder_hours": [12, 12]},
    {"escalate_hours_before": 24}, {"default_outcome": "refund"},
    {"max_compensation": "-1"}, {"open_within_days": 0}, {"redo_assign": "anyone"},
])
async def test_bad_settings_are_refused(disputes_on, changes):
    with pytest.raises(YizhanError):
        await plugin_admin.configure(disputes_on, "disputes", changes)


async def test_settings_move_the_deadline(disputes_on, paying_resident, neighbour):
    await plugin_admin.configure(disputes_on, "disputes",
                                 {"decide_within_hours": 48, "reminder_hours": [24, 40]})
    need = await done_need(disputes_on, paying_resident, neighbour)
    dispute = await _open(disputes_on, paying_resident, need)
    assert dispute["secondsLeft"] == 48 * 3600


@pytest.mark.hook("yizhan_seed_demo")
async def test_the_demo_has_a_decided_repair_and_an_open_dispute(yizhan_db):
    from yizhan.cli.demo import create_demo
    from yizhan.plugins.credits import service as credits
    from yizhan.plugins.disputes import service

    await create_demo()
    community = await communities.get_community("shuixie")
    decided = await service.list_disputes(community, status="decided")
    still_open = await service.list_disputes(community, status="open")
    (tap,) = decided
    assert (tap["outcome"], tap["compensation_centi"], tap["decision_minutes"]) == (
        "compensate", 100, 180)
    assert await credits.account_balance(community, credits.COMPENSATION_FUND) == 1900
    (notice,) = await Notice.select().where(Notice.source == "disputes")
    assert "3.0" in notice["body"] and "以后会更严格审核技能" in notice["body"]
    assert "张" not in notice["body"] + notice["title"]
    (shelf,) = still_open
    assert shelf["category"] == "not_done" and shelf["mediator"] is not None
