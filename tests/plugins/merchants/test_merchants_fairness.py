"""Fair shop ratings (issue 10): one resident's ratings of a shop count once a month, a shop is
named only when enough distinct residents rated it, and the suspension the board proposes waits
for the admins' review (confirmed, overturned, or applied when the time runs out)."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest_asyncio
from merchants_helpers import RATE, code_for, give_credits, shop_id, submit

from yizhan.core import deadlines, jobs
from yizhan.core.services import plugin_admin
from yizhan.core.tables import Notice
from yizhan.plugins.merchants import board, service
from yizhan.testing.people import make_actor

REVIEW = """mutation($input: ReviewMerchantSuspensionInput!) {
  reviewMerchantSuspension(input: $input) { merchant { status } errors { field code message } } }"""


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("Asia/Shanghai"))


async def _sale(cashier, shop, actor, amount="1.00") -> dict:
    payload = await submit(cashier, shop, await code_for(actor), amount)
    assert payload["errors"] == [], payload
    return payload["redemption"]


async def _rate(actor, redemption: dict, stars: int) -> None:
    payload = await actor.gql.mutate(RATE, {"input": {
        "redemptionId": redemption["id"], "stars": stars, "smooth": False,
        "discountReal": False}})
    assert payload["errors"] == [], payload


async def test_one_resident_rating_five_times_does_not_suspend_the_pharmacy(
        merchants_on, cashier, rich_resident, clock):
    """The issue's case: five 1-yuan redemptions rated one star by the same resident."""
    clock.set(local("2026-11-05 10:00"))
    pharmacy = await service.register(merchants_on, None, name="康宁大药房", kind="pharmacy",
                                      address="Gate 1", contact="Dr Wu")
    await service.add_staff(merchants_on, None, pharmacy["id"], cashier.member_id)
    for _ in range(5):
        await _rate(rich_resident, await _sale(cashier, pharmacy, rich_resident), 1)
    line = (await board.board(merchants_on))[2][0]
    assert (line.ratings, line.stars_total, line.flagged) == (1, 1, False)
    clock.set(local("2026-12-01 08:00"))
    assert (await jobs.run_due(force=True))["merchants.monthly_board"] == 1
    clock.advance(days=10)
    await deadlines.run_due(clock.now())
    assert (await service.get_merchant(merchants_on, pharmacy["id"]))["status"] == "active"
    notice = await Notice.select().where(Notice.source == "merchants").first()
    assert "from 1 residents" in notice["body"] and "below the bar" not in notice["body"]


async def _crowd(community, gql, count: int) -> list:
    crowd = []
    for i in range(count):
        actor = await make_actor(community, gql, f"rater{i}", "A", "resident")
        await give_credits(community, actor.member_id, "20.00")
        crowd.append(actor)
    return crowd


async def test_a_residents_latest_rating_of_the_month_is_the_one_that_counts(
        merchants_on, shop, cashier, gql, clock):
    clock.set(local("2026-11-05 10:00"))
    crowd = await _crowd(merchants_on, gql, 2)
    await _rate(crowd[0], await _sale(cashier, shop, crowd[0]), 1)
    await _rate(crowd[0], await _sale(cashier, shop, crowd[0]), 5)
    await _rate(crowd[1], await _sale(cashier, shop, crowd[1]), 3)
    line = (await board.board(merchants_on))[2][0]
    assert (line.ratings, line.stars_total, line.average) == (2, 8, "4.00")


@pytest_asyncio.fixture
async def named(merchants_on, shop, cashier, gql, clock) -> dict:
    """Five residents rated the supermarket one star in November; the board has closed."""
    clock.set(local("2026-11-05 10:00"))
    for actor in await _crowd(merchants_on, gql, 5):
        await _rate(actor, await _sale(cashier, shop, actor), 1)
    clock.set(local("2026-12-01 08:00"))
    row, made = await board.close_month(merchants_on)
    assert made
    return row


async def test_the_board_proposes_and_the_deadline_applies_when_nobody_answers(
        named, merchants_on, shop, clock):
    lines = await board.closed_lines(merchants_on, named)
    assert (lines[0].flagged, lines[0].suspended, lines[0].review) == (True, False, "pending")
    assert (await service.get_merchant(merchants_on, shop["id"]))["status"] == "active"
    notice = await Notice.select().where(Notice.id == named["notice"]).first()
    assert "by 5 residents" in notice["body"] and "2026-12-04 08:00" in notice["body"]
    clock.advance(hours=71)
    await deadlines.run_due(clock.now())
    assert (await service.get_merchant(merchants_on, shop["id"]))["status"] == "active"
    clock.advance(hours=1)
    await deadlines.run_due(clock.now())
    shop_row = await service.get_merchant(merchants_on, shop["id"])
    assert shop_row["status"] == "suspended"
    assert shop_row["status_reason"] == (
        "Rated 1.00 on average by 5 residents in 2026-11, below 3.0.")
    lines = await board.closed_lines(merchants_on, named)
    assert (lines[0].suspended, lines[0].review) == (True, "applied")


async def test_an_admin_overturns_the_proposed_suspension(named, merchants_on, shop, admin,
                                                          clock):
    payload = await admin.gql.mutate(REVIEW, {"input": {
        "merchantId": shop_id(shop), "confirm": False, "note": "One bad delivery week"}})
    assert payload == {"merchant": {"status": "ACTIVE"}, "errors": []}
    clock.advance(days=5)
    await deadlines.run_due(clock.now())
    assert (await service.get_merchant(merchants_on, shop["id"]))["status"] == "active"
    again = await admin.gql.mutate(REVIEW, {"input": {"merchantId": shop_id(shop),
                                                      "confirm": True}})
    assert [e["code"] for e in again["errors"]] == ["NO_PENDING_SUSPENSION"]
    lines = await board.closed_lines(merchants_on, named)
    assert (lines[0].suspended, lines[0].review) == (False, "overturned")


async def test_an_admin_confirms_it_at_once_and_residents_may_not(named, merchants_on, shop,
                                                                  admin, resident):
    pending = (await admin.gql.data(
        'query { merchantSuspensionReviews(community: "testville") { month residents '
        'averageRating dueAt merchant { name } } }'))["merchantSuspensionReviews"]
    assert [(p["month"], p["residents"], p["averageRating"], p["merchant"]["name"])
            for p in pending] == [("2026-11", 5, "1.00", "Neighbourhood Supermarket")]
    assert pending[0]["dueAt"].startswith("2026-12-04T00:00:00")
    denied = await resident.gql.execute(REVIEW, {"input": {"merchantId": shop_id(shop),
                                                           "confirm": True}})
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    payload = await admin.gql.mutate(REVIEW, {"input": {"merchantId": shop_id(shop),
                                                        "confirm": True}})
    assert payload == {"merchant": {"status": "SUSPENDED"}, "errors": []}


def test_the_cli_reviews_a_proposed_suspension(named, shop, cli):
    run = cli("merchants", "review", str(shop["id"]), "-c", "testville", "--overturn",
              "--json")
    assert run.exit_code == 0, run.stderr
    assert json.loads(run.stdout)["status"] == "active"
    run = cli("merchants", "review", str(shop["id"]), "-c", "testville", "--confirm")
    assert run.exit_code == 1 and "[NO_PENDING_SUSPENSION]" in run.stderr
    board_run = cli("merchants", "board", "-c", "testville", "--month", "2026-11", "--json")
    assert json.loads(board_run.stdout)["entries"][0]["review"] == "overturned"


async def test_fewer_distinct_residents_than_the_setting_name_nobody(merchants_on, shop,
                                                                     cashier, gql, clock):
    clock.set(local("2026-11-05 10:00"))
    await plugin_admin.configure(merchants_on, "merchants", {"suspend_min_ratings": 3})
    crowd = await _crowd(merchants_on, gql, 2)
    for actor in crowd:
        for _ in range(3):
            await _rate(actor, await _sale(cashier, shop, actor), 1)
    assert (await board.board(merchants_on))[2][0].flagged is False
