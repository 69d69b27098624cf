"""The leader pool: monthly split by confirmed needs per building, exact and once."""

from datetime import UTC, datetime

from credits_helpers import help_with
from hypothesis import given
from hypothesis import strategies as st

from yizhan.core.services import communities, members, people
from yizhan.plugins.credits import pool, service
from yizhan.plugins.credits.tables import CreditPoolRun


@given(st.integers(min_value=0, max_value=10**9),
       st.dictionaries(st.integers(0, 50), st.integers(1, 10**6), min_size=1, max_size=20))
def test_largest_remainder_never_creates_or_loses(total, weights):
    shares = pool.largest_remainder(total, weights)
    assert sum(shares.values()) == total and set(shares) == set(weights)
    weight_sum = sum(weights.values())
    for key, share in shares.items():
        exact = total * weights[key] / weight_sum
        assert abs(share - exact) < 1 + 1e-6


async def _leader_of_b(community) -> dict:
    person = await people.create_person("leaderb", "Leader B", "correct-horse-battery")
    return await members.add_member(community, person["id"],
                                    community["buildings"]["B"]["id"], "building_leader",
                                    verify_as="Real Leader B")


async def test_the_pool_is_split_by_confirmed_needs_once(credits_on, configure, leader,
                                                         deputy, resident, neighbour, clock):
    leader_b = await _leader_of_b(credits_on)
    person = await people.create_person("residentb", "Resident B", "correct-horse-battery")
    resident_b = await members.add_member(credits_on, person["id"],
                                          credits_on["buildings"]["B"]["id"], "resident",
                                          verify_as="Real Resident B")
    await configure(leader_pool_monthly="10")
    await service.transfer(credits_on, "issuance", "leader_pool", 5000, kind="funding",
                           reason="Pool", key="pool")
    for _ in range(2):  # two confirmed needs in building A
        await help_with(credits_on, resident.member, neighbour.member, "0.10")
    await help_with(credits_on, resident_b, neighbour.member, "0.10")  # one in B
    clock.set(datetime(2026, 12, 1, 0, 30, tzinfo=UTC))  # 08:30 on 1 December in Shanghai
    assert await pool.split_due(clock.now()) == 1
    assert await pool.split_due(clock.now()) == 0
    a = (await service.balance(credits_on, leader.member_id)).balance
    b = (await service.balance(credits_on, leader_b["id"])).balance
    assert (a, b) == (667, 333)
    assert (await service.balance(credits_on, deputy.member_id)).balance == 0
    assert await service.account_balance(credits_on, "leader_pool") == 4000
    run = await CreditPoolRun.select().first()
    assert run["month"] == "2026-11" and run["amount_centi"] == 1000


async def test_deputies_share_their_buildings_part(credits_on, configure, leader, deputy,
                                                   resident, neighbour):
    await configure(leader_pool_monthly="1", leader_pool_deputies=True)
    await service.transfer(credits_on, "issuance", "leader_pool", 100, kind="funding",
                           reason="Pool", key="pool")
    await help_with(credits_on, resident.member, neighbour.member, "0.10")
    details = await pool.split_month(credits_on, "2026-11")
    assert details["paid"] == 100
    shares = sorted(details["shares"].values())
    assert shares == [50, 50]


async def test_an_empty_pool_pays_nothing_and_records_the_month(credits_on, configure, leader,
                                                                 resident, neighbour):
    await configure(leader_pool_monthly="10")
    await help_with(credits_on, resident.member, neighbour.member, "0.10")
    details = await pool.split_month(credits_on, "2026-11")
    assert details["paid"] == 0 and details["needs"] == {
        str(credits_on["buildings"]["A"]["id"]): 1}
    assert await CreditPoolRun.count() == 1


async def test_other_communities_are_not_split(credits_on, configure):
    other = await communities.create_community("quiet", "Quiet")
    await configure(leader_pool_monthly="10")
    assert await pool.split_due(datetime(2026, 12, 1, 1, tzinfo=UTC)) == 1
    assert await CreditPoolRun.count() == 1
    assert other["slug"] == "quiet"
