"""Core's subscriptions (graphql-transport-ws): new needs in my building, my needs changing."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncGenerator, AsyncIterator
from typing import TypeVar

import strawberry
from strawberry.types import Info

from yizhan.core.broker import broker
from yizhan.core.config import get_settings
from yizhan.core.errors import YizhanError
from yizhan.core.graphql.ids import pk_of
from yizhan.core.graphql.loaders import Loaders
from yizhan.core.graphql.types import Need, need_objects
from yizhan.core.services.validation import require_person
from yizhan.core.tables import Need as NeedTable


@strawberry.type
class NeedChange:
    """A step in the life of one of my needs."""

    action: str
    """The step: `accepted`, `withdrawn`, `done`, `confirmed`, `cancelled`, `expired`,
    `escalated` …"""
    need: Need
    """The need after the step."""


T = TypeVar("T")


async def while_token_valid(info: Info, events: AsyncIterator[T]) -> AsyncIterator[T]:
    """``events`` until the subscriber's token stops being valid (logged out, revoked,
    expired), checked at least every ``subscription_token_check_seconds`` and before
    delivering an event after that long; then the subscription ends with INVALID_TOKEN."""
    every = get_settings().subscription_token_check_seconds
    iterator = events.__aiter__()
    pending: asyncio.Future | None = None
    checked = time.monotonic()
    try:
        while True:
            if pending is None:
                pending = asyncio.ensure_future(iterator.__anext__())
            done, _ = await asyncio.wait({pending}, timeout=every)
            if time.monotonic() - checked >= every or not done:
                if not await info.context.token_still_valid():
                    raise YizhanError("INVALID_TOKEN", "Your login has expired or was revoked.",
                                      kind="auth")
                checked = time.monotonic()
            if not done:
                continue
            try:
                item = pending.result()
            except StopAsyncIteration:
                return
            pending = None
            yield item
    finally:
        if pending is not None and not pending.done():
            pending.cancel()
            with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                await pending
        aclose = getattr(iterator, "aclose", None)
        if aclose is not None:
            await aclose()


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
        """Args:
            building_id: Only needs in this building (left out: your own building; an admin
                without one gets every building)."""
        row = await info.context.community(community)
        viewer = await info.context.require_verified(row)
        building = pk_of(building_id, "Building", "buildingId") \
            if building_id is not None \
            else viewer["building"]
        async for event in while_token_valid(info, broker.events("need.posted", row["id"])):
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
        async for event in while_token_valid(info, broker.events("need.changed",
                                                                 row["id"])):
            payload = event["payload"]
            if viewer["id"] not in (payload["requester"], payload["posted_by"],
                                    payload["helper"]):
                continue
            need = await _need(payload["need"])
            if need is not None:
                yield NeedChange(action=payload["action"],
                                 need=(await need_objects(Loaders(), [need]))[0])
