"""Operations: /metrics through a real server, member CSV import (300 in one go, a faulty
file names its lines and imports nothing), CSV export, backup and restore while serving."""

from __future__ import annotations

import csv
import io

import httpx
import pytest
import pytest_asyncio
from prometheus_client.parser import text_string_to_metric_families

from yizhan.core.services import needs
from yizhan.testing.server import start_server

HEADER = "name,real_name,phone,building,role,status\n"


@pytest.mark.hook("yizhan_register_metrics")
async def test_metrics_are_scraped_with_the_token(yizhan_db, community, enable_plugin):
    await enable_plugin(community, "webhooks")
    server = await start_server(yizhan_db, env={"YIZHAN_METRICS": "token",
                                                "YIZHAN_METRICS_TOKEN": "s3cret"})
    try:
        async with httpx.AsyncClient() as http:
            await http.post(server.graphql_url, json={
                "query": "query Probe { community(slug: \"testville\") { name } }",
                "operationName": "Probe"})
            await http.post(server.graphql_url, json={"query": "{ nope }"})
            assert (await http.get(f"{server.url}/metrics")).status_code == 401
            wrong = await http.get(f"{server.url}/metrics",
                                   headers={"Authorization": "Bearer nope"})
            assert wrong.status_code == 401
            scraped = await http.get(f"{server.url}/metrics",
                                     headers={"Authorization": "Bearer s3cret"})
    finally:
        server.stop()
    assert scraped.status_code == 200
    families = {f.name: f for f in text_string_to_metric_families(scraped.text)}
    requests = {(s.labels["operation"], s.labels["outcome"]): s.value
                for s in families["yizhan_graphql_requests"].samples
                if s.name.endswith("_total")}
    assert requests[("Probe", "ok")] == 1 and requests[("anonymous", "error")] == 1
    assert any(s.name.endswith("_bucket") and s.labels["operation"] == "Probe"
               for s in families["yizhan_graphql_request_duration_seconds"].samples)
    for name in ("yizhan_outbox_backlog", "yizhan_deadlines_overdue",
                 "yizhan_db_pool_connections", "yizhan_webhook_deliveries_pending"):
        assert name in families


async def test_metrics_off_answers_404(yizhan_db):
    server = await start_server(yizhan_db, env={"YIZHAN_METRICS": "off"})
    try:
        async with httpx.AsyncClient() as http:
            assert (await http.get(f"{server.url}/metrics")).status_code == 404
    finally:
        server.stop()


def _members_csv(count: int) -> str:
    rows = [HEADER]
    for n in range(count):
        building = "A" if n % 2 else "B"
        status = "verified" if n % 3 else "pending"
        rows.append(f"居民{n},{'实名' + str(n) if status == 'verified' else ''},"
                    f"139{n:08d},{building},resident,{status}\n")
    return "".join(rows)


def test_three_hundred_members_import_in_one_go(community, cli, tmp_path):
    path = tmp_path / "members.csv"
    path.write_text(_members_csv(300), encoding="utf-8")
    dry = cli("member", "import", str(path), "-c", "testville", "--dry-run", "--json")
    assert dry.exit_code == 0, dry.stderr
    assert dry.json() == {"rows": 300, "imported": 0, "dry_run": True, "errors": []}
    done = cli("member", "import", str(path), "-c", "testville", "--json")
    assert done.exit_code == 0, done.stderr
    assert done.json()["imported"] == 300
    exported = cli("export", "members", "-c", "testville")
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert len(rows) == 300
    assert sum(r["status"] == "verified" for r in rows) == 200
    again = cli("member", "import", str(path), "-c", "testville")
    assert again.exit_code == 1 and "PHONE_TAKEN" in again.stderr


def test_a_faulty_file_names_its_lines_and_imports_nothing(community, cli, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "好人,王好,13900000001,A,resident,verified\n"
                    "没名字,,13900000002,Z,resident,verified\n"
                    ",,12ab,A,boss,maybe\n"
                    "重复,,13900000001,A,resident,pending\n", encoding="utf-8")
    bad = cli("member", "import", str(path), "-c", "testville", "--json")
    assert bad.exit_code == 1
    errors = bad.json()["errors"]
    assert {(e["line"], e["code"]) for e in errors} >= {
        (3, "UNKNOWN_BUILDING"), (3, "REQUIRED"), (4, "REQUIRED"), (4, "INVALID_PHONE"),
        (4, "INVALID_ROLE"), (4, "INVALID_STATUS"), (5, "DUPLICATE")}
    assert 2 not in {e["line"] for e in errors}
    listed = cli("export", "members", "-c", "testville")
    assert len(list(csv.DictReader(io.StringIO(listed.stdout)))) == 0


@pytest_asyncio.fixture
async def paid_help(community, enable_plugin, resident, neighbour, clock):
    """Credits on, and one need paid for, so the ledger has a transaction."""
    from yizhan.plugins.credits import service as credits

    await enable_plugin(community, "credits")
    await credits.award(community, resident.member_id, 500, reason="start", key="start")
    now = clock.now()
    from datetime import timedelta

    need = await needs.post(community, resident.member, title="Parcel", category="errand",
                            window_start=now + timedelta(hours=1),
                            window_end=now + timedelta(hours=2), estimated_minutes=15,
                            credits="1.00")
    await needs.accept(community, neighbour.member, need["id"])
    await needs.mark_done(community, neighbour.member, need["id"])
    await needs.confirm(community, resident.member, need["id"])
    return community


@pytest_asyncio.fixture
async def serving(paid_help, yizhan_server):
    """A real server on the test database while the backup is taken."""
    return yizhan_server


@pytest.mark.hook("yizhan_register_exports")
def test_backup_while_serving_restores_and_verifies(serving, cli, tmp_path):
    ledger = cli("export", "ledger", "-c", "testville")
    assert ledger.exit_code == 0, ledger.stderr
    assert "need_payment" in ledger.stdout and "member:" in ledger.stdout
    target = tmp_path / "yizhan.backup"
    made = cli("backup", "-o", str(target), "--json")
    assert made.exit_code == 0, made.stderr
    assert target.stat().st_size > 0
    refused = cli("restore", str(target))
    assert refused.exit_code == 1 and "[CONFIRMATION_NEEDED]" in refused.stderr
    later = tmp_path / "later.csv"
    later.write_text(HEADER + "后来者,,13700000001,A,resident,pending\n", encoding="utf-8")
    assert cli("member", "import", str(later), "-c", "testville").exit_code == 0
    assert "后来者" in cli("export", "members", "-c", "testville").stdout
    restored = cli("restore", str(target), "--yes", "--json")
    assert restored.exit_code == 0, restored.stderr + restored.stdout
    assert restored.json()["ledgers"] == [
        {"community": "testville", "ok": True, "message": restored.json()["ledgers"][0][
            "message"]}]
    assert "verifies" in restored.json()["ledgers"][0]["message"]
    after = cli("export", "needs", "-c", "testville")
    assert "Parcel" in after.stdout
    assert "后来者" not in cli("export", "members", "-c", "testville").stdout
