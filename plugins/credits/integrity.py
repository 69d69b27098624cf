"""The checks that run after the hash chain verifies: what the chain alone does not cover.

The chain proves that the transactions *in* it are unchanged and in order. These checks prove
that nothing was slipped in beside it, and that the tables the chain does not hash agree with
what it does:

* ``ANCHOR_MISMATCH`` — every head the community published (:mod:`.anchors`) is still in the
  chain, with the same hash: a rewritten history (even one recomputed link by link) is caught;
* ``OUTSIDE_CHAIN`` — no transaction of the community without a place (``seq``) in the chain;
* ``COMMUNITY_MISMATCH`` — every posting carries its transaction's community, and its account
  belongs to that community too (postings of no transaction are caught here as well);
* ``OWNER_MISMATCH`` — a member's account code names its member (the code itself is covered by
  each transaction's hash, so swapping owners breaks the hash or this check);
* ``HELD_MISMATCH`` — each account's ``held`` and ``incoming`` are the sums of its open holds
  (plus, for the voucher reserve, its open cards).

Each check is one SQL statement with ``{}`` placeholders (the same text on both databases);
the rows it returns are what is wrong. Balances against postings are checked by the callers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from yizhan.plugins.credits.accounts import VOUCHER_RESERVE
from yizhan.plugins.credits.chain import VerifyResult

#: (problem, SQL, which arguments it takes: "c" the community, "h" the head's seq).
CHECKS: list[tuple[str, str, str]] = [
    ("ANCHOR_MISMATCH",
     "SELECT an.seq, an.hash, an.published_at FROM yz_credit_anchor an "
     "LEFT JOIN yz_credit_tx t ON t.community = an.community AND t.seq = an.seq "
     "WHERE an.community = {} AND (t.id IS NULL OR t.hash <> an.hash OR an.seq > {}) "
     "ORDER BY an.seq LIMIT 5", "ch"),
    ("OUTSIDE_CHAIN",
     "SELECT id FROM yz_credit_tx WHERE community = {} "
     "AND (seq IS NULL OR seq < 1 OR seq > {}) ORDER BY id LIMIT 50", "ch"),
    ("COMMUNITY_MISMATCH",
     "SELECT p.id, p.tx FROM yz_credit_posting p "
     "LEFT JOIN yz_credit_tx t ON t.id = p.tx "
     "LEFT JOIN yz_credit_account a ON a.id = p.account "
     "WHERE (p.community = {} OR t.community = {}) AND (t.id IS NULL OR a.id IS NULL "
     "OR p.community <> t.community OR a.community <> t.community) ORDER BY p.id LIMIT 5",
     "cc"),
    ("OWNER_MISMATCH",
     "SELECT code FROM yz_credit_account WHERE community = {} AND ("
     "(kind = 'member' AND (member IS NULL OR code <> 'member:' || member)) "
     "OR (kind <> 'member' AND member IS NOT NULL)) ORDER BY id LIMIT 5", "c"),
    ("HELD_MISMATCH",
     "SELECT a.code FROM yz_credit_account a "
     "LEFT JOIN (SELECT payer AS account, SUM(amount_centi) AS total FROM yz_credit_hold "
     "WHERE community = {} AND status = 'open' GROUP BY payer) h ON h.account = a.id "
     "LEFT JOIN (SELECT payee AS account, SUM(amount_centi) AS total FROM yz_credit_hold "
     "WHERE community = {} AND status = 'open' GROUP BY payee) i ON i.account = a.id "
     "LEFT JOIN (SELECT SUM(amount_centi) AS total FROM yz_credit_voucher "
     "WHERE community = {} AND status = 'open') v ON a.code = '" + VOUCHER_RESERVE + "' "
     "WHERE a.community = {} AND (a.held_centi <> COALESCE(h.total, 0) + COALESCE(v.total, 0) "
     "OR a.incoming_centi <> COALESCE(i.total, 0)) ORDER BY a.id LIMIT 5", "cccc"),
]


def arguments(which: str, community_id: int, head_seq: int) -> list[int]:
    """The arguments of a check, in order."""
    return [community_id if kind == "c" else head_seq for kind in which]


def _day(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).date().isoformat()
    return str(value)[:10]


def failure(problem: str, rows: list[Any], checked: int,
            excluded: set[int] | frozenset[int] = frozenset()) -> VerifyResult | None:
    """The result naming what a check found (rows as mappings or tuples), or None."""
    if problem == "OUTSIDE_CHAIN":
        rows = [r for r in rows if r[0] not in excluded]
    if not rows:
        return None
    first = rows[0]
    if problem == "ANCHOR_MISMATCH":
        return VerifyResult(False, checked, first_bad_seq=first[0], problem=problem,
                            details={"seq": first[0], "hash": first[1],
                                     "published_on": _day(first[2])})
    if problem == "OUTSIDE_CHAIN":
        return VerifyResult(False, checked, first_bad_id=first[0], problem=problem,
                            details={"transactions": [r[0] for r in rows]})
    if problem == "COMMUNITY_MISMATCH":
        return VerifyResult(False, checked, first_bad_id=first[1], problem=problem,
                            details={"postings": [r[0] for r in rows]})
    return VerifyResult(False, checked, problem=problem, account=first[0],
                        details={"accounts": [r[0] for r in rows]})


async def run(fetch: Callable[..., Awaitable[list[Any]]], community_id: int, head_seq: int,
              checked: int, excluded: set[int] | frozenset[int] = frozenset(),
              ) -> VerifyResult | None:
    """Run every check through ``fetch(sql, *args)``; the first failure, or None."""
    for problem, sql, which in CHECKS:
        rows = await fetch(sql, *arguments(which, community_id, head_seq))
        found = failure(problem, [tuple(r.values()) for r in rows], checked, excluded)
        if found is not None:
            return found
    return None


def run_sync(execute: Callable[[str, list[int]], list[tuple]], community_id: int,
             head_seq: int, checked: int) -> VerifyResult | None:
    """The same, through a blocking ``execute(sql with ? placeholders, args)``."""
    for problem, sql, which in CHECKS:
        rows = execute(sql.replace("{}", "?"), arguments(which, community_id, head_seq))
        found = failure(problem, rows, checked)
        if found is not None:
            return found
    return None
