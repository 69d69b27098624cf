"""Helpers of the security tests: raw HTTP posts to a served app, codes of answers."""

from __future__ import annotations

import json
from typing import Any

import httpx

LOGIN = """mutation($i: String!, $p: String!) { login(input: {identifier: $i, password: $p}) {
  token errors { code } } }"""


def code_of(result: dict, name: str | None = None) -> str:
    """The code of a refusal: a GraphQL error's, else the payload's first error's."""
    assert "Traceback" not in json.dumps(result)
    if result.get("errors"):
        return result["errors"][0]["extensions"]["code"]
    payload = result["data"][name] if name else next(iter(result["data"].values()))
    assert payload["errors"], result
    return payload["errors"][0]["code"]


async def post(client: httpx.AsyncClient, url: str, query: str,
               variables: dict[str, Any] | None = None, **headers: str) -> dict:
    """POST a GraphQL request and return its JSON answer."""
    response = await client.post(url, json={"query": query, "variables": variables or {}},
                                 headers=headers, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


def login_outcome(result: dict) -> str:
    """``TOKEN`` for a successful login, else the refusal's code."""
    if result.get("data") and result["data"]["login"] and result["data"]["login"]["token"]:
        return "TOKEN"
    return code_of(result, "login")
