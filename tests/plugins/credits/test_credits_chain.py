"""The hash chain: verification through the admin query and the CLI, the tamper cases, the
public proof and the rule board (both anonymous)."""

import json

import pytest
import pytest_asyncio
from credits_helpers import help_with

from yizhan.core import db
from yizhan.plugins.credits import chain, service
from yizhan.plugins.credits.tables import CreditTransaction

VERIFY = """query { creditChainVerification(community: "testville") {
  ok checked head { seq hash } firstBadSeq firstBadTransactionId problem account message } }"""

PROOF = """query($seq: Int!) { creditProof(community: "testville", seq: $seq) {
  seq kind amount createdAt hash prevHash postings { account amount }
  contentMatches linkMatches head { seq hash } lastVerifiedAt lastVerificationOk } }"""

BOARD = """query { creditRuleBoard(community: "testville") {
  communityName payer fundPaysOnBehalf creditLimit maxBalance transfersEnabled
  expiry { policy days yearOffset noticeDays } leaderPoolMonthly head { seq hash }
  inCirculation lastVerifiedAt lastVerificationOk } }"""


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


async def test_an_untouched_chain_verifies(five, admin):
    result = await verify_as(admin)
    assert result["ok"] is True and result["checked"] == 5 and result["problem"] is None
    assert result["head"] == {"seq": 5, "hash": five[-1]["hash"]}
    assert [tx["seq"] for tx in five] == [1, 2, 3, 4, 5]
    assert five[0]["prev_hash"] == chain.GENESIS
    assert all(b["prev_hash"] == a["hash"] for a, b in zip(five, five[1:], strict=False))


async def test_a_changed_amount_is_caught(five, admin):
    await db.raw("UPDATE yz_credit_posting SET amount_centi = amount_centi * 10 "
                 "WHERE tx = {} AND amount_centi > 0", five[2]["id"])
    await db.raw("UPDATE yz_credit_posting SET amount_centi = amount_centi * 10 "
                 "WHERE tx = {} AND amount_centi < 0", five[2]["id"])
    result = await verify_as(admin)
    assert (result["ok"], result["firstBadSeq"], result["problem"]) == (
        False, 3, "HASH_MISMATCH")
    assert result["checked"] == 2
    assert "transaction #3" in result["message"]


async def test_a_changed_amount_with_a_recomputed_hash_breaks_the_next_link(five, admin):
    tx = five[1]
    await db.raw("UPDATE yz_credit_tx SET amount_centi = 999, reason = 'forged' WHERE id = {}",
                 tx["id"])
    forged = {**tx, "amount_centi": 999, "reason": "forged"}
    postings = [(p["account"], p["amount_centi"])
                for p in await db.raw("SELECT account, amount_centi FROM yz_credit_posting "
                                      "WHERE tx = {}", tx["id"])]
    await db.raw("UPDATE yz_credit_tx SET hash = {} WHERE id = {}",
                 chain.compute_hash(tx["prev_hash"], forged, postings), tx["id"])
    result = await verify_as(admin)
    assert (result["ok"], result["firstBadSeq"], result["problem"]) == (
        False, 3, "BROKEN_LINK")


async def test_a_deleted_transaction_is_caught(five, admin):
    await db.raw("DELETE FROM yz_credit_posting WHERE tx = {}", five[3]["id"])
    await db.raw("DELETE FROM yz_credit_tx WHERE id = {}", five[3]["id"])
    result = await verify_as(admin)
    assert (result["ok"], result["firstBadSeq"], result["problem"]) == (False, 4, "MISSING")


async def test_a_deleted_posting_is_caught(five, admin):
    await db.raw("DELETE FROM yz_credit_posting WHERE tx = {} AND amount_centi < 0",
                 five[4]["id"])
    result = await verify_as(admin)
    assert (result["ok"], result["firstBadSeq"], result["problem"]) == (
        False, 5, "HASH_MISMATCH")


async def test_the_last_transaction_deleted_is_caught(five, admin):
    await db.raw("DELETE FROM yz_credit_posting WHERE tx = {}", five[4]["id"])
    await db.raw("DELETE FROM yz_credit_tx WHERE id = {}", five[4]["id"])
    result = await verify_as(admin)
    assert (result["ok"], result["firstBadSeq"], result["problem"]) == (
        False, 5, "HEAD_MISMATCH")


async def test_reordered_transactions_are_caught(five, admin):
    a, b = five[1], five[2]
    await db.raw("UPDATE yz_credit_tx SET seq = -1 WHERE id = {}", a["id"])
    await db.raw("UPDATE yz_credit_tx SET seq = {} WHERE id = {}", a["seq"], b["id"])
    await db.raw("UPDATE yz_credit_tx SET seq = {} WHERE id = {}", b["seq"], a["id"])
    result = await verify_as(admin)
    assert (result["ok"], result["firstBadSeq"]) == (False, 2)
    assert result["firstBadTransactionId"] is not None


async def test_a_balance_that_is_not_the_sum_of_its_postings_is_caught(five, admin, neighbour):
    await db.raw("UPDATE yz_credit_account SET balance_centi = balance_centi + 1 "
                 "WHERE code = {}", f"member:{neighbour.member_id}")
    result = await verify_as(admin)
    assert (result["ok"], result["problem"], result["account"]) == (
        False, "BALANCE_MISMATCH", f"member:{neighbour.member_id}")


async def test_only_admins_may_run_the_verification(five, resident):
    assert await resident.gql.error_code(VERIFY) == "FORBIDDEN"


async def test_the_public_proof_needs_no_login_and_shows_no_names(five, gql, admin):
    await verify_as(admin)
    proof = (await gql.data(PROOF, {"seq": 3}))["creditProof"]
    assert proof["seq"] == 3 and proof["kind"] == "need_payment" and proof["amount"] == "1.00"
    assert proof["hash"] == five[2]["hash"] and proof["prevHash"] == five[1]["hash"]
    assert proof["contentMatches"] is True and proof["linkMatches"] is True
    assert proof["head"] == {"seq": 5, "hash": five[-1]["hash"]}
    assert sorted(p["amount"] for p in proof["postings"]) == ["-1.00", "1.00"]
    assert {p["account"] for p in proof["postings"]} == {"member"}
    assert proof["lastVerificationOk"] is True and proof["lastVerifiedAt"]
    text = json.dumps(proof)
    assert "Resident" not in text and "Neighbour" not in text and "parcel" not in text


async def test_the_public_proof_shows_a_tampered_transaction(five, gql):
    await db.raw("UPDATE yz_credit_posting SET amount_centi = amount_centi * 2 WHERE tx = {}",
                 five[2]["id"])
    proof = (await gql.data(PROOF, {"seq": 3}))["creditProof"]
    assert proof["contentMatches"] is False and proof["linkMatches"] is True


async def test_an_unknown_proof_is_not_found(five, gql):
    assert await gql.error_code(PROOF, {"seq": 99}) == "NOT_FOUND"


async def test_the_rule_board_is_public(five, gql, configure):
    await configure(expiry="days", expiry_days=180, leader_pool_monthly="20")
    board = (await gql.data(BOARD))["creditRuleBoard"]
    assert board == {
        "communityName": "Testville", "payer": "requester", "fundPaysOnBehalf": False,
        "creditLimit": "10.00", "maxBalance": "100.00", "transfersEnabled": False,
        "expiry": {"policy": "days", "days": 180, "yearOffset": None, "noticeDays": 30},
        "leaderPoolMonthly": "20.00", "head": {"seq": 5, "hash": five[-1]["hash"]},
        "inCirculation": "3.70", "lastVerifiedAt": None, "lastVerificationOk": None}


async def test_the_chain_of_one_community_ignores_another(five, admin):
    from yizhan.core.services import communities, plugin_admin

    other = await communities.create_community("otherville", "Otherville")
    await plugin_admin.enable(other, "credits")
    await service.transfer(other, "issuance", "community_fund", 100, kind="funding",
                           reason="Budget", key="budget")
    assert (await verify_as(admin))["checked"] == 5
    from yizhan.plugins.credits import verify

    result = await verify.verify(other["id"])
    assert result.ok and result.checked == 1


async def test_texts_of_any_shape_verify(credits_on, resident, admin):
    """The verifier's canonical text (built by PostgreSQL itself there) matches the ledger's
    for Chinese, separators and empty fields."""
    await service.award(credits_on, resident.member_id, 5, reason="张阿姨的酱油 | 1:x ; v1|",
                        key="键:1|2", source_kind="", source_id="a:b;c")
    await service.award(credits_on, resident.member_id, 7, reason="", key="k2")
    result = await verify_as(admin)
    assert result["ok"] is True and result["checked"] == 2


async def test_every_reader_gives_the_same_answer_and_reports_progress(five, credits_on,
                                                                       neighbour):
    """SQLite is read straight through ``sqlite3`` outside a transaction and through the ORM
    inside one (PostgreSQL: its own snapshot either way); both name the same first problem."""
    from yizhan.plugins.credits import verify

    seen: list[tuple[int, int]] = []

    async def both() -> list[tuple]:
        seen.clear()
        outside = await verify.verify(credits_on["id"], progress=lambda *a: seen.append(a),
                                      record=False)
        async with db.atomic():
            inside = await verify.verify(credits_on["id"], record=False)
        return [(r.ok, r.checked, r.first_bad_seq, r.first_bad_id, r.problem, r.account,
                 r.head_seq, r.head_hash) for r in (outside, inside)]

    first, second = await both()
    assert first == second == (True, 5, None, None, None, None, 5, five[-1]["hash"])
    assert seen[-1] == (5, 5)  # the progress bar's last step
    await db.raw("UPDATE yz_credit_account SET balance_centi = balance_centi + 1 "
                 "WHERE member = {}", neighbour.member_id)
    first, second = await both()
    assert first == second and first[4] == "BALANCE_MISMATCH" and seen[-1] == (5, 5)
    await db.raw("UPDATE yz_credit_tx SET reason = 'forged' WHERE id = {}", five[3]["id"])
    first, second = await both()
    assert first == second and first[:5] == (False, 3, 4, five[3]["id"], "HASH_MISMATCH")


async def test_version_1_hashes_verify_and_a_change_to_one_is_caught(five, credits_on, admin):
    """Transactions hashed before account codes were covered (version 1: postings as
    ``account:amount``) still verify on every reader — PostgreSQL builds that text only for a
    transaction whose version-2 hash does not match — and a change to one is still caught."""
    from yizhan.plugins.credits import verify

    prev = chain.GENESIS
    for tx in five[:3]:  # the first three rewritten as version 1, the rest follow them
        postings = await db.raw("SELECT account, amount_centi FROM yz_credit_posting "
                                "WHERE tx = {}", tx["id"])
        codes = await db.raw("SELECT p.account, a.code FROM yz_credit_posting p JOIN "
                             "yz_credit_account a ON a.id = p.account WHERE p.tx = {}", tx["id"])
        assert codes  # (version 2 would cover these codes)
        tx["hash"] = chain.compute_hash(prev, tx, [(p["account"], p["amount_centi"])
                                                   for p in postings])
        await db.raw("UPDATE yz_credit_tx SET prev_hash = {}, hash = {} WHERE id = {}",
                     prev, tx["hash"], tx["id"])
        prev = tx["hash"]
    for tx in five[3:]:
        postings = await db.raw(
            "SELECT p.account, p.amount_centi, a.code FROM yz_credit_posting p JOIN "
            "yz_credit_account a ON a.id = p.account WHERE p.tx = {}", tx["id"])
        tx["hash"] = chain.compute_hash(prev, tx, [(p["account"], p["amount_centi"], p["code"])
                                                   for p in postings])
        await db.raw("UPDATE yz_credit_tx SET prev_hash = {}, hash = {} WHERE id = {}",
                     prev, tx["hash"], tx["id"])
        prev = tx["hash"]
    await db.raw("UPDATE yz_credit_chain_head SET hash = {} WHERE community = {}", prev,
                 credits_on["id"])
    result = await verify_as(admin)
    assert result["ok"] is True and result["checked"] == 5, result
    async with db.atomic():  # the batched reader too
        inside = await verify.verify(credits_on["id"], record=False)
    assert inside.ok and inside.checked == 5
    await db.raw("UPDATE yz_credit_posting SET amount_centi = amount_centi * 2 WHERE tx = {}",
                 five[1]["id"])
    result = await verify_as(admin)
    assert (result["ok"], result["firstBadSeq"], result["problem"]) == (
        False, 2, "HASH_MISMATCH")


async def _delete(*txs: dict) -> None:
    for tx in txs:
        await db.raw("DELETE FROM yz_credit_posting WHERE tx = {}", tx["id"])
        await db.raw("DELETE FROM yz_credit_tx WHERE id = {}", tx["id"])


async def _double(tx: dict) -> None:
    await db.raw("UPDATE yz_credit_posting SET amount_centi = amount_centi * 2 WHERE tx = {}",
                 tx["id"])


async def _relink(tx: dict) -> None:
    """Point the transaction at a made-up previous hash and recompute its own hash."""
    postings = [(p["account"], p["amount_centi"], p["code"]) for p in await db.raw(
        "SELECT p.account, p.amount_centi, a.code FROM yz_credit_posting p "
        "JOIN yz_credit_account a ON a.id = p.account WHERE p.tx = {}", tx["id"])]
    made_up = "f" * 64
    await db.raw("UPDATE yz_credit_tx SET prev_hash = {}, hash = {} WHERE id = {}", made_up,
                 chain.compute_hash(made_up, tx, postings), tx["id"])


async def _both(five: list[dict]) -> None:
    await _double(five[3])
    await _double(five[0])


#: PostgreSQL checks a chain in two halves on two connections, split after ``head // 2`` (here
#: after #2 of 5) and stitched; a forgery on either side of the split, or on both, is named as
#: one walk from the start names it: (forge, first bad seq, problem, transactions checked).
AT_THE_SPLIT = {
    "the last of the first half deleted": (lambda f: _delete(f[1]), 2, "MISSING", 1),
    "the first of the second half deleted": (lambda f: _delete(f[2]), 3, "MISSING", 2),
    "everything from the first half's last deleted": (lambda f: _delete(*f[1:]), 2,
                                                      "HEAD_MISMATCH", 1),
    "the last of the first half changed": (lambda f: _double(f[1]), 2, "HASH_MISMATCH", 1),
    "the first of the second half relinked": (lambda f: _relink(f[2]), 3, "BROKEN_LINK", 2),
    "a change in the second half only": (lambda f: _double(f[3]), 4, "HASH_MISMATCH", 3),
    "changes in both halves": (lambda f: _both(f), 1, "HASH_MISMATCH", 0),
}


@pytest.mark.parametrize("case", list(AT_THE_SPLIT))
async def test_a_forgery_at_the_split_is_named_as_one_walk_names_it(five, credits_on, admin,
                                                                      case):
    from yizhan.plugins.credits import verify

    forge, seq, problem, checked = AT_THE_SPLIT[case]
    await forge(five)
    result = await verify_as(admin)
    assert (result["ok"], result["firstBadSeq"], result["problem"], result["checked"]) == (
        False, seq, problem, checked)
    async with db.atomic():  # (SQLite: the batched reader, one walk) the same answer
        inside = await verify.verify(credits_on["id"], record=False)
    assert (inside.first_bad_seq, inside.problem, inside.checked) == (seq, problem, checked)
