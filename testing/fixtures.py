"""pytest fixtures for Yizhan and for plugin authors (loaded as the ``yizhan`` pytest plugin).

The database comes from ``YIZHAN_TEST_DATABASE_URL`` (default: a fresh SQLite file in a
temporary folder). It is migrated once per session and emptied before every test that uses
``yizhan_db``. Add to your ``pyproject.toml``::

    [tool.pytest.ini_options]
    asyncio_mode = "auto"
    asyncio_default_fixture_loop_scope = "session"
    asyncio_default_test_loop_scope = "session"

Fixtures: ``quick_password_hashes`` (autouse: cheap Argon2 costs), ``clock`` (a movable
clock), ``yizhan_db``, ``app``, ``gql`` (anonymous GraphQL client over the ASGI app),
``community`` (with buildings ``A`` of 320 households and ``B``),
``admin``, ``leader``, ``deputy``, ``resident``, ``neighbour`` (verified members with
their own clients), ``pending`` (asked to join, not verified), ``enable_plugin``,
``add_hooks`` (hook implementations for one test), ``yizhan_server`` (a real ``yizhan serve``
over HTTP), ``cli`` (the ``yizhan`` CLI
in-process).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import pytest
import pytest_asyncio

from yizhan.core import clock as clock_module
from yizhan.core import db
from yizhan.testing.cli import CliInvoker
from yizhan.testing.client import GraphQLClient
from yizhan.testing.people import Actor, make_actor
from yizhan.testing.server import ServerProcess, start_server

START = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``hook`` marker: ``@pytest.mark.hook("yizhan_need_posted")`` says a test
    exercises that hook (Yizhan's meta-test requires one for every hook)."""
    config.addinivalue_line(
        "markers", "hook(*names): the test exercises these plugin hooks (hook coverage)")


async def _database_url(tmp_root: str) -> str:
    """The session's database. Under pytest-xdist each worker has its own: a file in its own
    temporary folder, or on PostgreSQL a database named after the worker (created once)."""
    url = os.environ.get("YIZHAN_TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_root}/yizhan-test.db"
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker or not url.startswith("postgres"):
        return url
    from urllib.parse import urlparse, urlunparse

    import asyncpg

    name = f"{urlparse(url).path.lstrip('/')}_{worker}"
    admin = await asyncpg.connect(url)
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return urlunparse(urlparse(url)._replace(path=f"/{name}"))


@pytest_asyncio.fixture(scope="session")
async def yizhan_database(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """The session's database: migrated once; yields its URL."""
    from yizhan.core.dbmigrate import migrate
    from yizhan.testing.database import reset_schema

    url = await _database_url(str(tmp_path_factory.mktemp("db")))
    os.environ["YIZHAN_DATABASE_URL"] = url
    from yizhan.core.config import get_settings

    get_settings.cache_clear()
    db.use(url)
    await db.start()
    await reset_schema()
    await migrate()
    yield url
    await db.stop()


@pytest.fixture(autouse=True)
def quick_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id with tiny costs in tests: the same code path, a hundred times faster.

    (A real server started by ``yizhan_server`` keeps the production costs.)
    """
    from argon2 import PasswordHasher

    from yizhan.core.services import people

    quick = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(people, "_hasher", quick)
    monkeypatch.setattr(people, "_DUMMY_HASH", quick.hash("not-a-password"))


@pytest.fixture
def clock() -> Iterator[clock_module.MovableClock]:
    """A clock standing at Monday 2 November 2026, 09:00 Shanghai time; tests move it."""
    movable = clock_module.MovableClock(START)
    previous = clock_module.install(movable)
    yield movable
    clock_module.install(previous)


@pytest_asyncio.fixture
async def yizhan_db(yizhan_database: str, clock: clock_module.MovableClock) -> str:
    """An empty, migrated database for this test."""
    from yizhan.core.broker import broker
    from yizhan.core.services.communities import forget_cached
    from yizhan.core.switches import switches
    from yizhan.testing.database import truncate_all

    await truncate_all()
    forget_cached()
    await switches.refresh(force=True)
    broker.last_id = None
    return yizhan_database


_apps: dict[int, object] = {}


def _app_for_registry():
    """The app for the current plugin registry, built once (schema assembly costs ~0.1 s);
    tests that swap the registry get their own."""
    from yizhan.core.app import create_app
    from yizhan.core.plugins import get_registry

    registry = get_registry()
    key = id(registry)
    found = _apps.get(key)
    if found is None or found[0] is not registry:
        found = (registry, create_app(run_jobs=False))
        _apps[key] = found
    return found[1]


@pytest_asyncio.fixture
async def app(yizhan_db: str):
    """An HTTP client for the app of the installed plugins, run in-process on the test's loop
    (its lifespan entered, background jobs off: tests run them with ``jobs.run_due``)."""
    import httpx

    from yizhan.core.app import lifespan

    application = _app_for_registry()
    async with lifespan(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://yizhan.test") as http:
            yield http


@pytest.fixture
def gql(app) -> GraphQLClient:
    """An anonymous GraphQL client; ``gql.as_(token)`` for someone logged in."""
    return GraphQLClient(app)


@pytest_asyncio.fixture
async def community(yizhan_db: str) -> dict:
    """Community ``testville`` (Asia/Shanghai) with building ``A`` (320 households) and ``B``."""
    from yizhan.core.services import communities

    row = await communities.create_community("testville", "Testville", "Asia/Shanghai", "en")
    row["buildings"] = {
        "A": await communities.create_building(row, "A", 320),
        "B": await communities.create_building(row, "B", 40),
    }
    return row


@pytest_asyncio.fixture
async def admin(community: dict, gql: GraphQLClient) -> Actor:
    """A verified community admin (no building)."""
    return await make_actor(community, gql, "admin1", None, "admin")


@pytest_asyncio.fixture
async def leader(community: dict, gql: GraphQLClient) -> Actor:
    """The head leader of building A."""
    return await make_actor(community, gql, "leader1", "A", "building_leader")


@pytest_asyncio.fixture
async def deputy(community: dict, gql: GraphQLClient) -> Actor:
    """A deputy leader of building A."""
    return await make_actor(community, gql, "deputy1", "A", "deputy_leader")


@pytest_asyncio.fixture
async def resident(community: dict, gql: GraphQLClient) -> Actor:
    """A verified resident of building A."""
    return await make_actor(community, gql, "resident1", "A", "resident")


@pytest_asyncio.fixture
async def neighbour(community: dict, gql: GraphQLClient) -> Actor:
    """Another verified resident of building A."""
    return await make_actor(community, gql, "neighbour1", "A", "resident")


@pytest_asyncio.fixture
async def pending(community: dict, gql: GraphQLClient) -> Actor:
    """Someone in building A who asked to join and is not verified yet."""
    return await make_actor(community, gql, "pending1", "A", None)


class _Hooks:
    """A throwaway holder: ``add_hooks`` attaches hook implementations to it."""


@pytest.fixture
def add_hooks() -> Iterator:
    """``add_hooks(yizhan_need_accepted=fn, …)`` registers hook implementations for one test.

    The functions take the hook's keyword arguments (and may be async where the hook allows).
    They run for every community and are removed after the test.
    """
    from yizhan.core.plugins import get_registry, hookimpl

    registry = get_registry()
    added: list[object] = []

    def add(**impls) -> None:
        holder = _Hooks()
        for name, function in impls.items():
            setattr(holder, name, hookimpl(function))
        registry.add_implementations(holder, name=f"test-hooks-{id(holder)}")
        added.append(holder)

    yield add
    for holder in added:
        registry.remove_implementations(holder)


@pytest.fixture
def enable_plugin(yizhan_db: str):
    """``await enable_plugin(community, "credits")`` switches a plugin on (as the CLI does)."""
    from yizhan.core.services import plugin_admin

    async def enable(community: dict, name: str) -> None:
        await plugin_admin.enable(community, name)

    return enable


@pytest_asyncio.fixture
async def cli(yizhan_db: str) -> AsyncIterator[CliInvoker]:
    """``cli("plugins", "enable", "credits", "-c", "testville")`` runs the ``yizhan`` CLI
    in-process on the test database; returns exit code, stdout, stderr (use from ``def``
    tests). On PostgreSQL the session's pool is paused meanwhile: each command opens its own,
    as in a shell."""
    paused = db.is_postgres() and getattr(db.engine(), "pool", None) is not None
    if paused:
        await db.stop()
    try:
        yield CliInvoker()
    finally:
        if paused:
            await db.start()


@pytest_asyncio.fixture
async def yizhan_server(yizhan_db: str) -> AsyncIterator[ServerProcess]:
    """A real ``yizhan serve`` (uvicorn) on a free 127.0.0.1 port, on the test database."""
    server = await start_server(yizhan_db)
    try:
        yield server
    finally:
        server.stop()
