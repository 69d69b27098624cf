"""Fixtures of core's tests (helpers live in ``core_helpers``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from yizhan.core.plugins import get_registry, hookimpl


class _Hooks:
    """A throwaway plugin object: tests attach hook implementations to it."""


@pytest.fixture
def add_hooks() -> Iterator[Any]:
    """``add_hooks(yizhan_need_accepted=fn, …)`` registers hook implementations for one test.

    The functions take the hook's keyword arguments. They run for every community (a plugin
    outside the registry's list cannot be switched off) and are removed after the test.
    """
    registry = get_registry()
    added: list[object] = []

    def add(**impls: Any) -> None:
        holder = _Hooks()
        for name, function in impls.items():
            setattr(holder, name, hookimpl(function))
        registry.pm.register(holder, name=f"test-hooks-{len(added)}")
        registry._subset_cache.clear()
        added.append(holder)

    yield add
    for holder in added:
        registry.pm.unregister(holder)
    registry._subset_cache.clear()
