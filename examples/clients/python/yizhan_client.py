"""A few lines shared by the Python examples: log in, and a gql client carrying the token.

Everything else is plain ``gql`` (https://gql.readthedocs.io): documents in, dicts out.
"""

from __future__ import annotations

import sys
from typing import Any

from gql import Client, GraphQLRequest
from gql.transport.httpx import HTTPXAsyncTransport
from gql.transport.websockets import WebsocketsTransport

LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) {
    token
    viewer { displayName }
    errors { field code message }
  }
}"""


class YizhanError(RuntimeError):
    """A refusal from the API: its stable ``code`` and the message to show."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{message} [{code}]")
        self.code = code


def say(message: str) -> None:
    """Progress for people, on stderr (stdout carries the JSON result)."""
    print(message, file=sys.stderr, flush=True)


def http_client(url: str, token: str | None = None) -> Client:
    """A gql client for ``url`` (``http://HOST:PORT/graphql``), logged in with ``token``."""
    headers = {"Accept-Language": "en"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return Client(transport=HTTPXAsyncTransport(url=url, headers=headers, timeout=30))


def ws_client(url: str, token: str) -> Client:
    """A gql client for subscriptions over ``graphql-transport-ws`` at ``ws://…/graphql``;
    the token goes in the ``connection_init`` payload."""
    return Client(transport=WebsocketsTransport(
        url=url, init_payload={"authorization": f"Bearer {token}"},
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL]), execute_timeout=None)


async def call(session: Any, document: str, **variables: Any) -> dict:
    """Run one operation; a mutation payload's ``errors`` become a :class:`YizhanError`."""
    result = await session.execute(GraphQLRequest(document, variable_values=variables))
    for payload in result.values():
        if isinstance(payload, dict) and payload.get("errors"):
            first = payload["errors"][0]
            raise YizhanError(first["code"], first["message"])
    return result


async def log_in(url: str, username: str, password: str) -> str:
    """A bearer token for ``username``."""
    async with http_client(url) as session:
        result = await call(session, LOGIN,
                            input={"identifier": username, "password": password})
    login = result["login"]
    say(f"Logged in as {login['viewer']['displayName']}.")
    return login["token"]
