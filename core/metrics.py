"""Prometheus metrics at ``GET /metrics``, with the official ``prometheus_client``.

Counted as things happen: GraphQL operations by name and outcome with a latency histogram
(a Strawberry extension), job runs and failures (:mod:`yizhan.core.jobs`). Measured at each
scrape: the outbox backlog this process has not yet read, deadlines overdue, the database
pool's connections, and the gauges plugins register with ``yizhan_register_metrics`` (the
webhooks plugin's pending deliveries).

Configuration (environment): ``YIZHAN_METRICS`` is ``token`` (the default: the endpoint needs
``Authorization: Bearer $YIZHAN_METRICS_TOKEN``, and answers 404 while no token is set),
``public`` (no authentication: only behind a private network) or ``off`` (404).
Each server process counts its own requests; scrape each process (or each host) separately.
"""

from __future__ import annotations

import hmac
import inspect
import logging
import re
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from time import perf_counter

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from strawberry.extensions import SchemaExtension

log = logging.getLogger(__name__)

REGISTRY = CollectorRegistry(auto_describe=True)
GRAPHQL_REQUESTS = Counter(
    "yizhan_graphql_requests", "GraphQL operations by operation name and outcome (ok, error).",
    ["operation", "outcome"], registry=REGISTRY)
GRAPHQL_SECONDS = Histogram(
    "yizhan_graphql_request_duration_seconds", "Time to execute a GraphQL operation.",
    ["operation"], registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
JOB_RUNS = Counter("yizhan_job_runs", "Periodic job runs by job.", ["job"], registry=REGISTRY)
JOB_FAILURES = Counter("yizhan_job_failures", "Periodic job runs that raised, by job.",
                       ["job"], registry=REGISTRY)
OUTBOX_BACKLOG = Gauge("yizhan_outbox_backlog",
                       "Outbox events this process has not delivered to subscribers yet.",
                       registry=REGISTRY)
DEADLINES_OVERDUE = Gauge("yizhan_deadlines_overdue",
                          "Pending deadlines more than 5 minutes past due.", registry=REGISTRY)
DB_POOL = Gauge("yizhan_db_pool_connections",
                "PostgreSQL pool connections by state (in_use, idle, max); 0 on SQLite.",
                ["state"], registry=REGISTRY)
#: At most this many distinct operation names are labelled; later ones count as ``other``.
MAX_OPERATIONS = 200
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,59}$")
_seen_operations: set[str] = set()
_plugin_gauges: dict[str, Gauge] = {}


@dataclass(frozen=True)
class MetricGauge:
    """A gauge a plugin contributes: a metric ``name`` (``yizhan_<plugin>_…``), its ``help``,
    and ``compute()`` — an async function (or a plain one) returning a number, called at each
    scrape. Keep it one cheap SQL aggregate."""

    name: str
    help: str
    compute: Callable[[], Awaitable[float] | float]


def operation_label(name: str | None) -> str:
    """A bounded label for an operation name: ``anonymous``, the name, or ``other``."""
    if not name:
        return "anonymous"
    if not _NAME.match(name):
        return "other"
    if name not in _seen_operations:
        if len(_seen_operations) >= MAX_OPERATIONS:
            return "other"
        _seen_operations.add(name)
    return name


class MetricsExtension(SchemaExtension):
    """Count each GraphQL operation and time it."""

    def on_operation(self) -> Iterator[None]:
        started = perf_counter()
        yield
        context = self.execution_context
        label = operation_label(context.operation_name)
        result = context.result
        outcome = "error" if result is not None and getattr(result, "errors", None) else "ok"
        GRAPHQL_REQUESTS.labels(label, outcome).inc()
        GRAPHQL_SECONDS.labels(label).observe(perf_counter() - started)


def _plugin_gauge(gauge: MetricGauge) -> Gauge:
    found = _plugin_gauges.get(gauge.name)
    if found is None:
        found = Gauge(gauge.name, gauge.help, registry=REGISTRY)
        _plugin_gauges[gauge.name] = found
    return found


async def refresh() -> None:
    """Measure the gauges read at scrape time."""
    from yizhan.core import clock, db, deadlines
    from yizhan.core.broker import broker
    from yizhan.core.plugins import get_registry
    from yizhan.core.tables import Outbox

    now = clock.now()
    query = Outbox.count()
    if broker.last_id is not None:
        query = query.where(Outbox.id > broker.last_id)
    OUTBOX_BACKLOG.set(await query if broker.last_id is not None else 0)
    DEADLINES_OVERDUE.set(await deadlines.overdue(now))
    pool = getattr(db.engine(), "pool", None) if db.is_postgres() else None
    if pool is not None:
        size, idle = pool.get_size(), pool.get_idle_size()
        DB_POOL.labels("in_use").set(size - idle)
        DB_POOL.labels("idle").set(idle)
        DB_POOL.labels("max").set(pool.get_max_size())
    else:
        for state in ("in_use", "idle", "max"):
            DB_POOL.labels(state).set(0)
    for plugin, answer in get_registry().register_results("yizhan_register_metrics").items():
        for gauge in answer or []:
            try:
                value = gauge.compute()
                if inspect.isawaitable(value):
                    value = await value
                _plugin_gauge(gauge).set(float(value))
            except Exception:  # one broken gauge must not take the endpoint down
                log.exception("metric %s of %s failed", gauge.name, plugin)


def authorized(mode: str, token: str, header: str | None) -> int:
    """The HTTP status for a scrape: 200, 401 (token missing or wrong) or 404 (off)."""
    if mode == "public":
        return 200
    if mode != "token" or not token:
        return 404
    scheme, _, given = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip(), token):
        return 401
    return 200


async def scrape() -> tuple[bytes, str]:
    """The exposition text and its content type."""
    await refresh()
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
