"""The events plugin's tables. Every row carries its community; times are UTC instants (shown
in the community's time zone); credits are integer hundredths (``*_centi``).

An event is one thing that happens once or by a recurrence rule (a series); its occurrences are
rows of their own, made ahead of time, so one can be moved or cancelled alone. A sign-up is one
member's place (or place in line) at one occurrence. Rewards are written once per member and
kind (a unique key), whether or not credits is on, so attendance and referrals are recorded
either way and paid at most once.
"""

from __future__ import annotations

from piccolo.columns import (
    BigInt,
    Boolean,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from yizhan.core.api import CommunityTable


class Event(Table, tablename="yz_event"):
    """A single event or a series (``rrule`` set): what, where, for whom, how many."""

    community = ForeignKey(CommunityTable, on_delete=OnDelete.cascade, index=True)
    title = Varchar(length=80)
    description = Text(default="")
    #: ``game``, ``feast``, ``volunteering``, ``talk`` or ``other``.
    kind = Varchar(length=20)
    place = Varchar(length=120)
    #: The first occurrence (UTC) and how long each lasts.
    starts_at = Timestamptz(default=None, null=True)
    duration_minutes = Integer()
    #: An RFC 5545 recurrence rule (``FREQ=WEEKLY;BYDAY=SA``), empty for a single event.
    rrule = Text(default="")
    #: Occurrences are made through this instant (the horizon).
    materialised_until = Timestamptz(default=None, null=True)
    capacity = Integer()
    fee_centi = BigInt(default=0)
    organiser = BigInt()
    #: JSON lists of building ids: who may sign up (empty: the whole community) and whose
    #: members are invited ahead of time.
    audience = Text(default="[]")
    invited = Text(default="[]")
    #: ``active`` or ``cancelled``.
    status = Varchar(length=12, default="active")
    created_by = BigInt(null=True, default=None)
    created_at = Timestamptz(default=None, null=True)
    updated_at = Timestamptz(default=None, null=True)


class Occurrence(Table, tablename="yz_event_occurrence"):
    """One date of an event. ``original_start`` names it for good (the calendar UID), however
    it is moved."""

    community = ForeignKey(CommunityTable, on_delete=OnDelete.cascade, index=True)
    event = ForeignKey(Event, on_delete=OnDelete.cascade, index=True)
    original_start = Timestamptz(default=None, null=True)
    starts_at = Timestamptz(default=None, null=True, index=True)
    ends_at = Timestamptz(default=None, null=True)
    #: Overrides of the event's place and capacity for this date ("" / None: the event's).
    place = Varchar(length=120, default="")
    capacity = Integer(null=True, default=None)
    #: ``scheduled``, ``cancelled`` or ``closed``.
    status = Varchar(length=12, default="scheduled", index=True)
    moved = Boolean(default=False)
    cancel_reason = Text(default="")
    cancelled_at = Timestamptz(default=None, null=True)
    closed_at = Timestamptz(default=None, null=True)
    closed_by = BigInt(null=True, default=None)
    #: Bumped on every change (the calendar's SEQUENCE).
    sequence = Integer(default=0)


class SignUp(Table, tablename="yz_event_signup"):
    """A member's place at an occurrence, or their place in line."""

    community = ForeignKey(CommunityTable, on_delete=OnDelete.cascade, index=True)
    occurrence = ForeignKey(Occurrence, on_delete=OnDelete.cascade, index=True)
    member = BigInt(index=True)
    #: ``confirmed``, ``waitlisted``, ``cancelled``, ``completed`` or ``no_show``.
    status = Varchar(length=12, index=True)
    #: The member who brought them (None: nobody named).
    referrer = BigInt(null=True, default=None)
    #: Who made the sign-up when not the member themself (a leader for an elder, the organiser
    #: for a walk-in).
    signed_up_by = BigInt(null=True, default=None)
    walk_in = Boolean(default=False)
    #: The one-time check-in code (typeable, unique).
    code = Varchar(length=12, unique=True)
    checked_in_at = Timestamptz(default=None, null=True)
    checked_in_by = BigInt(null=True, default=None)
    late = Boolean(default=False)
    #: Set when the occurrence closes: their first completed event.
    first_time = Boolean(default=False)
    fee_centi = BigInt(default=0)
    #: Volunteering hours the organiser confirmed (hundredths of an hour; None: not yet).
    hours_centi = BigInt(null=True, default=None)
    created_at = Timestamptz(default=None, null=True)
    promoted_at = Timestamptz(default=None, null=True)
    cancelled_at = Timestamptz(default=None, null=True)


class Reward(Table, tablename="yz_event_reward"):
    """A reward earned at an event, written once per ``key`` (``first:<member>``,
    ``referral:<newcomer>``, ``hours:<sign-up>``) and paid from the community fund when
    credits is on."""

    community = ForeignKey(CommunityTable, on_delete=OnDelete.cascade, index=True)
    key = Varchar(length=60)
    #: ``first_time``, ``referral`` or ``hours``.
    kind = Varchar(length=12)
    member = BigInt(index=True)
    signup = ForeignKey(SignUp, on_delete=OnDelete.cascade, index=True)
    amount_centi = BigInt(default=0)
    #: ``paid``, ``recorded`` (credits off, or nothing to pay) or ``unfunded`` (the fund was
    #: short: paid by the retry deadline once it is funded).
    status = Varchar(length=10)
    #: The credits transaction that paid it.
    ledger_tx = BigInt(null=True, default=None)
    created_at = Timestamptz(default=None, null=True)
    paid_at = Timestamptz(default=None, null=True)


class FeedToken(Table, tablename="yz_event_feed"):
    """A member's private calendar feed: only the SHA-256 of its secret is kept."""

    community = ForeignKey(CommunityTable, on_delete=OnDelete.cascade, index=True)
    member = BigInt(index=True)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=None, null=True)
