"""The ASGI application: ``/graphql`` (HTTP and WebSocket), ``/health``, background loops."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from litestar import Litestar, get
from strawberry.litestar import make_graphql_controller

from yizhan.core import db, jobs
from yizhan.core.broker import broker
from yizhan.core.config import get_settings
from yizhan.core.graphql.context import get_context
from yizhan.core.graphql.schema import build_schema
from yizhan.core.http_errors import http_exception_handlers
from yizhan.core.plugins import get_registry
from yizhan.core.switches import switches

log = logging.getLogger("yizhan.server")


@get("/health", sync_to_thread=False)
def health() -> dict[str, str]:
    """Liveness probe for load balancers."""
    return {"status": "ok"}


async def _poll_loop(interval: float) -> None:
    while True:
        try:
            await switches.refresh()
            await broker.poll_once()
        except Exception:  # keep serving; the next poll tries again
            log.exception("poll failed")
        await asyncio.sleep(interval)


async def _jobs_loop(interval: float) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            await jobs.run_due()
        except Exception:
            log.exception("background jobs failed")


def create_app(run_jobs: bool | None = None) -> Litestar:
    """Build the app for the installed plugins and the configured database."""
    settings = get_settings()
    db.engine()
    schema = build_schema()
    graphql = make_graphql_controller(
        schema,
        path="/graphql",
        graphql_ide=None if settings.production else "graphiql",
        context_getter=get_context,
        keep_alive=True,
        keep_alive_interval=15,
    )
    tasks: list[asyncio.Task] = []
    with_jobs = settings.jobs_interval > 0 if run_jobs is None else run_jobs

    async def startup() -> None:
        await db.start()
        await switches.refresh(force=True)
        await broker.poll_once()
        tasks.append(asyncio.create_task(_poll_loop(settings.poll_interval)))
        if with_jobs:
            tasks.append(asyncio.create_task(_jobs_loop(settings.jobs_interval)))

    async def shutdown() -> None:
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await db.stop()

    routes: list = [graphql, health]
    for handlers in get_registry().register_results("yizhan_register_routes").values():
        routes.extend(handlers or [])
    return Litestar(route_handlers=routes, exception_handlers=http_exception_handlers(),
                    on_startup=[startup], on_shutdown=[shutdown], debug=False)
