"""The ASGI application: ``/graphql`` (HTTP and WebSocket), ``/health``, background loops."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from litestar import Litestar, Request, Response, get
from strawberry.http.base import HTTPException  # the exception Strawberry answers 4xx with
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


@get("/metrics")
async def metrics_endpoint(request: Request) -> Response:
    """Prometheus metrics (see :mod:`yizhan.core.metrics`), as configured by
    ``YIZHAN_METRICS`` and ``YIZHAN_METRICS_TOKEN``."""
    from yizhan.core import metrics

    settings = get_settings()
    status = metrics.authorized(settings.metrics.strip().lower(), settings.metrics_token,
                                request.headers.get("authorization"))
    if status == 404:
        return Response({"code": "NOT_FOUND", "message": "Metrics are off."}, status_code=404)
    if status == 401:
        return Response({"code": "UNAUTHENTICATED", "message": "A metrics token is needed."},
                        status_code=401, headers={"WWW-Authenticate": "Bearer"})
    body, content_type = await metrics.scrape()
    return Response(body, media_type=content_type)


async def _poll_loop(interval: float) -> None:
    polls = 0
    while True:
        try:
            await switches.refresh()
            await broker.poll_once()
            if polls % max(1, int(2 / interval)) == 0:  # about every 2 s
                await db.check_replica()
        except Exception:  # keep serving; the next poll tries again
            log.exception("poll failed")
        polls += 1
        await asyncio.sleep(interval)


async def _jobs_loop(interval: float) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            await jobs.run_due()
        except Exception:
            log.exception("background jobs failed")


def _graphql_controller(base: type) -> type:
    """Strawberry's controller, refusing a JSON body that is not an object (a string, a number,
    ``null``) or is nested absurdly deep with a 400, instead of failing on it with a 500."""

    class GraphQLController(base):  # type: ignore[misc, valid-type]
        def parse_json(self, data: str | bytes) -> Any:
            try:
                decoded = super().parse_json(data)
            except RecursionError:  # absurdly nested JSON
                raise HTTPException(400, "The request body is nested too deeply.") from None
            if not isinstance(decoded, dict | list):
                raise HTTPException(400, "The request body must be a JSON object.")
            return decoded

    return GraphQLController


def create_app(run_jobs: bool | None = None) -> Litestar:
    """Build the app for the installed plugins and the configured database."""
    settings = get_settings()
    db.engine()
    schema = build_schema()
    graphql = _graphql_controller(make_graphql_controller(
        schema,
        path="/graphql",
        graphql_ide=None if settings.production else "graphiql",
        context_getter=get_context,
        keep_alive=True,
        keep_alive_interval=15,
    ))
    routes: list = [graphql, health, metrics_endpoint]
    for handlers in get_registry().register_results("yizhan_register_routes").values():
        routes.extend(handlers or [])
    app = Litestar(route_handlers=routes, exception_handlers=http_exception_handlers(),
                   lifespan=[lifespan], debug=False)
    app.state.run_jobs = settings.jobs_interval > 0 if run_jobs is None else run_jobs
    return app


@contextlib.asynccontextmanager
async def lifespan(app: Litestar) -> AsyncIterator[None]:
    """Open the database, load plugin switches, run the poll (and jobs) loops; undo on exit.

    Tests enter it directly around an in-process client, so the app runs on their event loop.
    """
    settings = get_settings()
    opened = await db.start()
    await switches.refresh(force=True)
    await broker.poll_once()
    tasks = [asyncio.create_task(_poll_loop(settings.poll_interval))]
    if app.state.run_jobs:
        tasks.append(asyncio.create_task(_jobs_loop(settings.jobs_interval)))
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if opened:
            await db.stop()
