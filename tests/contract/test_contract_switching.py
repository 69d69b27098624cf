"""Per-community switching: requirements, dependents, disabled fields, settings, visibility."""

from __future__ import annotations

import pytest
from contract_helpers import CONFIGURE, ECHO, SET_PLUGIN

from yizhan.core.services import communities
from yizhan.core.tables import PluginState

PLUGINS = """query { plugins(community: "testville") { name version requires enabled settings }
  community(slug: "testville") { enabledPlugins } }"""


async def _set(actor, plugin: str, enabled: bool) -> dict:
    return await actor.gql.mutate(SET_PLUGIN, {"input": {
        "community": "testville", "plugin": plugin, "enabled": enabled}})


async def _states() -> dict[str, bool]:
    rows = await PluginState.select(PluginState.plugin, PluginState.enabled)
    return {r["plugin"]: r["enabled"] for r in rows}


async def test_enabling_a_plugin_whose_requirement_is_off_names_it(community, admin):
    payload = await _set(admin, "probe_child", True)
    assert payload["plugin"] is None
    assert payload["errors"] == [{
        "field": "plugin", "code": "PLUGIN_REQUIRES",
        "message": "Enable probe first: probe_child requires it."}]
    assert await _states() == {}  # nothing written
    assert (await _set(admin, "probe", True))["plugin"] == {"name": "probe", "enabled": True}
    assert (await _set(admin, "probe_child", True))["plugin"] == {"name": "probe_child",
                                                                 "enabled": True}


async def test_disabling_a_plugin_an_enabled_one_requires_names_it(community, admin,
                                                                  enable_plugin):
    await enable_plugin(community, "probe")
    await enable_plugin(community, "probe_child")
    payload = await _set(admin, "probe", False)
    assert payload["errors"] == [{
        "field": "plugin", "code": "PLUGIN_REQUIRED",
        "message": "Disable probe_child first: it requires probe."}]
    assert await _states() == {"probe": True, "probe_child": True}
    assert (await _set(admin, "probe_child", False))["errors"] == []
    assert (await _set(admin, "probe", False))["plugin"] == {"name": "probe", "enabled": False}
    assert await _states() == {"probe": False, "probe_child": False}


async def test_fields_of_a_disabled_plugin_answer_plugin_disabled(community, gql, admin,
                                                                  enable_plugin):
    await enable_plugin(community, "probe")
    assert await gql.data(ECHO, {"c": "testville", "t": "a"}) == {"probeEcho": "probe: a"}
    await _set(admin, "probe", False)
    result = await gql.execute(ECHO, {"c": "testville", "t": "a"})
    assert result["data"] is None
    (error,) = result["errors"]
    assert error["extensions"] == {"code": "PLUGIN_DISABLED"}
    assert error["path"] == ["probeEcho"]
    zh = await gql.execute(ECHO, {"c": "testville", "t": "a"}, **{"Accept-Language": "zh-CN"})
    assert zh["errors"][0]["message"] == "本社区未启用 probe 模块。"
    # A plugin on in one community is still off in another.
    await communities.create_community("othertown", "Other Town")
    await _set(admin, "probe", True)
    other = await gql.execute(ECHO, {"c": "othertown", "t": "a"})
    assert other["errors"][0]["extensions"]["code"] == "PLUGIN_DISABLED"


@pytest.mark.parametrize("plugin, enabled, code", [
    ("nope", True, "UNKNOWN_PLUGIN"),
    ("nope", False, "UNKNOWN_PLUGIN"),
    ("core", False, "PLUGIN_ALWAYS_ON"),
])
async def test_toggling_refusals(community, admin, plugin, enabled, code):
    payload = await _set(admin, plugin, enabled)
    assert payload["plugin"] is None and payload["errors"][0]["code"] == code
    assert await _states() == {}


async def test_only_admins_switch_plugins(community, resident, leader, gql):
    for actor in (resident, leader):
        result = await actor.gql.execute(SET_PLUGIN, {"input": {
            "community": "testville", "plugin": "probe", "enabled": True}})
        assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    anonymous = await gql.execute(SET_PLUGIN, {"input": {
        "community": "testville", "plugin": "probe", "enabled": True}})
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await _states() == {}


@pytest.mark.parametrize("plugin, settings, code, field", [
    ("probe", {"boost": -1}, "INVALID_SETTING", "boost"),
    ("probe", {"label": "x" * 21}, "INVALID_SETTING", "label"),
    ("probe", {"bogus": 1}, "UNKNOWN_SETTING", "bogus"),
    ("probe", ["not", "an", "object"], "INVALID_INPUT", "settings"),
    ("probe_child", {"a": 1}, "NO_SETTINGS", "settings"),
    ("nope", {"a": 1}, "UNKNOWN_PLUGIN", "plugin"),
    ("core", {"escalate_after_minutes": 1}, "INVALID_SETTING", "escalate_after_minutes"),
])
async def test_settings_validation_errors(community, admin, plugin, settings, code, field):
    payload = await admin.gql.mutate(CONFIGURE, {"input": {
        "community": "testville", "plugin": plugin, "settings": settings}})
    assert payload["plugin"] is None
    (error,) = payload["errors"]
    assert (error["code"], error["field"]) == (code, field)
    assert error["message"]
    assert await PluginState.count() == 0


async def test_plugins_query_shows_what_is_on(community, gql, admin, enable_plugin):
    await enable_plugin(community, "probe")
    data = await gql.data(PLUGINS)
    by_name = {p["name"]: p for p in data["plugins"]}
    assert by_name["core"]["enabled"] is True
    assert by_name["probe"] == {"name": "probe", "version": "1.2.3", "requires": [],
                                "enabled": True, "settings": None}  # settings: admins only
    assert by_name["probe_child"]["enabled"] is False
    assert by_name["probe_child"]["requires"] == ["probe"]
    assert "probe" in data["community"]["enabledPlugins"]
    assert "probe_child" not in data["community"]["enabledPlugins"]
    as_admin = {p["name"]: p for p in (await admin.gql.data(PLUGINS))["plugins"]}
    assert as_admin["probe"]["settings"] == {"boost": 5, "label": "probe"}
