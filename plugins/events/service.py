"""The events service API: what resolvers, the CLI, the demo and other plugins call.

Every function takes the community row, refuses with a ``YizhanError`` whose code is documented
in ``docs/events.md`` and changes nothing when it refuses. Times are instants (naive ones are
read in the community's time zone). The ``yizhan_deadline_due`` hook lands in
:func:`deadline_due`.
"""

from __future__ import annotations

from yizhan.core.api import (
    Deadline,
    EventContext,
    MemberTable,
    notify,
)
from yizhan.plugins.events import closing, signups
from yizhan.plugins.events.closing import close, confirm_hours, pay_unfunded
from yizhan.plugins.events.events import (
    CANCELLED,
    CLOSED,
    KINDS,
    PLUGIN,
    SCHEDULED,
    cancel_event,
    cancel_occurrence,
    create_event,
    get_event,
    get_occurrence,
    invited_of,
    list_events,
    local,
    materialise,
    move_occurrence,
    place_of,
    upcoming,
    update_event,
)
from yizhan.plugins.events.signups import (
    cancel_sign_up,
    check_in,
    has_attended,
    of_member,
    qr_payload,
    sign_up,
)

__all__ = [
    "CANCELLED", "CLOSED", "KINDS", "PLUGIN", "SCHEDULED", "cancel_event", "cancel_occurrence",
    "cancel_sign_up", "check_in", "close", "confirm_hours", "create_event", "deadline_due",
    "get_event", "get_occurrence", "has_attended", "list_events", "move_occurrence",
    "of_member", "qr_payload", "sign_up", "update_event", "upcoming",
]


async def deadline_due(ctx: EventContext, deadline: Deadline) -> None:
    """One of the plugin's deadlines fell due (in its own transaction)."""
    community = ctx.community
    if deadline.kind == "extend":
        event_id = int(deadline.payload["event"])
        event = await get_event(community, event_id)
        if event["status"] == "active":
            await materialise(community, event)
        return
    if deadline.kind == "rewards":
        await pay_unfunded(community)
        return
    occurrence = await get_occurrence(community, int(deadline.payload["occurrence"]))
    if occurrence["status"] != SCHEDULED:
        return
    event = await get_event(community, occurrence["event"])
    when = local(community, occurrence["starts_at"]).strftime("%Y-%m-%d %H:%M")
    place = place_of(event, occurrence)
    if deadline.kind == "invite":
        await _invite(community, event, occurrence, when, place)
    elif deadline.kind == "remind":
        for signup in await signups.active(occurrence["id"]):
            if signup["status"] == signups.CONFIRMED:
                await notify(community["id"], signup["member"], "events.reminder",
                             "Tomorrow: {title}",
                             "A reminder: {title} on {when} at {place}. Show your check-in "
                             "code {code} at the door.", title=event["title"], when=when,
                             place=place, code=signup["code"])
    elif deadline.kind == "autoclose":
        await close(community, None, occurrence["id"])


async def _invite(community: dict, event: dict, occurrence: dict, when: str,
                  place: str) -> None:
    buildings = invited_of(event)
    if not buildings:
        return
    already = {s["member"] for s in await signups.active(occurrence["id"])}
    members = await MemberTable.select(MemberTable.id).where(
        (MemberTable.community == community["id"]) & (MemberTable.status == "verified")
        & MemberTable.building.is_in(buildings))
    for member in members:
        if member["id"] in already:
            continue
        await notify(community["id"], member["id"], "events.invited",
                     "You are invited: {title}",
                     "Your building leader invites you to {title} on {when} at {place}. "
                     "Sign up in the app.", title=event["title"], when=when, place=place)


rewards_of = closing.rewards_of
