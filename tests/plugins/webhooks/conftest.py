"""Fixtures of the webhooks tests: a signature-checking receiver on 127.0.0.1.

Helpers (GraphQL documents, running the job) live in ``webhooks_helpers``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import pytest_asyncio
from webhooks_helpers import Receiver


@pytest.fixture(autouse=True)
def allow_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """The receivers listen on 127.0.0.1, which production refuses by default."""
    monkeypatch.setenv("YIZHAN_WEBHOOKS_ALLOW_PRIVATE_URLS", "1")


@pytest_asyncio.fixture
async def webhooks_on(community: dict, enable_plugin) -> dict:
    """Testville with the webhooks plugin on."""
    await enable_plugin(community, "webhooks")
    return community


@pytest.fixture
def receiver(clock) -> Iterator[Receiver]:
    """An HTTP receiver on 127.0.0.1 that checks signatures against the test's clock."""
    server = Receiver(clock)
    server.start()
    try:
        yield server
    finally:
        server.stop()
