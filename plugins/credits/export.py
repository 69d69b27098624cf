"""``yizhan export ledger -c SLUG -o FILE``: the community's chained transactions in order,
each with its postings, read a page at a time (two queries per page of 1,000)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from yizhan.core.api import format_centi
from yizhan.plugins.credits.chain import from_us
from yizhan.plugins.credits.tables import CreditAccount, CreditPosting, CreditTransaction

PAGE = 1000


async def export_ledger(community: dict) -> AsyncIterator[list[Any]]:
    """Header, then one row per transaction: seq, time, kind, reason, amount, postings
    (``code:+amount`` separated by spaces), the hash it chains to and its own hash."""
    yield ["seq", "time", "kind", "reason", "amount", "postings", "prev_hash", "hash"]
    codes = {a["id"]: a["code"] for a in await CreditAccount.select(
        CreditAccount.id, CreditAccount.code).where(CreditAccount.community == community["id"])}
    after = 0
    while True:
        txs = await CreditTransaction.select(
            CreditTransaction.id, CreditTransaction.seq, CreditTransaction.created_us,
            CreditTransaction.kind, CreditTransaction.reason, CreditTransaction.amount_centi,
            CreditTransaction.prev_hash, CreditTransaction.hash,
        ).where((CreditTransaction.community == community["id"])
                & (CreditTransaction.seq > after)).order_by(CreditTransaction.seq).limit(PAGE)
        if not txs:
            return
        postings: dict[int, list[str]] = {}
        for p in await CreditPosting.select(
                CreditPosting.tx, CreditPosting.account, CreditPosting.amount_centi).where(
                CreditPosting.tx.is_in([t["id"] for t in txs])).order_by(CreditPosting.id):
            amount = p["amount_centi"]
            postings.setdefault(p["tx"], []).append(
                f"{codes.get(p['account'], p['account'])}:{'+' if amount > 0 else ''}"
                f"{format_centi(amount)}")
        for t in txs:
            yield [t["seq"], from_us(t["created_us"]).isoformat(), t["kind"], t["reason"],
                   format_centi(t["amount_centi"]), " ".join(postings.get(t["id"], [])),
                   t["prev_hash"], t["hash"]]
        if len(txs) < PAGE:
            return
        after = txs[-1]["seq"]
