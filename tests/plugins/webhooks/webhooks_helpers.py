"""Helpers for the webhooks tests: a receiver, GraphQL documents, running the job."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from yizhan.core import clock as clock_module
from yizhan.core import jobs
from yizhan.core.services import needs
from yizhan.plugins.webhooks import signing

CREATE = """mutation($i: CreateWebhookInput!) { createWebhook(input: $i) {
  secret webhook { id url events active secretHint }
  errors { field code message } } }"""
UPDATE = """mutation($i: UpdateWebhookInput!) { updateWebhook(input: $i) {
  webhook { id url events active description } errors { field code message } } }"""
DELIVERIES = """query($c: String!) { webhookDeliveries(community: $c) { nodes {
  id event eventId status attempts nextAttemptAt lastStatusCode lastError deliveredAt body
} } }"""
WEBHOOKS = """query { webhooks(community: "testville") { nodes { id url events active
  consecutiveFailures secretHint } } }"""


@dataclass
class Received:
    """One request the receiver got, and whether its signature verified."""

    headers: dict[str, str]
    body: bytes
    valid: bool
    error: str = ""

    @property
    def json(self) -> dict:
        """The body, decoded."""
        return json.loads(self.body)


@dataclass
class Receiver:
    """A webhook receiver as an integrator would write it: verify, refuse replays, answer.

    ``answers`` is a list of statuses to answer in turn (then 200); ``delay`` seconds to
    sleep before answering (to test timeouts).
    """

    clock: clock_module.MovableClock
    secret: str = ""
    answers: list[int] = field(default_factory=list)
    delay: float = 0.0
    requests: list[Received] = field(default_factory=list)

    def start(self) -> None:
        """Listen on a free port of 127.0.0.1 in a thread."""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    signing.verify(receiver.secret, body, headers,
                                   now=receiver.clock.now().timestamp())
                    valid, error = True, ""
                except signing.SignatureError as exc:
                    valid, error = False, str(exc)
                receiver.requests.append(Received(headers, body, valid, error))
                if receiver.delay:
                    time.sleep(receiver.delay)
                status = 401 if not valid else (
                    receiver.answers.pop(0) if receiver.answers else 200)
                answer = b'{"ok": true}' if status < 300 else b"receiver says no"
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except OSError:
                    pass  # the sender gave up (timeout)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT/hook``."""
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def stop(self) -> None:
        """Stop listening."""
        self.server.shutdown()
        self.server.server_close()


async def deliver() -> int | None:
    """Run the ``webhooks.deliver`` job once, as ``yizhan jobs run`` would."""
    result = await jobs.run_due(force=True, only="webhooks.deliver")
    return result["webhooks.deliver"]


async def subscribe(admin, receiver: Receiver, events: list[str]) -> dict:
    """Create a webhook through GraphQL and give its secret to the receiver."""
    payload = await admin.gql.mutate(CREATE, {"i": {
        "community": "testville", "url": receiver.url, "events": events}})
    assert payload["errors"] == [], payload
    receiver.secret = payload["secret"]
    return payload["webhook"]


async def post_need(community: dict, actor: dict, title: str = "Fetch a parcel") -> dict:
    """Post a need through core's service."""
    now = clock_module.now()
    return await needs.post(community, actor, title=title, category="errand",
                            window_start=now + timedelta(hours=1),
                            window_end=now + timedelta(hours=3), estimated_minutes=30)


async def deliveries(admin) -> list[dict]:
    """The community's deliveries through GraphQL, newest first."""
    data = await admin.gql.data(DELIVERIES, {"c": "testville"})
    return data["webhookDeliveries"]["nodes"]
