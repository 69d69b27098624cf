"""Fixtures of the tool library's tests, on top of those of ``yizhan.testing``.

``neighbour`` lends (the owner), ``resident`` borrows. Helpers are in ``toollib_helpers``.
"""

from __future__ import annotations

import pytest


@pytest.fixture
async def toollib_on(community, enable_plugin):
    """Testville with the tool library on (credits off)."""
    await enable_plugin(community, "toollib")
    return community


@pytest.fixture
async def credits_on(toollib_on, enable_plugin):
    """Testville with the tool library and credits on (deposits apply)."""
    from importlib.metadata import entry_points

    if "credits" not in {ep.name for ep in entry_points(group="yizhan")}:
        pytest.skip("the credits plugin is not installed: deposits cannot apply")
    await enable_plugin(toollib_on, "credits")
    return toollib_on
