"""Expiry: lots, oldest first, the sweep into the expired-credits account, notices."""

from datetime import UTC, datetime

from credits_helpers import help_with, my_credits

from yizhan.core.tables import Notification
from yizhan.plugins.credits import expiry, lots, service, verify
from yizhan.plugins.credits.settings import CreditsSettings

EXPIRING = """query { myCredits(community: "testville") { balance
  expiring { expiresAt amount } } }"""


async def test_nothing_expires_by_default(credits_on, resident, neighbour, clock):
    await help_with(credits_on, resident.member, neighbour.member, "1.00")
    clock.advance(days=3000)
    assert await expiry.expire_due(clock.now()) == 0
    assert (await service.balance(credits_on, neighbour.member_id)).balance == 100


async def test_earned_credits_expire_after_n_days(credits_on, configure, resident, neighbour,
                                                  clock):
    await configure(expiry="days", expiry_days=30, expiry_notice_days=7)
    await help_with(credits_on, resident.member, neighbour.member, "1.00")
    clock.advance(days=10)
    await help_with(credits_on, resident.member, neighbour.member, "0.50")
    data = (await neighbour.gql.data(EXPIRING))["myCredits"]
    assert data["expiring"] == [
        {"expiresAt": "2026-12-02T01:00:00+00:00", "amount": "1.00"},
        {"expiresAt": "2026-12-12T01:00:00+00:00", "amount": "0.50"}]
    # spending takes the oldest first
    await help_with(credits_on, neighbour.member, resident.member, "0.30")
    data = (await neighbour.gql.data(EXPIRING))["myCredits"]
    assert [e["amount"] for e in data["expiring"]] == ["0.70", "0.50"]
    clock.set(datetime(2026, 12, 2, 1, 0, tzinfo=UTC))
    assert await expiry.expire_due(clock.now()) == 1
    assert await expiry.expire_due(clock.now()) == 0
    assert (await service.balance(credits_on, neighbour.member_id)).balance == 50
    assert await service.account_balance(credits_on, "expired") == 70
    assert (await verify.verify(credits_on["id"])).ok


async def test_credits_paying_off_a_debt_do_not_make_a_lot(credits_on, configure, resident,
                                                           neighbour):
    await configure(expiry="days", expiry_days=30)
    await help_with(credits_on, neighbour.member, resident.member, "1.00")
    await help_with(credits_on, resident.member, neighbour.member, "1.50")
    found = await service.expiring(credits_on, neighbour.member_id)
    assert [amount for _, amount in found] == [50]


async def test_credits_from_before_expiry_was_on_are_spent_first(credits_on, configure,
                                                                  resident, neighbour):
    await help_with(credits_on, resident.member, neighbour.member, "1.00")
    await configure(expiry="days", expiry_days=30)
    await help_with(credits_on, resident.member, neighbour.member, "1.00")
    await help_with(credits_on, neighbour.member, resident.member, "1.20")
    assert [a for _, a in await service.expiring(credits_on, neighbour.member_id)] == [80]


async def test_held_credits_wait_for_the_payment(credits_on, configure, resident, neighbour,
                                                 clock):
    from credits_helpers import post_need

    from yizhan.core.services import needs

    await configure(expiry="days", expiry_days=5)
    await help_with(credits_on, resident.member, neighbour.member, "1.00")
    await configure(credit_limit="0")
    need = await post_need(credits_on, neighbour.member, "0.80")
    await needs.accept(credits_on, resident.member, need["id"])
    clock.advance(days=6)
    assert await expiry.expire_due(clock.now()) == 1
    balance = await service.balance(credits_on, neighbour.member_id)
    assert (balance.balance, balance.held) == (80, 80)
    await needs.mark_done(credits_on, resident.member, need["id"])
    await needs.confirm(credits_on, neighbour.member, need["id"])
    assert (await service.balance(credits_on, neighbour.member_id)).balance == 0
    assert await expiry.expire_due(clock.now()) == 0


async def test_members_are_told_before_credits_expire(credits_on, configure, resident,
                                                      neighbour, clock):
    await configure(expiry="days", expiry_days=30, expiry_notice_days=7)
    await help_with(credits_on, resident.member, neighbour.member, "1.00")
    assert await expiry.notify_due(clock.now()) == 0
    clock.advance(days=23, hours=1)
    assert await expiry.notify_due(clock.now()) == 1
    assert await expiry.notify_due(clock.now()) == 0
    note = await Notification.select().where(
        (Notification.member == neighbour.member_id)
        & (Notification.kind == "credits.expiring")).first()
    assert "1.00" in note["params"] and "2026-12-02" in note["params"]
    assert (await my_credits(neighbour))["balance"] == "1.00"


def test_end_of_year_expiry_is_local():
    settings = CreditsSettings(expiry="end_of_year", expiry_year_offset=1)
    earned = datetime(2026, 12, 31, 17, 0, tzinfo=UTC)  # 1 January 2027 in Shanghai
    assert lots.expires_at(earned, settings, "Asia/Shanghai") == datetime(
        2028, 12, 31, 16, 0, tzinfo=UTC)
    assert lots.expires_at(earned, CreditsSettings(), "Asia/Shanghai") is None
