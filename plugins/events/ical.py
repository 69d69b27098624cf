"""iCalendar (RFC 5545) feeds made with the ``icalendar`` library.

The public feed lists a community's event dates from a week ago to the horizon; a member's
private feed lists their sign-ups. Each date is one VEVENT whose UID is stable however the date
is moved (``<event>-<original start>@<community>.yizhan``), with times in the community's time
zone (a VTIMEZONE is included), SEQUENCE bumped on every change, and ``STATUS:CANCELLED`` for a
cancelled date, so calendars that already had it remove it.

The private feed's URL carries a random secret; only its SHA-256 is stored, so a new secret
(``regenerateEventFeed``) is shown once and the old URL stops working.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, timedelta

from icalendar import Calendar
from icalendar import Event as VEvent

from yizhan.core.api import atomic, now
from yizhan.plugins.events import events as ev
from yizhan.plugins.events import signups as su
from yizhan.plugins.events.tables import FeedToken

PRODID = "-//Yizhan//Events//EN"
STATUS = {ev.SCHEDULED: "CONFIRMED", ev.CLOSED: "CONFIRMED", ev.CANCELLED: "CANCELLED"}


def uid(community: dict, occurrence: dict) -> str:
    """The stable UID of an occurrence."""
    start = occurrence["original_start"].astimezone(UTC)
    return f"{occurrence['event']}-{start:%Y%m%dT%H%M%SZ}@{community['slug']}.yizhan"


def _vevent(community: dict, event: dict, occurrence: dict, extra: str = "") -> VEvent:
    item = VEvent()
    item.add("uid", uid(community, occurrence))
    item.add("dtstamp", now())
    item.add("dtstart", ev.local(community, occurrence["starts_at"]))
    item.add("dtend", ev.local(community, occurrence["ends_at"]))
    item.add("summary", event["title"])
    description = event["description"] + (f"\n\n{extra}" if extra else "")
    if description.strip():
        item.add("description", description.strip())
    item.add("location", ev.place_of(event, occurrence))
    item.add("categories", [event["kind"]])
    item.add("status", STATUS[occurrence["status"]])
    item.add("sequence", occurrence["sequence"])
    return item


def _calendar(community: dict, name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", community.get("time_zone") or "Asia/Shanghai")
    return cal


def _finish(cal: Calendar) -> bytes:
    cal.add_missing_timezones()
    return cal.to_ical()


async def public_feed(community: dict) -> bytes:
    """The community's event dates from a week ago on (cancelled ones marked so)."""
    cal = _calendar(community, f"{community['name']} · events")
    for occurrence, event in await ev.upcoming(community, start=now() - timedelta(days=7),
                                               include_cancelled=True, include_closed=True):
        cal.add_component(_vevent(community, event, occurrence))
    return _finish(cal)


async def member_feed(community: dict, member_id: int) -> bytes:
    """A member's sign-ups from a week ago on, with their check-in codes."""
    cal = _calendar(community, f"{community['name']} · my events")
    rows = await su.of_member(community, member_id, since=now() - timedelta(days=7))
    events = await ev.events_by_id([r["_occurrence"]["event"] for r in rows])
    for row in rows:
        occurrence = row["_occurrence"]
        note = (f"Check-in code: {row['code']}" if row["status"] == su.CONFIRMED
                else "On the waitlist" if row["status"] == su.WAITLISTED else "")
        cal.add_component(_vevent(community, events[occurrence["event"]], occurrence, note))
    return _finish(cal)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def regenerate(community: dict, member_id: int) -> str:
    """A new secret for the member's private feed (the old one stops working)."""
    secret = secrets.token_urlsafe(24)
    async with atomic():
        await FeedToken.delete().where((FeedToken.community == community["id"])
                                       & (FeedToken.member == member_id))
        await FeedToken.insert(FeedToken(community=community["id"], member=member_id,
                                         token_hash=_hash(secret), created_at=now()))
    return secret


async def member_of_secret(community: dict, secret: str) -> int | None:
    """The member whose private feed ``secret`` opens, or None."""
    row = await FeedToken.select(FeedToken.member).where(
        (FeedToken.community == community["id"])
        & (FeedToken.token_hash == _hash(secret))).first()
    return row["member"] if row else None


def feed_path(community: dict, secret: str | None = None) -> str:
    """The path of the public feed, or of a private one."""
    if secret is None:
        return f"/events/{community['slug']}.ics"
    return f"/events/{community['slug']}/me/{secret}.ics"
