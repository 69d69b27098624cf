"""The hash chain: each transaction's hash covers its content and the previous hash.

The content is serialised canonically (integers as decimal, texts length-prefixed, postings
sorted), so the hash depends on nothing a database might present differently. Changing an
amount, deleting a transaction or a posting, or moving a transaction to another place in the
chain makes :func:`verify` name the first transaction that no longer matches.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_us(moment: datetime) -> int:
    """A timezone-aware time as exact microseconds since the Unix epoch."""
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_us(us: int) -> datetime:
    """Microseconds since the epoch as a UTC datetime."""
    from datetime import timedelta

    return EPOCH + timedelta(microseconds=us)


def postings_text(postings: Iterable[tuple[int, int]]) -> str:
    """The canonical text of a transaction's postings: ``account:amount`` pairs sorted by
    account then amount, joined by ``;`` (PostgreSQL's verifier builds the same text)."""
    return ";".join([f"{a}:{m}" for a, m in sorted(postings)])


def canonical(tx: Any, postings: Iterable[tuple[int, int]] | None = None,
              lines: str | None = None) -> str:
    """The text a transaction's hash covers (``tx`` is a ``yz_credit_tx`` row without hashes;
    ``postings`` are ``(account id, amount)`` pairs, or ``lines`` their canonical text).

    Integers are written in decimal, texts length-prefixed (``5:Hello``), so no two different
    transactions have the same text."""
    if lines is None:
        lines = postings_text(postings or ())
    kind = tx["kind"] or ""
    reason = tx["reason"] or ""
    source_kind = tx["source_kind"] or ""
    source_id = tx["source_id"] or ""
    key = tx["idempotency_key"] or ""
    actor = tx["actor"]
    reverses = tx["reverses"]
    return (f"v1|{tx['community']}|{tx['seq']}|{tx['created_us']}|{len(kind)}:{kind}|"
            f"{len(reason)}:{reason}|{len(source_kind)}:{source_kind}|"
            f"{len(source_id)}:{source_id}|{len(key)}:{key}|{tx['amount_centi']}|"
            f"{'' if actor is None else actor}|{'' if reverses is None else reverses}|{lines}")


def compute_hash(prev_hash: str, tx: Any, postings: Iterable[tuple[int, int]] | None = None,
                 lines: str | None = None) -> str:
    """SHA-256 (hex) of the previous hash and the transaction's canonical content."""
    return hashlib.sha256(
        f"{prev_hash}\n{canonical(tx, postings, lines)}".encode()).hexdigest()


#: Problems :func:`verify` reports, with what each means.
PROBLEMS = {
    "HASH_MISMATCH": "The transaction's content no longer matches its hash (changed).",
    "BROKEN_LINK": "The transaction does not follow the one before it (moved or replaced).",
    "MISSING": "A transaction is missing from the chain (deleted).",
    "UNBALANCED": "The transaction's postings do not sum to zero.",
    "HEAD_MISMATCH": "The chain ends before its recorded head (the last ones were deleted).",
    "BALANCE_MISMATCH": "An account's balance is not the sum of its postings.",
}


@dataclass
class VerifyResult:
    """What a verification found: ``ok``, how many transactions were checked, the chain head
    and, when something is wrong, the first transaction (``first_bad_seq``) and the problem."""

    ok: bool
    checked: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    first_bad_seq: int | None = None
    first_bad_id: int | None = None
    problem: str | None = None
    account: str | None = None
    details: dict = field(default_factory=dict)

    @property
    def message(self) -> str:
        """A sentence for people."""
        if self.ok:
            return f"The chain of {self.checked} transactions verifies."
        where = f"transaction #{self.first_bad_seq}" if self.first_bad_seq else \
            f"account {self.account}"
        return f"{where}: {PROBLEMS.get(self.problem or '', self.problem)}"


def check_rows(rows: Iterable[tuple[Any, str, int, int]], prev_hash: str,
               expected_seq: int) -> tuple[VerifyResult | None, str, int, int]:
    """Check consecutive transactions following ``prev_hash`` at ``expected_seq``; each row is
    (transaction, its canonical text, the sum and the number of its postings). Returns (a
    failure or None, the last hash, the next seq, rows checked)."""
    checked = 0
    sha256 = hashlib.sha256
    for tx, text, total, count in rows:
        seq = tx["seq"]
        if seq != expected_seq:
            if seq > expected_seq:
                return (VerifyResult(False, checked, first_bad_seq=expected_seq,
                                     problem="MISSING"), prev_hash, expected_seq, checked)
            return (VerifyResult(False, checked, first_bad_seq=seq, first_bad_id=tx["id"],
                                 problem="BROKEN_LINK"), prev_hash, expected_seq, checked)
        stored_prev = tx["prev_hash"]
        digest = sha256(f"{stored_prev}\n{text}".encode()).hexdigest()
        if digest != tx["hash"]:
            return (VerifyResult(False, checked, first_bad_seq=seq, first_bad_id=tx["id"],
                                 problem="HASH_MISMATCH"), prev_hash, expected_seq, checked)
        if stored_prev != prev_hash:
            return (VerifyResult(False, checked, first_bad_seq=seq, first_bad_id=tx["id"],
                                 problem="BROKEN_LINK"), prev_hash, expected_seq, checked)
        if not count or total != 0:
            return (VerifyResult(False, checked, first_bad_seq=seq, first_bad_id=tx["id"],
                                 problem="UNBALANCED"), prev_hash, expected_seq, checked)
        prev_hash = digest
        expected_seq += 1
        checked += 1
    return None, prev_hash, expected_seq, checked


Progress = Callable[[int, int], None]
