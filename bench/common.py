"""Shared helpers for the benchmarks: seeding a community, loading a URL with wrk, recording a
figure for the summary table."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from datetime import timedelta

from yizhan.core import clock, db
from yizhan.core.dbmigrate import migrate
from yizhan.core.services import communities, members, needs, people
from yizhan.core.switches import switches


def database_url() -> str:
    """The database to benchmark: ``YIZHAN_DATABASE_URL`` or a temporary SQLite file."""
    url = os.environ.get("YIZHAN_DATABASE_URL")
    if not url:
        url = f"sqlite:///{tempfile.mkdtemp()}/bench.db"
        os.environ["YIZHAN_DATABASE_URL"] = url
    return url


async def fresh_database() -> str:
    """Point at the bench database, empty it and migrate."""
    url = database_url()
    db.use(url)
    await db.start()
    if db.is_postgres():
        await db.raw("DROP SCHEMA public CASCADE")
        await db.raw("CREATE SCHEMA public")
    await migrate()
    await switches.refresh(force=True)
    return url


async def seed_feed(n_needs: int = 300, n_members: int = 60) -> tuple[dict, str]:
    """A community with members and ``n_needs`` needs (half accepted); returns it and a token."""
    community = await communities.create_community("bench", "Bench", "Asia/Shanghai")
    buildings = [await communities.create_building(community, f"{i}号楼", 200)
                 for i in range(1, 6)]
    crowd = []
    for i in range(n_members):
        person = await people.create_person(f"user{i}", f"邻居{i}", None)
        crowd.append(await members.add_member(community, person["id"],
                                              buildings[i % 5]["id"], "resident", f"实名{i}"))
    now = clock.now()
    for i in range(n_needs):
        requester = crowd[i % n_members]
        need = await needs.post(community, requester, title=f"代取快递 #{i}", category="errand",
                                window_start=now + timedelta(hours=1),
                                window_end=now + timedelta(hours=3), estimated_minutes=15,
                                credits="0.25")
        if i % 2:
            await needs.accept(community, crowd[(i + 1) % n_members], need["id"])
    token, _ = await people.create_login_token(crowd[0]["person"])
    return community, token


def wrk(url: str, body: dict | None, token: str, seconds: int = 10,
        connections: int = 8) -> float:
    """Requests per second from wrk (POST JSON when ``body`` is given); 0 if wrk is missing."""
    if not shutil.which("wrk"):
        return 0.0
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    lines = [f'wrk.headers["{k}"] = "{v}"' for k, v in headers.items()]
    if body is not None:
        lines.append('wrk.method = "POST"')
        lines.append("wrk.body = " + json.dumps(json.dumps(body)))
    script.write("\n".join(lines))
    script.close()
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s",
                          script.name, url], capture_output=True, text=True, check=True).stdout
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise RuntimeError(f"wrk saw {non2xx.group(1)} failed responses:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MiB."""
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def record(figure: str, value: float, goal: str, detail: str = "",
           database: str | None = None) -> None:
    """Note one headline figure for ``bench/summary.py``: appended as a JSON line to the file
    named by ``BENCH_SUMMARY`` (``bench/run.sh`` sets it); nothing when it is unset.

    ``goal`` is ``">= 0.5"``, ``"<= 1.2"`` or ``"<= 3"``; ``detail`` says what was compared
    (the two sides' own figures); ``database`` defaults to the engine's."""
    path = os.environ.get("BENCH_SUMMARY")
    if not path:
        return
    line = {"figure": figure, "value": round(float(value), 3), "goal": goal, "detail": detail,
            "database": database or ("PostgreSQL" if db.is_postgres() else "SQLite")}
    with open(path, "a") as out:
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
