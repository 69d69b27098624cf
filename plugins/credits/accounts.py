"""Accounts: one per member per community, and the community's system accounts.

Member accounts are opened the first time they are needed; system accounts when credits is
switched on in a community (and by other plugins through the service API).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from yizhan.core.api import YizhanError, now
from yizhan.plugins.credits import errors
from yizhan.plugins.credits.settings import CreditsSettings, centi
from yizhan.plugins.credits.tables import CreditAccount

ISSUANCE = "issuance"
COMMUNITY_FUND = "community_fund"
VOUCHER_RESERVE = "voucher_reserve"
COMPENSATION_FUND = "compensation_fund"
LEADER_POOL = "leader_pool"
EXPIRED = "expired"

#: The built-in system accounts: code -> (name, may go below zero).
SYSTEM_ACCOUNTS: dict[str, tuple[str, bool]] = {
    ISSUANCE: ("Issuance", True),
    COMMUNITY_FUND: ("Community fund", False),
    VOUCHER_RESERVE: ("Voucher reserve", False),
    COMPENSATION_FUND: ("Compensation fund", False),
    LEADER_POOL: ("Leader pool", False),
    EXPIRED: ("Expired credits", False),
}
MEMBER, SYSTEM = "member", "system"
SYSTEM_CODE = re.compile(r"^[a-z][a-z0-9_]{1,30}(\.[a-z][a-z0-9_]{1,40})?$")


def member_code(member_id: int) -> str:
    """The account code of a member: ``member:<id>``."""
    return f"member:{member_id}"


@dataclass(frozen=True)
class Limits:
    """The bounds of an account: the lowest ``balance - held`` and the highest
    ``balance + incoming`` (None: unbounded)."""

    floor: int | None
    maximum: int | None


def limits_of(account: dict, settings: CreditsSettings) -> Limits:
    """A member's limits come from the community's settings; a system account may not go below
    zero unless it allows it; nothing caps a system account."""
    if account["kind"] == MEMBER:
        return Limits(-centi(settings.credit_limit), centi(settings.max_balance))
    return Limits(None if account["allow_negative"] else 0, None)


async def get_by_code(community_id: int, code: str) -> dict | None:
    """The account with ``code`` in the community, or None."""
    return await CreditAccount.select().where(
        (CreditAccount.community == community_id) & (CreditAccount.code == code)).first()


async def require(community_id: int, code: str, field: str | None = "account") -> dict:
    """The account with ``code``, or UNKNOWN_ACCOUNT."""
    row = await get_by_code(community_id, code)
    if row is None:
        raise errors.unknown_account(code, field)
    return row


async def get_by_id(community_id: int, account_id: int) -> dict | None:
    """An account of the community by id, or None."""
    return await CreditAccount.select().where(
        (CreditAccount.community == community_id) & (CreditAccount.id == account_id)).first()


async def _open(community_id: int, code: str, kind: str, *, member: int | None, name: str,
                owner: str, allow_negative: bool) -> dict:
    await CreditAccount.insert(CreditAccount(
        community=community_id, code=code, kind=kind, member=member, name=name, owner=owner,
        allow_negative=allow_negative, balance_centi=0, held_centi=0, incoming_centi=0,
        created_at=now())).on_conflict(action="DO NOTHING")
    row = await get_by_code(community_id, code)
    assert row is not None
    return row


async def member_account(community_id: int, member_id: int) -> dict:
    """The member's account, opened if it does not exist yet."""
    code = member_code(member_id)
    return await get_by_code(community_id, code) or await _open(
        community_id, code, MEMBER, member=member_id, name="", owner="credits",
        allow_negative=False)


async def open_system_accounts(community_id: int) -> list[dict]:
    """Open the built-in system accounts of a community (idempotent)."""
    return [await system_account(community_id, code, name, "credits", allow_negative)
            for code, (name, allow_negative) in SYSTEM_ACCOUNTS.items()]


async def system_account(community_id: int, code: str, name: str = "", owner: str = "credits",
                         allow_negative: bool = False) -> dict:
    """The system account ``code``, opened (owned by ``owner``) if it does not exist yet.

    A plugin's accounts are named ``<plugin>.<name>`` (``merchants.settlement``); opening a code
    another plugin owns is refused with ACCOUNT_TAKEN.
    """
    if not SYSTEM_CODE.match(code):
        raise YizhanError("INVALID_ACCOUNT_CODE",
                          "Account codes are lowercase letters, digits and _, optionally "
                          "prefixed by the plugin: merchants.settlement.", field="code")
    if owner != "credits" and not code.startswith(owner + "."):
        raise YizhanError("INVALID_ACCOUNT_CODE",
                          "A plugin's account code must start with its name: {owner}.…",
                          field="code", owner=owner)
    row = await get_by_code(community_id, code)
    if row is None:
        known = SYSTEM_ACCOUNTS.get(code)
        row = await _open(community_id, code, SYSTEM, member=None,
                          name=name or (known[0] if known else code), owner=owner,
                          allow_negative=known[1] if known else allow_negative)
    if row["owner"] != owner:
        raise YizhanError("ACCOUNT_TAKEN", "The account {code} belongs to {owner}.",
                          field="code", code=code, owner=row["owner"])
    return row


async def builtin(community_id: int, code: str) -> dict:
    """A built-in system account (opened on demand)."""
    return await system_account(community_id, code)


async def list_accounts(community_id: int, *, kind: str | None = None,
                        after_id: int | None = None, limit: int = 50) -> list[dict]:
    """The community's accounts by id, for keyset paging."""
    query = CreditAccount.select().where(CreditAccount.community == community_id)
    if kind:
        query = query.where(CreditAccount.kind == kind)
    if after_id is not None:
        query = query.where(CreditAccount.id > after_id)
    return await query.order_by(CreditAccount.id).limit(limit)
