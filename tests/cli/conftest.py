"""Fixtures of the CLI tests: fast password hashes and a fresh, empty database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from yizhan.testing.cli import fresh_database


@pytest.fixture(autouse=True)
def quick_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id with tiny costs (the in-process CLI shares this process)."""
    from argon2 import PasswordHasher

    from yizhan.core.services import people

    quick = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(people, "_hasher", quick)
    monkeypatch.setattr(people, "_DUMMY_HASH", quick.hash("not-a-password"))


@pytest_asyncio.fixture
async def fresh_database_url(yizhan_database: str, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database of the session's kind (SQLite file or PostgreSQL database)."""
    async with fresh_database(yizhan_database, tmp_path) as url:
        yield url
