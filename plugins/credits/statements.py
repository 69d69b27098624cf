"""Reading the ledger: statements (an account's postings, newest first), community totals,
the public proof of one transaction and the rule board."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime

from yizhan.core.api import invalid, raw_sql, translate
from yizhan.plugins.credits import accounts, chain, ledger, verify
from yizhan.plugins.credits.tables import CreditChainHead, CreditTransaction


@dataclass
class StatementFilter:
    """Narrow a statement: transaction kinds, a time range (UTC), the source's kind."""

    kinds: list[str] | None = None
    since: datetime | None = None
    until: datetime | None = None
    source_kind: str | None = None


async def statement(account_id: int, flt: StatementFilter | None = None, *,
                    before_posting: int | None = None, limit: int = 20) -> list[dict]:
    """An account's postings with their transactions, newest first (keyset by posting id)."""
    flt = flt or StatementFilter()
    where, args = ["p.account = {}"], [account_id]
    if flt.kinds:
        if len(flt.kinds) > 20:
            raise invalid("kinds", "At most {max} kinds.", code="TOO_MANY", max=20)
        where.append("t.kind IN (" + ", ".join("{}" for _ in flt.kinds) + ")")
        args += flt.kinds
    if flt.since is not None:
        where.append("t.created_us >= {}")
        args.append(chain.to_us(flt.since))
    if flt.until is not None:
        where.append("t.created_us < {}")
        args.append(chain.to_us(flt.until))
    if flt.source_kind:
        where.append("t.source_kind = {}")
        args.append(flt.source_kind)
    if before_posting is not None:
        where.append("p.id < {}")
        args.append(before_posting)
    args.append(limit)
    return await raw_sql(
        "SELECT p.id AS posting_id, p.amount_centi AS posted_centi, p.balance_after_centi, "
        "t.id, t.community, t.seq, t.kind, t.reason, t.source_kind, t.source_id, "
        "t.idempotency_key, t.amount_centi, t.actor, t.reverses, t.created_us, t.prev_hash, "
        "t.hash, t.reason_msgid, t.reason_params "
        "FROM yz_credit_posting p JOIN yz_credit_tx t ON t.id = p.tx WHERE "
        + " AND ".join(where) + " ORDER BY p.id DESC LIMIT {}", *args)


async def counterparts(tx_ids: list[int], account_id: int) -> dict[int, list[dict]]:
    """For each transaction, the other accounts it touched (code, kind, member, amount)."""
    if not tx_ids:
        return {}
    rows = await raw_sql(
        "SELECT p.tx, p.amount_centi, a.code, a.kind, a.member, a.name FROM yz_credit_posting p "
        "JOIN yz_credit_account a ON a.id = p.account WHERE p.tx IN ("
        + ", ".join("{}" for _ in tx_ids) + ") AND p.account <> {} ORDER BY p.id",
        *tx_ids, account_id)
    out: dict[int, list[dict]] = {}
    for row in rows:
        out.setdefault(row["tx"], []).append(row)
    return out


async def on_statement_of(tx_id: int, member_id: int) -> bool:
    """True when the transaction has a posting on the member's account (it is on their
    statement)."""
    rows = await raw_sql(
        "SELECT 1 AS one FROM yz_credit_posting p JOIN yz_credit_account a ON a.id = p.account "
        "WHERE p.tx = {} AND a.member = {} LIMIT 1", tx_id, member_id)
    return bool(rows)


async def totals(community_id: int) -> dict[str, int]:
    """Community totals in hundredths, and counts."""
    rows = await raw_sql(
        "SELECT kind, code, balance_centi, held_centi FROM yz_credit_account "
        "WHERE community = {}", community_id)
    members = [r for r in rows if r["kind"] == accounts.MEMBER]
    system = {r["code"]: r["balance_centi"] for r in rows if r["kind"] == accounts.SYSTEM}
    head = await CreditChainHead.select().where(CreditChainHead.community == community_id).first()
    return {
        "issued": -system.get(accounts.ISSUANCE, 0),
        "member_credit": sum(r["balance_centi"] for r in members if r["balance_centi"] > 0),
        "member_debt": -sum(r["balance_centi"] for r in members if r["balance_centi"] < 0),
        "held": sum(r["held_centi"] for r in members),
        "community_fund": system.get(accounts.COMMUNITY_FUND, 0),
        "voucher_reserve": system.get(accounts.VOUCHER_RESERVE, 0),
        "compensation_fund": system.get(accounts.COMPENSATION_FUND, 0),
        "leader_pool": system.get(accounts.LEADER_POOL, 0),
        "expired": system.get(accounts.EXPIRED, 0),
        "other_system": sum(v for k, v in system.items() if k not in accounts.SYSTEM_ACCOUNTS),
        "accounts": len(members),
        "transactions": head["seq"] if head else 0,
    }


async def head(community_id: int) -> dict:
    """The chain head: ``seq`` and ``hash`` (seq 0 and the genesis hash when empty)."""
    row = await CreditChainHead.select().where(CreditChainHead.community == community_id).first()
    return row or {"seq": 0, "hash": chain.GENESIS}


async def proof(community_id: int, seq: int) -> dict | None:
    """Everything needed to check one transaction by hand, without anyone's name: its content
    hash recomputed, its link to the transaction before it, and the chain head."""
    tx = await CreditTransaction.select().where(
        (CreditTransaction.community == community_id) & (CreditTransaction.seq == seq)).first()
    if tx is None:
        return None
    postings = await ledger.postings_of(tx["id"])
    pairs = [(p["account"], p["amount_centi"], p["account_code"]) for p in postings]
    previous = await CreditTransaction.select(CreditTransaction.hash).where(
        (CreditTransaction.community == community_id) & (CreditTransaction.seq == seq - 1)
    ).first() if seq > 1 else {"hash": chain.GENESIS}
    return {
        "transaction": tx, "postings": postings,
        "content_matches": chain.matches(tx, pairs),
        "link_matches": previous is not None and previous["hash"] == tx["prev_hash"],
        "canonical": chain.canonical(tx, pairs),
        "head": await head(community_id),
        "last_verification": await verify.last_verification(community_id),
    }


#: Reasons written before ``reason_msgid`` was stored, recognised by their English text, so
#: older ledger lines show in the reader's language too.
LEGACY_REASONS = [
    (re.compile(r"^Help: (?P<title>.*)$", re.S), "Help: {title}"),
    (re.compile(r"^Leader pool (?P<month>\d{4}-\d{2})$"), "Leader pool {month}"),
    (re.compile(r"^Credits expired$"), "Credits expired"),
    (re.compile(r"^Experience card$"), "Experience card"),
    (re.compile(r"^Voucher batch (?P<batch>\d+)$"), "Voucher batch {batch}"),
    (re.compile(r"^Transfer$"), "Transfer"),
    (re.compile(r"^Reversal of #(?P<seq>\d+)$"), "Reversal of #{seq}"),
    (re.compile(r"^Redemption at (?P<name>.+)$", re.S), "Redemption at {name}"),
]


def reason_text(tx: dict, locale: str | None) -> str:
    """A transaction's reason in ``locale``: its stored message (``reason_msgid`` and
    ``reason_params``) translated; for older rows a known English reason translated; anything
    else (a reason an admin typed) as written."""
    msgid = tx.get("reason_msgid") or ""
    params = tx.get("reason_params") or {}
    if isinstance(params, str):
        params = json.loads(params or "{}")
    if not msgid:
        for pattern, legacy in LEGACY_REASONS:
            found = pattern.match(tx.get("reason") or "")
            if found:
                msgid, params = legacy, found.groupdict()
                break
    if not msgid:
        return tx.get("reason") or ""
    return translate(msgid, locale, **params)
