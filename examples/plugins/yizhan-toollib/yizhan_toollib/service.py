"""The tool library's logic and service API (no GraphQL here).

Tools are lent by their owners. A loan's life::

    requested ──lend──▶ out ──return──▶ returned
        │                 └──report lost──▶ lost
        ├──decline──▶ declined      (by the owner)
        └──cancel───▶ cancelled     (by the borrower)

Every step is one transaction and one conditional update (``WHERE status = …``), so two people
racing cannot both win; a tool has at most one open loan (requested or out), claimed with a
conditional update on the tool. Other plugins may call :func:`get_tool`, :func:`list_tools`,
:func:`get_loan` and :func:`list_loans` after checking ``ctx.enabled("toollib")``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from yizhan.core.api import (
    YizhanError,
    atomic,
    credits_to_centi,
    forbidden,
    invalid,
    is_admin,
    members_by_id,
    not_found,
    notify,
    now,
    plugin_settings,
    publish,
    to_gid,
)

from yizhan_toollib import NAME, deposits
from yizhan_toollib.settings import ToolLibrarySettings, centi
from yizhan_toollib.tables import Loan, Tool

REQUESTED, OUT, RETURNED, LOST, DECLINED, CANCELLED = (
    "requested", "out", "returned", "lost", "declined", "cancelled")
STATUSES = (REQUESTED, OUT, RETURNED, LOST, DECLINED, CANCELLED)
OPEN = (REQUESTED, OUT)


def settings(community: dict) -> ToolLibrarySettings:
    """The community's tool library settings."""
    return plugin_settings(community["id"], NAME)


# --- checks ----------------------------------------------------------------------------


def _text(value: str | None, field: str, max_length: int, required: bool = True) -> str:
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise invalid(field, "This field cannot be empty.", code="REQUIRED")
    if len(cleaned) > max_length:
        raise invalid(field, "Too long: at most {max} characters.", code="TOO_LONG",
                      max=max_length)
    return cleaned


def _category(value: str | None) -> str:
    cleaned = (value or "").strip().lower()
    if not cleaned or len(cleaned) > 40 or not all(c.isalnum() or c in "-_" for c in cleaned):
        raise invalid("category", "Use one word of letters, digits, - or _ (like drill).",
                      code="INVALID_CATEGORY")
    return cleaned


def _deposit(community: dict, value: Any) -> int:
    limit = settings(community).max_deposit
    amount = credits_to_centi(value, "deposit", maximum=10_000_00)
    if amount > centi(limit):
        raise invalid("deposit", "A deposit may be at most {max} credits.",
                      code="DEPOSIT_TOO_HIGH", max=str(limit))
    return amount


def _days(community: dict, value: int | None, field: str, ceiling: int | None = None) -> int:
    config = settings(community)
    days = config.default_loan_days if value is None else value
    most = min(config.max_loan_days, ceiling or config.max_loan_days)
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= most:
        raise invalid(field, "Choose 1 to {max} days.", code="OUT_OF_RANGE", max=most)
    return days


def _verified(member: dict | None) -> dict:
    if member is None or member.get("status") != "verified":
        raise YizhanError("NOT_VERIFIED", "Only verified members can do this.",
                          kind="permission")
    return member


# --- tools -----------------------------------------------------------------------------


async def get_tool(community: dict, tool_id: int, field: str = "toolId") -> dict:
    """A tool of ``community``, or NOT_FOUND."""
    row = await Tool.select().where(
        (Tool.id == tool_id) & (Tool.community == community["id"])).first()
    if row is None:
        raise not_found("tool", field)
    return row


async def add_tool(community: dict, owner: dict, *, name: str, category: str,
                   description: str = "", deposit: Any = None,
                   max_loan_days: int | None = None) -> dict:
    """List a tool ``owner`` lends; the deposit defaults to the community's setting."""
    _verified(owner)
    values = dict(
        community=community["id"], owner=owner["id"], name=_text(name, "name", 80),
        category=_category(category),
        description=_text(description, "description", 1000, required=False),
        deposit_centi=centi(settings(community).default_deposit) if deposit is None
        else _deposit(community, deposit),
        max_loan_days=_days(community, settings(community).max_loan_days
                            if max_loan_days is None else max_loan_days, "maxLoanDays"),
        listed=True, created_at=now(),
    )
    async with atomic():
        return (await Tool.insert(Tool(**values)).returning(*Tool.all_columns()))[0]


async def update_tool(community: dict, actor: dict, tool_id: int, *, name: str | None = None,
                      category: str | None = None, description: str | None = None,
                      deposit: Any = None, max_loan_days: int | None = None,
                      listed: bool | None = None) -> dict:
    """Change a tool (its owner or an admin). Taking it off the shelf (``listed=False``)
    stops new requests; a loan already open goes on."""
    values: dict[Any, Any] = {}
    if name is not None:
        values[Tool.name] = _text(name, "name", 80)
    if category is not None:
        values[Tool.category] = _category(category)
    if description is not None:
        values[Tool.description] = _text(description, "description", 1000, required=False)
    if deposit is not None:
        values[Tool.deposit_centi] = _deposit(community, deposit)
    if max_loan_days is not None:
        values[Tool.max_loan_days] = _days(community, max_loan_days, "maxLoanDays")
    if listed is not None:
        values[Tool.listed] = listed
    async with atomic():
        tool = await get_tool(community, tool_id)
        if actor["id"] != tool["owner"] and not is_admin(actor):
            raise forbidden("Only the owner of the tool can do this.")
        if values:
            await Tool.update(values).where(Tool.id == tool["id"])
        return await get_tool(community, tool_id)


async def list_tools(community: dict, *, category: str | None = None,
                     available: bool | None = None, owner: int | None = None,
                     search: str | None = None, before_id: int | None = None,
                     limit: int = 20) -> list[dict]:
    """Listed tools of the community, newest first; ``available`` keeps those nobody asked
    for or has; ``search`` looks in the names."""
    query = Tool.select().where((Tool.community == community["id"]) & (Tool.listed == True))  # noqa: E712
    if category:
        query = query.where(Tool.category == category.strip().lower())
    if available is True:
        query = query.where(Tool.current_loan.is_null())
    elif available is False:
        query = query.where(Tool.current_loan.is_not_null())
    if owner is not None:
        query = query.where(Tool.owner == owner)
    if search and search.strip():
        query = query.where(Tool.name.ilike(f"%{search.strip()}%"))
    if before_id is not None:
        query = query.where(Tool.id < before_id)
    return await query.order_by(Tool.id, ascending=False).limit(limit)


# --- loans -----------------------------------------------------------------------------


async def get_loan(community: dict, loan_id: int, field: str = "loanId") -> dict:
    """A loan of ``community``, or NOT_FOUND."""
    row = await Loan.select().where(
        (Loan.id == loan_id) & (Loan.community == community["id"])).first()
    if row is None:
        raise not_found("loan", field)
    return row


async def list_loans(community: dict, *, member: int | None = None,
                     borrower: int | None = None, owner: int | None = None,
                     statuses: list[str] | None = None, overdue: bool = False,
                     before_id: int | None = None, limit: int = 20) -> list[dict]:
    """Loans of the community, newest first: where ``member`` borrows or lends, or by
    ``borrower`` / ``owner``; ``overdue`` keeps loans out past their due date."""
    query = Loan.select().where(Loan.community == community["id"])
    if member is not None:
        query = query.where((Loan.borrower == member) | (Loan.owner == member))
    if borrower is not None:
        query = query.where(Loan.borrower == borrower)
    if owner is not None:
        query = query.where(Loan.owner == owner)
    if statuses:
        bad = [s for s in statuses if s not in STATUSES]
        if bad:
            raise invalid("status", "Unknown status {status}.", code="INVALID_STATUS",
                          status=bad[0])
        query = query.where(Loan.status.is_in(statuses))
    if overdue:
        query = query.where((Loan.status == OUT) & (Loan.due_at < now()))
    if before_id is not None:
        query = query.where(Loan.id < before_id)
    return await query.order_by(Loan.id, ascending=False).limit(limit)


def is_overdue(loan: dict, at: datetime | None = None) -> bool:
    """True for a loan still out after its due date."""
    return loan["status"] == OUT and loan["due_at"] is not None and loan["due_at"] < (
        at or now())


async def display_names(*member_ids: int) -> dict[int, str]:
    """Members' display names by id (one query)."""
    return {r["id"]: r["display_name"] for r in await members_by_id(member_ids)}


def local_time(community: dict, when: datetime) -> str:
    """``when`` as ``YYYY-MM-DD HH:MM`` in the community's time zone, for messages."""
    return when.astimezone(ZoneInfo(community["time_zone"])).strftime("%Y-%m-%d %H:%M")


async def publish_loan(community: dict, kind: str, loan: dict) -> None:
    """Tell the outbox (subscriptions, webhooks) after commit — global ids in the payload."""
    await publish(community["id"], kind, {
        "loan": to_gid("ToolLoan", loan["id"]), "tool": to_gid("Tool", loan["tool"]),
        "borrower": to_gid("Member", loan["borrower"]),
        "owner": to_gid("Member", loan["owner"]), "status": loan["status"],
        "dueAt": loan["due_at"].isoformat() if loan["due_at"] else None,
    })


async def request_loan(community: dict, borrower: dict, tool_id: int, *,
                       days: int | None = None, note: str = "") -> dict:
    """Ask to borrow a tool for ``days``; its owner is told. The deposit is the tool's."""
    _verified(borrower)
    note = _text(note, "note", 500, required=False)
    async with atomic():
        tool = await get_tool(community, tool_id)
        days = _days(community, days, "days", ceiling=tool["max_loan_days"])
        if tool["owner"] == borrower["id"]:
            raise YizhanError("OWN_TOOL", "You cannot borrow your own tool.", field="toolId")
        if not tool["listed"] or tool["current_loan"] is not None:
            raise YizhanError("TOOL_NOT_AVAILABLE", "This tool is not available right now.",
                              field="toolId")
        limit = settings(community).max_open_loans
        if await Loan.count().where((Loan.borrower == borrower["id"])
                                    & Loan.status.is_in(list(OPEN))) >= limit:
            raise YizhanError("TOO_MANY_LOANS",
                              "You already have {max} tools requested or borrowed.",
                              field="toolId", max=limit)
        if deposits.credits_on(community) and tool["deposit_centi"] > 0:
            await deposits.check_cover(community, borrower["id"], tool["deposit_centi"],
                                       field="toolId")
        loan = (await Loan.insert(Loan(
            community=community["id"], tool=tool["id"], owner=tool["owner"],
            borrower=borrower["id"], status=REQUESTED, days=days, note=note,
            requested_at=now(), deposit_centi=tool["deposit_centi"], deposit_status="none",
        )).returning(*Loan.all_columns()))[0]
        claimed = await Tool.update({Tool.current_loan: loan["id"]}).where(
            (Tool.id == tool["id"]) & Tool.current_loan.is_null() & (Tool.listed == True)  # noqa: E712
        ).returning(Tool.id)
        if not claimed:  # someone else asked a moment earlier
            raise YizhanError("TOOL_NOT_AVAILABLE", "This tool is not available right now.",
                              field="toolId")
        names = await display_names(borrower["id"])
        await notify(community["id"], tool["owner"], "toollib.requested",
                     "Someone wants to borrow your tool",
                     "{borrower} would like to borrow \u201c{tool}\u201d for {days} days.",
                     borrower=names.get(borrower["id"], ""), tool=tool["name"], days=days)
        await publish_loan(community, "toollib.loan_requested", loan)
    return loan


def _refuse(loan: dict, action: str) -> YizhanError:
    return YizhanError("INVALID_LOAN_STATE", "A loan that is {status} cannot be {action}.",
                       field="loanId", status=loan["status"], action=action,
                       _translate=("status", "action"))


async def _step(community: dict, loan: dict, action: str, from_status: str,
                values: dict[Any, Any]) -> dict:
    """Move ``loan`` out of ``from_status`` in one conditional update, or refuse."""
    if loan["status"] != from_status:
        raise _refuse(loan, action)
    moved = await Loan.update(values).where(
        (Loan.id == loan["id"]) & (Loan.status == from_status)).returning(Loan.id)
    if not moved:
        raise _refuse(await get_loan(community, loan["id"]), action)
    return await get_loan(community, loan["id"])


def _owner_or_admin(actor: dict, loan: dict) -> None:
    if actor["id"] != loan["owner"] and not is_admin(actor):
        raise forbidden("Only the owner of the tool can do this.")


async def _free(tool_id: int, loan_id: int) -> None:
    await Tool.update({Tool.current_loan: None}).where(
        (Tool.id == tool_id) & (Tool.current_loan == loan_id))


async def lend(community: dict, actor: dict, loan_id: int) -> dict:
    """The owner hands the tool over: the loan starts, due in its ``days``; the deposit is
    taken from the borrower where credits is on."""
    async with atomic():
        loan = await get_loan(community, loan_id)
        if actor["id"] != loan["owner"]:
            raise forbidden("Only the owner of the tool can do this.")
        tool = await get_tool(community, loan["tool"])
        start = now()
        loan = await _step(community, loan, "lent", REQUESTED, {
            Loan.status: OUT, Loan.lent_at: start,
            Loan.due_at: start + timedelta(days=loan["days"])})
        held = await deposits.hold(community, loan, tool, actor["id"])
        if held != loan["deposit_status"]:
            await Loan.update({Loan.deposit_status: held}).where(Loan.id == loan["id"])
            loan["deposit_status"] = held
        names = await display_names(loan["owner"])
        await notify(community["id"], loan["borrower"], "toollib.lent", "Tool handed over",
                     "You borrowed \u201c{tool}\u201d from {owner}. Please bring it back by "
                     "{due}.", tool=tool["name"], owner=names.get(loan["owner"], ""),
                     due=local_time(community, loan["due_at"]))
        await publish_loan(community, "toollib.loan_started", loan)
    return loan


async def decline(community: dict, actor: dict, loan_id: int, reason: str = "") -> dict:
    """The owner says no to a request."""
    reason = _text(reason, "reason", 500, required=False)
    async with atomic():
        loan = await get_loan(community, loan_id)
        if actor["id"] != loan["owner"]:
            raise forbidden("Only the owner of the tool can do this.")
        tool = await get_tool(community, loan["tool"])
        loan = await _step(community, loan, "declined", REQUESTED, {
            Loan.status: DECLINED, Loan.closed_at: now(), Loan.close_reason: reason})
        await _free(tool["id"], loan["id"])
        names = await display_names(loan["owner"])
        await notify(community["id"], loan["borrower"], "toollib.declined",
                     "Loan request declined", "{owner} cannot lend \u201c{tool}\u201d now.",
                     owner=names.get(loan["owner"], ""), tool=tool["name"])
        await publish_loan(community, "toollib.loan_declined", loan)
    return loan


async def cancel(community: dict, actor: dict, loan_id: int) -> dict:
    """The borrower withdraws a request the owner has not answered yet."""
    async with atomic():
        loan = await get_loan(community, loan_id)
        if actor["id"] != loan["borrower"]:
            raise forbidden("Only the borrower can do this.")
        tool = await get_tool(community, loan["tool"])
        loan = await _step(community, loan, "cancelled", REQUESTED, {
            Loan.status: CANCELLED, Loan.closed_at: now()})
        await _free(tool["id"], loan["id"])
        names = await display_names(loan["borrower"])
        await notify(community["id"], loan["owner"], "toollib.cancelled",
                     "Loan request withdrawn",
                     "{borrower} no longer needs \u201c{tool}\u201d.",
                     borrower=names.get(loan["borrower"], ""), tool=tool["name"])
        await publish_loan(community, "toollib.loan_cancelled", loan)
    return loan


async def _close(community: dict, actor: dict, loan_id: int, *, lost: bool,
                 note: str = "") -> dict:
    async with atomic():
        loan = await get_loan(community, loan_id)
        _owner_or_admin(actor, loan)
        tool = await get_tool(community, loan["tool"])
        loan = await _step(community, loan, "reported lost" if lost else "returned", OUT, {
            Loan.status: LOST if lost else RETURNED, Loan.closed_at: now(),
            Loan.close_reason: note})
        await _free(tool["id"], loan["id"])
        if lost:
            await Tool.update({Tool.listed: False}).where(Tool.id == tool["id"])
        settled = await deposits.settle(community, loan, tool, lost=lost)
        if settled != loan["deposit_status"]:
            await Loan.update({Loan.deposit_status: settled}).where(Loan.id == loan["id"])
            loan["deposit_status"] = settled
        names = await display_names(loan["owner"])
        if lost:
            await notify(community["id"], loan["borrower"], "toollib.lost",
                         "Tool reported lost", "{owner} reported \u201c{tool}\u201d as lost.",
                         owner=names.get(loan["owner"], ""), tool=tool["name"])
        else:
            await notify(community["id"], loan["borrower"], "toollib.returned",
                         "Tool returned",
                         "{owner} confirmed that \u201c{tool}\u201d is back. Thank you!",
                         owner=names.get(loan["owner"], ""), tool=tool["name"])
        await publish_loan(community, "toollib.loan_lost" if lost else "toollib.loan_returned",
                         loan)
    return loan


async def return_tool(community: dict, actor: dict, loan_id: int) -> dict:
    """The owner (or an admin) confirms the tool is back; the deposit goes back."""
    return await _close(community, actor, loan_id, lost=False)


async def report_lost(community: dict, actor: dict, loan_id: int, note: str = "") -> dict:
    """The owner (or an admin) reports the tool lost; the deposit goes to the owner and the
    tool leaves the shelf."""
    return await _close(community, actor, loan_id, lost=True,
                        note=_text(note, "note", 500, required=False))


async def extend(community: dict, actor: dict, loan_id: int, days: int) -> dict:
    """The owner gives the borrower ``days`` more (reminders start again)."""
    days = _days(community, days, "days")
    async with atomic():
        loan = await get_loan(community, loan_id)
        if actor["id"] != loan["owner"]:
            raise forbidden("Only the owner of the tool can do this.")
        tool = await get_tool(community, loan["tool"])
        loan = await _step(community, loan, "extended", OUT, {
            Loan.due_at: loan["due_at"] + timedelta(days=days), Loan.days: loan["days"] + days,
            Loan.reminded_before_at: None, Loan.reminded_due_at: None})
        await notify(community["id"], loan["borrower"], "toollib.extended", "Loan extended",
                     "You may keep \u201c{tool}\u201d until {due}.", tool=tool["name"],
                     due=local_time(community, loan["due_at"]))
    return loan
