"""The client examples (``examples/clients``) against a live ``yizhan serve``.

Python's ``gql`` always; JavaScript (``graphql-request``, ``graphql-ws``) when ``node`` and the
installed ``node_modules`` are there — with ``YIZHAN_REQUIRE_JS=1`` (set by the CI script
after ``npm ci``) their absence is a failure, not a skip.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from yizhan.core import clock
from yizhan.core.services import needs
from yizhan.testing.people import PASSWORD

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "clients"
WAIT = 5.0  # seconds to wait for one line from a client before posting another need


def _python(script: str) -> list[str]:
    return [sys.executable, str(EXAMPLES / "python" / script)]


def _node(script: str) -> list[str]:
    reason = None
    node = shutil.which("node")
    if node is None:
        reason = "node is not installed"
    elif not (EXAMPLES / "node_modules" / "graphql-request").is_dir():
        reason = "examples/clients/node_modules is missing: run `npm ci` in examples/clients"
    if reason:
        if os.environ.get("YIZHAN_REQUIRE_JS") == "1":
            pytest.fail(f"{reason} (YIZHAN_REQUIRE_JS=1)")
        pytest.skip(f"{reason}; set YIZHAN_REQUIRE_JS=1 to make this a failure")
    return [node, str(EXAMPLES / "js" / script)]


async def _run(command: list[str], *args: str) -> dict:
    """Run a client to the end; its stdout is one JSON summary."""
    process = await asyncio.create_subprocess_exec(
        *command, *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, err.decode()
    return json.loads(out.decode().strip().splitlines()[-1])


def _flow_args(server) -> list[str]:
    return ["--url", server.graphql_url, "--community", "testville", "--requester",
            "resident1", "--helper", "neighbour1", "--password", PASSWORD,
            "--title", "Carry a parcel upstairs", "--credits", "0.20"]


@pytest.mark.parametrize("client", ["python", "js"])
async def test_the_core_flow_shows_both_balances_with_credits(
        client, community, resident, neighbour, enable_plugin, yizhan_server):
    command = _python("core_flow.py") if client == "python" else _node("core-flow.mjs")
    await enable_plugin(community, "credits")
    summary = await _run(command, *_flow_args(yizhan_server))
    assert summary["status"] == "CONFIRMED" and summary["mode"] == "credits"
    assert summary["credits"] == "0.20" and summary["title"] == "Carry a parcel upstairs"
    assert summary["requester"]["balance"] == "-0.20"
    assert summary["helper"]["balance"] == "0.20"


@pytest.mark.parametrize("client", ["python", "js"])
async def test_without_credits_the_flow_shows_hours(client, community, resident, neighbour,
                                                    yizhan_server):
    command = _python("core_flow.py") if client == "python" else _node("core-flow.mjs")
    summary = await _run(command, *_flow_args(yizhan_server))
    assert summary["status"] == "CONFIRMED" and summary["mode"] == "hours"
    assert summary["helper"]["minutesGiven"] == 10 and summary["helper"]["needsHelped"] == 1
    assert summary["requester"]["minutesReceived"] == 10


@pytest.mark.parametrize("client", ["python", "js"])
async def test_a_subscriber_sees_a_new_need_in_their_building(client, community, resident,
                                                              neighbour, yizhan_server):
    command = _python("wait_for_need.py") if client == "python" else _node(
        "wait-for-need.mjs")
    process = await asyncio.create_subprocess_exec(
        *command, "--url", yizhan_server.graphql_url, "--community", "testville", "--user",
        "neighbour1", "--password", PASSWORD, "--count", "1",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        while True:  # "Logged in as …", then "subscribed"
            line = await asyncio.wait_for(process.stderr.readline(), timeout=60)
            assert line, "the client ended before subscribing"
            if line.strip() == b"subscribed":
                break
        # The server registers the subscription a moment after it is sent: post until the
        # subscriber has seen one (each need is a real, separate post).
        posted: list[str] = []
        seen = b""
        for attempt in range(6):
            now = clock.now()
            title = f"Water the plants ({attempt})"
            await needs.post(community, resident.member, title=title, category="errand",
                             window_start=now + timedelta(hours=1),
                             window_end=now + timedelta(hours=3), estimated_minutes=15)
            posted.append(title)
            try:
                seen = await asyncio.wait_for(process.stdout.readline(), timeout=WAIT)
                break
            except TimeoutError:
                continue
        assert seen, "the subscriber saw none of the needs posted"
        need = json.loads(seen)
        assert need["title"] in posted
        assert need["requester"] == {"displayName": "Resident1"}
        assert need["building"] == {"name": "A"} and need["category"] == "errand"
        await asyncio.wait_for(process.wait(), timeout=30)  # --count 1: it ends by itself
        assert process.returncode == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
