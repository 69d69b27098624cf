"""A third-party plugin, installed as its own distribution (``tests/thirdparty/yizhan-hello``,
``pip install -e``) with an entry point in the ``yizhan`` group, is discovered, migrated,
switched per community and served — by a running server, with no restart."""

from __future__ import annotations

import asyncio
import json
import time
from importlib.metadata import distribution

import httpx
import pytest

from yizhan.core.plugins import get_registry
from yizhan.core.services import plugin_admin
from yizhan.testing.cli import run_yizhan as yizhan
from yizhan.testing.cli import table_names

hook = pytest.mark.hook

HELLO = """query { hello(community: "testville") }"""
SIGN = """mutation($input: SignGuestbookInput!) { signGuestbook(input: $input) {
  entry { name } count errors { field code message } } }"""


def test_it_is_installed_as_its_own_distribution():
    dist = distribution("yizhan-hello")
    (entry,) = [ep for ep in dist.entry_points if ep.group == "yizhan"]
    assert (entry.name, entry.value) == ("hello", "yizhan_hello.plugin")
    assert get_registry().plugins["hello"].source == "yizhan-hello (entry point hello)"


def test_plugins_list_shows_it(yizhan_db, cli):
    listed = yizhan("plugins", "list", "--json", database_url=yizhan_db)  # the real command
    assert listed.returncode == 0, listed.stderr
    (hello,) = [p for p in json.loads(listed.stdout) if p["name"] == "hello"]
    assert hello["version"] == "0.1.0"
    assert hello["source"] == "yizhan-hello (entry point hello)"
    assert hello["hooks"] == ["yizhan_register_commands", "yizhan_register_graphql",
                              "yizhan_register_piccolo_app", "yizhan_register_settings"]
    table = cli("plugins", "list").stdout.splitlines()
    assert any(line.split()[:2] == ["hello", "0.1.0"] for line in table)
    info = cli("plugins", "info", "hello", "--json").json()
    assert info["settings"] == {"greeting": "Hello", "max_entries": 1000}
    assert info["description"] == "A greeting and a guestbook: the smallest third-party plugin."


@hook("yizhan_register_piccolo_app")
async def test_db_migrate_creates_its_table(fresh_database_url):
    assert "hello_guestbook" not in await table_names(fresh_database_url)
    migrated = yizhan("db", "migrate", "--json", database_url=fresh_database_url)
    assert migrated.returncode == 0, migrated.stderr
    apps = json.loads(migrated.stdout)["migrated"]
    assert apps[0] == "core" and "hello" in apps
    assert {"hello_guestbook", "yz_need"} <= await table_names(fresh_database_url)


async def _poll(client: httpx.AsyncClient, url: str, until, headers=None) -> dict:
    """POST ``{ hello }`` until ``until(answer)`` holds (up to 5 seconds); the last answer."""
    deadline = time.monotonic() + 5
    while True:
        answer = (await client.post(url, json={"query": HELLO}, headers=headers)).json()
        if until(answer) or time.monotonic() > deadline:
            return answer
        await asyncio.sleep(0.05)


def _code(answer: dict) -> str | None:
    errors = answer.get("errors") or []
    return errors[0]["extensions"]["code"] if errors else None


@hook("yizhan_register_graphql", "yizhan_register_settings", "yizhan_register_commands")
async def test_a_running_server_follows_cli_toggles_without_restart(
        yizhan_server, community, resident, yizhan_db):
    url, en = yizhan_server.graphql_url, {"Accept-Language": "en"}
    async with httpx.AsyncClient(timeout=5) as client:
        off = (await client.post(url, json={"query": HELLO}, headers=en)).json()
        assert _code(off) == "PLUGIN_DISABLED"
        assert off["errors"][0]["message"] == (
            "The hello module is not enabled in this community.")

        enabled = yizhan("plugins", "enable", "hello", "-c", "testville", database_url=yizhan_db)
        assert enabled.returncode == 0, enabled.stderr
        assert enabled.stdout.strip() == "hello enabled in testville."
        answer = await _poll(client, url, lambda a: _code(a) is None)
        assert answer == {"data": {"hello": "Hello, Testville!"}}

        # A settings change from another process (this one) reaches the server as well.
        await plugin_admin.configure(community, "hello", {"greeting": "Hi"})
        answer = await _poll(client, url, lambda a: a.get("data") == {"hello": "Hi, Testville!"})
        assert answer == {"data": {"hello": "Hi, Testville!"}}

        signed = (await client.post(url, json={"query": SIGN, "variables": {"input": {
            "community": "testville", "name": "Resident One"}}},
            headers={**en, "Authorization": f"Bearer {resident.token}"})).json()
        assert signed["data"]["signGuestbook"] == {"entry": {"name": "Resident One"},
                                                   "count": 1, "errors": []}

        disabled = yizhan("plugins", "disable", "hello", "-c", "testville",
                          database_url=yizhan_db)
        assert disabled.returncode == 0, disabled.stderr
        answer = await _poll(client, url, lambda a: _code(a) == "PLUGIN_DISABLED", en)
        assert _code(answer) == "PLUGIN_DISABLED"
        refused = (await client.post(url, json={"query": SIGN, "variables": {"input": {
            "community": "testville", "name": "Too late"}}},
            headers={**en, "Authorization": f"Bearer {resident.token}"})).json()
        assert _code(refused) == "PLUGIN_DISABLED"
    assert yizhan_server.process.poll() is None  # the same server process all along

    count = yizhan("hello", "count", "-c", "testville", database_url=yizhan_db)
    assert count.returncode == 1
    assert count.stderr.strip() == (
        "error: The hello module is not enabled in this community. [PLUGIN_DISABLED]")


def test_a_bad_setting_is_one_clear_line(community, cli):
    result = cli("plugins", "config", "hello", "-c", "testville", "max_entries=0")
    assert (result.exit_code, result.exception) == (1, None)
    assert result.stderr == ("error: Invalid value for max_entries: Input should be "
                             "greater than or equal to 1. [INVALID_SETTING]\n")
    assert result.stdout == ""
    assert cli("plugins", "config", "hello", "-c", "testville", "--json").json() == {
        "greeting": "Hello", "max_entries": 1000}  # unchanged


async def test_its_messages_are_translated(community, resident, enable_plugin):
    await enable_plugin(community, "hello")
    for language, message in (("en", "Please tell us your name."),
                              ("zh-CN", "请填写您的名字。")):
        payload = (await resident.gql.data(SIGN, {"input": {
            "community": "testville", "name": "  "}}, **{"Accept-Language": language}))
        assert payload["signGuestbook"]["errors"] == [
            {"field": "name", "code": "REQUIRED", "message": message}]
    full = await resident.gql.data(SIGN, {"input": {"community": "testville", "name": "A"}})
    assert full["signGuestbook"]["count"] == 1
