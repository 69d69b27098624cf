"""Resolver helpers every plugin needs: an admin guard, "load this object, check its community
and that my plugin is on", and a batched by-id loader."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from strawberry.dataloader import DataLoader

from yizhan.core.errors import not_found
from yizhan.core.graphql.ids import pk_of
from yizhan.core.services.validation import require_admin


async def require_admin_of(info: Any, community: dict) -> dict:
    """The caller's membership in ``community`` if they are its admin; UNAUTHENTICATED or
    FORBIDDEN otherwise (a service token of the community counts as an admin)."""
    return require_admin(await info.context.require_member(community))


async def rows_by_id(table: Any, ids: Sequence[int], columns: Sequence[Any] = (),
                     ) -> list[dict | None]:
    """Rows of ``table`` for ``ids`` (all columns, or ``columns``), in the order asked (None
    where missing): one query."""
    rows = await table.select(*columns).where(table.id.is_in(list(set(ids))))
    found = {row["id"]: row for row in rows}
    return [found.get(i) for i in ids]


def by_id_loader(table: Any) -> DataLoader:
    """A DataLoader of ``table``'s rows by id (``await loader.load(pk)`` → row or None);
    make one per request, e.g. in a factory given to ``info.context.loaders.of_plugin``."""
    return DataLoader(lambda ids: rows_by_id(table, ids))


async def node_in_community(info: Any, table: Any, pk: int, plugin: str,
                            ) -> tuple[dict, dict] | None:
    """(community, row) of ``table``'s row ``pk`` for a type's ``load_node``: None when there
    is no such row, PLUGIN_DISABLED when ``plugin`` is off in its community. The caller then
    applies the checks of the plugin's own query for that object."""
    row = await table.select().where(table.id == pk).first()
    if row is None:
        return None
    community = await info.context.loaders.community.load(row["community"])
    info.context.require_plugin(community, plugin)
    return community, row


async def admin_node_in_community(info: Any, table: Any, pk: int, plugin: str) -> dict | None:
    """The row for an admins-only type's ``load_node``: :func:`node_in_community`, then the
    caller must be the community's admin (UNAUTHENTICATED or FORBIDDEN otherwise)."""
    found = await node_in_community(info, table, pk, plugin)
    if found is None:
        return None
    community, row = found
    await require_admin_of(info, community)
    return row


async def object_in_community(info: Any, gid: str, type_name: str, table: Any, plugin: str,
                              *, field: str = "id", what: str | None = None,
                              ) -> tuple[dict, dict]:
    """(community, row) for the global id ``gid`` of a ``type_name`` stored in ``table`` (which
    has a ``community`` column): INVALID_ID for a malformed id, NOT_FOUND (``what``, on
    ``field``) when there is no such row, PLUGIN_DISABLED when ``plugin`` is off there."""
    pk = pk_of(gid, type_name, field)
    row = await table.select().where(table.id == pk).first()
    if row is None:
        raise not_found(what or type_name, field)
    community = await info.context.loaders.community.load(row["community"])
    info.context.require_plugin(community, plugin)
    return community, row
