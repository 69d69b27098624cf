"""Concurrent payments never overdraw an account or lose an update: many transactions at once
on separate connections, and two real server processes on one database (PostgreSQL when
``YIZHAN_TEST_DATABASE_URL`` points at one, SQLite otherwise)."""

import asyncio

import httpx
from credits_helpers import POST_NEED, STEP, need_input

from yizhan.core.errors import YizhanError
from yizhan.core.services import people
from yizhan.plugins.credits import service, verify
from yizhan.plugins.credits.tables import CreditHold, CreditPosting, CreditTransaction
from yizhan.testing.people import make_actor
from yizhan.testing.server import start_server


async def test_concurrent_charges_never_overdraw(credits_on, configure, resident):
    await configure(credit_limit="0")
    await service.award(credits_on, resident.member_id, 1000, reason="Start", key="start")
    await service.open_system_account(credits_on, "shop.till", owner="shop")

    async def charge(i: int) -> str:
        try:
            await service.charge(credits_on, resident.member_id, 300, to_code="shop.till",
                                 reason="Eggs", key=f"order:{i}")
            return "ok"
        except YizhanError as error:
            return error.code

    outcomes = await asyncio.gather(*(charge(i) for i in range(12)))
    assert sorted(outcomes) == ["CREDIT_LIMIT_REACHED"] * 9 + ["ok"] * 3
    assert (await service.balance(credits_on, resident.member_id)).balance == 100
    assert await service.account_balance(credits_on, "shop.till") == 900
    result = await verify.verify(credits_on["id"])
    assert result.ok and result.checked == 4


async def test_concurrent_transfers_in_both_directions_lose_nothing(credits_on, configure,
                                                                   resident, neighbour):
    await configure(transfers_enabled=True)
    await service.award(credits_on, resident.member_id, 500, reason="Start", key="a")
    await service.award(credits_on, neighbour.member_id, 500, reason="Start", key="b")

    async def send(i: int) -> None:
        a, b = (resident, neighbour) if i % 2 else (neighbour, resident)
        await service.transfer_between_members(credits_on, a.member_id, b.member_id,
                                               10 + i, note="", key=f"t{i}")

    await asyncio.gather(*(send(i) for i in range(16)))
    moved = sum(10 + i for i in range(16) if i % 2) - sum(10 + i for i in range(16)
                                                          if not i % 2)
    assert (await service.balance(credits_on, resident.member_id)).balance == 500 - moved
    assert (await service.balance(credits_on, neighbour.member_id)).balance == 500 + moved
    assert (await verify.verify(credits_on["id"])).ok


async def test_two_server_processes_accept_and_confirm_at_once(credits_on, configure,
                                                               resident, gql, yizhan_db):
    await configure(credit_limit="0")
    await service.award(credits_on, resident.member_id, 300, reason="Start", key="start")
    helpers = [await make_actor(credits_on, gql, f"helper{i}", "B", "resident")
               for i in range(6)]
    need_ids = []
    for _ in range(6):
        payload = await resident.gql.mutate(POST_NEED, {"input": need_input("1.00")})
        assert payload["errors"] == [], payload
        need_ids.append(payload["need"]["id"])
    servers = list(await asyncio.gather(start_server(yizhan_db), start_server(yizhan_db)))
    try:
        async with httpx.AsyncClient(timeout=60) as http:
            async def step(i: int, token: str, name: str, need_id: str) -> dict:
                response = await http.post(servers[i % 2].graphql_url, json={
                    "query": STEP.format(name=name),
                    "variables": {"input": {"needId": need_id}}},
                    headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"})
                assert response.status_code == 200, response.text
                body = response.json()
                assert "errors" not in body, body
                return body["data"][name]

            accepted = await asyncio.gather(*(
                step(i, helpers[i].token, "acceptNeed", need_ids[i]) for i in range(6)))
            won = [i for i, r in enumerate(accepted) if not r["errors"]]
            lost = [r["errors"][0]["code"] for r in accepted if r["errors"]]
            assert len(won) == 3 and lost == ["CREDIT_LIMIT_REACHED"] * 3
            done = await asyncio.gather(*(
                step(i, helpers[i].token, "markNeedDone", need_ids[i]) for i in won))
            assert all(not r["errors"] for r in done)
            confirmed = await asyncio.gather(*(
                step(i, resident.token, "confirmNeed", need_ids[i]) for i in won))
            assert [r["need"]["status"] for r in confirmed] == ["CONFIRMED"] * 3
    finally:
        for server in servers:
            server.stop()
    assert (await service.balance(credits_on, resident.member_id)).balance == 0
    for i in range(6):
        expected = 100 if i in won else 0
        assert (await service.balance(credits_on, helpers[i].member_id)).balance == expected
    assert await CreditTransaction.count() == 4 and await CreditPosting.count() == 8
    assert await CreditHold.count().where(CreditHold.status == "open") == 0
    assert (await verify.verify(credits_on["id"])).ok
    assert await people.find_person("helper0") is not None
