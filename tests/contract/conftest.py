"""Fixtures of the plugin-contract tests: the ``probe`` plugins loaded into the registry.

Every test here runs with a registry made of the installed plugins plus :mod:`yz_probe` and
:mod:`yz_probe_child` (loaded with ``PluginRegistry.load(extra_modules=...)`` and made the
process-wide registry with ``set_registry``); the previous registry is restored afterwards.
The app, its schema and the CLI are built after the registry is set, so they include the
probes.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import yz_probe
import yz_probe_child
from contract_helpers import load_registry

from yizhan.core import plugins
from yizhan.core.plugins import PluginRegistry


@pytest.fixture(autouse=True)
def probe_registry(yizhan_db: str) -> Iterator[PluginRegistry]:
    """The installed plugins plus ``probe`` and ``probe_child``, for this test only."""
    previous = plugins.get_registry()
    registry = load_registry(yz_probe, yz_probe_child)
    plugins.set_registry(registry)
    yz_probe.RECORD.reset()
    try:
        yield registry
    finally:
        plugins.set_registry(previous)
        yz_probe.RECORD.reset()


@pytest.fixture
def record() -> yz_probe.Recorder:
    """What the probe plugins saw (emptied before each test)."""
    return yz_probe.RECORD
