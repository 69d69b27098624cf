"""The hello plugin's logic (no GraphQL here): greetings and the guestbook."""

from __future__ import annotations

from yizhan.core.api import YizhanError, atomic, invalid, now, plugin_settings
from yizhan_hello import NAME
from yizhan_hello.tables import GuestbookEntry


def greeting(community: dict) -> str:
    """The community's greeting, e.g. ``Hello, Testville!``."""
    return f"{plugin_settings(community['id'], NAME).greeting}, {community['name']}!"


async def count(community: dict) -> int:
    """How many entries the community's guestbook holds."""
    return await GuestbookEntry.count().where(GuestbookEntry.community == community["id"])


async def sign(community: dict, name: str) -> dict:
    """Add ``name`` to the guestbook; refuses an empty or long name, or a full book."""
    cleaned = (name or "").strip()
    if not cleaned:
        raise invalid("name", "Please tell us your name.", code="REQUIRED")
    if len(cleaned) > 40:
        raise invalid("name", "Too long: at most {max} characters.", code="TOO_LONG", max=40)
    limit = plugin_settings(community["id"], NAME).max_entries
    async with atomic():
        if await count(community) >= limit:
            raise YizhanError("GUESTBOOK_FULL", "The guestbook is full ({max} entries).",
                              field="name", max=limit)
        return (await GuestbookEntry.insert(GuestbookEntry(
            community=community["id"], name=cleaned, signed_at=now(),
        )).returning(*GuestbookEntry.all_columns()))[0]
