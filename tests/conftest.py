"""Yizhan's own tests use the fixtures of ``yizhan.testing`` (loaded as a pytest plugin)."""

from __future__ import annotations

import os

import pytest

# Unless told otherwise, every GraphQL operation the suite sends runs on graphql-core with its
# resolvers recorded, then graphql-core and the fast executor both complete the recorded
# results; a difference fails the test (see yizhan.core.graphql.execution and
# tests/core/test_fast_execution.py). The test command's PostgreSQL pass sets ``fast``, the
# production path, instead.
os.environ.setdefault("YIZHAN_GRAPHQL_EXECUTION", "verify")


@pytest.fixture(autouse=True)
def fast_execution_agrees():
    """No test may see the fast executor answer differently from graphql-core."""
    from yizhan.core.graphql.execution import MISMATCHES

    MISMATCHES.clear()
    yield
    assert not MISMATCHES, "fast GraphQL execution differs from graphql-core:\n" + "\n".join(
        f"{text}\n{found}" for text, found in MISMATCHES)


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
