"""Numbers that agree (issue 10): one definition of balance, held, spendable and credit
headroom used by the API, the refusals and the shops; expiry notices with the real local time;
ledger lines in the reader's language (older rows too)."""

from __future__ import annotations

import json

from credits_helpers import STATEMENT, gql_post, help_with

from yizhan.core import db
from yizhan.core.tables import Notification
from yizhan.plugins.credits import expiry, service

NUMBERS = """query { myCredits(community: "testville") {
  balance held available spendable creditHeadroom creditLimit } }"""


async def test_on_a_zero_balance_nothing_is_spendable_but_the_limit_is_headroom(
        credits_on, resident):
    assert (await resident.gql.data(NUMBERS))["myCredits"] == {
        "balance": "0.00", "held": "0.00", "available": "10.00", "spendable": "0.00",
        "creditHeadroom": "10.00", "creditLimit": "10.00"}
    numbers = await service.balance(credits_on, resident.member_id)
    assert (numbers.spendable, numbers.headroom, numbers.available) == (0, 1000, 1000)


async def test_the_limit_refusal_names_the_headroom_the_api_shows(credits_on, configure,
                                                                  resident, neighbour):
    await configure(credit_limit="2")
    await help_with(credits_on, resident.member, neighbour.member, "1.10")
    shown = (await resident.gql.data(NUMBERS))["myCredits"]
    assert (shown["balance"], shown["spendable"], shown["creditHeadroom"],
            shown["available"]) == ("-1.10", "0.00", "0.90", "0.90")
    refused = await gql_post(resident, "1.00")
    assert refused["errors"][0]["code"] == "CREDIT_LIMIT_REACHED"
    assert refused["errors"][0]["message"] == (
        "Not enough credits: 0.90 available (you may go down to -2.00), 1.00 needed.")
    chinese = await resident.gql.execute(
        """mutation($input: PostNeedInput!) { postNeed(input: $input) {
        errors { message } } }""", {"input": {
            "community": "testville", "title": "Fetch a parcel", "category": "errand",
            "windowStart": "2026-11-02T10:00:00+08:00", "windowEnd": "2026-11-02T12:00:00+08:00",
            "estimatedMinutes": 30, "credits": "1.00"}}, **{"Accept-Language": "zh-CN"})
    message = chinese["data"]["postNeed"]["errors"][0]["message"]
    assert "0.90" in message and "-1.10" not in message


async def test_expiry_notices_say_the_real_local_time(credits_on, configure, resident,
                                                      neighbour, clock):
    await configure(expiry="days", expiry_days=30, expiry_notice_days=7)
    clock.advance(hours=9, minutes=16)  # 18:16 in Shanghai
    await help_with(credits_on, resident.member, neighbour.member, "1.00")
    clock.advance(days=24)
    assert await expiry.notify_due(clock.now()) == 1
    note = await Notification.select().where(
        (Notification.member == neighbour.member_id)
        & (Notification.kind == "credits.expiring")).first()
    data = json.loads(note["params"])
    assert data["body"].startswith("{amount} of your credits expire on {date} at {time}.")
    assert data["params"]["time"] == "18:16" and data["params"]["date"] == "2026-12-02"
    inbox = await neighbour.gql.execute(
        'query { notifications(community: "testville") { nodes { kind body } } }',
        **{"Accept-Language": "zh-CN"})
    bodies = [n["body"] for n in inbox["data"]["notifications"]["nodes"]
              if n["kind"] == "credits.expiring"]
    assert bodies and "2026-12-02 18:16" in bodies[0] and "结束时" not in bodies[0]


async def test_ledger_lines_are_in_the_readers_language_old_rows_too(credits_on, resident,
                                                                     neighbour):
    await help_with(credits_on, resident.member, neighbour.member, "0.50")
    await help_with(credits_on, resident.member, neighbour.member, "0.70",
                    title="Water the plants")
    # An older row, written before reasons were stored as messages.
    await db.raw("UPDATE yz_credit_tx SET reason_msgid = '', reason_params = '{{}}' "
                 "WHERE seq = 2")
    english = await neighbour.gql.data(STATEMENT)
    chinese = (await neighbour.gql.execute(STATEMENT, **{"Accept-Language": "zh-CN"}))["data"]
    reasons = [e["node"]["transaction"]["reason"]
               for e in english["myCreditStatement"]["edges"]]
    assert reasons == ["Help: Water the plants", "Help: Fetch a parcel"]
    assert [e["node"]["transaction"]["reason"]
            for e in chinese["myCreditStatement"]["edges"]] == [
        "互助：Water the plants", "互助：Fetch a parcel"]
