"""The ``yizhan ledger`` and ``yizhan vouchers`` commands."""

import csv
import io
import json

import pytest_asyncio
from credits_helpers import help_with

from yizhan.core import db
from yizhan.plugins.credits import service


@pytest_asyncio.fixture
async def paid(credits_on, resident, neighbour) -> dict:
    """Two paid needs between resident1 and neighbour1."""
    await help_with(credits_on, resident.member, neighbour.member, "0.20")
    await help_with(credits_on, resident.member, neighbour.member, "1.30")
    return credits_on


@pytest_asyncio.fixture
async def tampered(paid) -> dict:
    """The second payment's amounts changed behind the ledger's back."""
    await db.raw("UPDATE yz_credit_posting SET amount_centi = amount_centi * 3 "
                 "WHERE tx = (SELECT id FROM yz_credit_tx WHERE seq = 2)")
    return paid


def test_verify_reports_ok(paid, cli):
    run = cli("ledger", "verify", "-c", "testville")
    assert run.exit_code == 0, run.stderr
    assert run.stdout.startswith("OK: The chain of 2 transactions verifies.")
    data = json.loads(cli("ledger", "verify", "-c", "testville", "--json").stdout)
    assert data["ok"] is True and data["head_seq"] == 2


def test_verify_names_the_first_bad_transaction_and_fails(tampered, cli):
    run = cli("ledger", "verify", "-c", "testville", "--json")
    assert run.exit_code == 1
    data = json.loads(run.stdout)
    assert (data["ok"], data["first_bad_seq"], data["problem"]) == (False, 2, "HASH_MISMATCH")


def test_balance_and_statement(paid, cli):
    run = cli("ledger", "balance", "-c", "testville", "--member", "neighbour1", "--json")
    assert run.exit_code == 0, run.stderr
    assert json.loads(run.stdout)[0]["balance"] == "1.50"
    every = json.loads(cli("ledger", "balance", "-c", "testville", "--json").stdout)
    assert {"issuance", "community_fund", "voucher_reserve", "compensation_fund",
            "leader_pool", "expired"} <= {a["code"] for a in every}
    run = cli("ledger", "statement", "-c", "testville", "--member", "resident1", "--csv")
    assert run.exit_code == 0, run.stderr
    rows = list(csv.DictReader(io.StringIO(run.stdout)))
    assert [(r["seq"], r["amount"], r["balance_after"]) for r in rows] == [
        ("2", "-1.30", "-1.50"), ("1", "-0.20", "-0.20")]
    assert rows[0]["kind"] == "need_payment" and len(rows[0]["hash"]) == 64


def test_refusals_are_one_line(paid, cli):
    run = cli("ledger", "balance", "-c", "testville", "--member", "nobody")
    assert run.exit_code == 1 and "[NOT_FOUND]" in run.stderr
    run = cli("ledger", "fund", "-c", "testville", "--to", "member:1", "--amount", "1",
              "--reason", "x")
    assert run.exit_code == 1 and "[SYSTEM_ACCOUNTS_ONLY]" in run.stderr
    run = cli("ledger", "fund", "-c", "testville", "--to", "leader_pool", "--amount", "1.001",
              "--reason", "x")
    assert run.exit_code == 1 and "[INVALID_AMOUNT]" in run.stderr


def test_fund_and_reverse(paid, cli):
    run = cli("ledger", "fund", "-c", "testville", "--to", "leader_pool", "--amount", "20",
              "--reason", "Monthly budget", "--key", "nov", "--json")
    assert run.exit_code == 0, run.stderr
    assert json.loads(run.stdout)["balance"] == "20.00"
    again = json.loads(cli("ledger", "fund", "-c", "testville", "--to", "leader_pool",
                           "--amount", "20", "--reason", "Monthly budget", "--key", "nov",
                           "--json").stdout)
    assert again["replayed"] is True and again["balance"] == "20.00"
    run = cli("ledger", "reverse", "-c", "testville", "--seq", "1", "--reason", "Mistake",
              "--json")
    assert run.exit_code == 0, run.stderr
    assert json.loads(run.stdout)["reverses"] == 1
    run = cli("ledger", "reverse", "-c", "testville", "--seq", "1", "--reason", "Again")
    assert run.exit_code == 1 and "[ALREADY_REVERSED]" in run.stderr


def test_commands_refuse_where_credits_is_off(community, cli):
    run = cli("ledger", "verify", "-c", "testville")
    assert run.exit_code == 1 and "[PLUGIN_DISABLED]" in run.stderr


async def test_service_award_is_visible_to_the_cli(paid, resident):
    await service.award(paid, resident.member_id, 150, reason="Referral", key="ref-1")
    assert (await service.balance(paid, resident.member_id)).balance == 0
