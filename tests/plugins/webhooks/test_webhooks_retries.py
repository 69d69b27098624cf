"""A failing receiver is retried with exponential backoff, then given up; the log says why."""

from __future__ import annotations

from datetime import datetime, timedelta

from webhooks_helpers import WEBHOOKS, deliver, deliveries, post_need, subscribe

from yizhan.core.services import plugin_admin

REDELIVER = """mutation($i: RedeliverWebhookInput!) { redeliverWebhook(input: $i) {
  delivery { status attempts lastStatusCode } errors { field code } } }"""


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def test_backoff_doubles_until_the_receiver_answers(webhooks_on, admin, resident,
                                                          receiver, clock):
    await plugin_admin.configure(webhooks_on, "webhooks", {"retry_base_seconds": 60})
    await subscribe(admin, receiver, ["need.posted"])
    receiver.answers = [500, 503]
    await post_need(webhooks_on, resident.member)

    await deliver()
    (first,) = await deliveries(admin)
    assert first["status"] == "PENDING" and first["attempts"] == 1
    assert first["lastStatusCode"] == 500 and first["lastError"].startswith("HTTP 500")
    assert "receiver says no" in first["lastError"]
    assert _at(first["nextAttemptAt"]) == clock.now() + timedelta(seconds=60)

    await deliver()  # not due yet: nothing is sent
    assert len(receiver.requests) == 1

    clock.advance(seconds=60)
    await deliver()
    (second,) = await deliveries(admin)
    assert second["attempts"] == 2 and second["lastStatusCode"] == 503
    assert _at(second["nextAttemptAt"]) == clock.now() + timedelta(seconds=120)

    clock.advance(seconds=119)
    await deliver()
    assert len(receiver.requests) == 2
    clock.advance(seconds=1)
    await deliver()
    (third,) = await deliveries(admin)
    assert third["status"] == "DELIVERED" and third["attempts"] == 3
    assert third["lastStatusCode"] == 200 and third["lastError"] == ""
    assert third["nextAttemptAt"] is None
    assert len(receiver.requests) == 3 and all(r.valid for r in receiver.requests)
    # The same body every time, each attempt freshly timestamped.
    assert len({r.body for r in receiver.requests}) == 1
    assert len({r.headers["webhook-timestamp"] for r in receiver.requests}) == 3
    # The message id stays the same across retries (receivers deduplicate on it).
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1


async def test_gives_up_after_max_attempts_and_can_be_redelivered(webhooks_on, admin,
                                                                  resident, receiver, clock):
    await plugin_admin.configure(webhooks_on, "webhooks",
                                 {"max_attempts": 3, "retry_base_seconds": 10})
    await subscribe(admin, receiver, ["need.posted"])
    receiver.answers = [500] * 3
    await post_need(webhooks_on, resident.member)
    for _ in range(5):
        await deliver()
        clock.advance(hours=1)
    (logged,) = await deliveries(admin)
    assert logged["status"] == "FAILED" and logged["attempts"] == 3
    assert logged["nextAttemptAt"] is None and logged["lastStatusCode"] == 500
    assert len(receiver.requests) == 3
    hooks = (await admin.gql.data(WEBHOOKS))["webhooks"]["nodes"]
    assert hooks[0]["consecutiveFailures"] == 1

    result = await admin.gql.mutate(REDELIVER, {"i": {"deliveryId": logged["id"]}})
    assert result == {"delivery": {"status": "DELIVERED", "attempts": 1,
                                   "lastStatusCode": 200}, "errors": []}
    assert len(receiver.requests) == 4 and receiver.requests[-1].valid
    hooks = (await admin.gql.data(WEBHOOKS))["webhooks"]["nodes"]
    assert hooks[0]["consecutiveFailures"] == 0


async def test_a_pending_delivery_cannot_be_redelivered(webhooks_on, admin, resident,
                                                        receiver):
    await subscribe(admin, receiver, ["need.posted"])
    receiver.answers = [500]
    await post_need(webhooks_on, resident.member)
    await deliver()
    (logged,) = await deliveries(admin)
    result = await admin.gql.mutate(REDELIVER, {"i": {"deliveryId": logged["id"]}})
    assert result == {"delivery": None, "errors": [
        {"field": "deliveryId", "code": "WEBHOOK_DELIVERY_PENDING"}]}
    (after,) = await deliveries(admin)
    assert after == logged  # nothing changed


async def test_a_slow_receiver_times_out(webhooks_on, admin, resident, receiver):
    await plugin_admin.configure(webhooks_on, "webhooks", {"timeout_seconds": 1})
    await subscribe(admin, receiver, ["need.posted"])
    receiver.delay = 2
    await post_need(webhooks_on, resident.member)
    await deliver()
    (logged,) = await deliveries(admin)
    assert logged["status"] == "PENDING" and logged["lastError"] == "timed out after 1 s"


async def test_a_redirect_is_a_failure_not_followed(webhooks_on, admin, resident, receiver):
    await subscribe(admin, receiver, ["need.posted"])
    receiver.answers = [302]
    await post_need(webhooks_on, resident.member)
    await deliver()
    (logged,) = await deliveries(admin)
    assert logged["status"] == "PENDING" and logged["lastStatusCode"] == 302
    assert len(receiver.requests) == 1


async def test_old_finished_deliveries_are_pruned(webhooks_on, admin, resident, receiver,
                                                  clock):
    await plugin_admin.configure(webhooks_on, "webhooks", {"keep_days": 7})
    await subscribe(admin, receiver, ["need.posted"])
    await post_need(webhooks_on, resident.member)
    await deliver()
    clock.advance(days=6)
    await deliver()
    assert len(await deliveries(admin)) == 1
    clock.advance(days=2)
    await deliver()
    assert await deliveries(admin) == []
