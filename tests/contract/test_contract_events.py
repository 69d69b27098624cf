"""Domain events: called inside the action's transaction, only where the plugin is on, in
dependency order; an error raised by a hook refuses the whole action."""

from __future__ import annotations

import pytest
from contract_helpers import CANCEL, counts, need_pk, post_need, posted, step

from yizhan.core import jobs
from yizhan.core.errors import YizhanError
from yizhan.core.services import communities, members
from yizhan.core.tables import Need, Notice
from yizhan.testing.people import make_actor

hook = pytest.mark.hook


@hook("yizhan_need_posted", "yizhan_need_accepted", "yizhan_need_withdrawn",
      "yizhan_need_done", "yizhan_need_confirmed")
async def test_need_steps_reach_the_plugin_inside_the_transaction(
        community, resident, neighbour, enable_plugin, record):
    await enable_plugin(community, "probe")
    gid = await posted(resident)
    for name, actor, status in (("acceptNeed", neighbour, "ACCEPTED"),
                                ("withdrawFromNeed", neighbour, "OPEN"),
                                ("acceptNeed", neighbour, "ACCEPTED"),
                                ("markNeedDone", neighbour, "DONE"),
                                ("confirmNeed", resident, "CONFIRMED")):
        payload = await step(actor, name, gid)
        assert payload["errors"] == [] and payload["need"]["status"] == status
    seen = [(c.hook, c.info.get("status")) for c in record.calls
            if c.plugin == "probe" and c.hook.startswith("yizhan_need_")]
    assert seen == [("yizhan_need_posted", None), ("yizhan_need_accepted", "accepted"),
                    ("yizhan_need_withdrawn", "open"), ("yizhan_need_accepted", "accepted"),
                    ("yizhan_need_done", "done"), ("yizhan_need_confirmed", "confirmed")]
    events = [c for c in record.calls if c.hook.startswith("yizhan_need_")]
    assert all(c.in_transaction and c.community == "testville" for c in events)
    (posted_call,) = record.of("yizhan_need_posted")
    # The hook sees the need row its action has just written (same transaction).
    assert posted_call.info == {"need": need_pk(gid), "title": "Buy soy sauce",
                                "visible": "open"}
    accepted = record.of("yizhan_need_accepted")[0]
    assert accepted.info["helper"] == neighbour.member_id
    assert record.of("yizhan_need_withdrawn")[0].info["helper"] == neighbour.member_id


@hook("yizhan_need_cancelled")
async def test_cancel_tells_the_previous_status(community, resident, neighbour, enable_plugin,
                                                record):
    await enable_plugin(community, "probe")
    open_need, taken_need = await posted(resident), await posted(resident, title="Walk dog")
    assert (await step(neighbour, "acceptNeed", taken_need))["errors"] == []
    for gid in (open_need, taken_need):
        payload = await resident.gql.mutate(CANCEL, {"input": {"needId": gid, "reason": "ok"}})
        assert payload["errors"] == []
    calls = record.of("yizhan_need_cancelled")
    assert [(c.info["need"], c.info["previous"]) for c in calls] == [
        (need_pk(open_need), "open"), (need_pk(taken_need), "accepted")]
    assert all(c.in_transaction for c in calls)


@hook("yizhan_need_escalated", "yizhan_need_expired")
async def test_sweeps_emit_escalated_then_expired(community, resident, leader, deputy,
                                                  enable_plugin, record, clock):
    await enable_plugin(community, "probe")
    gid = await posted(resident)  # window 10:00-12:00, escalates after 120 minutes
    clock.advance(minutes=90)
    assert (await jobs.run_due(force=True, only="core.escalate_needs")) == {
        "core.escalate_needs": 0}
    assert record.of("yizhan_need_escalated") == []
    clock.advance(minutes=31)
    await jobs.run_due(force=True, only="core.escalate_needs")
    (escalated,) = record.of("yizhan_need_escalated")
    assert escalated.info == {"need": need_pk(gid),
                              "leaders": [leader.member_id, deputy.member_id]}
    assert escalated.in_transaction
    await jobs.run_due(force=True, only="core.escalate_needs")  # idempotent: once only
    assert len(record.of("yizhan_need_escalated")) == 1
    clock.advance(hours=1)
    await jobs.run_due(force=True, only="core.expire_needs")
    (expired,) = record.of("yizhan_need_expired")
    assert expired.info == {"need": need_pk(gid), "status": "expired"}
    assert expired.in_transaction and expired.community == "testville"


@hook("yizhan_member_joined", "yizhan_member_verified")
async def test_joining_and_verification(community, leader, gql, enable_plugin, record):
    await enable_plugin(community, "probe")
    newcomer = await make_actor(community, gql, "newcomer", "A", None)  # joins, pending
    (joined,) = record.of("yizhan_member_joined")
    assert joined.info == {"member": newcomer.member_id, "status": "pending"}
    payload = await leader.gql.mutate(
        """mutation($input: VerifyMemberInput!) { verifyMember(input: $input) {
           member { status } errors { code } } }""",
        {"input": {"memberId": newcomer.id, "realName": "Real Newcomer"}})
    assert payload == {"member": {"status": "VERIFIED"}, "errors": []}
    (verified,) = record.of("yizhan_member_verified")
    assert verified.info == {"member": newcomer.member_id, "verifier": leader.member_id,
                             "status": "verified"}
    assert joined.in_transaction and verified.in_transaction
    # From the admin CLI there is no verifier.
    other = await make_actor(community, gql, "other", "A", None)
    await members.verify(community, None, other.member_id, "Real Other")
    assert record.of("yizhan_member_verified")[-1].info["verifier"] is None


@hook("yizhan_community_created")
async def test_community_created_reaches_every_installed_plugin(yizhan_db, record):
    row = await communities.create_community("newtown", "New Town")
    (call,) = record.of("yizhan_community_created")
    # Nothing is on in a new community, yet the installed plugin hears about it, in the
    # creating transaction.
    assert call.community == "newtown" and call.info == {"slug": "newtown"}
    assert call.in_transaction
    assert row["slug"] == "newtown"


@hook("yizhan_community_created", "yizhan_plugin_enabled")
async def test_a_policy_plugin_switches_itself_on_in_new_communities(yizhan_db, record, gql):
    record.switch_on_new_communities = True
    await communities.create_community("newtown", "New Town")
    assert [c.info for c in record.of("yizhan_plugin_enabled")] == [{"plugin": "probe"}]
    data = await gql.data('{ community(slug: "newtown") { enabledPlugins } }')
    assert "probe" in data["community"]["enabledPlugins"]
    record.fail_on["yizhan_plugin_enabled"] = YizhanError("PROBE_REFUSED", "No.")
    with pytest.raises(YizhanError):
        await communities.create_community("failtown", "Fail Town")
    with pytest.raises(YizhanError) as missing:
        await communities.get_community("failtown")
    assert missing.value.code == "NOT_FOUND"  # the community rolled back with the hook


@hook("yizhan_plugin_enabled")
async def test_plugin_enabled_reaches_the_plugin_being_switched_on(community, enable_plugin,
                                                                   record):
    await enable_plugin(community, "probe")
    assert [c.info for c in record.of("yizhan_plugin_enabled")] == [{"plugin": "probe"}]
    await enable_plugin(community, "probe_child")  # probe is on, so it hears this one too
    assert [c.info for c in record.of("yizhan_plugin_enabled")] == [
        {"plugin": "probe"}, {"plugin": "probe_child"}]
    assert all(c.in_transaction for c in record.of("yizhan_plugin_enabled"))


@hook("yizhan_need_posted")
async def test_an_error_in_a_hook_refuses_the_action_and_writes_nothing(
        community, resident, enable_plugin, record):
    await enable_plugin(community, "probe")
    before = await counts()
    record.fail_on["yizhan_need_posted"] = YizhanError(
        "PROBE_REFUSED", "The probe refuses {what}.", field="title", what="this")
    payload = await post_need(resident)
    assert payload["need"] is None
    assert payload["errors"] == [{"field": "title", "code": "PROBE_REFUSED",
                                  "message": "The probe refuses this."}]
    assert record.of("yizhan_need_posted")  # it ran, wrote a notice, then refused
    assert await counts() == before  # the need, its history, the probe's notice: all gone
    assert await Notice.count().where(Notice.source == "probe") == 0


@hook("yizhan_need_confirmed")
async def test_a_refused_confirmation_pays_nothing_and_stays_done(
        community, resident, neighbour, enable_plugin, record):
    await enable_plugin(community, "probe")
    gid = await posted(resident)
    await step(neighbour, "acceptNeed", gid)
    await step(neighbour, "markNeedDone", gid)
    before = await counts()
    record.fail_on["yizhan_need_confirmed"] = YizhanError("PROBE_REFUSED", "No.")
    payload = await step(resident, "confirmNeed", gid)
    assert payload["need"] is None and payload["errors"][0]["code"] == "PROBE_REFUSED"
    assert await counts() == before  # no help record, no notification, no notice
    assert (await Need.select(Need.status).first())["status"] == "done"
    del record.fail_on["yizhan_need_confirmed"]
    assert (await step(resident, "confirmNeed", gid))["need"]["status"] == "CONFIRMED"


@hook("yizhan_need_accepted")
async def test_an_unexpected_exception_in_a_hook_is_internal_error_and_rolls_back(
        community, resident, neighbour, enable_plugin, record, caplog):
    await enable_plugin(community, "probe")
    gid = await posted(resident)
    before = await counts()
    record.fail_on["yizhan_need_accepted"] = RuntimeError("a bug in a plugin")  # type: ignore
    result = await neighbour.gql.execute(
        'mutation($i: NeedActionInput!) { acceptNeed(input: $i) { need { id } } }',
        {"i": {"needId": gid}})
    assert result["errors"][0]["extensions"] == {"code": "INTERNAL_ERROR"}
    assert "a bug in a plugin" not in str(result)  # no internals leak to the client
    assert await counts() == before
    assert (await Need.select(Need.status, Need.helper).first()) == {"status": "open",
                                                                     "helper": None}


@hook("yizhan_need_posted", "yizhan_need_accepted", "yizhan_member_joined",
      "yizhan_rank_candidates", "yizhan_veto")
async def test_hooks_are_not_called_where_the_plugin_is_off(
        community, resident, neighbour, gql, enable_plugin, record):
    other = await communities.create_community("othertown", "Other Town", locale="en")
    other["buildings"] = {"X": await communities.create_building(other, "X", 10)}
    asker = await make_actor(other, gql, "asker", "X", "resident")
    helper = await make_actor(other, gql, "helper", "X", "resident")
    await enable_plugin(community, "probe")
    record.reset()
    gid = await posted(asker, "othertown")
    await step(helper, "acceptNeed", gid)
    await asker.gql.data("query($id: ID!) { candidates(needId: $id) { score } }", {"id": gid})
    await make_actor(other, gql, "joiner", "X", None)
    assert record.calls == []  # probe is off in othertown: not one call
    here = await posted(resident)
    await step(neighbour, "acceptNeed", here)
    assert {c.hook for c in record.calls} >= {"yizhan_need_posted", "yizhan_need_accepted",
                                              "yizhan_veto"}
    assert {c.community for c in record.calls
            if c.hook != "yizhan_deliver_notification"} == {"testville"}
    # Switched off again: silent again, without a restart.
    await enable_plugin(community, "probe")
    from yizhan.core.services import plugin_admin

    await plugin_admin.disable(community, "probe")
    record.reset()
    await posted(resident, title="After switching off")
    assert record.calls == []


@hook("yizhan_need_posted")
async def test_call_order_is_dependents_first(community, resident, enable_plugin, record,
                                              probe_registry):
    # pluggy calls the last registered first; Yizhan registers in dependency order, so
    # probe_child (which requires probe) hears an event before probe.
    assert probe_registry.order.index("probe") < probe_registry.order.index("probe_child")
    await enable_plugin(community, "probe")
    await enable_plugin(community, "probe_child")
    await posted(resident)
    order = [c.plugin for c in record.calls if c.hook == "yizhan_need_posted"]
    assert order == ["probe_child", "probe"]
