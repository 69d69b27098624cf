"""The ``toollib.remind`` sweep: due-date reminders, and deposits that could not move yet.

Idempotent: each reminder is sent once per loan (``reminded_before_at`` / ``reminded_due_at``,
claimed with a conditional update, so two processes never send it twice); a deposit left
``refund_due`` / ``forfeit_due`` is settled once credits can move it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from yizhan.core.api import atomic, get_community_by_id, notify, plugin_enabled

from yizhan_toollib import NAME, deposits, service
from yizhan_toollib.tables import Loan, Tool

#: The furthest ahead a "due soon" reminder can be (the setting's maximum).
LOOKAHEAD = timedelta(hours=7 * 24)


async def run(now: datetime) -> int:
    """Send the reminders that are due and settle waiting deposits; how many things done."""
    return await remind(now) + await settle_deposits()


async def _context(cache: dict[int, dict], community_id: int) -> dict | None:
    """The community row, or None where the tool library is off."""
    if not plugin_enabled(community_id, NAME):
        return None
    if community_id not in cache:
        cache[community_id] = await get_community_by_id(community_id)
    return cache[community_id]


async def remind(now: datetime) -> int:
    """"Due soon" before the due date, "due now" at it (borrower and owner), once each."""
    loans = await Loan.select().where(
        (Loan.status == service.OUT) & Loan.reminded_due_at.is_null()
        & (Loan.due_at <= now + LOOKAHEAD)).order_by(Loan.due_at).limit(500)
    communities: dict[int, dict] = {}
    sent = 0
    for loan in loans:
        community = await _context(communities, loan["community"])
        if community is None:
            continue
        before = timedelta(hours=service.settings(community).remind_before_hours)
        if loan["due_at"] <= now:
            sent += await _due_now(community, loan, now)
        elif before and loan["reminded_before_at"] is None and loan["due_at"] - before <= now:
            sent += await _due_soon(community, loan, now)
    return sent


async def _claim(loan: dict, column, now: datetime) -> bool:
    return bool(await Loan.update({column: now}).where(
        (Loan.id == loan["id"]) & (Loan.status == service.OUT) & column.is_null()
    ).returning(Loan.id))


async def _tool_and_names(loan: dict) -> tuple[dict, dict[int, str]]:
    tool = await Tool.select().where(Tool.id == loan["tool"]).first()
    return tool, await service.display_names(loan["owner"], loan["borrower"])


async def _due_soon(community: dict, loan: dict, now: datetime) -> int:
    async with atomic():
        if not await _claim(loan, Loan.reminded_before_at, now):
            return 0
        tool, names = await _tool_and_names(loan)
        await notify(community["id"], loan["borrower"], "toollib.due_soon", "Tool due soon",
                     "Please bring \u201c{tool}\u201d back to {owner} by {due}.",
                     tool=tool["name"], owner=names.get(loan["owner"], ""),
                     due=service.local_time(community, loan["due_at"]))
    return 1


async def _due_now(community: dict, loan: dict, now: datetime) -> int:
    async with atomic():
        if not await _claim(loan, Loan.reminded_due_at, now):
            return 0
        tool, names = await _tool_and_names(loan)
        due = service.local_time(community, loan["due_at"])
        await notify(community["id"], loan["borrower"], "toollib.due", "Tool due back",
                     "\u201c{tool}\u201d is due back to {owner} now ({due}).",
                     tool=tool["name"], owner=names.get(loan["owner"], ""), due=due)
        await notify(community["id"], loan["owner"], "toollib.overdue", "Tool due back",
                     "\u201c{tool}\u201d lent to {borrower} was due back at {due}.",
                     tool=tool["name"], borrower=names.get(loan["borrower"], ""), due=due)
        await service.publish_loan(community, "toollib.loan_due", loan)
    return 1


async def settle_deposits() -> int:
    """Move deposits left waiting (credits was off, or the receiver was full)."""
    waiting = await Loan.select().where(
        Loan.deposit_status.is_in([deposits.REFUND_DUE, deposits.FORFEIT_DUE])).limit(500)
    communities: dict[int, dict] = {}
    settled = 0
    for loan in waiting:
        community = await _context(communities, loan["community"])
        if community is None or not deposits.credits_on(community):
            continue
        async with atomic():
            fresh = await Loan.select().where(Loan.id == loan["id"]).first()
            tool = await Tool.select().where(Tool.id == loan["tool"]).first()
            status = await deposits.settle(community, fresh, tool,
                                           lost=fresh["deposit_status"] == deposits.FORFEIT_DUE)
            if status == fresh["deposit_status"]:
                continue
            done = await Loan.update({Loan.deposit_status: status}).where(
                (Loan.id == loan["id"]) & (Loan.deposit_status == fresh["deposit_status"])
            ).returning(Loan.id)
            settled += bool(done)
    return settled
