"""The promises of the core loop, through GraphQL and the movable clock: a done need is
confirmed (and the helper paid) even when nobody confirms it, an overdue need is chased, a
leader confirms for an elder, and nobody helps on a need they posted for someone or confirms
a need they helped on."""

from __future__ import annotations

import pytest
from core_helpers import CANCEL, NEED, inbox, need_input, post_need, step, step_ok, step_refused

from yizhan.core import jobs
from yizhan.core.plugins import Veto
from yizhan.testing.people import make_actor

MY_CREDITS = """query { myCredits(community: "testville") { balance held } }"""

CONFIRM_FOR = """mutation($input: ConfirmNeedForInput!) { confirmNeedFor(input: $input) {
  need { id status } errors { field code message } } }"""

CONFIGURE = """mutation($input: ConfigurePluginInput!) { configurePlugin(input: $input) {
  errors { field code message } } }"""


async def sweep() -> None:
    """What a server does every few seconds: fire the deadlines that are due."""
    await jobs.run_due(force=True, only="core.deadlines")


async def history(actor, need_id: str) -> list[dict]:
    return (await actor.gql.data(NEED, {"id": need_id}))["need"]["history"]


async def status(actor, need_id: str) -> str:
    return (await actor.gql.data(NEED, {"id": need_id}))["need"]["status"]


async def kinds(actor) -> list[str]:
    return [n["kind"] for n in await inbox(actor)]


async def configure_core(admin, **settings) -> None:
    payload = await admin.gql.mutate(CONFIGURE, {"input": {
        "community": "testville", "plugin": "core", "settings": settings}})
    assert payload["errors"] == [], payload


async def done_need(requester, helper, **overrides) -> str:
    need = (await post_need(requester, **overrides))["id"]
    await step_ok(helper, "acceptNeed", need, "accepted")
    await step_ok(helper, "markNeedDone", need, "done")
    return need


# --- closing the loop ------------------------------------------------------------------


async def test_a_done_need_nobody_confirms_is_reminded_then_confirmed_and_paid(
        community, resident, neighbour, enable_plugin, clock):
    await enable_plugin(community, "credits")
    before = (await neighbour.gql.data(MY_CREDITS))["myCredits"]["balance"]
    need = await done_need(resident, neighbour, credits="1.00")  # done Mon 2 Nov 09:00 local
    clock.advance(hours=23, minutes=59)
    await sweep()
    assert "need.confirm_reminder" not in await kinds(resident)
    clock.advance(minutes=1)
    await sweep()
    (reminder,) = [n for n in await inbox(resident) if n["kind"] == "need.confirm_reminder"]
    # The real time of the automatic confirmation, in the community's time zone.
    assert "before 2026-11-04 09:00" in reminder["body"]
    assert await status(resident, need) == "DONE"
    clock.advance(hours=23, minutes=59)
    await sweep()
    assert await status(resident, need) == "DONE"
    clock.advance(minutes=1)
    await sweep()
    assert await status(resident, need) == "CONFIRMED"
    last = (await history(resident, need))[-1]
    assert last["action"] == "confirmed" and last["actorId"] is None  # the system
    assert "automatically" in last["note"]
    after = (await neighbour.gql.data(MY_CREDITS))["myCredits"]["balance"]
    assert float(after) - float(before) == pytest.approx(1.0)  # the helper was paid
    assert (await inbox(neighbour))[0]["kind"] == "need.confirmed"
    await sweep()  # exactly once
    assert [s["action"] for s in await history(resident, need)].count("confirmed") == 1


async def test_confirming_in_time_cancels_the_reminder_and_the_automatic_step(
        community, resident, neighbour, clock):
    need = await done_need(resident, neighbour)
    await step_ok(resident, "confirmNeed", need, "confirmed")
    clock.advance(hours=72)
    await sweep()
    assert "need.confirm_reminder" not in await kinds(resident)
    assert [s["action"] for s in await history(resident, need)].count("confirmed") == 1


async def test_a_veto_holds_the_automatic_confirmation_until_it_is_lifted(
        community, resident, neighbour, add_hooks, clock):
    held = {"on": True}

    def veto(ctx, action, subject):
        if action == "need.auto_confirm" and held["on"]:
            return Veto("DISPUTE_OPEN", "A dispute about this need is open.")
        return None

    add_hooks(yizhan_veto=veto)
    need = await done_need(resident, neighbour)
    clock.advance(hours=48)
    await sweep()
    assert await status(resident, need) == "DONE"
    assert (await history(resident, need))[-1]["action"] == "auto_confirm_held"
    clock.advance(hours=23)
    await sweep()
    assert await status(resident, need) == "DONE"
    held["on"] = False  # the dispute was decided for the helper
    clock.advance(hours=1)
    await sweep()
    assert await status(resident, need) == "CONFIRMED"


async def test_the_settings_move_the_deadlines(community, admin, resident, neighbour, clock):
    await configure_core(admin, auto_confirm_after_hours=6, confirm_reminder_hours_before=0)
    need = await done_need(resident, neighbour)
    clock.advance(hours=6)
    await sweep()
    assert await status(resident, need) == "CONFIRMED"
    assert "need.confirm_reminder" not in await kinds(resident)
    bad = await admin.gql.mutate(CONFIGURE, {"input": {
        "community": "testville", "plugin": "core",
        "settings": {"auto_confirm_after_hours": 0}}})
    assert [e["field"] for e in bad["errors"]] == ["auto_confirm_after_hours"]


async def test_an_overdue_need_is_chased_and_a_leader_may_cancel_it_releasing_the_hold(
        community, resident, neighbour, leader, enable_plugin, clock):
    await enable_plugin(community, "credits")
    need = (await post_need(resident, credits="1.00"))["id"]  # window ends 12:00 local
    await step_ok(neighbour, "acceptNeed", need, "accepted")
    assert (await resident.gql.data(MY_CREDITS))["myCredits"]["held"] == "1.00"
    # Before the window ends, a leader may not cancel someone's accepted need.
    early = await leader.gql.execute(CANCEL, {"input": {"needId": need}})
    assert early["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    clock.advance(hours=5)  # 14:00: two hours past the window
    await sweep()
    assert (await inbox(neighbour))[0]["kind"] == "need.overdue"
    assert "need.overdue_leader" not in await kinds(leader)
    clock.advance(hours=22)
    await sweep()
    assert (await inbox(leader))[0]["kind"] == "need.overdue_leader"
    payload = await leader.gql.mutate(CANCEL, {"input": {"needId": need,
                                                         "reason": "helper unreachable"}})
    assert payload["errors"] == [] and payload["need"]["status"] == "CANCELLED"
    assert (await resident.gql.data(MY_CREDITS))["myCredits"]["held"] == "0.00"
    steps = await history(resident, need)
    assert [s["action"] for s in steps][-3:] == ["reminded", "reminded", "cancelled"]
    assert [s["note"] for s in steps][-3:-1] == ["overdue_helper", "overdue_leader"]
    assert steps[-1]["actorId"] == leader.id


async def test_a_leader_marks_an_overdue_need_done_for_the_helper(
        community, resident, neighbour, deputy, enable_plugin, clock):
    await enable_plugin(community, "credits")
    need = (await post_need(resident, credits="0.50"))["id"]
    await step_ok(neighbour, "acceptNeed", need, "accepted")
    assert await step_refused(deputy, "markNeedDone", need) == "NOT_OVERDUE"
    clock.advance(hours=30)
    await sweep()
    await step_ok(deputy, "markNeedDone", need, "done")
    done = (await history(resident, need))[-1]
    assert (done["action"], done["actorId"]) == ("done", deputy.id)
    assert done["note"] == "for the helper, by a leader"
    clock.advance(hours=48)
    await sweep()
    assert await status(resident, need) == "CONFIRMED"
    assert (await neighbour.gql.data(MY_CREDITS))["myCredits"]["balance"] == "0.50"


async def test_withdrawing_cancels_the_overdue_reminders(community, resident, neighbour, clock):
    need = (await post_need(resident))["id"]
    await step_ok(neighbour, "acceptNeed", need, "accepted")
    await step_ok(neighbour, "withdrawFromNeed", need, "open")
    clock.advance(hours=30)
    await sweep()
    assert "need.overdue" not in await kinds(neighbour)


# --- a leader confirms for an elder ------------------------------------------------------


async def test_a_leader_confirms_for_an_elder_posted_for_or_without_the_app(
        community, gql, resident, neighbour, leader, deputy, clock):
    # Posted for the elder by the head leader: the deputy may confirm for her, no reason.
    posted_for = (await leader.gql.mutate(
        """mutation($input: PostNeedInput!) { postNeed(input: $input) {
           need { id } errors { code } } }""",
        {"input": need_input(title="帮王奶奶买菜", onBehalfOf=resident.id)}))["need"]["id"]
    await step_ok(neighbour, "acceptNeed", posted_for, "accepted")
    await step_ok(neighbour, "markNeedDone", posted_for, "done")
    payload = await deputy.gql.mutate(CONFIRM_FOR, {"input": {"needId": posted_for}})
    assert payload["errors"] == [] and payload["need"]["status"] == "CONFIRMED"
    last = (await history(resident, posted_for))[-1]
    assert (last["actorId"], last["note"]) == (
        deputy.id, "for the requester (posted on their behalf), by a leader")
    # She posted herself: a leader confirms for her only saying why.
    own = await done_need(resident, neighbour)
    refused = await deputy.gql.mutate(CONFIRM_FOR, {"input": {"needId": own}})
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [
        ("reason", "REASON_REQUIRED")]
    assert await status(resident, own) == "DONE"
    # A leader of another building may not.
    other = await make_actor(community, gql, "leaderb", "B", "building_leader")
    result = await other.gql.execute(CONFIRM_FOR, {"input": {"needId": own, "reason": "x"}})
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    payload = await deputy.gql.mutate(CONFIRM_FOR, {"input": {
        "needId": own, "reason": "does not use the app"}})
    assert payload["errors"] == []
    last = (await history(resident, own))[-1]
    assert last["note"] == "for the requester, by a leader: does not use the app"


# --- separation of duties ----------------------------------------------------------------


async def test_the_poster_cannot_help_and_the_helper_cannot_confirm(
        community, resident, neighbour, leader, admin):
    # 王楼长 posts "帮王奶奶买菜" for 王奶奶 and tries to take it himself.
    need = (await leader.gql.mutate(
        """mutation($input: PostNeedInput!) { postNeed(input: $input) {
           need { id } errors { code } } }""",
        {"input": need_input(title="帮王奶奶买菜", credits="2.00",
                             onBehalfOf=resident.id)}))["need"]["id"]
    payload = await step(leader, "acceptNeed", need)
    assert [(e["code"], e["message"]) for e in payload["errors"]] == [(
        "PROXY_SELF_HELP",
        "You posted this need for someone else, so you cannot be its helper.")]
    assert await status(resident, need) == "OPEN"
    zh = await leader.gql.as_(leader.token, **{"Accept-Language": "zh-CN"}).execute(
        """mutation($input: NeedActionInput!) { acceptNeed(input: $input) {
           errors { code message } } }""", {"input": {"needId": need}})
    assert zh["data"]["acceptNeed"]["errors"] == [{
        "code": "PROXY_SELF_HELP", "message": "这条需求是你代别人发布的，你不能自己接单帮忙。"}]
    # An admin who helped cannot confirm the need either.
    helped = (await post_need(resident, title="Carry a box"))["id"]
    await step_ok(admin, "acceptNeed", helped, "accepted")
    await step_ok(admin, "markNeedDone", helped, "done")
    assert await step_refused(admin, "confirmNeed", helped) == "SELF_CONFIRM"
    assert await status(resident, helped) == "DONE"


async def test_a_community_may_let_the_poster_help_when_a_second_leader_confirms(
        community, admin, resident, leader, deputy, clock):
    await configure_core(admin, proxy_helper_needs_second_leader=True)
    need = (await leader.gql.mutate(
        """mutation($input: PostNeedInput!) { postNeed(input: $input) {
           need { id } errors { code } } }""",
        {"input": need_input(title="帮王奶奶买菜", onBehalfOf=resident.id)}))["need"]["id"]
    await step_ok(leader, "acceptNeed", need, "accepted")
    await step_ok(leader, "markNeedDone", need, "done")
    assert (await inbox(deputy))[0]["kind"] == "need.second_leader"
    assert await step_refused(leader, "confirmNeed", need) == "SELF_CONFIRM"
    assert await step_refused(resident, "confirmNeed", need) == "SECOND_LEADER_REQUIRED"
    clock.advance(hours=96)
    await sweep()
    assert await status(resident, need) == "DONE"  # never confirmed automatically
    await step_ok(deputy, "confirmNeed", need, "confirmed")
    last = (await history(resident, need))[-1]
    assert (last["actorId"], last["note"]) == (deputy.id, "confirmed by a second leader")
