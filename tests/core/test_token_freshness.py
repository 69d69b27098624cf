"""Token and membership are read afresh on every request — no server process keeps them — so a
revoked token, a changed role and a removed member count from the very next request on, in every
process: here the test's own app and a real ``yizhan serve`` share the database.

(Queries read the token and the caller's memberships in one statement; these tests hold that
shortcut to the same answers as the separate look-ups.)"""

from __future__ import annotations

import httpx

from yizhan.core.services import members, people

NEEDS = '{ needs(community: "testville", first: 5) { nodes { id } } }'
PENDING = '{ members(community: "testville", status: PENDING) { nodes { username } } }'


async def _served(server, query: str, token: str) -> dict:
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.post(server.graphql_url, json={"query": query},
                                   headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    return response.json()


def _code(body: dict) -> str:
    return body["errors"][0]["extensions"]["code"]


async def test_a_token_revoked_elsewhere_is_refused_at_once_by_the_server(resident,
                                                                          yizhan_server):
    assert "errors" not in await _served(yizhan_server, NEEDS, resident.token)
    assert await people.revoke_token(token=resident.token)  # this process, its own connection
    assert _code(await _served(yizhan_server, NEEDS, resident.token)) == "INVALID_TOKEN"
    assert _code(await _served(yizhan_server, PENDING, resident.token)) == "INVALID_TOKEN"


async def test_a_logout_through_the_server_is_refused_at_once_here(resident, yizhan_server):
    assert await resident.gql.data(NEEDS)
    body = await _served(yizhan_server, "mutation { logout { revoked errors { code } } }",
                         resident.token)
    assert body["data"]["logout"] == {"revoked": True, "errors": []}
    for query in (NEEDS, PENDING):
        assert _code(await resident.gql.execute(query)) == "INVALID_TOKEN"


async def test_a_role_change_counts_at_once_everywhere(community, admin, resident, pending,
                                                       yizhan_server):
    def names(body: dict) -> set[str]:
        assert "errors" not in body, body
        return {n["username"] for n in body["data"]["members"]["nodes"]}

    wanted = pending.person["username"]
    assert wanted not in names(await _served(yizhan_server, PENDING, resident.token))
    assert wanted not in names({"data": await resident.gql.data(PENDING)})
    await members.set_role(community, None, resident.member_id, "admin")
    assert wanted in names(await _served(yizhan_server, PENDING, resident.token))
    assert wanted in names({"data": await resident.gql.data(PENDING)})
    await members.set_role(community, None, resident.member_id, "resident")
    assert wanted not in names(await _served(yizhan_server, PENDING, resident.token))
    assert wanted not in names({"data": await resident.gql.data(PENDING)})


async def test_a_removed_member_is_refused_at_once_everywhere(community, resident,
                                                              yizhan_server):
    assert "errors" not in await _served(yizhan_server, NEEDS, resident.token)
    await members.remove(community, None, resident.member_id, "moved away")
    assert _code(await _served(yizhan_server, NEEDS, resident.token)) == "FORBIDDEN"
    assert _code(await resident.gql.execute(NEEDS)) == "FORBIDDEN"


async def test_a_member_of_two_communities_is_known_in_each(community, resident, gql):
    from yizhan.core.services import communities

    other = await communities.create_community("otherville", "Other", "Asia/Shanghai")
    await members.add_member(other, resident.person["id"], None, "admin", verify_as="Real")
    query = '{ members(community: "otherville") { nodes { username } } }'
    assert await resident.gql.data(query) == {"members": {"nodes": [
        {"username": resident.person["username"]}]}}
    assert await resident.gql.data(NEEDS) == {"needs": {"nodes": []}}
    third = await communities.create_community("thirdville", "Third", "Asia/Shanghai")
    assert third
    result = await resident.gql.execute(
        '{ needs(community: "thirdville", first: 5) { nodes { id } } }')
    assert _code(result) == "FORBIDDEN"
