"""DataLoaders: a page of needs with their people and buildings costs a few queries, not 50."""

from __future__ import annotations

from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from yizhan.core.tables import Building, Community, Member, Person


async def _by_id(table, ids: Sequence[int]) -> list[dict | None]:
    rows = await table.select().where(table.id.is_in(list(set(ids))))
    found = {row["id"]: row for row in rows}
    return [found.get(i) for i in ids]


class Loaders:
    """One set of loaders per request (so nothing leaks between callers)."""

    def __init__(self) -> None:
        self.person = DataLoader(lambda ids: _by_id(Person, ids))
        self.member = DataLoader(lambda ids: _by_id(Member, ids))
        self.building = DataLoader(lambda ids: _by_id(Building, ids))
        self.community = DataLoader(lambda ids: _by_id(Community, ids))
