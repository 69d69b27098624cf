"""The public API of core is a promise: its names are listed by hand and snapshotted here.

Adding a name to ``yizhan.core.api.__all__`` (or removing one) must be deliberate: update
tests/core/api_names.txt in the same commit, and docs/api-reference.md (scripts/apidoc).
"""

from __future__ import annotations

import ast
from pathlib import Path

import yizhan.core.api as api

SNAPSHOT = Path(__file__).with_name("api_names.txt")


def test_all_matches_the_committed_list():
    committed = [line for line in SNAPSHOT.read_text().splitlines() if line.strip()]
    assert sorted(api.__all__) == committed


def test_all_is_listed_by_hand_without_duplicates():
    tree = ast.parse(Path(api.__file__).read_text())
    assigned = [node for node in tree.body if isinstance(node, ast.Assign)
                and any(getattr(t, "id", None) == "__all__" for t in node.targets)]
    assert len(assigned) == 1 and isinstance(assigned[0].value, ast.List)
    names = [elt.value for elt in assigned[0].value.elts]
    assert len(names) == len(set(names))


def test_every_name_exists():
    missing = [name for name in api.__all__ if not hasattr(api, name)]
    assert missing == []
