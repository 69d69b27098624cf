"""The ASGI application: ``/graphql`` (HTTP and WebSocket), ``/health``, background loops."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import msgspec
from litestar import Litestar, MediaType, Request, Response, get, post
from litestar.background_tasks import BackgroundTasks
from litestar.di import Provide
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http.base import HTTPException  # the exception Strawberry answers 4xx with
from strawberry.litestar import make_graphql_controller

from yizhan.core import db, ide, jobs
from yizhan.core.broker import broker
from yizhan.core.config import get_settings
from yizhan.core.errors import YizhanError
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


#: GraphQL-over-HTTP's own media type; answered when the client accepts it.
GRAPHQL_RESPONSE = "application/graphql-response+json"

#: Strawberry's reasons for refusing a request before it runs -> (our code, HTTP status).
_REFUSALS = [
    ("parse request body as JSON", "INVALID_JSON", 400),
    ("body must be a JSON object", "INVALID_JSON", 400),
    ("nested too deeply", "INVALID_JSON", 400),
    ("No GraphQL query found", "MISSING_QUERY", 400),
    ("`query` must be a string", "INVALID_REQUEST", 400),
    ("`variables` must be an object", "INVALID_REQUEST", 400),
    ("`extensions` must be an object", "INVALID_REQUEST", 400),
    ("Batching is not enabled", "BATCH_NOT_SUPPORTED", 400),
    ("Unsupported content type", "UNSUPPORTED_MEDIA_TYPE", 415),
    ("only supports GET and POST", "METHOD_NOT_ALLOWED", 405),
    ("not allowed when using", "METHOD_NOT_ALLOWED", 405),
    ("Not Found", "NOT_FOUND", 404),
]


def _refusal_code(reason: str, status: int) -> tuple[str, int]:
    for fragment, code, code_status in _REFUSALS:
        if fragment in reason:
            return code, code_status
    return "INVALID_REQUEST", status


def _wants_graphql_response(request: Any) -> bool:
    return GRAPHQL_RESPONSE in (request.headers.get("accept") or "")


def _sub_response() -> Response:
    """Strawberry's sub-response (headers, cookies, status a resolver may set) — made on the
    event loop: Strawberry provides it through a worker thread, a hop per request."""
    return Response({}, background=BackgroundTasks([]))


_encoder = msgspec.json.Encoder()


def _graphql_controller(base: type) -> type:
    """Strawberry's controller, speaking GraphQL over HTTP:

    * a request refused before it runs (malformed JSON, a body that is not an object, no
      query, a batch, a wrong method or media type) answers a JSON body with ``errors`` and
      ``extensions.code``, never ``text/plain``;
    * a request that fails before execution (it does not parse or validate, a bad variable,
      a bad token) answers without ``data``;
    * a client accepting ``application/graphql-response+json`` gets that media type, and a
      4xx status for a request that failed before execution;
    * a WebSocket whose ``connection_init`` carries a bad token is closed with 4403.
    """

    class GraphQLController(base):  # type: ignore[misc, valid-type]
        dependencies = {**base.dependencies,
                        "response": Provide(_sub_response, sync_to_thread=False)}

        @post(status_code=200)
        async def handle_http_post(self, request: Request) -> Response:
            """Strawberry's POST handler with its context and sub-response made here rather
            than injected: Litestar resolves dependencies with no sub-dependencies in a task
            group, three tasks on every request."""
            response = _sub_response()
            self.temporal_response = response
            context = await get_context()
            context.request = request
            context.response = response
            return await self.execute_request(request=request, context=context,
                                              root_value=None)

        def encode_json(self, data: object) -> str | bytes:
            """The answer as compact UTF-8 JSON, encoded by msgspec (several times faster
            than ``json.dumps``); text no UTF-8 can carry falls back to ``json.dumps``. A
            ``str``, so WebSocket messages stay text frames."""
            try:
                return _encoder.encode(data).decode()
            except (TypeError, UnicodeEncodeError, OverflowError):
                return super().encode_json(data)

        def parse_json(self, data: str | bytes) -> Any:
            try:
                decoded = super().parse_json(data)
            except RecursionError:  # absurdly nested JSON
                raise HTTPException(400, "The request body is nested too deeply.") from None
            if not isinstance(decoded, dict | list):
                raise HTTPException(400, "The request body must be a JSON object.")
            return decoded

        async def execute_request(self, request: Any, context: Any, root_value: Any) -> Any:
            try:
                response = await self.run(request, context=context, root_value=root_value)
            except HTTPException as error:
                code, status = _refusal_code(error.reason, error.status_code)
                response = Response(
                    {"errors": [{"message": error.reason, "extensions": {"code": code}}]},
                    status_code=status, media_type=MediaType.JSON)
                if _wants_graphql_response(request):
                    response.media_type = GRAPHQL_RESPONSE
                return response
            if _wants_graphql_response(request) and response.media_type == MediaType.JSON:
                response.media_type = GRAPHQL_RESPONSE
                if request.scope.get("state", {}).get("yizhan_before_execution"):
                    response.status_code = 400
            return response

        async def process_result(self, request: Any, result: Any) -> Any:
            processed = await super().process_result(request, result)
            if processed.get("data") is None and result.errors and all(
                    error.path is None for error in result.errors):
                processed.pop("data", None)  # failed before execution: no data at all
                request.scope.setdefault("state", {})["yizhan_before_execution"] = True
            return processed

        async def render_graphql_ide(self, request: Any) -> Any:
            return ide.page()  # from the package's own files, never a CDN

        async def on_ws_connect(self, context: Any) -> Any:
            try:
                await context.principal()
            except YizhanError:
                raise ConnectionRejectionError() from None
            return await super().on_ws_connect(context)

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
    if not settings.production:
        routes.append(ide.asset)
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
