"""``yizhan events create|list|signup|checkin|close|stats|feed``: JSON for scripts, one
``error: … [CODE]`` line and exit 1 on a mistake."""

from __future__ import annotations

import icalendar
import pytest_asyncio


@pytest_asyncio.fixture
async def people(events_on, leader, resident, neighbour, newcomer):
    """The organiser and three members."""
    return leader, resident, neighbour, newcomer


def _create(cli, *extra: str):
    return cli("events", "create", "现金流游戏", "-c", "testville", "--kind", "game",
               "--place", "Activity room", "--start", "2026-11-07T14:00",
               "--end", "2026-11-07T16:30", "--capacity", "2", "--organiser", "leader1",
               "--rrule", "FREQ=WEEKLY;BYDAY=SA;COUNT=3", "--invite", "A,B", *extra)


def test_the_cli_runs_a_session(people, cli, clock):
    made = _create(cli, "--json")
    assert made.exit_code == 0, made.stderr
    event = made.json()
    assert [d["starts"] for d in event["dates"]] == [
        "2026-11-07T14:00:00+08:00", "2026-11-14T14:00:00+08:00", "2026-11-21T14:00:00+08:00"]
    first = str(event["dates"][0]["id"])
    for username in ("resident1", "neighbour1", "newcomer1"):
        done = cli("events", "signup", first, username, "-c", "testville", "--json")
        assert done.exit_code == 0, done.stderr
    assert done.json()["status"] == "waitlisted"
    listed = cli("events", "list", "-c", "testville", "--json").json()
    assert (listed[0]["taken"], listed[0]["waitlist"], len(listed)) == (2, 1, 3)
    table = cli("events", "list", "-c", "testville")
    assert table.exit_code == 0 and "现金流游戏" in table.stdout

    clock.set(clock.now().replace(day=7, hour=6, minute=0))
    by_member = cli("events", "checkin", first, "--member", "resident1", "-c", "testville",
                    "--json")
    assert by_member.exit_code == 0 and by_member.json()["checked_in_at"]
    by_name = cli("events", "checkin", first, "--name", "Neighbour1", "-c", "testville",
                  "--json")
    assert by_name.exit_code == 0, by_name.stderr
    walk = cli("events", "checkin", first, "--member", "deputy1", "--walk-in", "-c",
               "testville")
    assert walk.exit_code == 1 and "[NOT_FOUND]" in walk.stderr  # no such member
    twice = cli("events", "checkin", first, "--member", "resident1", "-c", "testville")
    assert twice.exit_code == 1 and "[ALREADY_CHECKED_IN]" in twice.stderr
    clock.advance(hours=3)
    closed = cli("events", "close", first, "-c", "testville", "--json")
    assert closed.exit_code == 0, closed.stderr
    statuses = sorted(a["status"] for a in closed.json()["attendees"])
    assert statuses == ["cancelled", "completed", "completed"]
    stats = cli("events", "stats", "-c", "testville", "--month", "2026-11", "--json").json()
    assert stats["totals"]["attended"] == 2 and stats["totals"]["first_timers"] == 2
    assert stats["totals"]["conversion"] == "0.0"
    cal = icalendar.Calendar.from_ical(cli("events", "feed", "-c", "testville").stdout)
    assert len(cal.walk("VEVENT")) == 3


def test_cli_refusals_are_one_line_with_a_code(people, cli):
    bad_rule = _create(cli, "--rrule", "FREQ=NEVER")
    assert bad_rule.exit_code == 1 and "[INVALID_RRULE]" in bad_rule.stderr
    bad_date = cli("events", "create", "x", "-c", "testville", "--kind", "game", "--place", "p",
                   "--start", "tomorrow", "--end", "later", "--capacity", "3",
                   "--organiser", "leader1")
    assert bad_date.exit_code == 1 and "[INVALID_DATE]" in bad_date.stderr
    not_leader = _create(cli, "--organiser", "resident1")
    assert not_leader.exit_code == 1 and "[INVALID_ORGANISER]" in not_leader.stderr
    building = _create(cli, "--invite", "Z")
    assert building.exit_code == 1 and "[UNKNOWN_BUILDING]" in building.stderr
    missing = cli("events", "close", "999", "-c", "testville")
    assert missing.exit_code == 1 and "[NOT_FOUND]" in missing.stderr
    listed = cli("events", "list", "-c", "testville", "--json")
    assert listed.json() == []
    off = cli("events", "list", "-c", "nowhere")
    assert off.exit_code == 1 and "error:" in off.stderr
