"""Fixtures of the insights tests: the plugin on, and a month of activity."""

from __future__ import annotations

from datetime import timedelta

import pytest_asyncio

from yizhan.core import clock as clock_module
from yizhan.core.services import needs


@pytest_asyncio.fixture
async def insights_on(community: dict, enable_plugin) -> dict:
    """Testville with insights on."""
    await enable_plugin(community, "insights")
    return community


@pytest_asyncio.fixture
async def november(insights_on, leader, resident, neighbour, clock) -> dict:
    """In November: two needs posted (one by the leader for the resident), one confirmed after
    30 minutes' wait, one still open."""
    now = clock_module.now()
    done = await needs.post(insights_on, resident.member, title="Fetch a parcel",
                            category="errand", window_start=now + timedelta(hours=1),
                            window_end=now + timedelta(hours=3), estimated_minutes=30)
    clock.advance(minutes=30)
    await needs.accept(insights_on, neighbour.member, done["id"])
    await needs.mark_done(insights_on, neighbour.member, done["id"])
    await needs.confirm(insights_on, resident.member, done["id"])
    await needs.post(insights_on, leader.member, title="Soy sauce", category="shopping",
                     window_start=now + timedelta(hours=1), window_end=now + timedelta(hours=2),
                     estimated_minutes=10, on_behalf_of=resident.member["id"])
    return insights_on
