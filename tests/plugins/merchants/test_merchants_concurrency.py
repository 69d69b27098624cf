"""The same code submitted at the same moment succeeds exactly once: many submissions on
separate connections of one process, and two real server processes on one database
(PostgreSQL when ``YIZHAN_TEST_DATABASE_URL`` points at one, SQLite otherwise)."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime

import httpx
from merchants_helpers import SUBMIT, balance, code_for, shop_balance, shop_id

from yizhan.core.errors import YizhanError
from yizhan.plugins.credits import verify
from yizhan.plugins.merchants import redemptions, service
from yizhan.plugins.merchants.tables import Redemption
from yizhan.testing.people import make_actor
from yizhan.testing.server import start_server


async def test_one_code_submitted_eight_times_at_once_succeeds_once(
        merchants_on, shop, cashier, rich_resident, gql):
    colleague = await make_actor(merchants_on, gql, "cashier2", "B", "resident")
    await service.add_staff(merchants_on, None, shop["id"], colleague.member_id)
    code = await code_for(rich_resident)
    tills = [cashier.member, colleague.member] * 4

    async def take(staff: dict) -> str:
        try:
            await service.submit(merchants_on, staff, shop["id"], code, "40.00", "daily")
            return "ok"
        except YizhanError as error:
            return error.code

    outcomes = await asyncio.gather(*(take(staff) for staff in tills))
    assert sorted(outcomes) == ["CODE_USED"] * 7 + ["ok"]
    assert await Redemption.count() == 1
    assert await balance(merchants_on, rich_resident.member_id) == 5000 - 400
    assert await shop_balance(merchants_on, shop) == 400
    assert (await verify.verify(merchants_on["id"])).ok


async def test_two_server_processes_take_the_same_code_once(
        merchants_on, shop, cashier, rich_resident, gql, clock, yizhan_db):
    clock.set(datetime.now(UTC))  # the servers run on the wall clock
    colleague = await make_actor(merchants_on, gql, "cashier2", "B", "resident")
    await service.add_staff(merchants_on, None, shop["id"], colleague.member_id)
    code = await code_for(rich_resident)
    servers = list(await asyncio.gather(start_server(yizhan_db), start_server(yizhan_db)))
    try:
        async with httpx.AsyncClient(timeout=60) as http:
            async def take(i: int, token: str) -> dict:
                response = await http.post(servers[i % 2].graphql_url, json={
                    "query": SUBMIT, "variables": {"input": {
                        "merchantId": shop_id(shop), "code": code, "orderAmount": "40.00",
                        "category": "daily"}}},
                    headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"})
                assert response.status_code == 200, response.text
                body = response.json()
                assert "errors" not in body, body
                return body["data"]["submitRedemption"]

            tokens = [cashier.token, colleague.token] * 3
            results = await asyncio.gather(*(take(i, t) for i, t in enumerate(tokens)))
    finally:
        for server in servers:
            server.stop()
    won = [r for r in results if not r["errors"]]
    lost = [r["errors"][0]["code"] for r in results if r["errors"]]
    assert len(won) == 1 and lost == ["CODE_USED"] * 5
    assert won[0]["redemption"]["credits"] == "4.00"
    assert await balance(merchants_on, rich_resident.member_id) == 5000 - 400
    assert await shop_balance(merchants_on, shop) == 400
    assert (await verify.verify(merchants_on["id"])).ok


async def test_a_spend_that_lands_first_makes_the_redemption_refuse(
        merchants_on, shop, cashier, resident, monkeypatch):
    # The pre-check saw 5 credits, but by the time the ledger moved the resident had spent
    # them elsewhere (a stale read): the check after the posting refuses and undoes it all.
    from merchants_helpers import give_credits

    from yizhan.plugins.credits import service as credits

    await give_credits(merchants_on, resident.member_id, "1.00")
    code = await code_for(resident)
    real = credits.balance
    calls = []

    async def stale_then_real(community, member_id):
        calls.append(member_id)
        found = await real(community, member_id)
        if len(calls) == 1:
            return dataclasses.replace(found, balance=found.balance + 400)
        return found

    monkeypatch.setattr(redemptions.credits, "balance", stale_then_real)
    try:
        await service.submit(merchants_on, cashier.member, shop["id"], code, "50.00", "daily")
    except YizhanError as error:
        assert error.code == "INSUFFICIENT_CREDITS"
    else:
        raise AssertionError("the redemption took credits the resident did not have")
    monkeypatch.setattr(redemptions.credits, "balance", real)
    assert await balance(merchants_on, resident.member_id) == 100
    assert await shop_balance(merchants_on, shop) == 0
    assert await Redemption.count() == 0
    retry = await service.submit(merchants_on, cashier.member, shop["id"], code, "10.00",
                                 "daily")
    assert retry["credits_centi"] == 100


async def test_a_member_asking_for_codes_at_once_keeps_one_live_code(merchants_on,
                                                                     rich_resident):
    from yizhan.plugins.merchants.tables import RedemptionCode

    made = await asyncio.gather(*(redemptions.request_code(merchants_on, rich_resident.member)
                                  for _ in range(6)))
    assert len({row["code"] for row in made}) == 6
    live = await RedemptionCode.select().where(RedemptionCode.status == "live")
    assert len(live) == 1 and live[0]["code"] in {row["code"] for row in made}
    assert await RedemptionCode.count().where(RedemptionCode.status == "replaced") == 5
