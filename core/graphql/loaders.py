"""Batched loading: a page of needs with their people and buildings costs a few queries, not 50.

List resolvers prefetch what their items point to (:func:`prefetch_needs`) and remember the
rows here; field resolvers then answer synchronously from memory (cheap in graphql-core) and
fall back to a DataLoader only for objects nobody prefetched.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from yizhan.core import db
from yizhan.core.graphql.guards import rows_by_id
from yizhan.core.tables import Building, Community, Member, Person

T = TypeVar("T")

#: Person fields read with every member, so a member's name costs no extra query.
MEMBER_COLUMNS = (
    *Member.all_columns(),
    Member.person.display_name.as_alias("display_name"),
    Member.person.username.as_alias("username"),
)


_by_id = rows_by_id


async def members_by_id(ids: Iterable[int]) -> list[dict]:
    """Member rows with their person's ``display_name`` and ``username``."""
    wanted = list(set(ids))
    if not wanted:
        return []
    return await db.raw(_MEMBERS_SQL.format(db.placeholders(len(wanted))), *wanted)


#: ``members_by_id`` on every page: SQL written once (per list length), not built per request.
_MEMBERS_SQL = ("SELECT m.*, p.display_name AS display_name, p.username AS username "
                "FROM yz_member m LEFT JOIN yz_person p ON p.id = m.person "
                "WHERE m.id IN ({})")


class Loaders:
    """One set per request (or per subscription event), so nothing leaks between callers."""

    def __init__(self) -> None:
        self.known: dict[tuple[str, int], dict] = {}
        self.plugins: dict[str, Any] = {}
        self.person = DataLoader(lambda ids: _by_id(Person, ids))
        self.member = DataLoader(lambda ids: _by_id(Member, ids, MEMBER_COLUMNS))
        self.building = DataLoader(lambda ids: _by_id(Building, ids))
        self.community = DataLoader(lambda ids: _by_id(Community, ids))

    def of_plugin(self, plugin: str, factory: Callable[[], T]) -> T:
        """A plugin's own per-request loaders, made by ``factory`` on first use and dropped
        with the request (so a plugin needs no cache of its own)."""
        found = self.plugins.get(plugin)
        if found is None:
            found = self.plugins[plugin] = factory()
        return found

    def remember(self, kind: str, rows: Iterable[dict]) -> None:
        """Keep rows of ``kind`` (``member``, ``building`` …) for synchronous look-ups."""
        for row in rows:
            self.known[(kind, row["id"])] = row
            if kind == "member":  # a fresher row: the Member object built from it goes too
                self.known.pop(("Member object", row["id"]), None)

    def row(self, kind: str, pk: int) -> dict | Awaitable[dict | None]:
        """The row from memory, else an awaitable loading it in a batch."""
        found = self.known.get((kind, pk))
        if found is not None:
            return found
        return getattr(self, kind).load(pk)


async def prefetch_needs(loaders: Loaders, rows: Sequence[dict]) -> None:
    """Load the members and buildings a page of needs points to, in one statement: the rows
    are the same as :func:`members_by_id`'s and ``SELECT * FROM yz_building``'s."""
    member_ids = list({r[k] for r in rows for k in ("requester", "posted_by", "helper")}
                      - {None})
    building_ids = list({r["building"] for r in rows} - {None})
    if not building_ids:
        loaders.remember("member", await members_by_id(member_ids))
        return
    if not member_ids:
        loaders.remember("building", await db.raw(
            f"SELECT * FROM yz_building WHERE id IN ({db.placeholders(len(building_ids))})",
            *building_ids))
        return
    found = await db.raw(_people_and_places_sql(len(member_ids), len(building_ids)),
                         *member_ids, *building_ids)
    people, places = [], []
    for row in found:
        if row["b_id"] is None:
            people.append({k: row[k] for k in _MEMBER_KEYS})
        else:
            places.append({k: row["b_" + k] for k in _BUILDING_KEYS})
    loaders.remember("member", people)
    loaders.remember("building", places)


_MEMBER_COLUMNS = [c._meta.db_column_name for c in Member._meta.columns]
_MEMBER_KEYS = (*_MEMBER_COLUMNS, "display_name", "username")
_BUILDING_KEYS = tuple(c._meta.db_column_name for c in Building._meta.columns)


@functools.cache
def _people_and_places_sql(members: int, buildings: int) -> str:
    """Members (as in ``members_by_id``) and buildings in one ``UNION ALL``: a member row has
    its columns and null ``b_…`` columns, a building row the other way round (``b_id`` tells
    them apart). Written once per pair of list lengths."""
    member_part = ", ".join(f"m.{c}" for c in _MEMBER_COLUMNS)
    no_building = ", ".join(f"NULL AS b_{c}" for c in _BUILDING_KEYS)
    no_member = ", ".join(["NULL"] * len(_MEMBER_KEYS))
    building_part = ", ".join(f"b.{c}" for c in _BUILDING_KEYS)
    return (f"SELECT {member_part}, p.display_name AS display_name, p.username AS username, "
            f"{no_building} FROM yz_member m LEFT JOIN yz_person p ON p.id = m.person "
            f"WHERE m.id IN ({db.placeholders(members)}) UNION ALL "
            f"SELECT {no_member}, {building_part} FROM yz_building b "
            f"WHERE b.id IN ({db.placeholders(buildings)})")
