"""``seed_demo`` gives the 水榭花都 demo community its partner shops and first redemptions."""

from __future__ import annotations

import pytest

from yizhan.core.services import communities, members, people
from yizhan.plugins.credits import service as credits
from yizhan.plugins.merchants import board, demo, service


async def _demo_members(community: dict) -> dict[str, dict]:
    found = {}
    for username in ("wang", "li", "zhang"):
        person = await people.find_person(username)
        found[username] = await members.member_for(community["id"], person["id"])
    return found


@pytest.mark.hook("yizhan_seed_demo")
async def test_the_demo_gets_its_shops_and_redemptions(yizhan_db):
    """`yizhan demo` calls the seed hook inside its transaction: shops, staff, redemptions."""
    from yizhan.cli.demo import create_demo

    await create_demo()
    community = await communities.get_community("shuixie")
    people_of_demo = await _demo_members(community)
    shops = {s["name"]: s for s in await service.list_merchants(community)}
    assert sorted(shops) == sorted(["邻里优选超市", "康宁大药房", "鲜果园水果店"])
    market = shops["邻里优选超市"]
    # Issue 10's demo: besides his groceries, 王楼长 rates the pharmacy down three times.
    wang_redemptions = await service.redemptions_of_member(community,
                                                           people_of_demo["wang"]["id"])
    (wang_redemption,) = [r for r in wang_redemptions if r["merchant"] == market["id"]]
    assert len(wang_redemptions) == 4
    (li_redemption,) = await service.redemptions_of_member(community, people_of_demo["li"]["id"])
    wang_receipt = await service.get_redemption(community, wang_redemption["id"])
    # The threshold deal and the leader's 5%: 128.00 - 30.00 - 6.40.
    assert wang_receipt["tx_seq"] is not None
    assert (wang_receipt["credits_centi"], wang_receipt["discount_fen"],
            wang_receipt["leader_bonus_fen"], wang_receipt["to_pay_fen"]) == (
        200, 30_00, 6_40, 91_60)
    bandaid = await service.get_redemption(community, li_redemption["id"])
    assert (bandaid["credits_centi"], bandaid["order_fen"]) == (20, 2_00)
    li = (await _demo_members(community))["li"]
    assert (await credits.balance(community, li["id"])).balance == 0
    assert await credits.account_balance(community, market["account_code"]) == 200
    lines = (await board.board(community))[2]
    # The pharmacy: 李姐's five stars and 王楼长's latest one star count once each (3.00 from
    # two residents), below the supermarket's 4.00 — named by nobody, not suspended.
    assert [line.merchant["name"] for line in lines][:2] == ["邻里优选超市", "康宁大药房"]
    assert (lines[1].ratings, lines[1].average, lines[1].flagged) == (2, "3.00", False)
    from yizhan.plugins.credits import anchors, verify

    anchor = await anchors.latest(community["id"])
    assert anchor is not None and anchor["seq"] >= 1
    assert (await verify.verify(community["id"])).ok
    for username in ("zhou", "qian"):
        assert await people.find_person(username) is not None


async def test_seed_demo_does_nothing_where_merchants_is_off(community):
    assert await demo.seed_demo(community, {}) == {}
