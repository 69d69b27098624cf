"""Fixtures for the governance tests (helpers are in ``governance_helpers``)."""

from __future__ import annotations

import pytest_asyncio

from yizhan.testing.people import make_actor


@pytest_asyncio.fixture
async def gov(community: dict, enable_plugin) -> dict:
    """Testville with governance on and one grid, 东区, holding building A."""
    from yizhan.plugins.governance import service

    await enable_plugin(community, "governance")
    community["grid"] = await service.create_grid(community, None, "东区", "", ["A"])
    return community


@pytest_asyncio.fixture
async def steward(gov, gql):
    """A verified resident of building B on 东区's team as its property steward."""
    from yizhan.plugins.governance import service

    actor = await make_actor(gov, gql, "steward1", "B", "resident")
    await service.add_team_member(gov, None, gov["grid"]["id"], actor.member_id, "物业管家")
    return actor


@pytest_asyncio.fixture
async def bystander(gov, gql):
    """A verified resident of building B on no team."""
    return await make_actor(gov, gql, "bystander1", "B", "resident")
