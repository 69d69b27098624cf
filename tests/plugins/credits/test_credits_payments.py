"""Paying for help through core's need events: holds at acceptance, payment at confirmation,
release on withdrawal or cancellation, the payer setting, limits and warnings."""

from credits_helpers import (
    STATEMENT,
    balance_of,
    gql_post,
    gql_step,
    help_with,
    my_credits,
    post_need,
    snapshot,
)

from yizhan.core.graphql.ids import pk_of
from yizhan.core.services import needs, plugin_admin
from yizhan.core.tables import Need, Notification
from yizhan.plugins.credits import service


async def test_a_confirmed_need_moves_both_balances(credits_on, resident, neighbour):
    posted = await gql_post(resident, "0.20")
    assert posted["errors"] == []
    need_id = posted["need"]["id"]
    accepted = await gql_step(neighbour, "acceptNeed", need_id)
    assert accepted["errors"] == []
    assert await my_credits(resident) == {
        "balance": "0.00", "held": "0.20", "incoming": "0.00", "available": "9.80",
        "creditLimit": "10.00", "maxBalance": "100.00", "warnings": []}
    assert (await my_credits(neighbour))["incoming"] == "0.20"
    await gql_step(neighbour, "markNeedDone", need_id)
    confirmed = await gql_step(resident, "confirmNeed", need_id)
    assert confirmed["errors"] == [] and confirmed["need"]["status"] == "CONFIRMED"
    assert (await my_credits(resident))["balance"] == "-0.20"
    assert (await my_credits(resident))["held"] == "0.00"
    helper = await my_credits(neighbour)
    assert (helper["balance"], helper["incoming"]) == ("0.20", "0.00")
    lines = (await neighbour.gql.data(STATEMENT))["myCreditStatement"]["edges"]
    assert len(lines) == 1
    line = lines[0]["node"]
    assert line["amount"] == "0.20" and line["balanceAfter"] == "0.20"
    assert line["transaction"]["kind"] == "need_payment"
    assert line["transaction"]["sourceKind"] == "need"
    assert line["counterparts"] == [{"accountCode": f"member:{resident.member_id}",
                                     "accountKind": "member", "amount": "-0.20",
                                     "member": {"displayName": "Resident1"}}]


async def test_withdrawal_and_cancellation_release_the_hold(credits_on, resident, neighbour):
    need = await post_need(credits_on, resident.member, "2.50")
    await needs.accept(credits_on, neighbour.member, need["id"])
    payer = await balance_of(credits_on, resident.member_id)
    payee = await balance_of(credits_on, neighbour.member_id)
    assert (payer["held_centi"], payee["incoming_centi"]) == (250, 250)
    await needs.withdraw(credits_on, neighbour.member, need["id"])
    assert (await balance_of(credits_on, resident.member_id))["held_centi"] == 0
    assert (await balance_of(credits_on, neighbour.member_id))["incoming_centi"] == 0
    await needs.accept(credits_on, neighbour.member, need["id"])
    assert (await balance_of(credits_on, resident.member_id))["held_centi"] == 250
    await needs.cancel(credits_on, resident.member, need["id"], "not needed any more")
    assert (await balance_of(credits_on, resident.member_id))["held_centi"] == 0
    assert (await balance_of(credits_on, neighbour.member_id))["incoming_centi"] == 0
    assert (await snapshot())["transactions"] == 0


async def test_acceptance_past_the_requesters_credit_limit_is_refused(
        credits_on, configure, resident, neighbour):
    await configure(credit_limit="1")
    first = await gql_post(resident, "1.00")
    second = await gql_post(resident, "0.50")
    assert (await gql_step(neighbour, "acceptNeed", first["need"]["id"]))["errors"] == []
    before = await snapshot()
    refused = await gql_step(neighbour, "acceptNeed", second["need"]["id"])
    assert refused["need"] is None
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [
        ("CREDIT_LIMIT_REACHED", "needId")]
    assert "cannot cover 0.50 credits" in refused["errors"][0]["message"]
    assert await snapshot() == before
    row = await Need.select(Need.status, Need.helper).where(
        Need.id == pk_of(second["need"]["id"], "Need")).first()
    assert row == {"status": "open", "helper": None}


async def test_posting_a_need_the_requester_cannot_pay_is_refused(
        credits_on, configure, resident):
    await configure(credit_limit="0.50")
    before = await snapshot()
    count = await Need.count()
    refused = await gql_post(resident, "1.00")
    assert refused["need"] is None
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [
        ("CREDIT_LIMIT_REACHED", "credits")]
    assert await Need.count() == count and await snapshot() == before


async def test_acceptance_past_the_helpers_maximum_balance_is_refused(
        credits_on, configure, resident, neighbour):
    await configure(max_balance="2", warn_within="0.5")
    await service.award(credits_on, neighbour.member_id, 150, reason="Welcome", key="w1")
    need = await gql_post(resident, "1.00")
    before = await snapshot()
    refused = await gql_step(neighbour, "acceptNeed", need["need"]["id"])
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [
        ("BALANCE_LIMIT_REACHED", "needId")]
    assert "over the maximum balance of 2.00" in refused["errors"][0]["message"]
    assert await snapshot() == before


async def test_the_community_fund_pays_when_set(credits_on, configure, admin, resident,
                                                neighbour):
    await configure(payer="community_fund")
    await service.transfer(credits_on, "issuance", "community_fund", 500, kind="funding",
                           reason="Budget", key="budget")
    await help_with(credits_on, resident.member, neighbour.member, "1.50")
    assert (await balance_of(credits_on, resident.member_id))["balance_centi"] == 0
    assert (await balance_of(credits_on, neighbour.member_id))["balance_centi"] == 150
    assert await service.account_balance(credits_on, "community_fund") == 350


async def test_an_empty_fund_refuses_the_acceptance(credits_on, configure, resident, neighbour):
    await configure(payer="community_fund")
    need = await gql_post(resident, "1.00")
    before = await snapshot()
    refused = await gql_step(neighbour, "acceptNeed", need["need"]["id"])
    assert [e["code"] for e in refused["errors"]] == ["INSUFFICIENT_FUNDS"]
    assert await snapshot() == before


async def test_needs_posted_on_behalf_are_paid_by_the_fund_when_set(
        credits_on, configure, leader, resident, neighbour):
    await service.transfer(credits_on, "issuance", "community_fund", 1000, kind="funding",
                           reason="Budget", key="budget")
    await help_with(credits_on, leader.member, neighbour.member, "1.00",
                    on_behalf_of=resident.member_id)
    assert (await balance_of(credits_on, resident.member_id))["balance_centi"] == -100
    await configure(fund_pays_on_behalf=True)
    await help_with(credits_on, leader.member, neighbour.member, "1.00",
                    on_behalf_of=resident.member_id)
    assert (await balance_of(credits_on, resident.member_id))["balance_centi"] == -100
    assert (await balance_of(credits_on, neighbour.member_id))["balance_centi"] == 200
    assert await service.account_balance(credits_on, "community_fund") == 900


async def test_a_held_payment_pays_even_after_the_limits_tighten(
        credits_on, configure, resident, neighbour):
    need = await post_need(credits_on, resident.member, "5.00")
    await needs.accept(credits_on, neighbour.member, need["id"])
    await configure(credit_limit="0", max_balance="1", warn_within="0")
    await needs.mark_done(credits_on, neighbour.member, need["id"])
    await needs.confirm(credits_on, resident.member, need["id"])
    assert (await balance_of(credits_on, neighbour.member_id))["balance_centi"] == 500
    assert (await balance_of(credits_on, resident.member_id))["balance_centi"] == -500


async def test_a_need_accepted_before_credits_was_on_still_pays(
        community, enable_plugin, resident, neighbour):
    need = await post_need(community, resident.member, "1.00")
    await needs.accept(community, neighbour.member, need["id"])
    await needs.mark_done(community, neighbour.member, need["id"])
    await enable_plugin(community, "credits")
    await needs.confirm(community, resident.member, need["id"])
    assert (await balance_of(community, neighbour.member_id))["balance_centi"] == 100


async def test_nothing_is_held_or_paid_where_credits_is_off(community, resident, neighbour):
    await help_with(community, resident.member, neighbour.member, "1.00")
    assert (await snapshot())["transactions"] == 0
    assert (await snapshot())["accounts"] == []


async def test_every_field_answers_plugin_disabled_where_credits_is_off(
        community, resident, admin, gql):
    queries = [
        'query { myCredits(community: "testville") { balance } }',
        'query { myCreditStatement(community: "testville") { edges { cursor } } }',
        'query { creditTotals(community: "testville") { issued } }',
        'query { creditRuleBoard(community: "testville") { payer } }',
        'query { creditProof(community: "testville", seq: 1) { hash } }',
        'query { creditAccounts(community: "testville") { edges { cursor } } }',
        'query { creditAccountStatement(community: "testville", code: "issuance") '
        '{ edges { cursor } } }',
        'query { creditChainVerification(community: "testville") { ok } }',
        'query { creditVoucherBatches(community: "testville") { edges { cursor } } }',
        'query { creditVouchers(community: "testville") { edges { cursor } } }',
        'mutation { redeemCreditVoucher(input: {community: "testville", code: "X"}) '
        '{ errors { code } } }',
        'mutation { issueCreditVouchers(input: {community: "testville", count: 1, '
        'credits: "1", expiresOn: "2027-03-31"}) { errors { code } } }',
        'mutation { cancelCreditVouchers(input: {community: "testville", codes: ["X"]}) '
        '{ errors { code } } }',
        'mutation { transferCredits(input: {community: "testville", toMemberId: "x", '
        'amount: "1", idempotencyKey: "k"}) { errors { code } } }',
        'mutation { reverseCreditTransaction(input: {community: "testville", '
        'transactionId: "x", reason: "r"}) { errors { code } } }',
        'mutation { fundCreditAccount(input: {community: "testville", account: "leader_pool", '
        'amount: "1", reason: "r", idempotencyKey: "k"}) { errors { code } } }',
    ]
    for query in queries:
        assert await admin.gql.error_code(query) == "PLUGIN_DISABLED", query
    assert await gql.error_code(queries[3]) == "PLUGIN_DISABLED"


async def test_a_warning_and_a_notification_near_the_credit_limit(
        credits_on, configure, resident, neighbour):
    await configure(credit_limit="2", warn_within="0.5")
    await help_with(credits_on, resident.member, neighbour.member, "1.00")
    assert (await my_credits(resident))["warnings"] == []
    need = await post_need(credits_on, resident.member, "0.60")
    await needs.accept(credits_on, neighbour.member, need["id"])
    assert (await my_credits(resident))["warnings"] == ["near_credit_limit"]
    notes = await Notification.select(Notification.kind).where(
        Notification.member == resident.member_id)
    assert [n["kind"] for n in notes].count("credits.near_credit_limit") == 1
    await needs.mark_done(credits_on, neighbour.member, need["id"])
    await needs.confirm(credits_on, resident.member, need["id"])
    notes = await Notification.select(Notification.kind).where(
        Notification.member == resident.member_id)
    assert [n["kind"] for n in notes].count("credits.near_credit_limit") == 1


async def test_a_zero_credit_need_moves_nothing(credits_on, resident, neighbour):
    await help_with(credits_on, resident.member, neighbour.member, "0")
    assert (await snapshot())["transactions"] == 0


async def test_settings_are_validated(credits_on):
    from yizhan.core.errors import YizhanError

    for bad in ({"credit_limit": "-1"}, {"credit_limit": "0.001"}, {"payer": "nobody"},
                {"expiry": "weekly"}, {"voucher_qr_template": "https://x.example/"}):
        try:
            await plugin_admin.configure(credits_on, "credits", bad)
        except YizhanError as error:
            assert error.code == "INVALID_SETTING"
        else:
            raise AssertionError(f"accepted {bad}")
