"""Core's subscriptions (graphql-transport-ws): new needs in my building, my needs changing."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry
from strawberry.types import Info

from yizhan.core.broker import broker
from yizhan.core.graphql.ids import pk_of
from yizhan.core.graphql.loaders import Loaders
from yizhan.core.graphql.types import Need, need_objects
from yizhan.core.services.validation import require_person
from yizhan.core.tables import Need as NeedTable


@strawberry.type
class NeedChange:
    """A step in the life of one of my needs."""

    action: str
    need: Need


async def _need(need_id: int) -> dict | None:
    return await NeedTable.select().where(NeedTable.id == need_id).first()


@strawberry.type
class CoreSubscription:
    """Core's subscriptions."""

    @strawberry.subscription(description="Needs posted from now on in a building (default: "
                                         "mine; an admin without a building sees all).")
    async def need_posted(self, info: Info, community: str,
                          building_id: strawberry.ID | None = None
                          ) -> AsyncGenerator[Need, None]:
        row = await info.context.community(community)
        viewer = await info.context.require_member(row)
        building = pk_of(building_id, "Building", "buildingId") \
            if building_id is not None \
            else viewer["building"]
        async for event in broker.events("need.posted", row["id"]):
            if building is not None and event["payload"]["building"] != building:
                continue
            need = await _need(event["payload"]["need"])
            if need is not None:
                yield (await need_objects(Loaders(), [need]))[0]

    @strawberry.subscription(description="Steps of needs I asked for, posted or am helping with.")
    async def my_need_changed(self, info: Info, community: str
                              ) -> AsyncGenerator[NeedChange, None]:
        row = await info.context.community(community)
        viewer = require_person(await info.context.require_member(row))
        async for event in broker.events("need.changed", row["id"]):
            payload = event["payload"]
            if viewer["id"] not in (payload["requester"], payload["posted_by"],
                                    payload["helper"]):
                continue
            need = await _need(payload["need"])
            if need is not None:
                yield NeedChange(action=payload["action"],
                                 need=(await need_objects(Loaders(), [need]))[0])
