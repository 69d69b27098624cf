"""The in-app inbox, written in the action's transaction; other channels after commit.

A notification stores message ids and parameters, not text: it is rendered in the reader's
locale when read, and handed to the ``yizhan_deliver_notification`` hook after commit.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from yizhan.core import clock, db
from yizhan.core.errors import not_found
from yizhan.core.i18n import normalize, translate
from yizhan.core.plugins import await_all, get_registry
from yizhan.core.services.outbox import publish
from yizhan.core.switches import switches
from yizhan.core.tables import Member, Notification

log = logging.getLogger(__name__)
_INSERT = ("INSERT INTO yz_notification (community, member, kind, params, created_at) "
           "VALUES ({}, {}, {}, {}, {}) RETURNING *")


async def notify(community_id: int, member_id: int, kind: str, subject: str, message: str,
                 locale: str | None = None, **params: Any) -> dict:
    """Write a notification for ``member_id``; ``subject`` and ``message`` are English msgids
    with ``{name}`` placeholders filled from ``params`` when rendered."""
    row = (await db.raw(_INSERT, community_id, member_id, kind,
                        json.dumps({"title": subject, "body": message, "params": params},
                                   default=str), clock.now()))[0]
    await publish(community_id, "notification.created",
                  {"notification": row["id"], "member": member_id, "kind": kind})

    async def deliver() -> None:
        caller = get_registry().caller("yizhan_deliver_notification",
                                       switches.disabled(community_id))
        channels = caller.get_hookimpls()
        if not channels:
            return
        reader = locale or await recipient_locale(community_id, member_id)
        text = translate(message, reader, **params)
        heading = translate(subject, reader, **params)
        for channel in channels:
            # One by one: a failing channel neither undoes the inbox entry nor stops the others.
            try:
                await await_all([channel.function(notification=row, text=text, title=heading)])
            except Exception:
                log.exception("notification delivery by %s failed for %s",
                              channel.plugin_name, row["id"])

    db.after_commit(deliver)
    return row


async def recipient_locale(community_id: int, member_id: int) -> str:
    """The language a member reads: their own setting, else their community's."""
    member = await Member.select(Member.person.locale, Member.community.locale).where(
        (Member.id == member_id) & (Member.community == community_id)).first()
    if member is None:
        return normalize(None)
    return normalize(member["person.locale"] or member["community.locale"])


def render(row: dict, locale: str | None) -> tuple[str, str]:
    """(title, body) of a notification row in ``locale``."""
    data = json.loads(row["params"] or "{}")
    params = data.get("params", {})
    return (translate(data.get("title", ""), locale, **params),
            translate(data.get("body", ""), locale, **params))


async def list_for(member_id: int, unread_only: bool = False, after_id: int | None = None,
                   limit: int = 20) -> list[dict]:
    """A member's notifications, newest first, for keyset paging."""
    query = Notification.select().where(Notification.member == member_id)
    if unread_only:
        query = query.where(Notification.read_at.is_null())
    if after_id is not None:
        query = query.where(Notification.id < after_id)
    return await query.order_by(Notification.id, ascending=False).limit(limit)


async def unread_count(member_id: int) -> int:
    """How many unread notifications the member has."""
    return await Notification.count().where(
        (Notification.member == member_id) & Notification.read_at.is_null()
    )


async def mark_read(member_id: int, notification_ids: list[int] | None) -> int:
    """Mark some (or, with None, all) of the member's notifications read; returns how many."""
    query = Notification.update({Notification.read_at: clock.now()}).where(
        (Notification.member == member_id) & Notification.read_at.is_null()
    )
    if notification_ids is not None:
        owned = await Notification.count().where(
            (Notification.member == member_id) & Notification.id.is_in(notification_ids or [-1])
        )
        if owned != len(set(notification_ids)):
            raise not_found("notification", "ids")
        query = query.where(Notification.id.is_in(notification_ids or [-1]))
    async with db.atomic():
        return len(await query.returning(Notification.id))
