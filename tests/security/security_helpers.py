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


async def snapshot() -> dict[str, int]:
    """Row counts of every table (core's and the plugins'): compare around a refusal."""
    from yizhan.core import db

    counts = {}
    for table in db.all_tables():
        name = table._meta.tablename
        try:
            counts[name] = (await db.raw(f"SELECT COUNT(*) AS n FROM {name}"))[0]["n"]
        except Exception:  # noqa: BLE001 - a table some installed plugin no longer migrates
            counts[name] = None
    return counts


async def refused(client, query: str, variables: dict | None = None) -> str:
    """Send a request that must be refused; its code, after checking nothing was written."""
    before = await snapshot()
    result = await client.execute(query, variables)
    code = code_of(result)
    assert await snapshot() == before, code
    return code


def need_input(**overrides: Any) -> dict[str, Any]:
    """A valid postNeed input (a 10-minute errand tomorrow), with overrides."""
    from datetime import timedelta

    from yizhan.core import clock

    start = clock.now() + timedelta(days=1)
    values = {"community": "testville", "title": "Buy soy sauce", "category": "errand",
              "windowStart": start.isoformat(),
              "windowEnd": (start + timedelta(hours=2)).isoformat(),
              "estimatedMinutes": 10, "credits": "0.20"}
    values.update(overrides)
    return values


POST_NEED = """mutation($input: PostNeedInput!) { postNeed(input: $input) {
  need { id title } errors { field code message } } }"""
