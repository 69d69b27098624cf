"""The audit log: every state-changing action with who did it and how (a login, a service
token acting for someone, the system), read by admins with filters and paging; append-only;
join history keeps every request and decision."""

from __future__ import annotations

import pytest
from core_helpers import need_input, post_need, step_ok

from yizhan.core import clock as clock_module
from yizhan.core import db, jobs
from yizhan.core.graphql.ids import pk_of, to_gid
from yizhan.core.services import people
from yizhan.testing.people import make_actor

AUDIT = """query($filter: AuditFilter, $first: Int, $after: String) {
  auditLog(community: "testville", filter: $filter, first: $first, after: $after) {
    edges { cursor node { id action subjectType subjectId via operator details
                          actor { id } } }
    pageInfo { hasNextPage endCursor } } }"""

POST = """mutation($input: PostNeedInput!) { postNeed(input: $input) {
  need { id } errors { code } } }"""


async def log(admin, **variables) -> dict:
    return (await admin.gql.data(AUDIT, variables))["auditLog"]


def nodes(connection: dict) -> list[dict]:
    return [edge["node"] for edge in connection["edges"]]


async def test_need_steps_are_logged_with_their_actor_and_channel(
        community, admin, resident, neighbour, gql, clock):
    need = (await post_need(resident))["id"]
    clock.advance(minutes=5)
    await step_ok(neighbour, "acceptNeed", need, "accepted")
    await step_ok(neighbour, "markNeedDone", need, "done")
    clock.advance(hours=48)
    await jobs.run_due(force=True, only="core.deadlines")  # reminded, then auto-confirmed
    entries = nodes(await log(admin, filter={"subjectType": "Need",
                                             "subjectId": str(pk_of(need, "Need"))}))
    assert [(e["action"], e["via"], e["actor"] and e["actor"]["id"]) for e in entries] == [
        ("need.confirmed", "system", None),
        ("need.reminded", "system", None),
        ("need.done", "api", neighbour.id),
        ("need.accepted", "api", neighbour.id),
        ("need.posted", "api", resident.id),
    ]
    assert entries[1]["details"]["stage"] == "confirm"
    assert entries[0]["details"]["status"] == "confirmed"


async def test_a_service_token_acting_for_a_member_is_logged_as_both(
        community, admin, resident, gql):
    token, _ = await people.create_service_token("kiosk", community["id"])
    acting = gql.as_(token, **{"X-Act-As": "resident1"})
    payload = await acting.mutate(POST, {"input": need_input(title="From the kiosk")})
    assert payload["errors"] == []
    (entry,) = nodes(await log(admin, filter={"action": "need.posted"}))
    assert (entry["via"], entry["operator"], entry["actor"]["id"]) == (
        "service", "kiosk", resident.id)


async def test_filters_paging_and_who_may_read(community, admin, resident, neighbour, clock):
    first = (await post_need(resident, title="One"))["id"]
    clock.advance(hours=1)
    since = clock_module.now()
    await post_need(neighbour, title="Two")
    await step_ok(neighbour, "acceptNeed", first, "accepted")
    by_neighbour = nodes(await log(admin, filter={"actor": neighbour.id}))
    assert [e["action"] for e in by_neighbour] == ["need.accepted", "need.posted"]
    posted_since = nodes(await log(admin, filter={"action": "need.posted",
                                                  "since": since.isoformat()}))
    assert [e["actor"]["id"] for e in posted_since] == [neighbour.id]
    before = nodes(await log(admin, filter={"action": "need.", "until": since.isoformat()}))
    assert [e["action"] for e in before] == ["need.posted"]
    page = await log(admin, first=2, filter={"action": "need."})
    assert page["pageInfo"]["hasNextPage"] is True
    rest = await log(admin, first=2, after=page["pageInfo"]["endCursor"],
                     filter={"action": "need."})
    assert [e["action"] for e in nodes(page) + nodes(rest)] == [
        "need.accepted", "need.posted", "need.posted"]
    assert rest["pageInfo"]["hasNextPage"] is False
    # Only admins read the log.
    for actor in (resident, neighbour):
        assert await actor.gql.error_code(AUDIT) == "FORBIDDEN"
    entry = nodes(page)[0]
    node = await admin.gql.data(
        "query($id: ID!) { node(id: $id) { ... on AuditEntry { action } } }",
        {"id": entry["id"]})
    assert node == {"node": {"action": "need.accepted"}}


async def test_actions_without_events_are_logged_too(community, admin, resident):
    await admin.gql.mutate("""mutation { createBuilding(input: {community: "testville",
        name: "C", households: 12}) { errors { code } } }""")
    await admin.gql.mutate("""mutation { postNotice(input: {community: "testville",
        title: "Water off on Friday"}) { errors { code } } }""")
    await resident.gql.mutate("""mutation { updateMyProfile(input: {community: "testville",
        skills: ["errand"]}) { errors { code } } }""")
    entries = nodes(await log(admin, first=3))
    assert [(e["action"], e["actor"]["id"]) for e in entries] == [
        ("profile.updated", resident.id), ("notice.posted", admin.id),
        ("building.created", admin.id)]
    assert entries[2]["details"] == {"households": 12, "name": "C"}


async def test_the_log_is_append_only(community, admin, resident):
    await post_need(resident)
    with pytest.raises(Exception, match="append-only"):
        await db.raw("UPDATE yz_audit SET action = 'need.nothing'")
    if db.is_postgres():
        with pytest.raises(Exception, match="append-only"):
            await db.raw("DELETE FROM yz_audit")
    assert nodes(await log(admin, filter={"action": "need.posted"}))


async def test_join_history_keeps_every_request_and_decision(
        community, gql, leader, deputy, resident, clock):
    newcomer = await make_actor(community, gql, "newcomer", "A", None)
    decline = """mutation($input: DeclineMemberInput!) { declineMember(input: $input) {
      errors { code } } }"""
    assert (await leader.gql.mutate(decline, {"input": {
        "memberId": newcomer.id, "reason": "Not living here"}}))["errors"] == []
    clock.advance(days=1)
    join = """mutation($input: JoinCommunityInput!) { joinCommunity(input: $input) {
      errors { code } } }"""
    building = to_gid("Building", community["buildings"]["A"]["id"])
    assert (await newcomer.gql.mutate(join, {"input": {
        "community": "testville", "buildingId": building}}))["errors"] == []
    clock.advance(hours=1)
    assert (await deputy.gql.mutate(decline, {"input": {
        "memberId": newcomer.id, "reason": "Still no address"}}))["errors"] == []
    query = """query($id: ID!) { node(id: $id) { ... on Member {
      declineReason joinHistory { action details actor { id } at } } } }"""
    seen = (await leader.gql.data(query, {"id": newcomer.id}))["node"]
    assert seen["declineReason"] == "Still no address"
    assert [(h["action"], h["details"].get("reason"), h["actor"] and h["actor"]["id"])
            for h in seen["joinHistory"]] == [
        ("member.joined", None, None),
        ("member.declined", "Not living here", leader.id),
        ("member.joined", None, None),
        ("member.declined", "Still no address", deputy.id),
    ]
    first, later = seen["joinHistory"][0]["at"], seen["joinHistory"][2]["at"]
    assert later > first
    # A neighbour does not see it: a declined member is not even visible to residents.
    assert (await resident.gql.data(query, {"id": newcomer.id}))["node"] is None
