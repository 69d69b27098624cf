"""Relay-style connections: ``edges { cursor node }``, ``pageInfo``, keyset paging by id."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

import strawberry

from yizhan.core.errors import invalid
from yizhan.core.graphql.ids import to_cursor

T = TypeVar("T")
MAX_PAGE = 100


@strawberry.type
class PageInfo:
    """Where this page stands: is there more, and the cursor to ask for it."""

    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    """One item of a page and its cursor."""

    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    """A page of items."""

    edges: list[Edge[T]]
    page_info: PageInfo

    @strawberry.field
    def nodes(self) -> list[T]:
        """The items without their cursors."""
        return [edge.node for edge in self.edges]


def page_size(first: int | None, default: int = 20) -> int:
    """Validate ``first``: 1 to 100."""
    size = default if first is None else first
    if not 1 <= size <= MAX_PAGE:
        raise invalid("first", "Ask for 1 to {max} items.", code="OUT_OF_RANGE", max=MAX_PAGE)
    return size


def build(rows: list[dict], size: int, convert: Callable[[dict], T],
          key: str = "id") -> Connection[T]:
    """A connection from ``size + 1`` fetched rows (the extra one says there is a next page)."""
    has_next = len(rows) > size
    rows = rows[:size]
    edges = [Edge(cursor=to_cursor(row[key]), node=convert(row)) for row in rows]
    return Connection(edges=edges, page_info=PageInfo(
        has_next_page=has_next, end_cursor=edges[-1].cursor if edges else None))
