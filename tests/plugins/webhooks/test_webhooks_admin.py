"""Managing webhooks: who may, what is refused (writing nothing), pause, rotation, the CLI."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest
from webhooks_helpers import (
    CREATE,
    UPDATE,
    WEBHOOKS,
    deliver,
    deliveries,
    post_need,
    subscribe,
)

from yizhan.core.services import plugin_admin
from yizhan.plugins.webhooks import signing
from yizhan.plugins.webhooks.tables import WebhookSubscription

ROTATE = """mutation($i: WebhookIdInput!) { rotateWebhookSecret(input: $i) {
  secret webhook { secretHint } errors { code } } }"""
DELETE = """mutation($i: WebhookIdInput!) { deleteWebhook(input: $i) {
  deletedId errors { code } } }"""


def _input(url: str = "https://hooks.example.org/yizhan", events=("need.posted",)) -> dict:
    return {"i": {"community": "testville", "url": url, "events": list(events)}}


@pytest.mark.parametrize(("url", "events", "field", "code"), [
    ("ftp://hooks.example.org/x", ["need.posted"], "url", "WEBHOOK_URL_INVALID"),
    ("https://", ["need.posted"], "url", "WEBHOOK_URL_INVALID"),
    ("not a url", ["need.posted"], "url", "WEBHOOK_URL_INVALID"),
    ("https://user:pw@hooks.example.org/", ["need.posted"], "url", "WEBHOOK_URL_INVALID"),
    ("https://hooks.example.org:99999/", ["need.posted"], "url", "WEBHOOK_URL_INVALID"),
    ("https://example.org/" + "x" * 500, ["need.posted"], "url", "WEBHOOK_URL_INVALID"),
    ("https://hooks.example.org/", [], "events", "WEBHOOK_EVENTS_INVALID"),
    ("https://hooks.example.org/", ["Need Posted"], "events", "WEBHOOK_EVENTS_INVALID"),
    ("https://hooks.example.org/", ["need.**"], "events", "WEBHOOK_EVENTS_INVALID"),
    ("https://hooks.example.org/", [f"e{i}" for i in range(21)], "events",
     "WEBHOOK_EVENTS_INVALID"),
])
async def test_bad_input_is_refused_and_writes_nothing(webhooks_on, admin, url, events,
                                                       field, code):
    result = await admin.gql.mutate(CREATE, _input(url, events))
    assert result["webhook"] is None and result["secret"] is None
    assert [(e["field"], e["code"]) for e in result["errors"]] == [(field, code)]
    assert result["errors"][0]["message"]
    assert await WebhookSubscription.count() == 0


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/x", "http://localhost/x",
                                 "http://10.1.2.3/x", "http://[::1]/x",
                                 "http://169.254.169.254/latest/meta-data"])
async def test_private_addresses_are_refused_unless_the_deployment_allows(
        webhooks_on, admin, url, monkeypatch):
    monkeypatch.delenv("YIZHAN_WEBHOOKS_ALLOW_PRIVATE_URLS")
    result = await admin.gql.mutate(CREATE, _input(url))
    assert [(e["field"], e["code"]) for e in result["errors"]] == [
        ("url", "WEBHOOK_URL_PRIVATE")]
    assert await WebhookSubscription.count() == 0


async def test_a_name_resolving_to_a_private_address_is_not_contacted(
        webhooks_on, admin, resident, receiver, monkeypatch):
    """The machine's own host name resolves (through /etc/hosts) to a private address: the
    name passes when subscribing, and the check before each attempt refuses it."""
    hook = await subscribe(admin, receiver, ["need.posted"])
    monkeypatch.delenv("YIZHAN_WEBHOOKS_ALLOW_PRIVATE_URLS")
    by_name = receiver.url.replace("127.0.0.1", socket.gethostname())
    result = await admin.gql.mutate(UPDATE, {"i": {"webhookId": hook["id"], "url": by_name}})
    assert result["errors"] == [] and result["webhook"]["url"] == by_name
    await post_need(webhooks_on, resident.member)
    await deliver()
    (logged,) = await deliveries(admin)
    assert logged["status"] == "PENDING" and logged["attempts"] == 1
    assert logged["lastError"] in ("address not allowed: private network",
                                   f"cannot resolve {socket.gethostname()}")
    assert receiver.requests == []


async def test_the_limit_of_webhooks_per_community(webhooks_on, admin):
    await plugin_admin.configure(webhooks_on, "webhooks", {"max_subscriptions": 1})
    assert (await admin.gql.mutate(CREATE, _input()))["errors"] == []
    result = await admin.gql.mutate(CREATE, _input("https://second.example.org/"))
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("url", "TOO_MANY_WEBHOOKS")]
    assert await WebhookSubscription.count() == 1


async def test_only_admins_manage_webhooks(webhooks_on, admin, resident, leader, gql):
    hook = (await admin.gql.mutate(CREATE, _input()))["webhook"]
    for actor in (resident, leader):
        assert await actor.gql.error_code(CREATE, _input()) == "FORBIDDEN"
        assert await actor.gql.error_code(WEBHOOKS) == "FORBIDDEN"
        assert await actor.gql.error_code(DELETE, {"i": {"webhookId": hook["id"]}}) == \
            "FORBIDDEN"
    assert await gql.error_code(WEBHOOKS) == "UNAUTHENTICATED"
    assert await WebhookSubscription.count() == 1


async def test_every_field_answers_plugin_disabled_where_off(community, admin):
    queries = [
        (WEBHOOKS, None),
        ("""query { webhookDeliveries(community: "testville") { nodes { id } } }""", None),
        ("""query { webhookEventTypes(community: "testville") }""", None),
        (CREATE, _input()),
    ]
    for query, variables in queries:
        assert await admin.gql.error_code(query, variables) == "PLUGIN_DISABLED"


async def test_fields_of_a_webhook_in_a_community_where_it_was_switched_off(
        webhooks_on, admin, resident, receiver):
    hook = await subscribe(admin, receiver, ["need.posted"])
    await post_need(webhooks_on, resident.member)
    await plugin_admin.disable(webhooks_on, "webhooks")
    assert await admin.gql.error_code(DELETE, {"i": {"webhookId": hook["id"]}}) == \
        "PLUGIN_DISABLED"
    await deliver()
    assert receiver.requests == []  # nothing is sent where the plugin is off


async def test_unknown_ids_are_not_found(webhooks_on, admin):
    from yizhan.core.graphql.ids import to_gid

    assert await admin.gql.error_code(DELETE, {"i": {"webhookId": to_gid("Webhook", 999)}}) \
        == "NOT_FOUND"
    result = await admin.gql.mutate(DELETE, {"i": {"webhookId": "garbage"}})
    assert result["errors"] == [{"code": "INVALID_ID"}]


async def test_pause_fails_pending_and_skips_events_until_resumed(webhooks_on, admin, resident,
                                                                  receiver):
    hook = await subscribe(admin, receiver, ["need.posted"])
    receiver.answers = [500]
    await post_need(webhooks_on, resident.member, "Before the pause")
    await deliver()
    paused = await admin.gql.mutate(UPDATE, {"i": {"webhookId": hook["id"], "active": False}})
    assert paused["webhook"]["active"] is False
    (pending,) = await deliveries(admin)
    assert pending["status"] == "FAILED" and pending["lastError"] == "subscription paused"
    await post_need(webhooks_on, resident.member, "While paused")
    await deliver()
    await admin.gql.mutate(UPDATE, {"i": {"webhookId": hook["id"], "active": True}})
    await post_need(webhooks_on, resident.member, "After resuming")
    await deliver()
    sent = [r for r in receiver.requests if r.headers["x-yizhan-event"] == "need.posted"]
    assert len(sent) == 2  # the failed first attempt, then only the need after resuming
    assert sent[-1].valid


async def test_update_validates_and_writes_nothing_on_error(webhooks_on, admin):
    hook = (await admin.gql.mutate(CREATE, _input()))["webhook"]
    result = await admin.gql.mutate(UPDATE, {"i": {
        "webhookId": hook["id"], "url": "https://ok.example.org/", "events": ["bad pattern"]}})
    assert [e["code"] for e in result["errors"]] == ["WEBHOOK_EVENTS_INVALID"]
    (row,) = (await admin.gql.data(WEBHOOKS))["webhooks"]["nodes"]
    assert row["url"] == "https://hooks.example.org/yizhan" and row["events"] == ["need.posted"]
    result = await admin.gql.mutate(UPDATE, {"i": {"webhookId": hook["id"],
                                                   "events": ["need.*", "need.*", "*"],
                                                   "description": "Our mini-program"}})
    assert result["errors"] == []
    assert result["webhook"]["events"] == ["need.*", "*"]
    assert result["webhook"]["description"] == "Our mini-program"


async def test_rotation_signs_with_both_secrets_for_a_day(webhooks_on, admin, resident,
                                                          receiver, clock):
    hook = await subscribe(admin, receiver, ["need.posted"])
    old = receiver.secret
    rotated = await admin.gql.mutate(ROTATE, {"i": {"webhookId": hook["id"]}})
    new = rotated["secret"]
    assert new != old and rotated["webhook"]["secretHint"] == "…" + new[-4:]

    await post_need(webhooks_on, resident.member, "During the grace period")
    await deliver()
    request = receiver.requests[-1]
    for secret in (old, new):
        signing.verify(secret, request.body, request.headers, now=clock.now().timestamp())

    clock.advance(hours=24, seconds=1)
    receiver.secret = new
    await post_need(webhooks_on, resident.member, "After the grace period")
    await deliver()
    request = receiver.requests[-1]
    assert request.valid
    with pytest.raises(signing.SignatureError):
        signing.verify(old, request.body, request.headers, now=clock.now().timestamp())


async def test_delete_removes_the_webhook_and_its_log(webhooks_on, admin, resident, receiver):
    hook = await subscribe(admin, receiver, ["need.posted"])
    await post_need(webhooks_on, resident.member)
    await deliver()
    result = await admin.gql.mutate(DELETE, {"i": {"webhookId": hook["id"]}})
    assert result == {"deletedId": hook["id"], "errors": []}
    assert await deliveries(admin) == []
    assert (await admin.gql.data(WEBHOOKS))["webhooks"]["nodes"] == []


def _cli(database: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "YIZHAN_DATABASE_URL": database}
    return subprocess.run([sys.executable, "-m", "yizhan.cli.main", "webhooks", *args],
                          env=env, capture_output=True, text=True, timeout=60)


async def test_the_cli_adds_lists_and_removes(webhooks_on, yizhan_db):
    added = _cli(yizhan_db, "add", "https://hooks.example.org/cli", "-c", "testville",
                 "-e", "need.*", "--description", "From the CLI", "--json")
    assert added.returncode == 0, added.stderr
    created = json.loads(added.stdout)
    assert created["secret"].startswith("whsec_") and created["events"] == ["need.*"]

    refused = _cli(yizhan_db, "add", "ftp://nope", "-c", "testville", "-e", "need.posted")
    assert refused.returncode == 1 and "[WEBHOOK_URL_INVALID]" in refused.stderr
    listed = _cli(yizhan_db, "list", "-c", "testville", "--json")
    (row,) = json.loads(listed.stdout)
    assert row["id"] == created["id"] and "secret" not in row
    assert row["secret_hint"] == "…" + created["secret"][-4:]

    removed = _cli(yizhan_db, "remove", str(created["id"]), "-c", "testville")
    assert removed.returncode == 0, removed.stderr
    assert await WebhookSubscription.count() == 0
