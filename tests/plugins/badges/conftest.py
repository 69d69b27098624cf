"""Fixtures for the badges tests (helpers are in ``badges_helpers``)."""

from __future__ import annotations

import pytest_asyncio


@pytest_asyncio.fixture
async def badges(community: dict, enable_plugin) -> dict:
    """Testville with the badges plugin on (its key and default badges made)."""
    await enable_plugin(community, "badges")
    return community

