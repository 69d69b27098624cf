"""Every plugin looks the same inside, so a reader (and the next plugin) knows where things are."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from yizhan.core.plugins import CORE, PluginRegistry

FILES = ("plugin.py", "tables.py", "service.py", "settings.py", "cli.py", "piccolo_app.py",
         "migrations/__init__.py", "locale/zh_Hans.po")


def _plugins() -> list[str]:
    registry = PluginRegistry()
    registry.load()
    return [name for name in registry.order if name != CORE]


@pytest.mark.parametrize("name", _plugins())
def test_the_same_files_and_one_name_constant(name):
    registry = PluginRegistry()
    registry.load()
    module = registry.plugins[name].module
    folder = Path(module.__file__).parent
    missing = [f for f in FILES if not (folder / f).exists()]
    assert (folder / "schema.py").exists() or (folder / "schema" / "__init__.py").exists()
    assert missing == []
    package = importlib.import_module(module.__name__.rsplit(".", 1)[0])
    assert package.NAME == name == module.PLUGIN.name
