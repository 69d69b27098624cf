"""Every ``yizhan`` command, core's and the installed plugins', takes ``--json``."""

from __future__ import annotations

import json

import typer

from yizhan.cli.main import make_app


def _commands(command, path=()):
    if hasattr(command, "commands"):
        for name, sub in command.commands.items():
            yield from _commands(sub, (*path, name))
    else:
        yield " ".join(path), command


def test_every_command_takes_json():
    found = dict(_commands(typer.main.get_command(make_app())))
    assert len(found) > 30
    missing = [name for name, command in found.items()
               if "--json" not in {o for p in command.params for o in getattr(p, "opts", [])}]
    assert missing == []


def test_json_of_the_commands_that_lacked_it(community, cli, tmp_path):
    enabled = cli("plugins", "enable", "credits", "-c", "testville", "--json")
    assert enabled.exit_code == 0, enabled.stderr
    assert json.loads(enabled.stdout) == {"plugin": "credits", "community": "testville",
                                          "enabled": True}
    disabled = json.loads(cli("plugins", "disable", "credits", "-c", "testville",
                              "--json").stdout)
    assert disabled["enabled"] is False
    sdl = json.loads(cli("schema", "--json").stdout)["sdl"]
    assert "type Query" in sdl
    written = json.loads(cli("schema", "-o", str(tmp_path / "s.graphql"), "--json").stdout)
    assert written == {"written": str(tmp_path / "s.graphql")}
    made = json.loads(cli("token", "create", "--service", "bot", "-c", "testville",
                          "--json").stdout)
    revoked = cli("token", "revoke", str(made["id"]), "--json")
    assert json.loads(revoked.stdout) == {"id": made["id"], "revoked": True}
    scaffold = cli("plugins", "new", "tool_shed", "-d", str(tmp_path), "--json")
    assert json.loads(scaffold.stdout)["created"].endswith("yizhan-tool_shed") or \
        json.loads(scaffold.stdout)["created"].startswith(str(tmp_path))
