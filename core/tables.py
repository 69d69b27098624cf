"""Core's tables. Every row that belongs to a community carries its id; queries scope by it.

Timestamps are UTC and always written from the injectable clock, never a database default.
Credit amounts are stored as integer hundredths (``credits_centi``): exact on every database.
"""

from __future__ import annotations

from piccolo.columns import (
    JSON,
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


class Person(Table, tablename="yz_person"):
    """Someone who can log in. A person may be a member of several communities."""

    username = Varchar(length=40, unique=True)
    phone = Varchar(length=20, unique=True, null=True, default=None)
    display_name = Varchar(length=60)
    real_name = Varchar(length=60, default="")
    password_hash = Text(default="")
    locale = Varchar(length=10, default="")
    created_at = Timestamptz(default=None, null=True)


class Community(Table, tablename="yz_community"):
    """A community (社区) running its own time bank."""

    slug = Varchar(length=40, unique=True)
    name = Varchar(length=100)
    time_zone = Varchar(length=60, default="Asia/Shanghai")
    locale = Varchar(length=10, default="zh_Hans")
    created_at = Timestamptz(default=None, null=True)


class Building(Table, tablename="yz_building"):
    """A building (楼栋) of a community; leaders are per building."""

    community = ForeignKey(Community, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=60)
    households = Integer(default=0)
    created_at = Timestamptz(default=None, null=True)


class Member(Table, tablename="yz_member"):
    """A person's membership of one community: role, building, verification, skills."""

    community = ForeignKey(Community, on_delete=OnDelete.cascade, index=True)
    person = ForeignKey(Person, on_delete=OnDelete.cascade, index=True)
    building = ForeignKey(Building, on_delete=OnDelete.set_null, null=True, default=None)
    role = Varchar(length=20, default="resident")
    status = Varchar(length=20, default="pending")
    requested_at = Timestamptz(default=None, null=True)
    verified_by = BigInt(null=True, default=None)
    verified_at = Timestamptz(default=None, null=True)
    declined_by = BigInt(null=True, default=None)
    declined_at = Timestamptz(default=None, null=True)
    decline_reason = Text(default="")
    skills = JSON(default="[]")
    availability = JSON(default="[]")


class Need(Table, tablename="yz_need"):
    """A small request for help, and where it stands in its life."""

    community = ForeignKey(Community, on_delete=OnDelete.cascade, index=True)
    building = ForeignKey(Building, on_delete=OnDelete.set_null, null=True, default=None)
    requester = BigInt(index=True)
    posted_by = BigInt()
    helper = BigInt(null=True, default=None, index=True)
    title = Varchar(length=80)
    description = Text(default="")
    category = Varchar(length=40, index=True)
    window_start = Timestamptz(default=None, null=True)
    window_end = Timestamptz(default=None, null=True)
    late_night = Boolean(default=False)
    weekend = Boolean(default=False)
    estimated_minutes = Integer()
    credits_centi = BigInt(default=0)
    status = Varchar(length=20, default="open", index=True)
    created_at = Timestamptz(default=None, null=True)
    escalate_at = Timestamptz(default=None, null=True)
    escalated_at = Timestamptz(default=None, null=True)
    accepted_at = Timestamptz(default=None, null=True)
    done_at = Timestamptz(default=None, null=True)
    closed_at = Timestamptz(default=None, null=True)
    close_reason = Text(default="")


class NeedEvent(Table, tablename="yz_need_event"):
    """One step in a need's history: who did what, when."""

    need = ForeignKey(Need, on_delete=OnDelete.cascade, index=True)
    actor = BigInt(null=True, default=None)
    action = Varchar(length=30)
    note = Text(default="")
    at = Timestamptz(default=None, null=True)


class HelpRecord(Table, tablename="yz_help_record"):
    """The hours of one confirmed need: help given and received, with or without credits."""

    community = ForeignKey(Community, on_delete=OnDelete.cascade, index=True)
    need = BigInt(unique=True)
    helper = BigInt(index=True)
    requester = BigInt(index=True)
    minutes = Integer()
    confirmed_at = Timestamptz(default=None, null=True)


class Notice(Table, tablename="yz_notice"):
    """An announcement on a community's public notice board."""

    community = ForeignKey(Community, on_delete=OnDelete.cascade, index=True)
    author = BigInt(null=True, default=None)
    source = Varchar(length=40, default="core")
    title = Varchar(length=120)
    body = Text(default="")
    pinned = Boolean(default=False)
    created_at = Timestamptz(default=None, null=True)


class Notification(Table, tablename="yz_notification"):
    """An in-app inbox entry; its text is rendered in the reader's locale when read."""

    community = ForeignKey(Community, on_delete=OnDelete.cascade, index=True)
    member = BigInt(index=True)
    kind = Varchar(length=60)
    params = JSON(default="{}")
    created_at = Timestamptz(default=None, null=True)
    read_at = Timestamptz(default=None, null=True)


class Outbox(Table, tablename="yz_outbox"):
    """Domain events written in the action's transaction; read after commit by subscribers."""

    community = BigInt(null=True, default=None, index=True)
    kind = Varchar(length=60)
    payload = JSON(default="{}")
    created_at = Timestamptz(default=None, null=True)


class Token(Table, tablename="yz_token"):
    """An opaque bearer token, stored as its SHA-256 only; login or service kind."""

    person = ForeignKey(Person, on_delete=OnDelete.cascade, null=True, default=None)
    community = BigInt(null=True, default=None)
    kind = Varchar(length=10, default="login")
    name = Varchar(length=60, default="")
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=None, null=True)
    expires_at = Timestamptz(default=None, null=True)
    revoked_at = Timestamptz(default=None, null=True)


class Attempt(Table, tablename="yz_attempt"):
    """A failed attempt (a login, a voucher code, a redemption code …), counted to rate-limit
    guessing: ``scope`` names the kind, ``key`` who or what is throttled (see core/attempts.py).
    Indexed on (scope, key, at)."""

    scope = Varchar(length=40)
    key = Varchar(length=120)
    at = Timestamptz(default=None, null=True)


class PluginState(Table, tablename="yz_plugin_state"):
    """Whether a plugin is on for a community, and its validated settings."""

    community = ForeignKey(Community, on_delete=OnDelete.cascade, index=True)
    plugin = Varchar(length=60)
    enabled = Boolean(default=False)
    settings = JSON(default="{}")
    updated_at = Timestamptz(default=None, null=True)


class ConfigVersion(Table, tablename="yz_config_version"):
    """One row whose counter moves on every plugin toggle; servers poll it, not the states."""

    version = BigInt(default=0)


class JobLease(Table, tablename="yz_job_lease"):
    """Who runs a periodic job now: two servers never run the same job at once."""

    name = Varchar(length=100, unique=True)
    holder = Varchar(length=60, default="")
    locked_until = Timestamptz(default=None, null=True)
    last_run_at = Timestamptz(default=None, null=True)


class ScheduledDeadline(Table, tablename="yz_deadline"):
    """A moment a plugin (or core) must act on: a dispute's decision, a request's answer, an
    event's reminder. Written in the transaction of the action that set it; fired once by the
    sweep (:mod:`yizhan.core.deadlines`)."""

    community = ForeignKey(Community, on_delete=OnDelete.cascade, index=True)
    plugin = Varchar(length=60)
    kind = Varchar(length=60)
    subject = Varchar(length=100)
    due_at = Timestamptz(default=None, null=True)
    #: When the sweep next looks at it: ``due_at``, or later after a failed attempt.
    fire_at = Timestamptz(default=None, null=True)
    payload = JSON(default="{}")
    #: pending, fired, cancelled or failed (gave up after repeated errors).
    status = Varchar(length=12, default="pending")
    attempts = Integer(default=0)
    last_error = Text(default="")
    created_at = Timestamptz(default=None, null=True)
    fired_at = Timestamptz(default=None, null=True)


class AuditEntry(Table, tablename="yz_audit"):
    """One state-changing action, written in the action's transaction; never changed after.

    Who: ``actor_member`` (the member acting, if any) and ``actor_person``, ``via`` how they
    came (``api`` with a login token, ``service`` token, ``cli`` with the ``operator``'s name,
    ``system`` for jobs and deadlines) — see :mod:`yizhan.core.audit`.
    """

    community = BigInt(null=True, default=None, index=True)
    at = Timestamptz(default=None, null=True)
    via = Varchar(length=12, default="system")
    operator = Varchar(length=60, default="")
    actor_member = BigInt(null=True, default=None, index=True)
    actor_person = BigInt(null=True, default=None)
    action = Varchar(length=60, index=True)
    subject_type = Varchar(length=40, default="")
    subject_id = Varchar(length=60, default="")
    details = JSON(default="{}")


class MemberSkill(Table, tablename="yz_member_skill"):
    """One declared skill of a member: an indexed copy of ``Member.skills`` written by
    ``members.set_profile``, so matching finds the members with a skill without reading them
    all. Indexed on (community, skill, member)."""

    community = BigInt()
    skill = Varchar(length=40)
    member = BigInt(index=True)


class MemberSlot(Table, tablename="yz_member_slot"):
    """One weekly availability slot of a member (``HH:MM`` local time): an indexed copy of
    ``Member.availability`` written by ``members.set_profile``. Indexed on (community, weekday,
    member, slot_start, slot_end)."""

    community = BigInt()
    weekday = Integer()
    slot_start = Varchar(length=5)
    slot_end = Varchar(length=5)
    member = BigInt(index=True)


class HoursTotal(Table, tablename="yz_hours_total"):
    """Running totals of confirmed help, updated in the transaction that records it: one row
    per community (``member`` 0: minutes, needs and distinct helpers) and one per member
    (minutes given and received, needs helped). Unique on (community, member)."""

    community = BigInt()
    member = BigInt(default=0)
    minutes_given = BigInt(default=0)
    minutes_received = BigInt(default=0)
    needs_helped = BigInt(default=0)
    helpers = BigInt(default=0)


class HelperPeriod(Table, tablename="yz_helper_period"):
    """A helper's running figures for one month (``2026-11``) or quarter (``2026Q4``) of the
    community's time zone, updated in the transaction that records help; leaderboards read the
    first rows of an index on (community, period, score DESC, …) instead of every help record.
    ``score`` is minutes given plus ``HOUSEHOLD_MINUTES`` per distinct household helped."""

    community = BigInt()
    period = Varchar(length=8)
    member = BigInt()
    minutes_given = BigInt(default=0)
    needs_helped = BigInt(default=0)
    households_helped = BigInt(default=0)
    score = BigInt(default=0)
