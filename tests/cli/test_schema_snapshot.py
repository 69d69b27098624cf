"""``schema.graphql`` at the repository root is the committed GraphQL schema: this test fails
when the schema changes without it, so every API change shows up in review.

The committed file is the schema of Yizhan itself (core and the plugins of the ``yizhan``
distribution); plugins installed from other distributions — such as the test plugin
``yizhan-hello`` — are left out, so installing one does not change the file.
"""

from __future__ import annotations

import difflib
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from yizhan.core.graphql.schema import print_sdl
from yizhan.core.plugins import ENTRY_POINT_GROUP, PluginRegistry

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = ROOT / "schema.graphql"


def _foreign_plugins() -> list[str]:
    """Entry-point names of installed plugins that are not part of the yizhan distribution."""
    return sorted(ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)
                  if not ep.dist or ep.dist.name.lower().replace("_", "-") != "yizhan")


def _command(foreign: list[str]) -> str:
    deny = f"YIZHAN_PLUGINS_DENY={','.join(foreign)} " if foreign else ""
    return f"{deny}yizhan schema -o schema.graphql"


def test_schema_graphql_matches_the_schema():
    foreign = _foreign_plugins()
    registry = PluginRegistry()
    registry.load(deny=foreign)
    expected = print_sdl(registry)
    fix = f"run `{_command(foreign)}` at the repository root and commit the file"
    if not SNAPSHOT.exists():
        pytest.fail(f"schema.graphql is missing: {fix}.", pytrace=False)
    committed = SNAPSHOT.read_text(encoding="utf-8")
    if committed != expected:
        diff = "".join(list(difflib.unified_diff(
            committed.splitlines(keepends=True), expected.splitlines(keepends=True),
            "schema.graphql (committed)", "schema (current code)"))[:60])
        pytest.fail(f"schema.graphql is out of date: {fix}.\n{diff}", pytrace=False)
