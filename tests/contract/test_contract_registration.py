"""Registration hooks: GraphQL fields, CLI commands, settings, jobs, own hook specs, routes —
and the load-time refusals (clashing fields, missing requirements, async first-answer hooks)."""

from __future__ import annotations

import types

import pytest
import yz_probe
import yz_probe_child
import yz_probe_clash
from contract_helpers import CONFIGURE, ECHO, load_registry
from graphql import build_ast_schema, parse
from typer.testing import CliRunner

from yizhan.cli.main import make_app
from yizhan.core import jobs
from yizhan.core.graphql.schema import build_schema, print_sdl
from yizhan.core.plugins import PluginError, PluginSpec, hookimpl
from yizhan.core.tables import PluginState

hook = pytest.mark.hook


@hook("yizhan_register_graphql")
async def test_graphql_fields_are_merged_and_switched(community, gql, enable_plugin,
                                                      probe_registry):
    echo = build_ast_schema(parse(print_sdl(probe_registry))).query_type.fields["probeEcho"]
    assert str(echo.type) == "String!"
    assert {name: str(arg.type) for name, arg in echo.args.items()} == {
        "community": "String!", "text": "String!"}
    result = await gql.execute(ECHO, {"c": "testville", "t": "hi"})
    assert result["data"] is None
    assert result["errors"][0]["extensions"]["code"] == "PLUGIN_DISABLED"
    assert result["errors"][0]["message"] == "The probe module is not enabled in this community."
    await enable_plugin(community, "probe")
    assert await gql.data(ECHO, {"c": "testville", "t": "hi"}) == {"probeEcho": "probe: hi"}


@hook("yizhan_register_graphql")
def test_a_root_field_defined_twice_is_an_error_naming_both_plugins(yizhan_db):
    registry = load_registry(yz_probe, yz_probe_child, yz_probe_clash)
    with pytest.raises(PluginError) as caught:
        build_schema(registry)
    message = str(caught.value)
    assert "Query.probe_echo" in message and "'probe'" in message and "'clash'" in message


def test_a_missing_requirement_refuses_to_load(yizhan_db):
    with pytest.raises(PluginError, match="'probe_child' requires 'probe', which is not"):
        load_registry(yz_probe_child)


def test_two_plugins_with_one_name_refuse_to_load(yizhan_db):
    twin = types.ModuleType("yz_probe_twin")
    twin.PLUGIN = PluginSpec(name="probe", version="9", description="A second probe.")
    with pytest.raises(PluginError, match="Two plugins are named 'probe'"):
        load_registry(yz_probe, twin)


@hook("yizhan_veto")
def test_an_async_first_answer_hook_refuses_to_load(yizhan_db):
    bad = types.ModuleType("yz_async_veto")
    bad.PLUGIN = PluginSpec(name="async_veto", version="1", description="Async veto.")

    async def yizhan_veto(ctx, action, subject):
        return None

    bad.yizhan_veto = hookimpl(yizhan_veto)
    with pytest.raises(PluginError, match="'async_veto' implements yizhan_veto with 'async"):
        load_registry(bad)


@hook("yizhan_register_commands")
def test_plugin_commands_join_the_cli(probe_registry):
    cli = make_app(probe_registry)
    result = CliRunner().invoke(cli, ["probe-ping", "ann"])
    assert result.exit_code == 0, result.output
    assert result.output == "pong ann\n"
    assert "probe-ping" in CliRunner().invoke(cli, ["--help"]).output


@hook("yizhan_register_settings")
async def test_settings_are_validated_and_stored_per_community(community, admin,
                                                               enable_plugin, gql):
    await enable_plugin(community, "probe")

    async def configure(settings):
        return await admin.gql.mutate(CONFIGURE, {"input": {
            "community": "testville", "plugin": "probe", "settings": settings}})

    payload = await configure({"label": "echo"})
    assert payload["errors"] == []
    assert payload["plugin"]["settings"] == {"boost": 5, "label": "echo"}
    assert await gql.data(ECHO, {"c": "testville", "t": "x"}) == {"probeEcho": "echo: x"}
    stored = await PluginState.select(PluginState.settings).where(
        PluginState.plugin == "probe").first()
    for bad, code, field in (({"boost": 1000}, "INVALID_SETTING", "boost"),
                             ({"label": ""}, "INVALID_SETTING", "label"),
                             ({"boost": "many"}, "INVALID_SETTING", "boost"),
                             ({"colour": "red"}, "UNKNOWN_SETTING", "colour")):
        payload = await configure(bad)
        assert payload["plugin"] is None
        (error,) = payload["errors"]
        assert (error["code"], error["field"]) == (code, field), error
    assert await PluginState.select(PluginState.settings).where(
        PluginState.plugin == "probe").first() == stored  # nothing written
    assert await gql.data(ECHO, {"c": "testville", "t": "x"}) == {"probeEcho": "echo: x"}


@hook("yizhan_register_jobs")
async def test_plugin_jobs_run_from_run_due_and_only_when_due(yizhan_db, record, clock):
    assert "probe.sweep" in [job.name for job in jobs.all_jobs()]
    assert await jobs.run_due(only="probe.sweep") == {"probe.sweep": 7}
    assert await jobs.run_due(only="probe.sweep") == {"probe.sweep": None}  # not due yet
    clock.advance(seconds=61)
    assert await jobs.run_due(only="probe.sweep") == {"probe.sweep": 7}
    assert record.jobs_run == 2
    assert await jobs.run_due(force=True, only="probe.sweep") == {"probe.sweep": 7}
    assert record.jobs_run == 3


@hook("yizhan_register_jobs")
def test_plugin_jobs_run_from_the_cli(cli, record):
    result = cli("jobs", "run", "--only", "probe.sweep", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json() == [{"job": "probe.sweep", "acted_on": 7}]
    again = cli("jobs", "run", "--only", "probe.sweep", "--json")
    assert again.json() == [{"job": "probe.sweep",
                             "acted_on": "skipped (not due or running elsewhere)"}]
    assert {"job": "probe.sweep", "every_seconds": 60} in cli("jobs", "list", "--json").json()
    assert record.jobs_run == 1


@hook("yizhan_register_hookspecs")
def test_a_plugin_adds_its_own_hook_specifications(probe_registry):
    caller = probe_registry.pm.hook.yizhan_probe_greeting
    assert caller.spec.opts["firstresult"] is True
    assert caller(name="ann") == "hello ann, from probe_child"


@hook("yizhan_register_routes")
async def test_plugin_routes_are_served_and_check_the_switch(community, app, enable_plugin):
    response = await app.get("/probe/ping/testville", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert response.json() == {"code": "PLUGIN_DISABLED",
                               "message": "The probe module is not enabled in this community."}
    chinese = await app.get("/probe/ping/testville")  # no Accept-Language: Chinese
    assert chinese.json()["message"] == "本社区未启用 probe 模块。"
    await enable_plugin(community, "probe")
    response = await app.get("/probe/ping/testville")
    assert (response.status_code, response.json()) == (200, {"pong": "testville"})
    missing = await app.get("/probe/ping/nowhere")
    assert (missing.status_code, missing.json()["code"]) == (404, "NOT_FOUND")
