"""The badges plugin's tables. Every row carries its community; timestamps come from the clock.

Uniqueness that Piccolo's column API cannot say (one slug per community, one expert badge per
category, one pending application per member and badge, one star round per quarter) is made
by partial unique indexes in the second migration.
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

from yizhan.core.api import CommunityTable as Community


class BadgeDefinition(Table, tablename="yz_badge_definition"):
    """A badge a community can award: an expert certification for one skill category
    (``kind='expert'``), the quarterly mutual-aid star (``'star'``) or a custom badge."""

    community = ForeignKey(Community, on_delete=OnDelete.cascade, index=True)
    slug = Varchar(length=40)
    kind = Varchar(length=10)
    category = Varchar(length=40, default="")
    name = Varchar(length=80)
    description = Text(default="")
    criteria = Text(default="")
    #: An image URL given by an admin; empty means the generated default image.
    image_url = Text(default="")
    #: Days an award stays valid; 0 means it never expires.
    validity_days = Integer(default=0)
    active = Boolean(default=True)
    created_by = BigInt(null=True, default=None)
    created_at = Timestamptz(default=None, null=True)
    updated_at = Timestamptz(default=None, null=True)


class BadgeApplication(Table, tablename="yz_badge_application"):
    """A member's request for a badge, with evidence, and the reviewer's decision."""

    community = ForeignKey(Community, on_delete=OnDelete.cascade, index=True)
    definition = ForeignKey(BadgeDefinition, on_delete=OnDelete.cascade, index=True)
    member = BigInt(index=True)
    evidence = Text(default="")
    links = JSON(default="[]")
    #: ``pending``, ``approved``, ``rejected`` or ``withdrawn``.
    status = Varchar(length=10, default="pending", index=True)
    submitted_at = Timestamptz(default=None, null=True)
    decided_by = BigInt(null=True, default=None)
    decided_at = Timestamptz(default=None, null=True)
    decision_reason = Text(default="")
    award = BigInt(null=True, default=None)


class BadgeAward(Table, tablename="yz_badge_award"):
    """A badge held by a member, with its signed Open Badges 3.0 credential."""

    community = ForeignKey(Community, on_delete=OnDelete.cascade, index=True)
    definition = ForeignKey(BadgeDefinition, on_delete=OnDelete.cascade, index=True)
    member = BigInt(index=True)
    #: The credential's public id (a random UUID): its URL is ``/badges/<slug>/credentials/<uuid>``.
    uuid = Varchar(length=36, unique=True)
    #: ``application``, ``direct`` (an admin awarded it) or ``star`` (the quarterly sweep).
    source = Varchar(length=12)
    application = BigInt(null=True, default=None)
    #: The quarter of a mutual-aid star (``2026Q4``); empty for other badges.
    period = Varchar(length=8, default="")
    note = Text(default="")
    awarded_by = BigInt(null=True, default=None)
    awarded_at = Timestamptz(default=None, null=True)
    expires_at = Timestamptz(default=None, null=True, index=True)
    expiry_noted_at = Timestamptz(default=None, null=True)
    revoked_at = Timestamptz(default=None, null=True)
    revoked_by = BigInt(null=True, default=None)
    revoke_reason = Text(default="")
    #: The credential as signed (JSON-LD) and its VC-JWT.
    credential = JSON(default="{}")
    credential_jwt = Text(default="")
    signing_key = BigInt(null=True, default=None)


class BadgeEvent(Table, tablename="yz_badge_event"):
    """One step in the life of a definition, application or award: who, when, why."""

    community = ForeignKey(Community, on_delete=OnDelete.cascade, index=True)
    #: ``definition``, ``application`` or ``award``.
    subject = Varchar(length=12)
    subject_id = BigInt(index=True)
    action = Varchar(length=20)
    actor = BigInt(null=True, default=None)
    note = Text(default="")
    at = Timestamptz(default=None, null=True)


class BadgeKey(Table, tablename="yz_badge_key"):
    """A community's Ed25519 signing key. The private half never leaves this table; the public
    half is published at the issuer profile. Retired keys stay published for old credentials."""

    community = ForeignKey(Community, on_delete=OnDelete.cascade, index=True)
    kid = Varchar(length=40)
    algorithm = Varchar(length=10, default="EdDSA")
    public_jwk = JSON(default="{}")
    #: PKCS#8 PEM, encrypted with ``YIZHAN_BADGES_KEY_SECRET`` when that is set.
    private_pem = Text()
    encrypted = Boolean(default=False)
    created_at = Timestamptz(default=None, null=True)
    retired_at = Timestamptz(default=None, null=True)


class StarRound(Table, tablename="yz_badge_star_round"):
    """One quarter's mutual-aid star selection in a community (at most one per quarter)."""

    community = ForeignKey(Community, on_delete=OnDelete.cascade, index=True)
    period = Varchar(length=8)
    starts_at = Timestamptz(default=None, null=True)
    ends_at = Timestamptz(default=None, null=True)
    ran_at = Timestamptz(default=None, null=True)
    #: Who ran it: None for the sweep job; a member id when run from GraphQL.
    ran_by = BigInt(null=True, default=None)
    prize = Text(default="")
    sponsor = Varchar(length=100, default="")
    prize_credits_centi = BigInt(default=0)
    notice = BigInt(null=True, default=None)


class StarWinner(Table, tablename="yz_badge_star_winner"):
    """A mutual-aid star of a round: their rank, the figures they were ranked on, the prize."""

    round = ForeignKey(StarRound, on_delete=OnDelete.cascade, index=True)
    community = BigInt(index=True)
    member = BigInt(index=True)
    rank = Integer()
    minutes_given = Integer(default=0)
    households_helped = Integer(default=0)
    needs_helped = Integer(default=0)
    score = Integer(default=0)
    award = BigInt(null=True, default=None)
    #: ``none`` (no credit prize), ``paid``, ``skipped`` (credits off) or ``failed``.
    credits_status = Varchar(length=10, default="none")
    credits_note = Text(default="")
