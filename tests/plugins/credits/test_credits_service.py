"""The service API other plugins call, the hooks credits defines, transfers and reversals."""

import pytest
from credits_helpers import balance_of, help_with, snapshot

from yizhan.core import db
from yizhan.core.errors import YizhanError
from yizhan.core.graphql.ids import to_gid
from yizhan.core.plugins import Veto
from yizhan.core.services import communities
from yizhan.plugins.credits import service, verify
from yizhan.plugins.credits.tables import CreditTransaction

TRANSFER = """mutation($input: TransferCreditsInput!) { transferCredits(input: $input) {
  transaction { seq kind amount } balance { balance } errors { field code message } } }"""

REVERSE = """mutation($input: ReverseCreditTransactionInput!) {
  reverseCreditTransaction(input: $input) { transaction { kind amount reverses }
  errors { field code } } }"""

FUND = """mutation($input: FundCreditAccountInput!) { fundCreditAccount(input: $input) {
  transaction { kind amount } errors { field code } } }"""

TOTALS = """query { creditTotals(community: "testville") { issued memberCredit memberDebt held
  communityFund voucherReserve leaderPool expired otherSystem accounts transactions } }"""

ACCOUNTS = """query { creditAccounts(community: "testville", kind: "system", first: 50) {
  nodes { code kind balance owner } } }"""


async def refused(coro) -> str:
    try:
        await coro
    except YizhanError as error:
        return error.code
    raise AssertionError("not refused")


async def test_award_charge_and_idempotency(credits_on, resident):
    first = await service.award(credits_on, resident.member_id, 50, reason="Referral",
                                key="events:referral:7", source_kind="event", source_id=7)
    again = await service.award(credits_on, resident.member_id, 50, reason="Referral",
                                key="events:referral:7", source_kind="event", source_id=7)
    assert not first.replayed and again.replayed
    assert again.transaction["id"] == first.transaction["id"]
    assert (await service.balance(credits_on, resident.member_id)).balance == 50
    assert await refused(service.award(credits_on, resident.member_id, 60, reason="Referral",
                                       key="events:referral:7")) == "IDEMPOTENCY_CONFLICT"
    account = await service.open_system_account(credits_on, "merchants.settlement",
                                                owner="merchants", name="Merchant settlement")
    assert account["owner"] == "merchants"
    await service.charge(credits_on, resident.member_id, 30, to_code="merchants.settlement",
                         reason="Band-aid", key="merchants:order:1")
    assert await service.account_balance(credits_on, "merchants.settlement") == 30
    assert (await service.balance(credits_on, resident.member_id)).balance == 20
    assert await CreditTransaction.count() == 2


async def test_service_refusals_write_nothing(credits_on, resident):
    before = await snapshot()
    assert await refused(service.charge(credits_on, resident.member_id, 1001,
                                        to_code="community_fund", reason="x",
                                        key="k1")) == "CREDIT_LIMIT_REACHED"
    assert await refused(service.award(credits_on, resident.member_id, 100, reason="x",
                                       key="k2", from_code="community_fund")
                         ) == "INSUFFICIENT_FUNDS"
    assert await refused(service.award(credits_on, resident.member_id, 10001, reason="x",
                                       key="k3")) == "BALANCE_LIMIT_REACHED"
    assert await refused(service.award(credits_on, resident.member_id, 0, reason="x",
                                       key="k4")) == "ZERO_AMOUNT"
    assert await refused(service.award(credits_on, resident.member_id, 1, reason="x",
                                       key="k5", from_code="nowhere")) == "UNKNOWN_ACCOUNT"
    assert await refused(service.open_system_account(
        credits_on, "settlement", owner="merchants")) == "INVALID_ACCOUNT_CODE"
    assert await refused(service.award(credits_on, resident.member_id, 1, reason="x",
                                       key="")) == "INVALID_IDEMPOTENCY_KEY"
    after = await snapshot()
    assert after["transactions"] == before["transactions"]
    assert [a for a in after["accounts"] if a["balance_centi"]] == []


async def test_a_plugin_cannot_take_anothers_account(credits_on):
    await service.open_system_account(credits_on, "merchants.settlement", owner="merchants")
    assert await refused(service.open_system_account(
        credits_on, "merchants.settlement", owner="events")) == "INVALID_ACCOUNT_CODE"
    assert await refused(service.open_system_account(
        credits_on, "leader_pool", owner="events")) == "INVALID_ACCOUNT_CODE"


async def test_the_service_refuses_where_credits_is_off(community, resident):
    assert await refused(service.award(community, resident.member_id, 10, reason="x",
                                       key="k")) == "PLUGIN_DISABLED"


async def test_transaction_posted_runs_inside_the_transaction(credits_on, resident, add_hooks):
    seen = []

    def posted(ctx, transaction, postings):
        seen.append((transaction["kind"], sorted(p["amount_centi"] for p in postings),
                     db.in_transaction()))
        if transaction["reason"] == "refuse me":
            raise YizhanError("NO_THANKS", "Refused by a listener.")

    add_hooks(yizhan_credits_transaction_posted=posted)
    await service.award(credits_on, resident.member_id, 40, reason="ok", key="a")
    assert seen == [("award", [-40, 40], True)]
    before = await snapshot()
    assert await refused(service.award(credits_on, resident.member_id, 40, reason="refuse me",
                                       key="b")) == "NO_THANKS"
    assert await snapshot() == before
    assert (await verify.verify(credits_on["id"])).ok


async def test_a_veto_refuses_a_payment_with_its_reason(credits_on, resident, neighbour,
                                                        add_hooks):
    asked = []

    def veto(ctx, payment):
        asked.append(payment["kind"])
        if payment["kind"] == "need_payment" and payment["amount_centi"] > 500:
            return Veto("TOO_EXPENSIVE", "Needs above {max} credits are not paid here.",
                        {"max": "5"})
        return None

    add_hooks(yizhan_credits_veto_payment=veto)
    await help_with(credits_on, resident.member, neighbour.member, "1.00")
    assert asked == ["need_payment"]  # asked once, at acceptance: never at confirmation
    from credits_helpers import gql_post, gql_step

    need = await gql_post(resident, "6.00")
    before = await snapshot()
    result = await gql_step(neighbour, "acceptNeed", need["need"]["id"])
    assert [e["code"] for e in result["errors"]] == ["TOO_EXPENSIVE"]
    assert result["errors"][0]["message"] == "Needs above 5 credits are not paid here."
    assert await snapshot() == before


async def test_transfers_are_off_by_default(credits_on, resident, neighbour):
    payload = await resident.gql.mutate(TRANSFER, {"input": {
        "community": "testville", "toMemberId": neighbour.id, "amount": "1",
        "idempotencyKey": "t1"}})
    assert [e["code"] for e in payload["errors"]] == ["TRANSFERS_DISABLED"]


async def test_transfers_between_members(credits_on, configure, resident, neighbour, pending):
    await configure(transfers_enabled=True, credit_limit="2")
    data = {"community": "testville", "toMemberId": neighbour.id, "amount": "1.25",
            "idempotencyKey": "t1", "note": "Thanks for the soup"}
    payload = await resident.gql.mutate(TRANSFER, {"input": data})
    assert payload["errors"] == [] and payload["balance"] == {"balance": "-1.25"}
    replay = await resident.gql.mutate(TRANSFER, {"input": data})
    assert replay["transaction"] == payload["transaction"]
    assert (await balance_of(credits_on, neighbour.member_id))["balance_centi"] == 125
    before = await snapshot()
    for values, code in (({"amount": "1.00", "idempotencyKey": "t2"}, "CREDIT_LIMIT_REACHED"),
                         ({"amount": "0", "idempotencyKey": "t3"}, "ZERO_AMOUNT"),
                         ({"amount": "abc", "idempotencyKey": "t4"}, "INVALID_AMOUNT"),
                         ({"toMemberId": resident.id, "idempotencyKey": "t5"}, "SAME_ACCOUNT"),
                         ({"toMemberId": pending.id, "idempotencyKey": "t6"}, "NOT_VERIFIED"),
                         ({"toMemberId": to_gid("Need", 1), "idempotencyKey": "t7"},
                          "INVALID_ID"),
                         ({"amount": "0.10", "idempotencyKey": "t1"}, "IDEMPOTENCY_CONFLICT")):
        result = await resident.gql.execute(TRANSFER, {"input": {**data, **values}})
        errors = result["data"]["transferCredits"]["errors"]
        assert [e["code"] for e in errors] == [code], values
    assert await snapshot() == before


async def test_admins_reverse_and_fund(credits_on, admin, resident, neighbour):
    await help_with(credits_on, resident.member, neighbour.member, "1.00")
    tx = await CreditTransaction.select().first()
    gid = to_gid("CreditTransaction", tx["id"])
    data = {"community": "testville", "transactionId": gid, "reason": "Entered twice"}
    assert await resident.gql.error_code(REVERSE, {"input": data}) == "FORBIDDEN"
    payload = await admin.gql.mutate(REVERSE, {"input": data})
    assert payload["transaction"] == {"kind": "reversal", "amount": "1.00", "reverses": gid}
    assert (await balance_of(credits_on, neighbour.member_id))["balance_centi"] == 0
    again = await admin.gql.mutate(REVERSE, {"input": data})
    assert [e["code"] for e in again["errors"]] == ["ALREADY_REVERSED"]
    reversal = await CreditTransaction.select().where(CreditTransaction.kind == "reversal").first()
    nested = await admin.gql.mutate(REVERSE, {"input": {
        **data, "transactionId": to_gid("CreditTransaction", reversal["id"])}})
    assert [e["code"] for e in nested["errors"]] == ["CANNOT_REVERSE"]
    funded = await admin.gql.mutate(FUND, {"input": {
        "community": "testville", "account": "compensation_fund", "amount": "20",
        "reason": "Disputes budget", "idempotencyKey": "f1"}})
    assert funded == {"transaction": {"kind": "funding", "amount": "20.00"}, "errors": []}
    bad = await admin.gql.mutate(FUND, {"input": {
        "community": "testville", "account": f"member:{resident.member_id}", "amount": "20",
        "reason": "x", "idempotencyKey": "f2"}})
    assert [e["code"] for e in bad["errors"]] == ["SYSTEM_ACCOUNTS_ONLY"]
    totals = (await resident.gql.data(TOTALS))["creditTotals"]
    assert totals == {"issued": "20.00", "memberCredit": "0.00", "memberDebt": "0.00",
                      "held": "0.00", "communityFund": "0.00", "voucherReserve": "0.00",
                      "leaderPool": "0.00", "expired": "0.00", "otherSystem": "0.00",
                      "accounts": 2, "transactions": 3}
    systems = (await admin.gql.data(ACCOUNTS))["creditAccounts"]["nodes"]
    assert {s["code"] for s in systems} >= {"issuance", "community_fund", "voucher_reserve",
                                            "compensation_fund", "leader_pool", "expired"}
    assert await resident.gql.error_code(ACCOUNTS) == "FORBIDDEN"


async def test_a_reversal_respects_the_limits(credits_on, configure, resident, neighbour):
    await help_with(credits_on, resident.member, neighbour.member, "1.00")
    await help_with(credits_on, neighbour.member, resident.member, "1.00")
    await configure(credit_limit="0")
    first = await CreditTransaction.select().order_by(CreditTransaction.seq).first()
    assert await refused(service.reverse(credits_on, first["id"], reason="x")
                         ) == "CREDIT_LIMIT_REACHED"


async def test_system_accounts_open_when_credits_is_enabled(community, enable_plugin):
    other = await communities.create_community("fresh", "Fresh")
    await enable_plugin(other, "credits")
    from yizhan.plugins.credits import accounts

    rows = await accounts.list_accounts(other["id"])
    assert [r["code"] for r in rows] == list(accounts.SYSTEM_ACCOUNTS)
    assert all(r["balance_centi"] == 0 for r in rows)


@pytest.mark.parametrize("amount", [-5, 0])
async def test_amounts_must_be_positive(credits_on, resident, amount):
    assert await refused(service.award(credits_on, resident.member_id, amount, reason="x",
                                       key="k")) == "ZERO_AMOUNT"


async def test_holds_left_by_needs_closed_while_credits_was_off_are_released(
        credits_on, resident, neighbour):
    from credits_helpers import post_need

    from yizhan.core import jobs
    from yizhan.core.services import needs, plugin_admin

    need = await post_need(credits_on, resident.member, "2.00")
    await needs.accept(credits_on, neighbour.member, need["id"])
    await plugin_admin.disable(credits_on, "credits")
    await needs.cancel(credits_on, resident.member, need["id"])
    await plugin_admin.enable(credits_on, "credits")
    assert (await balance_of(credits_on, resident.member_id))["held_centi"] == 200
    results = await jobs.run_due(force=True, only="credits.release_stale_holds")
    assert results == {"credits.release_stale_holds": 1}
    assert (await balance_of(credits_on, resident.member_id))["held_centi"] == 0
    assert (await balance_of(credits_on, neighbour.member_id))["incoming_centi"] == 0


async def test_the_daily_verification_shows_on_the_rule_board(credits_on, resident, gql):
    from yizhan.core import jobs

    await service.award(credits_on, resident.member_id, 10, reason="x", key="k")
    assert await jobs.run_due(force=True, only="credits.verify_chains") == {
        "credits.verify_chains": 1}
    board = (await gql.data('query { creditRuleBoard(community: "testville") { '
                            'lastVerificationOk head { seq } } }'))["creditRuleBoard"]
    assert board == {"lastVerificationOk": True, "head": {"seq": 1}}
