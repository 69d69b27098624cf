"""The governance plugin's GraphQL types and fields. Resolvers stay thin: they find the
community through the plugin switch, check who asks, and call the service.

Who sees what: a resident sees the requests they made (or a leader filed for them); team
members see their grids' requests (``governanceGridQueue``); admins see all
(``governanceRequests``). The figures, grids and funded projects are public.
"""

from __future__ import annotations

import json
from datetime import datetime
from enum import Enum

import strawberry
from strawberry.types import Info

from yizhan.core.api import (
    Connection,
    GraphQLContribution,
    Member,
    Node,
    UserError,
    build_connection,
    forbidden,
    from_cursor,
    get_community_by_id,
    member_by_id,
    page_size,
    payload,
    pk_of,
    require_admin,
    to_gid,
)
from yizhan.plugins.governance import service
from yizhan.plugins.governance.common import PLUGIN


@strawberry.enum(description="How urgent a request is, and so how long the community has to "
                             "answer it (48 h / 5 days / 15 days by default).")
class GovernanceUrgency(Enum):
    RED = "red"
    """Urgent: safety or a failure affecting many (48 hours by default)."""
    YELLOW = "yellow"
    """Needs attention soon (5 days by default)."""
    BLUE = "blue"
    """Can wait: an improvement or a wish (15 days by default)."""


@strawberry.enum(description="Where a request stands.")
class GovernanceRequestStatus(Enum):
    SUBMITTED = "submitted"
    """Waiting for triage."""
    ASSIGNED = "assigned"
    """Routed to a person or a grid team."""
    IN_PROGRESS = "in_progress"
    """Being worked on."""
    ANSWERED = "answered"
    """Answered; the resident may confirm, reopen or rate it."""
    CLOSED = "closed"
    """Done: confirmed by the resident or closed on its own."""
    REJECTED = "rejected"
    """Rejected by the staff, with a reason."""


@strawberry.enum(description="Where a micro-grant proposal stands.")
class GovernanceProposalStatus(Enum):
    SUBMITTED = "submitted"
    """Waiting for reviews and a decision."""
    GRANTED = "granted"
    """Funded; the proposer reports progress."""
    DECLINED = "declined"
    """Not funded, with a reason."""
    COMPLETED = "completed"
    """Funded and done."""


@strawberry.enum(description="A reviewer's verdict on a proposal.")
class GovernanceVerdict(Enum):
    APPROVE = "approve"
    """Fund it."""
    REJECT = "reject"
    """Do not fund it."""


@strawberry.type(description="One step in a request's life: who did what, and when.")
class GovernanceRequestEvent:
    action: str = strawberry.field(description="What happened: `submitted`, `triaged`, "
                                               "`assigned`, `urgency_changed`, `started`, "
                                               "`note`, `reminded`, `escalated`, `answered`, "
                                               "`closed`, `rejected`, `reopened` or `rated`.")
    note: str = strawberry.field(description="The note, response, reason or comment given.")
    detail: str = strawberry.field(description="Details of the step as a JSON object.")
    at: datetime = strawberry.field(description="When it happened.")
    _actor: strawberry.Private[int | None]

    @strawberry.field(description="Who did it; null for the system (reminders, escalation, "
                                  "closing on its own) and integrations.")
    async def actor(self, info: Info) -> Member | None:
        return await member_by_id(info, self._actor)


def _event(row: dict) -> GovernanceRequestEvent:
    detail = row["detail"]
    return GovernanceRequestEvent(action=row["action"], note=row["note"],
                                  detail=detail if isinstance(detail, str) else json.dumps(detail),
                                  at=row["at"], _actor=row["actor"])


@strawberry.type(description="A member of a grid's team and their role.")
class GovernanceTeamMember:
    role: str = strawberry.field(description="A role from the community's list (党员, 楼组长, "
                                             "物业管家, 志愿者 …).")
    _member: strawberry.Private[int]

    @strawberry.field(description="The member.")
    async def member(self, info: Info) -> Member | None:
        return await member_by_id(info, self._member)


@strawberry.type(description="A grid (网格): a named part of the community with its buildings "
                             "and its team.")
class GovernanceGrid(Node):
    id: strawberry.ID = strawberry.field(description="Global id.")
    name: str = strawberry.field(description="The grid's name.")
    description: str = strawberry.field(description="What the grid covers.")
    buildings: list[str] = strawberry.field(description="Names of its buildings.")
    team: list[GovernanceTeamMember] = strawberry.field(description="Its team.")

    @classmethod
    async def load_node(cls, info: Info, pk: int) -> GovernanceGrid | None:
        """``node(id:)``: public, like ``governanceGrids`` (where governance is on)."""
        from yizhan.plugins.governance.tables import Grid

        found = await _node_row(info, Grid, pk)
        if found is None:
            return None
        community, row = found
        return (await _grid_objects(community, [row]))[0]


async def _node_row(info: Info, table, pk: int) -> tuple[dict, dict] | None:
    """The row ``pk`` of ``table`` and its community, the switch checked (for
    ``node(id:)``); None when there is no such row."""
    row = await table.select().where(table.id == pk).first()
    if row is None:
        return None
    community = await get_community_by_id(row["community"])
    info.context.require_plugin(community, PLUGIN)
    return community, row


async def _grid_objects(community: dict, rows: list[dict]) -> list[GovernanceGrid]:
    from yizhan.core.api import building_names

    ids = [r["id"] for r in rows]
    buildings, teams = await service.buildings_of(ids), await service.teams_of(ids)
    names = await building_names(community, [b for bs in buildings.values() for b in bs])
    return [GovernanceGrid(
        id=to_gid("GovernanceGrid", r["id"]), name=r["name"], description=r["description"],
        buildings=sorted(names.get(b, "?") for b in buildings[r["id"]]),
        team=[GovernanceTeamMember(role=t["role"], _member=t["member"])
              for t in teams[r["id"]]]) for r in rows]


@strawberry.type(description="A resident's request to the community (诉求).")
class GovernanceRequest(Node):
    id: strawberry.ID = strawberry.field(description="Global id.")
    number: int = strawberry.field(description="The request's number (Open311's "
                                               "service_request_id).")
    category: str = strawberry.field(description="The category's code.")
    description: str = strawberry.field(description="What the resident wrote.")
    building: str | None = strawberry.field(description="The building's name, if one.")
    place: str = strawberry.field(description="The place, in words.")
    photos: list[str] = strawberry.field(description="Photo references (URLs or file keys).")
    suggested_urgency: GovernanceUrgency = strawberry.field(
        description="The urgency the resident suggested.")
    urgency: GovernanceUrgency = strawberry.field(
        description="The staff's triage (the suggested one until triaged).")
    triaged: bool = strawberry.field(description="True once staff triaged it.")
    status: GovernanceRequestStatus = strawberry.field(description="Where it stands.")
    channel: str = strawberry.field(description="How it came: `app`, `proxy` (a leader for a "
                                                "resident) or `open311`.")
    reporter_name: str = strawberry.field(description="The name an Open311 client gave.")
    response: str = strawberry.field(description="The answer.")
    response_public: bool = strawberry.field(description="Whether the answer is public.")
    reject_reason: str = strawberry.field(description="Why it was rejected.")
    submitted_at: datetime = strawberry.field(description="When it was submitted.")
    due_at: datetime = strawberry.field(description="The deadline for an answer.")
    triaged_at: datetime | None = strawberry.field(description="When it was triaged.")
    answered_at: datetime | None = strawberry.field(description="When it was answered.")
    on_time: bool | None = strawberry.field(description="Answered by the deadline (null "
                                                        "until answered).")
    overdue: bool = strawberry.field(description="Open and past its deadline.")
    breached: bool = strawberry.field(description="Its deadline passed unanswered (escalated "
                                                  "to the admins).")
    escalated_at: datetime | None = strawberry.field(description="When it was escalated.")
    closed_at: datetime | None = strawberry.field(description="When it was closed or "
                                                              "rejected.")
    satisfied: bool | None = strawberry.field(description="The resident's rating of the "
                                                          "answer.")
    rating_comment: str = strawberry.field(description="The resident's comment on the answer.")
    _row: strawberry.Private[dict]

    @classmethod
    async def load_node(cls, info: Info, pk: int) -> GovernanceRequest | None:
        """``node(id:)``: the rule of ``governanceRequest``: its resident, who filed it and
        its staff (verified); null for other members."""
        from yizhan.plugins.governance.tables import Request

        found = await _node_row(info, Request, pk)
        if found is None:
            return None
        community, row = found
        member = await info.context.require_verified(community)
        if member["id"] not in (row["requester"], row["filed_by"]) and not \
                await service.is_staff(community, member, row):
            return None
        return (await _objects(community, [row]))[0]

    @strawberry.field(description="The resident the request is for.")
    async def requester(self, info: Info) -> Member | None:
        return await member_by_id(info, self._row["requester"])

    @strawberry.field(description="Who filed it (the resident, or their leader).")
    async def filed_by(self, info: Info) -> Member | None:
        return await member_by_id(info, self._row["filed_by"])

    @strawberry.field(description="The person it is assigned to, if one.")
    async def assignee(self, info: Info) -> Member | None:
        return await member_by_id(info, self._row["assignee"])

    grid: GovernanceGrid | None = strawberry.field(
        description="The grid whose team handles it, if one.")

    @strawberry.field(description="Every step, oldest first.")
    async def timeline(self) -> list[GovernanceRequestEvent]:
        return [_event(r) for r in await service.timeline(self._row["id"])]


def request_object(row: dict, buildings: dict[int, str],
                   grids: dict[int, GovernanceGrid]) -> GovernanceRequest:
    """A request row as its GraphQL object (its page's buildings and grids prefetched)."""
    return GovernanceRequest(
        grid=grids.get(row["grid"]) if row["grid"] else None,
        id=to_gid("GovernanceRequest", row["id"]), number=row["id"], category=row["category"],
        description=row["description"],
        building=buildings.get(row["building"]) if row["building"] else None,
        place=row["place"], photos=service.photos_of(row),
        suggested_urgency=GovernanceUrgency(row["suggested_urgency"]),
        urgency=GovernanceUrgency(row["urgency"]), triaged=row["triaged"],
        status=GovernanceRequestStatus(row["status"]), channel=row["channel"],
        reporter_name=row["reporter_name"], response=row["response"],
        response_public=row["response_public"], reject_reason=row["reject_reason"],
        submitted_at=row["submitted_at"], due_at=row["due_at"], triaged_at=row["triaged_at"],
        answered_at=row["answered_at"], on_time=row["on_time"],
        overdue=service.is_overdue(row), breached=row["breached"],
        escalated_at=row["escalated_at"], closed_at=row["closed_at"],
        satisfied=row["satisfied"], rating_comment=row["rating_comment"], _row=row)


async def _page_grids(community: dict, rows: list[dict]) -> dict[int, GovernanceGrid]:
    """The grids of a page of requests, in a few queries for the whole page."""
    from yizhan.plugins.governance.tables import Grid

    ids = sorted({r["grid"] for r in rows if r["grid"]})
    if not ids:
        return {}
    found = await Grid.select().where(Grid.id.is_in(ids))
    objects = await _grid_objects(community, found)
    return {row["id"]: obj for row, obj in zip(found, objects, strict=True)}


async def _objects(community: dict, rows: list[dict]) -> list[GovernanceRequest]:
    from yizhan.core.api import building_names

    buildings = await building_names(community, [r["building"] for r in rows])
    grids = await _page_grids(community, rows)
    return [request_object(r, buildings, grids) for r in rows]


async def _requests(community: dict, rows: list[dict], size: int
                    ) -> Connection[GovernanceRequest]:
    objects = {id(r): o for r, o in zip(rows, await _objects(community, rows), strict=True)}
    return build_connection(rows, size, lambda r: objects[id(r)])


@strawberry.type(description="Figures of one period: how many requests, how many answered on "
                             "time, how fast, how satisfied.")
class GovernancePeriodFigures:
    submitted: int = strawberry.field(description="Requests submitted (rejected excluded).")
    due_or_answered: int = strawberry.field(description="Of those, answered or past their "
                                                        "deadline: the on-time share's base.")
    answered: int = strawberry.field(description="Answered.")
    answered_on_time: int = strawberry.field(description="Answered by the deadline.")
    overdue_open: int = strawberry.field(description="Open and past the deadline now.")
    on_time_percent: str | None = strawberry.field(description="The on-time share: "
                                                               "answeredOnTime of dueOrAnswered, "
                                                               "in percent (null: none due).")
    median_hours_to_answer: str | None = strawberry.field(description="Median hours from "
                                                                      "submission to answer.")
    rated: int = strawberry.field(description="Answers the residents rated.")
    satisfaction_percent: str | None = strawberry.field(description="Satisfied among rated, "
                                                                    "in percent.")


def _period(p: service.Period) -> GovernancePeriodFigures:
    def s(value) -> str | None:
        return None if value is None else str(value)

    return GovernancePeriodFigures(
        submitted=p.submitted, due_or_answered=p.due_or_answered, answered=p.answered,
        answered_on_time=p.answered_on_time, overdue_open=p.overdue_open,
        on_time_percent=s(p.on_time_percent), median_hours_to_answer=s(p.median_hours),
        rated=p.rated, satisfaction_percent=s(p.satisfaction_percent))


@strawberry.type(description="One urgency's figures, this month and all time.")
class GovernanceUrgencyFigures:
    urgency: GovernanceUrgency = strawberry.field(description="The urgency.")
    hours_allowed: int = strawberry.field(description="Hours allowed to answer.")
    this_month: GovernancePeriodFigures = strawberry.field(description="This calendar month.")
    all_time: GovernancePeriodFigures = strawberry.field(description="Since the start.")


@strawberry.type(description="The community's public figures on answering residents.")
class GovernanceFigures:
    month_start: datetime = strawberry.field(description="Where \"this month\" starts.")
    this_month: GovernancePeriodFigures = strawberry.field(description="All urgencies, this "
                                                                       "month.")
    all_time: GovernancePeriodFigures = strawberry.field(description="All urgencies, all "
                                                                     "time.")
    by_urgency: list[GovernanceUrgencyFigures] = strawberry.field(description="Per urgency.")


@strawberry.type(description="A reviewer's review of a proposal.")
class GovernanceReview:
    score: int | None = strawberry.field(description="1 to 5.")
    verdict: GovernanceVerdict | None = strawberry.field(description="Approve or reject.")
    reason: str = strawberry.field(description="The reviewer's reasons.")
    created_at: datetime = strawberry.field(description="When it was written.")
    _reviewer: strawberry.Private[int]

    @strawberry.field(description="The reviewer.")
    async def reviewer(self, info: Info) -> Member | None:
        return await member_by_id(info, self._reviewer)


@strawberry.type(description="A progress note on a funded project.")
class GovernanceProgress:
    note: str = strawberry.field(description="What was done.")
    created_at: datetime = strawberry.field(description="When.")


@strawberry.type(description="A resident's micro-grant proposal.")
class GovernanceProposal(Node):
    id: strawberry.ID = strawberry.field(description="Global id.")
    round_id: strawberry.ID = strawberry.field(description="Its round.")
    title: str = strawberry.field(description="Title.")
    description: str = strawberry.field(description="What the project does.")
    team: str = strawberry.field(description="Who does it.")
    budget: str = strawberry.field(description="Budget asked for, in yuan.")
    granted: str = strawberry.field(description="Amount granted, in yuan.")
    status: GovernanceProposalStatus = strawberry.field(description="Where it stands.")
    decision_reason: str = strawberry.field(description="The decision's reasons.")
    decided_at: datetime | None = strawberry.field(description="When it was decided.")
    completed_at: datetime | None = strawberry.field(description="When it was completed.")
    created_at: datetime = strawberry.field(description="When it was submitted.")
    _row: strawberry.Private[dict]

    @classmethod
    async def load_node(cls, info: Info, pk: int) -> GovernanceProposal | None:
        """``node(id:)``: a funded project is public (``governanceFundedProjects``); any
        other proposal is seen by its proposer, the admins and the round's reviewers
        (``governanceProposals``; verified members), null for other members."""
        from yizhan.plugins.governance.tables import Proposal

        found = await _node_row(info, Proposal, pk)
        if found is None:
            return None
        community, row = found
        if row["status"] in ("granted", "completed"):
            return proposal_object(row)
        member = await info.context.require_verified(community)
        if member["id"] == row["proposer"] or await service.can_review(
                community, member, row["round"]):
            return proposal_object(row)
        return None

    @strawberry.field(description="Who proposed it.")
    async def proposer(self, info: Info) -> Member | None:
        return await member_by_id(info, self._row["proposer"])

    @strawberry.field(description="Progress notes, oldest first.")
    async def progress(self) -> list[GovernanceProgress]:
        rows = (await service.progress_of([self._row["id"]]))[self._row["id"]]
        return [GovernanceProgress(note=r["note"], created_at=r["created_at"]) for r in rows]

    @strawberry.field(description="Reviews (visible to the admins, the round's reviewers and "
                                  "the proposer; empty for others).")
    async def reviews(self, info: Info) -> list[GovernanceReview]:
        community = await get_community_by_id(self._row["community"])
        member = await info.context.member(community)
        if not member or (member["id"] != self._row["proposer"]
                          and not await service.can_review(community, member,
                                                           self._row["round"])):
            return []
        rows = (await service.reviews_of([self._row["id"]]))[self._row["id"]]
        return [GovernanceReview(score=r["score"],
                                 verdict=GovernanceVerdict(r["verdict"]) if r["verdict"]
                                 else None, reason=r["reason"], created_at=r["created_at"],
                                 _reviewer=r["reviewer"]) for r in rows]


def proposal_object(row: dict) -> GovernanceProposal:
    """A proposal row as its GraphQL object."""
    return GovernanceProposal(
        id=to_gid("GovernanceProposal", row["id"]),
        round_id=to_gid("GovernanceRound", row["round"]), title=row["title"],
        description=row["description"], team=row["team"], budget=service.yuan(row["budget_fen"]),
        granted=service.yuan(row["granted_fen"]), status=GovernanceProposalStatus(row["status"]),
        decision_reason=row["decision_reason"], decided_at=row["decided_at"],
        completed_at=row["completed_at"], created_at=row["created_at"], _row=row)


@strawberry.type(description="A micro-grant round and its fund, in yuan.")
class GovernanceRound(Node):
    id: strawberry.ID = strawberry.field(description="Global id.")
    name: str = strawberry.field(description="The round's name, e.g. 2026.")
    description: str = strawberry.field(description="What the round funds.")
    total: str = strawberry.field(description="The fund, in yuan.")
    granted: str = strawberry.field(description="Granted so far, in yuan.")
    remaining: str = strawberry.field(description="What is left, in yuan.")
    open: bool = strawberry.field(description="Whether it takes proposals.")
    _row: strawberry.Private[dict]

    @classmethod
    async def load_node(cls, info: Info, pk: int) -> GovernanceRound | None:
        """``node(id:)``: public, like ``governanceRounds`` (where governance is on)."""
        from yizhan.plugins.governance.tables import Round

        found = await _node_row(info, Round, pk)
        return None if found is None else round_object(found[1])

    @strawberry.field(description="The round's named reviewers.")
    async def reviewers(self, info: Info) -> list[Member]:
        found = [await member_by_id(info, m) for m in await service.reviewer_ids(
            self._row["id"])]
        return [m for m in found if m is not None]


def round_object(row: dict) -> GovernanceRound:
    """A round row as its GraphQL object."""
    return GovernanceRound(
        id=to_gid("GovernanceRound", row["id"]), name=row["name"],
        description=row["description"], total=service.yuan(row["total_fen"]),
        granted=service.yuan(row["granted_fen"]),
        remaining=service.yuan(row["total_fen"] - row["granted_fen"]),
        open=row["status"] == "open", _row=row)


# --- inputs and payloads -----------------------------------------------------------------


@strawberry.input(description="A new request: for yourself, or for a resident of your "
                              "building (leaders: onBehalfOf).")
class SubmitGovernanceRequestInput:
    community: str = strawberry.field(description="The community's slug.")
    category: str = strawberry.field(description="A category code from the community's list.")
    description: str = strawberry.field(description="What is wrong or wished for.")
    building: str | None = strawberry.field(default=None, description="A building's name.")
    place: str = strawberry.field(default="", description="A place, in words.")
    photos: list[str] = strawberry.field(default_factory=list,
                                         description="Photo references.")
    suggested_urgency: GovernanceUrgency | None = strawberry.field(
        default=None, description="How urgent it seems (yellow if not said).")
    on_behalf_of: strawberry.ID | None = strawberry.field(
        default=None, description="The resident a leader files for.")


@strawberry.input(description="Triage a request and route it (staff).")
class TriageGovernanceRequestInput:
    request_id: strawberry.ID = strawberry.field(description="The request.")
    urgency: GovernanceUrgency = strawberry.field(description="Red, yellow or blue.")
    assignee_id: strawberry.ID | None = strawberry.field(
        default=None, description="A person to handle it (else the grid team).")
    grid_id: strawberry.ID | None = strawberry.field(
        default=None, description="A grid other than the building's.")
    note: str = strawberry.field(default="", description="A note for the timeline.")


@strawberry.input(description="Hand a request to a person or a grid team (staff).")
class AssignGovernanceRequestInput:
    request_id: strawberry.ID = strawberry.field(description="The request.")
    assignee_id: strawberry.ID | None = strawberry.field(default=None,
                                                         description="A person.")
    grid_id: strawberry.ID | None = strawberry.field(default=None, description="A grid.")
    note: str = strawberry.field(default="", description="A note for the timeline.")


@strawberry.input(description="Change the urgency, start the work, or add a note (staff).")
class UpdateGovernanceRequestInput:
    request_id: strawberry.ID = strawberry.field(description="The request.")
    urgency: GovernanceUrgency | None = strawberry.field(default=None,
                                                         description="A new urgency.")
    start: bool = strawberry.field(default=False, description="Mark the work in progress.")
    note: str = strawberry.field(default="", description="A note for the timeline.")


@strawberry.input(description="Answer a request (staff).")
class AnswerGovernanceRequestInput:
    request_id: strawberry.ID = strawberry.field(description="The request.")
    response: str = strawberry.field(description="The answer.")
    public: bool = strawberry.field(default=True, description="False for a private answer.")


@strawberry.input(description="Confirm (close) an answered request (the resident).")
class CloseGovernanceRequestInput:
    request_id: strawberry.ID = strawberry.field(description="The request.")


@strawberry.input(description="Reject (staff) or reopen (the resident) a request.")
class GovernanceRequestReasonInput:
    request_id: strawberry.ID = strawberry.field(description="The request.")
    reason: str = strawberry.field(description="Why.")


@strawberry.input(description="Rate an answer (the resident, once).")
class RateGovernanceRequestInput:
    request_id: strawberry.ID = strawberry.field(description="The request.")
    satisfied: bool = strawberry.field(description="Satisfied or not.")
    comment: str = strawberry.field(default="", description="A comment.")


@strawberry.type(description="The request after the step.")
class GovernanceRequestPayload:
    request: GovernanceRequest | None = strawberry.field(default=None,
                                                         description="The request.")
    errors: list[UserError] = strawberry.field(default_factory=list,
                                               description="What to fix.")


@strawberry.input(description="A new grid with its buildings (admins).")
class CreateGovernanceGridInput:
    community: str = strawberry.field(description="The community's slug.")
    name: str = strawberry.field(description="The grid's name.")
    description: str = strawberry.field(default="", description="What it covers.")
    buildings: list[str] = strawberry.field(default_factory=list,
                                            description="Building names.")


@strawberry.input(description="Put a member on a grid's team (admins).")
class AddGovernanceTeamMemberInput:
    grid_id: strawberry.ID = strawberry.field(description="The grid.")
    member_id: strawberry.ID = strawberry.field(description="The member.")
    role: str = strawberry.field(description="A role from the community's list.")


@strawberry.input(description="Take a member off a grid's team (admins).")
class RemoveGovernanceTeamMemberInput:
    grid_id: strawberry.ID = strawberry.field(description="The grid.")
    member_id: strawberry.ID = strawberry.field(description="The member.")


@strawberry.input(description="Replace a grid's buildings (admins).")
class SetGovernanceGridBuildingsInput:
    grid_id: strawberry.ID = strawberry.field(description="The grid.")
    buildings: list[str] = strawberry.field(description="Building names.")


@strawberry.type(description="The grid after the change.")
class GovernanceGridPayload:
    grid: GovernanceGrid | None = strawberry.field(default=None, description="The grid.")
    errors: list[UserError] = strawberry.field(default_factory=list,
                                               description="What to fix.")


@strawberry.input(description="A new micro-grant round (admins).")
class CreateGovernanceRoundInput:
    community: str = strawberry.field(description="The community's slug.")
    name: str = strawberry.field(description="E.g. 2026.")
    total: str = strawberry.field(description="The fund in yuan, e.g. \"150000.00\".")
    description: str = strawberry.field(default="", description="What it funds.")


@strawberry.input(description="Name a reviewer of a round (admins).")
class AddGovernanceReviewerInput:
    round_id: strawberry.ID = strawberry.field(description="The round.")
    member_id: strawberry.ID = strawberry.field(description="The member.")


@strawberry.type(description="The round after the change.")
class GovernanceRoundPayload:
    round: GovernanceRound | None = strawberry.field(default=None, description="The round.")
    errors: list[UserError] = strawberry.field(default_factory=list,
                                               description="What to fix.")


@strawberry.input(description="A proposal to a round (verified residents).")
class SubmitGovernanceProposalInput:
    round_id: strawberry.ID = strawberry.field(description="The round.")
    title: str = strawberry.field(description="Title.")
    description: str = strawberry.field(description="What the project does.")
    team: str = strawberry.field(default="", description="Who does it.")
    budget: str = strawberry.field(description="Budget in yuan, e.g. \"8000.00\".")


@strawberry.input(description="Review a proposal (admins and the round's reviewers).")
class ReviewGovernanceProposalInput:
    proposal_id: strawberry.ID = strawberry.field(description="The proposal.")
    score: int | None = strawberry.field(default=None, description="1 to 5.")
    verdict: GovernanceVerdict | None = strawberry.field(default=None,
                                                         description="Approve or reject.")
    reason: str = strawberry.field(default="", description="Reasons (required to reject).")


@strawberry.input(description="Grant a proposal an amount (admins).")
class GrantGovernanceProposalInput:
    proposal_id: strawberry.ID = strawberry.field(description="The proposal.")
    amount: str = strawberry.field(description="Yuan, at most the budget and what is left.")
    reason: str = strawberry.field(default="", description="The decision's reasons.")


@strawberry.input(description="Decline a proposal (admins), or note progress or completion "
                              "(the proposer).")
class GovernanceProposalNoteInput:
    proposal_id: strawberry.ID = strawberry.field(description="The proposal.")
    note: str = strawberry.field(default="", description="The reason or progress note.")


@strawberry.type(description="The proposal after the step.")
class GovernanceProposalPayload:
    proposal: GovernanceProposal | None = strawberry.field(default=None,
                                                           description="The proposal.")
    errors: list[UserError] = strawberry.field(default_factory=list,
                                               description="What to fix.")


@strawberry.type(description="A review written.")
class GovernanceReviewPayload:
    review: GovernanceReview | None = strawberry.field(default=None, description="The review.")
    errors: list[UserError] = strawberry.field(default_factory=list,
                                               description="What to fix.")


# --- helpers -----------------------------------------------------------------------------


async def _community_of(info: Info, table, pk: int, what: str, field: str) -> dict:
    from yizhan.core.api import not_found

    row = await table.select(table.community).where(table.id == pk).first()
    if row is None:
        raise not_found(what, field)
    community = await get_community_by_id(row["community"])
    info.context.require_plugin(community, PLUGIN)
    return community


async def _request_ctx(info: Info, gid: strawberry.ID) -> tuple[dict, dict, int]:
    from yizhan.plugins.governance.tables import Request

    pk = pk_of(gid, "GovernanceRequest", "requestId")
    community = await _community_of(info, Request, pk, "request", "requestId")
    return community, await info.context.require_verified(community), pk


async def _proposal_ctx(info: Info, gid: strawberry.ID) -> tuple[dict, dict, int]:
    from yizhan.plugins.governance.tables import Proposal

    pk = pk_of(gid, "GovernanceProposal", "proposalId")
    community = await _community_of(info, Proposal, pk, "proposal", "proposalId")
    return community, await info.context.require_verified(community), pk


async def _round_ctx(info: Info, gid: strawberry.ID) -> tuple[dict, dict, int]:
    from yizhan.plugins.governance.tables import Round

    pk = pk_of(gid, "GovernanceRound", "roundId")
    community = await _community_of(info, Round, pk, "round", "roundId")
    return community, await info.context.require_verified(community), pk


async def _grid_ctx(info: Info, gid: strawberry.ID) -> tuple[dict, dict, int]:
    from yizhan.plugins.governance.tables import Grid

    pk = pk_of(gid, "GovernanceGrid", "gridId")
    community = await _community_of(info, Grid, pk, "grid", "gridId")
    return community, require_admin(await info.context.require_verified(community)), pk


def _opt_pk(gid: strawberry.ID | None, type_name: str, field: str) -> int | None:
    return pk_of(gid, type_name, field) if gid else None


async def _one_request(community: dict, row: dict) -> GovernanceRequestPayload:
    return GovernanceRequestPayload(request=(await _objects(community, [row]))[0])


def _filters(urgency, status, overdue) -> dict:
    return {"level": urgency.value if urgency else None,
            "status": status.value if status else None, "overdue": overdue}


@strawberry.type(description="Root query fields of the governance plugin.")
class GovernanceQuery:
    @strawberry.field(description="Requests I made or a leader filed for me (or that I filed "
                                  "for others), newest first.")
    async def governance_my_requests(
            self, info: Info, community: str, urgency: GovernanceUrgency | None = None,
            status: GovernanceRequestStatus | None = None, overdue: bool | None = None,
            first: int | None = None, after: str | None = None
    ) -> Connection[GovernanceRequest]:
        """
        Args:
            community: The community's slug.
            urgency: Only requests of this urgency.
            status: Only requests in this state.
            overdue: True: only open requests past their deadline; false: only the others.
            first: Page size, 1 to 100 (default 20).
            after: Return the items after this cursor (`pageInfo.endCursor`).
        """
        row = await info.context.plugin_community(community, PLUGIN)
        member = await info.context.require_member(row)
        size = page_size(first)
        rows = await service.list_requests(row, requester=member["id"],
                                           before_id=from_cursor(after), limit=size + 1,
                                           **_filters(urgency, status, overdue))
        return await _requests(row, rows, size)

    @strawberry.field(description="My grids' requests and those assigned to me (team members "
                                  "and assignees), newest first.")
    async def governance_grid_queue(
            self, info: Info, community: str, urgency: GovernanceUrgency | None = None,
            status: GovernanceRequestStatus | None = None, overdue: bool | None = None,
            first: int | None = None, after: str | None = None
    ) -> Connection[GovernanceRequest]:
        """
        Args:
            community: The community's slug.
            urgency: Only requests of this urgency.
            status: Only requests in this state.
            overdue: True: only open requests past their deadline; false: only the others.
            first: Page size, 1 to 100 (default 20).
            after: Return the items after this cursor (`pageInfo.endCursor`).
        """
        row = await info.context.plugin_community(community, PLUGIN)
        member = await info.context.require_verified(row)
        size = page_size(first)
        rows = await service.list_requests(
            row, grid_ids=await service.grids_of_member(row, member["id"]),
            assignee=member["id"], before_id=from_cursor(after), limit=size + 1,
            **_filters(urgency, status, overdue))
        return await _requests(row, rows, size)

    @strawberry.field(description="Every request of the community (admins), newest first.")
    async def governance_requests(
            self, info: Info, community: str, urgency: GovernanceUrgency | None = None,
            status: GovernanceRequestStatus | None = None, overdue: bool | None = None,
            first: int | None = None, after: str | None = None
    ) -> Connection[GovernanceRequest]:
        """
        Args:
            community: The community's slug.
            urgency: Only requests of this urgency.
            status: Only requests in this state.
            overdue: True: only open requests past their deadline; false: only the others.
            first: Page size, 1 to 100 (default 20).
            after: Return the items after this cursor (`pageInfo.endCursor`).
        """
        row = await info.context.plugin_community(community, PLUGIN)
        require_admin(await info.context.require_verified(row))
        size = page_size(first)
        rows = await service.list_requests(row, before_id=from_cursor(after), limit=size + 1,
                                           **_filters(urgency, status, overdue))
        return await _requests(row, rows, size)

    @strawberry.field(description="One request (its resident, its staff).")
    async def governance_request(self, info: Info, id: strawberry.ID) -> GovernanceRequest:
        """
        Args:
            id: The request's global id.
        """
        community, member, pk = await _request_ctx(info, id)
        row = await service.get_request(community, pk, "id")
        if member["id"] not in (row["requester"], row["filed_by"]) and not \
                await service.is_staff(community, member, row):
            raise forbidden("Only the resident and the staff can see this request.")
        return (await _objects(community, [row]))[0]

    @strawberry.field(description="Public figures: answered on time per urgency, this month "
                                  "and all time, median time to answer, satisfaction.")
    async def governance_figures(self, info: Info, community: str) -> GovernanceFigures:
        """
        Args:
            community: The community's slug.
        """
        row = await info.context.plugin_community(community, PLUGIN)
        found = await service.figures(row)
        conf = service.settings(row)
        return GovernanceFigures(
            month_start=found["month"].start, this_month=_period(found["month"].total),
            all_time=_period(found["all"].total),
            by_urgency=[GovernanceUrgencyFigures(
                urgency=GovernanceUrgency(u), hours_allowed=conf.hours_for(u),
                this_month=_period(found["month"].by_urgency[u]),
                all_time=_period(found["all"].by_urgency[u])) for u in service.URGENCIES])

    @strawberry.field(description="The community's grids with their buildings and teams "
                                  "(public).")
    async def governance_grids(self, info: Info, community: str) -> list[GovernanceGrid]:
        """
        Args:
            community: The community's slug.
        """
        row = await info.context.plugin_community(community, PLUGIN)
        return await _grid_objects(row, await service.list_grids(row))

    @strawberry.field(description="Micro-grant rounds with their funds (public).")
    async def governance_rounds(self, info: Info, community: str) -> list[GovernanceRound]:
        """
        Args:
            community: The community's slug.
        """
        row = await info.context.plugin_community(community, PLUGIN)
        return [round_object(r) for r in await service.list_rounds(row)]

    @strawberry.field(description="Proposals (admins and reviewers see all; residents their "
                                  "own), newest first.")
    async def governance_proposals(
            self, info: Info, community: str, round_id: strawberry.ID | None = None,
            status: GovernanceProposalStatus | None = None, first: int | None = None,
            after: str | None = None) -> Connection[GovernanceProposal]:
        """
        Args:
            community: The community's slug.
            round_id: Only proposals to this round (a `GovernanceRound` id).
            status: Only proposals in this state.
            first: Page size, 1 to 100 (default 20).
            after: Return the items after this cursor (`pageInfo.endCursor`).
        """
        row = await info.context.plugin_community(community, PLUGIN)
        member = await info.context.require_verified(row)
        rnd = _opt_pk(round_id, "GovernanceRound", "roundId")
        sees_all = (await service.can_review(row, member, rnd) if rnd
                    else member["role"] == "admin")
        size = page_size(first)
        rows = await service.list_proposals(
            row, round_id=rnd, status=status.value if status else None,
            proposer=None if sees_all else member["id"], before_id=from_cursor(after),
            limit=size + 1)
        return build_connection(rows, size, proposal_object)

    @strawberry.field(description="Funded projects with their amounts (public), newest "
                                  "first.")
    async def governance_funded_projects(
            self, info: Info, community: str, round_id: strawberry.ID | None = None,
            first: int | None = None, after: str | None = None
    ) -> Connection[GovernanceProposal]:
        """
        Args:
            community: The community's slug.
            round_id: Only proposals to this round (a `GovernanceRound` id).
            first: Page size, 1 to 100 (default 20).
            after: Return the items after this cursor (`pageInfo.endCursor`).
        """
        row = await info.context.plugin_community(community, PLUGIN)
        size = page_size(first)
        rows = await service.list_proposals(
            row, round_id=_opt_pk(round_id, "GovernanceRound", "roundId"),
            statuses=["granted", "completed"], before_id=from_cursor(after), limit=size + 1)
        return build_connection(rows, size, proposal_object)


@strawberry.type(description="Root mutation fields of the governance plugin.")
class GovernanceMutation:
    @strawberry.mutation(description="Submit a request (verified members; leaders for a "
                                     "resident of their building).")
    @payload(GovernanceRequestPayload)
    async def submit_governance_request(self, info: Info, input: SubmitGovernanceRequestInput
                                        ) -> GovernanceRequestPayload:
        """
        Args:
            input: The request.
        """
        community = await info.context.plugin_community(input.community, PLUGIN)
        member = await info.context.require_verified(community)
        row = await service.submit(
            community, member, category=input.category, description=input.description,
            building=input.building, place=input.place, photos=input.photos,
            suggested_urgency=input.suggested_urgency.value if input.suggested_urgency
            else None, on_behalf_of=_opt_pk(input.on_behalf_of, "Member", "onBehalfOf"))
        return await _one_request(community, row)

    @strawberry.mutation(description="Triage a request red/yellow/blue and route it (staff).")
    @payload(GovernanceRequestPayload)
    async def triage_governance_request(self, info: Info, input: TriageGovernanceRequestInput
                                        ) -> GovernanceRequestPayload:
        """
        Args:
            input: The request, its urgency and where it goes.
        """
        community, member, pk = await _request_ctx(info, input.request_id)
        row = await service.triage(
            community, member, pk, input.urgency.value,
            assignee_id=_opt_pk(input.assignee_id, "Member", "assigneeId"),
            grid_id=_opt_pk(input.grid_id, "GovernanceGrid", "gridId"), note=input.note)
        return await _one_request(community, row)

    @strawberry.mutation(description="Hand a request to a person or a grid team (staff).")
    @payload(GovernanceRequestPayload)
    async def assign_governance_request(self, info: Info, input: AssignGovernanceRequestInput
                                        ) -> GovernanceRequestPayload:
        """
        Args:
            input: The request and who handles it.
        """
        community, member, pk = await _request_ctx(info, input.request_id)
        row = await service.assign(
            community, member, pk,
            assignee_id=_opt_pk(input.assignee_id, "Member", "assigneeId"),
            grid_id=_opt_pk(input.grid_id, "GovernanceGrid", "gridId"), note=input.note)
        return await _one_request(community, row)

    @strawberry.mutation(description="Change the urgency (moves the deadline), start the work "
                                     "or add a note (staff).")
    @payload(GovernanceRequestPayload)
    async def update_governance_request(self, info: Info, input: UpdateGovernanceRequestInput
                                        ) -> GovernanceRequestPayload:
        """
        Args:
            input: The request and the change.
        """
        community, member, pk = await _request_ctx(info, input.request_id)
        row = await service.update(community, member, pk,
                                   level=input.urgency.value if input.urgency else None,
                                   start=input.start, note=input.note)
        return await _one_request(community, row)

    @strawberry.mutation(description="Answer a request, publicly or privately (staff).")
    @payload(GovernanceRequestPayload)
    async def answer_governance_request(self, info: Info, input: AnswerGovernanceRequestInput
                                        ) -> GovernanceRequestPayload:
        """
        Args:
            input: The request and the answer.
        """
        community, member, pk = await _request_ctx(info, input.request_id)
        row = await service.answer(community, member, pk, input.response, input.public)
        return await _one_request(community, row)

    @strawberry.mutation(description="Confirm an answered request is solved (the resident).")
    @payload(GovernanceRequestPayload)
    async def close_governance_request(self, info: Info, input: CloseGovernanceRequestInput
                                       ) -> GovernanceRequestPayload:
        """
        Args:
            input: The request.
        """
        community, member, pk = await _request_ctx(info, input.request_id)
        return await _one_request(community, await service.close(community, member, pk))

    @strawberry.mutation(description="Reject a request with a reason (staff).")
    @payload(GovernanceRequestPayload)
    async def reject_governance_request(self, info: Info, input: GovernanceRequestReasonInput
                                        ) -> GovernanceRequestPayload:
        """
        Args:
            input: The request and why.
        """
        community, member, pk = await _request_ctx(info, input.request_id)
        row = await service.reject(community, member, pk, input.reason)
        return await _one_request(community, row)

    @strawberry.mutation(description="Reopen an answered, closed or rejected request in time "
                                     "(the resident).")
    @payload(GovernanceRequestPayload)
    async def reopen_governance_request(self, info: Info, input: GovernanceRequestReasonInput
                                        ) -> GovernanceRequestPayload:
        """
        Args:
            input: The request and why.
        """
        community, member, pk = await _request_ctx(info, input.request_id)
        row = await service.reopen(community, member, pk, input.reason)
        return await _one_request(community, row)

    @strawberry.mutation(description="Rate the answer, once (the resident).")
    @payload(GovernanceRequestPayload)
    async def rate_governance_request(self, info: Info, input: RateGovernanceRequestInput
                                      ) -> GovernanceRequestPayload:
        """
        Args:
            input: The request and the rating.
        """
        community, member, pk = await _request_ctx(info, input.request_id)
        row = await service.rate(community, member, pk, input.satisfied, input.comment)
        return await _one_request(community, row)

    @strawberry.mutation(description="Create a grid with its buildings (admins).")
    @payload(GovernanceGridPayload)
    async def create_governance_grid(self, info: Info, input: CreateGovernanceGridInput
                                     ) -> GovernanceGridPayload:
        """
        Args:
            input: The grid.
        """
        community = await info.context.plugin_community(input.community, PLUGIN)
        member = require_admin(await info.context.require_verified(community))
        row = await service.create_grid(community, member, input.name, input.description,
                                        input.buildings)
        return GovernanceGridPayload(grid=(await _grid_objects(community, [row]))[0])

    @strawberry.mutation(description="Put a member on a grid's team (admins).")
    @payload(GovernanceGridPayload)
    async def add_governance_team_member(self, info: Info, input: AddGovernanceTeamMemberInput
                                         ) -> GovernanceGridPayload:
        """
        Args:
            input: The grid, the member and their role.
        """
        community, member, pk = await _grid_ctx(info, input.grid_id)
        await service.add_team_member(community, member, pk,
                                      pk_of(input.member_id, "Member", "memberId"), input.role)
        row = await service.get_grid(community, pk)
        return GovernanceGridPayload(grid=(await _grid_objects(community, [row]))[0])

    @strawberry.mutation(description="Take a member off a grid's team (admins).")
    @payload(GovernanceGridPayload)
    async def remove_governance_team_member(
            self, info: Info, input: RemoveGovernanceTeamMemberInput) -> GovernanceGridPayload:
        """
        Args:
            input: The grid and the member.
        """
        community, member, pk = await _grid_ctx(info, input.grid_id)
        await service.remove_team_member(community, member, pk,
                                         pk_of(input.member_id, "Member", "memberId"))
        row = await service.get_grid(community, pk)
        return GovernanceGridPayload(grid=(await _grid_objects(community, [row]))[0])

    @strawberry.mutation(description="Replace a grid's buildings; a building in another grid "
                                     "is refused (admins).")
    @payload(GovernanceGridPayload)
    async def set_governance_grid_buildings(
            self, info: Info, input: SetGovernanceGridBuildingsInput) -> GovernanceGridPayload:
        """
        Args:
            input: The grid and its buildings.
        """
        community, member, pk = await _grid_ctx(info, input.grid_id)
        row = await service.set_buildings(community, member, pk, input.buildings)
        return GovernanceGridPayload(grid=(await _grid_objects(community, [row]))[0])

    @strawberry.mutation(description="Open a micro-grant round with its fund (admins).")
    @payload(GovernanceRoundPayload)
    async def create_governance_round(self, info: Info, input: CreateGovernanceRoundInput
                                      ) -> GovernanceRoundPayload:
        """
        Args:
            input: The round.
        """
        community = await info.context.plugin_community(input.community, PLUGIN)
        member = require_admin(await info.context.require_verified(community))
        row = await service.create_round(community, member, input.name, input.total,
                                         input.description)
        return GovernanceRoundPayload(round=round_object(row))

    @strawberry.mutation(description="Name a reviewer of a round (admins).")
    @payload(GovernanceRoundPayload)
    async def add_governance_reviewer(self, info: Info, input: AddGovernanceReviewerInput
                                      ) -> GovernanceRoundPayload:
        """
        Args:
            input: The round and the reviewer.
        """
        community, member, pk = await _round_ctx(info, input.round_id)
        require_admin(member)
        await service.add_reviewer(community, member, pk,
                                   pk_of(input.member_id, "Member", "memberId"))
        return GovernanceRoundPayload(round=round_object(await service.get_round(community,
                                                                                 pk)))

    @strawberry.mutation(description="Propose a project to a round (verified residents).")
    @payload(GovernanceProposalPayload)
    async def submit_governance_proposal(self, info: Info, input: SubmitGovernanceProposalInput
                                         ) -> GovernanceProposalPayload:
        """
        Args:
            input: The proposal.
        """
        community, member, pk = await _round_ctx(info, input.round_id)
        row = await service.submit_proposal(community, member, pk, title=input.title,
                                            description=input.description, team=input.team,
                                            budget=input.budget)
        return GovernanceProposalPayload(proposal=proposal_object(row))

    @strawberry.mutation(description="Review a proposal (admins and the round's reviewers).")
    @payload(GovernanceReviewPayload)
    async def review_governance_proposal(self, info: Info, input: ReviewGovernanceProposalInput
                                         ) -> GovernanceReviewPayload:
        """
        Args:
            input: The proposal and the review.
        """
        community, member, pk = await _proposal_ctx(info, input.proposal_id)
        row = await service.review(community, member, pk, score=input.score,
                                   verdict=input.verdict.value if input.verdict else None,
                                   reason=input.reason)
        return GovernanceReviewPayload(review=GovernanceReview(
            score=row["score"], verdict=GovernanceVerdict(row["verdict"]) if row["verdict"]
            else None, reason=row["reason"], created_at=row["created_at"],
            _reviewer=row["reviewer"]))

    @strawberry.mutation(description="Grant a proposal an amount within what is left (admins).")
    @payload(GovernanceProposalPayload)
    async def grant_governance_proposal(self, info: Info, input: GrantGovernanceProposalInput
                                        ) -> GovernanceProposalPayload:
        """
        Args:
            input: The proposal and the amount.
        """
        community, member, pk = await _proposal_ctx(info, input.proposal_id)
        require_admin(member)
        row = await service.grant(community, member, pk, input.amount, input.reason)
        return GovernanceProposalPayload(proposal=proposal_object(row))

    @strawberry.mutation(description="Decline a proposal with a reason (admins).")
    @payload(GovernanceProposalPayload)
    async def decline_governance_proposal(self, info: Info, input: GovernanceProposalNoteInput
                                          ) -> GovernanceProposalPayload:
        """
        Args:
            input: The proposal and why.
        """
        community, member, pk = await _proposal_ctx(info, input.proposal_id)
        require_admin(member)
        row = await service.decline(community, member, pk, input.note)
        return GovernanceProposalPayload(proposal=proposal_object(row))

    @strawberry.mutation(description="Report progress on a funded project (its proposer).")
    @payload(GovernanceProposalPayload)
    async def add_governance_progress(self, info: Info, input: GovernanceProposalNoteInput
                                      ) -> GovernanceProposalPayload:
        """
        Args:
            input: The proposal and the progress note.
        """
        community, member, pk = await _proposal_ctx(info, input.proposal_id)
        await service.add_progress(community, member, pk, input.note)
        return GovernanceProposalPayload(proposal=proposal_object(
            await service.get_proposal(community, pk)))

    @strawberry.mutation(description="Mark a funded project completed (its proposer).")
    @payload(GovernanceProposalPayload)
    async def complete_governance_proposal(self, info: Info, input: GovernanceProposalNoteInput
                                           ) -> GovernanceProposalPayload:
        """
        Args:
            input: The proposal and a closing note.
        """
        community, member, pk = await _proposal_ctx(info, input.proposal_id)
        row = await service.complete(community, member, pk, input.note)
        return GovernanceProposalPayload(proposal=proposal_object(row))


def contribution() -> GraphQLContribution:
    """The plugin's GraphQL contribution."""
    return GraphQLContribution(
        query=GovernanceQuery, mutation=GovernanceMutation,
        types=[GovernanceRequest, GovernanceGrid, GovernanceRound, GovernanceProposal,
               GovernanceFigures])
