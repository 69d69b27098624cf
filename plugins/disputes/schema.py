"""GraphQL for disputes: a requester opens one, the parties and the mediator write on its
timeline, the mediator decides, admins reassign and overturn; everyone sees the promise kept.
Resolvers stay thin: they resolve the community, check the switch (``PLUGIN_DISABLED``) and
who may see, and call the service.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from enum import Enum

import strawberry
from strawberry.types import Info

from yizhan.core.api import (
    Connection,
    Credits,
    GraphQLContribution,
    Member,
    Need,
    Node,
    UserError,
    build_connection,
    forbidden,
    format_centi,
    from_cursor,
    get_need,
    is_admin,
    member_by_id,
    need_objects,
    not_found,
    page_size,
    payload,
    pk_of,
    to_gid,
)
from yizhan.plugins.disputes import service

PLUGIN = service.PLUGIN


@strawberry.enum(description="What went wrong with the help.")
class DisputeCategory(Enum):
    NOT_DONE = "not_done"
    """The help was not given."""
    POORLY_DONE = "poorly_done"
    """The help was given badly."""
    DAMAGE = "damage"
    """Something was damaged."""
    NO_SHOW = "no_show"
    """The helper did not come."""
    CONDUCT = "conduct"
    """The helper behaved badly."""


@strawberry.enum(description="What a decision does.")
class DisputeOutcome(Enum):
    REDO = "redo"
    """The work is done again (by the same helper or another)."""
    COMPENSATE = "compensate"
    """The requester is paid from the compensation fund."""
    DISMISSED = "dismissed"
    """Nothing is owed: the help stands."""
    REDO_AND_COMPENSATE = "redo_and_compensate"
    """Both a redo and compensation."""


@strawberry.enum(description="Where a dispute stands.")
class DisputeStatus(Enum):
    OPEN = "open"
    """Waiting for the mediator's decision."""
    DECIDED = "decided"
    """Decided (possibly overturned since)."""


@strawberry.enum(description="How the disputed need is closed when the dispute is decided.")
class NeedRelease(Enum):
    CONFIRMED = "confirmed"
    """Confirmed: the helper is paid as usual."""
    CANCELLED = "cancelled"
    """Cancelled: the held credits go back to the requester."""


@strawberry.enum(description="Who does the redo.")
class RedoAssign(Enum):
    SAME_HELPER = "same_helper"
    """The same helper redoes the work."""
    OPEN = "open"
    """The redo is posted for anyone to accept."""


async def _viewer(info: Info, community: dict) -> dict | None:
    if await info.context.principal() is None:
        return None
    return await info.context.member(community)


@strawberry.type(description="One step of a dispute: who (null: the platform), what, when.")
class DisputeStep:
    kind: str = strawberry.field(description="What happened: `opened`, `statement`, "
                                             "`reassigned`, `reminded`, `escalated`, `overdue`, "
                                             "`decided` or `overturned`.")
    body: str = strawberry.field(description="The statement, the reason, or a note.")
    at: datetime = strawberry.field(description="When it happened.")
    _actor: strawberry.Private[int | None]

    @strawberry.field(description="Who took the step (null for the platform and the CLI).")
    async def actor(self, info: Info) -> Member | None:
        return await member_by_id(info, self._actor)


@strawberry.type(description="A problem with a need's help, its mediation and its outcome. "
                             "Seen by its parties, its mediator and the community's admins.")
class Dispute(Node):
    id: strawberry.ID = strawberry.field(description="The global id.")
    category: DisputeCategory = strawberry.field(description="What went wrong.")
    description: str = strawberry.field(description="The requester's account of it.")
    photos: list[str] = strawberry.field(description="Photo references the requester added.")
    status: DisputeStatus = strawberry.field(description="Open or decided.")
    opened_at: datetime = strawberry.field(description="When it was opened.")
    due_at: datetime = strawberry.field(description="When the decision is due.")
    escalated: bool = strawberry.field(description="The admins were told it is near or past "
                                                   "its deadline.")
    outcome: DisputeOutcome | None = strawberry.field(description="The decision, once made "
                                                                  "(the new one if overturned).")
    decided_at: datetime | None = strawberry.field(description="When it was decided.")
    automatic: bool = strawberry.field(description="Decided by the deadline's default outcome.")
    hours_to_decide: Decimal | None = strawberry.field(description="Hours from opening to "
                                                                   "decision.")
    within_deadline: bool | None = strawberry.field(description="Decided by its deadline.")
    reason: str = strawberry.field(description="Why the decision was made.")
    public_line: str = strawberry.field(description="The mediator's line on the public notice.")
    release: NeedRelease | None = strawberry.field(description="How the need was closed "
                                                               "(null: it was confirmed before).")
    compensation: Credits = strawberry.field(description="Credits paid from the compensation "
                                                         "fund.")
    taken_back: Credits = strawberry.field(description="Credits taken back from the helper.")
    overturned_at: datetime | None = strawberry.field(description="When an admin overturned "
                                                                  "the decision.")
    overturn_reason: str = strawberry.field(description="Why it was overturned.")
    previous_outcome: DisputeOutcome | None = strawberry.field(
        description="The decision before it was overturned.")
    _row: strawberry.Private[dict]

    @classmethod
    def from_row(cls, row: dict) -> Dispute:
        """Build from a ``yz_dispute`` row."""
        photos = row["photos"]
        return cls(
            id=to_gid("Dispute", row["id"]), category=DisputeCategory(row["category"]),
            description=row["description"],
            photos=json.loads(photos) if isinstance(photos, str) else list(photos or []),
            status=DisputeStatus(row["status"]), opened_at=row["opened_at"],
            due_at=row["due_at"], escalated=row["escalated_at"] is not None,
            outcome=DisputeOutcome(row["outcome"]) if row["outcome"] else None,
            decided_at=row["decided_at"], automatic=row["automatic"],
            hours_to_decide=Decimal(service.hours_text(row["decision_minutes"]))
            if row["decision_minutes"] is not None else None,
            within_deadline=row["within_deadline"], reason=row["reason"],
            public_line=row["public_line"],
            release=NeedRelease(row["release"]) if row["release"] else None,
            compensation=format_centi(row["compensation_centi"] or 0),
            taken_back=format_centi(row["takeback_centi"] or 0),
            overturned_at=row["overturned_at"], overturn_reason=row["overturn_reason"],
            previous_outcome=DisputeOutcome(row["previous_outcome"])
            if row["previous_outcome"] else None, _row=row)

    @classmethod
    async def load_node(cls, info: Info, pk: int) -> Dispute | None:
        """``node(id:)``: the rule of ``dispute``: its parties, its mediator and the admins
        (null for other members)."""
        row = await service.find(pk)
        if row is None:
            return None
        community = await info.context.loaders.community.load(row["community"])
        info.context.require_plugin(community, PLUGIN)
        member = await info.context.require_member(community)
        return cls.from_row(row) if service.may_see(row, member) else None

    @strawberry.field(description="Seconds until the decision is due (0 when past; null once "
                                  "decided).")
    def seconds_left(self) -> int | None:
        return service.seconds_left(self._row)

    @strawberry.field(description="The disputed need.")
    async def need(self, info: Info) -> Need:
        row = await _need_row(info, self._row["community"], self._row["need"])
        (need,) = await need_objects(info.context.loaders, [row])
        return need

    @strawberry.field(description="The rework need of a redo outcome.")
    async def redo_need(self, info: Info) -> Need | None:
        if not self._row["redo_need"]:
            return None
        row = await _need_row(info, self._row["community"], self._row["redo_need"])
        (need,) = await need_objects(info.context.loaders, [row])
        return need

    @strawberry.field(description="Who the help was for.")
    async def requester(self, info: Info) -> Member | None:
        return await member_by_id(info, self._row["requester"])

    @strawberry.field(description="Who gave the help.")
    async def helper(self, info: Info) -> Member | None:
        return await member_by_id(info, self._row["helper"])

    @strawberry.field(description="Who decides: the requester's building leader, or an admin.")
    async def mediator(self, info: Info) -> Member | None:
        return await member_by_id(info, self._row["mediator"])

    @strawberry.field(description="Every step with who and when, oldest first: for the "
                                  "parties and the mediator only (null for anyone else).")
    async def timeline(self, info: Info) -> list[DisputeStep] | None:
        community = await info.context.loaders.community.load(self._row["community"])
        if not service.may_see_timeline(self._row, await _viewer(info, community)):
            return None
        return [DisputeStep(kind=s["kind"], body=s["body"], at=s["at"], _actor=s["actor"])
                for s in await service.timeline(self._row)]

    @strawberry.field(description="True when the caller may decide it now.")
    async def viewer_can_decide(self, info: Info) -> bool:
        community = await info.context.loaders.community.load(self._row["community"])
        viewer = await _viewer(info, community)
        return (self._row["status"] == service.OPEN and viewer is not None
                and service.may_decide(self._row, viewer))


async def _need_row(info: Info, community_id: int, need_id: int) -> dict:
    community = await info.context.loaders.community.load(community_id)
    return await get_need(community, need_id)


@strawberry.type(description="How the 24-hour promise held over one period.")
class DisputePromisePeriod:
    decided: int = strawberry.field(description="Disputes decided.")
    within_deadline: int = strawberry.field(description="Of those, decided by their deadline.")
    share_percent: Decimal | None = strawberry.field(
        description="Decided by the deadline, in percent (null: none decided).")
    median_hours: Decimal | None = strawberry.field(
        description="Median hours from opening to decision (null: none decided).")

    @classmethod
    def of(cls, figures: dict) -> DisputePromisePeriod:
        """From :func:`service.promise`'s figures."""
        return cls(decided=figures["decided"], within_deadline=figures["within_deadline"],
                   share_percent=figures["share_percent"], median_hours=figures["median_hours"])


@strawberry.type(description="The disputes promise measured in the open (public).")
class DisputePromise:
    decide_within_hours: int = strawberry.field(description="The promise: hours to decide.")
    this_month: DisputePromisePeriod = strawberry.field(
        description="Disputes decided this month (community time).")
    all_time: DisputePromisePeriod = strawberry.field(description="Every decided dispute.")
    open_now: int = strawberry.field(description="Disputes waiting for a decision.")


async def _dispute(info: Info, gid: str, field: str = "disputeId") -> tuple[dict, dict]:
    """The dispute and its community (switch checked); NOT_FOUND for those who may not see."""
    row = await service.find(pk_of(gid, "Dispute", field))
    if row is None:
        raise not_found("dispute", field)
    community = await info.context.loaders.community.load(row["community"])
    info.context.require_plugin(community, PLUGIN)
    return community, row


async def _seen(info: Info, gid: str, field: str = "disputeId") -> tuple[dict, dict, dict]:
    community, row = await _dispute(info, gid, field)
    member = await info.context.require_member(community)
    if not service.may_see(row, member):
        raise not_found("dispute", field)
    return community, row, member


def _connection(rows: list[dict], size: int) -> Connection[Dispute]:
    return build_connection(rows, size, Dispute.from_row)


@strawberry.type(description="The disputes plugin's root query fields.")
class DisputesQuery:
    @strawberry.field(description="Disputes I am a party to, newest first.")
    async def my_disputes(self, info: Info, community: str, status: DisputeStatus | None = None,
                          first: int | None = None, after: str | None = None
                          ) -> Connection[Dispute]:
        """
        Args:
            community: The community's slug.
            status: Only disputes in this state (default: every state).
            first: Page size, 1 to 100 (default 20).
            after: Return the items after this cursor (`pageInfo.endCursor`).
        """
        row = await info.context.plugin_community(community, PLUGIN)
        member = await info.context.require_member(row)
        size = page_size(first)
        if member.get("id") is None:
            return _connection([], size)
        found = await service.list_disputes(
            row, party=member["id"], status=status.value if status else None,
            before_id=from_cursor(after), limit=size + 1)
        return _connection(found, size)

    @strawberry.field(description="Disputes I mediate, newest first.")
    async def disputes_i_mediate(self, info: Info, community: str,
                                 status: DisputeStatus | None = None, first: int | None = None,
                                 after: str | None = None) -> Connection[Dispute]:
        """
        Args:
            community: The community's slug.
            status: Only disputes in this state (default: every state).
            first: Page size, 1 to 100 (default 20).
            after: Return the items after this cursor (`pageInfo.endCursor`).
        """
        row = await info.context.plugin_community(community, PLUGIN)
        member = await info.context.require_member(row)
        size = page_size(first)
        if member.get("id") is None:
            return _connection([], size)
        found = await service.list_disputes(
            row, mediator=member["id"], status=status.value if status else None,
            before_id=from_cursor(after), limit=size + 1)
        return _connection(found, size)

    @strawberry.field(description="Every dispute of the community, newest first (admins).")
    async def disputes(self, info: Info, community: str, status: DisputeStatus | None = None,
                       category: DisputeCategory | None = None,
                       outcome: DisputeOutcome | None = None, first: int | None = None,
                       after: str | None = None) -> Connection[Dispute]:
        """
        Args:
            community: The community's slug.
            status: Only disputes in this state (default: every state).
            category: Only disputes of this category.
            outcome: Only disputes decided this way.
            first: Page size, 1 to 100 (default 20).
            after: Return the items after this cursor (`pageInfo.endCursor`).
        """
        row = await info.context.plugin_community(community, PLUGIN)
        member = await info.context.require_member(row)
        if not is_admin(member):
            raise forbidden("Only a community admin can do this.")
        size = page_size(first)
        found = await service.list_disputes(
            row, status=status.value if status else None,
            category=category.value if category else None,
            outcome=outcome.value if outcome else None, before_id=from_cursor(after),
            limit=size + 1)
        return _connection(found, size)

    @strawberry.field(description="One dispute with its timeline and time left (its parties, "
                                  "its mediator, admins).")
    async def dispute(self, info: Info, id: strawberry.ID) -> Dispute:
        """
        Args:
            id: The dispute's global id.
        """
        _, row, _ = await _seen(info, id, "id")
        return Dispute.from_row(row)

    @strawberry.field(description="The 24-hour promise in the open (public): the share of "
                                  "disputes decided by their deadline and the median hours "
                                  "to decide, this month and all time.")
    async def dispute_promise(self, info: Info, community: str) -> DisputePromise:
        """
        Args:
            community: The community's slug.
        """
        row = await info.context.plugin_community(community, PLUGIN)
        figures = await service.promise(row)
        return DisputePromise(
            decide_within_hours=service.settings_of(row).decide_within_hours,
            this_month=DisputePromisePeriod.of(figures["month"]),
            all_time=DisputePromisePeriod.of(figures["all_time"]),
            open_now=figures["all_time"]["open"])


@strawberry.input(description="Open a dispute about a need that is done or was confirmed "
                              "recently (its requester, or the leader who posted it).")
class OpenDisputeInput:
    community: str = strawberry.field(description="The community's slug.")
    need_id: strawberry.ID = strawberry.field(description="The need.")
    category: DisputeCategory = strawberry.field(description="What went wrong.")
    description: str = strawberry.field(description="What happened (up to 2000 characters).")
    photos: list[str] = strawberry.field(default_factory=list,
                                         description="Photo references (up to 6).")


@strawberry.input(description="Add a statement to a dispute's timeline (a party or the "
                              "mediator).")
class AddDisputeStatementInput:
    dispute_id: strawberry.ID = strawberry.field(description="The dispute.")
    body: str = strawberry.field(description="The statement (up to 2000 characters).")


@strawberry.input(description="Give a dispute another mediator (admins).")
class ReassignDisputeInput:
    dispute_id: strawberry.ID = strawberry.field(description="The dispute.")
    mediator_id: strawberry.ID = strawberry.field(description="A verified leader or admin "
                                                              "who is not a party.")


@strawberry.input(description="Decide a dispute (its mediator, or an admin; never a party).")
class DecideDisputeInput:
    dispute_id: strawberry.ID = strawberry.field(description="The dispute.")
    outcome: DisputeOutcome = strawberry.field(description="Redo, compensate, dismissed, or "
                                                           "redo and compensate.")
    reason: str = strawberry.field(description="Why (seen by the parties).")
    public_line: str = strawberry.field(default="", description="A line for the public "
                                        "notice, e.g. 以后会更严格审核技能.")
    compensation: Credits | None = strawberry.field(
        default=None, description="Credits from the compensation fund (default: the need's "
                                  "credits, capped).")
    redo_assign: RedoAssign | None = strawberry.field(
        default=None, description="Who does the redo (default: the community's setting).")
    release: NeedRelease | None = strawberry.field(
        default=None, description="How a held need is closed (default: cancelled for a redo, "
                                  "confirmed otherwise).")


@strawberry.input(description="Overturn a decision within the set time (admins).")
class OverturnDisputeDecisionInput:
    dispute_id: strawberry.ID = strawberry.field(description="The dispute.")
    outcome: DisputeOutcome = strawberry.field(description="DISMISSED or COMPENSATE.")
    reason: str = strawberry.field(description="Why (recorded on the timeline).")
    compensation: Credits | None = strawberry.field(default=None,
                                                    description="Credits, for COMPENSATE.")


@strawberry.type(description="The dispute as it now stands, or what to fix.")
class DisputePayload:
    dispute: Dispute | None = strawberry.field(default=None, description="The dispute.")
    errors: list[UserError] = strawberry.field(default_factory=list,
                                               description="What to fix.")


@strawberry.type(description="The disputes plugin's mutations.")
class DisputesMutation:
    @strawberry.mutation(description="Open a dispute; the helper and the mediator are told.")
    @payload(DisputePayload)
    async def open_dispute(self, info: Info, input: OpenDisputeInput) -> DisputePayload:
        """
        Args:
            input: The need, what went wrong and the account of it.
        """
        need_pk = pk_of(input.need_id, "Need", "needId")
        community = await info.context.plugin_community(input.community, PLUGIN)
        member = await info.context.require_member(community)
        row = await service.open_dispute(community, member, need_pk,
                                         category=input.category.value,
                                         description=input.description, photos=input.photos)
        return DisputePayload(dispute=Dispute.from_row(row))

    @strawberry.mutation(description="Add a statement to a dispute's timeline.")
    @payload(DisputePayload)
    async def add_dispute_statement(self, info: Info, input: AddDisputeStatementInput
                                    ) -> DisputePayload:
        """
        Args:
            input: The dispute and the statement.
        """
        community, row, member = await _seen(info, input.dispute_id)
        await service.add_statement(community, member, row["id"], input.body)
        return DisputePayload(dispute=Dispute.from_row(await service.get(community, row["id"])))

    @strawberry.mutation(description="Give a dispute another mediator (admins).")
    @payload(DisputePayload)
    async def reassign_dispute(self, info: Info, input: ReassignDisputeInput
                               ) -> DisputePayload:
        """
        Args:
            input: The dispute and its new mediator.
        """
        community, row, member = await _seen(info, input.dispute_id)
        if not is_admin(member):
            raise forbidden("Only a community admin can do this.")
        changed = await service.reassign(community, member, row["id"],
                                         pk_of(input.mediator_id, "Member", "mediatorId"))
        return DisputePayload(dispute=Dispute.from_row(changed))

    @strawberry.mutation(description="Decide a dispute: credits, the redo, the need's release, "
                                      "the public notice, all at once.")
    @payload(DisputePayload)
    async def decide_dispute(self, info: Info, input: DecideDisputeInput) -> DisputePayload:
        """
        Args:
            input: The dispute, the outcome and its details.
        """
        community, row, member = await _seen(info, input.dispute_id)
        decided = await service.decide(
            community, member, row["id"], outcome=input.outcome.value, reason=input.reason,
            public_line=input.public_line, compensation=input.compensation,
            redo_assign=input.redo_assign.value if input.redo_assign else None,
            release=input.release.value if input.release else None)
        return DisputePayload(dispute=Dispute.from_row(decided))

    @strawberry.mutation(description="Overturn a decision within the set time (admins).")
    @payload(DisputePayload)
    async def overturn_dispute_decision(self, info: Info, input: OverturnDisputeDecisionInput
                                        ) -> DisputePayload:
        """
        Args:
            input: The dispute, the new outcome and why.
        """
        community, row, member = await _seen(info, input.dispute_id)
        if not is_admin(member):
            raise forbidden("Only a community admin can do this.")
        changed = await service.overturn(community, member, row["id"],
                                         outcome=input.outcome.value, reason=input.reason,
                                         compensation=input.compensation)
        return DisputePayload(dispute=Dispute.from_row(changed))


def contribution() -> GraphQLContribution:
    """What the disputes plugin adds to the schema."""
    return GraphQLContribution(query=DisputesQuery, mutation=DisputesMutation,
                               types=[DisputeStep, DisputePromisePeriod])
