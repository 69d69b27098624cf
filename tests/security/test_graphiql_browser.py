"""GraphiQL loads from the package's own files: in a real headless Chromium, with every host
but the server unreachable, the page renders and runs a query."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import shutil
import subprocess
import tempfile
from datetime import UTC, datetime

import httpx
import pytest
import websockets

from yizhan.testing.server import free_port


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        reason = "chromium is not installed (scripts/postgres.sh install_debian_extras)"
        if os.environ.get("YIZHAN_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason} (YIZHAN_REQUIRE_BROWSER=1)")
        pytest.skip(reason)
    return found


class Page:
    """One browser tab driven over the Chrome DevTools Protocol."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.ids = itertools.count(1)
        self.requests: list[str] = []

    async def call(self, method: str, **params) -> dict:
        call_id = next(self.ids)
        await self.ws.send(json.dumps({"id": call_id, "method": method, "params": params}))
        while True:
            message = json.loads(await asyncio.wait_for(self.ws.recv(), 30))
            if message.get("method") == "Network.requestWillBeSent":
                self.requests.append(message["params"]["request"]["url"])
            if message.get("id") == call_id:
                assert "error" not in message, message
                return message.get("result", {})

    async def evaluate(self, expression: str):
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    async def wait_for(self, expression: str, timeout: float = 60):
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            value = await self.evaluate(expression)
            if value:
                return value
            await asyncio.sleep(0.2)
        raise AssertionError(f"never true: {expression}; body: "
                             f"{await self.evaluate('document.body.innerText')!r}")


@pytest.fixture
def real_time(clock):
    clock.set(datetime.now(UTC))


async def test_graphiql_renders_and_runs_a_query_offline(yizhan_server, community, real_time):
    chromium = _chromium()
    port = free_port()
    profile = tempfile.mkdtemp(prefix="yizhan-chromium-")
    browser = subprocess.Popen(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-dev-shm-usage", "--disable-extensions", "--disable-background-networking",
         "--disable-component-update", "--disable-sync",
         f"--remote-debugging-port={port}", f"--user-data-dir={profile}",
         # No network but the server: every other host fails to resolve.
         "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
         "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        async with httpx.AsyncClient() as http:
            for _ in range(200):
                try:
                    targets = (await http.get(f"http://127.0.0.1:{port}/json/list")).json()
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
            else:
                raise AssertionError("chromium did not start")
        target = next(t for t in targets if t["type"] == "page")
        async with websockets.connect(target["webSocketDebuggerUrl"], max_size=None) as ws:
            page = Page(ws)
            await page.call("Network.enable")
            await page.call("Runtime.enable")
            await page.call("Page.navigate", url=yizhan_server.graphql_url)
            await page.wait_for("!!document.querySelector('.graphiql-container')")
            assert await page.wait_for(
                "document.querySelector('.graphiql-query-editor')?.innerText"
                ".includes('communities')")
            await page.evaluate("document.querySelector('.graphiql-execute-button').click()")
            shown = await page.wait_for(
                "(document.querySelector('.result-window')?.innerText || '')"
                ".includes('testville') && document.querySelector('.result-window').innerText")
            assert '"slug": "testville"' in shown
        # Every file came from the server itself.
        assert page.requests, "no request was seen"
        outside = [u for u in page.requests
                   if not u.startswith(yizhan_server.url) and not u.startswith("data:")]
        assert outside == []
        assert any(u.endswith("/graphiql/graphiql.min.js") for u in page.requests)
    finally:
        browser.terminate()
        try:
            browser.wait(timeout=10)
        except subprocess.TimeoutExpired:
            browser.kill()
        shutil.rmtree(profile, ignore_errors=True)


async def test_assets_are_served_from_the_package(app):
    page = await app.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200 and "unpkg" not in page.text and "cdn" not in page.text
    for name in ("graphiql.min.js", "graphiql.min.css", "react.production.min.js",
                 "react-dom.production.min.js", "start.js"):
        assert f"/graphiql/{name}" in page.text
        response = await app.get(f"/graphiql/{name}")
        assert response.status_code == 200 and len(response.content) > 100, name
    assert (await app.get("/graphiql/../pyproject.toml")).status_code == 404
    assert (await app.get("/graphiql/nope.js")).status_code == 404
