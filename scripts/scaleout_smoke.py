"""The smoke flow of scripts/scaleout.sh: the core loop through a served Yizhan whose writes go
through PgBouncer (transaction pooling) to the primary and whose lists read a streaming replica.

Checks: a need posted through PgBouncer reaches the replica; the feed, read from the replica
(seen in the replica's statement log), lists it; accepting, marking done and confirming work
through PgBouncer and pay the helper; PgBouncer served transactions.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx

PASSWORD = "yizhan-demo"


def gql(client: httpx.Client, url: str, query: str, token: str | None = None,
        variables: dict | None = None) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answer = client.post(url, json={"query": query, "variables": variables or {}},
                         headers=headers).json()
    if answer.get("errors"):
        raise SystemExit(f"GraphQL error: {answer['errors']}")
    return answer["data"]


def wait(what: str, check, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (httpx.HTTPError, OSError):
            pass
        time.sleep(0.2)
    raise SystemExit(f"timed out waiting for {what}")


def login(client: httpx.Client, url: str, user: str) -> str:
    data = gql(client, url, "mutation($u: String!, $p: String!) { login(input: "
                            "{identifier: $u, password: $p}) { token errors { code } } }",
               variables={"u": user, "p": PASSWORD})
    return data["login"]["token"]


def step(client, url, token, name, need_id) -> str:
    data = gql(client, url, f"mutation($i: ID!) {{ {name}(input: {{needId: $i}}) "
                            "{ need { status } errors { code message } } }", token,
               {"i": need_id})
    payload = data[name]
    if payload["errors"]:
        raise SystemExit(f"{name}: {payload['errors']}")
    return payload["need"]["status"]


async def replica_has(replica: str, title: str) -> bool:
    conn = await asyncpg.connect(replica)
    try:
        return bool(await conn.fetchval("SELECT count(*) FROM yz_need WHERE title = $1", title))
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--replica", required=True)
    parser.add_argument("--replica-log", required=True)
    parser.add_argument("--bouncer-admin", required=True)
    args = parser.parse_args()
    client = httpx.Client(timeout=30)
    url = args.url
    wait("the server", lambda: client.get(url.replace("/graphql", "/health")).status_code == 200)
    li, chen = login(client, url, "li"), login(client, url, "chen")

    title = f"扩容冒烟测试 {datetime.now(UTC):%H%M%S}"
    start = datetime.now(UTC) + timedelta(hours=2)
    posted = gql(client, url, """mutation($i: PostNeedInput!) { postNeed(input: $i) {
        need { id } errors { code message } } }""", li, {"i": {
        "community": "shuixie", "title": title, "category": "errand",
        "windowStart": start.isoformat(), "windowEnd": (start + timedelta(hours=1)).isoformat(),
        "estimatedMinutes": 15, "credits": "0.30"}})["postNeed"]
    assert not posted["errors"], posted
    need_id = posted["need"]["id"]
    print(f"posted {need_id} through pgbouncer")

    wait("the replica to receive the need",
         lambda: asyncio.run(replica_has(args.replica, title)))
    log_mark = Path(args.replica_log).stat().st_size
    feed = gql(client, url, """{ needs(community: "shuixie", filter: {status: [OPEN]},
        first: 50) { nodes { id title } } }""", chen)["needs"]["nodes"]
    assert need_id in [n["id"] for n in feed], "the feed misses the new need"
    replica_log = Path(args.replica_log).read_text(errors="replace")[log_mark:]
    assert re.search(r'FROM "?yz_need"? WHERE', replica_log), \
        "the feed was not read from the replica"
    print("the feed listed it, read from the replica")

    before = gql(client, url, '{ myCredits(community: "shuixie") { balance } }',
                 chen)["myCredits"]["balance"]
    step(client, url, chen, "acceptNeed", need_id)
    step(client, url, chen, "markNeedDone", need_id)
    step(client, url, li, "confirmNeed", need_id)
    after = gql(client, url, '{ myCredits(community: "shuixie") { balance } }',
                chen)["myCredits"]["balance"]
    from decimal import Decimal

    assert Decimal(after) - Decimal(before) == Decimal("0.30"), (before, after)
    print(f"accepted, done, confirmed: the helper was paid 0.30 ({before} -> {after})")

    stats = subprocess.run(["psql", args.bouncer_admin, "-Atc", "SHOW STATS"],
                           capture_output=True, text=True, check=True).stdout
    row = next(line for line in stats.splitlines() if line.startswith("yizhan|"))
    transactions = int(row.split("|")[1])
    assert transactions > 0, stats
    print(f"pgbouncer served {transactions} transactions")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as error:
        print(f"smoke failed: {error}", file=sys.stderr)
        sys.exit(1)
