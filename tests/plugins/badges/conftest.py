"""Fixtures for the badges tests (helpers are in ``badges_helpers``)."""

from __future__ import annotations

import pytest
import pytest_asyncio


@pytest_asyncio.fixture
async def badges(community: dict, enable_plugin) -> dict:
    """Testville with the badges plugin on (its key and default badges made)."""
    await enable_plugin(community, "badges")
    return community


@pytest.fixture(autouse=True)
def quick_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id with tiny costs in these tests: the same code path, much faster."""
    from argon2 import PasswordHasher

    from yizhan.core.services import people

    quick = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(people, "_hasher", quick)
    monkeypatch.setattr(people, "_DUMMY_HASH", quick.hash("not-a-password"))
