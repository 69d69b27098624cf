"""Fixtures of the CLI tests: fast password hashes and a fresh, empty database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio

from yizhan.testing.cli import fresh_database


@pytest_asyncio.fixture
async def fresh_database_url(yizhan_database: str, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database of the session's kind (SQLite file or PostgreSQL database)."""
    async with fresh_database(yizhan_database, tmp_path) as url:
        yield url
