"""The tool library's GraphQL types and fields.

Every field answers ``PLUGIN_DISABLED`` where the tool library is off. Resolvers stay thin:
they find the community and the caller, then call the service.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from strawberry.types import Info
from yizhan.core.api import (
    Connection,
    Credits,
    Member,
    Node,
    UserError,
    build_connection,
    forbidden,
    format_centi,
    from_cursor,
    is_admin,
    members_by_id,
    node_in_community,
    not_found,
    page_size,
    payload,
    pk_of,
    to_gid,
)

from yizhan_toollib import NAME, deposits, service
from yizhan_toollib.tables import Loan as LoanTable
from yizhan_toollib.tables import Tool as ToolTable


@strawberry.enum
class ToolLoanStatus(Enum):
    """Where a loan stands."""

    REQUESTED = "requested"
    """Asked for; the owner has not handed it over yet."""
    OUT = "out"
    """Handed over: the borrower has it."""
    RETURNED = "returned"
    """Back with its owner."""
    LOST = "lost"
    """It did not come back; the deposit went to the owner."""
    DECLINED = "declined"
    """The owner said no."""
    CANCELLED = "cancelled"
    """The borrower withdrew the request."""


@strawberry.enum
class ToolDepositStatus(Enum):
    """Where a loan's deposit stands (deposits apply only where credits is on)."""

    NONE = "none"
    HELD = "held"
    REFUNDED = "refunded"
    FORFEITED = "forfeited"
    REFUND_DUE = "refund_due"
    FORFEIT_DUE = "forfeit_due"


@strawberry.enum
class ToolLoanRole(Enum):
    """Which loans: those I borrow, those I lend, or all of the community (admins)."""

    BORROWING = "borrowing"
    LENDING = "lending"
    MINE = "mine"
    ALL = "all"


async def _people(ids: set[int]) -> dict[int, Member]:
    """Members by id, with their names, in one query."""
    return {row["id"]: Member.from_row(row) for row in await members_by_id(ids)}


@strawberry.type
class Tool(Node):
    """A tool a neighbour lends (verified members see the shelf)."""

    name: str
    """What the tool is."""
    description: str
    """More about it (empty when none)."""
    category: str
    """A free-form kind (`ladder`, `drill` …) for filtering."""
    deposit: Credits = strawberry.field(
        description="Held in credits while the tool is out, where credits is on.")
    deposit_applies: bool = strawberry.field(
        description="True where the community has credits on, so the deposit is taken.")
    max_loan_days: int
    """The longest loan the owner allows, in days."""
    listed: bool = strawberry.field(description="False once taken off the shelf (or lost).")
    available: bool = strawberry.field(description="Listed, and nobody asked for it or has it.")
    created_at: datetime
    """When it was listed."""
    owner: Member | None
    """Who lends it."""
    _row: strawberry.Private[dict]
    #: The open loan, prefetched with the page (a ``ToolLoan`` or None).
    _open: strawberry.Private[object]

    @classmethod
    async def load_node(cls, info: Info, pk: int) -> Tool | None:
        """For ``node(id:)``: the checks of ``tool(id:)``."""
        found = await node_in_community(info, ToolTable, pk, NAME)
        if found is None:
            return None
        community, row = found
        await info.context.require_verified(community)
        return (await tool_objects(community, [row]))[0]

    @classmethod
    def from_row(cls, row: dict, people: dict[int, Member], credits_on: bool,
                 open_loan: dict | None = None) -> Tool:
        """Build from a ``toollib_tool`` row, the prefetched people and its open loan."""
        tool = cls(id=to_gid("Tool", row["id"]), name=row["name"],
                   description=row["description"], category=row["category"],
                   deposit=format_centi(row["deposit_centi"]), deposit_applies=credits_on,
                   max_loan_days=row["max_loan_days"], listed=row["listed"],
                   available=row["listed"] and row["current_loan"] is None,
                   created_at=row["created_at"], owner=people.get(row["owner"]), _row=row,
                   _open=None)
        if open_loan is not None:
            tool._open = _loan(open_loan, tool, people)
        return tool

    @strawberry.field(description="The open loan (requested or out): for its owner, its "
                                  "borrower and admins; null for others.")
    async def current_loan(self, info: Info) -> ToolLoan | None:
        if self._open is None:
            return None
        community = await info.context.loaders.community.load(self._row["community"])
        viewer = await info.context.member(community)
        loan = self._open._row
        if viewer is None or not (viewer["id"] in (loan["owner"], loan["borrower"])
                                  or is_admin(viewer)):
            return None
        return self._open


@strawberry.type
class ToolLoan(Node):
    """A request to borrow a tool and, once handed over, the loan: seen by its owner, its
    borrower and admins (`node(id:)` answers null to other members)."""

    status: ToolLoanStatus
    """Where the loan stands."""
    days: int
    """How many days it is for."""
    note: str
    """The borrower's note with the request (empty when none)."""
    requested_at: datetime
    """When it was asked for."""
    lent_at: datetime | None
    """When the owner handed it over (null until then)."""
    due_at: datetime | None
    """When it is due back (null until lent)."""
    closed_at: datetime | None
    """When it was returned, lost, declined or cancelled (null while open)."""
    close_reason: str
    """Why it was declined or lost (empty otherwise)."""
    overdue: bool = strawberry.field(description="Still out after its due date.")
    deposit: Credits
    """Credits held while the tool is out (where credits is on)."""
    deposit_status: ToolDepositStatus
    """Where the deposit stands."""
    tool: Tool
    """The tool."""
    owner: Member | None
    """Who lends it."""
    borrower: Member | None
    """Who borrows it."""
    _row: strawberry.Private[dict]

    @classmethod
    async def load_node(cls, info: Info, pk: int) -> ToolLoan | None:
        """For ``node(id:)``: the rule of ``toolLoans``."""
        found = await node_in_community(info, LoanTable, pk, NAME)
        if found is None:
            return None
        community, row = found
        viewer = await info.context.require_verified(community)
        if viewer["id"] not in (row["owner"], row["borrower"]) and not is_admin(viewer):
            return None
        return (await loan_objects(community, [row]))[0]


def _loan(row: dict, tool: Tool, people: dict[int, Member]) -> ToolLoan:
    return ToolLoan(
        id=to_gid("ToolLoan", row["id"]), status=ToolLoanStatus(row["status"]),
        days=row["days"], note=row["note"], requested_at=row["requested_at"],
        lent_at=row["lent_at"], due_at=row["due_at"], closed_at=row["closed_at"],
        close_reason=row["close_reason"], overdue=service.is_overdue(row),
        deposit=format_centi(row["deposit_centi"]),
        deposit_status=ToolDepositStatus(row["deposit_status"]), tool=tool,
        owner=people.get(row["owner"]), borrower=people.get(row["borrower"]), _row=row)


async def tool_objects(community: dict, rows: list[dict]) -> list[Tool]:
    """Tools with their owners and open loans: two queries for the page, three with loans."""
    open_ids = [r["current_loan"] for r in rows if r["current_loan"] is not None]
    loans = {row["id"]: row for row in await LoanTable.select().where(
        LoanTable.id.is_in(open_ids))} if open_ids else {}
    people = await _people({r["owner"] for r in rows}
                           | {loan["borrower"] for loan in loans.values()})
    credits_on = deposits.credits_on(community)
    return [Tool.from_row(r, people, credits_on, loans.get(r["current_loan"])) for r in rows]


async def loan_objects(community: dict, rows: list[dict]) -> list[ToolLoan]:
    """Loans with their tools and people (two queries for the page). A loan's tool shows
    ``currentLoan`` when that loan is the tool's open one."""
    tools = {t["id"]: t for t in await ToolTable.select().where(
        ToolTable.id.is_in(list({r["tool"] for r in rows}) or [-1]))}
    people = await _people({r[k] for r in rows for k in ("owner", "borrower")}
                           | {t["owner"] for t in tools.values()})
    credits_on = deposits.credits_on(community)
    out = []
    for r in rows:
        tool_row = tools[r["tool"]]
        is_open = tool_row["current_loan"] == r["id"]
        tool = Tool.from_row(tool_row, people, credits_on, r if is_open else None)
        out.append(tool._open if is_open else _loan(r, tool, people))
    return out


# --- inputs and payloads -------------------------------------------------------------


@strawberry.input
class ToolFilter:
    """Narrow the list of tools."""

    category: str | None = None
    available: bool | None = strawberry.field(
        default=None, description="Only tools nobody asked for or has (or, false, only those).")
    search: str | None = strawberry.field(default=None, description="Words in the name.")
    mine: bool | None = strawberry.field(default=None, description="Only tools I lend.")


@strawberry.input
class AddToolInput:
    """List a tool you are willing to lend. ``deposit`` defaults to the community's."""

    community: str
    name: str
    category: str
    description: str = ""
    deposit: Credits | None = None
    max_loan_days: int | None = None


@strawberry.input
class UpdateToolInput:
    """Change your tool; omitted fields stay. ``listed: false`` takes it off the shelf."""

    tool_id: strawberry.ID
    name: str | None = None
    category: str | None = None
    description: str | None = None
    deposit: Credits | None = None
    max_loan_days: int | None = None
    listed: bool | None = None


@strawberry.type
class ToolPayload:
    """The tool after the change."""

    tool: Tool | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class RequestToolLoanInput:
    """Ask to borrow a tool for some days (default: the community's setting)."""

    tool_id: strawberry.ID
    days: int | None = None
    note: str = ""


@strawberry.input
class ToolLoanInput:
    """Which loan."""

    loan_id: strawberry.ID


@strawberry.input
class DeclineToolLoanInput:
    """Say no to a request, optionally saying why."""

    loan_id: strawberry.ID
    reason: str = ""


@strawberry.input
class ExtendToolLoanInput:
    """Give the borrower more days."""

    loan_id: strawberry.ID
    days: int


@strawberry.input
class ReportToolLostInput:
    """The tool did not come back."""

    loan_id: strawberry.ID
    note: str = ""


@strawberry.type
class ToolLoanPayload:
    """The loan after the step."""

    loan: ToolLoan | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


# --- resolvers -------------------------------------------------------------------------


async def _tool_context(info: Info, tool_id: strawberry.ID) -> tuple[dict, dict, int]:
    pk = pk_of(tool_id, "Tool", "toolId")
    row = await ToolTable.select(ToolTable.community).where(ToolTable.id == pk).first()
    if row is None:
        raise not_found("tool", "toolId")
    community = await info.context.loaders.community.load(row["community"])
    info.context.require_plugin(community, NAME)
    return community, await info.context.require_verified(community), pk


async def _loan_context(info: Info, loan_id: strawberry.ID) -> tuple[dict, dict, int]:
    pk = pk_of(loan_id, "ToolLoan", "loanId")
    row = await LoanTable.select(LoanTable.community).where(LoanTable.id == pk).first()
    if row is None:
        raise not_found("loan", "loanId")
    community = await info.context.loaders.community.load(row["community"])
    info.context.require_plugin(community, NAME)
    return community, await info.context.require_verified(community), pk


async def _loan_out(community: dict, loan: dict) -> ToolLoanPayload:
    return ToolLoanPayload(loan=(await loan_objects(community, [loan]))[0])


@strawberry.type
class ToolLibraryQuery:
    """Root query fields of the tool library."""

    @strawberry.field(description="Tools neighbours lend, newest first (verified members; "
                                  "toollib).")
    async def tools(self, info: Info, community: str, filter: ToolFilter | None = None,
                    first: int | None = None, after: str | None = None) -> Connection[Tool]:
        row = await info.context.plugin_community(community, NAME)
        viewer = await info.context.require_verified(row)
        f = filter or ToolFilter()
        size = page_size(first)
        rows = await service.list_tools(row, category=f.category, available=f.available,
                                        owner=viewer["id"] if f.mine else None,
                                        search=f.search, before_id=from_cursor(after),
                                        limit=size + 1)
        tools = {t._row["id"]: t for t in await tool_objects(row, rows[:size])}
        return build_connection(rows, size, lambda r: tools[r["id"]])

    @strawberry.field(description="One tool (verified members; toollib).")
    async def tool(self, info: Info, id: strawberry.ID) -> Tool:
        pk = pk_of(id, "Tool", "id")
        found = await ToolTable.select().where(ToolTable.id == pk).first()
        if found is None:
            raise not_found("tool", "id")
        community = await info.context.loaders.community.load(found["community"])
        info.context.require_plugin(community, NAME)
        await info.context.require_verified(community)
        return (await tool_objects(community, [found]))[0]

    @strawberry.field(description="Loans I borrow or lend (or, for admins, all), newest "
                                  "first (toollib).")
    async def tool_loans(self, info: Info, community: str,
                         role: ToolLoanRole = ToolLoanRole.MINE,
                         status: list[ToolLoanStatus] | None = None, overdue: bool = False,
                         first: int | None = None, after: str | None = None
                         ) -> Connection[ToolLoan]:
        row = await info.context.plugin_community(community, NAME)
        viewer = await info.context.require_verified(row)
        if role == ToolLoanRole.ALL and not is_admin(viewer):
            raise forbidden("Only a community admin can do this.")
        who = {ToolLoanRole.BORROWING: {"borrower": viewer["id"]},
               ToolLoanRole.LENDING: {"owner": viewer["id"]},
               ToolLoanRole.MINE: {"member": viewer["id"]}, ToolLoanRole.ALL: {}}[role]
        size = page_size(first)
        rows = await service.list_loans(row, statuses=[s.value for s in status or []] or None,
                                        overdue=overdue, before_id=from_cursor(after),
                                        limit=size + 1, **who)
        loans = dict(zip([r["id"] for r in rows[:size]],
                         await loan_objects(row, rows[:size]), strict=True))
        return build_connection(rows, size, lambda r: loans[r["id"]])


@strawberry.type
class ToolLibraryMutation:
    """Root mutation fields of the tool library."""

    @strawberry.mutation(description="List a tool you lend (verified members; toollib).")
    @payload(ToolPayload)
    async def add_tool(self, info: Info, input: AddToolInput) -> ToolPayload:
        row = await info.context.plugin_community(input.community, NAME)
        owner = await info.context.require_verified(row)
        tool = await service.add_tool(row, owner, name=input.name, category=input.category,
                                      description=input.description, deposit=input.deposit,
                                      max_loan_days=input.max_loan_days)
        return ToolPayload(tool=(await tool_objects(row, [tool]))[0])

    @strawberry.mutation(description="Change your tool, or take it off the shelf (toollib).")
    @payload(ToolPayload)
    async def update_tool(self, info: Info, input: UpdateToolInput) -> ToolPayload:
        community, actor, pk = await _tool_context(info, input.tool_id)
        tool = await service.update_tool(
            community, actor, pk, name=input.name, category=input.category,
            description=input.description, deposit=input.deposit,
            max_loan_days=input.max_loan_days, listed=input.listed)
        return ToolPayload(tool=(await tool_objects(community, [tool]))[0])

    @strawberry.mutation(description="Ask to borrow a tool; its owner is told (toollib).")
    @payload(ToolLoanPayload)
    async def request_tool_loan(self, info: Info, input: RequestToolLoanInput
                                ) -> ToolLoanPayload:
        community, actor, pk = await _tool_context(info, input.tool_id)
        return await _loan_out(community, await service.request_loan(
            community, actor, pk, days=input.days, note=input.note))

    @strawberry.mutation(description="Hand your tool over: the loan starts and the deposit "
                                     "is held where credits is on (the owner; toollib).")
    @payload(ToolLoanPayload)
    async def lend_tool(self, info: Info, input: ToolLoanInput) -> ToolLoanPayload:
        community, actor, pk = await _loan_context(info, input.loan_id)
        return await _loan_out(community, await service.lend(community, actor, pk))

    @strawberry.mutation(description="Say no to a request (the owner; toollib).")
    @payload(ToolLoanPayload)
    async def decline_tool_loan(self, info: Info, input: DeclineToolLoanInput
                                ) -> ToolLoanPayload:
        community, actor, pk = await _loan_context(info, input.loan_id)
        return await _loan_out(community, await service.decline(community, actor, pk,
                                                                input.reason))

    @strawberry.mutation(description="Withdraw your request (the borrower; toollib).")
    @payload(ToolLoanPayload)
    async def cancel_tool_loan(self, info: Info, input: ToolLoanInput) -> ToolLoanPayload:
        community, actor, pk = await _loan_context(info, input.loan_id)
        return await _loan_out(community, await service.cancel(community, actor, pk))

    @strawberry.mutation(description="Confirm the tool is back; the deposit is returned "
                                     "(the owner or an admin; toollib).")
    @payload(ToolLoanPayload)
    async def return_tool(self, info: Info, input: ToolLoanInput) -> ToolLoanPayload:
        community, actor, pk = await _loan_context(info, input.loan_id)
        return await _loan_out(community, await service.return_tool(community, actor, pk))

    @strawberry.mutation(description="Give the borrower more days (the owner; toollib).")
    @payload(ToolLoanPayload)
    async def extend_tool_loan(self, info: Info, input: ExtendToolLoanInput
                               ) -> ToolLoanPayload:
        community, actor, pk = await _loan_context(info, input.loan_id)
        return await _loan_out(community, await service.extend(community, actor, pk,
                                                               input.days))

    @strawberry.mutation(description="The tool did not come back: the deposit goes to the "
                                     "owner (the owner or an admin; toollib).")
    @payload(ToolLoanPayload)
    async def report_tool_lost(self, info: Info, input: ReportToolLostInput
                               ) -> ToolLoanPayload:
        community, actor, pk = await _loan_context(info, input.loan_id)
        return await _loan_out(community, await service.report_lost(community, actor, pk,
                                                                    input.note))
