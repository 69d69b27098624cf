"""Turning committed outbox events into signed HTTP deliveries, with retries.

The ``webhooks.deliver`` job (see :mod:`yizhan.plugins.webhooks.plugin`) runs three idempotent
steps; none of them is inside an action's transaction, so a slow or broken receiver can never
block or undo what a member did:

1. :func:`fan_out` reads outbox events after the plugin's cursor and writes one pending
   delivery per matching, active subscription — in one transaction with the cursor moving, so
   an event is fanned out exactly once even if two processes try.
2. :func:`send_due` claims due deliveries (a conditional update, so two processes never send
   the same attempt) and POSTs them; a 2xx answer is success, anything else (an error status,
   a redirect, a timeout, a refused connection) schedules the next attempt after an
   exponential backoff, until ``max_attempts`` — then the delivery is ``failed``. Each
   receiver gets its due deliveries in order, one at a time (receivers are served side by
   side); when one gets no answer at all, the rest wait for the next run instead of each
   waiting out its own timeout, and a run stops starting attempts after :data:`RUN_BUDGET`.
3. :func:`prune` deletes finished deliveries older than ``keep_days``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import secrets
import time
from datetime import datetime, timedelta
from typing import Any

import httpx

from yizhan.core.api import (
    atomic,
    get_community_by_id,
    lock_row,
    outbox_last_id,
    outbox_read_after,
    plugin_enabled,
    to_gid,
)
from yizhan.core.api import now as _now
from yizhan.plugins.webhooks import NAME, signing
from yizhan.plugins.webhooks.service import (
    DELIVERED,
    FAILED,
    PENDING,
    matches,
    patterns_of,
    settings,
    signing_secrets,
)
from yizhan.plugins.webhooks.tables import WebhookCursor, WebhookDelivery, WebhookSubscription
from yizhan.plugins.webhooks.urls import refuse_private_target

log = logging.getLogger("yizhan.webhooks")
USER_AGENT = "Yizhan-Webhooks/0.1"
CURSOR = "outbox"
#: How many outbox events one run fans out, and how many deliveries it sends.
FAN_OUT_BATCH = 500
SEND_BATCH = 200
#: Receivers sent to at the same time by one run (each receiver gets its deliveries in order).
CONCURRENCY = 10
#: Seconds one run may spend sending; what is left stays due for the next run, so slow
#: receivers never hold up the other jobs of the process for long.
RUN_BUDGET = 60.0
#: A missing outbox id younger than this may still be committing: the cursor waits for it.
GAP_WAIT = timedelta(seconds=60)
#: How much of a receiver's answer is kept in ``last_error``.
KEEP_RESPONSE = 300

#: Core's outbox payload keys that hold row ids, and the global-id type of each.
_GLOBAL_IDS = {"need": "Need", "requester": "Member", "posted_by": "Member",
               "helper": "Member", "member": "Member", "building": "Building",
               "notification": "Notification", "webhook": "Webhook"}
_CORE_PREFIXES = ("need.", "notification.", "webhook.")


def event_type(row: dict) -> str:
    """The webhook event type of an outbox row: core's ``need.changed`` with action
    ``accepted`` is ``need.accepted``; other kinds are sent as they are."""
    if row["kind"] == "need.changed" and isinstance(row["payload"].get("action"), str):
        return f"need.{row['payload']['action']}"
    return row["kind"]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.title() for word in rest)


def public_data(event: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The ``data`` of a delivery: for core's events, camelCase keys and global ids (so a
    receiver can ask ``node(id:)``); plugins' payloads are sent as they published them."""
    if not event.startswith(_CORE_PREFIXES):
        return payload
    out: dict[str, Any] = {}
    for key, value in payload.items():
        kind = _GLOBAL_IDS.get(key)
        out[_camel(key)] = to_gid(kind, value) if kind and isinstance(value, int) else value
    return out


def body_for(event_id: int | None, event: str, community: dict, created_at: datetime,
             data: dict[str, Any]) -> str:
    """The JSON body of a delivery (compact, UTF-8)."""
    return json.dumps({
        "id": to_gid("Event", event_id) if event_id is not None
        else f"ping_{secrets.token_hex(8)}",
        "type": event,
        "community": community["slug"],
        "createdAt": created_at.isoformat(),
        "data": public_data(event, data),
    }, ensure_ascii=False, separators=(",", ":"), default=str)


def backoff(attempts: int, base_seconds: int, max_seconds: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: base, 2×base, 4×base … capped."""
    return timedelta(seconds=min(base_seconds * 2 ** max(attempts - 1, 0), max_seconds))


# --- 1. fan-out ---------------------------------------------------------------------


async def _lock_cursor() -> dict:
    """The cursor row, created when missing, locked for this transaction (PostgreSQL)."""
    row = await WebhookCursor.select().where(WebhookCursor.name == CURSOR).first()
    if row is None:
        first = await WebhookSubscription.select(WebhookSubscription.after_event).where(
            WebhookSubscription.active == True  # noqa: E712
        ).order_by(WebhookSubscription.after_event).first()
        start = first["after_event"] if first else await outbox_last_id()
        await WebhookCursor.insert(WebhookCursor(
            name=CURSOR, last_event_id=start, updated_at=_now(),
        )).on_conflict(action="DO NOTHING")  # another process made it first: fine
    await lock_row("webhooks_cursor", CURSOR, column="name")
    return await WebhookCursor.select().where(WebhookCursor.name == CURSOR).first()


async def fan_out(now: datetime) -> int:
    """Write pending deliveries for outbox events after the cursor; returns how many."""
    async with atomic():
        cursor = await _lock_cursor()
        rows = await outbox_read_after(cursor["last_event_id"], limit=FAN_OUT_BATCH)
        if not rows:
            return 0
        subscriptions: dict[int, list[dict]] = {}
        for sub in await WebhookSubscription.select().where(
                WebhookSubscription.active == True):  # noqa: E712
            subscriptions.setdefault(sub["community"], []).append(sub)
        done = {(d["subscription"], d["event_id"]) for d in await WebhookDelivery.select(
            WebhookDelivery.subscription, WebhookDelivery.event_id).where(
            WebhookDelivery.event_id.is_in([r["id"] for r in rows]))}
        communities: dict[int, dict] = {}
        created = 0
        last, contiguous = cursor["last_event_id"], True
        for row in rows:
            if contiguous and row["id"] != last + 1 and now - row["created_at"] < GAP_WAIT:
                contiguous = False  # an earlier id may still commit: come back for it
            if contiguous:
                last = row["id"]
            community_id = row["community"]
            if community_id not in subscriptions or not plugin_enabled(community_id,
                                                                         NAME):
                continue
            event = event_type(row)
            for sub in subscriptions[community_id]:
                if (row["id"] <= sub["after_event"] or (sub["id"], row["id"]) in done
                        or not matches(patterns_of(sub), event)):
                    continue
                if community_id not in communities:
                    communities[community_id] = await get_community_by_id(community_id)
                await WebhookDelivery.insert(WebhookDelivery(
                    community=community_id, subscription=sub["id"], event_id=row["id"],
                    event=event, status=PENDING, attempts=0, next_attempt_at=now,
                    body=body_for(row["id"], event, communities[community_id],
                                  row["created_at"], row["payload"]),
                    created_at=now,
                ))
                created += 1
        await WebhookCursor.update({WebhookCursor.last_event_id: last,
                                    WebhookCursor.updated_at: now}).where(
            WebhookCursor.name == CURSOR)
    return created


# --- 2. sending ---------------------------------------------------------------------


async def _claim(delivery: dict, now: datetime, timeout: int) -> bool:
    """Take the next attempt of ``delivery``: True if this process won it.

    ``next_attempt_at`` moves past the attempt's timeout, so a process that dies mid-attempt
    leaves it to be retried instead of stuck.
    """
    async with atomic():
        won = await WebhookDelivery.update({
            WebhookDelivery.attempts: WebhookDelivery.attempts + 1,
            WebhookDelivery.last_attempt_at: now,
            WebhookDelivery.next_attempt_at: now + timedelta(seconds=timeout + 60),
        }).where(
            (WebhookDelivery.id == delivery["id"]) & (WebhookDelivery.status == PENDING)
            & (WebhookDelivery.attempts == delivery["attempts"])
        ).returning(WebhookDelivery.id)
    return bool(won)


async def _post(client: httpx.AsyncClient, subscription: dict, delivery: dict,
                now: datetime, timeout: int) -> tuple[int | None, str]:
    """One HTTP attempt: (status code or None, error text; empty on success)."""
    refused = await refuse_private_target(subscription["url"])
    if refused:
        return None, refused
    body = delivery["body"].encode("utf-8")
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        signing.EVENT_HEADER: delivery["event"],
        **signing.headers(signing_secrets(subscription, now),
                          to_gid("WebhookDelivery", delivery["id"]), timestamp, body),
    }
    try:
        async with client.stream("POST", subscription["url"], content=body, headers=headers,
                                 timeout=timeout) as response:
            answer = b""
            async for chunk in response.aiter_bytes():
                answer += chunk
                if len(answer) >= KEEP_RESPONSE:
                    break
            if 200 <= response.status_code < 300:
                return response.status_code, ""
            text = re.sub(r"\s+", " ", answer[:KEEP_RESPONSE].decode("utf-8", "replace"))
            return response.status_code, f"HTTP {response.status_code}: {text}".strip()
    except httpx.TimeoutException:
        return None, f"timed out after {timeout} s"
    except httpx.HTTPError as error:
        return None, f"{type(error).__name__}: {error}"[:500]


async def _record(delivery: dict, subscription: dict, code: int | None, error: str,
                  attempts: int) -> str:
    """Store an attempt's outcome; returns the delivery's new status."""
    config = settings(delivery["community"])
    now = _now()
    values: dict[Any, Any] = {WebhookDelivery.last_status_code: code,
                              WebhookDelivery.last_error: error}
    if not error:
        status = DELIVERED
        values.update({WebhookDelivery.delivered_at: now,
                       WebhookDelivery.next_attempt_at: None})
    elif attempts >= config.max_attempts:
        status = FAILED
        values[WebhookDelivery.next_attempt_at] = None
    else:
        status = PENDING
        values[WebhookDelivery.next_attempt_at] = now + backoff(
            attempts, config.retry_base_seconds, config.retry_max_seconds)
    values[WebhookDelivery.status] = status
    async with atomic():
        await WebhookDelivery.update(values).where(WebhookDelivery.id == delivery["id"])
        if status == DELIVERED:
            await WebhookSubscription.update({WebhookSubscription.consecutive_failures: 0}).where(
                WebhookSubscription.id == subscription["id"])
        elif status == FAILED:
            await WebhookSubscription.update({
                WebhookSubscription.consecutive_failures:
                    WebhookSubscription.consecutive_failures + 1,
            }).where(WebhookSubscription.id == subscription["id"])
    if error:
        log.info("webhook delivery %s attempt %s failed: %s", delivery["id"], attempts, error)
    return status


async def attempt(client: httpx.AsyncClient, delivery: dict, subscription: dict) -> str | None:
    """Claim and send one attempt of ``delivery``; its new status, or None if not claimed."""
    timeout = settings(delivery["community"]).timeout_seconds
    now = _now()
    if not await _claim(delivery, now, timeout):
        return None
    code, error = await _post(client, subscription, delivery, now, timeout)
    return await _record(delivery, subscription, code, error, delivery["attempts"] + 1)


async def send_due(now: datetime) -> int:
    """Send every delivery that is due (at most :data:`SEND_BATCH`); returns how many."""
    due = await WebhookDelivery.select().where(
        (WebhookDelivery.status == PENDING) & (WebhookDelivery.next_attempt_at <= now)
    ).order_by(WebhookDelivery.next_attempt_at).limit(SEND_BATCH)
    due = [d for d in due if plugin_enabled(d["community"], NAME)]
    if not due:
        return 0
    subs = {s["id"]: s for s in await WebhookSubscription.select().where(
        WebhookSubscription.id.is_in(list({d["subscription"] for d in due})))}
    queues: dict[int, list[dict]] = {}
    for item in sorted(due, key=lambda d: (d["next_attempt_at"], d["id"])):
        queues.setdefault(item["subscription"], []).append(item)
    gate = asyncio.Semaphore(CONCURRENCY)
    deadline = time.monotonic() + RUN_BUDGET

    async def one_receiver(client: httpx.AsyncClient, queue: list[dict]) -> int:
        """A receiver's deliveries in order; stop at one it cannot be reached for."""
        subscription = subs.get(queue[0]["subscription"])
        if subscription is None or not subscription["active"]:
            return 0
        sent = 0
        async with gate:
            for item in queue:
                if time.monotonic() > deadline:
                    break
                status = await attempt(client, item, subscription)
                sent += status is not None
                if status == PENDING and await _unreachable(item["id"]):
                    break  # the rest stay due: the next run tries again
        return sent

    async with httpx.AsyncClient(follow_redirects=False) as client:
        counts = await asyncio.gather(*(one_receiver(client, q) for q in queues.values()))
    return sum(counts)


async def _unreachable(delivery_id: int) -> bool:
    """True when the delivery's last attempt got no HTTP answer (timeout, refused …)."""
    row = await WebhookDelivery.select(WebhookDelivery.last_status_code).where(
        WebhookDelivery.id == delivery_id).first()
    return row is not None and row["last_status_code"] is None


async def send_now(community: dict, delivery_id: int) -> dict:
    """Attempt one delivery right away (a ping or a redelivery); returns its row after."""
    delivery = await WebhookDelivery.select().where(
        (WebhookDelivery.id == delivery_id)
        & (WebhookDelivery.community == community["id"])).first()
    subscription = await WebhookSubscription.select().where(
        WebhookSubscription.id == delivery["subscription"]).first()
    async with httpx.AsyncClient(follow_redirects=False) as client:
        await attempt(client, delivery, subscription)
    return await WebhookDelivery.select().where(WebhookDelivery.id == delivery_id).first()


# --- 3. pruning and the job ---------------------------------------------------------


async def prune(now: datetime) -> int:
    """Delete finished deliveries older than each community's ``keep_days``."""
    communities = {r["community"] for r in await WebhookSubscription.select(
        WebhookSubscription.community).distinct()}
    removed = 0
    for community_id in communities:
        if not plugin_enabled(community_id, NAME):
            continue
        cutoff = now - timedelta(days=settings(community_id).keep_days)
        async with atomic():
            gone = await WebhookDelivery.delete().where(
                (WebhookDelivery.community == community_id)
                & WebhookDelivery.status.is_in([DELIVERED, FAILED])
                & (WebhookDelivery.created_at < cutoff)
            ).returning(WebhookDelivery.id)
        removed += len(gone)
    return removed


async def run(now: datetime) -> int:
    """The ``webhooks.deliver`` job: fan out new events, send what is due, prune the log."""
    await fan_out(now)
    sent = await send_due(now)
    await prune(now)
    return sent

