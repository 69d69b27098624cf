"""``yizhan init|db migrate|plugins|schema|jobs|demo`` and the errors a user can make."""

from __future__ import annotations

import json

import pytest
from cli_checks import ERROR_LINE, ok, refused
from graphql import build_ast_schema, parse

from yizhan.core.graphql.schema import print_sdl
from yizhan.core.i18n import translate
from yizhan.core.plugins import get_registry
from yizhan.testing.cli import run_yizhan, table_names


def test_init_and_db_migrate_are_idempotent_on_a_migrated_database(cli):
    assert ok(cli("init")).stdout == "Database ready.\n"
    migrated = ok(cli("db", "migrate", "--json")).json()["migrated"]
    assert migrated[0] == "core"
    expected = [get_registry().plugins[name].piccolo_app for name in get_registry().order]
    assert len(migrated) == 1 + sum(1 for app in expected if app)


async def test_a_fresh_database_is_refused_then_set_up_by_init(fresh_database_url):
    refused_ = run_yizhan("community", "list", database_url=fresh_database_url)
    assert refused_.returncode == 1 and refused_.stdout == ""
    assert "Traceback" not in refused_.stderr
    assert refused_.stderr.splitlines()[-1] == (
        "error: The database is not set up: run `yizhan db migrate` first. [NOT_MIGRATED]")
    result = run_yizhan("init", "--demo", database_url=fresh_database_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "Database ready."
    assert {"yz_community", "yz_need", "yz_member"} <= await table_names(fresh_database_url)
    listed = run_yizhan("community", "list", "--json", database_url=fresh_database_url)
    assert [c["slug"] for c in json.loads(listed.stdout)] == ["shuixie"]


def test_a_bad_database_url_is_one_clear_line(tmp_path):
    result = run_yizhan("community", "list", database_url="mysql://localhost/x")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip() == ("error: Unsupported database URL 'mysql://localhost/x': "
                                     "use sqlite:///… or postgresql://… [BAD_DATABASE_URL]")


def test_plugins_list_and_info(community, cli):
    names = [p["name"] for p in ok(cli("plugins", "list", "--json")).json()]
    assert names == get_registry().order and "core" in names
    table = ok(cli("plugins", "list")).stdout.splitlines()
    assert table[0].split() == ["NAME", "VERSION", "REQUIRES", "SOURCE"]
    assert ["core", "0.1.0", "-", "yizhan.core"] in [line.split() for line in table]
    per_community = ok(cli("plugins", "list", "-c", "testville", "--json")).json()
    assert {p["name"]: p["enabled"] for p in per_community}["core"] is True
    assert all(not p["enabled"] for p in per_community if p["name"] != "core")
    info = ok(cli("plugins", "info", "core", "--json")).json()
    assert info["settings"] == {"escalate_after_minutes": 120, "max_credits_per_need": "10",
                                "max_window_days": 30, "auto_confirm_after_hours": 48,
                                "confirm_reminder_hours_before": 24,
                                "overdue_helper_after_hours": 2,
                                "overdue_leader_after_hours": 24,
                                "proxy_helper_needs_second_leader": False}
    assert "yizhan_register_jobs" in info["hooks"]
    text = ok(cli("plugins", "info", "core")).stdout
    assert "settings: escalate_after_minutes=120, max_credits_per_need=10" in text


@pytest.mark.parametrize("args, code", [
    (("plugins", "info", "nope"), "UNKNOWN_PLUGIN"),
    (("plugins", "enable", "nope", "-c", "testville"), "UNKNOWN_PLUGIN"),
    (("plugins", "disable", "nope", "-c", "testville"), "UNKNOWN_PLUGIN"),
    (("plugins", "config", "nope", "-c", "testville"), "UNKNOWN_PLUGIN"),
    (("plugins", "config", "nope", "-c", "testville", "a=1"), "UNKNOWN_PLUGIN"),
    (("plugins", "enable", "core", "-c", "nowhere"), "NOT_FOUND"),
    (("plugins", "list", "-c", "nowhere"), "NOT_FOUND"),
    (("plugins", "disable", "core", "-c", "testville"), "PLUGIN_ALWAYS_ON"),
    (("plugins", "config", "core", "-c", "testville", "escalate_after_minutes=1"),
     "INVALID_SETTING"),
    (("plugins", "config", "core", "-c", "testville", "colour=red"), "UNKNOWN_SETTING"),
    (("plugins", "config", "core", "-c", "testville", "no-equals-sign"), "INVALID_INPUT"),
    (("member", "list", "-c", "nowhere"), "NOT_FOUND"),
    (("member", "list", "-c", "Bad Slug!"), "NOT_FOUND"),
    (("jobs", "run", "--only", "nope"), "UNKNOWN_JOB"),
])
def test_user_mistakes_are_one_line_and_write_nothing(community, cli, args, code):
    refused(cli(*args), code)
    states = ok(cli("plugins", "config", "core", "-c", "testville", "--json")).json()
    assert states == {"escalate_after_minutes": 120, "max_credits_per_need": "10",
                      "max_window_days": 30, "auto_confirm_after_hours": 48,
                      "confirm_reminder_hours_before": 24, "overdue_helper_after_hours": 2,
                      "overdue_leader_after_hours": 24,
                      "proxy_helper_needs_second_leader": False}


def test_plugin_config_shows_changes_and_keeps_types(community, cli):
    shown = ok(cli("plugins", "config", "core", "-c", "testville")).stdout.splitlines()
    assert "escalate_after_minutes: 120" in shown
    changed = ok(cli("plugins", "config", "core", "-c", "testville",
                     "escalate_after_minutes=30", "max_credits_per_need=2.5", "--json")).json()
    assert changed == {"escalate_after_minutes": 30, "max_credits_per_need": "2.5",
                       "max_window_days": 30, "auto_confirm_after_hours": 48,
                       "confirm_reminder_hours_before": 24, "overdue_helper_after_hours": 2,
                       "overdue_leader_after_hours": 24,
                       "proxy_helper_needs_second_leader": False}
    again = ok(cli("plugins", "config", "core", "-c", "testville", "max_window_days=7",
                   "--json")).json()
    assert again["escalate_after_minutes"] == 30 and again["max_window_days"] == 7


def test_plugins_enable_and_disable(community, cli):
    assert "hello" in get_registry().plugins, (
        "install the test plugin first: pip install -e tests/thirdparty/yizhan-hello")
    assert ok(cli("plugins", "enable", "hello", "-c", "testville")).stdout == (
        "hello enabled in testville.\n")
    listed = {p["name"]: p for p in ok(cli("plugins", "list", "-c", "testville",
                                            "--json")).json()}
    assert listed["hello"]["enabled"] is True
    assert listed["hello"]["settings"] == {"greeting": "Hello", "max_entries": 1000}
    assert ok(cli("plugins", "disable", "hello", "-c", "testville")).stdout == (
        "hello disabled in testville.\n")
    listed = {p["name"]: p for p in ok(cli("plugins", "list", "-c", "testville",
                                            "--json")).json()}
    assert listed["hello"]["enabled"] is False


def test_schema_prints_the_sdl(cli, tmp_path):
    printed = ok(cli("schema")).stdout
    assert printed == print_sdl()
    parsed = build_ast_schema(parse(printed))
    assert "needs" in parsed.query_type.fields
    post_need = parsed.mutation_type.fields["postNeed"]
    assert str(post_need.args["input"].type) == "PostNeedInput!"
    target = tmp_path / "schema.graphql"
    assert ok(cli("schema", "-o", target)).stdout == ""
    assert target.read_text(encoding="utf-8") == printed


def test_jobs_list_and_run(cli, clock):
    jobs = ok(cli("jobs", "list", "--json")).json()
    assert {"job": "core.expire_needs", "every_seconds": 60} in jobs
    assert ok(cli("demo")).stdout.startswith("Demo community 'shuixie' created.")
    first = {r["job"]: r["acted_on"] for r in ok(cli("jobs", "run", "--json")).json()}
    assert first["core.expire_needs"] == 0 and first["core.escalate_needs"] == 0
    skipped = {r["job"]: r["acted_on"] for r in ok(cli("jobs", "run", "--json")).json()}
    assert skipped["core.expire_needs"] == "skipped (not due or running elsewhere)"
    clock.advance(days=3)  # the windows of the three open demo needs have ended
    ran = {r["job"]: r["acted_on"] for r in ok(cli("jobs", "run", "--json")).json()}
    assert ran["core.expire_needs"] == 3
    forced = ok(cli("jobs", "run", "--force", "--only", "core.expire_needs", "--json")).json()
    assert forced == [{"job": "core.expire_needs", "acted_on": 0}]  # idempotent
    table = ok(cli("jobs", "run", "--force", "--only", "core.expire_needs")).stdout
    assert table.splitlines()[0].split() == ["JOB", "ACTED_ON"]


def test_demo_is_idempotent(cli):
    created = ok(cli("demo", "--json")).json()
    assert created["created"] is True and created["community"] == "shuixie"
    assert created["logins"] == ["sun", "wang", "zhao", "zhang", "li", "chen", "liu",
                                 "wangnainai"]
    assert ok(cli("demo")).stdout == "Demo community 'shuixie' already exists.\n"
    assert ok(cli("demo", "--json")).json() == {"community": "shuixie", "created": False,
                                                "refreshed": 0}
    members = ok(cli("member", "list", "-c", "shuixie", "--json")).json()
    # Core's seven people, plus what plugins seed (the merchants plugin adds two shop staff).
    assert set(created["logins"]) <= {m["username"] for m in members}
    assert all(m["status"] == "verified" for m in members)
    roles = {m["username"]: m["role"] for m in members}
    assert (roles["sun"], roles["wang"], roles["zhao"]) == (
        "admin", "building_leader", "deputy_leader")
    plugins = ok(cli("plugins", "list", "-c", "shuixie", "--json")).json()
    assert all(p["enabled"] for p in plugins)  # every installed plugin is on in the demo
    assert len(ok(cli("building", "list", "-c", "shuixie", "--json")).json()) == 3


def test_every_listing_has_json_that_parses(community, cli):
    for args in (("community", "list"), ("building", "list", "-c", "testville"),
                 ("member", "list", "-c", "testville"), ("token", "list"),
                 ("plugins", "list"), ("plugins", "list", "-c", "testville"),
                 ("plugins", "info", "core"), ("plugins", "config", "core", "-c", "testville"),
                 ("jobs", "list"), ("db", "migrate")):
        parsed = ok(cli(*args, "--json")).json()
        assert isinstance(parsed, list | dict), args


def test_a_mistake_in_the_real_command_has_no_traceback(community, yizhan_db):
    result = run_yizhan("member", "verify", "ghost", "-c", "testville", "--real-name", "G",
                        database_url=yizhan_db)
    assert result.returncode == 1 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert ERROR_LINE.match(line) and line.endswith("[NOT_FOUND]")


def test_usage_mistakes_are_plain_click_errors(cli):
    usage = cli("community", "create")  # missing argument
    assert usage.exit_code == 2 and usage.exception is None
    assert usage.stderr.splitlines()[-1] == "Error: Missing argument 'slug'."
    unknown = cli("plugins", "list", "--colour")
    assert unknown.exit_code == 2
    assert unknown.stderr.splitlines()[-1] == "Error: No such option: --colour"


async def test_enabling_a_plugin_whose_tables_are_not_migrated_is_refused(fresh_database_url):
    """A plugin installed after the last ``yizhan db migrate`` is refused with NOT_MIGRATED (in
    both languages), and enabled once its migrations ran."""
    without_hello = {"YIZHAN_PLUGINS_DENY": "hello"}
    ready = run_yizhan("init", "--demo", database_url=fresh_database_url, env=without_hello)
    assert ready.returncode == 0, ready.stderr
    assert "hello_guestbook" not in await table_names(fresh_database_url)
    message = "The {plugin} module's tables are not ready: run yizhan db migrate first."
    result = run_yizhan("plugins", "enable", "hello", "-c", "shuixie",
                        database_url=fresh_database_url)
    assert result.returncode == 1 and result.stdout == "" and "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1] == (
        f"error: {message.format(plugin='hello')} [NOT_MIGRATED]")
    assert translate(message, "zh_Hans", plugin="hello") == (
        "hello 模块的数据表尚未就绪：请先运行 yizhan db migrate。")
    listed = run_yizhan("plugins", "list", "-c", "shuixie", "--json",
                        database_url=fresh_database_url)
    assert {p["name"]: p["enabled"] for p in json.loads(listed.stdout)}["hello"] is False
    assert run_yizhan("db", "migrate", database_url=fresh_database_url).returncode == 0
    enabled = run_yizhan("plugins", "enable", "hello", "-c", "shuixie",
                         database_url=fresh_database_url)
    assert enabled.returncode == 0, enabled.stderr


def test_an_unknown_setting_lists_the_valid_names(community, cli):
    message = refused(cli("plugins", "config", "core", "-c", "testville", "colour=red"),
                      "UNKNOWN_SETTING")
    assert message == ("Unknown setting colour. The settings are: auto_confirm_after_hours, "
                       "confirm_reminder_hours_before, escalate_after_minutes, "
                       "max_credits_per_need, max_window_days, overdue_helper_after_hours, "
                       "overdue_leader_after_hours, proxy_helper_needs_second_leader.")
