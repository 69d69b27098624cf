"""Input an attacker sends: text that is not Unicode, disguising characters, calendar edges,
loosely written numbers and ids. Each gets a clear code and writes nothing."""

from __future__ import annotations

import base64
import json
import logging

import pytest
from security_helpers import POST_NEED, code_of, need_input, refused, snapshot

from yizhan.core.graphql.ids import to_gid

SURROGATE = "\ud800"


def raw_gid(text: str) -> str:
    """A global id made of any text (what an attacker can send)."""
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


class AsciiJson:
    """A client sending JSON with ``\\uXXXX`` escapes, as JavaScript's JSON.stringify does
    for a lone surrogate (httpx's own encoder cannot send one)."""

    def __init__(self, http, token: str | None = None) -> None:
        self.http, self.token = http, token

    async def execute(self, query: str, variables: dict | None = None) -> dict:
        headers = {"content-type": "application/json", "accept-language": "en"}
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        response = await self.http.post("/graphql", headers=headers, content=json.dumps(
            {"query": query, "variables": variables or {}}))
        assert response.status_code == 200, response.text
        return response.json()


async def test_lone_surrogates_anywhere_are_invalid_text(app, resident):
    gql = AsciiJson(app)
    member = AsciiJson(app, resident.token)
    cases = [
        (gql, "query($s: String!) { community(slug: $s) { name } }", {"s": SURROGATE}),
        (gql, """mutation($i: LoginInput!) { login(input: $i) { token errors { code } } }""",
         {"i": {"identifier": "res" + SURROGATE, "password": "whatever-it-is"}}),
        (gql, """mutation($i: RegisterInput!) { register(input: $i) { errors { code } } }""",
         {"i": {"username": "someone", "displayName": SURROGATE, "password": "long-enough"}}),
        (member, POST_NEED, {"input": need_input(title="Soy " + SURROGATE)}),
        (member, POST_NEED, {"input": need_input(description="\udfff")}),
    ]
    for client, query, variables in cases:
        assert await refused(client, query, variables) == "INVALID_TEXT", query
    # In the document itself it is not GraphQL source text: a syntax error.
    literal = '{ community(slug: "' + SURROGATE + '") { name } }'
    assert await refused(member, literal) == "GRAPHQL_VALIDATION_FAILED"


async def test_lone_surrogate_over_raw_http_json(app, community):
    """The JSON escape itself (as a client library would send it) reaches the same check."""
    body = '{"query": "query($s: String!) { community(slug: $s) { name } }", ' \
           '"variables": {"s": "\\ud800"}}'
    response = await app.post("/graphql", content=body,
                              headers={"content-type": "application/json"})
    assert response.status_code == 200
    result = response.json()
    assert code_of(result) == "INVALID_TEXT" and "data" not in result


@pytest.mark.parametrize("bad", ["\u0085", "\u009b", "\u202e", "\u202a", "\u2066", "\u2069"])
async def test_c1_controls_and_bidi_overrides_are_refused_in_text(resident, gql, bad):
    code = await refused(resident.gql, POST_NEED, {"input": need_input(title=f"Soy{bad}sauce")})
    assert code == "INVALID_TEXT"
    payload = (await gql.execute(
        "mutation($i: RegisterInput!) { register(input: $i) { errors { field code } } }",
        {"i": {"username": "mallory", "displayName": f"Bob{bad}gnp.exe",
               "password": "long-enough"}}))["data"]["register"]
    assert payload["errors"] == [{"field": "displayName", "code": "INVALID_TEXT"}]


CALENDAR_EDGES = [
    ("query($d: DateTime!) { needs(community: \"testville\", filter: {windowTo: $d}) "
     "{ nodes { id } } }", {"d": "9999-12-31T23:59:59-12:00"}),
    ("query($d: DateTime!) { needs(community: \"testville\", filter: {windowFrom: $d}) "
     "{ nodes { id } } }", {"d": "0001-01-01T00:00:00+14:00"}),
    ("query($d: Date!) { merchantRedemptions(merchantId: \"x\", day: $d) { nodes { id } } }",
     {"d": "0001-01-01"}),
    ("query($d: Date!) { merchantRedemptions(merchantId: \"x\", day: $d) { nodes { id } } }",
     {"d": "9999-12-31"}),
    ("mutation($d: Date!) { issueCreditVouchers(input: {community: \"testville\", count: 1, "
     "credits: \"1\", expiresOn: $d}) { errors { code } } }", {"d": "9999-12-31"}),
]


async def test_calendar_edges_are_refused_with_a_clear_code(admin, resident):
    for query, variables in CALENDAR_EDGES:
        for client in (resident.gql, admin.gql):
            assert await refused(client, query, variables) == "DATE_OUT_OF_RANGE", variables
    # Written in the document itself rather than as a variable: the same answer.
    literal = '{ needs(community: "testville", filter: {windowTo: "9999-12-31T23:59:59-12:00"})' \
              ' { nodes { id } } }'
    assert await refused(resident.gql, literal) == "DATE_OUT_OF_RANGE"


async def test_huge_and_garbled_dates_are_refused(resident):
    query = ("query($d: DateTime!) { needs(community: \"testville\", filter: {windowTo: $d}) "
             "{ nodes { id } } }")
    for value in ("99999-01-01T00:00:00Z", "1" * 400, "2026-11-02T25:00:00Z", 20261102):
        code = await refused(resident.gql, query, {"d": value})
        assert code in ("DATE_OUT_OF_RANGE", "GRAPHQL_VALIDATION_FAILED"), value


async def test_global_ids_have_one_spelling(resident, neighbour):
    posted = (await resident.gql.mutate(POST_NEED, {"input": need_input()}))["need"]
    pk = int(base64.urlsafe_b64decode(posted["id"] + "==").decode().split(":")[1])
    arabic = str(pk).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    full_width = str(pk).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    spellings = [f"Need:{pk}_0", f"Need: {pk}", f"Need:{pk} ", f"Need:0{pk}", f"Need:+{pk}",
                 f"Need:{arabic}", f"Need:{full_width}", f"Need:{pk}.0", "Need:1_0", "Need:١"]
    accept = """mutation($id: ID!) { acceptNeed(input: {needId: $id}) {
      need { id status } errors { field code } } }"""
    for text in spellings:
        code = await refused(neighbour.gql, accept, {"id": raw_gid(text)})
        assert code == "INVALID_ID", text
    # A padded base64 spelling of the right id is not the id either.
    assert await refused(neighbour.gql, accept, {"id": posted["id"] + "=="}) == "INVALID_ID"
    # The one real spelling works.
    done = await neighbour.gql.mutate(accept, {"id": to_gid("Need", pk)})
    assert done["errors"] == [] and done["need"]["status"].upper() == "ACCEPTED"


async def test_voucher_amounts_have_one_spelling(admin, enable_plugin, community):
    await enable_plugin(community, "credits")
    issue = """mutation($c: Credits!) { issueCreditVouchers(input: {community: "testville",
      count: 1, credits: $c, expiresOn: "2026-12-31"}) { errors { field code } } }"""
    for amount in ("1e2", "1E1", "١٠", "１０", "1_0", " 1", "1 ", "01", "1.000"):
        assert await refused(admin.gql, issue, {"c": amount}) == "INVALID_AMOUNT", amount


async def test_client_mistakes_are_not_logged_as_errors(resident, caplog):
    query = ("query($d: DateTime!, $s: [NeedStatus!]) { needs(community: \"testville\", "
             "filter: {windowTo: $d, status: $s}) { nodes { id } } }")
    with caplog.at_level(logging.INFO):
        for variables in ({"d": "tomorrow"}, {"d": "2026-11-02T10:00:00Z", "s": ["LOST"]},
                          {"d": "9999-12-31T23:59:59-12:00"}, {"d": 5}):
            await resident.gql.execute(query, variables)
        await resident.gql.execute("{ needs(community: 5) { nodes { id } } }")
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING
                or r.exc_info is not None], [r.getMessage() for r in caplog.records]


async def test_snapshot_helper_sees_writes(resident):
    """The tests above compare snapshots: make sure a write shows."""
    before = await snapshot()
    await resident.gql.mutate(POST_NEED, {"input": need_input()})
    assert await snapshot() != before
