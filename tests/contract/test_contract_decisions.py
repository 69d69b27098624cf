"""Decision hooks (veto, ranking) and delivery after commit."""

from __future__ import annotations

import pytest
from contract_helpers import CONFIGURE, counts, post_need, posted, step

from yizhan.core import db
from yizhan.core.plugins import Veto
from yizhan.core.services.notifications import notify
from yizhan.core.tables import Member, Need, Notification
from yizhan.testing.people import make_actor

hook = pytest.mark.hook

CANDIDATES = """query($id: ID!) { candidates(needId: $id) { member { id } score reasons } }"""


@hook("yizhan_veto")
async def test_a_veto_refuses_posting_with_its_code(community, resident, enable_plugin,
                                                    record):
    await enable_plugin(community, "probe")
    record.vetoes["need.post"] = Veto("NIGHT_SHIFT_ONLY", "Not before {hour}:00.", {"hour": 22})
    before = await counts()
    payload = await post_need(resident)
    assert payload == {"need": None, "errors": [
        {"field": None, "code": "NIGHT_SHIFT_ONLY", "message": "Not before 22:00."}]}
    assert await counts() == before
    (asked,) = record.of("yizhan_veto")
    assert asked.info == {"action": "need.post"} and asked.in_transaction


@hook("yizhan_veto")
async def test_a_veto_refuses_accepting_and_verifying(community, resident, neighbour, leader,
                                                      gql, enable_plugin, record):
    await enable_plugin(community, "probe")
    gid = await posted(resident)
    record.vetoes["need.accept"] = Veto("PROBE_BUSY", "Too busy.")
    record.vetoes["member.verify"] = Veto("PROBE_CHECK", "Check the papers first.")
    payload = await step(neighbour, "acceptNeed", gid)
    assert payload["errors"][0]["code"] == "PROBE_BUSY"
    assert (await Need.select(Need.status, Need.helper).first()) == {"status": "open",
                                                                     "helper": None}
    newcomer = await make_actor(community, gql, "newcomer", "A", None)
    payload = await leader.gql.mutate(
        """mutation($input: VerifyMemberInput!) { verifyMember(input: $input) {
           member { status } errors { code message } } }""",
        {"input": {"memberId": newcomer.id, "realName": "Real Newcomer"}})
    assert payload == {"member": None,
                       "errors": [{"code": "PROBE_CHECK", "message": "Check the papers first."}]}
    row = await Member.select(Member.status).where(Member.id == newcomer.member_id).first()
    assert row["status"] == "pending"
    assert [c.info["action"] for c in record.of("yizhan_veto")] == [
        "need.post", "need.accept", "member.join", "member.verify"]


@hook("yizhan_veto")
async def test_no_veto_lets_the_action_pass(community, resident, enable_plugin, record):
    await enable_plugin(community, "probe")
    record.vetoes["need.accept"] = Veto("PROBE_BUSY", "Too busy.")  # another action
    assert (await post_need(resident))["errors"] == []


@hook("yizhan_rank_candidates")
async def test_ranking_hook_reorders_candidates(community, resident, neighbour, deputy,
                                                leader, admin, enable_plugin, record):
    gid = await posted(resident)
    base = (await resident.gql.data(CANDIDATES, {"id": gid}))["candidates"]
    # Core alone: same building A scores 2 each; admin (no building) last; ties by id.
    building_a = [a.id for a in sorted((leader, deputy, neighbour), key=lambda a: a.member_id)]
    assert [c["member"]["id"] for c in base] == [*building_a, admin.id]
    assert record.of("yizhan_rank_candidates") == []  # probe is off here
    await enable_plugin(community, "probe")
    record.boost[admin.member_id] = 1
    ranked = (await resident.gql.data(CANDIDATES, {"id": gid}))["candidates"]
    assert ranked[0] == {"member": {"id": admin.id}, "score": 5.0, "reasons": ["probe"]}
    assert [c["member"]["id"] for c in ranked[1:]] == building_a
    # The plugin's own setting steers it: boost 0 puts the admin back last.
    payload = await admin.gql.mutate(CONFIGURE, {"input": {
        "community": "testville", "plugin": "probe", "settings": {"boost": 0}}})
    assert payload["errors"] == []
    again = (await resident.gql.data(CANDIDATES, {"id": gid}))["candidates"]
    assert again[-1]["member"]["id"] == admin.id
    assert record.of("yizhan_rank_candidates")[0].community == "testville"


@hook("yizhan_nominate_candidates")
async def test_nominated_members_are_scored_beyond_cores_pool(community, resident, neighbour,
                                                              deputy, leader, admin,
                                                              enable_plugin, record,
                                                              monkeypatch):
    from yizhan.core import matching

    monkeypatch.setattr(matching, "POOL", 0)  # core's indexed pools bring nobody
    gid = await posted(resident)
    first = """query($id: ID!) { candidates(needId: $id, first: 1) { member { id } } }"""
    lowest = (await resident.gql.data(first, {"id": gid}))["candidates"]
    assert lowest != [{"member": {"id": admin.id}}]  # not the lowest id: only a nominee
    await enable_plugin(community, "probe")
    record.boost[admin.member_id] = 1
    ranked = (await resident.gql.data(first, {"id": gid}))["candidates"]
    assert ranked == [{"member": {"id": admin.id}}]
    (asked,) = record.of("yizhan_nominate_candidates")
    assert asked.community == "testville" and asked.in_transaction is False


@hook("yizhan_deliver_notification")
async def test_delivery_happens_after_commit_in_the_readers_language(
        community, resident, neighbour, enable_plugin, record):
    await enable_plugin(community, "probe")
    await _set_locale(resident.person["id"], "zh_Hans")
    gid = await posted(resident, title="买酱油")
    await step(neighbour, "acceptNeed", gid)
    (delivered,) = record.of("yizhan_deliver_notification")
    assert delivered.in_transaction is False  # after the action committed
    assert delivered.info["stored"] is True  # the inbox row is already there
    assert delivered.info["kind"] == "need.accepted"
    assert delivered.info["member"] == resident.member_id
    # Rendered in the recipient's own language (Chinese), not the English of the request.
    assert delivered.info["title"] == "需求已被接受"
    assert "买酱油" in delivered.info["text"] and "接受" in delivered.info["text"]


async def _set_locale(person_id: int, locale: str) -> None:
    from yizhan.core.tables import Person

    await Person.update({Person.locale: locale}).where(Person.id == person_id)


@hook("yizhan_deliver_notification")
async def test_nothing_is_delivered_when_the_transaction_rolls_back(
        community, resident, enable_plugin, record):
    await enable_plugin(community, "probe")
    inbox = await Notification.count()
    with pytest.raises(RuntimeError):
        async with db.atomic():
            await notify(community["id"], resident.member_id, "probe.test", "Hello",
                         "Rolled back.")
            raise RuntimeError("the action failed after notifying")
    assert record.of("yizhan_deliver_notification") == []
    assert await Notification.count() == inbox
    async with db.atomic():
        await notify(community["id"], resident.member_id, "probe.test", "Hello", "Kept.")
        assert record.of("yizhan_deliver_notification") == []  # not yet: still open
    assert len(record.of("yizhan_deliver_notification")) == 1


@hook("yizhan_deliver_notification")
async def test_no_delivery_where_the_plugin_is_off(community, resident, record):
    inbox = await Notification.count()
    async with db.atomic():
        await notify(community["id"], resident.member_id, "probe.test", "Hello", "Kept.")
    assert await Notification.count() == inbox + 1  # the inbox is always written
    assert record.of("yizhan_deliver_notification") == []
