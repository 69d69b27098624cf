"""The disputes plugin's tables. Every row carries its community; times come from the clock.

One dispute per need (a unique column). Credits are integer hundredths (``*_centi``).
"""

from __future__ import annotations

from piccolo.columns import JSON, BigInt, Boolean, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class Dispute(Table, tablename="yz_dispute"):
    """A problem with a need's help, its mediation and its outcome."""

    community = BigInt(index=True)
    need = BigInt(unique=True)
    building = BigInt(null=True, default=None)
    requester = BigInt(index=True)
    helper = BigInt(index=True)
    opened_by = BigInt()
    mediator = BigInt(null=True, default=None, index=True)
    #: ``not_done``, ``poorly_done``, ``damage``, ``no_show`` or ``conduct``.
    category = Varchar(length=20)
    description = Text(default="")
    photos = JSON(default="[]")
    #: The need's status when the dispute was opened (``done`` holds it; ``confirmed`` not).
    need_status = Varchar(length=20)
    #: ``open`` or ``decided``.
    status = Varchar(length=10, default="open", index=True)
    opened_at = Timestamptz(default=None, null=True)
    due_at = Timestamptz(default=None, null=True)
    escalated_at = Timestamptz(default=None, null=True)
    #: The decision: outcome (``redo``, ``compensate``, ``dismissed``,
    #: ``redo_and_compensate``; ``escalated`` for a deadline that only escalated), who (None:
    #: the deadline's default outcome), when, why, the public line.
    outcome = Varchar(length=24, default="")
    decided_at = Timestamptz(default=None, null=True)
    decided_by = BigInt(null=True, default=None)
    automatic = Boolean(default=False)
    decision_minutes = Integer(null=True, default=None)
    within_deadline = Boolean(null=True, default=None)
    reason = Text(default="")
    public_line = Text(default="")
    #: ``confirmed``, ``cancelled`` or ``""`` (the need was already confirmed).
    release = Varchar(length=12, default="")
    compensation_centi = BigInt(default=0)
    compensation_tx = BigInt(null=True, default=None)
    takeback_centi = BigInt(default=0)
    redo_need = BigInt(null=True, default=None)
    notice = BigInt(null=True, default=None)
    overturned_at = Timestamptz(default=None, null=True)
    overturned_by = BigInt(null=True, default=None)
    overturn_reason = Text(default="")
    previous_outcome = Varchar(length=24, default="")


class DisputeStep(Table, tablename="yz_dispute_step"):
    """One step of a dispute's timeline: who (None: the platform), what, when."""

    community = BigInt()
    dispute = BigInt(index=True)
    actor = BigInt(null=True, default=None)
    #: ``opened``, ``statement``, ``reassigned``, ``reminded``, ``escalated``, ``decided``,
    #: ``overdue``, ``overturned``.
    kind = Varchar(length=20)
    body = Text(default="")
    at = Timestamptz(default=None, null=True)
