"""Time to verify a community's hash chain of 1,000,000 transactions, as a ratio to
PostgreSQL (or SQLite) just reading the same rows out (issue 16's goal: at most 3×).

    python bench/credits_verify.py --database postgresql://postgres@127.0.0.1:55432/yz_chain
    python bench/credits_verify.py --database sqlite:////tmp/yz_chain.db --transactions 1000000
    python bench/credits_verify.py --database … --reuse --rounds 3   # keep the built chain

The database is dropped and created again (PostgreSQL) or deleted (SQLite), migrated, and a
synthetic chain is bulk-inserted (``COPY`` on PostgreSQL): payments between 1,000 member
accounts, each transaction hashed exactly as the ledger writes it today (version 2, covering
the account codes), balances and the chain head set to match. Then, ``--rounds`` times,
``yizhan.plugins.credits.verify.verify`` — what ``yizhan ledger verify`` and the admin query
run — recomputes it in a fresh process (its peak RSS from /proc), and right after it the same
rows are read out plainly: ``COPY (SELECT …) TO STDOUT`` and a fetch through a cursor
(PostgreSQL; the plan is parallel for ``COPY``) or ``fetchmany`` (SQLite). Prints figures;
not part of the test suite.

Measured 2026-11-29, 1,000,000 transactions (2,000,000 postings), PostgreSQL 15 on 2 shared
cores at a load of 12–15 (absolute times swing; the ratios are side by side in one run):

| verifier | verify | ÷ COPY | ÷ cursor fetch | peak RSS |
|---|---|---|---|---|
| main, chain in version 1 (as this bench wrote it) | 45.6–71.0 s | 3.29–5.11× | 2.04–3.58× | — |
| main, chain in version 2 (as the ledger writes) | 38.4–45.1 s | 2.02–2.18× | 1.10–1.53× | 85 MB |
| two halves on two connections, one snapshot | 22.6–36.7 s | **1.39–1.71×** | 0.99–1.42× | 107 MB |
| SQLite (unchanged), ÷ a `fetchmany` read | 63.3–78.2 s | 2.07–2.20× | — | 128–135 MB |

(The version-1 chain made PostgreSQL hash every transaction twice, version 2 first.)

On the idle machine after the merge (main at 0f59dab, three rounds): verify 8.1–10.1 s,
1.66–2.20× the ``COPY`` (4.6–5.4 s) and 1.37–1.53× the cursor fetch, peak RSS 106 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))

from credits_payments import _reset_database  # noqa: E402

TX_COLUMNS = ("id", "community", "seq", "kind", "reason", "source_kind", "source_id",
              "idempotency_key", "amount_centi", "actor", "reverses", "created_us",
              "prev_hash", "hash")
POSTING_COLUMNS = ("id", "community", "tx", "account", "amount_centi", "balance_after_centi")
MEMBERS = 1000


def synthesize(community_id: int, accounts: list[tuple[int, str]], count: int, start_us: int):
    """Yield (tx row tuple, [posting tuples]) for ``count`` chained payments, hashed as the
    ledger writes them today (version 2: postings with their account codes); finally the
    balances and the head are in ``state``."""
    from yizhan.plugins.credits import chain

    rng = random.Random(7)
    balances = dict.fromkeys([a for a, _ in accounts], 0)
    prev = chain.GENESIS
    posting_id = 0
    state: dict = {}
    for seq in range(1, count + 1):
        (payer, payer_code), (payee, payee_code) = rng.sample(accounts, 2)
        amount = rng.randint(1, 500)
        tx = {"community": community_id, "seq": seq, "created_us": start_us + seq * 1000,
              "kind": "need_payment", "reason": "Help", "source_kind": "need",
              "source_id": str(seq), "idempotency_key": f"need:{seq}:payment",
              "amount_centi": amount, "actor": None, "reverses": None}
        digest = chain.compute_hash(prev, tx, [(payer, -amount, payer_code),
                                               (payee, amount, payee_code)])
        balances[payer] -= amount
        balances[payee] += amount
        posting_id += 2
        yield ((seq, community_id, seq, "need_payment", "Help", "need", str(seq),
                f"need:{seq}:payment", amount, None, None, tx["created_us"], prev, digest),
               [(posting_id - 1, community_id, seq, payer, -amount, balances[payer]),
                (posting_id, community_id, seq, payee, amount, balances[payee])])
        prev = digest
    state.update(balances=balances, head=(count, prev))
    yield state


async def _setup(url: str) -> tuple[int, list[tuple[int, str]]]:
    import os

    os.environ["YIZHAN_DATABASE_URL"] = url
    from yizhan.core import db
    from yizhan.core.dbmigrate import migrate
    from yizhan.core.services import communities, plugin_admin
    from yizhan.core.switches import switches
    from yizhan.plugins.credits import accounts

    db.use(url)
    await db.start()
    await migrate()
    await switches.refresh(force=True)
    community = await communities.create_community("chain", "Chain")
    await plugin_admin.enable(community, "credits")
    ids = [(account["id"], account["code"]) for account in
           [await accounts.member_account(community["id"], i + 1) for i in range(MEMBERS)]]
    await db.stop()
    return community["id"], ids


async def _load_postgres(url: str, community_id: int, ids: list[tuple[int, str]],
                         count: int) -> None:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        gen = synthesize(community_id, ids, count, 1_790_000_000_000_000)
        txs, postings, state = [], [], None
        for item in gen:
            if isinstance(item, dict):
                state = item
                break
            txs.append(item[0])
            postings.extend(item[1])
            if len(txs) >= 50_000:
                await conn.copy_records_to_table("yz_credit_tx", records=txs,
                                                 columns=TX_COLUMNS)
                await conn.copy_records_to_table("yz_credit_posting", records=postings,
                                                 columns=POSTING_COLUMNS)
                txs, postings = [], []
        if txs:
            await conn.copy_records_to_table("yz_credit_tx", records=txs, columns=TX_COLUMNS)
            await conn.copy_records_to_table("yz_credit_posting", records=postings,
                                             columns=POSTING_COLUMNS)
        await conn.executemany("UPDATE yz_credit_account SET balance_centi = $1 WHERE id = $2",
                               [(b, a) for a, b in state["balances"].items()])
        await conn.execute("UPDATE yz_credit_chain_head SET seq = $1, hash = $2 "
                           "WHERE community = $3", *state["head"], community_id)
        await conn.execute("SELECT setval(pg_get_serial_sequence('yz_credit_tx', 'id'), $1)",
                           count)
        await conn.execute("SELECT setval(pg_get_serial_sequence('yz_credit_posting', 'id'), "
                           "$1)", 2 * count)
        await conn.execute("ANALYZE yz_credit_tx")
        await conn.execute("ANALYZE yz_credit_posting")
    finally:
        await conn.close()


def _load_sqlite(url: str, community_id: int, ids: list[tuple[int, str]], count: int) -> None:
    conn = sqlite3.connect(url.split("sqlite:///", 1)[1])
    try:
        state = None
        txs, postings = [], []
        tx_sql = (f"INSERT INTO yz_credit_tx ({', '.join(TX_COLUMNS)}) VALUES "
                  f"({', '.join('?' for _ in TX_COLUMNS)})")
        posting_sql = (f"INSERT INTO yz_credit_posting ({', '.join(POSTING_COLUMNS)}) VALUES "
                       f"({', '.join('?' for _ in POSTING_COLUMNS)})")
        for item in synthesize(community_id, ids, count, 1_790_000_000_000_000):
            if isinstance(item, dict):
                state = item
                break
            txs.append(item[0])
            postings.extend(item[1])
            if len(txs) >= 50_000:
                conn.executemany(tx_sql, txs)
                conn.executemany(posting_sql, postings)
                txs, postings = [], []
        conn.executemany(tx_sql, txs)
        conn.executemany(posting_sql, postings)
        conn.executemany("UPDATE yz_credit_account SET balance_centi = ? WHERE id = ?",
                         [(b, a) for a, b in state["balances"].items()])
        conn.execute("UPDATE yz_credit_chain_head SET seq = ?, hash = ? WHERE community = ?",
                     (*state["head"], community_id))
        conn.commit()
        conn.execute("ANALYZE")
    finally:
        conn.close()


async def _verify(url: str, community_id: int):
    from yizhan.core import db
    from yizhan.plugins.credits import verify

    db.use(url)
    await db.start()
    began = time.perf_counter()
    result = await verify.verify(community_id, record=False)
    took = time.perf_counter() - began
    await db.stop()
    return result, took


#: A plain read of the same rows: each transaction's columns and its postings' (account, code,
#: amount), in chain order — what verifying must read, with nothing built or hashed.
PLAIN_SQL = (
    "SELECT t.id, t.community, t.seq, t.created_us, t.kind, t.reason, t.source_kind, "
    "t.source_id, t.idempotency_key, t.amount_centi, t.actor, t.reverses, t.prev_hash, "
    "t.hash, p.account, p.amount_centi, a.code FROM yz_credit_tx t "
    "JOIN yz_credit_posting p ON p.tx = t.id LEFT JOIN yz_credit_account a ON a.id = p.account "
    "WHERE t.community = {c} ORDER BY t.seq")


async def _plain_read_postgres(url: str, community_id: int) -> tuple[float, float]:
    """Seconds PostgreSQL takes to send the rows out: with ``COPY … TO STDOUT`` and with a
    plain fetch through a server-side cursor (asyncpg records, nothing done with them)."""
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        sql = PLAIN_SQL.format(c=int(community_id))
        size = [0]

        async def sink(chunk: bytes) -> None:
            size[0] += len(chunk)

        began = time.perf_counter()
        await conn.copy_from_query(sql, output=sink)
        copy_s = time.perf_counter() - began
        began = time.perf_counter()
        async with conn.transaction():
            cursor = await conn.cursor(sql)
            while await cursor.fetch(20_000):
                pass
        fetch_s = time.perf_counter() - began
        return copy_s, fetch_s
    finally:
        await conn.close()


def _plain_read_sqlite(url: str, community_id: int) -> float:
    conn = sqlite3.connect(url.split("sqlite:///", 1)[1])
    try:
        began = time.perf_counter()
        cursor = conn.execute(PLAIN_SQL.format(c=int(community_id)))
        while cursor.fetchmany(20_000):
            pass
        return time.perf_counter() - began
    finally:
        conn.close()


def _memory(field: str) -> float:
    """MB of ``VmRSS`` (now) or ``VmHWM`` (the peak) of this process, from /proc (a fresh
    process's own: unlike ``ru_maxrss``, not inherited from the parent across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _verify_child(url: str, community_id: int, out) -> None:
    """Run in a fresh process: verify, then report the figures and the peak RSS."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import yizhan.plugins.credits.verify  # noqa: F401  (imported before measuring)

    before = _memory("VmRSS")
    result, took = asyncio.run(_verify(url, community_id))
    out.put((result.ok, result.message, result.checked, took, before, _memory("VmHWM")))


def _verify_measured(url: str, community_id: int) -> tuple[bool, str, int, float, float, float]:
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    proc = ctx.Process(target=_verify_child, args=(url, community_id, out))
    proc.start()
    figures = out.get()
    proc.join()
    return figures


async def _community(url: str) -> int:
    from yizhan.core import db
    from yizhan.core.api import raw_sql

    db.use(url)
    await db.start()
    try:
        rows = await raw_sql("SELECT id FROM yz_community WHERE slug = {}", "chain")
        return rows[0]["id"]
    finally:
        await db.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--transactions", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3,
                        help="verify and plain reads, alternated, this many times")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the chain built by an earlier run")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sqlite = urlparse(args.database).scheme == "sqlite"
    if args.reuse:
        community_id = asyncio.run(_community(args.database))
    else:
        _reset_database(args.database)
        community_id, ids = asyncio.run(_setup(args.database))
        began = time.perf_counter()
        if sqlite:
            _load_sqlite(args.database, community_id, ids, args.transactions)
        else:
            asyncio.run(_load_postgres(args.database, community_id, ids, args.transactions))
        print(f"database: {urlparse(args.database).scheme}; synthetic chain of "
              f"{args.transactions:,} transactions ({2 * args.transactions:,} postings) "
              f"loaded in {time.perf_counter() - began:.1f} s")
    ratios = []
    for round_no in range(1, args.rounds + 1):
        ok, message, checked, took, rss0, rss = _verify_measured(args.database, community_id)
        line = (f"[{round_no}] verify: {'OK' if ok else 'FAILED ' + message}, {checked:,} "
                f"transactions in {took:.2f} s ({checked / took:,.0f}/s), peak RSS "
                f"{rss:.0f} MB ({rss0:.0f} MB before)")
        if sqlite:
            plain = _plain_read_sqlite(args.database, community_id)
            ratios.append((took / plain,))
            print(f"{line}; plain read (sqlite3, fetchmany) {plain:.2f} s; "
                  f"verify / plain read = {took / plain:.2f}x")
        else:
            copy_s, fetch_s = asyncio.run(_plain_read_postgres(args.database, community_id))
            ratios.append((took / copy_s, took / fetch_s))
            print(f"{line}; COPY (SELECT ...) TO STDOUT {copy_s:.2f} s, cursor fetch "
                  f"{fetch_s:.2f} s; verify / COPY = {took / copy_s:.2f}x, verify / fetch = "
                  f"{took / fetch_s:.2f}x")
    names = ("plain read",) if sqlite else ("COPY", "cursor fetch")
    print("ratios over the rounds (goal: at most 3x): " + "; ".join(
        f"verify / {name} {min(r[i] for r in ratios):.2f}-{max(r[i] for r in ratios):.2f}x"
        for i, name in enumerate(names)))
    from bench.common import record

    worst = max(r[0] for r in ratios)
    record(f"`ledger verify`, {checked:,} transactions ÷ reading them out "
           f"({names[0]}), worst round", worst, "<= 3",
           f"{took:.1f} s verify in the last round", "SQLite" if sqlite else "PostgreSQL")


if __name__ == "__main__":
    main()
