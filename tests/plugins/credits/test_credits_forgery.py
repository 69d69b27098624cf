"""Forgeries that the hash chain alone would not reveal, each caught by ``ledger verify`` (the
CLI and the admin query), and the daily anchoring of the chain head that catches a rewritten
history. Run on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest_asyncio
from credits_helpers import help_with, post_need

from yizhan.core import db, jobs
from yizhan.core.services import needs
from yizhan.core.tables import Notice, Outbox
from yizhan.plugins.credits import anchors, chain, service, vouchers
from yizhan.plugins.credits.tables import CreditAnchor, CreditTransaction

VERIFY = """query { creditChainVerification(community: "testville") {
  ok checked firstBadSeq firstBadTransactionId problem account message } }"""


@pytest_asyncio.fixture
async def five(credits_on, resident, neighbour) -> list[dict]:
    """Five transactions: a funding, then four paid needs."""
    await service.transfer(credits_on, "issuance", "community_fund", 1000, kind="funding",
                           reason="Budget", key="budget")
    for credits in ("0.20", "1.00", "0.50", "2.00"):
        await help_with(credits_on, resident.member, neighbour.member, credits)
    return await CreditTransaction.select().order_by(CreditTransaction.seq)


async def verify_as(admin) -> dict:
    return (await admin.gql.data(VERIFY))["creditChainVerification"]


async def _account_id(community: dict, code: str) -> int:
    return (await db.raw("SELECT id FROM yz_credit_account WHERE community = {} AND code = {}",
                         community["id"], code))[0]["id"]


async def _forge_outside_chain(community: dict, member_id: int, amount: int) -> int:
    """Insert a transaction with no place in the chain, its postings and matching balances."""
    rows = await db.raw(
        "INSERT INTO yz_credit_tx (community, seq, kind, reason, source_kind, source_id, "
        "idempotency_key, amount_centi, actor, reverses, created_us, prev_hash, hash, "
        "reason_msgid, reason_params) VALUES ({}, NULL, 'funding', 'gift', '', '', 'forged', "
        "{}, NULL, NULL, 1, '', '', '', '{{}}') RETURNING id", community["id"], amount)
    tx_id = rows[0]["id"]
    target = await _account_id(community, f"member:{member_id}")
    issuance = await _account_id(community, "issuance")
    for account, value in ((target, amount), (issuance, -amount)):
        await db.raw("INSERT INTO yz_credit_posting (community, tx, account, amount_centi, "
                     "balance_after_centi) VALUES ({}, {}, {}, {}, 0)",
                     community["id"], tx_id, account, value)
        await db.raw("UPDATE yz_credit_account SET balance_centi = balance_centi + {} "
                     "WHERE id = {}", value, account)
    return tx_id


async def test_a_transaction_inserted_outside_the_chain_is_caught(five, credits_on, admin,
                                                                  neighbour):
    tx_id = await _forge_outside_chain(credits_on, neighbour.member_id, 1000_00)
    result = await verify_as(admin)
    assert (result["ok"], result["problem"]) == (False, "OUTSIDE_CHAIN")
    assert result["firstBadTransactionId"] is not None
    assert f"transaction id {tx_id}:" in result["message"]
    assert "no place in the chain" in result["message"]
    assert result["checked"] == 5


async def test_a_posting_labelled_with_another_community_is_caught(five, credits_on, admin):
    await db.raw("UPDATE yz_credit_posting SET community = community + 1000 WHERE tx = {} "
                 "AND amount_centi > 0", five[2]["id"])
    result = await verify_as(admin)
    assert (result["ok"], result["problem"]) == (False, "COMMUNITY_MISMATCH")
    assert "another community" in result["message"]


async def test_a_posting_moved_into_another_communitys_transaction_is_caught(
        five, credits_on, admin):
    """The posting joins a transaction of this community from an account of another one."""
    from yizhan.core.services import communities, plugin_admin

    other = await communities.create_community("otherville", "Otherville")
    await plugin_admin.enable(other, "credits")
    foreign = await _account_id(other, "community_fund")
    await db.raw("UPDATE yz_credit_posting SET account = {} WHERE tx = {} AND amount_centi < 0",
                 foreign, five[0]["id"])
    result = await verify_as(admin)
    assert result["ok"] is False and result["problem"] in ("HASH_MISMATCH",
                                                           "COMMUNITY_MISMATCH")


async def test_swapping_which_member_owns_two_accounts_is_caught(five, credits_on, admin,
                                                                 resident, neighbour):
    a = await _account_id(credits_on, f"member:{resident.member_id}")
    b = await _account_id(credits_on, f"member:{neighbour.member_id}")
    # Codes are unique: move one aside first, as a forger would.
    await db.raw("UPDATE yz_credit_account SET code = 'swap', member = NULL WHERE id = {}", a)
    await db.raw("UPDATE yz_credit_account SET code = {}, member = {} WHERE id = {}",
                 f"member:{resident.member_id}", resident.member_id, b)
    await db.raw("UPDATE yz_credit_account SET code = {}, member = {} WHERE id = {}",
                 f"member:{neighbour.member_id}", neighbour.member_id, a)
    result = await verify_as(admin)
    assert (result["ok"], result["problem"], result["firstBadSeq"]) == (
        False, "HASH_MISMATCH", 2)


async def test_changing_only_an_accounts_member_is_caught(five, credits_on, admin, resident,
                                                          neighbour):
    await db.raw("UPDATE yz_credit_account SET member = {} WHERE code = {}",
                 neighbour.member_id, f"member:{resident.member_id}")
    result = await verify_as(admin)
    assert (result["ok"], result["problem"], result["account"]) == (
        False, "OWNER_MISMATCH", f"member:{resident.member_id}")
    assert "owner" in result["message"]


async def test_wiping_held_credits_is_caught(five, credits_on, admin, resident, neighbour):
    need = await post_need(credits_on, resident.member, "3.00")
    await needs.accept(credits_on, neighbour.member, need["id"])
    assert (await verify_as(admin))["ok"] is True
    await db.raw("UPDATE yz_credit_account SET held_centi = 0 WHERE code = {}",
                 f"member:{resident.member_id}")
    result = await verify_as(admin)
    assert (result["ok"], result["problem"], result["account"]) == (
        False, "HELD_MISMATCH", f"member:{resident.member_id}")
    assert "open holds" in result["message"]


async def test_wiping_incoming_or_the_voucher_reserve_is_caught(five, credits_on, admin,
                                                                resident, neighbour, clock):
    from datetime import timedelta

    await vouchers.issue(credits_on, count=3, amount=100,
                         expires_on=(clock.now() + timedelta(days=30)).date())
    need = await post_need(credits_on, resident.member, "3.00")
    await needs.accept(credits_on, neighbour.member, need["id"])
    assert (await verify_as(admin))["ok"] is True
    await db.raw("UPDATE yz_credit_account SET held_centi = 0 WHERE code = 'voucher_reserve'")
    assert ((await verify_as(admin))["problem"], (await verify_as(admin))["account"]) == (
        "HELD_MISMATCH", "voucher_reserve")
    await db.raw("UPDATE yz_credit_account SET held_centi = 300 "
                 "WHERE code = 'voucher_reserve'")
    await db.raw("UPDATE yz_credit_account SET incoming_centi = 0 WHERE code = {}",
                 f"member:{neighbour.member_id}")
    result = await verify_as(admin)
    assert (result["problem"], result["account"]) == (
        "HELD_MISMATCH", f"member:{neighbour.member_id}")


async def test_a_recomputed_hash_names_both_candidates(five, admin):
    tx = five[1]
    await db.raw("UPDATE yz_credit_tx SET reason = 'forged' WHERE id = {}", tx["id"])
    postings = [(p["account"], p["amount_centi"], p["code"]) for p in await db.raw(
        "SELECT p.account, p.amount_centi, a.code FROM yz_credit_posting p "
        "JOIN yz_credit_account a ON a.id = p.account WHERE p.tx = {}", tx["id"])]
    await db.raw("UPDATE yz_credit_tx SET hash = {} WHERE id = {}",
                 chain.compute_hash(tx["prev_hash"], {**tx, "reason": "forged"}, postings),
                 tx["id"])
    result = await verify_as(admin)
    assert (result["ok"], result["firstBadSeq"], result["problem"]) == (
        False, 3, "BROKEN_LINK")
    assert "#2 was changed" in result["message"] and "#3 was moved" in result["message"]


async def _rewrite_whole_chain(community: dict) -> None:
    """Change transaction #2 and recompute every hash after it, and the head: the chain alone
    verifies again."""
    rows = await CreditTransaction.select().where(
        CreditTransaction.community == community["id"]).order_by(CreditTransaction.seq)
    prev = chain.GENESIS
    for tx in rows:
        if tx["seq"] == 2:
            tx["reason"] = "rewritten"
        postings = [(p["account"], p["amount_centi"], p["code"]) for p in await db.raw(
            "SELECT p.account, p.amount_centi, a.code FROM yz_credit_posting p "
            "JOIN yz_credit_account a ON a.id = p.account WHERE p.tx = {}", tx["id"])]
        tx["prev_hash"] = prev
        prev = chain.compute_hash(prev, tx, postings)
        await db.raw("UPDATE yz_credit_tx SET reason = {}, prev_hash = {}, hash = {} "
                     "WHERE id = {}", tx["reason"], tx["prev_hash"], prev, tx["id"])
    await db.raw("UPDATE yz_credit_chain_head SET hash = {} WHERE community = {}", prev,
                 community["id"])


async def test_a_rewritten_history_is_caught_by_a_published_head(five, credits_on, admin,
                                                                 clock):
    published = await jobs.run_due(force=True, only="credits.publish_heads")
    assert published["credits.publish_heads"] == 1
    anchor = await anchors.latest(credits_on["id"])
    assert (anchor["seq"], anchor["hash"]) == (5, five[-1]["hash"])
    notice = await Notice.select().where(Notice.id == anchor["notice"]).first()
    assert notice["source"] == "credits" and five[-1]["hash"] in notice["body"]
    event = await Outbox.select().where(Outbox.kind == "credits.chain_head").first()
    assert json.loads(event["payload"])["hash"] == five[-1]["hash"]
    assert (await verify_as(admin))["ok"] is True

    await _rewrite_whole_chain(credits_on)
    result = await verify_as(admin)
    assert (result["ok"], result["problem"], result["firstBadSeq"]) == (
        False, "ANCHOR_MISMATCH", 5)
    assert "head #5 published on" in result["message"] and "rewritten" in result["message"]


async def test_without_a_published_head_a_rewrite_passes_by_design(five, credits_on, admin):
    await _rewrite_whole_chain(credits_on)
    assert (await verify_as(admin))["ok"] is True


async def test_the_head_is_published_once_a_day_when_it_moved(five, credits_on, resident,
                                                              neighbour, clock):
    await anchors.publish_due(clock.now())
    assert await CreditAnchor.count() == 1
    await help_with(credits_on, resident.member, neighbour.member, "0.10")
    assert await anchors.publish_due(clock.now()) == 0  # once a day
    clock.advance(days=1)
    assert await anchors.publish_due(clock.now()) == 1
    clock.advance(days=1)
    assert await anchors.publish_due(clock.now()) == 0  # the chain did not move
    assert [a["seq"] for a in await anchors.list_anchors(credits_on["id"])] == [6, 5]


def test_the_cli_names_each_forgery(forged_outside, cli):
    run = cli("ledger", "verify", "-c", "testville", "--json")
    assert run.exit_code == 1
    data = json.loads(run.stdout)
    assert (data["ok"], data["problem"]) == (False, "OUTSIDE_CHAIN")
    text = cli("ledger", "verify", "-c", "testville")
    assert text.exit_code == 1 and "FAILED: transaction id" in text.stdout


def test_the_cli_publishes_the_head_and_verify_checks_it(five, cli):
    run = cli("ledger", "anchor", "-c", "testville", "--json")
    assert run.exit_code == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["published"] == {"seq": 5, "hash": five[-1]["hash"]}
    again = json.loads(cli("ledger", "anchor", "-c", "testville", "--json").stdout)
    assert again["published"] is None and len(again["anchors"]) == 1
    assert cli("ledger", "verify", "-c", "testville").exit_code == 0


@pytest_asyncio.fixture
async def forged_outside(five, credits_on, neighbour) -> dict:
    await _forge_outside_chain(credits_on, neighbour.member_id, 1000_00)
    return credits_on
