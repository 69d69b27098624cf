"""``yizhan badges define|list|award|revoke|stars`` (in-process, on the test database)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest_asyncio
from badges_helpers import give_help

from yizhan.core.services import plugin_admin


def local(text: str) -> datetime:
    """A Shanghai wall-clock time."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest_asyncio.fixture
async def third_quarter(community, enable_plugin, clock, resident, neighbour, deputy):
    """Badges on since September; the neighbour and the deputy helped in Q3."""
    clock.set(local("2026-09-01 09:00"))
    await enable_plugin(community, "badges")
    await plugin_admin.configure(community, "badges", {"star_min_minutes": 30})
    await give_help(community, neighbour, resident, 90)
    await give_help(community, deputy, resident, 45)
    clock.set(local("2026-10-02 09:00"))
    return community


def test_define_list_award_revoke(badges, resident, cli):
    made = cli("badges", "define", "gallery", "-c", "testville", "--kind", "custom",
               "--name", "Stairwell gallery", "--validity-days", "90", "--json")
    assert made.exit_code == 0, made.stderr
    assert (made.json()["slug"], made.json()["kind"], made.json()["validity_days"]) == (
        "gallery", "custom", 90)
    bad = cli("badges", "define", "oops", "-c", "testville", "--kind", "bogus", "--name", "x")
    assert bad.exit_code == 1 and "[INVALID_KIND]" in bad.stderr
    retired = cli("badges", "define", "gallery", "-c", "testville", "--retire", "--json")
    assert retired.json()["active"] is False

    listed = cli("badges", "list", "-c", "testville", "--json")
    assert "expert-electrician" in [b["slug"] for b in listed.json()]
    assert "gallery" not in [b["slug"] for b in listed.json()]
    table = cli("badges", "list", "-c", "testville")
    assert table.exit_code == 0 and "expert-electrician" in table.stdout

    awarded = cli("badges", "award", "expert-tutor", "resident1", "-c", "testville",
                  "--note", "Diploma seen", "--json")
    assert awarded.exit_code == 0, awarded.stderr
    award_id = awarded.json()["id"]
    assert "/badges/testville/credentials/" in awarded.json()["credential"]
    again = cli("badges", "award", "expert-tutor", "resident1", "-c", "testville")
    assert again.exit_code == 1 and "[ALREADY_HOLDS]" in again.stderr
    nobody = cli("badges", "award", "expert-tutor", "nobody", "-c", "testville")
    assert nobody.exit_code == 1 and "[NOT_FOUND]" in nobody.stderr
    star = cli("badges", "award", "mutual-aid-star", "resident1", "-c", "testville")
    assert star.exit_code == 1 and "[NOT_APPLICABLE]" in star.stderr

    held = cli("badges", "list", "-c", "testville", "--awards", "--username", "resident1",
               "--json")
    assert [(a["id"], a["badge"], a["status"]) for a in held.json()] == [
        (award_id, "expert-tutor", "active")]

    no_reason = cli("badges", "revoke", str(award_id), "-c", "testville")
    assert no_reason.exit_code == 2  # --reason is required
    revoked = cli("badges", "revoke", str(award_id), "-c", "testville", "--reason",
                  "Left the community", "--json")
    assert revoked.json()["status"] == "revoked"
    twice = cli("badges", "revoke", str(award_id), "-c", "testville", "--reason", "x")
    assert twice.exit_code == 1 and "[ALREADY_REVOKED]" in twice.stderr
    missing = cli("badges", "revoke", "99999", "-c", "testville", "--reason", "x")
    assert missing.exit_code == 1 and "[NOT_FOUND]" in missing.stderr


def test_stars_named_once_from_the_cli(third_quarter, cli):
    before = cli("badges", "stars", "-c", "testville", "--quarter", "2026Q3")
    assert before.exit_code == 0 and "No mutual-aid stars named for 2026Q3" in before.stdout
    first = cli("badges", "stars", "-c", "testville", "--quarter", "2026q3", "--run", "--json")
    assert first.exit_code == 0, first.stderr
    result = first.json()
    assert result["made_now"] is True
    assert [(w["rank"], w["name"], w["hours"], w["households"]) for w in result["winners"]] \
        == [(1, "Neighbour1", "1.5", 1), (2, "Deputy1", "0.8", 1)]
    for _ in range(2):
        again = cli("badges", "stars", "-c", "testville", "--run", "--json")  # last quarter
        assert again.json()["made_now"] is False
        assert again.json()["winners"] == result["winners"]
    shown = cli("badges", "stars", "-c", "testville")
    assert "Mutual-aid stars of 2026Q3" in shown.stdout and "Neighbour1" in shown.stdout

    early = cli("badges", "stars", "-c", "testville", "--quarter", "2026Q4", "--run")
    assert early.exit_code == 1 and "[PERIOD_NOT_OVER]" in early.stderr
    bad = cli("badges", "stars", "-c", "testville", "--quarter", "Q3")
    assert bad.exit_code == 1 and "[INVALID_PERIOD]" in bad.stderr


def test_plugin_disabled_in_the_cli(community, cli):
    for args in (("list",), ("define", "x", "--kind", "custom", "--name", "X"),
                 ("award", "expert-tutor", "resident1"), ("revoke", "1", "--reason", "x"),
                 ("stars",)):
        result = cli("badges", *args, "-c", "testville")
        assert result.exit_code == 1, args
        assert "[PLUGIN_DISABLED]" in result.stderr, args


def test_rotate_key(badges, cli):
    rotated = cli("badges", "rotate-key", "-c", "testville", "--json")
    assert rotated.exit_code == 0, rotated.stderr
    assert rotated.json()["kid"] == "key-2"
    assert rotated.json()["url"].endswith("/badges/testville/keys/key-2")
    assert "PRIVATE" not in rotated.stdout
