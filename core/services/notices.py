"""The community's public notice board. Plugins post through :func:`post_notice`."""

from __future__ import annotations

from yizhan.core import clock, db
from yizhan.core.errors import forbidden
from yizhan.core.services import validation as v
from yizhan.core.tables import Notice


async def post_notice(community_id: int, title: str, body: str = "", *, source: str = "core",
                      author: int | None = None, pinned: bool = False) -> dict:
    """Put an announcement on the board (inside the caller's transaction, if any)."""
    title = v.text(title, "title", max_length=120)
    body = v.text(body, "body", max_length=5000, required=False)
    async with db.atomic():
        return (await Notice.insert(Notice(
            community=community_id, author=author, source=source, title=title, body=body,
            pinned=pinned, created_at=clock.now(),
        )).returning(*Notice.all_columns()))[0]


async def announce(community: dict, actor: dict, title: str, body: str,
                   pinned: bool = False) -> dict:
    """An admin or leader posts an announcement."""
    if not (v.is_admin(actor) or (actor and actor["status"] == "verified"
                                  and actor["role"] in v.LEADER_ROLES)):
        raise forbidden("Only leaders and admins can post on the notice board.")
    return await post_notice(community["id"], title, body, author=actor["id"], pinned=pinned)


async def list_notices(community_id: int, source: str | None = None,
                       before_id: int | None = None, limit: int = 20) -> list[dict]:
    """Notices, pinned first then newest first."""
    query = Notice.select().where(Notice.community == community_id)
    if source:
        query = query.where(Notice.source == source)
    if before_id is not None:
        query = query.where(Notice.id < before_id)
    return await query.order_by(Notice.pinned, ascending=False).order_by(
        Notice.id, ascending=False).limit(limit)
