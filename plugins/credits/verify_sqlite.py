"""Recomputing a community's hash chain on SQLite, straight through the ``sqlite3`` module.

Going through the ORM costs a dict per row; a chain of a million transactions then takes
longer than the hashing itself. Here the rows are read as tuples on a connection of their own,
inside one read transaction (one consistent snapshot in WAL mode: the head and every row are
of the same moment). A reader thread fetches the next batch — SQLite works without the GIL —
while the calling thread builds each transaction's canonical text (exactly what
:func:`yizhan.plugins.credits.chain.canonical` writes) and hashes it. The balance check (every
account against the sum of its postings) runs meanwhile on a third connection: it is consistent
within its own snapshot, as a balance moves in the same database transaction as its postings.

Everything here blocks: :mod:`yizhan.plugins.credits.verify` runs it in a worker thread.
"""

from __future__ import annotations

import hashlib
import queue
import sqlite3
import threading
from collections.abc import Callable
from typing import Any

from yizhan.plugins.credits import integrity
from yizhan.plugins.credits.chain import GENESIS, VerifyResult, head_broken, link_broken

BATCH = 20_000
TIMEOUT = 60.0
HEAD_SQL = "SELECT seq, hash FROM yz_credit_chain_head WHERE community = ?"
TX_SQL = ("SELECT id, community, seq, created_us, kind, reason, source_kind, source_id, "
          "idempotency_key, amount_centi, actor, reverses, prev_hash, hash FROM yz_credit_tx "
          "WHERE community = ? AND seq > 0 AND seq <= ? ORDER BY seq")
#: Every posting of the transactions in an id range, whatever community it is labelled with.
POSTINGS_SQL = ("SELECT p.tx, p.account, p.amount_centi, a.code FROM yz_credit_posting p "
                "LEFT JOIN yz_credit_account a ON a.id = p.account "
                "WHERE p.tx >= ? AND p.tx <= ?")
BALANCES_SQL = (
    "SELECT a.code, a.balance_centi, COALESCE(SUM(p.amount_centi), 0) AS total "
    "FROM yz_credit_account a LEFT JOIN yz_credit_posting p ON p.account = a.id "
    "WHERE a.community = ? GROUP BY a.id, a.code, a.balance_centi "
    "HAVING a.balance_centi <> COALESCE(SUM(p.amount_centi), 0) ORDER BY a.id")

Report = Callable[[int, int], None]
_DONE = object()


def _connect(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=TIMEOUT, isolation_level=None,
                           check_same_thread=False)
    conn.execute("PRAGMA query_only = 1")
    return conn


class _Balances(threading.Thread):
    """The accounts whose balance is not the sum of their postings (codes, by id)."""

    def __init__(self, path: str, community_id: int) -> None:
        super().__init__(name="yizhan-verify-balances", daemon=True)
        self.conn = _connect(path)
        self.community_id = community_id
        self.codes: list[str] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.codes = [row[0] for row in
                          self.conn.execute(BALANCES_SQL, (self.community_id,)).fetchall()]
        except BaseException as exc:  # handed to the caller by result()
            self.error = exc
        finally:
            self.conn.close()

    def cancel(self) -> None:
        """Stop the query (the chain already failed: its answer is not needed)."""
        try:
            self.conn.interrupt()
        except sqlite3.ProgrammingError:  # closed already
            pass

    def result(self) -> list[str]:
        self.join()
        if self.error is not None:
            raise self.error
        return self.codes


class _Reader(threading.Thread):
    """Batches of (transaction tuples, {tx id: [(account, amount)]}) in chain order."""

    def __init__(self, conn: sqlite3.Connection, community_id: int, head_seq: int) -> None:
        super().__init__(name="yizhan-verify-reader", daemon=True)
        self.conn = conn
        self.community_id = community_id
        self.head_seq = head_seq
        self.batches: queue.Queue[Any] = queue.Queue(maxsize=3)
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            txs = self.conn.cursor()
            txs.arraysize = BATCH
            postings = self.conn.cursor()
            postings.arraysize = 4 * BATCH
            txs.execute(TX_SQL, (self.community_id, self.head_seq))
            while not self.stopped.is_set():
                rows = txs.fetchmany()
                if not rows:
                    break
                ids = [row[0] for row in rows]
                grouped: dict[int, list[tuple[int, int, str]]] = {}
                get = grouped.get
                postings.execute(POSTINGS_SQL, (min(ids), max(ids)))
                for tx, account, amount, code in postings:
                    found = get(tx)
                    if found is None:
                        grouped[tx] = [(account, amount, code or "")]
                    else:
                        found.append((account, amount, code or ""))
                self._put((rows, grouped))
            self._put(_DONE)
        except BaseException as exc:  # handed to the consumer
            self._put(exc)

    def _put(self, item: Any) -> None:
        while not self.stopped.is_set():
            try:
                self.batches.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def stop(self) -> None:
        """The consumer is done (a failure was found): let the thread end."""
        self.stopped.set()
        self.join()


def verify(path: str, community_id: int, report: Report | None = None,
           ) -> tuple[VerifyResult, int, str]:
    """Verify the community's chain in the SQLite file at ``path``: (the result, the head's
    seq, the head's hash). Same checks and answers as the generic walk."""
    conn = _connect(path)
    try:
        conn.execute("BEGIN")  # one snapshot for the head and every row
        head = conn.execute(HEAD_SQL, (community_id,)).fetchone()
        head_seq, head_hash = (head[0], head[1]) if head else (0, GENESIS)
        balances = _Balances(path, community_id)
        balances.start()
        try:
            result = _walk(conn, community_id, head_seq, head_hash, report)
            if result.ok:
                result = integrity.run_sync(
                    lambda sql, args: conn.execute(sql, args).fetchall(), community_id,
                    head_seq, result.checked) or result
        except BaseException:
            balances.cancel()
            raise
        if not result.ok:
            balances.cancel()
            balances.join()
        else:
            bad = balances.result()
            if bad:
                result = VerifyResult(False, result.checked, problem="BALANCE_MISMATCH",
                                      account=bad[0], details={"accounts": bad})
        conn.execute("ROLLBACK")
    finally:
        conn.close()
    return result, head_seq, head_hash


def _walk(conn: sqlite3.Connection, community_id: int, head_seq: int, head_hash: str,
          report: Report | None) -> VerifyResult:
    reader = _Reader(conn, community_id, head_seq)
    reader.start()
    sha256 = hashlib.sha256
    prev_hash, expected, checked = GENESIS, 1, 0
    try:
        while True:
            item = reader.batches.get()
            if item is _DONE:
                break
            if isinstance(item, BaseException):
                raise item
            rows, grouped = item
            for (tx_id, community, seq, created_us, kind, reason, source_kind, source_id,
                 key, amount, actor, reverses, stored_prev, stored_hash) in rows:
                if seq != expected:
                    if seq > expected:
                        return VerifyResult(False, checked, first_bad_seq=expected,
                                            problem="MISSING")
                    return VerifyResult(False, checked, first_bad_seq=seq, first_bad_id=tx_id,
                                        problem="BROKEN_LINK")
                pairs = grouped.get(tx_id)
                if pairs is None:
                    lines, total, count = "", 0, 0
                else:
                    pairs.sort()
                    lines = ";".join([f"{a}:{m}:{len(c)}:{c}" for a, m, c in pairs])
                    total, count = sum([m for _, m, _ in pairs]), len(pairs)
                kind = kind or ""
                reason = reason or ""
                source_kind = source_kind or ""
                source_id = source_id or ""
                key = key or ""
                text = (f"{community}|{seq}|{created_us}|{len(kind)}:{kind}|"
                        f"{len(reason)}:{reason}|{len(source_kind)}:{source_kind}|"
                        f"{len(source_id)}:{source_id}|{len(key)}:{key}|{amount}|"
                        f"{'' if actor is None else actor}|"
                        f"{'' if reverses is None else reverses}")
                digest = sha256(f"{stored_prev}\nv2|{text}|{lines}".encode()).hexdigest()
                if digest != stored_hash and pairs:  # written before codes were covered
                    lines1 = ";".join([f"{a}:{m}" for a, m, _ in pairs])
                    digest = sha256(f"{stored_prev}\nv1|{text}|{lines1}".encode()).hexdigest()
                if digest != stored_hash:
                    return VerifyResult(False, checked, first_bad_seq=seq, first_bad_id=tx_id,
                                        problem="HASH_MISMATCH")
                if stored_prev != prev_hash:
                    return link_broken(checked, seq, tx_id)
                if not count or total != 0:
                    return VerifyResult(False, checked, first_bad_seq=seq, first_bad_id=tx_id,
                                        problem="UNBALANCED")
                prev_hash = digest
                expected += 1
                checked += 1
            if report is not None:
                report(checked, head_seq)
    finally:
        reader.stop()
    if checked != head_seq or prev_hash != head_hash:
        return head_broken(checked, head_seq)
    return VerifyResult(True, checked)
