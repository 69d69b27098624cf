"""Due dates: a reminder the day before, another at the due time (to both), once each."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime

from toollib_helpers import LOANS, act, configure, inbox, lent, remind, switch


async def test_the_borrower_is_reminded_before_and_at_the_due_date(toollib_on, resident,
                                                                   neighbour, clock):
    loan = await lent(neighbour, resident)  # 3 days: due Thursday 5 November, 09:00 local
    assert await remind() == 0
    clock.advance(days=2, hours=-1)  # 25 hours before
    assert await remind() == 0
    clock.advance(hours=1)  # 24 hours before
    assert await remind() == 1
    assert await remind() == 0  # once
    (soon, _lent) = await inbox(resident)
    assert soon == {"kind": "toollib.due_soon", "body": "Please bring \u201cBosch drill\u201d "
                                                        "back to Neighbour1 by 2026-11-05 09:00."}
    overdue = (await neighbour.gql.data(LOANS, {"r": "LENDING", "o": True}))["toolLoans"]
    assert overdue["nodes"] == []

    clock.advance(days=1)
    assert await remind() == 1
    assert await remind() == 0
    assert (await inbox(resident))[0] == {
        "kind": "toollib.due",
        "body": "\u201cBosch drill\u201d is due back to Neighbour1 now (2026-11-05 09:00)."}
    assert (await inbox(neighbour))[0] == {
        "kind": "toollib.overdue",
        "body": "\u201cBosch drill\u201d lent to Resident1 was due back at 2026-11-05 09:00."}
    clock.advance(minutes=1)
    (late,) = (await neighbour.gql.data(LOANS, {"r": "LENDING", "o": True}))["toolLoans"]["nodes"]
    assert late["id"] == loan["id"] and late["overdue"] is True

    returned = await act(neighbour, "returnTool", loan)
    assert returned["loan"]["overdue"] is False
    clock.advance(days=5)
    assert await remind() == 0


async def test_an_extension_moves_the_due_date_and_the_reminders(toollib_on, resident,
                                                                 neighbour, clock):
    loan = await lent(neighbour, resident)
    clock.advance(days=2)
    assert await remind() == 1  # due soon
    extended = await act(neighbour, "extendToolLoan", loan, days=2)
    assert extended["errors"] == []
    assert extended["loan"]["dueAt"] == "2026-11-07T01:00:00+00:00"
    assert extended["loan"]["days"] == 5
    assert (await inbox(resident))[0]["body"] == (
        "You may keep \u201cBosch drill\u201d until 2026-11-07 09:00.")
    clock.advance(days=1)
    assert await remind() == 0  # the old date passes quietly
    clock.advance(days=1)
    assert await remind() == 1  # due soon again, for the new date
    assert await resident.gql.error_code(
        "mutation($i: ExtendToolLoanInput!) { extendToolLoan(input: $i) { errors { code } } }",
        {"i": {"loanId": loan["id"], "days": 2}}) == "FORBIDDEN"
    too_long = await act(neighbour, "extendToolLoan", loan, days=31)
    assert [(e["field"], e["code"]) for e in too_long["errors"]] == [("days", "OUT_OF_RANGE")]


async def test_no_early_reminder_when_the_setting_is_zero(toollib_on, resident, neighbour,
                                                          clock, admin):
    await configure(admin, "toollib", remind_before_hours=0)
    await lent(neighbour, resident)
    clock.advance(days=2, hours=23)
    assert await remind() == 0
    clock.advance(hours=1)
    assert await remind() == 1
    assert [n["kind"] for n in await inbox(resident)] == ["toollib.due", "toollib.lent"]


async def test_reminders_wait_while_the_plugin_is_off(toollib_on, resident, neighbour, clock,
                                                     admin):
    await lent(neighbour, resident)
    await switch(admin, "toollib", False)
    clock.advance(days=4)
    assert await remind() == 0
    await switch(admin, "toollib", True)
    assert await remind() == 1


async def test_the_cli_lists_overdue_loans(toollib_on, resident, neighbour, clock, yizhan_db):
    # The CLI runs in its own process on the real clock: lend in 2020, so the loan is overdue
    # whenever this runs.
    clock.set(datetime(2020, 1, 6, 1, 0, tzinfo=UTC))
    await lent(neighbour, resident, name="Aluminium ladder", category="ladder")
    env = {**os.environ, "YIZHAN_DATABASE_URL": yizhan_db}

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "yizhan.cli.main", "toollib", *args,
                               "-c", "testville", "--json"], env=env, capture_output=True,
                              text=True, timeout=60)

    result = cli("overdue")
    assert result.returncode == 0, result.stderr
    (row,) = json.loads(result.stdout)
    assert row["tool"] == "Aluminium ladder" and row["borrower"] == "Resident1"
    assert row["due"] == "2020-01-09 09:00"
    shelf = json.loads(cli("tools").stdout)
    assert [(t["name"], t["available"]) for t in shelf] == [("Aluminium ladder", False)]
