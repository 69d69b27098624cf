"""GraphQL over HTTP: refusals before execution are JSON with codes, without ``data``;
``application/graphql-response+json`` is spoken when accepted."""

from __future__ import annotations

import pytest

GRAPHQL_RESPONSE = "application/graphql-response+json"

MALFORMED = [
    ("{not json", "application/json", "INVALID_JSON", 400),
    ('"a string"', "application/json", "INVALID_JSON", 400),
    ("42", "application/json", "INVALID_JSON", 400),
    ("[" * 5000 + "]" * 5000, "application/json", "INVALID_JSON", 400),
    ("{}", "application/json", "MISSING_QUERY", 400),
    ('{"query": null}', "application/json", "MISSING_QUERY", 400),
    ('{"query": 5}', "application/json", "INVALID_REQUEST", 400),
    ('{"query": "{ communities { slug } }", "variables": [1]}', "application/json",
     "INVALID_REQUEST", 400),
    ('[{"query": "{ communities { slug } }"}, {"query": "{ communities { slug } }"}]',
     "application/json", "BATCH_NOT_SUPPORTED", 400),
    ("query { communities { slug } }", "text/plain", "UNSUPPORTED_MEDIA_TYPE", 415),
]


@pytest.mark.parametrize("accept", ["application/json", GRAPHQL_RESPONSE])
@pytest.mark.parametrize(("body", "content_type", "code", "status"), MALFORMED)
async def test_malformed_requests_answer_json_errors_with_codes(app, body, content_type, code,
                                                                status, accept):
    response = await app.post("/graphql", content=body,
                              headers={"content-type": content_type, "accept": accept})
    assert response.status_code == status
    assert response.headers["content-type"].startswith(accept)
    answer = response.json()
    assert "data" not in answer
    assert [e["extensions"]["code"] for e in answer["errors"]] == [code]
    assert answer["errors"][0]["message"]


async def test_a_mutation_over_get_is_refused_with_a_code(app):
    response = await app.get("/graphql", params={"query": "mutation { logout { revoked } }"},
                             headers={"accept": "application/json"})
    assert response.status_code == 405
    assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


async def test_validation_failure_has_no_data(app, community):
    query = {"query": "{ communities { nope } }"}
    legacy = await app.post("/graphql", json=query)
    assert legacy.status_code == 200
    assert legacy.headers["content-type"].startswith("application/json")
    assert "data" not in legacy.json()
    assert legacy.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    modern = await app.post("/graphql", json=query, headers={"accept": GRAPHQL_RESPONSE})
    assert modern.status_code == 400
    assert modern.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert "data" not in modern.json()


async def test_a_bad_variable_has_no_data(app, community):
    response = await app.post("/graphql", headers={"accept": GRAPHQL_RESPONSE}, json={
        "query": "query($n: Int) { needs(community: \"testville\", first: $n) { nodes { id } } }",
        "variables": {"n": "many"}})
    assert response.status_code == 400 and "data" not in response.json()


async def test_an_execution_error_keeps_data(app, community):
    """A refusal while running (here: not logged in) is a result: ``data`` stays, with null."""
    response = await app.post("/graphql", headers={"accept": GRAPHQL_RESPONSE}, json={
        "query": '{ needs(community: "testville") { nodes { id } } }'})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    answer = response.json()
    assert answer["data"] is None
    assert answer["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_success_in_either_media_type(app, community):
    for accept in ("application/json", GRAPHQL_RESPONSE, "*/*"):
        response = await app.post("/graphql", json={"query": "{ communities { slug } }"},
                                  headers={"accept": accept})
        assert response.status_code == 200
        assert response.json() == {"data": {"communities": [{"slug": "testville"}]}}
