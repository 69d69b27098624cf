"""The governance plugin's tables: grids and teams, requests and their timeline, micro-grant
rounds, proposals, reviews and progress notes.

Ids of core's rows (members, buildings) are plain ``BigInt`` columns; every row carries its
community. Money is integer fen (hundredths of a yuan) in ``*_fen`` columns.
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


class Grid(Table, tablename="governance_grid"):
    """A named part of the community (网格) with its buildings and its team."""

    community = BigInt(index=True)
    name = Varchar(length=60)
    description = Text(default="")
    created_at = Timestamptz(default=None, null=True)


class GridBuilding(Table, tablename="governance_grid_building"):
    """A building in a grid; a building belongs to one grid (building ids are global)."""

    community = BigInt(index=True)
    grid = ForeignKey(Grid, on_delete=OnDelete.cascade)
    building = BigInt(unique=True)


class TeamMember(Table, tablename="governance_team_member"):
    """A member of a grid's team, with a role from the community's list."""

    community = BigInt(index=True)
    grid = ForeignKey(Grid, on_delete=OnDelete.cascade)
    member = BigInt(index=True)
    role = Varchar(length=30)
    created_at = Timestamptz(default=None, null=True)


class Request(Table, tablename="governance_request"):
    """A resident's request to the community (诉求), from submission to closing.

    ``status``: submitted, assigned, in_progress, answered, closed, rejected. ``urgency`` is
    the staff's triage (red, yellow, blue; the suggested one until then). ``due_at`` is
    submission plus the urgency's time; ``on_time`` is set when it is answered.
    """

    community = BigInt(index=True)
    category = Varchar(length=40)
    description = Text()
    building = BigInt(null=True, default=None)
    place = Varchar(length=200, default="")
    photos = JSON(default="[]")
    suggested_urgency = Varchar(length=10, default="yellow")
    urgency = Varchar(length=10, default="yellow")
    triaged = Boolean(default=False)
    status = Varchar(length=20, default="submitted")
    #: The member the request is for (None when it came from an Open311 client).
    requester = BigInt(null=True, default=None, index=True)
    #: Who filed it: the requester, a leader on their behalf, or None (Open311).
    filed_by = BigInt(null=True, default=None)
    #: ``app``, ``proxy`` (a leader for an elder) or ``open311``.
    channel = Varchar(length=20, default="app")
    reporter_name = Varchar(length=120, default="")
    grid = BigInt(null=True, default=None, index=True)
    assignee = BigInt(null=True, default=None, index=True)
    response = Text(default="")
    response_public = Boolean(default=True)
    reject_reason = Text(default="")
    submitted_at = Timestamptz(default=None, null=True)
    #: Where the time allowed is counted from: submission, or the last reopening.
    clock_from = Timestamptz(default=None, null=True)
    due_at = Timestamptz(default=None, null=True)
    triaged_at = Timestamptz(default=None, null=True)
    answered_at = Timestamptz(default=None, null=True)
    #: Seconds from submission to the (last) answer, for the median.
    answer_seconds = BigInt(null=True, default=None)
    on_time = Boolean(null=True, default=None)
    breached = Boolean(default=False)
    escalated_at = Timestamptz(default=None, null=True)
    closed_at = Timestamptz(default=None, null=True)
    satisfied = Boolean(null=True, default=None)
    rating_comment = Text(default="")
    rated_at = Timestamptz(default=None, null=True)
    #: Open311's ``token`` for a submission, until it has an id (it has one at once here).
    token = Varchar(length=40, default="", index=True)
    updated_at = Timestamptz(default=None, null=True)


class RequestEvent(Table, tablename="governance_request_event"):
    """One step in a request's life: who (None for the system) did what, when."""

    community = BigInt()
    request = ForeignKey(Request, on_delete=OnDelete.cascade, index=True)
    action = Varchar(length=30)
    actor = BigInt(null=True, default=None)
    note = Text(default="")
    detail = JSON(default="{}")
    at = Timestamptz(default=None, null=True)


class Round(Table, tablename="governance_round"):
    """A micro-grant round (e.g. "2026") with its fund; ``granted_fen`` only grows inside a
    conditional update that keeps it at most ``total_fen``."""

    community = BigInt(index=True)
    name = Varchar(length=60)
    description = Text(default="")
    total_fen = BigInt()
    granted_fen = BigInt(default=0)
    #: ``open`` (taking proposals) or ``closed``.
    status = Varchar(length=20, default="open")
    created_at = Timestamptz(default=None, null=True)


class Reviewer(Table, tablename="governance_reviewer"):
    """A member named to review a round's proposals (admins review every round)."""

    community = BigInt()
    round = ForeignKey(Round, on_delete=OnDelete.cascade, index=True)
    member = BigInt()


class Proposal(Table, tablename="governance_proposal"):
    """A resident's proposal for a grant: submitted, granted, declined or completed."""

    community = BigInt(index=True)
    round = ForeignKey(Round, on_delete=OnDelete.cascade, index=True)
    proposer = BigInt()
    title = Varchar(length=120)
    description = Text()
    team = Text(default="")
    budget_fen = BigInt()
    granted_fen = BigInt(default=0)
    status = Varchar(length=20, default="submitted")
    decided_by = BigInt(null=True, default=None)
    decided_at = Timestamptz(default=None, null=True)
    decision_reason = Text(default="")
    completed_at = Timestamptz(default=None, null=True)
    created_at = Timestamptz(default=None, null=True)


class Review(Table, tablename="governance_review"):
    """One reviewer's review of a proposal: a score 1-5 and/or approve/reject with a reason."""

    community = BigInt()
    proposal = ForeignKey(Proposal, on_delete=OnDelete.cascade, index=True)
    reviewer = BigInt()
    score = Integer(null=True, default=None)
    verdict = Varchar(length=10, default="")
    reason = Text(default="")
    created_at = Timestamptz(default=None, null=True)


class Progress(Table, tablename="governance_progress"):
    """A progress note on a funded project, by its proposer."""

    community = BigInt()
    proposal = ForeignKey(Proposal, on_delete=OnDelete.cascade, index=True)
    author = BigInt()
    note = Text()
    created_at = Timestamptz(default=None, null=True)


class FigureTotal(Table, tablename="governance_figure_total"):
    """Running totals behind the public figures: per community, local month of submission
    and urgency, how many requests (rejected ones left out) were submitted, answered,
    answered on time, rated and rated satisfied, and how many are open with their deadline
    passed (``breached_open``: the due deadline marked them). Updated in the transaction that
    changes a request (``totals.count_change``), so the figures never count a community's
    requests. Unique on (community, month, urgency)."""

    community = BigInt()
    month = Varchar(length=7)
    urgency = Varchar(length=10)
    submitted = BigInt(default=0)
    answered = BigInt(default=0)
    answered_on_time = BigInt(default=0)
    rated = BigInt(default=0)
    satisfied = BigInt(default=0)
    breached_open = BigInt(default=0)


class AnswerTime(Table, tablename="governance_answer_time"):
    """The distribution of answer times, for exact medians without reading the requests:
    per community, local month of submission (``*``: all months) and urgency, how many
    answered requests took ``bucket`` units of ``unit`` seconds (a day, an hour, ten minutes, a
    minute, ten seconds, a second: each answer counts once at every unit). The median is found
    by walking down the units: the day that holds it, the hour in that day, and so on. Updated
    in the transaction that answers or reopens a request. Unique on (community, month, unit,
    bucket, urgency)."""

    community = BigInt()
    month = Varchar(length=7)
    urgency = Varchar(length=10)
    unit = Integer()
    bucket = BigInt()
    n = BigInt(default=0)
