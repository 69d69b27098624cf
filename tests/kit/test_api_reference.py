"""docs/api-reference.md is generated from the docstrings (python -m yizhan.cli.apidoc) and
must match them: change the API or a docstring, then regenerate the file."""

from __future__ import annotations

from pathlib import Path

import yizhan.core.api as api
from yizhan.cli import apidoc

REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "api-reference.md"


def test_the_committed_reference_is_what_the_script_generates():
    assert REFERENCE.read_text() == apidoc.render(), (
        "docs/api-reference.md is stale: run python -m yizhan.cli.apidoc -o docs/api-reference.md")


def test_every_public_name_has_a_line():
    text = REFERENCE.read_text()
    undocumented = [name for name in api.__all__
                    if f"- `{name}`" not in text and f"- `{name}(" not in text]
    assert undocumented == []
    assert "`.advance(" in text and "`.set(" in text and "`.mutate(" in text
