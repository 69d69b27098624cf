"""The import contracts (pyproject.toml, checked by ``lint-imports`` in scripts/test.sh) stay
honest: an allowed import between two plugins is one the importing plugin declares, and goes to
the other plugin's ``service`` module."""

from __future__ import annotations

import tomllib
from pathlib import Path

from yizhan.core.plugins import PluginRegistry

ROOT = Path(__file__).resolve().parents[2]


def _contract(contract_id: str) -> dict:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return next(c for c in config["contracts"] if c["id"] == contract_id)


def _declared(name: str) -> set[str]:
    registry = PluginRegistry()
    registry.load()
    spec = registry.plugins[name].spec
    return set(spec.requires) | set(getattr(spec, "works_with", ()))


def test_cross_plugin_imports_are_declared_and_go_to_the_service():
    allowed = _contract("plugins-independent")["ignore_imports"]
    assert allowed, "the contract lists the allowed cross-plugin imports"
    for line in allowed:
        importer, imported = (part.strip() for part in line.split("->"))
        source = importer.split(".")[2]
        target = imported.split(".")
        assert imported == f"yizhan.plugins.{target[2]}.service", line
        assert target[2] in _declared(source), f"{source} does not declare {target[2]}: {line}"


def test_every_plugin_is_under_the_contracts():
    plugins = _contract("plugins-use-core-api")["source_modules"]
    assert "yizhan.plugins" in plugins
    assert _contract("plugins-independent")["modules"] == ["yizhan.plugins.*"]
