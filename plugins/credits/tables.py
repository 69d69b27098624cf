"""The credits plugin's tables. Every row carries its community; amounts are integer hundredths.

Times the hash chain covers are kept as exact integers (``*_us``: microseconds since the Unix
epoch, UTC) so every database gives back exactly what was hashed.
"""

from __future__ import annotations

from piccolo.columns import JSON, BigInt, Boolean, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class CreditAccount(Table, tablename="yz_credit_account"):
    """A member's or a system account. Balances move only with postings, in the same
    transaction; ``held`` and ``incoming`` are open holds (credits promised out and in)."""

    community = BigInt(index=True)
    #: ``member:<id>`` for members; a system code (``community_fund``, ``merchants.settlement``).
    code = Varchar(length=80)
    kind = Varchar(length=10)  # member | system
    member = BigInt(null=True, default=None, index=True)
    name = Varchar(length=100, default="")
    #: Which plugin opened it (``credits`` for the built-in ones).
    owner = Varchar(length=60, default="credits")
    #: A system account that may go below zero (issuance).
    allow_negative = Boolean(default=False)
    balance_centi = BigInt(default=0)
    held_centi = BigInt(default=0)
    incoming_centi = BigInt(default=0)
    created_at = Timestamptz(default=None, null=True)


class CreditTransaction(Table, tablename="yz_credit_tx"):
    """An immutable ledger transaction: its postings sum to zero; a link of the hash chain."""

    community = BigInt(index=True)
    #: Position in the community's chain, 1, 2, 3 … without gaps (set, with the hashes, as the
    #: action that posted it commits).
    seq = BigInt(null=True, default=None)
    kind = Varchar(length=40)
    reason = Text(default="")
    source_kind = Varchar(length=40, default="")
    source_id = Varchar(length=80, default="")
    idempotency_key = Varchar(length=160)
    #: Sum of the positive postings.
    amount_centi = BigInt(default=0)
    actor = BigInt(null=True, default=None)
    reverses = BigInt(null=True, default=None)
    created_us = BigInt()
    prev_hash = Varchar(length=64, default="")
    hash = Varchar(length=64, default="")
    #: The reason as a message to translate (its English text, ``Help: {title}``) and its
    #: parameters, so statements show it in the reader's language; empty for older rows, which
    #: show ``reason`` as written. Not covered by the hash (``reason`` is).
    reason_msgid = Text(default="")
    reason_params = JSON(default="{}")


class CreditPosting(Table, tablename="yz_credit_posting"):
    """One line of a transaction: an amount into (positive) or out of (negative) an account."""

    community = BigInt()
    tx = BigInt(index=True)
    account = BigInt()
    amount_centi = BigInt()
    balance_after_centi = BigInt()


class CreditChainHead(Table, tablename="yz_credit_chain_head"):
    """The newest link of a community's chain; locked by every posting (one writer at a time)."""

    community = BigInt(unique=True)
    seq = BigInt(default=0)
    hash = Varchar(length=64)


class CreditHold(Table, tablename="yz_credit_hold"):
    """Credits reserved for a payment that will happen (an accepted need)."""

    community = BigInt()
    source_kind = Varchar(length=40)
    source_id = Varchar(length=80)
    payer = BigInt()
    payee = BigInt()
    amount_centi = BigInt()
    status = Varchar(length=10, default="open")  # open | captured | released
    created_at = Timestamptz(default=None, null=True)
    closed_at = Timestamptz(default=None, null=True)
    tx = BigInt(null=True, default=None)


class CreditLot(Table, tablename="yz_credit_lot"):
    """Earned credits that expire: spending takes the oldest lots first."""

    community = BigInt()
    account = BigInt(index=True)
    tx = BigInt()
    amount_centi = BigInt()
    remaining_centi = BigInt()
    earned_at = Timestamptz(default=None, null=True)
    expires_at = Timestamptz(default=None, null=True, index=True)
    notified_at = Timestamptz(default=None, null=True)


class CreditVoucherBatch(Table, tablename="yz_credit_voucher_batch"):
    """A batch of experience cards issued together."""

    community = BigInt(index=True)
    label = Varchar(length=100, default="")
    count = Integer()
    amount_centi = BigInt()
    expires_at = Timestamptz()
    created_by = BigInt(null=True, default=None)
    created_at = Timestamptz(default=None, null=True)


class CreditVoucher(Table, tablename="yz_credit_voucher"):
    """One single-use card: open, redeemed, expired or cancelled."""

    community = BigInt()
    batch = BigInt()
    code = Varchar(length=20)
    amount_centi = BigInt()
    status = Varchar(length=10, default="open")
    expires_at = Timestamptz()
    redeemed_by = BigInt(null=True, default=None)
    #: Where a card was redeemed without a member account (``merchant:<id>``: at a shop's
    #: till, for goods); empty when a member redeemed it into their account.
    redeemed_for = Varchar(length=80, default="")
    redeemed_at = Timestamptz(default=None, null=True)
    closed_at = Timestamptz(default=None, null=True)
    tx = BigInt(null=True, default=None)




class CreditConfirmedNeed(Table, tablename="yz_credit_confirmed_need"):
    """A need confirmed while credits was on, by building and local month (the leader pool)."""

    community = BigInt()
    need = BigInt()
    building = BigInt(null=True, default=None)
    month = Varchar(length=7)  # YYYY-MM in the community's time zone
    confirmed_at = Timestamptz()


class CreditPoolRun(Table, tablename="yz_credit_pool_run"):
    """One month's leader-pool split (at most one per community and month)."""

    community = BigInt()
    month = Varchar(length=7)
    amount_centi = BigInt(default=0)
    tx = BigInt(null=True, default=None)
    details = JSON(default="{}")
    created_at = Timestamptz(default=None, null=True)


class CreditVerification(Table, tablename="yz_credit_verification"):
    """The result of the latest chain verification of a community (shown on the rule board)."""

    community = BigInt(unique=True)
    ok = Boolean(default=True)
    checked = BigInt(default=0)
    first_bad_seq = BigInt(null=True, default=None)
    problem = Varchar(length=40, default="")
    head_hash = Varchar(length=64, default="")
    verified_at = Timestamptz(default=None, null=True)


class CreditAnchor(Table, tablename="yz_credit_anchor"):
    """A chain head the community published (notice board, webhooks): verification checks the
    chain still contains it, so a history rewritten after it was published is caught."""

    community = BigInt(index=True)
    seq = BigInt()
    hash = Varchar(length=64)
    published_at = Timestamptz()
    notice = BigInt(null=True, default=None)
