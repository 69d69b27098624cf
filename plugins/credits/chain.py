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


def postings_text(postings: Iterable[tuple]) -> str:
    """The canonical text of a transaction's postings, sorted by account then amount, joined
    by ``;``: ``account:amount`` pairs (version 1) or, when each posting also carries its
    account's code (``(account, amount, code)``, version 2), ``account:amount:len:code`` — so
    the hash covers who owns each account (PostgreSQL's verifier builds the same text)."""
    items = sorted(postings, key=lambda p: (p[0], p[1]))
    return ";".join([f"{p[0]}:{p[1]}" if len(p) == 2 else
                     f"{p[0]}:{p[1]}:{len(p[2] or '')}:{p[2] or ''}" for p in items])


def body(tx: Any) -> str:
    """The transaction's own fields as the canonical text writes them (between the version
    and the postings)."""
    kind = tx["kind"] or ""
    reason = tx["reason"] or ""
    source_kind = tx["source_kind"] or ""
    source_id = tx["source_id"] or ""
    key = tx["idempotency_key"] or ""
    actor = tx["actor"]
    reverses = tx["reverses"]
    return (f"{tx['community']}|{tx['seq']}|{tx['created_us']}|{len(kind)}:{kind}|"
            f"{len(reason)}:{reason}|{len(source_kind)}:{source_kind}|"
            f"{len(source_id)}:{source_id}|{len(key)}:{key}|{tx['amount_centi']}|"
            f"{'' if actor is None else actor}|{'' if reverses is None else reverses}")


def canonical(tx: Any, postings: Iterable[tuple] | None = None,
              lines: str | None = None, version: int | None = None) -> str:
    """The text a transaction's hash covers (``tx`` is a ``yz_credit_tx`` row without hashes;
    ``postings`` are ``(account id, amount, account code)`` triples — version 2, what the
    ledger writes — or ``(account id, amount)`` pairs — version 1, older transactions — or
    ``lines`` their canonical text with ``version``).

    Integers are written in decimal, texts length-prefixed (``5:Hello``), so no two different
    transactions have the same text."""
    if lines is None:
        postings = list(postings or ())
        lines = postings_text(postings)
        if version is None:
            version = 1 if postings and len(postings[0]) == 2 else 2
    return f"v{version or 2}|{body(tx)}|{lines}"


def compute_hash(prev_hash: str, tx: Any, postings: Iterable[tuple] | None = None,
                 lines: str | None = None, version: int | None = None) -> str:
    """SHA-256 (hex) of the previous hash and the transaction's canonical content."""
    return hashlib.sha256(
        f"{prev_hash}\n{canonical(tx, postings, lines, version)}".encode()).hexdigest()


def matches(tx: Any, postings: Iterable[tuple]) -> bool:
    """True when the stored hash is the hash of the transaction's content — as version 2
    (``postings`` are ``(account, amount, code)``) or, for transactions written before the
    account codes were covered, version 1."""
    postings = list(postings)
    if compute_hash(tx["prev_hash"], tx, postings) == tx["hash"]:
        return True
    return compute_hash(tx["prev_hash"], tx, [(p[0], p[1]) for p in postings]) == tx["hash"]


#: Problems :func:`verify` reports, with what each means.
PROBLEMS = {
    "HASH_MISMATCH": "The transaction's content no longer matches its hash (changed).",
    "BROKEN_LINK": "The transaction does not follow the one before it (moved or replaced).",
    "MISSING": "A transaction is missing from the chain (deleted).",
    "UNBALANCED": "The transaction's postings do not sum to zero.",
    "HEAD_MISMATCH": "The chain ends before its recorded head (the last ones were deleted).",
    "BALANCE_MISMATCH": "An account's balance is not the sum of its postings.",
    "OUTSIDE_CHAIN": "A transaction has no place in the chain (it was inserted outside the "
                     "ledger).",
    "COMMUNITY_MISMATCH": "A posting is labelled with another community than its transaction "
                          "or its account.",
    "OWNER_MISMATCH": "An account's owner does not match its code (the owner was changed).",
    "HELD_MISMATCH": "An account's held or incoming credits are not the sum of its open holds "
                     "(and, for the voucher reserve, its open cards).",
    "ANCHOR_MISMATCH": "The chain no longer contains a head it published (its history was "
                       "rewritten).",
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
        candidates = self.details.get("candidates")
        if self.problem == "BROKEN_LINK" and candidates:
            before, after = candidates
            return (f"transaction #{after} does not follow transaction #{before}: either "
                    f"#{before} was changed (and its hash recomputed) or #{after} was moved "
                    "or replaced.")
        if self.problem == "ANCHOR_MISMATCH":
            return (f"head #{self.details.get('seq')} published on "
                    f"{self.details.get('published_on')} ({self.details.get('hash')}): "
                    f"{PROBLEMS['ANCHOR_MISMATCH']}")
        if self.problem in ("OUTSIDE_CHAIN", "COMMUNITY_MISMATCH"):
            return (f"transaction id {self.first_bad_id}: "
                    f"{PROBLEMS.get(self.problem or '', self.problem)}")
        where = f"transaction #{self.first_bad_seq}" if self.first_bad_seq else \
            f"account {self.account}"
        return f"{where}: {PROBLEMS.get(self.problem or '', self.problem)}"


def link_broken(checked: int, seq: int, tx_id: int | None) -> VerifyResult:
    """Transaction ``seq`` does not follow the one before it: name both candidates (the one
    before may have been changed with its hash recomputed, or this one moved or replaced)."""
    details = {"candidates": [seq - 1, seq]} if seq > 1 else {}
    return VerifyResult(False, checked, first_bad_seq=seq, first_bad_id=tx_id,
                        problem="BROKEN_LINK", details=details)


def check_rows(rows: Iterable[tuple[Any, str, str, str, int, int]], prev_hash: str,
               expected_seq: int) -> tuple[VerifyResult | None, str, int, int]:
    """Check consecutive transactions following ``prev_hash`` at ``expected_seq``; each row is
    (transaction, its :func:`body`, its version-2 and version-1 posting lines, the sum and the
    number of its postings). Returns (a failure or None, the last hash, the next seq, rows
    checked)."""
    sha256 = hashlib.sha256

    def hashed():
        for tx, text, lines2, lines1, total, count in rows:
            stored_prev = tx["prev_hash"]
            digest = sha256(f"{stored_prev}\nv2|{text}|{lines2}".encode()).hexdigest()
            if digest != tx["hash"]:
                digest = sha256(f"{stored_prev}\nv1|{text}|{lines1}".encode()).hexdigest()
            yield tx, digest if digest == tx["hash"] else None, bool(count) and total == 0

    return _follow(hashed(), prev_hash, expected_seq)


def check_hashed(rows: Iterable[Any], prev_hash: str, expected_seq: int,
                 ) -> tuple[VerifyResult | None, str, int, int]:
    """:func:`check_rows` for rows whose hash the database recomputed already (PostgreSQL's
    ``sha256``, over the same canonical text, version 2 or else version 1): each row has
    ``id``, ``seq``, ``prev_hash``, ``hash``, ``hash_ok``, ``total`` and ``n``. The same checks
    in the same order, with the same findings."""
    return _follow(((tx, tx["hash"] if tx["hash_ok"] else None,
                     bool(tx["n"]) and (tx["total"] or 0) == 0) for tx in rows),
                   prev_hash, expected_seq)


def _follow(rows: Iterable[tuple[Any, str | None, bool]], prev_hash: str, expected_seq: int,
            ) -> tuple[VerifyResult | None, str, int, int]:
    """The checks of the chain, in order, over (transaction, its hash when it matches the
    stored one else None, whether its postings balance): sequence, hash, link, balance."""
    checked = 0
    for tx, digest, balanced in rows:
        seq = tx["seq"]
        if seq != expected_seq:
            if seq > expected_seq:
                return (VerifyResult(False, checked, first_bad_seq=expected_seq,
                                     problem="MISSING"), prev_hash, expected_seq, checked)
            return (VerifyResult(False, checked, first_bad_seq=seq, first_bad_id=tx["id"],
                                 problem="BROKEN_LINK"), prev_hash, expected_seq, checked)
        if digest is None:
            return (VerifyResult(False, checked, first_bad_seq=seq, first_bad_id=tx["id"],
                                 problem="HASH_MISMATCH"), prev_hash, expected_seq, checked)
        if tx["prev_hash"] != prev_hash:
            return (link_broken(checked, seq, tx["id"]), prev_hash, expected_seq, checked)
        if not balanced:
            return (VerifyResult(False, checked, first_bad_seq=seq, first_bad_id=tx["id"],
                                 problem="UNBALANCED"), prev_hash, expected_seq, checked)
        prev_hash = digest
        expected_seq += 1
        checked += 1
    return None, prev_hash, expected_seq, checked


def head_broken(checked: int, head_seq: int) -> VerifyResult:
    """The chain ends before its recorded head, or its last hash is not the head's."""
    if checked < head_seq:
        return VerifyResult(False, checked, first_bad_seq=checked + 1, problem="HEAD_MISMATCH")
    return VerifyResult(False, checked, first_bad_seq=head_seq, problem="BROKEN_LINK")


Progress = Callable[[int, int], None]
