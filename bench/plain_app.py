"""The baseline for the feed benchmark: a plain Litestar JSON route serving the same page.

It authenticates the same bearer token and reads the same rows (one JOIN) from the same
database, with no GraphQL in between.
"""

from __future__ import annotations

from litestar import Litestar, Request, get
from litestar.exceptions import NotAuthorizedException

from yizhan.core import db
from yizhan.core.services.people import resolve_token
from yizhan.core.services.validation import format_centi

FEED_SQL = """
SELECT n.id, n.title, n.status, n.category, n.credits_centi, n.window_start, n.window_end,
       rp.display_name AS requester_name, hp.display_name AS helper_name, b.name AS building
FROM yz_need n
JOIN yz_community c ON c.id = n.community
JOIN yz_member rm ON rm.id = n.requester
JOIN yz_person rp ON rp.id = rm.person
LEFT JOIN yz_member hm ON hm.id = n.helper
LEFT JOIN yz_person hp ON hp.id = hm.person
LEFT JOIN yz_building b ON b.id = n.building
WHERE c.slug = {} ORDER BY n.id DESC LIMIT {}
"""


@get("/feed")
async def feed(request: Request, community: str, first: int = 50) -> dict:
    """The same page as the GraphQL feed query, as plain JSON."""
    auth = request.headers.get("authorization", "")
    if not auth.startswith("Bearer ") or await resolve_token(auth[7:]) is None:
        raise NotAuthorizedException()
    rows = await db.raw(FEED_SQL, community, first)
    return {"needs": [{
        "id": r["id"], "title": r["title"], "status": r["status"], "category": r["category"],
        "credits": format_centi(r["credits_centi"]), "windowStart": str(r["window_start"]),
        "windowEnd": str(r["window_end"]), "requester": {"displayName": r["requester_name"]},
        "helper": {"displayName": r["helper_name"]} if r["helper_name"] else None,
        "building": {"name": r["building"]},
    } for r in rows]}


async def _start() -> None:
    await db.start()


def create_app() -> Litestar:
    """The baseline app."""
    db.engine()
    return Litestar(route_handlers=[feed], on_startup=[_start])
