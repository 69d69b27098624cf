"""Yizhan's own tests use the fixtures of ``yizhan.testing`` (loaded as a pytest plugin)."""

from __future__ import annotations

import os

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``YIZHAN_TESTS_USING_THE_DATABASE_ONLY=1`` (the test command's second pass, on
    PostgreSQL) leaves out the tests that never touch the test database: they gave their answer
    on the first pass and would give the same one again."""
    if os.environ.get("YIZHAN_TESTS_USING_THE_DATABASE_ONLY") != "1":
        return
    kept = [item for item in items if "yizhan_database" in item.fixturenames]
    dropped = [item for item in items if "yizhan_database" not in item.fixturenames]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
