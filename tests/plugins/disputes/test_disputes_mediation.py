"""The mediator (never a party), reassigning, overturning, and the plugin's own hook
``yizhan_dispute_decided`` — with badges flagging an upheld expert for re-check."""

from __future__ import annotations

from datetime import timedelta

import pytest
from disputes_helpers import (
    DECIDE,
    ONE,
    OVERTURN,
    REASSIGN,
    balance,
    done_need,
    fund_balance,
    give,
)
from test_disputes_life import _open

from yizhan.core import clock as clock_module
from yizhan.core.graphql.ids import to_gid
from yizhan.core.services import needs
from yizhan.core.tables import Notice
from yizhan.testing.people import make_actor

CANDIDATES = """query($id: ID!) { candidates(needId: $id) { member { id } reasons } }"""
RECONFIRM = """mutation($input: ReconfirmCertificationInput!) {
  reconfirmCertification(input: $input) { awardId errors { field code message } } }"""


async def test_the_mediator_is_never_a_party(disputes_on, gql, leader, deputy, admin,
                                             neighbour):
    # The head leader asked for help: the deputy of the building mediates.
    await give(disputes_on, leader.member_id, 500)
    need = await done_need(disputes_on, leader, neighbour)
    first = await _open(disputes_on, leader, need)
    assert first["mediator"]["displayName"] == "Deputy1"
    # The deputy asked and the head leader helped: every leader is a party, so an admin.
    await give(disputes_on, deputy.member_id, 500)
    need = await done_need(disputes_on, deputy, leader)
    second = await _open(disputes_on, deputy, need)
    assert second["mediator"]["displayName"] == "Admin1"
    assert second["viewerCanDecide"] is False
    decided = await admin.gql.mutate(DECIDE, {"input": {
        "disputeId": second["id"], "outcome": "DISMISSED", "reason": "It works."}})
    assert decided["errors"] == []


async def test_admins_reassign_and_the_new_mediator_decides(disputes_on, paying_resident,
                                                            neighbour, leader, deputy, admin):
    need = await done_need(disputes_on, paying_resident, neighbour)
    dispute = await _open(disputes_on, paying_resident, need)
    moved = await admin.gql.mutate(REASSIGN, {"input": {"disputeId": dispute["id"],
                                                         "mediatorId": deputy.id}})
    assert moved["errors"] == [] and moved["dispute"]["mediator"]["displayName"] == "Deputy1"
    assert moved["dispute"]["timeline"] is None  # the admin is not the mediator
    refused = await leader.gql.execute(DECIDE, {"input": {
        "disputeId": dispute["id"], "outcome": "DISMISSED", "reason": "Mine."}})
    assert refused["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    decided = await deputy.gql.mutate(DECIDE, {"input": {
        "disputeId": dispute["id"], "outcome": "DISMISSED", "reason": "Works."}})
    assert decided["errors"] == []
    assert [s["kind"] for s in decided["dispute"]["timeline"]] == [
        "opened", "reassigned", "decided"]


async def test_an_admin_overturns_within_the_window_and_it_is_recorded(
        disputes_on, paying_resident, neighbour, leader, admin, clock):
    need = await done_need(disputes_on, paying_resident, neighbour)
    dispute = await _open(disputes_on, paying_resident, need)
    fund_start = await fund_balance(disputes_on)
    requester_start = await balance(disputes_on, paying_resident.member_id)
    await leader.gql.mutate(DECIDE, {"input": {"disputeId": dispute["id"],
                                               "outcome": "DISMISSED", "reason": "Works."}})
    clock.advance(hours=70)
    turned = await admin.gql.mutate(OVERTURN, {"input": {
        "disputeId": dispute["id"], "outcome": "COMPENSATE", "compensation": "0.60",
        "reason": "The photos show the leak."}})
    got = turned["dispute"]
    assert turned["errors"] == []
    assert (got["outcome"], got["previousOutcome"], got["compensation"]) == (
        "COMPENSATE", "DISMISSED", "0.60")
    assert got["overturnReason"] == "The photos show the leak." and got["overturnedAt"]
    assert await fund_balance(disputes_on) == fund_start - 60
    # the need was confirmed at the decision (paid 1.00), then 0.60 came back
    assert await balance(disputes_on, paying_resident.member_id) == requester_start - 100 + 60
    seen = (await leader.gql.data(ONE, {"id": dispute["id"]}))["dispute"]
    assert seen["timeline"][-1]["kind"] == "overturned"
    assert seen["timeline"][-1]["actor"]["displayName"] == "Admin1"
    assert await Notice.count().where(Notice.source == "disputes") == 2
    again = await admin.gql.mutate(OVERTURN, {"input": {
        "disputeId": dispute["id"], "outcome": "DISMISSED", "reason": "Back."}})
    assert [e["code"] for e in again["errors"]] == ["ALREADY_OVERTURNED"]


async def test_overturning_a_compensation_reverses_it(disputes_on, paying_resident, neighbour,
                                                      leader, admin):
    need = await done_need(disputes_on, paying_resident, neighbour)
    dispute = await _open(disputes_on, paying_resident, need)
    fund_start = await fund_balance(disputes_on)
    await leader.gql.mutate(DECIDE, {"input": {"disputeId": dispute["id"],
                                               "outcome": "COMPENSATE", "reason": "Leaks."}})
    assert await fund_balance(disputes_on) == fund_start - 100
    turned = await admin.gql.mutate(OVERTURN, {"input": {
        "disputeId": dispute["id"], "outcome": "DISMISSED", "reason": "It was a new leak."}})
    assert turned["errors"] == [] and turned["dispute"]["compensation"] == "0.00"
    assert await fund_balance(disputes_on) == fund_start


async def test_take_back_from_the_helper(disputes_on, paying_resident, neighbour, leader,
                                         admin):
    from yizhan.core.services import plugin_admin

    await plugin_admin.configure(disputes_on, "disputes", {"take_back_from_helper": True})
    need = await done_need(disputes_on, paying_resident, neighbour)
    dispute = await _open(disputes_on, paying_resident, need)
    fund_start = await fund_balance(disputes_on)
    helper_start = await balance(disputes_on, neighbour.member_id)
    decided = await leader.gql.mutate(DECIDE, {"input": {
        "disputeId": dispute["id"], "outcome": "COMPENSATE", "compensation": "0.40",
        "reason": "Leaks."}})
    assert decided["dispute"]["takenBack"] == "0.40"
    assert await fund_balance(disputes_on) == fund_start  # out 0.40, back 0.40
    assert await balance(disputes_on, neighbour.member_id) == helper_start + 100 - 40
    turned = await admin.gql.mutate(OVERTURN, {"input": {
        "disputeId": dispute["id"], "outcome": "DISMISSED", "reason": "Not his fault."}})
    assert turned["errors"] == [] and turned["dispute"]["takenBack"] == "0.00"
    assert await balance(disputes_on, neighbour.member_id) == helper_start + 100
    assert await fund_balance(disputes_on) == fund_start


@pytest.mark.hook("yizhan_dispute_decided")
async def test_the_decided_hook_fires_in_the_decisions_transaction(
        disputes_on, paying_resident, neighbour, leader, add_hooks):
    seen = []

    def yizhan_dispute_decided(ctx, dispute, outcome):
        seen.append((ctx.actor["id"] if ctx.actor else None, dispute["status"], outcome))

    add_hooks(yizhan_dispute_decided=yizhan_dispute_decided)
    need = await done_need(disputes_on, paying_resident, neighbour)
    dispute = await _open(disputes_on, paying_resident, need)
    await leader.gql.mutate(DECIDE, {"input": {"disputeId": dispute["id"], "outcome": "REDO",
                                               "reason": "Half done."}})
    assert seen == [(leader.member_id, "decided", "redo")]

    def refuse(ctx, dispute, outcome):
        from yizhan.core.errors import YizhanError

        raise YizhanError("NOT_NOW", "Not now.")

    add_hooks(yizhan_dispute_decided=refuse)
    need = await done_need(disputes_on, paying_resident, neighbour)
    other = await _open(disputes_on, paying_resident, need)
    refused = await leader.gql.mutate(DECIDE, {"input": {
        "disputeId": other["id"], "outcome": "COMPENSATE", "reason": "Leaks."}})
    assert [e["code"] for e in refused["errors"]] == ["NOT_NOW"]
    still = (await leader.gql.data(ONE, {"id": other["id"]}))["dispute"]
    assert still["status"] == "OPEN" and still["need"]["status"] == "DONE"


async def _certified(community, member_id, category="electrician") -> int:
    from yizhan.plugins.badges import service as badges

    definition = await badges.get_definition(community, slug=f"expert-{category}")
    return (await badges.award(community, None, definition["id"], member_id))["id"]


async def _ranked_reasons(actor, community, category="electrician") -> dict:
    now = clock_module.now()
    need = await needs.post(community, actor.member, title="Fix the light", category=category,
                            window_start=now + timedelta(hours=1),
                            window_end=now + timedelta(hours=4), estimated_minutes=30)
    found = (await actor.gql.data(CANDIDATES, {"id": to_gid("Need", need["id"])}))
    return {c["member"]["id"]: c["reasons"] for c in found["candidates"]}


@pytest.mark.hook("yizhan_dispute_decided")
async def test_an_upheld_dispute_flags_the_experts_certification_for_recheck(
        disputes_on, enable_plugin, gql, paying_resident, leader, admin):
    await enable_plugin(disputes_on, "badges")
    expert = await make_actor(disputes_on, gql, "chen", "A", "resident")
    award = await _certified(disputes_on, expert.member_id)
    assert "certified_expert" in (await _ranked_reasons(paying_resident, disputes_on))[
        expert.id]
    need = await done_need(disputes_on, paying_resident, expert, category="electrician")
    dispute = await _open(disputes_on, paying_resident, need)
    await leader.gql.mutate(DECIDE, {"input": {"disputeId": dispute["id"],
                                               "outcome": "COMPENSATE", "reason": "Sparks."}})
    assert "certified_expert" not in (await _ranked_reasons(paying_resident, disputes_on))[
        expert.id]
    reconfirm = {"input": {"awardId": to_gid("BadgeAward", award), "note": "Checked again"}}
    own = await expert.gql.execute(RECONFIRM, reconfirm)
    assert own["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    done = await leader.gql.mutate(RECONFIRM, reconfirm)
    assert done["errors"] == []
    twice = await leader.gql.mutate(RECONFIRM, reconfirm)
    assert [e["code"] for e in twice["errors"]] == ["NOT_UNDER_RECHECK"]
    assert "certified_expert" in (await _ranked_reasons(paying_resident, disputes_on))[
        expert.id]


async def test_a_dismissed_dispute_flags_nothing(disputes_on, enable_plugin, gql,
                                                 paying_resident, leader):
    await enable_plugin(disputes_on, "badges")
    expert = await make_actor(disputes_on, gql, "chen", "A", "resident")
    await _certified(disputes_on, expert.member_id)
    need = await done_need(disputes_on, paying_resident, expert, category="electrician")
    dispute = await _open(disputes_on, paying_resident, need)
    await leader.gql.mutate(DECIDE, {"input": {"disputeId": dispute["id"],
                                               "outcome": "DISMISSED", "reason": "Fine."}})
    assert "certified_expert" in (await _ranked_reasons(paying_resident, disputes_on))[
        expert.id]


@pytest.mark.hook("yizhan_badges_upheld_disputes")
async def test_upheld_disputes_are_named_to_badges(disputes_on, paying_resident, neighbour,
                                                   leader, clock):
    from yizhan.core.events import EventContext, emit

    need = await done_need(disputes_on, paying_resident, neighbour)
    dispute = await _open(disputes_on, paying_resident, need)
    start = clock.now()
    await leader.gql.mutate(DECIDE, {"input": {"disputeId": dispute["id"], "outcome": "REDO",
                                               "reason": "Half."}})
    ctx = EventContext(community=disputes_on)
    answers = await emit(ctx, "yizhan_badges_upheld_disputes",
                         member_ids=[neighbour.member_id, leader.member_id], start=start,
                         end=start + timedelta(days=1))
    assert [neighbour.member_id] in answers


async def test_a_leader_opens_for_the_elder_they_posted_for(disputes_on, resident, neighbour,
                                                            leader, deputy, clock):
    from disputes_helpers import need_gid

    from yizhan.plugins.credits import service as credits

    await credits.award(disputes_on, resident.member_id, 500, reason="Test", key="elder")
    now = clock.now()
    need = await needs.post(disputes_on, leader.member, title="Carry rice upstairs",
                            category="errand", window_start=now,
                            window_end=now + timedelta(hours=3), estimated_minutes=20,
                            credits="0.50", on_behalf_of=resident.member_id)
    await needs.accept(disputes_on, neighbour.member, need["id"])
    need = await needs.mark_done(disputes_on, neighbour.member, need["id"])
    opened = await leader.gql.mutate(
        "mutation($input: OpenDisputeInput!) { openDispute(input: $input) { dispute { id "
        "mediator { displayName } requester { displayName } } errors { code } } }",
        {"input": {"community": "testville", "needId": need_gid(need),
                   "category": "DAMAGE", "description": "The bag split on the stairs."}})
    assert opened["errors"] == []
    # The leader who opened it is a party: the deputy mediates.
    assert opened["dispute"]["mediator"]["displayName"] == "Deputy1"
    assert opened["dispute"]["requester"]["displayName"] == "Resident1"


@pytest.mark.hook("yizhan_veto")
async def test_automatic_confirmation_is_vetoed_while_a_dispute_is_open(
        disputes_on, paying_resident, neighbour, leader):
    from yizhan.core.errors import YizhanError
    from yizhan.core.events import EventContext, check_veto

    need = await done_need(disputes_on, paying_resident, neighbour)
    ctx = EventContext(community=disputes_on)
    check_veto(ctx, "need.auto_confirm", need)  # nothing holds it yet
    dispute = await _open(disputes_on, paying_resident, need)
    for action in ("need.auto_confirm", "need.confirm"):
        with pytest.raises(YizhanError) as refused:
            check_veto(ctx, action, need)
        assert refused.value.code == "DISPUTE_OPEN"
    check_veto(ctx, "need.cancel", need)  # other steps are not held
    await leader.gql.mutate(DECIDE, {"input": {"disputeId": dispute["id"], "outcome": "REDO",
                                               "reason": "Half."}})
    check_veto(ctx, "need.auto_confirm", need)  # released


@pytest.mark.hook("yizhan_member_left")
async def test_a_mediator_who_leaves_hands_the_dispute_on(disputes_on, paying_resident,
                                                          neighbour, leader, deputy):
    from yizhan.core.services import members

    need = await done_need(disputes_on, paying_resident, neighbour)
    dispute = await _open(disputes_on, paying_resident, need)
    await members.leave(disputes_on, leader.member)
    seen = (await paying_resident.gql.data(ONE, {"id": dispute["id"]}))["dispute"]
    assert seen["mediator"]["displayName"] == "Deputy1"
    assert [s["kind"] for s in seen["timeline"]] == ["opened", "reassigned"]


@pytest.mark.hook("yizhan_member_role_changed")
async def test_a_mediator_who_is_no_longer_a_leader_hands_it_on(disputes_on, paying_resident,
                                                                neighbour, leader, admin):
    from yizhan.core.services import members

    need = await done_need(disputes_on, paying_resident, neighbour)
    dispute = await _open(disputes_on, paying_resident, need)
    await members.set_role(disputes_on, None, leader.member_id, "resident")
    seen = (await admin.gql.data(ONE, {"id": dispute["id"]}))["dispute"]
    assert seen["mediator"]["displayName"] == "Admin1"
