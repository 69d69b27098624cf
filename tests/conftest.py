"""Yizhan's own tests use the fixtures of ``yizhan.testing`` (loaded as a pytest plugin)."""

import os

import pytest

# Every GraphQL operation the suite sends runs on graphql-core with its resolvers recorded,
# then graphql-core and the fast executor both complete the recorded results; a difference
# fails the test (see yizhan.core.graphql.execution and tests/core/test_fast_execution.py).
os.environ.setdefault("YIZHAN_GRAPHQL_EXECUTION", "verify")


@pytest.fixture(autouse=True)
def fast_execution_agrees():
    """No test may see the fast executor answer differently from graphql-core."""
    from yizhan.core.graphql.execution import MISMATCHES

    MISMATCHES.clear()
    yield
    assert not MISMATCHES, "fast GraphQL execution differs from graphql-core:\n" + "\n".join(
        f"{text}\n{found}" for text, found in MISMATCHES)
