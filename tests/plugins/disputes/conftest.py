"""Fixtures for the disputes tests (helpers are in ``disputes_helpers``)."""

from __future__ import annotations

import pytest
import pytest_asyncio
from disputes_helpers import fund, give


@pytest.fixture(autouse=True)
def forget_held_needs():
    """Each test starts with an empty database: forget this process's held needs."""
    from yizhan.plugins.disputes import service

    service.held_needs.clear()
    yield
    service.held_needs.clear()


@pytest_asyncio.fixture
async def disputes_on(community: dict, enable_plugin) -> dict:
    """Testville with credits and disputes on, 20 credits in the compensation fund."""
    await enable_plugin(community, "credits")
    await enable_plugin(community, "disputes")
    await fund(community, 2000)
    return community


@pytest_asyncio.fixture
async def disputes_only(community: dict, enable_plugin) -> dict:
    """Testville with disputes on and credits off."""
    await enable_plugin(community, "disputes")
    return community


@pytest_asyncio.fixture
async def paying_resident(disputes_on, resident):
    """The resident (building A) with 5 credits."""
    await give(disputes_on, resident.member_id, 500)
    return resident
