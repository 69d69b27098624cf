"""The database: one engine per process, chosen by URL, and one transaction per action.

SQLite (the embedded default) runs in WAL mode with a long busy timeout, and every write
transaction starts ``IMMEDIATE`` so concurrent writers queue instead of failing. PostgreSQL is
reached through a pool. :func:`atomic` opens the one transaction of an action; everything
inside it — hooks of plugins included — joins it, because Piccolo keeps the active transaction
in a context variable.
"""

from __future__ import annotations

import contextvars
import functools
import re
import string
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.querystring import QueryString
from piccolo.table import Table

_engine: Engine | None = None
Callback = Callable[[], Awaitable[None] | None]
_after_commit: contextvars.ContextVar[list[Callback] | None] = contextvars.ContextVar(
    "yizhan_after_commit", default=None)
_after_rollback: contextvars.ContextVar[list[Callback] | None] = contextvars.ContextVar(
    "yizhan_after_rollback", default=None)
_before_commit: contextvars.ContextVar[list[Callback] | None] = contextvars.ContextVar(
    "yizhan_before_commit", default=None)
_before_commit_early: contextvars.ContextVar[list[Callback] | None] = contextvars.ContextVar(
    "yizhan_before_commit_early", default=None)
_writes: contextvars.ContextVar[list[tuple[str, tuple]] | None] = contextvars.ContextVar(
    "yizhan_writes_at_commit", default=None)


class DatabaseURLError(ValueError):
    """``YIZHAN_DATABASE_URL`` is neither ``sqlite:///…`` nor ``postgresql://…``."""


#: The name of the read replica among the PostgreSQL engine's extra nodes.
REPLICA = "replica"


def _postgres_config(url: str) -> dict[str, Any]:
    from yizhan.core.config import get_settings

    config: dict[str, Any] = {"dsn": url}
    if get_settings().database_pooler == "pgbouncer":
        # PgBouncer in transaction mode hands each transaction any server connection, so a
        # statement prepared on one is unknown on the next: do not cache prepared statements.
        config["statement_cache_size"] = 0  # (unnamed statements: always custom plans)
    else:
        # asyncpg caches prepared statements; after five runs PostgreSQL may switch one to a
        # generic plan, which cannot see which community a query is for and walks a big
        # community's rows in id order to find a small one's (members(first: 50) of a
        # 1,000-member community: 30 ms next to a 100,000-member one, 0.3 ms planned for
        # its own value). Plan each execution for its values; planning costs far less.
        # Write transactions set it back for themselves (_WriteTransaction).
        config["server_settings"] = {"plan_cache_mode": "force_custom_plan"}
    return config


def _plans_every_execution(eng: Engine) -> bool:
    settings = getattr(eng, "config", {}).get("server_settings") or {}
    return settings.get("plan_cache_mode") == "force_custom_plan"


class _WriteTransaction(PostgresTransaction):
    """A write transaction (:func:`atomic`) on a connection that plans every execution: it
    begins with ``SET LOCAL plan_cache_mode = auto``, in the same round trip as ``BEGIN``.
    Its statements find rows by key, where PostgreSQL's generic plans are as good, and
    planning each of them (and each foreign-key check) again cost a payment a third of its
    database time. Reads outside write transactions keep their custom plans."""

    async def begin(self) -> None:
        """``BEGIN`` and the setting, one simple query."""
        await self.connection.execute("BEGIN; SET LOCAL plan_cache_mode = auto")

    async def commit(self) -> None:
        """``COMMIT``."""
        await self.connection.execute("COMMIT")
        self._committed = True

    async def rollback(self) -> None:
        """``ROLLBACK``."""
        await self.connection.execute("ROLLBACK")
        self._rolled_back = True


def make_engine(url: str, read_url: str | None = None) -> Engine:
    """Build a Piccolo engine for ``sqlite:///path`` or ``postgresql://…``; with
    ``read_url`` (PostgreSQL), a streaming replica joins it as the extra node ``replica``."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = url.split("sqlite:///", 1)[1] if url.startswith("sqlite:///") else parsed.path
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        return SQLiteEngine(path=path, timeout=60, isolation_level=None)
    if parsed.scheme in ("postgres", "postgresql"):
        extra = {REPLICA: PostgresEngine(config=_postgres_config(read_url))} if read_url else {}
        return PostgresEngine(config=_postgres_config(url), extra_nodes=extra)
    raise DatabaseURLError(
        f"Unsupported database URL {url!r}: use sqlite:///… or postgresql://…")


def all_tables() -> list[type[Table]]:
    """Every Piccolo table class imported so far (core, plugins, Piccolo's own)."""
    seen: list[type[Table]] = []
    stack = list(Table.__subclasses__())
    while stack:
        table = stack.pop()
        if table not in seen:
            seen.append(table)
            stack.extend(table.__subclasses__())
    return seen


def use(url: str, read_url: str | None = None) -> Engine:
    """Point every table (and Piccolo's migrations) at the database at ``url`` (reads of
    :func:`read` may go to ``read_url``, a replica; default: the configured one)."""
    global _engine
    if read_url is None:
        from yizhan.core.config import get_settings

        settings = get_settings()
        read_url = settings.database_read_url if url == settings.database_url else ""
    engine = make_engine(url, read_url or None)
    _engine = engine
    for callback in _on_use:
        callback(engine)
    bind_tables()
    return engine


#: Called with the new engine by :func:`use` (Piccolo's configuration follows it this way, so
#: this module never imports :mod:`yizhan.core.piccolo_conf`).
_on_use: list[Callable[[Engine], None]] = []


def on_use(callback: Callable[[Engine], None]) -> None:
    """Call ``callback(engine)`` whenever :func:`use` switches the engine."""
    _on_use.append(callback)


def current_engine() -> Engine | None:
    """The engine set by :func:`use`, or None before the first call."""
    return _engine


def bind_tables() -> None:
    """Bind tables imported after :func:`use` (a plugin loaded late) to the current engine."""
    if _engine is None:
        return
    for table in all_tables():
        table._meta.db = _engine


def engine() -> Engine:
    """The engine in use; :func:`use` must have been called."""
    if _engine is None:
        from yizhan.core.config import get_settings

        return use(get_settings().database_url)
    return _engine


_replica_ok = True


def replica_in_use() -> bool:
    """True when a replica is configured and healthy enough to read from."""
    eng = engine()
    return isinstance(eng, PostgresEngine) and REPLICA in eng.extra_nodes and _replica_ok


async def check_replica() -> bool:
    """Measure the replica's lag; reads go back to the primary while it exceeds
    ``YIZHAN_REPLICA_MAX_LAG_SECONDS`` or the replica does not answer. Returns the verdict."""
    global _replica_ok
    eng = engine()
    if not isinstance(eng, PostgresEngine) or REPLICA not in eng.extra_nodes:
        return False
    from yizhan.core.config import get_settings

    replica = eng.extra_nodes[REPLICA]
    try:
        rows = await replica.run_querystring(QueryString(
            "SELECT CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
            "ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END AS lag"))
        lag = float(rows[0]["lag"] or 0)
        _replica_ok = lag <= get_settings().replica_max_lag_seconds
    except Exception:  # noqa: BLE001 - an unreachable replica means: read the primary
        _replica_ok = False
    return _replica_ok


async def read(query: Any) -> Any:
    """Run a read-only Piccolo ``query`` on the replica when one is in use and we are not
    inside a write transaction (which must see its own writes); else on the primary."""
    if replica_in_use() and not in_transaction():
        return await query.run(node=REPLICA)
    return await query


def is_postgres() -> bool:
    """True when the engine is PostgreSQL."""
    return isinstance(engine(), PostgresEngine)


async def start() -> bool:
    """Open connections: WAL for SQLite, the pool for PostgreSQL.

    Returns True when this call opened the pool (so the caller should :func:`stop` it).
    """
    eng = engine()
    if isinstance(eng, SQLiteEngine):
        await eng.run_ddl("PRAGMA journal_mode=WAL")
        return False
    if getattr(eng, "pool", None) is None:
        await eng.start_connection_pool(min_size=1, max_size=20, reset=_keep_session)
        for node in eng.extra_nodes.values():
            if getattr(node, "pool", None) is None:
                await node.start_connection_pool(min_size=1, max_size=20, reset=_keep_session)
        return True
    return False


async def _keep_session(connection: Any) -> None:
    """Skip asyncpg's reset round trip on every release (advisory unlock, CLOSE ALL,
    UNLISTEN, RESET ALL): Yizhan uses none of those, and the extra query per statement
    halved read throughput."""


async def stop() -> None:
    """Close the PostgreSQL pool, if any."""
    eng = engine()
    if isinstance(eng, PostgresEngine) and getattr(eng, "pool", None) is not None:
        await eng.close_connection_pool()
        for node in eng.extra_nodes.values():
            if getattr(node, "pool", None) is not None:
                await node.close_connection_pool()


def in_transaction() -> bool:
    """True inside :func:`atomic`."""
    return _after_commit.get() is not None


@asynccontextmanager
async def atomic() -> AsyncIterator[None]:
    """One write transaction; nested calls join the outer one.

    Callbacks registered with :func:`after_commit` run once the outermost transaction has
    committed; those registered with :func:`after_rollback` run if it rolled back.
    """
    if _after_commit.get() is not None:
        yield
        return
    eng = engine()
    committed: list[Callback] = []
    rolled_back: list[Callback] = []
    before: list[Callback] = []
    early: list[Callback] = []
    writes: list[tuple[str, tuple]] = []
    tokens = (_after_commit.set(committed), _after_rollback.set(rolled_back),
              _before_commit.set(before), _before_commit_early.set(early), _writes.set(writes))
    try:
        if isinstance(eng, SQLiteEngine):
            transaction = eng.transaction(transaction_type=TransactionType.immediate)
        elif _plans_every_execution(eng):
            transaction = _WriteTransaction(eng)
        else:
            transaction = eng.transaction()
        async with transaction:
            yield
            await _run_before(early, before, writes)  # still inside the transaction
    except BaseException:
        _reset(tokens)
        await _run(rolled_back)
        raise
    _reset(tokens)
    await _run(committed)


def _reset(tokens: tuple) -> None:
    _after_commit.reset(tokens[0])
    _after_rollback.reset(tokens[1])
    _before_commit.reset(tokens[2])
    _before_commit_early.reset(tokens[3])
    _writes.reset(tokens[4])


async def _run_before(early: list[Callback], before: list[Callback],
                      writes: list[tuple[str, tuple]]) -> None:
    """The before-commit callbacks in the order registered, each early one (registered with
    ``early=True``, even by a callback) before the next ordinary one; any may register more.
    The statements queued by :func:`write_at_commit` go after the early callbacks, before
    the next ordinary one — or with it, when it was registered ``sends_writes``."""
    done = 0
    while True:
        while early:
            await _run([early.pop(0)])
        carrier = done < len(before) and getattr(before[done], "sends_writes", False)
        if writes and not carrier:
            await _write(writes)
        if done >= len(before):
            return
        done += 1
        await _run([before[done - 1]])


async def _run(callbacks: list[Callback]) -> None:
    for callback in callbacks:
        result = callback()
        if result is not None:
            await result


def before_commit(callback: Callback, *, early: bool = False,
                  sends_writes: bool = False) -> None:
    """Run ``callback`` inside the current :func:`atomic` transaction, just before it commits
    (after the action's own work). A plugin that needs a short lock at the very end — the
    credits ledger linking its hash chain — takes it here, so the lock is held only for the
    commit. Callbacks run in the order registered; a callback may register another. An
    ``early`` one (core's outbox writing the action's events in one INSERT) runs before the
    ordinary ones still waiting, so no lock taken at the end is held across it.
    ``sends_writes``: the callback sends the statements queued by :func:`write_at_commit`
    with its own first statement (:func:`with_writes`) — one round trip less; whatever it
    leaves queued is sent after it."""
    callbacks = (_before_commit_early if early else _before_commit).get()
    if callbacks is None:
        raise RuntimeError("before_commit() needs an open atomic() transaction")
    if sends_writes:
        def carrier() -> Awaitable[None] | None:
            return callback()

        carrier.sends_writes = True  # type: ignore[attr-defined]
        callbacks.append(carrier)
        return
    callbacks.append(callback)


async def write_at_commit(sql: str, *args: Any) -> None:
    """Run ``sql`` (``{}`` placeholders, no result wanted: an ``INSERT`` or ``UPDATE`` that
    nothing in the action reads back) just before the current :func:`atomic` transaction
    commits, after the early before-commit callbacks (core's outbox) and before the ordinary
    ones (the credits chain's head lock). The statements queued by an action are sent in
    order and, on PostgreSQL, in one round trip (``WITH w0 AS (…), w1 AS (…) …``) as long as
    they write different tables (a second write to a table starts the next statement). They
    share one snapshot, so none may read what another one writes. Outside a transaction it
    runs at once."""
    writes = _writes.get()
    if writes is None:
        await raw(sql, *args)
        return
    writes.append((sql, args))


async def with_writes(sql: str, *args: Any) -> list[dict[str, Any]]:
    """Run ``sql`` and return its rows, sending the statements queued by
    :func:`write_at_commit` with it (PostgreSQL: as ``WITH`` parts before it, in one round
    trip; SQLite: each before it). For a before-commit callback registered
    ``sends_writes``."""
    writes = _writes.get()
    if writes:
        return await _write(writes, (sql, args))
    return await raw(sql, *args)


async def _write(writes: list[tuple[str, tuple]],
                 last: tuple[str, tuple] | None = None) -> list[dict[str, Any]]:
    batch = list(writes)
    writes.clear()
    if last is not None:
        batch.append(last)
    rows: list[dict[str, Any]] = []
    if not is_postgres():
        for sql, args in batch:
            rows = await raw(sql, *args)
        return rows
    for part in _parts(batch):
        rows = await _send_together(part)
    return rows


_WRITTEN = re.compile(r"\b(?:INSERT\s+INTO|UPDATE)\s+\"?(\w+)", re.IGNORECASE)


def _parts(batch: list[tuple[str, tuple]]) -> list[list[tuple[str, tuple]]]:
    """Split queued statements, in order, into runs that write disjoint tables: the parts of
    one ``WITH`` run in no set order and must not change one row twice, so two writes to one
    table (two entries of a need's history, two upserts of one row) go in order, in separate
    statements."""
    parts: list[list[tuple[str, tuple]]] = []
    written: set[str] = set()
    for sql, args in batch:
        tables = _tables_written(sql)
        if not parts or tables & written:
            parts.append([])
            written = set()
        parts[-1].append((sql, args))
        written |= tables
    return parts


@functools.lru_cache(maxsize=1024)
def _tables_written(sql: str) -> frozenset[str]:
    return frozenset({name.lower() for name in _WRITTEN.findall(sql)} - {"set"})  # DO UPDATE SET


async def _send_together(part: list[tuple[str, tuple]]) -> list[dict[str, Any]]:
    if len(part) == 1:
        return await raw(part[0][0], *part[0][1])
    head = ", ".join(f"w{i} AS ({sql})" for i, (sql, _) in enumerate(part[:-1]))
    tail = part[-1][0]
    tail = f"WITH {head}, {tail[5:]}" if tail.startswith("WITH ") else f"WITH {head} {tail}"
    return await raw(tail, *[a for _, args in part for a in args])


def after_commit(callback: Callback) -> None:
    """Run ``callback`` once the current :func:`atomic` transaction has committed."""
    callbacks = _after_commit.get()
    if callbacks is None:
        raise RuntimeError("after_commit() needs an open atomic() transaction")
    callbacks.append(callback)


def after_rollback(callback: Callback) -> None:
    """Run ``callback`` if the current :func:`atomic` transaction rolls back."""
    callbacks = _after_rollback.get()
    if callbacks is None:
        raise RuntimeError("after_rollback() needs an open atomic() transaction")
    callbacks.append(callback)


async def raw(sql: str, *args: Any) -> list[dict[str, Any]]:
    """Run SQL with ``{}`` placeholders, one per value in ``args`` (values only, not pieces
    of SQL), in the current transaction (or a fresh connection)."""
    from yizhan.core.tables import Community

    eng = Community._meta.db
    rows = await eng.run_querystring(_Compiled(sql, args, eng.engine_type))
    return eng.transform_response_to_dicts(rows) if rows else []


class _Compiled(QueryString):
    """A :func:`raw` statement whose placeholders were numbered once for its text (Piccolo's
    ``Table.raw`` parses the text and inspects every argument on each run: for a statement
    of 90 arguments, more than the database driver's own work). The n-th ``{}`` gets the n-th
    value, as with Piccolo, and a doubled brace is a literal one, as in ``str.format``."""

    def __init__(self, sql: str, args: tuple, engine_type: str) -> None:  # noqa: D107
        text, count = _numbered(sql, len(args), engine_type)
        self.template, self.args, self.columns = sql, args, []
        self.query_type, self.table, self._alias = "generic", None, None
        self._frozen_compiled_strings = (text, list(args[:count]))


@functools.lru_cache(maxsize=4096)
def _numbered(sql: str, values: int, engine_type: str) -> tuple[str, int]:
    pieces, count = [], 0
    for text, field, _spec, _conversion in string.Formatter().parse(sql):
        pieces.append(text)
        if field is not None and count < values:
            count += 1
            pieces.append(f"${count}" if engine_type != "sqlite" else "?")
    return "".join(pieces), count


@functools.cache
def placeholders(count: int) -> str:
    """``{}, {}, …`` — ``count`` placeholders for an ``IN (…)`` list in :func:`raw` SQL (made
    once per length, so hot queries are not rebuilt per request)."""
    return ", ".join(["{}"] * count)


def for_update() -> str:
    """``" FOR UPDATE"`` on PostgreSQL, ``""`` on SQLite — the end of a ``SELECT`` that locks
    the rows it reads until the transaction ends (SQLite's ``IMMEDIATE`` write transactions
    are serialised already, so it needs no row lock)."""
    return " FOR UPDATE" if is_postgres() else ""


async def lock_row(table: str, key: Any, column: str = "id") -> None:
    """Lock the row of ``table`` whose ``column`` is ``key`` until the current :func:`atomic`
    transaction ends: ``SELECT … FOR UPDATE`` on PostgreSQL, nothing on SQLite (its write
    transactions are serialised). ``table`` and ``column`` are trusted identifiers."""
    if is_postgres():
        await raw(f"SELECT {column} FROM {table} WHERE {column} = {{}} FOR UPDATE", key)


def current_transaction() -> object | None:
    """The open Piccolo transaction object (None outside one): a key to keep per-transaction
    state in a context variable."""
    return engine().current_transaction.get()
