"""The credits plugin's GraphQL types and root fields. Resolvers check who may see and call the
service modules; every field answers PLUGIN_DISABLED where credits is off."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum

import strawberry
from strawberry.types import Info

from yizhan.core.api import (
    Connection,
    Credits,
    Member,
    Node,
    UserError,
    admin_node_in_community,
    build_connection,
    credits_to_centi,
    from_cursor,
    get_member,
    invalid,
    is_admin,
    node_in_community,
    not_found,
    page_size,
    payload,
    pk_of,
    require_admin_of,
    to_gid,
    validate_text,
)
from yizhan.core.api import format_centi as credits
from yizhan.plugins.credits import (
    NAME,
    accounts,
    chain,
    ledger,
    service,
    statements,
    verify,
    vouchers,
)
from yizhan.plugins.credits.settings import centi
from yizhan.plugins.credits.tables import CreditAccount as AccountTable
from yizhan.plugins.credits.tables import CreditTransaction as TransactionTable
from yizhan.plugins.credits.tables import CreditVoucher as VoucherTable
from yizhan.plugins.credits.tables import CreditVoucherBatch as BatchTable

MAX_AMOUNT = 1_000_000_00


async def _community(info: Info, slug: str) -> dict:
    return await info.context.plugin_community(slug, NAME)


async def _admin(info: Info, slug: str) -> tuple[dict, dict]:
    community = await _community(info, slug)
    return community, await require_admin_of(info, community)


def _amount(value: str, field: str = "amount") -> int:
    centi_value = credits_to_centi(value, field, maximum=MAX_AMOUNT)
    if centi_value == 0:
        raise invalid(field, "The amount must be more than zero.", code="ZERO_AMOUNT")
    return centi_value


# --- types ------------------------------------------------------------------------------


@strawberry.type
class ExpiringCredits:
    """Credits that expire at a moment unless spent first."""

    expires_at: datetime
    """When these credits expire."""
    amount: Credits
    """How many credits expire then."""


@strawberry.type
class CreditBalance:
    """A member's credits: the balance, what is held for accepted needs (out and in), what
    they may still spend, their limits and any warning near them."""

    balance: Credits
    """Credits on your account now (negative when you owe, down to the credit limit)."""
    held: Credits = strawberry.field(description="Promised to helpers of needs you asked for.")
    incoming: Credits = strawberry.field(description="On their way to you for needs you "
                                                     "accepted.")
    available: Credits = strawberry.field(description="Your credit headroom (the same number "
                                                      "as `creditHeadroom`).")
    spendable: Credits = strawberry.field(description="Your own credits free to spend: balance "
                                                      "- held, at least 0 (what shops take).")
    credit_headroom: Credits = strawberry.field(
        description="What you may still commit to pay for help, your credit limit included: "
                    "balance - held + credit limit, at least 0.")
    room: Credits = strawberry.field(description="How much more you may receive before the "
                                                 "maximum balance.")
    credit_limit: Credits
    """How far below zero you may go, holds included."""
    max_balance: Credits
    """The most you may hold, credits on their way in included."""
    warnings: list[str] = strawberry.field(description="`near_credit_limit`, "
                                                       "`near_max_balance`.")
    _community: strawberry.Private[dict]
    _member: strawberry.Private[int]

    @classmethod
    def of(cls, community: dict, member_id: int, b: service.Balance) -> CreditBalance:
        """Build from a service balance."""
        return cls(balance=credits(b.balance), held=credits(b.held),
                   incoming=credits(b.incoming), available=credits(b.available),
                   spendable=credits(b.spendable), credit_headroom=credits(b.headroom),
                   room=credits(b.room), credit_limit=credits(b.credit_limit),
                   max_balance=credits(b.max_balance), warnings=list(b.warnings),
                   _community=community, _member=member_id)

    @strawberry.field(description="When your credits expire, soonest first (empty where "
                                  "credits do not expire).")
    async def expiring(self) -> list[ExpiringCredits]:
        return [ExpiringCredits(expires_at=when, amount=credits(amount))
                for when, amount in await service.expiring(self._community, self._member)]


@strawberry.type
class CreditTransaction(Node):
    """An immutable ledger transaction and its place in the community's hash chain. Seen on
    statements: `node(id:)` answers it to the community's admins and to verified members it
    moved credits for (null for other members)."""

    seq: int = strawberry.field(description="Position in the community's chain (1, 2, 3 …).")
    kind: str
    """What moved the credits: `need_payment`, `transfer`, `award`, `charge`,
    `voucher_redemption`, `reversal`, `expiry`, `leader_pool`, `funding` …"""
    source_kind: str
    """What caused it, for linking (`need`, `voucher`, `month` …; empty when nothing)."""
    source_id: str
    """Which one of `sourceKind` (its database id or key; empty when nothing)."""
    amount: Credits = strawberry.field(description="Credits moved (sum of the positive "
                                                   "postings).")
    created_at: datetime
    """When it was posted."""
    hash: str
    """SHA-256 (hex) over its content and `prevHash`: the chain link anyone can check with
    `creditProof`."""
    prev_hash: str
    """The hash of the transaction before it in the community's chain."""
    reverses: strawberry.ID | None
    """For a reversal: the transaction it undoes (null otherwise)."""
    _row: strawberry.Private[dict]

    @strawberry.field(description="Why, in the caller's language (a reason an admin typed is "
                                  "shown as written).")
    async def reason(self, info: Info) -> str:
        return statements.reason_text(self._row, await info.context.resolved_locale())

    @classmethod
    async def load_node(cls, info: Info, pk: int) -> CreditTransaction | None:
        """For ``node(id:)``: the rule of the statements it appears on."""
        found = await node_in_community(info, TransactionTable, pk, NAME)
        if found is None:
            return None
        community, row = found
        member = await info.context.require_verified(community)
        if not is_admin(member) and (
                member["id"] is None or not await statements.on_statement_of(pk, member["id"])):
            return None
        return cls.from_row(row)

    @classmethod
    def from_row(cls, row: dict) -> CreditTransaction:
        """Build from a ``yz_credit_tx`` row."""
        return cls(id=to_gid("CreditTransaction", row["id"]), seq=row["seq"], kind=row["kind"],
                   _row=row, source_kind=row["source_kind"],
                   source_id=row["source_id"], amount=credits(row["amount_centi"]),
                   created_at=chain.from_us(row["created_us"]), hash=row["hash"],
                   prev_hash=row["prev_hash"],
                   reverses=to_gid("CreditTransaction", row["reverses"])
                   if row["reverses"] else None)


@strawberry.type
class CreditCounterpart:
    """Another account a transaction touched: a member (to members of the community) or a
    system account by code."""

    account_code: str
    """The account's code (`community_fund`, `member:42` …)."""
    account_kind: str
    """`member` or `system`."""
    amount: Credits
    """Into (positive) or out of (negative) that account."""
    _member: strawberry.Private[int | None]

    @strawberry.field(description="The member, for a member account.")
    async def member(self, info: Info) -> Member | None:
        if self._member is None:
            return None
        row = await info.context.loaders.member.load(self._member)
        return Member.from_row(row) if row else None


@strawberry.type
class CreditStatementLine:
    """One posting on an account: the signed amount and the balance after it."""

    amount: Credits = strawberry.field(description="Into (positive) or out of (negative) the "
                                                   "account.")
    balance_after: Credits
    """The account's balance right after this posting."""
    transaction: CreditTransaction
    """The transaction the posting belongs to."""
    counterparts: list[CreditCounterpart]
    """The other accounts it touched."""


@strawberry.type
class CreditAccount(Node):
    """A member's or a system account (admins)."""

    code: str
    """A stable code: `member:<id>` for a member, else the system account's code
    (`community_fund`, `leader_pool` …)."""
    kind: str
    """`member` or `system`."""
    name: str
    """A readable name (a system account's purpose; empty for members)."""
    owner: str
    """The plugin that opened it (`credits`, or another plugin's name)."""
    balance: Credits
    """Credits on the account now."""
    held: Credits
    """Promised to helpers of accepted needs, not yet paid."""
    incoming: Credits
    """On their way in for needs this member accepted."""
    _member: strawberry.Private[int | None]

    @classmethod
    async def load_node(cls, info: Info, pk: int) -> CreditAccount | None:
        """For ``node(id:)``: admins, as ``creditAccounts``."""
        row = await admin_node_in_community(info, AccountTable, pk, NAME)
        return cls.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: dict) -> CreditAccount:
        """Build from a ``yz_credit_account`` row."""
        return cls(id=to_gid("CreditAccount", row["id"]), code=row["code"], kind=row["kind"],
                   name=row["name"], owner=row["owner"], balance=credits(row["balance_centi"]),
                   held=credits(row["held_centi"]), incoming=credits(row["incoming_centi"]),
                   _member=row["member"])

    @strawberry.field(description="The member, for a member account.")
    async def member(self, info: Info) -> Member | None:
        if self._member is None:
            return None
        row = await info.context.loaders.member.load(self._member)
        return Member.from_row(row) if row else None


@strawberry.type
class CreditTotals:
    """A community's credits at a glance."""

    issued: Credits = strawberry.field(description="Created from issuance, net.")
    member_credit: Credits = strawberry.field(description="Sum of members' positive balances.")
    member_debt: Credits = strawberry.field(description="Sum of members' negative balances.")
    held: Credits
    """Promised to helpers of accepted needs, not yet paid."""
    community_fund: Credits
    """The community fund's balance (pays helpers when the community pays)."""
    voucher_reserve: Credits
    """Set aside for experience cards not yet redeemed."""
    compensation_fund: Credits
    """Set aside to make good on broken promises (disputes, merchants)."""
    leader_pool: Credits
    """Set aside for the monthly share to building leaders."""
    expired: Credits
    """Credits that expired unspent, in total."""
    other_system: Credits = strawberry.field(description="Accounts other plugins opened.")
    accounts: int
    """How many accounts the community has."""
    transactions: int
    """How many transactions its chain has."""


@strawberry.type
class CreditChainHead:
    """The newest link of a community's chain."""

    seq: int
    """The newest transaction's place in the chain (0 when there is none)."""
    hash: str
    """Its hash: a fingerprint of the whole chain so far."""


@strawberry.type
class CreditVerification:
    """The result of recomputing a community's hash chain."""

    ok: bool
    """True when every transaction and balance matched."""
    checked: int
    """How many transactions were recomputed."""
    head: CreditChainHead
    """The chain's newest link."""
    first_bad_seq: int | None = strawberry.field(
        description="The first transaction that does not match (or is missing).")
    first_bad_transaction_id: strawberry.ID | None
    """The first transaction that does not match (null when all match)."""
    problem: str | None = strawberry.field(
        description="HASH_MISMATCH, BROKEN_LINK, MISSING, UNBALANCED, HEAD_MISMATCH or "
                    "BALANCE_MISMATCH.")
    account: str | None = strawberry.field(description="For BALANCE_MISMATCH: the account.")
    message: str
    """What was found, in words."""
    verified_at: datetime | None
    """When the last recorded verification ran (the nightly job's or an earlier one; null before
    any)."""


@strawberry.type
class CreditProofPosting:
    """A line of a proven transaction: a system account by code, or just "member"."""

    account: str
    """A system account's code, or `member` (no names in a public proof)."""
    amount: Credits
    """Into (positive) or out of (negative) that account."""


@strawberry.type
class CreditProof:
    """Public evidence for one transaction: no names, just amounts, time and hashes."""

    seq: int
    """The transaction's place in the chain."""
    kind: str
    """What moved the credits (`need_payment`, `transfer` …)."""
    amount: Credits
    """Credits moved."""
    created_at: datetime
    """When it was posted."""
    hash: str
    """Its stored hash."""
    prev_hash: str
    """The hash before it in the chain."""
    postings: list[CreditProofPosting]
    """Its lines, without names."""
    content_matches: bool = strawberry.field(
        description="The stored content still hashes to the stored hash.")
    link_matches: bool = strawberry.field(
        description="The previous transaction's hash is this one's previous hash.")
    head: CreditChainHead
    """The chain's newest link now."""
    last_verified_at: datetime | None
    """When the whole chain was last verified (null before any)."""
    last_verification_ok: bool | None
    """Whether that verification found the chain intact (null before any)."""


@strawberry.type
class CreditExpiryRule:
    """When earned credits expire."""

    policy: str = strawberry.field(description="The rule: `never`, `days` (a number of days "
                                               "after earning) or `end_of_year`.")
    days: int | None
    """For `days`: how many days earned credits stay valid (null otherwise)."""
    year_offset: int | None
    """For `end_of_year`: 0 is the end of the year they were earned, 1 the next … (null
    otherwise)."""
    notice_days: int
    """Members are told this many days before their credits expire (0: no notice)."""


@strawberry.type
class CreditRuleBoard:
    """The credit rules in force and the chain head: what the trust stand's QR code shows."""

    community_name: str
    """The community's display name."""
    payer: str
    """Who pays the helper of a confirmed need: `requester` (mutual) or `community_fund`."""
    fund_pays_on_behalf: bool
    """True when a need a leader posted for a member is paid by the community fund."""
    credit_limit: Credits
    """How far below zero a member may go."""
    max_balance: Credits
    """The most a member may hold."""
    transfers_enabled: bool
    """True when members may send credits to each other."""
    expiry: CreditExpiryRule
    """When earned credits expire."""
    leader_pool_monthly: Credits
    """Credits shared among building leaders each month (0: none)."""
    head: CreditChainHead
    """The chain's newest link: check any transaction against it with `creditProof`."""
    in_circulation: Credits = strawberry.field(description="Sum of members' positive balances.")
    last_verified_at: datetime | None
    """When the whole chain was last verified (null before any)."""
    last_verification_ok: bool | None
    """Whether that verification found the chain intact (null before any)."""


@strawberry.type
class CreditVoucherBatch(Node):
    """A batch of experience cards (admins)."""

    label: str
    """The admin's label for the batch (empty when none)."""
    count: int
    """How many cards it has."""
    amount: Credits
    """Credits each card is worth."""
    expires_at: datetime
    """When its cards stop being redeemable."""
    created_at: datetime
    """When it was issued."""
    _row: strawberry.Private[dict]

    @classmethod
    async def load_node(cls, info: Info, pk: int) -> CreditVoucherBatch | None:
        """For ``node(id:)``: admins, as ``creditVoucherBatches``."""
        row = await admin_node_in_community(info, BatchTable, pk, NAME)
        return cls.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: dict) -> CreditVoucherBatch:
        """Build from a ``yz_credit_voucher_batch`` row."""
        return cls(id=to_gid("CreditVoucherBatch", row["id"]), label=row["label"],
                   count=row["count"], amount=credits(row["amount_centi"]),
                   expires_at=row["expires_at"], created_at=row["created_at"], _row=row)

    @strawberry.field(description="Cards not redeemed yet and still valid.")
    async def open(self) -> int:
        return (await vouchers.batch_counts(self._row["id"]))["open"]

    @strawberry.field(description="Cards redeemed so far.")
    async def redeemed(self) -> int:
        return (await vouchers.batch_counts(self._row["id"]))["redeemed"]

    @strawberry.field(description="Cards that expired unused.")
    async def expired(self) -> int:
        return (await vouchers.batch_counts(self._row["id"]))["expired"]

    @strawberry.field(description="Cards cancelled.")
    async def cancelled(self) -> int:
        return (await vouchers.batch_counts(self._row["id"]))["cancelled"]


@strawberry.type
class CreditVoucher(Node):
    """One experience card (admins)."""

    code: str
    """The code to redeem, grouped with dashes for reading."""
    amount: Credits
    """Credits the card is worth."""
    status: str
    """`open`, `redeemed`, `expired` or `cancelled`."""
    expires_at: datetime
    """When it stops being redeemable."""
    redeemed_at: datetime | None
    """When it was redeemed (null until then)."""
    batch_id: strawberry.ID
    """The batch it was issued in."""

    @classmethod
    async def load_node(cls, info: Info, pk: int) -> CreditVoucher | None:
        """For ``node(id:)``: admins, as ``creditVouchers``."""
        row = await admin_node_in_community(info, VoucherTable, pk, NAME)
        return cls.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: dict) -> CreditVoucher:
        """Build from a ``yz_credit_voucher`` row."""
        from yizhan.plugins.credits.codes import display

        return cls(id=to_gid("CreditVoucher", row["id"]), code=display(row["code"]),
                   amount=credits(row["amount_centi"]), status=row["status"],
                   expires_at=row["expires_at"], redeemed_at=row["redeemed_at"],
                   batch_id=to_gid("CreditVoucherBatch", row["batch"]))


@strawberry.enum
class CreditVoucherStatus(Enum):
    """Where a card stands."""

    OPEN = "open"
    """Not redeemed yet, still valid."""
    REDEEMED = "redeemed"
    """Redeemed: its credits went to a member."""
    EXPIRED = "expired"
    """Its validity ended before anyone redeemed it."""
    CANCELLED = "cancelled"
    """An admin cancelled it before it was redeemed."""


@strawberry.input
class CreditStatementFilter:
    """Narrow a statement: transaction kinds (need_payment, transfer, award, charge,
    voucher_redemption, reversal, expiry, leader_pool, funding …), a time range, a source."""

    kinds: list[str] | None = None
    """Only transactions of these kinds."""
    since: datetime | None = None
    """Only transactions at or after this time."""
    until: datetime | None = None
    """Only transactions before this time."""
    source_kind: str | None = None
    """Only transactions caused by this kind of thing (`need`, `voucher` …)."""


def _filter(f: CreditStatementFilter | None) -> statements.StatementFilter:
    f = f or CreditStatementFilter()
    return statements.StatementFilter(kinds=f.kinds, since=f.since, until=f.until,
                                      source_kind=f.source_kind)


async def _statement(account_id: int, f: CreditStatementFilter | None, first: int | None,
                     after: str | None) -> Connection[CreditStatementLine]:
    size = page_size(first)
    rows = await statements.statement(account_id, _filter(f), before_posting=from_cursor(after),
                                      limit=size + 1)
    others = await statements.counterparts([r["id"] for r in rows[:size]], account_id)

    def line(row: dict) -> CreditStatementLine:
        return CreditStatementLine(
            amount=credits(row["posted_centi"]), balance_after=credits(row["balance_after_centi"]),
            transaction=CreditTransaction.from_row(row),
            counterparts=[CreditCounterpart(account_code=o["code"], account_kind=o["kind"],
                                            amount=credits(o["amount_centi"]),
                                            _member=o["member"])
                          for o in others.get(row["id"], [])])

    return build_connection(rows, size, line, key="posting_id")


def _verification(result: chain.VerifyResult, verified_at: datetime | None
                  ) -> CreditVerification:
    return CreditVerification(
        ok=result.ok, checked=result.checked,
        head=CreditChainHead(seq=result.head_seq, hash=result.head_hash),
        first_bad_seq=result.first_bad_seq,
        first_bad_transaction_id=to_gid("CreditTransaction", result.first_bad_id)
        if result.first_bad_id else None,
        problem=result.problem, account=result.account, message=result.message,
        verified_at=verified_at)


# --- queries ----------------------------------------------------------------------------


@strawberry.type
class CreditsQuery:
    """The credits plugin's root query fields."""

    @strawberry.field(description="My credits in a community: balance, holds, what I may "
                                  "spend, limits, warnings and what expires when.")
    async def my_credits(self, info: Info, community: str) -> CreditBalance:
        row = await _community(info, community)
        member = await info.context.require_verified(row)
        return CreditBalance.of(row, member["id"], await service.balance(row, member["id"]))

    @strawberry.field(description="My statement, newest first.")
    async def my_credit_statement(self, info: Info, community: str,
                                  filter: CreditStatementFilter | None = None,
                                  first: int | None = None, after: str | None = None
                                  ) -> Connection[CreditStatementLine]:
        """Args:
            filter: Narrow the statement (left out: every line)."""
        row = await _community(info, community)
        member = await info.context.require_verified(row)
        account = await accounts.get_by_code(row["id"], accounts.member_code(member["id"]))
        if account is None:
            page_size(first)
            return build_connection([], 1, lambda r: r)
        return await _statement(account["id"], filter, first, after)

    @strawberry.field(description="Accounts of a community with their balances (admins).")
    async def credit_accounts(self, info: Info, community: str, kind: str | None = None,
                              first: int | None = None, after: str | None = None
                              ) -> Connection[CreditAccount]:
        """Args:
            kind: Only `member` or only `system` accounts (left out: both)."""
        row, _ = await _admin(info, community)
        if kind is not None and kind not in (accounts.MEMBER, accounts.SYSTEM):
            raise invalid("kind", "Kind is member or system.", code="INVALID_KIND")
        size = page_size(first)
        rows = await accounts.list_accounts(row["id"], kind=kind, after_id=from_cursor(after),
                                            limit=size + 1)
        return build_connection(rows, size, CreditAccount.from_row)

    @strawberry.field(description="Any account's statement, newest first (admins). Name the "
                                  "account by id, by member, or by system code.")
    async def credit_account_statement(
            self, info: Info, community: str, account_id: strawberry.ID | None = None,
            member_id: strawberry.ID | None = None, code: str | None = None,
            filter: CreditStatementFilter | None = None, first: int | None = None,
            after: str | None = None) -> Connection[CreditStatementLine]:
        """Args:
            account_id: The account, by id.
            member_id: Or the member whose account it is.
            code: Or a system account's code (`community_fund`, `leader_pool` …).
            filter: Narrow the statement (left out: every line)."""
        row, _ = await _admin(info, community)
        if account_id is not None:
            account = await accounts.get_by_id(row["id"], pk_of(account_id, "CreditAccount",
                                                                "accountId"))
        elif member_id is not None:
            member = await get_member(row, pk_of(member_id, "Member", "memberId"), "memberId")
            account = await accounts.get_by_code(row["id"], accounts.member_code(member["id"]))
            if account is None:
                page_size(first)
                return build_connection([], 1, lambda r: r)
        elif code is not None:
            account = await accounts.get_by_code(row["id"], code)
        else:
            raise invalid("accountId", "Name an account, a member or a code.", code="REQUIRED")
        if account is None:
            raise not_found("account", "accountId")
        return await _statement(account["id"], filter, first, after)

    @strawberry.field(description="Community totals (verified members).")
    async def credit_totals(self, info: Info, community: str) -> CreditTotals:
        row = await _community(info, community)
        await info.context.require_verified(row)
        t = await statements.totals(row["id"])
        return CreditTotals(**{k: credits(val) if k not in ("accounts", "transactions") else val
                               for k, val in t.items()})

    @strawberry.field(description="Recompute the community's hash chain now (admins).")
    async def credit_chain_verification(self, info: Info, community: str
                                        ) -> CreditVerification:
        row, _ = await _admin(info, community)
        result = await verify.verify(row["id"])
        last = await verify.last_verification(row["id"])
        return _verification(result, last["verified_at"] if last else None)

    @strawberry.field(description="Public proof of one transaction, by its place in the chain "
                                  "(no login; no names).")
    async def credit_proof(self, info: Info, community: str, seq: int) -> CreditProof:
        """Args:
            seq: The transaction's place in the community's chain (1, 2, 3 …)."""
        row = await _community(info, community)
        found = await statements.proof(row["id"], seq)
        if found is None:
            raise not_found("transaction", "seq")
        tx, last = found["transaction"], found["last_verification"]
        return CreditProof(
            seq=tx["seq"], kind=tx["kind"], amount=credits(tx["amount_centi"]),
            created_at=chain.from_us(tx["created_us"]), hash=tx["hash"],
            prev_hash=tx["prev_hash"],
            postings=[CreditProofPosting(
                account="member" if p["account_kind"] == accounts.MEMBER else p["account_code"],
                amount=credits(p["amount_centi"])) for p in found["postings"]],
            content_matches=found["content_matches"], link_matches=found["link_matches"],
            head=CreditChainHead(seq=found["head"]["seq"], hash=found["head"]["hash"]),
            last_verified_at=last["verified_at"] if last else None,
            last_verification_ok=last["ok"] if last else None)

    @strawberry.field(description="The credit rules in force and the chain head (public: the "
                                  "trust stand's QR code).")
    async def credit_rule_board(self, info: Info, community: str) -> CreditRuleBoard:
        row = await _community(info, community)
        s = ledger.settings_of(row["id"])
        head = await statements.head(row["id"])
        totals = await statements.totals(row["id"])
        last = await verify.last_verification(row["id"])
        return CreditRuleBoard(
            community_name=row["name"], payer=s.payer, fund_pays_on_behalf=s.fund_pays_on_behalf,
            credit_limit=credits(centi(s.credit_limit)), max_balance=credits(centi(s.max_balance)),
            transfers_enabled=s.transfers_enabled,
            expiry=CreditExpiryRule(
                policy=s.expiry, days=s.expiry_days if s.expiry == "days" else None,
                year_offset=s.expiry_year_offset if s.expiry == "end_of_year" else None,
                notice_days=s.expiry_notice_days),
            leader_pool_monthly=credits(centi(s.leader_pool_monthly)),
            head=CreditChainHead(seq=head["seq"], hash=head["hash"]),
            in_circulation=credits(totals["member_credit"]),
            last_verified_at=last["verified_at"] if last else None,
            last_verification_ok=last["ok"] if last else None)

    @strawberry.field(description="Voucher batches, newest first (admins).")
    async def credit_voucher_batches(self, info: Info, community: str,
                                     first: int | None = None, after: str | None = None
                                     ) -> Connection[CreditVoucherBatch]:
        row, _ = await _admin(info, community)
        size = page_size(first)
        rows = await vouchers.list_batches(row["id"], before_id=from_cursor(after),
                                           limit=size + 1)
        return build_connection(rows, size, CreditVoucherBatch.from_row)

    @strawberry.field(description="Cards, optionally of one batch and in one state (admins).")
    async def credit_vouchers(self, info: Info, community: str,
                              batch_id: strawberry.ID | None = None,
                              status: CreditVoucherStatus | None = None,
                              first: int | None = None, after: str | None = None
                              ) -> Connection[CreditVoucher]:
        """Args:
            batch_id: Only cards of this batch.
            status: Only cards in this state."""
        row, _ = await _admin(info, community)
        size = page_size(first)
        batch = pk_of(batch_id, "CreditVoucherBatch", "batchId") if batch_id else None
        if batch is not None:
            await vouchers.get_batch(row["id"], batch)
        rows = await vouchers.list_vouchers(row["id"], batch_id=batch,
                                            status=status.value if status else None,
                                            after_id=from_cursor(after), limit=size + 1)
        return build_connection(rows, size, CreditVoucher.from_row)


# --- mutations --------------------------------------------------------------------------


@strawberry.input
class RedeemCreditVoucherInput:
    """Redeem an experience card (verified members). Dashes and spaces are ignored."""

    community: str
    code: str
    """The card's code (dashes and spaces are ignored)."""


@strawberry.type
class RedeemCreditVoucherPayload:
    """The payment the card made and my balance after it."""

    transaction: CreditTransaction | None = None
    """The transaction that paid the card's credits to you (null when it failed)."""
    balance: CreditBalance | None = None
    """Your credits after it (null when it failed)."""
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class IssueCreditVouchersInput:
    """Issue a batch of cards (admins), valid through ``expiresOn`` (community local date)."""

    community: str
    count: int
    """How many cards, 1 to 5000."""
    credits: Credits
    """Credits each card is worth, a decimal string (`"5"`, `"2.50"`)."""
    expires_on: date
    """The last day the cards can be redeemed (community local date)."""
    label: str = ""
    """A label to find the batch by (optional)."""


@strawberry.type
class IssueCreditVouchersPayload:
    """The new batch."""

    batch: CreditVoucherBatch | None = None
    """The new batch (null when it failed); its cards are listed by `creditVouchers`."""
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class CancelCreditVouchersInput:
    """Cancel the open cards of a batch, or some codes (admins)."""

    community: str
    batch_id: strawberry.ID | None = None
    """Cancel every open card of this batch."""
    codes: list[str] | None = None
    """Or cancel these codes (one of the two is required)."""


@strawberry.type
class CancelCreditVouchersPayload:
    """How many cards were cancelled."""

    cancelled: int = 0
    """How many cards were cancelled."""
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class TransferCreditsInput:
    """Send credits to another member (where the community allows it). Send the same
    ``idempotencyKey`` when retrying: the transfer happens once."""

    community: str
    to_member_id: strawberry.ID
    """The verified member to send to."""
    amount: Credits
    """Credits to send, a decimal string above zero (`"1.50"`)."""
    idempotency_key: str
    """Your own unique key for this transfer; a retry with the same key does not pay twice."""
    note: str = ""
    """A note both of you see (optional, up to 200 characters)."""


@strawberry.type
class CreditTransactionPayload:
    """The transaction posted (or, for a replayed key, the earlier one)."""

    transaction: CreditTransaction | None = None
    """The transaction posted (null when it failed)."""
    balance: CreditBalance | None = None
    """The sender's credits after it (null when it failed or for admin actions)."""
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class ReverseCreditTransactionInput:
    """Correct a mistake by posting the opposite transaction (admins)."""

    community: str
    transaction_id: strawberry.ID
    """The transaction to undo."""
    reason: str
    """Why (up to 200 characters), kept in the ledger."""


@strawberry.input
class FundCreditAccountInput:
    """Move credits into a system account (admins): by default new credits from issuance into
    the community fund, the leader pool, the voucher or compensation reserve."""

    community: str
    account: str
    """The system account to fund, by code (`community_fund`, `leader_pool` …)."""
    amount: Credits
    """Credits to move, a decimal string above zero."""
    reason: str
    """Why (up to 200 characters), kept in the ledger."""
    idempotency_key: str
    """Your own unique key; a retry with the same key moves the credits once."""
    from_account: str = "issuance"
    """The system account to take them from (`issuance`: new credits)."""


@strawberry.type
class CreditsMutation:
    """The credits plugin's mutations."""

    @strawberry.mutation(description="Redeem an experience card.")
    @payload(RedeemCreditVoucherPayload)
    async def redeem_credit_voucher(self, info: Info, input: RedeemCreditVoucherInput
                                    ) -> RedeemCreditVoucherPayload:
        row = await _community(info, input.community)
        member = await info.context.require_verified(row)
        _, posted = await vouchers.redeem(row, member, input.code)
        return RedeemCreditVoucherPayload(
            transaction=CreditTransaction.from_row(posted.transaction),
            balance=CreditBalance.of(row, member["id"], await service.balance(row, member["id"])))

    @strawberry.mutation(description="Issue a batch of experience cards (admins).")
    @payload(IssueCreditVouchersPayload)
    async def issue_credit_vouchers(self, info: Info, input: IssueCreditVouchersInput
                                    ) -> IssueCreditVouchersPayload:
        row, admin = await _admin(info, input.community)
        batch = await vouchers.issue(row, count=input.count,
                                     amount=credits_to_centi(input.credits, "credits"),
                                     expires_on=input.expires_on, label=input.label,
                                     actor=admin["id"])
        return IssueCreditVouchersPayload(batch=CreditVoucherBatch.from_row(batch))

    @strawberry.mutation(description="Cancel open experience cards (admins).")
    @payload(CancelCreditVouchersPayload)
    async def cancel_credit_vouchers(self, info: Info, input: CancelCreditVouchersInput
                                     ) -> CancelCreditVouchersPayload:
        row, _ = await _admin(info, input.community)
        batch = pk_of(input.batch_id, "CreditVoucherBatch", "batchId") if input.batch_id \
            else None
        return CancelCreditVouchersPayload(cancelled=await vouchers.cancel(
            row, batch_id=batch, codes_text=input.codes))

    @strawberry.mutation(description="Send credits to another member.")
    @payload(CreditTransactionPayload)
    async def transfer_credits(self, info: Info, input: TransferCreditsInput
                               ) -> CreditTransactionPayload:
        row = await _community(info, input.community)
        member = await info.context.require_verified(row)
        amount = _amount(input.amount)
        note = validate_text(input.note, "note", max_length=200, required=False)
        target = await get_member(row, pk_of(input.to_member_id, "Member", "toMemberId"),
                                  "toMemberId")
        if target["status"] != "verified":
            raise invalid("toMemberId", "Credits can only go to verified members.",
                          code="NOT_VERIFIED")
        posted = await service.transfer_between_members(
            row, member["id"], target["id"], amount, note=note,
            key=f"transfer:{member['id']}:{input.idempotency_key}")
        return CreditTransactionPayload(
            transaction=CreditTransaction.from_row(posted.transaction),
            balance=CreditBalance.of(row, member["id"], await service.balance(row, member["id"])))

    @strawberry.mutation(description="Reverse a transaction (admins).")
    @payload(CreditTransactionPayload)
    async def reverse_credit_transaction(self, info: Info, input: ReverseCreditTransactionInput
                                         ) -> CreditTransactionPayload:
        row, admin = await _admin(info, input.community)
        reason = validate_text(input.reason, "reason", max_length=200)
        posted = await service.reverse(
            row, pk_of(input.transaction_id, "CreditTransaction", "transactionId"),
            reason=reason, actor=admin["id"])
        return CreditTransactionPayload(transaction=CreditTransaction.from_row(
            posted.transaction))

    @strawberry.mutation(description="Fund a system account (admins).")
    @payload(CreditTransactionPayload)
    async def fund_credit_account(self, info: Info, input: FundCreditAccountInput
                                  ) -> CreditTransactionPayload:
        row, admin = await _admin(info, input.community)
        amount = _amount(input.amount)
        reason = validate_text(input.reason, "reason", max_length=200)
        for field, code in (("fromAccount", input.from_account), ("account", input.account)):
            if code.startswith("member:"):
                raise invalid(field, "Funding moves credits between system accounts only.",
                              code="SYSTEM_ACCOUNTS_ONLY")
            await accounts.require(row["id"], code, field)
        posted = await service.transfer(row, input.from_account, input.account, amount,
                                        kind="funding", reason=reason,
                                        key=f"funding:{input.idempotency_key}",
                                        actor=admin["id"])
        return CreditTransactionPayload(transaction=CreditTransaction.from_row(
            posted.transaction))


TYPES = [CreditTransaction, CreditAccount, CreditVoucherBatch, CreditVoucher]
