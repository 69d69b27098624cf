"""Fixtures for the events tests (helpers are in ``events_helpers``)."""

from __future__ import annotations

import pytest_asyncio

from yizhan.testing.people import make_actor


@pytest_asyncio.fixture
async def events_on(community: dict, enable_plugin) -> dict:
    """Testville with events on and credits off."""
    await enable_plugin(community, "events")
    return community


@pytest_asyncio.fixture
async def credits_on(events_on: dict, enable_plugin) -> dict:
    """Testville with events and credits on, and 100 credits in the community fund."""
    from yizhan.plugins.credits import service as credits

    await enable_plugin(events_on, "credits")
    await credits.transfer(events_on, credits.ISSUANCE, credits.COMMUNITY_FUND, 100_00,
                           kind="funding", reason="Test funding", key="test:fund")
    return events_on


@pytest_asyncio.fixture
async def newcomer(community, gql):
    """A verified resident of building B who has never been to an event."""
    return await make_actor(community, gql, "newcomer1", "B", "resident")
