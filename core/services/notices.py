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


def position(row: dict) -> int:
    """A notice's place on the board as one number for a cursor: ``-id`` when pinned."""
    return -row["id"] if row["pinned"] else row["id"]


async def list_notices(community_id: int, source: str | None = None,
                       after_position: int | None = None, limit: int = 20) -> list[dict]:
    """Notices, pinned first, each group newest first; keyset paging after a
    :func:`position` (so a page never repeats or skips a notice)."""
    query = Notice.select().where(Notice.community == community_id)
    if source:
        query = query.where(Notice.source == v.slug(source, "source"))
    if after_position is not None and after_position < 0:  # still among the pinned
        query = query.where(
            ((Notice.pinned == True) & (Notice.id < -after_position))  # noqa: E712
            | (Notice.pinned == False))  # noqa: E712
    elif after_position is not None:
        query = query.where((Notice.pinned == False) & (Notice.id < after_position))  # noqa: E712
    return await db.read(query.order_by(Notice.pinned, ascending=False).order_by(
        Notice.id, ascending=False).limit(limit))
