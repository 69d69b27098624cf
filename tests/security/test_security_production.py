"""Production mode: no introspection (unless allowed for admins), no hints at the schema's
names in errors, no IDE."""

from __future__ import annotations

import httpx
import pytest
from security_helpers import post

from yizhan.core.config import get_settings
from yizhan.testing.server import start_server

INTROSPECTION = "{ __schema { queryType { name } } }"
TYPE = '{ __type(name: "Need") { name } }'
TYPO = '{ communitys { slug } }'


async def test_served_in_production_mode(yizhan_db, community):
    server = await start_server(yizhan_db, env={"YIZHAN_PRODUCTION": "1"})
    try:
        async with httpx.AsyncClient() as client:
            for query in (INTROSPECTION, TYPE, "{ communities { ... on Query { __schema { "
                                                 "types { name } } } } }"):
                result = await post(client, server.graphql_url, query)
                assert "data" not in result or result["data"] is None, query
                codes = {e["extensions"]["code"] for e in result["errors"]}
                assert codes <= {"INTROSPECTION_DISABLED", "GRAPHQL_VALIDATION_FAILED"}, query
            result = await post(client, server.graphql_url, INTROSPECTION)
            assert result["errors"][0]["extensions"]["code"] == "INTROSPECTION_DISABLED"
            typo = await post(client, server.graphql_url, TYPO)
            assert typo["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
            assert "Did you mean" not in str(typo)
            # __typename is not introspection of the schema: clients rely on it.
            fine = await post(client, server.graphql_url, "{ __typename }")
            assert fine == {"data": {"__typename": "Query"}}
            ide = await client.get(server.graphql_url, headers={"accept": "text/html"})
            assert "graphiql" not in ide.text.lower()
    finally:
        server.stop()


async def test_development_mode_introspects_and_hints(gql, community):
    assert (await gql.data(INTROSPECTION))["__schema"]["queryType"]["name"] == "Query"
    assert "Did you mean" in str(await gql.execute(TYPO))


@pytest.fixture
def production(monkeypatch):
    monkeypatch.setattr(get_settings(), "production", True)


async def test_hints_are_removed_from_every_error_in_production(gql, community, production):
    for query in (TYPO, '{ communities { slugg } }',
                  'query($s: [NeedStatus!]) { needs(community: "testville", '
                  'filter: {status: $s}) { nodes { id } } }'):
        result = await gql.execute(query, {"s": ["OPN"]})
        assert result["errors"] and "Did you mean" not in str(result), query


async def test_introspection_for_admins_only(gql, admin, resident, monkeypatch, production):
    monkeypatch.setattr(get_settings(), "introspection", "admins")
    assert (await admin.gql.data(INTROSPECTION))["__schema"]["queryType"]["name"] == "Query"
    for client in (resident.gql, gql):
        result = await client.execute(TYPE)
        assert result["errors"][0]["extensions"]["code"] == "INTROSPECTION_DISABLED"
    monkeypatch.setattr(get_settings(), "introspection", "on")
    assert (await gql.data(TYPE))["__type"]["name"] == "Need"
