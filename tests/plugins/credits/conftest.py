"""Fixtures of the credits plugin's tests."""

from __future__ import annotations

import pytest
import pytest_asyncio


@pytest_asyncio.fixture
async def credits_on(community, enable_plugin) -> dict:
    """``testville`` with credits switched on (its system accounts opened)."""
    await enable_plugin(community, "credits")
    return community


@pytest.fixture
def configure(community):
    """``await configure(credit_limit="2")`` changes the community's credits settings."""
    from yizhan.core.services import plugin_admin

    async def apply(**changes) -> None:
        await plugin_admin.configure(community, "credits", changes)

    return apply


class _Hooks:
    """A throwaway plugin object: tests attach hook implementations to it."""


@pytest.fixture
def add_hooks():
    """``add_hooks(yizhan_credits_veto_payment=fn)`` registers hook implementations for one
    test; they are removed afterwards."""
    from yizhan.core.plugins import get_registry, hookimpl

    registry = get_registry()
    added: list[object] = []

    def add(**impls) -> None:
        holder = _Hooks()
        for name, function in impls.items():
            setattr(holder, name, hookimpl(function))
        registry.pm.register(holder, name=f"credits-test-hooks-{len(added)}")
        registry._subset_cache.clear()
        added.append(holder)

    yield add
    for holder in added:
        registry.pm.unregister(holder)
    registry._subset_cache.clear()
