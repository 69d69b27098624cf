"""Bad input everywhere gets a clear code, writes nothing, and never a 500 or a traceback."""

from __future__ import annotations

import json

import pytest
from core_helpers import CANCEL, POST_NEED, STEP, need_input, need_status, post_need, snapshot

from yizhan.core.graphql.ids import to_gid
from yizhan.core.services import communities
from yizhan.testing.people import make_actor


def code_of(result: dict, name: str | None = None) -> str:
    """The code of a refusal: a GraphQL error's, else the payload's first error's."""
    assert "Traceback" not in json.dumps(result)
    if result.get("errors"):
        return result["errors"][0]["extensions"]["code"]
    payload = result["data"][name] if name else next(iter(result["data"].values()))
    assert payload["errors"], result
    return payload["errors"][0]["code"]


async def refused(client, query: str, variables: dict | None = None) -> str:
    """Send a request that must be refused; the code, after checking nothing was written."""
    before = await snapshot()
    result = await client.execute(query, variables)
    code = code_of(result)
    assert await snapshot() == before, code
    return code


# --- postNeed ---------------------------------------------------------------------------


POST_NEED_CASES = [
    ({"title": ""}, "REQUIRED"),
    ({"title": "   "}, "REQUIRED"),
    ({"title": "x" * 81}, "TOO_LONG"),
    ({"description": "x" * 2001}, "TOO_LONG"),
    ({"category": "Not a slug!"}, "INVALID_SLUG"),
    ({"category": ""}, "INVALID_SLUG"),
    ({"category": "x" * 41}, "INVALID_SLUG"),
    ({"estimatedMinutes": 0}, "OUT_OF_RANGE"),
    ({"estimatedMinutes": -10}, "OUT_OF_RANGE"),
    ({"estimatedMinutes": 24 * 60 + 1}, "OUT_OF_RANGE"),
    ({"estimatedMinutes": 2**31 - 1}, "OUT_OF_RANGE"),
    ({"estimatedMinutes": 2**31}, "GRAPHQL_VALIDATION_FAILED"),
    ({"estimatedMinutes": 1.5}, "GRAPHQL_VALIDATION_FAILED"),
    ({"estimatedMinutes": "ten"}, "GRAPHQL_VALIDATION_FAILED"),
    ({"credits": "0.205"}, "INVALID_AMOUNT"),
    ({"credits": "-1"}, "NEGATIVE_AMOUNT"),
    ({"credits": "-0.01"}, "NEGATIVE_AMOUNT"),
    ({"credits": 0.5}, "INVALID_AMOUNT"),
    ({"credits": 1e300}, "INVALID_AMOUNT"),
    ({"credits": "10.01"}, "AMOUNT_TOO_LARGE"),
    ({"credits": "1e3"}, "INVALID_AMOUNT"),
    ({"credits": "1e999999999"}, "INVALID_AMOUNT"),
    ({"credits": "9" * 5000}, "AMOUNT_TOO_LARGE"),
    ({"credits": "1e-999999999"}, "INVALID_AMOUNT"),
    ({"credits": "abc"}, "INVALID_AMOUNT"),
    ({"credits": ""}, "INVALID_AMOUNT"),
    ({"credits": "NaN"}, "INVALID_AMOUNT"),
    ({"credits": "Infinity"}, "INVALID_AMOUNT"),
    ({"credits": True}, "INVALID_AMOUNT"),
    ({"credits": [1]}, "INVALID_AMOUNT"),
    ({"credits": {"amount": 1}}, "INVALID_AMOUNT"),
    ({"windowStart": "2026-11-02T12:00:00+08:00", "windowEnd": "2026-11-02T11:00:00+08:00"},
     "INVALID_WINDOW"),
    ({"windowStart": "2026-11-02T12:00:00+08:00", "windowEnd": "2026-11-02T12:00:00+08:00"},
     "INVALID_WINDOW"),
    ({"windowStart": "2026-11-01T12:00:00+08:00", "windowEnd": "2026-11-01T13:00:00+08:00"},
     "WINDOW_IN_PAST"),
    ({"windowStart": "2026-12-02T12:00:00+08:00", "windowEnd": "2026-12-02T13:00:00+08:00"},
     "WINDOW_TOO_FAR"),
    ({"windowStart": "1900-01-01T00:00:00Z", "windowEnd": "2999-12-31T23:59:59Z"},
     "WINDOW_TOO_FAR"),
    ({"windowStart": "1900-01-01T00:00:00Z", "windowEnd": "9999-12-31T23:59:59Z"},
     "DATE_OUT_OF_RANGE"),
    ({"windowStart": "tomorrow"}, "GRAPHQL_VALIDATION_FAILED"),
    ({"windowEnd": "2026-13-45T99:00:00"}, "GRAPHQL_VALIDATION_FAILED"),
    ({"windowEnd": None}, "GRAPHQL_VALIDATION_FAILED"),
    ({"community": "nowhere"}, "NOT_FOUND"),
    ({"community": ""}, "NOT_FOUND"),
    ({"buildingId": "garbage"}, "INVALID_ID"),
    ({"buildingId": ""}, "INVALID_ID"),
    ({"buildingId": to_gid("Building", 99999)}, "NOT_FOUND"),
    ({"buildingId": to_gid("Need", 1)}, "INVALID_ID"),
    ({"unknownField": 1}, "GRAPHQL_VALIDATION_FAILED"),
]


async def test_post_need_refuses_bad_input(resident):
    # One test for all cases: each refusal is checked to write nothing.
    for values, code in POST_NEED_CASES:
        got = await refused(resident.gql, POST_NEED, {"input": need_input(**values)})
        assert got == code, (values, got)


async def test_whole_numbers_and_two_decimals_are_fine(resident):
    for given, shown in (("0", "0.00"), ("0.2", "0.20"), ("1.50", "1.50"),
                         ("10", "10.00"), (3, "3.00")):
        assert (await post_need(resident, credits=given))["credits"] == shown


async def test_amounts_have_one_canonical_spelling(resident):
    """Exponents, padding, underscores, leading zeros, extra zeros and digits other than
    ASCII are refused: "1e2" was once a 100-credit need."""
    for given in ("1e2", "1E0", " 1.5 ", "1.5 ", "0.200", "1_0", "01", "+1", "1.", ".5",
                  "١", "١٠", "１０", "𝟏", "0x10", "1,5"):
        code = await refused(resident.gql, POST_NEED, {"input": need_input(credits=given)})
        assert code == "INVALID_AMOUNT", given


async def test_post_need_in_a_building_of_another_community(resident, gql):
    other = await communities.create_community("otherville", "Otherville")
    foreign = await communities.create_building(other, "Z", 10)
    code = await refused(resident.gql, POST_NEED, {"input": need_input(
        buildingId=to_gid("Building", foreign["id"]))})
    assert code == "NOT_FOUND"


async def test_several_mistakes_are_reported_together_or_first_first(resident):
    result = await resident.gql.execute(POST_NEED, {"input": need_input(
        title="", estimatedMinutes=0, credits="-1")})
    errors = result["data"]["postNeed"]["errors"]
    assert errors[0] == {"field": "title", "code": "REQUIRED",
                         "message": "This field cannot be empty."}


# --- need steps with bad ids -------------------------------------------------------------


async def test_steps_refuse_bad_ids(resident, neighbour):
    need = (await post_need(resident))["id"]
    for name in ("acceptNeed", "withdrawFromNeed", "markNeedDone", "confirmNeed"):
        for bad, code in ((to_gid("Need", 99999), "NOT_FOUND"), ("garbage", "INVALID_ID"),
                          ("", "INVALID_ID"), (neighbour.id, "INVALID_ID"),
                          (to_gid("Need", -1), "INVALID_ID"), (to_gid("Need", 0), "INVALID_ID"),
                          ("TmVlZDox" * 500, "INVALID_ID")):
            assert await refused(neighbour.gql, STEP.format(name=name),
                                 {"input": {"needId": bad}}) == code, (name, bad)
        assert await refused(neighbour.gql, STEP.format(name=name), {"input": {}}) \
            == "GRAPHQL_VALIDATION_FAILED"
    assert await need_status(resident, need) == "OPEN"


async def test_cancel_refuses_bad_ids(resident):
    for bad, code in ((to_gid("Need", 99999), "NOT_FOUND"), ("garbage", "INVALID_ID")):
        assert await refused(resident.gql, CANCEL, {"input": {"needId": bad}}) == code


# --- buildings ------------------------------------------------------------------------


CREATE_BUILDING = """mutation($input: CreateBuildingInput!) { createBuilding(input: $input) {
  building { id name households } errors { field code message } } }"""


async def test_create_building(admin, resident, leader):
    payload = await admin.gql.mutate(CREATE_BUILDING, {"input": {
        "community": "testville", "name": "C", "households": 120}})
    assert payload["errors"] == [] and payload["building"]["households"] == 120
    for values, code in (({"name": "C"}, "NAME_TAKEN"), ({"name": ""}, "REQUIRED"),
                         ({"name": "x" * 61}, "TOO_LONG"),
                         ({"name": "D", "households": -1}, "OUT_OF_RANGE"),
                         ({"name": "D", "households": 100_001}, "OUT_OF_RANGE"),
                         ({"name": "D", "community": "nowhere"}, "NOT_FOUND")):
        assert await refused(admin.gql, CREATE_BUILDING, {"input": {
            "community": "testville", **values}}) == code
    for actor in (resident, leader):
        assert await refused(actor.gql, CREATE_BUILDING, {"input": {
            "community": "testville", "name": "E"}}) == "FORBIDDEN"


# --- members, roles ----------------------------------------------------------------------


async def test_member_mutations_refuse_bad_ids(admin, leader):
    verify = """mutation($input: VerifyMemberInput!) { verifyMember(input: $input) {
      member { id } errors { code } } }"""
    role = """mutation($input: SetMemberRoleInput!) { setMemberRole(input: $input) {
      member { id } errors { code } } }"""
    for query, extra in ((verify, {"realName": "X"}), (role, {"role": "RESIDENT"})):
        for bad, code in ((to_gid("Member", 99999), "NOT_FOUND"), ("garbage", "INVALID_ID"),
                          (to_gid("Building", 1), "INVALID_ID")):
            assert await refused(admin.gql, query, {"input": {"memberId": bad, **extra}}) \
                == code


async def test_a_member_of_another_community_is_not_found_here(admin, gql):
    other = await communities.create_community("otherville", "Otherville")
    stranger = await make_actor({**other, "buildings": {}}, gql, "stranger", None, None)
    query = """mutation($input: VerifyMemberInput!) { verifyMember(input: $input) {
      member { id } errors { code } } }"""
    # The admin of testville is no one in otherville.
    assert await refused(admin.gql, query, {"input": {"memberId": stranger.id,
                                                      "realName": "X"}}) == "FORBIDDEN"


# --- the HTTP layer ----------------------------------------------------------------------


@pytest.mark.parametrize(("content", "content_type"), [
    (b"{not json", "application/json"),
    (b"", "application/json"),
    (b"[]", "application/json"),
    (b"[1, 2]", "application/json"),
    (b'"a string"', "application/json"),
    (b"null", "application/json"),
    (b'{"query": 42}', "application/json"),
    (b'{"query": null}', "application/json"),
    (b'{"variables": {}}', "application/json"),
    (b'{"query": "{ communities { slug } }", "variables": [1]}', "application/json"),
    (b'{"query": "{ communities { slug } }", "variables": "x"}', "application/json"),
    (b'{"query": "{ communities { slug } }", "operationName": 5}', "application/json"),
    (b'{"query": "{ communities { slug } }", "operationName": "Nope"}', "application/json"),
    (b"query=%7B%7D", "application/x-www-form-urlencoded"),
    (b"{ communities { slug } }", "text/plain"),
    (b"\xff\xfe\x00garbage", "application/json"),
    (b"\xff\xfe\x00garbage", "application/octet-stream"),
    (b'{"query": "{ communities { slug } }", "variables": {"a": ' + b"[" * 100_000
     + b"]" * 100_000 + b"}}", "application/json"),
    (b'{"query": "' + b"{ a " * 50_000 + b'"}', "application/json"),
])
async def test_malformed_bodies_never_500(app, yizhan_db, content, content_type):
    response = await app.post("/graphql", content=content,
                              headers={"Content-Type": content_type})
    assert 400 <= response.status_code < 500 or response.status_code == 200, response.text
    assert "Traceback" not in response.text
    if response.status_code == 200:
        assert response.json()["errors"]


async def test_get_runs_queries_but_not_mutations(app, yizhan_db):
    response = await app.get("/graphql", params={"query": "{ communities { slug } }"})
    assert response.status_code == 200 and response.json() == {"data": {"communities": []}}
    response = await app.get("/graphql", params={
        "query": 'mutation { logout { revoked } }'})
    assert 400 <= response.status_code < 500 and "Traceback" not in response.text


@pytest.mark.parametrize("query", [
    "{ nope }",
    "{ communities { nope } }",
    "{ communities { slug",
    "query { community }",
    'query { community(slug: 5) { slug } }',
    "mutation { nope }",
    "subscription { nope }",
    "{ __typename } { __typename }",
    'query($x: Int) { community(slug: $x) { slug } }',
])
async def test_requests_that_do_not_fit_the_schema(gql, yizhan_db, query):
    result = await gql.execute(query)
    assert result.get("data") is None
    assert result["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_query_limits(gql, resident):
    deep = "{ viewer { memberships { " + "verifiedBy { " * 12 + "id" + " }" * 12 + " } } }"
    result = await gql.execute(deep)
    assert result["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "depth" in result["errors"][0]["message"]
    shallow = "{ viewer { memberships { " + "verifiedBy { " * 3 + "id" + " }" * 3 + " } } }"
    assert "errors" not in await resident.gql.execute(shallow)

    aliases = "{ " + " ".join(f"a{i}: communities {{ slug }}" for i in range(31)) + " }"
    result = await gql.execute(aliases)
    assert result["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "alias" in result["errors"][0]["message"].lower()
    fine = "{ " + " ".join(f"a{i}: communities {{ slug }}" for i in range(30)) + " }"
    assert "errors" not in await gql.execute(fine)

    tokens = "{ communities { " + " ".join(["slug"] * 4000) + " } }"
    result = await gql.execute(tokens)
    assert result["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "token" in result["errors"][0]["message"].lower()


async def test_ids_and_cursors_out_of_any_range(resident):
    need = (await post_need(resident))["id"]
    huge = 2**70
    for query, variables, code in (
        ("query($id: ID!) { need(id: $id) { id } }", {"id": to_gid("Need", huge)}, "INVALID_ID"),
        ("query($id: ID!) { node(id: $id) { id } }", {"id": to_gid("Need", huge)}, "INVALID_ID"),
        ("query($id: ID!) { node(id: $id) { id } }", {"id": to_gid("Member", -huge)},
         "INVALID_ID"),
        ('query($a: String) { needs(community: "testville", after: $a) { nodes { id } } }',
         {"a": "Yzo1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1"}, "INVALID_CURSOR"),
    ):
        assert code_of(await resident.gql.execute(query, variables)) == code, variables
    for name in ("acceptNeed", "confirmNeed"):
        assert await refused(resident.gql, STEP.format(name=name), {
            "input": {"needId": to_gid("Need", huge)}}) == "INVALID_ID"
    assert need


async def test_an_unexpected_failure_is_an_internal_error_without_details(
        resident, neighbour, add_hooks):
    def crash(ctx, need):
        raise RuntimeError("secret internals: connection string postgres://admin:pw@db")

    need = (await post_need(resident))["id"]
    add_hooks(yizhan_need_accepted=crash)
    before = await snapshot()
    result = await neighbour.gql.execute(STEP.format(name="acceptNeed"),
                                         {"input": {"needId": need}})
    assert result["errors"][0]["extensions"] == {"code": "INTERNAL_ERROR"}
    text = json.dumps(result)
    assert "secret" not in text and "Traceback" not in text and "RuntimeError" not in text
    assert await snapshot() == before


async def test_control_characters_are_refused(resident, admin, gql):
    for text in ("nul\x00byte", "bell\x07", "\x1b[31mred"):
        await _control_characters_refused(resident, admin, gql, text)


async def _control_characters_refused(resident, admin, gql, text):
    assert await refused(resident.gql, POST_NEED, {"input": need_input(title=text)}) \
        == "INVALID_TEXT"
    assert await refused(resident.gql, POST_NEED, {"input": need_input(
        description=f"line one\n{text}")}) == "INVALID_TEXT"
    register = """mutation($input: RegisterInput!) { register(input: $input) {
      viewer { id } errors { field code } } }"""
    assert await refused(gql, register, {"input": {
        "username": "newbie", "displayName": text, "password": "long-enough-1"}}) \
        == "INVALID_TEXT"
    # Look-ups with such text find nothing, on SQLite and PostgreSQL alike.
    login = """mutation($input: LoginInput!) { login(input: $input) {
      token errors { field code } } }"""
    result = await gql.execute(login, {"input": {"identifier": text, "password": text}})
    assert code_of(result) == "INVALID_CREDENTIALS"
    for query in ('query($s: String!) { community(slug: $s) { id } }',
                  'query($s: String!) { notices(community: $s) { nodes { id } } }'):
        assert code_of(await gql.execute(query, {"s": text})) == "NOT_FOUND"
    for query, code in (
        ('query($s: String!) { needs(community: "testville", filter: {category: $s}) '
         "{ nodes { id } } }", "INVALID_SLUG"),
        ('query($s: String!) { notices(community: "testville", source: $s) { nodes { id } } }',
         "INVALID_SLUG"),
        # Role and status are enums now: text of any kind does not fit them.
        ('query($s: String!) { members(community: "testville", role: $s) { nodes { id } } }',
         "GRAPHQL_VALIDATION_FAILED"),
        ('query($s: String!) { members(community: "testville", status: $s) '
         "{ nodes { id } } }", "GRAPHQL_VALIDATION_FAILED"),
    ):
        assert code_of(await admin.gql.execute(query, {"s": text})) == code


async def test_line_breaks_and_tabs_are_fine_in_descriptions(resident):
    need = await post_need(resident, description="Two bottles:\n\t- light\n\t- dark\r\n")
    assert need["status"] == "OPEN"


async def test_a_database_refusing_a_character_is_a_clear_error(resident, neighbour,
                                                                add_hooks):
    class CharacterNotInRepertoire(Exception):
        sqlstate = "22021"  # what PostgreSQL answers to a NUL in text

    def refuse(ctx, need):
        raise CharacterNotInRepertoire("invalid byte sequence for encoding UTF8: 0x00")

    need = (await post_need(resident))["id"]
    add_hooks(yizhan_need_accepted=refuse)
    assert await refused(neighbour.gql, STEP.format(name="acceptNeed"),
                         {"input": {"needId": need}}) == "INVALID_TEXT"


async def test_plugin_switches_refuse_bad_input(admin, resident):
    enable = """mutation($input: SetPluginEnabledInput!) { setPluginEnabled(input: $input) {
      plugin { name enabled } errors { field code } } }"""
    configure = """mutation($input: ConfigurePluginInput!) { configurePlugin(input: $input) {
      plugin { name } errors { field code } } }"""
    cases = [
        (admin, enable, {"plugin": "no-such-plugin", "enabled": True}, "UNKNOWN_PLUGIN"),
        (admin, enable, {"plugin": "core", "enabled": False}, "PLUGIN_ALWAYS_ON"),
        (resident, enable, {"plugin": "core", "enabled": True}, "FORBIDDEN"),
        (admin, configure, {"plugin": "core", "settings": "not an object"}, "INVALID_INPUT"),
        (admin, configure, {"plugin": "core", "settings": [1, 2]}, "INVALID_INPUT"),
        (admin, configure, {"plugin": "core", "settings": {"max_window_days": 0}},
         "INVALID_SETTING"),
        (admin, configure, {"plugin": "core", "settings": {"max_credits_per_need": "0.001"}},
         "INVALID_SETTING"),
        (admin, configure, {"plugin": "no-such-plugin", "settings": {}}, "UNKNOWN_PLUGIN"),
        (resident, configure, {"plugin": "core", "settings": {}}, "FORBIDDEN"),
    ]
    for actor, query, values, code in cases:
        assert await refused(actor.gql, query, {"input": {"community": "testville",
                                                          **values}}) == code, values
