"""A small GraphQL client for tests: POSTs to ``/graphql`` of the app under test."""

from __future__ import annotations

from typing import Any


class GraphQLError(AssertionError):
    """The response had ``errors`` where the test expected none."""


class GraphQLClient:
    """Send queries as an anonymous caller, or ``as_(token)`` as someone."""

    def __init__(self, http: Any, token: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        self.http = http
        self.token = token
        self.headers = headers or {}

    def as_(self, token: str | None, **headers: str) -> GraphQLClient:
        """The same client acting with ``token`` (and extra headers)."""
        return GraphQLClient(self.http, token, {**self.headers, **headers})

    async def execute(self, query: str, variables: dict[str, Any] | None = None,
                      **headers: str) -> dict[str, Any]:
        """The full JSON response (``data`` and ``errors``)."""
        sent = {"Accept-Language": "en", **self.headers, **headers}
        if self.token:
            sent["Authorization"] = f"Bearer {self.token}"
        response = await self.http.post("/graphql", json={"query": query,
                                                          "variables": variables or {}},
                                        headers=sent)
        assert response.status_code == 200, response.text
        return response.json()

    async def data(self, query: str, variables: dict[str, Any] | None = None,
                   **headers: str) -> dict[str, Any]:
        """``data`` of a response that must have no errors."""
        result = await self.execute(query, variables, **headers)
        if result.get("errors"):
            raise GraphQLError(result["errors"])
        return result["data"]

    async def error_code(self, query: str, variables: dict[str, Any] | None = None) -> str:
        """``extensions.code`` of the first GraphQL error (the test expects one)."""
        result = await self.execute(query, variables)
        assert result.get("errors"), f"expected an error, got {result}"
        return result["errors"][0]["extensions"]["code"]

    async def mutate(self, query: str, variables: dict[str, Any] | None = None
                     ) -> dict[str, Any]:
        """The payload of a single-field mutation (``errors`` included, not raised)."""
        data = await self.data(query, variables)
        (payload,) = data.values()
        return payload
