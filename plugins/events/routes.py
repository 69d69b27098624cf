"""The iCalendar feeds over plain HTTP (no login): a community's events, and a member's
sign-ups behind a secret URL. Both check the community's switch (``PLUGIN_DISABLED``, HTTP
404); an unknown secret is HTTP 404 ``FEED_NOT_FOUND``."""

from __future__ import annotations

from litestar import Request, Response, get

from yizhan.core.api import community_with_plugin, translate
from yizhan.plugins.events import ical
from yizhan.plugins.events.events import PLUGIN

CALENDAR = "text/calendar; charset=utf-8"
HEADERS = {"Cache-Control": "no-cache"}


def _not_found(request: Request, code: str) -> Response:
    accept = request.headers.get("accept-language")
    return Response({"code": code, "message": translate(
        "No such calendar feed.", accept.split(",")[0] if accept else None)},
        status_code=404, media_type="application/json")


@get("/events/{feed:str}")
async def public_feed(request: Request, feed: str) -> Response:
    """``/events/<community>.ics``: the community's event dates."""
    if not feed.endswith(".ics"):
        return _not_found(request, "FEED_NOT_FOUND")
    community = await community_with_plugin(feed[:-4], PLUGIN)
    return Response(await ical.public_feed(community), media_type=CALENDAR, headers=HEADERS)


@get("/events/{community:str}/me/{secret:str}")
async def member_feed(request: Request, community: str, secret: str) -> Response:
    """``/events/<community>/me/<secret>.ics``: one member's sign-ups."""
    row = await community_with_plugin(community, PLUGIN)
    member = await ical.member_of_secret(row, secret[:-4]) if secret.endswith(".ics") else None
    if member is None:
        return _not_found(request, "FEED_NOT_FOUND")
    return Response(await ical.member_feed(row, member), media_type=CALENDAR, headers=HEADERS)


ROUTES = [public_feed, member_feed]
