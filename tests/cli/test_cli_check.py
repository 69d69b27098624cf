"""``yizhan check``: risky deployments are named with a stable code and a fix, scripts get an
exit status, and ``yizhan serve`` refuses to start in production on a critical finding."""

from __future__ import annotations

import json

import pytest

from yizhan.testing.cli import run_yizhan

hook = pytest.mark.hook


def findings(result) -> dict[str, dict]:
    assert not result.stderr.strip() or "error:" not in result.stderr, result.stderr
    return {f["code"]: f for f in json.loads(result.stdout)}


def test_check_names_an_unset_public_url_and_production_risks(fresh_database_url):
    url = fresh_database_url
    assert run_yizhan("init", "--demo", database_url=url).returncode == 0
    unset = run_yizhan("check", "--json", database_url=url)
    assert unset.returncode == 1
    found = findings(unset)
    assert found["PUBLIC_URL_UNSET"]["level"] == "critical"
    assert "YIZHAN_PUBLIC_URL" in found["PUBLIC_URL_UNSET"]["fix"]
    assert "PENDING_MIGRATIONS" not in found

    good = run_yizhan("check", "--json", database_url=url,
                      env={"YIZHAN_PUBLIC_URL": "https://shuixie.example.org"})
    assert "PUBLIC_URL_UNSET" not in findings(good)
    assert good.returncode == 0  # only warnings left (no jobs ran, no backup)
    strict = run_yizhan("check", "--strict", database_url=url,
                        env={"YIZHAN_PUBLIC_URL": "https://shuixie.example.org"})
    assert strict.returncode == 1 and "JOBS_NOT_RUNNING" in strict.stdout

    production = run_yizhan("check", "--json", database_url=url,
                            env={"YIZHAN_PRODUCTION": "1",
                                 "YIZHAN_PUBLIC_URL": "https://shuixie.example.org"})
    codes = findings(production)
    assert "INTROSPECTION_IN_PRODUCTION" not in codes  # off by default in production
    if url.startswith("sqlite"):
        assert codes["SQLITE_IN_PRODUCTION"]["level"] == "warning"
    opened = run_yizhan("check", "--json", database_url=url,
                        env={"YIZHAN_PRODUCTION": "1", "YIZHAN_INTROSPECTION": "on",
                             "YIZHAN_PUBLIC_URL": "https://shuixie.example.org"})
    assert opened.returncode == 1
    assert findings(opened)["INTROSPECTION_IN_PRODUCTION"]["level"] == "critical"
    admins = run_yizhan("check", "--json", database_url=url,
                        env={"YIZHAN_PRODUCTION": "1", "YIZHAN_INTROSPECTION": "admins",
                             "YIZHAN_PUBLIC_URL": "https://shuixie.example.org"})
    assert "INTROSPECTION_IN_PRODUCTION" not in findings(admins)


def test_serve_refuses_to_start_in_production_on_a_critical_finding(fresh_database_url):
    url = fresh_database_url
    assert run_yizhan("init", "--demo", database_url=url).returncode == 0
    refused = run_yizhan("serve", "--port", "1", database_url=url,
                         env={"YIZHAN_PRODUCTION": "1"})
    assert refused.returncode == 1
    assert "[PUBLIC_URL_UNSET]" in refused.stderr
    assert refused.stderr.strip().splitlines()[-1].endswith("[CHECK_FAILED]")
    assert "Traceback" not in refused.stderr


def test_pending_migrations_are_critical(fresh_database_url):
    # A database nobody migrated: every app's migrations are pending.
    result = run_yizhan("check", "--json", database_url=fresh_database_url)
    found = findings(result)
    assert result.returncode == 1
    assert found["PENDING_MIGRATIONS"]["level"] == "critical"
    assert "core" in found["PENDING_MIGRATIONS"]["message"]


@hook("yizhan_register_checks")
async def test_plugins_add_their_own_checks(community, clock):
    from yizhan.core.checks import run_checks
    from yizhan.plugins.webhooks.tables import WebhookDelivery, WebhookSubscription

    assert "WEBHOOK_BACKLOG" not in {f.code for f in await run_checks(clock.now())}
    sub = (await WebhookSubscription.insert(WebhookSubscription(
        community=community["id"], url="http://127.0.0.1:9/hook", secret="s",
        created_at=clock.now())).returning(WebhookSubscription.id))[0]["id"]
    await WebhookDelivery.insert(WebhookDelivery(
        community=community["id"], subscription=sub, event="need.posted", body="{}",
        status="pending", next_attempt_at=clock.now(), created_at=clock.now()))
    clock.advance(minutes=20)
    backlog = [f for f in await run_checks(clock.now()) if f.code == "WEBHOOK_BACKLOG"]
    assert len(backlog) == 1 and backlog[0].level == "warning"
    assert "1 webhook deliveries" in backlog[0].message
