"""Recomputing a community's hash chain from the stored rows, fast enough for millions.

On PostgreSQL the rows are read inside a read-only ``REPEATABLE READ`` transaction (one
consistent snapshot), in two halves by ``seq`` on two connections — the second imports the
first's snapshot — so two backends build and hash the canonical texts at once; the halves are
stitched into the answer one walk from the start gives (:func:`_stitch`). On SQLite through
the ``sqlite3`` module in worker threads (:mod:`yizhan.plugins.credits.verify_sqlite`), or in
batches through the ORM inside an open transaction (which must see its own writes) or on an
in-memory database. Either way the chain is checked up to the head read at the start, so
payments made while it runs do not disturb it. After the chain, every account's balance is
compared with the sum of its postings.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from piccolo.engine.sqlite import SQLiteEngine

from yizhan.core.api import atomic, in_transaction, is_postgres, now, raw_sql, run_cpu

# The one import below the API (justified in pyproject.toml's import contracts): verify reads
# a consistent snapshot on a raw connection, and the SQLite file directly from a thread.
from yizhan.core.db import engine as _db_engine
from yizhan.plugins.credits import chain, integrity, ledger, verify_sqlite
from yizhan.plugins.credits.chain import GENESIS, Progress, VerifyResult
from yizhan.plugins.credits.tables import CreditVerification

BATCH = 20_000
Fetch = Callable[..., Awaitable[list[Any]]]

TX_SQL = ("SELECT id, community, seq, created_us, kind, reason, source_kind, source_id, "
          "idempotency_key, amount_centi, actor, reverses, prev_hash, hash FROM yz_credit_tx "
          "WHERE community = {} AND seq > {} AND seq <= {} ORDER BY seq LIMIT {}")
_PG_TEXT = (
    "t.community || '|' || t.seq || '|' || t.created_us || '|' "
    "|| length(t.kind) || ':' || t.kind || '|' "
    "|| length(coalesce(t.reason, '')) || ':' || coalesce(t.reason, '') || '|' "
    "|| length(coalesce(t.source_kind, '')) || ':' || coalesce(t.source_kind, '') || '|' "
    "|| length(coalesce(t.source_id, '')) || ':' || coalesce(t.source_id, '') || '|' "
    "|| length(t.idempotency_key) || ':' || t.idempotency_key || '|' "
    "|| t.amount_centi || '|' || coalesce(t.actor::text, '') || '|' "
    "|| coalesce(t.reverses::text, '')")
_PG_LINES = (
    "LEFT JOIN LATERAL ("
    "SELECT string_agg(q.account::text || ':' || q.amount_centi::text || ':' "
    "|| length(coalesce(a.code, '')) || ':' || coalesce(a.code, ''), ';' "
    "ORDER BY q.account, q.amount_centi) AS lines2, "
    "SUM(q.amount_centi) AS total, COUNT(*) AS n "
    "FROM yz_credit_posting q LEFT JOIN yz_credit_account a ON a.id = q.account "
    "WHERE q.tx = t.id) p ON true ")
#: Version 1's posting lines (transactions written before account codes were covered): only
#: built for a transaction whose version-2 hash does not match (``OR`` stops at the first).
_PG_LINES1 = (
    "(SELECT coalesce(string_agg(q.account::text || ':' || q.amount_centi::text, ';' "
    "ORDER BY q.account, q.amount_centi), '') FROM yz_credit_posting q WHERE q.tx = t.id)")
#: PostgreSQL builds each transaction's canonical text — exactly what
#: :func:`yizhan.plugins.credits.chain.canonical` writes — and hashes it itself (``sha256``,
#: version 2, else version 1, after the stored previous hash) for the transactions with
#: ``$2 < seq <= $3``, in one query streamed through a server-side cursor; Python then only
#: follows the links (:func:`chain.check_hashed`).
PG_CHAIN_SQL = (
    "SELECT t.id, t.seq, t.prev_hash, t.hash, "
    "(encode(sha256(convert_to(t.prev_hash || E'\\nv2|' || x.text || '|' "
    "|| coalesce(p.lines2, ''), 'UTF8')), 'hex') = t.hash "
    "OR encode(sha256(convert_to(t.prev_hash || E'\\nv1|' || x.text || '|' "
    "|| " + _PG_LINES1 + ", 'UTF8')), 'hex') = t.hash) AS hash_ok, "
    "p.total, p.n FROM yz_credit_tx t CROSS JOIN LATERAL (SELECT " + _PG_TEXT + " AS text) x "
    + _PG_LINES + "WHERE t.community = $1 AND t.seq > $2 AND t.seq <= $3 ORDER BY t.seq")
#: Every posting of the transactions in an id range, whatever community it is labelled with
#: (a posting labelled with another community is still part of its transaction).
POSTINGS_SQL = ("SELECT p.tx, p.account, p.amount_centi, a.code FROM yz_credit_posting p "
                "LEFT JOIN yz_credit_account a ON a.id = p.account "
                "WHERE p.tx >= {} AND p.tx <= {}")
BALANCES_SQL = (
    "SELECT a.code, a.balance_centi, COALESCE(SUM(p.amount_centi), 0) AS total "
    "FROM yz_credit_account a LEFT JOIN yz_credit_posting p ON p.account = a.id "
    "WHERE a.community = {} GROUP BY a.id, a.code, a.balance_centi "
    "HAVING a.balance_centi <> COALESCE(SUM(p.amount_centi), 0) ORDER BY a.id")


def _numbered(sql: str) -> str:
    parts = sql.split("{}")
    return "".join(part + (f"${i + 1}" if i < len(parts) - 1 else "")
                   for i, part in enumerate(parts))


@asynccontextmanager
async def _reader() -> AsyncIterator[Fetch]:
    """A ``fetch(sql, *args)`` over one consistent snapshot (PostgreSQL) or plain reads."""
    if not is_postgres():
        yield raw_sql
        return
    engine = _db_engine()
    pool = getattr(engine, "pool", None)
    connection = await (pool.acquire() if pool is not None else engine.get_new_connection())
    try:
        async with connection.transaction(isolation="repeatable_read", readonly=True):
            async def fetch(sql: str, *args: Any) -> list[Any]:
                return await connection.fetch(_numbered(sql), *args)

            fetch.connection = connection  # type: ignore[attr-defined]
            yield fetch
    finally:
        if pool is not None:
            await pool.release(connection)
        else:
            await connection.close()


async def verify(community_id: int, progress: Progress | None = None,
                 record: bool = True) -> VerifyResult:
    """Recompute the community's chain; name the first transaction that does not match."""
    path = _sqlite_file()
    if path is not None:
        result, head_seq, head_hash = await _verify_sqlite(path, community_id, progress)
        result.head_seq, result.head_hash = head_seq, head_hash
        if record:
            await _record(community_id, result)
        return result
    async with _reader() as fetch:
        heads = await fetch("SELECT seq, hash FROM yz_credit_chain_head WHERE community = {}",
                            community_id)
        head_seq, head_hash = (heads[0]["seq"], heads[0]["hash"]) if heads else (0, GENESIS)
        connection = getattr(fetch, "connection", None)
        if connection is not None:
            result = await _verify_split(connection, community_id, head_seq, head_hash,
                                         progress)
        else:
            result = await _walk(fetch, community_id, head_seq, head_hash, progress)
            if result.ok:
                result = await _after_chain(fetch, community_id, head_seq, result.checked)
    result.head_seq, result.head_hash = head_seq, head_hash
    if record:
        await _record(community_id, result)
    return result


def _sqlite_file() -> str | None:
    """The SQLite database file to read directly, or None (PostgreSQL, an in-memory database,
    or inside an open transaction, whose uncommitted writes only its own connection sees)."""
    engine = _db_engine()
    if not isinstance(engine, SQLiteEngine) or in_transaction():
        return None
    path = str(engine.path)
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    return path


async def _verify_sqlite(path: str, community_id: int, progress: Progress | None,
                         ) -> tuple[VerifyResult, int, str]:
    report = None
    if progress is not None:
        loop = asyncio.get_running_loop()

        def report(done: int, total: int) -> None:
            loop.call_soon_threadsafe(progress, done, total)

    return await run_cpu(verify_sqlite.verify, path, community_id, report)


async def _batches(fetch: Fetch, community_id: int, head_seq: int,
                   ) -> AsyncIterator[list[tuple[Any, str, int, int]]]:
    """Consecutive batches of (transaction, its canonical text, the sum and the number of its
    postings), in chain order."""
    last_seq = 0
    while last_seq < head_seq:
        txs = await fetch(TX_SQL, community_id, last_seq, head_seq, BATCH)
        if not txs:
            return
        ids = [tx["id"] for tx in txs]
        grouped: dict[int, list[tuple[int, int, str]]] = {i: [] for i in ids}
        for row in await fetch(POSTINGS_SQL, min(ids), max(ids)):
            found = grouped.get(row["tx"])
            if found is not None:
                found.append((row["account"], row["amount_centi"], row["code"] or ""))
        yield [(tx, chain.body(tx), chain.postings_text(grouped[tx["id"]]),
                chain.postings_text([(a, m) for a, m, _ in grouped[tx["id"]]]),
                sum(m for _, m, _ in grouped[tx["id"]]), len(grouped[tx["id"]])) for tx in txs]
        last_seq = txs[-1]["seq"]


async def _nothing() -> list[Any]:
    return []


async def _walk(fetch: Fetch, community_id: int, head_seq: int, head_hash: str,
                progress: Progress | None) -> VerifyResult:
    prev_hash, expected, checked = GENESIS, 1, 0
    batches = _batches(fetch, community_id, head_seq)
    try:
        async for rows in batches:
            failure, prev_hash, expected, done = await run_cpu(chain.check_rows, rows,
                                                               prev_hash, expected)
            checked += done
            if failure is not None:
                failure.checked = checked
                return failure
            if progress is not None:
                progress(checked, head_seq)
    finally:
        await batches.aclose()
    if checked != head_seq or prev_hash != head_hash:
        return chain.head_broken(checked, head_seq)
    return VerifyResult(True, checked)


async def _after_chain(fetch: Fetch, community_id: int, head_seq: int, checked: int,
                       ) -> VerifyResult:
    """The checks after a chain that verified: :mod:`integrity`'s, then every account's
    balance against the sum of its postings."""
    result = await integrity.run(fetch, community_id, head_seq, checked,
                                 ledger.pending_ids())
    if result is None:
        bad = await fetch(BALANCES_SQL, community_id)
        result = VerifyResult(True, checked) if not bad else VerifyResult(
            False, checked, problem="BALANCE_MISMATCH", account=bad[0]["code"],
            details={"accounts": [r["code"] for r in bad]})
    return result


Range = tuple[VerifyResult | None, str, int, int, Any]


async def _verify_split(connection: Any, community_id: int, head_seq: int, head_hash: str,
                        progress: Progress | None) -> VerifyResult:
    """PostgreSQL: the chain split in two halves by ``seq``, each streamed and checked on its
    own connection (two backends hash at once), both in the same snapshot (the second imports
    the first's with ``SET TRANSACTION SNAPSHOT``). The second half starts from what the first
    half ends with when the chain is whole (the stored hash of ``seq = mid``); the checks after
    the chain run on the second connection once its half is done. Then the halves are
    stitched: the same first problem as one walk from the start, always (see :func:`_stitch`).
    """
    mid = head_seq // 2
    done = [0, 0]

    def reporter(half: int) -> Callable[[int], None]:
        def report(checked: int) -> None:
            done[half] = checked
            if progress is not None:
                progress(sum(done), head_seq)
        return report

    snapshot = await connection.fetchval("SELECT pg_export_snapshot()")
    rows = await connection.fetch("SELECT hash FROM yz_credit_tx WHERE community = $1 "
                                  "AND seq = $2", community_id, mid)
    assumed = rows[0]["hash"] if rows else (GENESIS if mid == 0 else None)
    helper = await _db_engine().get_new_connection()
    clean, second = False, None
    try:
        await helper.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        await helper.execute(f"SET TRANSACTION SNAPSHOT '{_snapshot_id(snapshot)}'")

        async def helper_fetch(sql: str, *args: Any) -> list[Any]:
            return await helper.fetch(_numbered(sql), *args)

        async def second_half() -> tuple[Range, VerifyResult | None]:
            found = await _walk_range(helper, community_id, mid, head_seq,
                                      assumed or GENESIS, mid + 1, reporter(1))
            after = None
            if found[0] is None and found[3] + mid == head_seq and found[1] == head_hash:
                after = await _after_chain(helper_fetch, community_id, head_seq, head_seq)
            return found, after

        second = asyncio.ensure_future(second_half())
        first = await _walk_range(connection, community_id, 0, mid, GENESIS, 1, reporter(0))
        if first[0] is not None:  # the first half names the problem: the other is not needed
            second.cancel()
            await asyncio.gather(second, return_exceptions=True)
            return first[0]
        later, after = await second
        await helper.execute("ROLLBACK")  # read only: nothing to keep
        clean = True
    finally:
        if clean:
            await helper.close()
        else:  # a query may still be running on it
            if second is not None and not second.done():
                second.cancel()
                await asyncio.gather(second, return_exceptions=True)
            helper.terminate()
    result = _stitch(first, later, mid, assumed, head_seq, head_hash)
    if result.ok:
        if progress is not None:
            progress(result.checked, head_seq)
        if after is None:  # (cannot: a whole chain's second half ran them; never skip them)
            async def fetch(sql: str, *args: Any) -> list[Any]:
                return await connection.fetch(_numbered(sql), *args)

            after = await _after_chain(fetch, community_id, head_seq, result.checked)
        after.checked = result.checked
        return after
    return result


def _snapshot_id(snapshot: str) -> str:
    if not all(c.isalnum() or c == "-" for c in snapshot):
        raise ValueError(f"unexpected snapshot id {snapshot!r}")
    return snapshot


def _stitch(first: Range, second: Range, mid: int, assumed: str | None, head_seq: int,
            head_hash: str) -> VerifyResult:
    """One walk's answer from the two halves'. ``first`` verified (no failure). When it ended
    where the second half assumed it would (every ``seq`` up to ``mid``, its last hash the
    one assumed), the second half's findings are the walk's. Otherwise transactions at the end
    of the first half are missing, and the walk stops at the second half's first row."""
    _, prev_hash, expected, checked, _ = first
    failure, later_hash, _, later_checked, first_row = second
    if expected == mid + 1 and prev_hash == assumed:
        if failure is not None:
            failure.checked += checked
            return failure
        prev_hash, checked = later_hash, checked + later_checked
    elif first_row is not None:
        failure, *_ = chain.check_hashed([first_row], prev_hash, expected)
        if failure is not None:
            failure.checked = checked
            return failure
        raise AssertionError("the second half's first row follows a first half that ended "
                             "early")  # (cannot: its seq is above mid)
    if checked != head_seq or prev_hash != head_hash:
        return chain.head_broken(checked, head_seq)
    return VerifyResult(True, checked)


async def _walk_range(connection: Any, community_id: int, low: int, high: int,
                      prev_hash: str, expected: int, report: Callable[[int], None]) -> Range:
    """Check the transactions with ``low < seq <= high`` following ``prev_hash`` at
    ``expected``: (a failure or None, the last hash, the next seq, rows checked, the first
    row). The next batch is on its way while Python checks this one."""
    checked, first_row = 0, None
    await connection.execute("SET LOCAL jit = off")  # compiling costs more than it saves
    cursor = await connection.cursor(PG_CHAIN_SQL, community_id, low, high)
    pending = asyncio.ensure_future(cursor.fetch(BATCH))
    try:
        while True:
            rows = await pending
            if not rows:
                break
            pending = asyncio.ensure_future(cursor.fetch(BATCH) if len(rows) == BATCH
                                            else _nothing())
            if first_row is None:
                first_row = rows[0]
            failure, prev_hash, expected, done = await run_cpu(chain.check_hashed, rows,
                                                               prev_hash, expected)
            checked += done
            if failure is not None:
                failure.checked = checked
                return failure, prev_hash, expected, checked, first_row
            report(checked)
    finally:  # the connection must be idle before anything else uses it
        await asyncio.gather(pending, return_exceptions=True)
    return None, prev_hash, expected, checked, first_row


async def _record(community_id: int, result: VerifyResult) -> None:
    values = {CreditVerification.ok: result.ok, CreditVerification.checked: result.checked,
              CreditVerification.first_bad_seq: result.first_bad_seq,
              CreditVerification.problem: result.problem or "",
              CreditVerification.head_hash: result.head_hash,
              CreditVerification.verified_at: now()}
    async with atomic():
        updated = await CreditVerification.update(values).where(
            CreditVerification.community == community_id).returning(CreditVerification.id)
        if not updated:
            await CreditVerification.insert(CreditVerification(
                community=community_id, **{col._meta.name: v for col, v in values.items()}))


async def last_verification(community_id: int) -> dict | None:
    """The latest recorded verification of the community, if any."""
    return await CreditVerification.select().where(
        CreditVerification.community == community_id).first()
