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
    """Where this page stands (Relay Cursor Connections): is there more on either side, and
    the cursors of its first and last items."""

    has_next_page: bool = strawberry.field(
        description="True when more items follow this page (ask with `after: endCursor`).")
    has_previous_page: bool = strawberry.field(
        description="True when items come before this page (this page was asked for with "
                    "`after`). Lists page forward only, so a first page answers false.")
    start_cursor: str | None = strawberry.field(
        description="The cursor of the first item of this page (null when empty).")
    end_cursor: str | None = strawberry.field(
        description="The cursor of the last item of this page (null when empty).")


@strawberry.type
class Edge(Generic[T]):
    """One item of a page and its cursor."""

    cursor: str = strawberry.field(description="Pass as `after` to get the items after this.")
    node: T = strawberry.field(description="The item.")


@strawberry.type
class Connection(Generic[T]):
    """A page of items."""

    edges: list[Edge[T]] = strawberry.field(description="The items with their cursors.")
    page_info: PageInfo = strawberry.field(description="Where this page stands.")

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
          key: str = "id", after: str | None = None) -> Connection[T]:
    """A connection from ``size + 1`` fetched rows (the extra one says there is a next page);
    ``after``, the cursor the page was asked after, says there is a previous one."""
    has_next = len(rows) > size
    rows = rows[:size]
    edges = [Edge(cursor=to_cursor(row[key]), node=convert(row)) for row in rows]
    return Connection(edges=edges, page_info=PageInfo(
        has_next_page=has_next, has_previous_page=after is not None,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None))
