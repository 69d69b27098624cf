"""Deposits in credits — only where the community has the credits plugin on.

The tool library does not require credits: every function here first checks
``ctx.enabled("credits")`` and only then imports and calls the credits plugin's service API
(``yizhan.plugins.credits.service``); it never touches the ledger's tables.

The deposit moves from the borrower into the tool library's own system account
``toollib.deposits`` when the tool is handed over, back to the borrower on return, or to the
owner if the tool is lost. Every movement has an idempotency key per loan, so a retry can never
move it twice. If credits is off (or the receiver is at their maximum balance) when the tool
comes back, the loan keeps ``refund_due`` / ``forfeit_due`` and the ``toollib.remind`` sweep
settles it later.
"""

from __future__ import annotations

from yizhan.core.api import EventContext, YizhanError, format_centi, translate

ACCOUNT = "toollib.deposits"
NONE, HELD, REFUNDED, FORFEITED = "none", "held", "refunded", "forfeited"
REFUND_DUE, FORFEIT_DUE = "refund_due", "forfeit_due"
OPEN = (HELD, REFUND_DUE, FORFEIT_DUE)


def credits_on(community: dict) -> bool:
    """True where the credits plugin is installed and on in ``community``."""
    return EventContext(community=community).enabled("credits")


def _credits():
    from yizhan.plugins.credits import service

    return service


def _reason(community: dict, message: str, tool: dict) -> str:
    return translate(message, community.get("locale"), tool=tool["name"])


async def check_cover(community: dict, member_id: int, amount: int, field: str) -> None:
    """Refuse with DEPOSIT_NOT_COVERED unless the member can cover ``amount`` now."""
    standing = await _credits().balance(community, member_id)
    if standing.available < amount:
        raise YizhanError("DEPOSIT_NOT_COVERED",
                          "The borrower cannot cover the deposit of {amount} credits right "
                          "now ({available} available).", field=field,
                          amount=format_centi(amount),
                          available=format_centi(max(standing.available, 0)))


async def hold(community: dict, loan: dict, tool: dict, actor_id: int | None) -> str:
    """Take the loan's deposit from the borrower; the new ``deposit_status``.

    Refused with DEPOSIT_NOT_COVERED when the borrower cannot cover it (nothing moves).
    """
    amount = loan["deposit_centi"]
    if amount <= 0 or not credits_on(community):
        return NONE
    credits = _credits()
    await check_cover(community, loan["borrower"], amount, field="loanId")
    await credits.open_system_account(community, ACCOUNT, owner="toollib",
                                      name="Tool library deposits")
    await credits.charge(community, loan["borrower"], amount, to_code=ACCOUNT,
                         reason=_reason(community, "Deposit for {tool}", tool),
                         key=f"toollib:deposit:{loan['id']}", kind="toollib_deposit",
                         source_kind="toollib.loan", source_id=loan["id"], actor=actor_id)
    return HELD


async def settle(community: dict, loan: dict, tool: dict, *, lost: bool) -> str:
    """Give a held deposit back to the borrower (or, ``lost``, to the owner); the new status.

    Returns ``refund_due`` / ``forfeit_due`` when it cannot move now (credits off, or the
    receiver at their maximum balance); nothing is refused, so a tool can always come back.
    """
    status = loan["deposit_status"]
    if status not in OPEN:
        return status
    due, done = (FORFEIT_DUE, FORFEITED) if lost else (REFUND_DUE, REFUNDED)
    if not credits_on(community):
        return due
    credits = _credits()
    receiver = loan["owner"] if lost else loan["borrower"]
    amount = loan["deposit_centi"]
    if (await credits.balance(community, receiver)).room < amount:
        return due
    message = "Deposit for {tool} paid to the owner" if lost else "Deposit for {tool} returned"
    await credits.transfer(community, ACCOUNT, credits.member_code(receiver), amount,
                           kind="toollib_forfeit" if lost else "toollib_refund",
                           reason=_reason(community, message, tool),
                           key=f"toollib:{'forfeit' if lost else 'refund'}:{loan['id']}",
                           source_kind="toollib.loan", source_id=loan["id"])
    return done
