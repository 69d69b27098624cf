"""Fixtures for the merchants tests (helpers are in ``merchants_helpers``)."""

from __future__ import annotations

import pytest_asyncio
from merchants_helpers import give_credits

from yizhan.testing.people import make_actor


@pytest_asyncio.fixture
async def merchants_on(community: dict, enable_plugin) -> dict:
    """Testville with credits and merchants switched on."""
    await enable_plugin(community, "credits")
    await enable_plugin(community, "merchants")
    return community


@pytest_asyncio.fixture
async def cashier(merchants_on, gql):
    """A verified resident of building B who will work at the shop's till."""
    return await make_actor(merchants_on, gql, "cashier1", "B", "resident")


@pytest_asyncio.fixture
async def shop(merchants_on, cashier) -> dict:
    """A supermarket that started a week ago, with the cashier as staff and no rules."""
    from datetime import timedelta

    from yizhan.plugins.merchants import service, shops

    row = await service.register(
        merchants_on, None, name="Neighbourhood Supermarket", kind="supermarket",
        address="Gate 2, Building B", contact="Mr Zhou 138-0000-0000",
        starts_on=shops.local_date(merchants_on) - timedelta(days=7))
    await service.add_staff(merchants_on, None, row["id"], cashier.member_id)
    return row


@pytest_asyncio.fixture
async def rich_resident(merchants_on, resident):
    """The resident with 50 credits."""
    await give_credits(merchants_on, resident.member_id, "50.00")
    return resident
