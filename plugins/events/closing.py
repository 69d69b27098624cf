"""Closing an occurrence and the rewards it earns, each exactly once.

Closing (the organiser, an admin, or the ``autoclose`` deadline) marks who was checked in
``completed`` and the others ``no_show``; people still waiting are let go (fees refunded).
In the same transaction the rewards are written, one row per key, unique in the community:

* ``first:<member>`` — the member's first completed event (``first_time_reward``, +1);
* ``referral:<newcomer>`` — to the member the newcomer named, when that first event completes
  (``referral_reward``, +0.5); never for naming oneself, never for someone who had attended;
* ``hours:<sign-up>`` — the volunteering hours the organiser confirmed for one person.

A reward row is inserted with ``ON CONFLICT DO NOTHING``: only the transaction that wrote it
pays it, from the community fund through the credits service with the idempotency key
``events:<key>`` — replays, a second close and two job runners pay nothing more. Without
credits the rows are still written (``recorded``): attendance and referrals count either way.
If the fund is short the reward waits (``unfunded``) and the ``rewards`` deadline pays it once
the fund has the credits.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from yizhan.core.api import (
    YizhanError,
    atomic,
    format_centi,
    invalid,
    notify,
    now,
    plugin_enabled,
    publish,
    schedule_deadline,
)
from yizhan.plugins.events import events as ev
from yizhan.plugins.events import signups as su
from yizhan.plugins.events.settings import centi
from yizhan.plugins.events.tables import Reward, SignUp

PAID, RECORDED, UNFUNDED = "paid", "recorded", "unfunded"
FIRST, REFERRAL, HOURS = "first_time", "referral", "hours"


async def close(community: dict, actor: dict | None, occurrence_id: int, *,
                hours: list[tuple[int, Any]] | None = None) -> dict:
    """Close an occurrence after its start: checked-in people completed, the others no-show,
    rewards written and paid once. ``hours`` are (member id, hours) pairs for a volunteering
    event. Returns the occurrence."""
    occurrence = await ev.get_occurrence(community, occurrence_id)
    event = await ev.get_event(community, occurrence["event"])
    ev.require_in_charge(actor, event)
    async with atomic():
        occurrence = await ev.locked_occurrence(community, occurrence_id)
        ev.require_open(occurrence)
        if now() < occurrence["starts_at"]:
            raise YizhanError("OCCURRENCE_NOT_STARTED",
                              "This event date has not started yet.", field="occurrenceId")
        moment = now()
        for signup in await su.active(occurrence["id"]):
            if signup["status"] == su.WAITLISTED:
                await su.refund_fee(community, signup)
                await SignUp.update({SignUp.status: su.CANCELLED, SignUp.cancelled_at: moment}
                                    ).where(SignUp.id == signup["id"])
            elif signup["checked_in_at"] is None:
                await SignUp.update({SignUp.status: su.NO_SHOW}).where(
                    SignUp.id == signup["id"])
            else:
                await SignUp.update({SignUp.status: su.COMPLETED}).where(
                    SignUp.id == signup["id"])
                await _completed(community, event, await su.get_signup(community,
                                                                        signup["id"]))
        await ev.Occurrence.update({
            ev.Occurrence.status: ev.CLOSED, ev.Occurrence.closed_at: moment,
            ev.Occurrence.closed_by: actor["id"] if actor else None,
        }).where(ev.Occurrence.id == occurrence["id"])
        await ev.cancel_deadline(ev.PLUGIN, "autoclose", ev.subject(occurrence["id"]))
        await ev.cancel_deadline(ev.PLUGIN, "remind", ev.subject(occurrence["id"]))
        await ev.cancel_deadline(ev.PLUGIN, "invite", ev.subject(occurrence["id"]))
        if hours:
            await confirm_hours(community, actor, occurrence["id"], hours)
        await publish(community["id"], "event.occurrence_closed",
                      {"event": event["id"], "occurrence": occurrence["id"]})
        return await ev.get_occurrence(community, occurrence["id"])


async def _completed(community: dict, event: dict, signup: dict) -> None:
    """A member completed an occurrence: their first event? Then the first-time reward, and
    the referral reward for whoever they named."""
    settings = ev.settings_of(community)
    member = signup["member"]
    first = await _write(community, f"first:{member}", FIRST, member, signup,
                         centi(settings.first_time_reward))
    if first is None:
        return  # they had attended before: no first-time, no referral reward
    await SignUp.update({SignUp.first_time: True}).where(SignUp.id == signup["id"])
    await _pay(community, first, f"First event completed: {event['title']}")
    referrer = signup["referrer"]
    if referrer is not None and referrer != member:
        reward = await _write(community, f"referral:{member}", REFERRAL, referrer, signup,
                              centi(settings.referral_reward))
        if reward is not None:
            await _pay(community, reward, f"Brought a newcomer to {event['title']}")


async def _write(community: dict, key: str, kind: str, member_id: int, signup: dict,
                 amount: int) -> dict | None:
    """Insert the reward row once; None when it already existed."""
    rows = await Reward.insert(Reward(
        community=community["id"], key=key, kind=kind, member=member_id, signup=signup["id"],
        amount_centi=amount, status=RECORDED, created_at=now(),
    )).on_conflict(action="DO NOTHING").returning(*Reward.all_columns())
    return rows[0] if rows else None


async def _pay(community: dict, reward: dict, reason: str) -> None:
    """Pay a freshly written reward from the community fund (credits on, amount > 0)."""
    if reward["amount_centi"] <= 0 or not plugin_enabled(community["id"], "credits"):
        return
    from yizhan.plugins.credits import service as credits

    try:
        fund = await credits.account_balance(community, credits.COMMUNITY_FUND)
    except YizhanError:
        fund = 0
    if fund < reward["amount_centi"]:
        await Reward.update({Reward.status: UNFUNDED}).where(Reward.id == reward["id"])
        await schedule_deadline(community["id"], ev.PLUGIN, "rewards",
                                f"community:{community['id']}", now() + timedelta(hours=1))
        return
    posted = await credits.award(
        community, reward["member"], reward["amount_centi"], from_code=credits.COMMUNITY_FUND,
        reason=reason, kind="event_reward", key=f"events:{reward['key']}",
        source_kind="event_signup", source_id=reward["signup"])
    await Reward.update({Reward.status: PAID, Reward.ledger_tx: posted.transaction["id"],
                         Reward.paid_at: now()}).where(Reward.id == reward["id"])
    await notify(community["id"], reward["member"], "events.rewarded",
                 "Credits for taking part",
                 "You received {amount} credits: {reason}",
                 amount=format_centi(reward["amount_centi"]), reason=reason)


async def pay_unfunded(community: dict) -> int:
    """Pay rewards that waited for the community fund (the ``rewards`` deadline); how many
    were paid. Those still short wait for the next try."""
    rows = await Reward.select().where((Reward.community == community["id"])
                                       & (Reward.status == UNFUNDED)).order_by(Reward.id)
    paid = 0
    for reward in rows:
        await Reward.update({Reward.status: RECORDED}).where(Reward.id == reward["id"])
        await _pay(community, {**reward, "status": RECORDED}, "Event reward")
        again = await Reward.select(Reward.status).where(Reward.id == reward["id"]).first()
        if again["status"] == PAID:
            paid += 1
        else:
            break
    return paid


def _hours(value: Any, maximum: Decimal) -> int:
    if isinstance(value, float | bool):
        raise invalid("hours", "Give hours as a decimal string such as 2.5.",
                      code="INVALID_HOURS")
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise invalid("hours", "Give hours as a decimal string such as 2.5.",
                      code="INVALID_HOURS") from None
    if not amount.is_finite() or amount <= 0 or amount > maximum or amount != amount.quantize(
            Decimal("0.01")):
        raise invalid("hours", "Hours must be more than 0 and at most {max}.",
                      code="INVALID_HOURS", max=str(maximum))
    return int(amount * 100)


async def confirm_hours(community: dict, actor: dict | None, occurrence_id: int,
                        entries: list[tuple[int, Any]]) -> list[dict]:
    """The organiser confirms each volunteer's hours at a closed volunteering occurrence; each
    person's hours are confirmed (and paid, 1 credit an hour) once."""
    occurrence = await ev.get_occurrence(community, occurrence_id)
    event = await ev.get_event(community, occurrence["event"])
    ev.require_in_charge(actor, event)
    if event["kind"] != "volunteering":
        raise YizhanError("NOT_VOLUNTEERING", "Hours are confirmed for volunteering events "
                                              "only.", field="hours")
    maximum = ev.settings_of(community).max_volunteer_hours
    parsed = [(member_id, _hours(value, maximum)) for member_id, value in entries]
    if len({m for m, _ in parsed}) != len(parsed):
        raise invalid("hours", "Each volunteer once.", code="DUPLICATE_VOLUNTEER")
    async with atomic():
        occurrence = await ev.locked_occurrence(community, occurrence_id)
        if occurrence["status"] != ev.CLOSED:
            raise YizhanError("OCCURRENCE_NOT_CLOSED", "Close the event date first.",
                              field="occurrenceId")
        done = []
        for member_id, amount in parsed:
            signup = await SignUp.select().where((SignUp.occurrence == occurrence["id"])
                                                 & (SignUp.member == member_id)).first()
            if signup is None or signup["status"] != su.COMPLETED:
                raise YizhanError("NOT_ATTENDED", "Only people who were checked in can have "
                                                  "hours confirmed.", field="hours")
            if signup["hours_centi"] is not None:
                raise YizhanError("HOURS_ALREADY_CONFIRMED",
                                  "Hours were already confirmed for this volunteer.",
                                  field="hours")
            await SignUp.update({SignUp.hours_centi: amount}).where(SignUp.id == signup["id"])
            reward = await _write(community, f"hours:{signup['id']}", HOURS, member_id,
                                  signup, amount)
            if reward is not None:
                await _pay(community, reward, f"Volunteering: {event['title']}")
            done.append(await su.get_signup(community, signup["id"]))
        return done


async def rewards_of(community: dict, signup_ids: list[int]) -> dict[int, list[dict]]:
    """Reward rows by the sign-up that earned them."""
    if not signup_ids:
        return {}
    out: dict[int, list[dict]] = {}
    for row in await Reward.select().where((Reward.community == community["id"])
                                           & Reward.signup.is_in(signup_ids)).order_by(Reward.id):
        out.setdefault(row["signup"], []).append(row)
    return out
