"""Signed deliveries of committed events to a receiver on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest
from webhooks_helpers import deliver, deliveries, post_need, subscribe

from yizhan.core.errors import YizhanError
from yizhan.core.graphql.ids import to_gid
from yizhan.core.plugins import get_registry, hookimpl
from yizhan.core.services import needs
from yizhan.plugins.webhooks import delivery, signing


async def test_a_posted_need_reaches_the_receiver_signed_after_commit(
        webhooks_on, admin, resident, receiver, clock):
    hook = await subscribe(admin, receiver, ["need.posted"])
    assert hook["secretHint"] == "…" + receiver.secret[-4:]
    assert receiver.secret.startswith("whsec_")

    need = await post_need(webhooks_on, resident.member)
    assert receiver.requests == []  # nothing leaves inside the action: only the job sends

    assert await deliver() == 1
    (request,) = receiver.requests
    assert request.valid, request.error
    assert request.headers["x-yizhan-event"] == "need.posted"
    assert request.headers["webhook-timestamp"] == str(int(clock.now().timestamp()))
    assert request.headers["content-type"].startswith("application/json")
    body = request.json
    assert body["type"] == "need.posted" and body["community"] == "testville"
    assert body["data"]["need"] == to_gid("Need", need["id"])
    assert body["data"]["requester"] == resident.id

    (logged,) = await deliveries(admin)
    assert logged["status"] == "DELIVERED" and logged["attempts"] == 1
    assert logged["lastStatusCode"] == 200 and logged["lastError"] == ""
    assert logged["eventId"] == body["id"]
    assert request.headers["webhook-id"] == logged["id"]
    assert logged["body"].encode() == request.body

    assert await deliver() == 0  # sent once, not again
    assert len(receiver.requests) == 1


async def test_events_are_filtered_by_pattern_and_steps_have_their_own_type(
        webhooks_on, admin, resident, neighbour, receiver):
    await subscribe(admin, receiver, ["need.accepted", "need.done"])
    need = await post_need(webhooks_on, resident.member)
    await needs.accept(webhooks_on, neighbour.member, need["id"])
    await needs.mark_done(webhooks_on, neighbour.member, need["id"])
    await needs.confirm(webhooks_on, resident.member, need["id"])
    await deliver()
    assert [r.json["type"] for r in receiver.requests] == ["need.accepted", "need.done"]
    assert receiver.requests[0].json["data"]["helper"] == neighbour.id
    assert all(r.valid for r in receiver.requests)


async def test_a_prefix_pattern_gets_every_step(webhooks_on, admin, resident, neighbour,
                                                receiver):
    await subscribe(admin, receiver, ["need.*"])
    need = await post_need(webhooks_on, resident.member)
    await needs.accept(webhooks_on, neighbour.member, need["id"])
    await needs.withdraw(webhooks_on, neighbour.member, need["id"])
    await deliver()
    assert sorted(r.json["type"] for r in receiver.requests) == [
        "need.accepted", "need.posted", "need.withdrawn"]


async def test_a_refused_action_sends_nothing(webhooks_on, admin, resident, neighbour,
                                              receiver):
    """A hook refusing the acceptance rolls it back: its event never existed."""
    await subscribe(admin, receiver, ["need.accepted"])
    need = await post_need(webhooks_on, resident.member)

    class Refuse:
        @hookimpl
        def yizhan_need_accepted(self, ctx, need):
            raise YizhanError("NOPE", "Refused by a test.")

    registry = get_registry()
    refuse = Refuse()
    registry.add_implementations(refuse, name="test-refuse")
    try:
        with pytest.raises(YizhanError):
            await needs.accept(webhooks_on, neighbour.member, need["id"])
    finally:
        registry.remove_implementations(refuse)
    await deliver()
    assert receiver.requests == []
    assert await deliveries(admin) == []


async def test_a_receiver_that_is_down_never_blocks_the_action(webhooks_on, admin, resident,
                                                               receiver):
    await subscribe(admin, receiver, ["need.posted"])
    receiver.stop()  # nobody listens any more
    for title in ("First", "Second", "Third"):
        need = await post_need(webhooks_on, resident.member, title)
        assert need["status"] == "open"
    await deliver()
    third, second, first = await deliveries(admin)
    assert first["status"] == "PENDING" and first["attempts"] == 1
    assert first["lastStatusCode"] is None and "ConnectError" in first["lastError"]
    # One unanswered attempt per receiver and run: the others wait for the next run.
    assert (second["attempts"], third["attempts"]) == (0, 0)
    assert second["status"] == third["status"] == "PENDING"


async def test_events_of_other_communities_and_from_before_stay_private(
        webhooks_on, admin, resident, receiver, enable_plugin):
    from yizhan.core.services import communities, members, people

    await post_need(webhooks_on, resident.member, "Before the webhook existed")
    other = await communities.create_community("otherville", "Otherville", "Asia/Shanghai")
    await enable_plugin(other, "webhooks")
    person = await people.create_person("stranger", "Stranger", "pw-stranger-123")
    stranger = await members.add_member(other, person["id"], None, "resident",
                                        verify_as="Real Stranger")
    await subscribe(admin, receiver, ["*"])
    await post_need(other, stranger, "In another community")
    await deliver()
    assert receiver.requests == []


async def test_two_runs_at_once_send_each_event_once(webhooks_on, admin, resident, receiver,
                                                     clock):
    await subscribe(admin, receiver, ["need.posted"])
    for i in range(3):
        await post_need(webhooks_on, resident.member, f"Need {i}")
    await asyncio.gather(delivery.run(clock.now()), delivery.run(clock.now()))
    titles = sorted(r.json["data"]["need"] for r in receiver.requests)
    assert len(titles) == 3 and len(set(titles)) == 3


async def test_a_replayed_delivery_is_refused_by_the_documented_check(
        webhooks_on, admin, resident, receiver, clock):
    await subscribe(admin, receiver, ["need.posted"])
    await post_need(webhooks_on, resident.member)
    await deliver()
    (request,) = receiver.requests
    stamp = request.headers["webhook-timestamp"]
    now = clock.now().timestamp()
    assert signing.verify(receiver.secret, request.body, request.headers, now=now) == int(stamp)
    later = (clock.now() + timedelta(minutes=5, seconds=1)).timestamp()
    with pytest.raises(signing.SignatureError, match="tolerance"):
        signing.verify(receiver.secret, request.body, request.headers, now=later)
    with pytest.raises(signing.SignatureError, match="no signature"):
        signing.verify(receiver.secret, request.body.replace(b"testville", b"evilville"),
                       request.headers, now=now)
    with pytest.raises(signing.SignatureError, match="no signature"):
        signing.verify("whsec_d3Jvbmc=", request.body, request.headers, now=now)
    # Another delivery's id on this body does not verify either.
    forged = {**request.headers, "webhook-id": "V2ViaG9va0RlbGl2ZXJ5Ojk5"}
    with pytest.raises(signing.SignatureError, match="no signature"):
        signing.verify(receiver.secret, request.body, forged, now=now)


async def test_deliveries_verify_with_the_standard_webhooks_library(
        webhooks_on, admin, resident, receiver, clock):
    """A receiver using the Standard Webhooks reference library accepts our deliveries (it
    checks the timestamp against the wall clock, so the test clock is set to it)."""
    from standardwebhooks import Webhook
    from standardwebhooks.webhooks import WebhookVerificationError

    clock.set(datetime.now(UTC))
    await subscribe(admin, receiver, ["need.posted"])
    await post_need(webhooks_on, resident.member, "Standard")
    await deliver()
    (request,) = receiver.requests
    assert {"webhook-id", "webhook-timestamp", "webhook-signature"} <= set(request.headers)
    assert request.headers["webhook-signature"].startswith("v1,")
    assert receiver.secret.startswith("whsec_")
    payload = Webhook(receiver.secret).verify(request.body, request.headers)
    assert payload == json.loads(request.body) and payload["data"]["need"]
    with pytest.raises(WebhookVerificationError):
        Webhook(receiver.secret).verify(request.body.replace(b"testville", b"evilville"),
                                        request.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(signing.new_secret()).verify(request.body, request.headers)


async def test_ping_is_sent_at_once(webhooks_on, admin, receiver):
    hook = await subscribe(admin, receiver, ["need.posted"])
    result = await admin.gql.mutate(
        """mutation($i: WebhookIdInput!) { pingWebhook(input: $i) {
        delivery { event status attempts lastStatusCode } errors { code } } }""",
        {"i": {"webhookId": hook["id"]}})
    assert result == {"delivery": {"event": "webhook.ping", "status": "DELIVERED",
                                   "attempts": 1, "lastStatusCode": 200}, "errors": []}
    (request,) = receiver.requests
    assert request.valid and request.json["type"] == "webhook.ping"
    assert request.json["data"] == {"webhook": hook["id"]}
