"""Communities, buildings and members through GraphQL: joining, verification, roles, privacy."""

from __future__ import annotations

from core_helpers import POST_NEED, inbox, need_input, post_need, snapshot, step_refused

from yizhan.core.graphql.ids import to_gid
from yizhan.core.services import communities
from yizhan.testing.client import GraphQLClient
from yizhan.testing.people import PASSWORD, make_actor

MEMBER_FIELDS = """id role status displayName realName declineReason requestedAt verifiedAt
  verifiedBy { id displayName } building { name }"""

JOIN = f"""mutation($input: JoinCommunityInput!) {{ joinCommunity(input: $input) {{
  member {{ {MEMBER_FIELDS} }} errors {{ field code message }} }} }}"""

VERIFY = f"""mutation($input: VerifyMemberInput!) {{ verifyMember(input: $input) {{
  member {{ {MEMBER_FIELDS} }} errors {{ field code message }} }} }}"""

DECLINE = f"""mutation($input: DeclineMemberInput!) {{ declineMember(input: $input) {{
  member {{ {MEMBER_FIELDS} }} errors {{ field code message }} }} }}"""

SET_ROLE = """mutation($input: SetMemberRoleInput!) { setMemberRole(input: $input) {
  member { id role } errors { field code message } } }"""

NODE_MEMBER = f"""query($id: ID!) {{ node(id: $id) {{ ... on Member {{ {MEMBER_FIELDS} }} }} }}"""

MEMBERS = """query($status: MemberStatus) { members(community: "testville", status: $status,
  first: 100) { nodes { id status displayName } } }"""

REGISTER = """mutation($input: RegisterInput!) { register(input: $input) {
  viewer { id username } errors { field code message } } }"""

LOGIN = """mutation($input: LoginInput!) { login(input: $input) {
  token errors { field code message } } }"""


async def newcomer(gql: GraphQLClient, username: str) -> GraphQLClient:
    """Register and log in a new person through GraphQL; their logged-in client."""
    payload = await gql.mutate(REGISTER, {"input": {
        "username": username, "displayName": username.title(), "password": PASSWORD}})
    assert payload["errors"] == []
    login = await gql.mutate(LOGIN, {"input": {"identifier": username, "password": PASSWORD}})
    return gql.as_(login["token"])


async def join(client: GraphQLClient, building: dict | None, community: str = "testville"
               ) -> dict:
    payload = await client.mutate(JOIN, {"input": {
        "community": community,
        "buildingId": to_gid("Building", building["id"]) if building else None}})
    assert payload["errors"] == [], payload
    return payload["member"]


async def verify(actor, member_id: str, real_name: str = "Zhang Lan") -> dict:
    client = actor.gql if hasattr(actor, "gql") else actor
    return await client.execute(VERIFY, {"input": {"memberId": member_id,
                                                   "realName": real_name}})


async def kinds(actor) -> list[str]:
    return [n["kind"] for n in await inbox(actor)]


# --- joining and verification --------------------------------------------------------


async def test_join_names_the_building_and_waits_for_verification(gql, community, admin,
                                                                   leader, clock):
    admin_before = (await kinds(admin)).count("member.join_requested")
    client = await newcomer(gql, "zhanglan")
    member = await join(client, community["buildings"]["A"])
    assert member["status"] == "PENDING" and member["role"] == "RESIDENT"
    assert member["building"] == {"name": "A"}
    assert member["verifiedBy"] is None and member["verifiedAt"] is None
    # The building's leader is told; the admin is not (building A has a leader).
    assert "member.join_requested" in await kinds(leader)
    assert (await kinds(admin)).count("member.join_requested") == admin_before
    # Asking twice is refused and writes nothing.
    before = await snapshot()
    again = await client.mutate(JOIN, {"input": {"community": "testville"}})
    assert [e["code"] for e in again["errors"]] == ["ALREADY_MEMBER"]
    assert await snapshot() == before


async def test_join_a_building_without_leader_tells_the_admins(gql, community, admin):
    client = await newcomer(gql, "lisi")
    await join(client, community["buildings"]["B"])
    assert "member.join_requested" in await kinds(admin)


async def test_join_refuses_a_building_of_another_community(gql, community):
    other = await communities.create_community("otherville", "Otherville")
    foreign = await communities.create_building(other, "Z", 10)
    client = await newcomer(gql, "wangwu")
    before = await snapshot()
    result = await client.execute(JOIN, {"input": {
        "community": "testville", "buildingId": to_gid("Building", foreign["id"])}})
    assert result["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert await snapshot() == before


async def test_join_needs_a_login(gql, community):
    result = await gql.execute(JOIN, {"input": {"community": "testville"}})
    assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_leader_verifies_and_who_when_is_kept(leader, pending, neighbour, clock):
    clock.advance(hours=3)
    result = await verify(leader, pending.id, "  Wang Fang ")
    member = result["data"]["verifyMember"]["member"]
    assert member["status"] == "VERIFIED"
    assert member["verifiedBy"]["id"] == leader.id
    assert member["verifiedAt"].startswith("2026-11-02T04:00:00")
    assert member["realName"] == "Wang Fang"
    # Who verified whom and when can be queried later, by anyone in the community …
    seen = (await neighbour.gql.data(NODE_MEMBER, {"id": pending.id}))["node"]
    assert seen["verifiedBy"] == {"id": leader.id, "displayName": "Leader1"}
    assert seen["verifiedAt"] == member["verifiedAt"]
    # … but the real name only by the member and their leaders.
    assert seen["realName"] is None
    mine = (await pending.gql.data(NODE_MEMBER, {"id": pending.id}))["node"]
    assert mine["realName"] == "Wang Fang"
    # The member is told.
    assert await kinds(pending) == ["member.verified"]


async def test_deputy_and_admin_may_verify(deputy, admin, community, gql):
    first = await make_actor(community, gql, "p1", "A", None)
    second = await make_actor(community, gql, "p2", None, None)
    assert (await verify(deputy, first.id))["data"]["verifyMember"]["errors"] == []
    assert (await verify(admin, second.id))["data"]["verifyMember"]["errors"] == []


async def test_who_may_not_verify(community, gql, leader, resident, pending):
    leader_b = await make_actor(community, gql, "leaderb", "B", "building_leader")
    homeless = await make_actor(community, gql, "homeless", None, None)
    before = await snapshot()
    for actor, target, code in (
        (leader_b, pending, "FORBIDDEN"),       # a leader of another building
        (resident, pending, "FORBIDDEN"),       # a resident
        (pending, pending, "NOT_VERIFIED"),     # yourself, still pending
        (leader, homeless, "FORBIDDEN"),        # no building: admins only
    ):
        result = await verify(actor, target.id)
        assert result["data"] is None
        assert result["errors"][0]["extensions"]["code"] == code, (actor.person, code)
    assert await snapshot() == before
    status = (await leader.gql.data(NODE_MEMBER, {"id": pending.id}))["node"]["status"]
    assert status == "PENDING"


async def test_verify_refuses_bad_input_and_writes_nothing(leader, resident, pending):
    before = await snapshot()
    cases = [
        (pending.id, "", "REQUIRED"),
        (pending.id, "x" * 61, "TOO_LONG"),
        (resident.id, "Someone", "NOT_PENDING"),
    ]
    for member_id, name, code in cases:
        payload = (await verify(leader, member_id, name))["data"]["verifyMember"]
        assert payload["member"] is None
        assert [e["code"] for e in payload["errors"]] == [code]
    for bad_id, code in ((to_gid("Member", 99999), "NOT_FOUND"),
                         (to_gid("Need", pending.member_id), "INVALID_ID"),
                         ("garbage!", "INVALID_ID")):
        result = await verify(leader, bad_id)
        if result.get("errors"):
            assert result["errors"][0]["extensions"]["code"] == code
        else:
            assert [e["code"] for e in result["data"]["verifyMember"]["errors"]] == [code]
    assert await snapshot() == before


async def test_decline_with_reason_then_ask_again(leader, pending, neighbour, clock):
    before = await snapshot()
    empty = await leader.gql.mutate(DECLINE, {"input": {"memberId": pending.id, "reason": " "}})
    assert [e["code"] for e in empty["errors"]] == ["REQUIRED"]
    assert await snapshot() == before
    payload = await leader.gql.mutate(DECLINE, {"input": {
        "memberId": pending.id, "reason": "Not living in building A"}})
    assert payload["errors"] == []
    assert payload["member"]["status"] == "DECLINED"
    assert payload["member"]["declineReason"] == "Not living in building A"
    # A neighbour does not see a declined member at all (as in ``members``); the leader
    # and the declined person do.
    decline = "query($id: ID!) { node(id: $id) { ... on Member { declineReason declinedAt " \
        "declinedBy { id } } } }"
    assert (await neighbour.gql.data(decline, {"id": pending.id}))["node"] is None
    seen = (await leader.gql.data(decline, {"id": pending.id}))["node"]
    assert seen["declinedBy"] == {"id": leader.id}
    assert seen["declinedAt"].startswith("2026-11-02T01:00:00")
    mine = await pending.gql.data("{ viewer { memberships { status declineReason "
                                  "declinedBy { id } } } }")
    assert mine["viewer"]["memberships"] == [
        {"status": "DECLINED", "declineReason": "Not living in building A",
         "declinedBy": {"id": leader.id}}]
    assert (await inbox(pending))[0]["kind"] == "member.declined"
    # Declined twice is refused.
    again = await leader.gql.mutate(DECLINE, {"input": {"memberId": pending.id, "reason": "x"}})
    assert [e["code"] for e in again["errors"]] == ["NOT_PENDING"]
    # A declined member can do nothing in the community …
    assert await step_refused(pending, "acceptNeed", (await post_need(neighbour))["id"]) \
        == "FORBIDDEN"
    # … but may ask again; the old reason is gone and a leader can verify them this time.
    clock.advance(days=1)
    member = await join(pending.gql, None)
    assert member["id"] == pending.id and member["status"] == "PENDING"
    assert member["declineReason"] is None
    assert member["requestedAt"].startswith("2026-11-03")
    # Rejoined without a building: only an admin may verify now.
    result = await verify(leader, pending.id)
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_members_list_hides_pending_from_residents(leader, resident, pending):
    seen = await resident.gql.data(MEMBERS, {"status": "PENDING"})
    assert pending.id not in [m["id"] for m in seen["members"]["nodes"]]
    by_leader = await leader.gql.data(MEMBERS, {"status": "PENDING"})
    assert [m["id"] for m in by_leader["members"]["nodes"]] == [pending.id]


# --- roles -----------------------------------------------------------------------------


async def _set_role(actor, member_id: str, role: str) -> dict:
    return await actor.gql.mutate(SET_ROLE, {"input": {"memberId": member_id,
                                                       "role": role.upper()}})


async def test_one_head_leader_per_building(admin, leader, neighbour, community, gql):
    before = await snapshot()
    payload = await _set_role(admin, neighbour.id, "building_leader")
    assert [e["code"] for e in payload["errors"]] == ["LEADER_EXISTS"]
    assert await snapshot() == before
    # In building B (no leader yet) it works; and the old leader can step down first.
    b_resident = await make_actor(community, gql, "bres", "B", "resident")
    assert (await _set_role(admin, b_resident.id, "building_leader"))["errors"] == []
    assert (await _set_role(admin, leader.id, "resident"))["errors"] == []
    assert (await _set_role(admin, neighbour.id, "building_leader"))["member"]["role"] \
        == "BUILDING_LEADER"


async def test_deputies_only_in_large_buildings_and_at_most_two(admin, deputy, neighbour,
                                                                resident, community, gql):
    # Building A has 320 households and one deputy already: one more is allowed, not two.
    b_resident = await make_actor(community, gql, "bres", "B", "resident")
    assert (await _set_role(admin, neighbour.id, "deputy_leader"))["errors"] == []
    before = await snapshot()
    payload = await _set_role(admin, resident.id, "deputy_leader")
    assert [e["code"] for e in payload["errors"]] == ["TOO_MANY_DEPUTIES"]
    # Building B has 40 households: no deputies there.
    payload = await _set_role(admin, b_resident.id, "deputy_leader")
    assert [e["code"] for e in payload["errors"]] == ["DEPUTY_NOT_ALLOWED"]
    assert await snapshot() == before


async def test_role_changes_refused(admin, leader, resident, pending, community, gql):
    homeless = await make_actor(community, gql, "homeless", None, "resident")
    before = await snapshot()
    mayor = await admin.gql.execute(SET_ROLE, {"input": {"memberId": resident.id,
                                                         "role": "MAYOR"}})
    assert mayor["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"  # no Role
    assert [e["code"] for e in (await _set_role(admin, pending.id, "resident"))["errors"]] \
        == ["NOT_VERIFIED"]
    assert [e["code"] for e in
            (await _set_role(admin, homeless.id, "deputy_leader"))["errors"]] == ["NO_BUILDING"]
    # Only admins change roles; a leader cannot, nor can a resident promote themselves.
    for actor, target in ((leader, resident), (resident, resident)):
        result = await actor.gql.execute(SET_ROLE, {"input": {"memberId": target.id,
                                                              "role": "ADMIN"}})
        assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await snapshot() == before


async def test_the_last_admin_cannot_step_down(admin, resident):
    before = await snapshot()
    payload = await _set_role(admin, admin.id, "resident")
    assert [e["code"] for e in payload["errors"]] == ["LAST_ADMIN"]
    assert await snapshot() == before
    assert (await _set_role(admin, resident.id, "admin"))["errors"] == []
    assert (await _set_role(admin, admin.id, "resident"))["member"]["role"] == "RESIDENT"


# --- several communities, privacy --------------------------------------------------------


async def test_one_person_in_two_communities(resident, community, gql):
    other = await communities.create_community("otherville", "Otherville", locale="en")
    await communities.create_building(other, "Z", 10)
    member = await join(resident.gql, None, community="otherville")
    assert member["status"] == "PENDING"
    viewer = await resident.gql.data(
        "{ viewer { memberships { status community { slug } } } }")
    assert sorted((m["community"]["slug"], m["status"])
                  for m in viewer["viewer"]["memberships"]) == [
        ("otherville", "PENDING"), ("testville", "VERIFIED")]
    # Verified in one community, pending in the other: may post here, not there.
    await post_need(resident)
    result = await resident.gql.execute(POST_NEED, {"input": need_input(
        community="otherville")})
    assert result["errors"][0]["extensions"]["code"] == "NOT_VERIFIED"


async def test_a_member_never_sees_another_communitys_private_data(resident, leader, gql):
    need = await post_need(resident)
    other = await communities.create_community("otherville", "Otherville", locale="en")
    await communities.create_building(other, "Z", 10)
    outsider = await make_actor({**other, "buildings": {}}, gql, "outsider", None, "admin")
    queries = [
        ('{ needs(community: "testville") { nodes { id } } }', None),
        ('{ members(community: "testville") { nodes { id } } }', None),
        ('{ notifications(community: "testville") { nodes { id } } }', None),
        ('{ unreadCount(community: "testville") }', None),
        ('{ buildings(community: "testville") { id } }', None),
        ("query($id: ID!) { need(id: $id) { id } }", {"id": need["id"]}),
        ("query($id: ID!) { node(id: $id) { id } }", {"id": need["id"]}),
        ("query($id: ID!) { node(id: $id) { id } }", {"id": resident.id}),
        ("query($id: ID!) { candidates(needId: $id) { score } }", {"id": need["id"]}),
    ]
    for query, variables in queries:
        result = await outsider.gql.execute(query, variables)
        assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN", query
        result = await gql.execute(query, variables)
        assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", query
    # Acting on another community's need is refused too, and changes nothing.
    assert await step_refused(outsider, "acceptNeed", need["id"]) == "FORBIDDEN"
    # The public parts stay public.
    public = await gql.data('{ community(slug: "testville") { name } '
                            'notices(community: "testville") { nodes { id } } '
                            'communityHours(community: "testville") { minutes } }')
    assert public["community"]["name"] == "Testville"


async def test_pending_members_cannot_post_or_accept(pending, resident):
    need = await post_need(resident)
    before = await snapshot()
    result = await pending.gql.execute(POST_NEED, {"input": need_input()})
    assert result["errors"][0]["extensions"]["code"] == "NOT_VERIFIED"
    assert await step_refused(pending, "acceptNeed", need["id"]) == "NOT_VERIFIED"
    assert await snapshot() == before

