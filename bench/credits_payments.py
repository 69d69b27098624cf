"""Payments per second through the real path: core's ``needs.confirm`` (the confirmation's
transaction, core's own writes, the ``yizhan_need_confirmed`` hook) capturing the hold and
paying the helper, hash chain included — with concurrent clients on one community, against
pgbench's TPC-B-like run on the same server with the same number of clients.

    python bench/credits_payments.py --database postgresql://postgres@127.0.0.1:55432/yz_bench
    python bench/credits_payments.py --database sqlite:////tmp/yz_bench.db

The database is dropped and created again (PostgreSQL) or deleted (SQLite). Needs are prepared
(posted, accepted — credits held — and marked done) before the clock starts; then ``--clients``
clients spread over ``--processes`` processes confirm them as fast as they can. Prints figures
(statements per confirmation, with ``--show-statements`` each one's mean wall time — lock waits
show there —, CPU per confirmation in the Python processes and in their PostgreSQL backends,
pgbench's CPU per transaction); not part of the test suite.

Measured 2026-11-29 on the 2-core machine with other helpers' work running (load 6–9), 1,600
confirmations, 8 clients in 2 processes, pgbench 10 s, before and after in one sitting:

    =========================  ==========  ==========  ====================  =======  =====
    PostgreSQL                 statements  payments/s  CPU Python/backends   pgbench  ratio
    =========================  ==========  ==========  ====================  =======  =====
    before (main)              13          39          5.1 / 4.3 ms          1,605    0.02
    after (pay2)               6           116         2.2 / 3.9 ms          1,217    0.10
    =========================  ==========  ==========  ====================  =======  =====

pgbench: 0.45-0.5 ms CPU per transaction (client and backends). SQLite: see docs/credits.md.

On the idle machine after the merge (main at 0f59dab; 2,400 confirmations, pgbench 20 s): 7
statements (6 since the commit's batch no longer splits at an upsert's ``DO UPDATE SET``),
357 payments/s, 2.14 / 3.25 ms CPU, pgbench 2,934 tps, ratio 0.12 (0.05 before, idle: 149
payments/s against 3,306 tps).

Write transactions keeping generic plans and ``raw_sql`` numbering placeholders once per text
(idle machine, one evening): 289 -> 636 payments/s, 2.37 / 4.17 -> 1.21 / 1.75 ms CPU, ratio
0.11 -> 0.16 (pgbench 2,702 and 3,913 tps). Figures and why 0.5 is out of reach: docs/credits.md.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import re
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

PGBENCH = "/usr/lib/postgresql/15/bin/pgbench"
PASSWORD = "bench-password-1"


def _reset_database(url: str) -> None:
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = Path(url.split("sqlite:///", 1)[1])
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    name = parsed.path.lstrip("/")
    admin = url.rsplit("/", 1)[0] + "/postgres"

    async def go():
        import asyncpg

        conn = await asyncpg.connect(admin)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    asyncio.run(go())


async def _prepare(url: str, needs_count: int, clients: int) -> list[tuple[int, int]]:
    """A community with credits on, requesters and helpers, and ``needs_count`` done needs.
    Returns (need id, requester member id) pairs."""
    os.environ["YIZHAN_DATABASE_URL"] = url
    from argon2 import PasswordHasher

    from yizhan.core import clock, db
    from yizhan.core.dbmigrate import migrate
    from yizhan.core.services import communities, members, needs, people, plugin_admin
    from yizhan.core.switches import switches

    people._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    db.use(url)
    await db.start()
    await migrate()
    await switches.refresh(force=True)
    community = await communities.create_community("bench", "Bench")
    building = await communities.create_building(community, "A", 100)
    await plugin_admin.enable(community, "credits")
    await plugin_admin.configure(community, "core", {"max_credits_per_need": "10"})
    await plugin_admin.configure(community, "credits", {
        "credit_limit": "1000", "max_balance": "100000"})
    pairs = []
    for i in range(clients):
        requester = await people.create_person(f"req{i}", f"Req {i}", PASSWORD)
        helper = await people.create_person(f"help{i}", f"Help {i}", PASSWORD)
        r = await members.add_member(community, requester["id"], building["id"], "resident",
                                     verify_as=f"R {i}")
        h = await members.add_member(community, helper["id"], building["id"], "resident",
                                     verify_as=f"H {i}")
        pairs.append((r, h))
    out: list[tuple[int, int]] = []
    now = clock.now()

    async def make(worker: int) -> None:
        r, h = pairs[worker]
        for _ in range(needs_count // clients):
            need = await needs.post(community, r, title="Errand", category="errand",
                                    window_start=now, window_end=now + timedelta(days=5),
                                    estimated_minutes=10, credits="0.20")
            await needs.accept(community, h, need["id"])
            await needs.mark_done(community, h, need["id"])
            out.append((need["id"], r["id"]))

    await asyncio.gather(*(make(w) for w in range(clients)))
    await db.stop()
    return out


def count_statements(engine, seen: list[str] | None = None,
                     timings: dict | None = None) -> dict[str, int]:
    """Count the SQL statements ``engine`` runs from now on (``seen`` collects their text);
    returns the counter (``counter["n"]``). Transaction control (BEGIN, COMMIT) is not
    counted — as pgbench's five statements of TPC-B leave out its BEGIN and END. With
    ``timings`` ({task: [seconds, …]}), each statement's wall time is appended to the list of
    the asyncio task that ran it (when that task has one), with its text when ``seen``."""
    engine_class = type(engine)
    original = engine_class.run_querystring
    counter = {"n": 0}
    clock_ = time.perf_counter

    async def counting(self, querystring, *args, **kwargs):
        counter["n"] += 1
        text = ""
        if seen is not None:
            text = querystring.compile_string(engine_type=self.engine_type)[0]
            seen.append(text)
        if timings is None:
            return await original(self, querystring, *args, **kwargs)
        began = clock_()
        try:
            return await original(self, querystring, *args, **kwargs)
        finally:
            mine = timings.get(asyncio.current_task())
            if mine is not None:
                mine.append((clock_() - began, text))

    engine_class.run_querystring = counting
    return counter


def _backend_cpu(engine) -> float:
    """CPU seconds (user + system) the PostgreSQL backends of this process's pool used so far
    (read from /proc: the server runs on this machine); 0 for SQLite."""
    pool = getattr(engine, "pool", None)
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for holder in getattr(pool, "_holders", ()) if pool is not None else ():
        con = getattr(holder, "_con", None)
        if con is None:
            continue
        try:
            fields = Path(f"/proc/{con.get_server_pid()}/stat").read_text().rsplit(")", 1)[1]
        except OSError:
            continue
        parts = fields.split()
        total += (int(parts[11]) + int(parts[12])) / tick
    return total


def _worker(url: str, work: list[tuple[int, int]], clients: int, start_at: float,
            queue, ledger_only: bool = False, show: bool = False) -> None:
    async def main() -> dict:
        os.environ["YIZHAN_DATABASE_URL"] = url
        from yizhan.core import db
        from yizhan.core.plugins import get_registry
        from yizhan.core.services import communities, needs
        from yizhan.core.services.members import get_member
        from yizhan.core.switches import switches

        get_registry()
        db.use(url)
        await db.start()
        await switches.refresh(force=True)
        community = await communities.get_community("bench")
        requesters = {m: await get_member(community, m) for m in {r for _, r in work}}
        by_requester: dict[int, list[tuple[int, int]]] = {}
        for item in work:
            by_requester.setdefault(item[1], []).append(item)
        chunks = list(by_requester.values())
        seen: list[str] | None = [] if show else None
        timings: dict = {}
        counter = count_statements(db.engine(), seen, timings)
        while time.time() < start_at:
            await asyncio.sleep(0.005)
        counter["n"] = 0
        backend_before = _backend_cpu(db.engine())
        cpu_before = time.process_time()
        began = time.perf_counter()
        per_position: dict[int, list[float]] = {}
        labels: list[str] = []

        async def client(chunk: list[tuple[int, int]]) -> None:
            mine: list[tuple[float, str]] = []
            timings[asyncio.current_task()] = mine
            for need_id, requester in chunk:
                await needs.confirm(community, requesters[requester], need_id)
                for position, (seconds, _) in enumerate(mine):
                    per_position.setdefault(position, []).append(seconds)
                if not labels:
                    labels.extend(sql for _, sql in mine)
                mine.clear()

        async def ledger_client(chunk: list[tuple[int, int]]) -> None:
            from yizhan.plugins.credits import service

            for need_id, requester in chunk:  # the same payment, straight to the ledger
                await service.transfer(community, f"member:{requester}", "community_fund", 20,
                                       kind="bench", reason="Bench", key=f"bench:{need_id}")

        if ledger_only:
            client = ledger_client  # noqa: F811

        await asyncio.gather(*(client(c) for c in chunks if c))
        elapsed = time.perf_counter() - began
        cpu = time.process_time() - cpu_before
        backend = _backend_cpu(db.engine()) - backend_before
        statements = counter["n"]
        if seen:
            print("statements of one payment (mean wall ms each, 8 clients; lock waits show "
                  "here):")
            for position, sql in enumerate(labels):
                spent = per_position.get(position) or [0.0]
                print(f"   {1000 * sum(spent) / len(spent):6.2f}  "
                      + " ".join(sql.split())[:140])
        await db.stop()
        return {"n": len(work), "seconds": elapsed, "statements": statements, "cpu": cpu,
                "backend_cpu": backend}

    queue.put(asyncio.run(main()))


def run_payments(url: str, needs_count: int, clients: int, processes: int,
                 ledger_only: bool = False, show: bool = False) -> dict:
    """Prepare, then confirm every need with ``clients`` clients over ``processes`` (or, with
    ``ledger_only``, post the same payments straight through the credits service)."""
    _reset_database(url)
    work = asyncio.run(_prepare(url, needs_count, clients))
    per_process = max(1, clients // processes)
    by_requester: dict[int, list[tuple[int, int]]] = {}
    for item in work:  # each client pays for its own requester: independent payments
        by_requester.setdefault(item[1], []).append(item)
    groups = list(by_requester.values())
    slices = [[item for group in groups[i::processes] for item in group]
              for i in range(processes)]
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    start_at = time.time() + 6.0
    procs = [ctx.Process(target=_worker, args=(url, s, per_process, start_at, queue,
                                               ledger_only, show and i == 0))
             for i, s in enumerate(slices)]
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    done = sum(r["n"] for r in results)
    elapsed = max(r["seconds"] for r in results)
    statements = sum(r["statements"] for r in results)
    return {"payments": done, "seconds": elapsed, "per_second": done / elapsed,
            "statements": statements / max(done, 1),
            "cpu_ms": 1000 * sum(r["cpu"] for r in results) / max(done, 1),
            "backend_cpu_ms": 1000 * sum(r["backend_cpu"] for r in results) / max(done, 1)}


def _check_chain(url: str) -> tuple[bool, int, float]:
    async def go():
        from yizhan.core import db
        from yizhan.core.services import communities
        from yizhan.plugins.credits import verify

        db.use(url)
        await db.start()
        community = await communities.get_community("bench")
        began = time.perf_counter()
        result = await verify.verify(community["id"], record=False)
        took = time.perf_counter() - began
        await db.stop()
        return result.ok, result.checked, took

    return asyncio.run(go())


def _proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) process ``pid`` used so far (0 when it is gone)."""
    try:
        parts = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")


def _backends_of(database: str) -> list[int]:
    """The pids of the PostgreSQL backends connected to ``database`` (their process titles
    name it: ``postgres: user database host(port) …``)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if title.startswith("postgres: ") and f" {database} " in title:
            found.append(int(entry.name))
    return found


def run_pgbench(url: str, clients: int, seconds: int, scale: int) -> dict:
    """pgbench's default (TPC-B-like) transactions per second, in a database of its own, and
    its CPU per transaction: pgbench's own (the clients) and its backends' (read from /proc
    every half second while it runs)."""
    import resource
    import threading

    parsed = urlparse(url)
    name = parsed.path.lstrip("/") + "_pgbench"
    base = url.rsplit("/", 1)[0]
    _reset_database(f"{base}/{name}")
    common = ["-h", parsed.hostname or "127.0.0.1", "-p", str(parsed.port or 5432),
              "-U", parsed.username or "postgres"]
    subprocess.run([PGBENCH, "-i", "-q", "-s", str(scale), *common, name], check=True,
                   capture_output=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen([PGBENCH, "-c", str(clients), "-j", str(min(clients, 2)), "-T",
                             str(seconds), *common, name], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    backends: dict[int, float] = {}
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.5):
            for pid in _backends_of(name):
                backends[pid] = max(backends.get(pid, 0.0), _proc_cpu(pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = proc.communicate()
    stop.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    client_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    match = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out)
    tps = float(match.group(1)) if match else float("nan")
    count = re.search(r"number of transactions actually processed: (\d+)", out)
    done = int(count.group(1)) if count else 0
    return {"tps": tps, "client_ms": 1000 * client_cpu / max(done, 1),
            "server_ms": 1000 * sum(backends.values()) / max(done, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--needs", type=int, default=2400)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--pgbench-seconds", type=int, default=20)
    parser.add_argument("--show-statements", action="store_true",
                        help="print the SQL of one payment on the real path")
    parser.add_argument("--skip-ledger-only", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    kind = urlparse(args.database).scheme
    print(f"database: {kind}  clients: {args.clients}  processes: {args.processes}")
    ledger = None
    if not args.skip_ledger_only:
        ledger = run_payments(args.database, args.needs, args.clients, args.processes, True)
        ok, checked, _ = _check_chain(args.database)
        print(f"ledger only: {ledger['payments']} payments in {ledger['seconds']:.2f} s = "
              f"{ledger['per_second']:.0f} payments/s, {ledger['statements']:.1f} statements "
              f"each (service.transfer, hash chain included; "
              f"chain {'verifies' if ok else 'BROKEN'}, {checked} transactions)")
    result = run_payments(args.database, args.needs, args.clients, args.processes,
                          show=args.show_statements)
    ok, checked, verify_s = _check_chain(args.database)
    print(f"real path: {result['payments']} in {result['seconds']:.2f} s = "
          f"{result['per_second']:.0f} payments/s, {result['statements']:.1f} SQL statements "
          "per confirmation (confirm a need -> pay the helper; BEGIN/COMMIT not counted)")
    print(f"CPU per confirmation: {result['cpu_ms']:.2f} ms in the Python processes, "
          f"{result['backend_cpu_ms']:.2f} ms in their PostgreSQL backends")
    print(f"chain after the run: {'verifies' if ok else 'BROKEN'} ({checked} transactions, "
          f"verified in {verify_s:.2f} s)")
    if kind.startswith("postgres") and Path(PGBENCH).exists():
        for scale in (1, args.clients):
            bench = run_pgbench(args.database, args.clients, args.pgbench_seconds, scale)
            tps = bench["tps"]
            also = (f", ledger only/pgbench = {ledger['per_second'] / tps:.2f}"
                    if ledger else "")
            print(f"pgbench TPC-B-like (5 statements), scale {scale}, {args.clients} clients: "
                  f"{tps:.0f} tps (CPU per transaction: {bench['client_ms']:.2f} ms pgbench, "
                  f"{bench['server_ms']:.2f} ms backends); ratio real path/pgbench = "
                  f"{result['per_second'] / tps:.2f}{also}")
            if scale == 1:
                from bench.common import record

                record(f"payments (real path) ÷ pgbench TPC-B, {args.clients} clients",
                       result["per_second"] / tps, ">= 0.5",
                       f"{result['per_second']:.0f} payments/s ÷ {tps:.0f} tps; "
                       f"{result['statements']:.0f} statements per confirmation",
                       "PostgreSQL")


if __name__ == "__main__":
    main()
