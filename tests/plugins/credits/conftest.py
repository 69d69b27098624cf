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



