"""The credits service API: what other plugins (merchants, events, disputes …) call.

Every function takes the community row (``ctx.community`` in a hook), works inside the caller's
transaction when there is one (:func:`yizhan.core.api.atomic` joins it), and refuses with a
``YizhanError`` whose code is documented in ``docs/api.md``. Amounts are integer hundredths.
Every posting function takes an idempotency ``key`` unique in the community: calling again with
the same key returns the first transaction (``Posted.replayed``) and moves nothing.

Declare ``requires=("credits",)`` in your ``PluginSpec`` (or check ``ctx.enabled("credits")``)
before calling.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from yizhan.core.api import YizhanError, atomic, plugin_disabled, plugin_enabled
from yizhan.plugins.credits import NAME, accounts, errors, ledger, lots, warnings
from yizhan.plugins.credits.accounts import (
    COMMUNITY_FUND,
    COMPENSATION_FUND,
    EXPIRED,
    ISSUANCE,
    LEADER_POOL,
    VOUCHER_RESERVE,
    member_code,
)
from yizhan.plugins.credits.ledger import Line, Posted
from yizhan.plugins.credits.standing import Standing
from yizhan.plugins.credits.tables import CreditTransaction

__all__ = [
    "COMMUNITY_FUND", "COMPENSATION_FUND", "EXPIRED", "ISSUANCE", "LEADER_POOL",
    "VOUCHER_RESERVE", "Balance", "Posted", "account_balance", "award", "balance", "charge",
    "member_code", "open_system_account", "redeem_card_into", "require_enabled", "reverse",
    "Standing", "transfer", "transfer_between_members",
]


@dataclass(frozen=True)
class Balance(Standing):
    """A member's standing (amounts in hundredths) and the warnings near their limits. The
    numbers are defined once, in :mod:`yizhan.plugins.credits.standing`: ``spendable`` (own
    credits: what shops take), ``headroom`` (what may still be committed for help, the credit
    limit included; ``available`` is the same number), ``room``."""

    warnings: tuple[str, ...] = ()

    @property
    def available(self) -> int:
        """Credits the member may still commit for help (= :attr:`headroom`)."""
        return self.headroom


def require_enabled(community: dict) -> None:
    """Refuse with PLUGIN_DISABLED where credits is off in ``community``."""
    if not plugin_enabled(community["id"], NAME):
        raise plugin_disabled(NAME)


def _positive(amount: int, field: str = "amount") -> int:
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise TypeError("amounts are integer hundredths")
    if amount <= 0:
        raise errors.zero_amount(field)
    return amount


async def balance(community: dict, member_id: int) -> Balance:
    """A member's balance, holds, limits and warnings (zeros before their first posting)."""
    settings = ledger.settings_of(community["id"])
    row = await accounts.get_by_code(community["id"], member_code(member_id))
    amounts = (row["balance_centi"], row["held_centi"], row["incoming_centi"]) if row else (
        0, 0, 0)
    limits = accounts.limits_of({"kind": accounts.MEMBER}, settings)
    return Balance(*amounts, credit_limit=-(limits.floor or 0),
                   max_balance=limits.maximum or 0,
                   warnings=tuple(warnings.warnings_for(*amounts, settings)))


async def account_balance(community: dict, code: str) -> int:
    """The balance of the account ``code`` (a system account or ``member:<id>``)."""
    return (await accounts.require(community["id"], code))["balance_centi"]


async def open_system_account(community: dict, code: str, *, owner: str, name: str = "",
                              allow_negative: bool = False) -> dict:
    """Open (or return) the plugin-owned system account ``<owner>.<name>``, e.g.
    ``merchants.settlement``. Returns the account row."""
    require_enabled(community)
    async with atomic():
        return await accounts.system_account(community["id"], code, name, owner,
                                             allow_negative)


async def transfer(community: dict, from_code: str, to_code: str, amount: int, *, kind: str,
                   reason: str, key: str, source_kind: str = "", source_id: str | int = "",
                   actor: int | None = None) -> Posted:
    """Move ``amount`` between two accounts (by code), within their limits, idempotently."""
    require_enabled(community)
    _positive(amount)
    if from_code == to_code:
        raise YizhanError("SAME_ACCOUNT", "Choose two different accounts.", field="to")
    async with atomic():
        source = await _account(community, from_code, "from")
        target = await _account(community, to_code, "to")
        return await ledger.post(community, [Line(source, -amount), Line(target, amount)],
                                 kind=kind, reason=reason, key=key, source_kind=source_kind,
                                 source_id=source_id, actor=actor)


async def _account(community: dict, code: str, field: str) -> dict:
    if code.startswith("member:"):
        try:
            member_id = int(code.split(":", 1)[1])
        except ValueError:
            raise errors.unknown_account(code, field) from None
        return await accounts.member_account(community["id"], member_id)
    return await accounts.require(community["id"], code, field)


async def award(community: dict, member_id: int, amount: int, *, reason: str, key: str,
                from_code: str = ISSUANCE, kind: str = "award", source_kind: str = "",
                source_id: str | int = "", actor: int | None = None) -> Posted:
    """Credit a member from a system account (issuance by default): an event's referral bonus,
    a dispute's compensation (``from_code=COMPENSATION_FUND``)."""
    return await transfer(community, from_code, member_code(member_id), amount, kind=kind,
                          reason=reason, key=key, source_kind=source_kind,
                          source_id=source_id, actor=actor)


async def charge(community: dict, member_id: int, amount: int, *, to_code: str, reason: str,
                 key: str, kind: str = "charge", source_kind: str = "",
                 source_id: str | int = "", actor: int | None = None) -> Posted:
    """Debit a member into a system account (``merchants.settlement`` for a purchase), within
    the member's credit limit."""
    return await transfer(community, member_code(member_id), to_code, amount, kind=kind,
                          reason=reason, key=key, source_kind=source_kind,
                          source_id=source_id, actor=actor)


async def transfer_between_members(community: dict, from_member: int, to_member: int,
                                   amount: int, *, note: str, key: str) -> Posted:
    """A member sends credits to another (only where ``transfers_enabled``)."""
    require_enabled(community)
    if not ledger.settings_of(community["id"]).transfers_enabled:
        raise YizhanError("TRANSFERS_DISABLED",
                          "Sending credits to other members is not enabled in this community.")
    if from_member == to_member:
        raise YizhanError("SAME_ACCOUNT", "You cannot send credits to yourself.",
                          field="toMemberId")
    return await transfer(community, member_code(from_member), member_code(to_member), amount,
                          kind="transfer", reason=note or "Transfer", key=key,
                          source_kind="member", source_id=from_member, actor=from_member)


async def reverse(community: dict, transaction_id: int, *, reason: str,
                  actor: int | None = None, key: str | None = None) -> Posted:
    """Correct a mistake: post the opposite of a transaction (within the limits). A
    transaction is reversed at most once (ALREADY_REVERSED; with the same explicit ``key`` a
    retry returns the reversal); a reversal itself cannot be reversed."""
    require_enabled(community)
    async with atomic():
        original = await CreditTransaction.select().where(
            (CreditTransaction.community == community["id"])
            & (CreditTransaction.id == transaction_id)).first()
        if original is None:
            raise YizhanError("NOT_FOUND", "No such {what}.", field="transactionId",
                              kind="not_found", what="transaction")
        if original["kind"] == "reversal":
            raise YizhanError("CANNOT_REVERSE", "A reversal cannot itself be reversed.",
                              field="transactionId")
        earlier = await ledger.find_by_key(community["id"], key) if key else None
        key = key or f"reversal:{transaction_id}"
        if earlier is None and await CreditTransaction.exists().where(
                (CreditTransaction.community == community["id"])
                & (CreditTransaction.reverses == transaction_id)):
            raise YizhanError("ALREADY_REVERSED", "This transaction was already reversed.",
                              field="transactionId")
        postings = await ledger.postings_of(transaction_id)
        lines = []
        for posting in postings:
            account = await accounts.get_by_id(community["id"], posting["account"])
            lines.append(Line(account, -posting["amount_centi"]))
        return await ledger.post(community, lines, kind="reversal", reason=reason or (
            f"Reversal of #{original['seq']}"), key=key, source_kind="transaction",
            source_id=transaction_id, actor=actor, reverses=transaction_id)


async def expiring(community: dict, member_id: int) -> list[tuple[datetime, int]]:
    """When a member's credits expire: ``(expires_at, amount)`` pairs, soonest first."""
    row = await accounts.get_by_code(community["id"], member_code(member_id))
    if row is None:
        return []
    out: dict[datetime, int] = {}
    for lot in await lots.open_lots(row["id"]):
        out[lot["expires_at"]] = out.get(lot["expires_at"], 0) + lot["remaining_centi"]
    return sorted(out.items())


async def redeem_card_into(community: dict, text: str, to_code: str, *, actor: dict,
                           redeemed_for: str, then=None) -> tuple[dict, Posted]:
    """Redeem an experience card (code typed or its QR payload) into the system account
    ``to_code`` — a shop taking it at the till for goods — on behalf of its holder, who needs
    no account. The card's credits come from the voucher reserve. A card is redeemable once in
    all (VOUCHER_ALREADY_REDEEMED the second time, whichever way); ``actor``'s wrong codes are
    counted (VOUCHER_RATE_LIMITED). ``then(card, payment)`` (async) runs inside the
    redemption's database transaction: the caller's own record. Returns (the card, the
    payment)."""
    from yizhan.plugins.credits import vouchers

    require_enabled(community)
    target = await accounts.require(community["id"], to_code, "merchantId")
    return await vouchers.redeem_for(community, text, target, actor=actor,
                                     redeemed_for=redeemed_for,
                                     hint={"field": "code", "payee_is_actor": False},
                                     then=then)


async def card_and_seq(voucher_id: int, transaction_id: int | None) -> tuple[str, int | None]:
    """A redeemed card's code and its payment's place in the chain, for a plugin's record of
    the redemption (``""`` / None when either is gone)."""
    from yizhan.plugins.credits.tables import CreditVoucher

    card = await CreditVoucher.select(CreditVoucher.code).where(
        CreditVoucher.id == voucher_id).first()
    tx = None
    if transaction_id is not None:
        tx = await CreditTransaction.select(CreditTransaction.seq).where(
            CreditTransaction.id == transaction_id).first()
    return (card["code"] if card else ""), (tx["seq"] if tx else None)
