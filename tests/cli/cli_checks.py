"""Assertions shared by the CLI tests."""

from __future__ import annotations

import re

from yizhan.testing.cli import CliRun

ERROR_LINE = re.compile(r"^error: (?P<message>.+) \[(?P<code>[A-Z_]+)\]$")


def ok(result: CliRun) -> CliRun:
    """The command succeeded (exit 0, nothing on stderr, no exception)."""
    assert (result.exit_code, result.exception, result.stderr) == (0, None, ""), result
    return result


def refused(result: CliRun, code: str, message: str | None = None) -> str:
    """The command failed as a user mistake should: exit 1, one ``error: … [CODE]`` line on
    stderr, nothing on stdout, no traceback. Returns the message."""
    assert result.exception is None, result.exception
    assert result.exit_code == 1, result
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    match = ERROR_LINE.match(lines[0])
    assert match, lines[0]
    assert match["code"] == code, lines[0]
    if message is not None:
        assert match["message"] == message
    return match["message"]
