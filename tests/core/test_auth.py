"""Authentication: register, log in (username or phone), rate limits, tokens, service tokens."""

from __future__ import annotations

import pytest
from core_helpers import POST_NEED, need_input, post_need, snapshot, step_refused

from yizhan.core.services import communities, people
from yizhan.testing.people import PASSWORD, make_actor

REGISTER = """mutation($input: RegisterInput!) { register(input: $input) {
  viewer { id username displayName locale } errors { field code message } } }"""

LOGIN = """mutation($input: LoginInput!) { login(input: $input) {
  token viewer { username } errors { field code message } } }"""

VIEWER = "{ viewer { username } }"


async def register(gql, **values) -> dict:
    base = {"username": "zhanglan", "displayName": "Zhang Lan", "password": PASSWORD}
    return await gql.mutate(REGISTER, {"input": {**base, **values}})


async def login(gql, identifier: str, password: str = PASSWORD) -> dict:
    return await gql.execute(LOGIN, {"input": {"identifier": identifier, "password": password}})


async def test_register_then_log_in_by_username_or_phone(gql, yizhan_db):
    payload = await register(gql, phone="+86 138 0013 8000", locale="en-US")
    assert payload["errors"] == []
    assert payload["viewer"]["username"] == "zhanglan" and payload["viewer"]["locale"] == "en"
    for identifier in ("zhanglan", "+8613800138000", " +86 138 0013 8000 "):
        result = (await login(gql, identifier))["data"]["login"]
        assert result["errors"] == [] and result["token"].startswith("yz_"), identifier
        viewer = await gql.as_(result["token"]).data(VIEWER)
        assert viewer == {"viewer": {"username": "zhanglan"}}
    # Anonymous: no viewer.
    assert await gql.data(VIEWER) == {"viewer": None}


REGISTER_CASES = [
    ({"username": "a"}, "username", "INVALID_USERNAME"),
    ({"username": "has space"}, "username", "INVALID_USERNAME"),
    ({"username": "x" * 41}, "username", "INVALID_USERNAME"),
    ({"displayName": "  "}, "displayName", "REQUIRED"),
    ({"displayName": "x" * 61}, "displayName", "TOO_LONG"),
    ({"password": "short"}, "password", "WEAK_PASSWORD"),
    ({"password": "x" * 257}, "password", "TOO_LONG"),
    ({"phone": "call me"}, "phone", "INVALID_PHONE"),
    ({"phone": "1" * 16}, "phone", "INVALID_PHONE"),
]


async def test_register_refuses_bad_input(gql, yizhan_db):
    for values, field, code in REGISTER_CASES:
        before = await snapshot()
        payload = await register(gql, **values)
        assert payload["viewer"] is None
        assert [(e["field"], e["code"]) for e in payload["errors"]] == [(field, code)], values
        assert await snapshot() == before


async def test_register_refuses_a_taken_username(gql, yizhan_db):
    assert (await register(gql, phone="13800138000"))["errors"] == []
    before = await snapshot()
    taken = await register(gql, phone="13900139000")
    assert [e["code"] for e in taken["errors"]] == ["USERNAME_TAKEN"]
    assert await snapshot() == before


async def test_register_does_not_reveal_a_taken_phone(gql, yizhan_db):
    """A stranger cannot learn whether a number is registered: the answer is the same, and
    the number stays with its owner (the newcomer is created without it)."""
    first = await register(gql, phone="13800138000")
    second = await register(gql, username="other", phone="138 0013 8000")
    fresh = await register(gql, username="third", phone="13700137000")
    assert first["errors"] == second["errors"] == fresh["errors"] == []
    assert second.keys() == fresh.keys()
    assert (await people.find_person("other"))["phone"] is None
    assert (await people.find_person("13800138000"))["username"] == "zhanglan"


async def test_registrations_from_one_address_are_limited(gql, yizhan_db):
    from yizhan.core.config import get_settings

    limit = get_settings().register_max_per_address
    for n in range(limit):
        await register(gql, username=f"user{n}")
    before = await snapshot()
    result = await gql.execute(REGISTER, {"input": {
        "username": "onemore", "displayName": "One More", "password": PASSWORD}})
    assert result["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert await snapshot() == before


async def test_wrong_password_and_unknown_person(gql, yizhan_db):
    await register(gql)
    for identifier, password in (("zhanglan", "wrong-password"), ("nobody", PASSWORD),
                                 ("zhanglan", ""), ("", "")):
        payload = (await login(gql, identifier, password))["data"]["login"]
        assert payload["token"] is None
        assert [(e["field"], e["code"]) for e in payload["errors"]] == [
            ("password", "INVALID_CREDENTIALS")]


async def test_rate_limit_after_five_failures_for_the_window(gql, yizhan_db, clock):
    await register(gql, phone="13800138000")
    for _ in range(5):
        payload = (await login(gql, "zhanglan", "wrong-password"))["data"]["login"]
        assert payload["errors"][0]["code"] == "INVALID_CREDENTIALS"
    # Now even the right password is refused, by username and by phone alike.
    for identifier in ("zhanglan", "13800138000", "138 0013 8000"):
        result = await login(gql, identifier)
        assert result["data"] is None
        assert result["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    clock.advance(minutes=14)
    assert (await login(gql, "zhanglan"))["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    clock.advance(minutes=1, seconds=1)
    assert (await login(gql, "zhanglan"))["data"]["login"]["token"]


async def test_failures_spread_over_time_are_not_limited(gql, yizhan_db, clock):
    await register(gql)
    for _ in range(3):
        for _ in range(4):
            await login(gql, "zhanglan", "wrong-password")
        clock.advance(minutes=16)
    assert (await login(gql, "zhanglan"))["data"]["login"]["token"]


async def test_failures_by_phone_count_for_the_person(gql, yizhan_db):
    await register(gql, phone="13800138000")
    for identifier in ("zhanglan", "13800138000") * 3:
        await login(gql, identifier, "wrong-password")
    result = await login(gql, "zhanglan")
    assert result["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


async def test_a_good_login_clears_earlier_failures(gql, yizhan_db):
    await register(gql)
    for _ in range(4):
        await login(gql, "zhanglan", "wrong-password")
    assert (await login(gql, "zhanglan"))["data"]["login"]["token"]
    for _ in range(4):
        await login(gql, "zhanglan", "wrong-password")
    assert (await login(gql, "zhanglan"))["data"]["login"]["token"]


async def test_tokens_expire_with_the_clock(resident, clock):
    clock.advance(days=30, seconds=-1)
    assert (await resident.gql.data(VIEWER))["viewer"]["username"] == "resident1"
    clock.advance(seconds=1)
    result = await resident.gql.execute(VIEWER)
    assert result["errors"][0]["extensions"]["code"] == "INVALID_TOKEN"


async def test_logout_revokes_the_token(gql, yizhan_db):
    await register(gql)
    token = (await login(gql, "zhanglan"))["data"]["login"]["token"]
    other = (await login(gql, "zhanglan"))["data"]["login"]["token"]
    client = gql.as_(token)
    assert (await client.mutate("mutation { logout { revoked errors { code } } }")) == {
        "revoked": True, "errors": []}
    result = await client.execute(VIEWER)
    assert result["errors"][0]["extensions"]["code"] == "INVALID_TOKEN"
    # Only that token: the other login still works.
    assert (await gql.as_(other).data(VIEWER))["viewer"]["username"] == "zhanglan"
    anonymous = await gql.mutate("mutation { logout { revoked errors { code } } }")
    assert anonymous == {"revoked": False, "errors": []}


async def test_invalid_bearer(gql, resident):
    for authorization in ("Bearer garbage", "Bearer yz_" + "A" * 43, "Bearer ",
                          "Basic dXNlcjpwYXNz", "garbage", "Bearer a b c"):
        await _refused_with(gql, authorization)


async def _refused_with(gql, authorization):
    for query in (VIEWER, '{ needs(community: "testville") { nodes { id } } }'):
        result = await gql.execute(query, Authorization=authorization)
        assert result["errors"][0]["extensions"]["code"] == "INVALID_TOKEN"
    payload = await gql.http.post("/graphql", json={"query": POST_NEED, "variables": {
        "input": need_input()}}, headers={"Authorization": authorization})
    assert payload.status_code == 200
    assert payload.json()["errors"][0]["extensions"]["code"] == "INVALID_TOKEN"


# --- service tokens -----------------------------------------------------------------------


@pytest.fixture
async def service(community, gql):
    token, row = await people.create_service_token("mini-program", community["id"])
    return gql.as_(token), row


async def test_a_service_token_acts_as_admin_of_its_community(service, pending, resident):
    client, _ = service
    members = await client.data('{ members(community: "testville", status: PENDING) '
                                "{ nodes { id } } }")
    assert [m["id"] for m in members["members"]["nodes"]] == [pending.id]
    verified = await client.mutate(
        """mutation($input: VerifyMemberInput!) { verifyMember(input: $input) {
          member { status verifiedBy { id } } errors { code } } }""",
        {"input": {"memberId": pending.id, "realName": "Wang Fang"}})
    assert verified == {"member": {"status": "VERIFIED", "verifiedBy": None}, "errors": []}
    notice = await client.mutate(
        """mutation { postNotice(input: {community: "testville", title: "Hello"}) {
          notice { title } errors { code } } }""")
    assert notice == {"notice": {"title": "Hello"}, "errors": []}
    assert await client.data(VIEWER) == {"viewer": None}


async def test_a_bare_service_token_cannot_be_a_requester_or_helper(service, resident):
    client, _ = service
    need = (await post_need(resident))["id"]
    before = await snapshot()
    result = await client.execute(POST_NEED, {"input": need_input()})
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await step_refused(client, "acceptNeed", need) == "FORBIDDEN"
    assert await snapshot() == before


async def test_a_service_token_acts_for_a_member_with_x_act_as(service, resident, neighbour):
    client, _ = service
    acting = client.as_(client.token, **{"X-Act-As": "resident1"})
    assert await acting.data(VIEWER) == {"viewer": {"username": "resident1"}}
    payload = await acting.mutate(POST_NEED, {"input": need_input()})
    assert payload["errors"] == []
    assert payload["need"]["requester"]["id"] == resident.id
    assert payload["need"]["postedBy"]["id"] == resident.id
    # As a resident, it has a resident's rights only.
    notice = await acting.execute(
        'mutation { postNotice(input: {community: "testville", title: "x"}) { errors { code } } }')
    assert notice["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_service_token_stays_in_its_community(service, community, gql, resident):
    client, row = service
    other = await communities.create_community("otherville", "Otherville")
    await make_actor({**other, "buildings": {}}, gql, "outsider", None, "resident")
    result = await client.execute('{ members(community: "otherville") { nodes { id } } }')
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # It cannot act for someone who is not a member of its community.
    for who in ("outsider", "nobody-at-all"):
        acting = client.as_(client.token, **{"X-Act-As": who})
        result = await acting.execute(VIEWER)
        assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # Revoked, it is just an invalid token.
    assert await people.revoke_token(token_id=row["id"])
    result = await client.execute('{ members(community: "testville") { nodes { id } } }')
    assert result["errors"][0]["extensions"]["code"] == "INVALID_TOKEN"


async def test_a_service_token_without_community_acts_nowhere(gql, community, resident):
    token, _ = await people.create_service_token("platform", None)
    result = await gql.as_(token).execute('{ members(community: "testville") { nodes { id } } }')
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_old_failed_logins_are_purged_by_the_sweep(gql, resident, clock):
    """The purge sweep forgets failures older than the window and keeps recent ones."""
    from yizhan.core import attempts, jobs

    bad = {"identifier": "resident1", "password": "wrong-password"}
    mutation = "mutation($i: LoginInput!) { login(input: $i) { token errors { code } } }"
    await gql.mutate(mutation, {"i": bad})
    clock.advance(minutes=30)
    await gql.mutate(mutation, {"i": bad})
    # Each failure counts for the account and for the client address.
    assert await attempts.count("login") == 4
    results = await jobs.run_due(force=True, only="core.purge_login_attempts")
    assert results == {"core.purge_login_attempts": 2}
    assert await attempts.count("login") == 2
