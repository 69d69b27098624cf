"""Vouchers ("1-hour experience cards"): batches of single-use codes backed by the voucher
reserve.

Issuing a batch holds ``count × amount`` of the reserve's credits (minting what it lacks from
issuance when ``voucher_auto_fund`` is on), so every open card is covered. Redeeming a card
pays its credits from the reserve to the member and releases that part of the hold; a card that
expires or is cancelled just releases its part. Failed attempts are stored in the database, so
guessing is rate-limited across every server process.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from yizhan.core.api import (
    YizhanError,
    atomic,
    format_centi,
    invalid,
    throttle_check,
    throttle_failure,
    validate_text,
)
from yizhan.core.api import now as _now
from yizhan.plugins.credits import accounts, codes, errors, ledger
from yizhan.plugins.credits.accounts import ISSUANCE, VOUCHER_RESERVE, Limits
from yizhan.plugins.credits.ledger import Line, Posted
from yizhan.plugins.credits.tables import (
    CreditVoucher,
    CreditVoucherBatch,
)

OPEN, REDEEMED, EXPIRED, CANCELLED = "open", "redeemed", "expired", "cancelled"
STATUSES = (OPEN, REDEEMED, EXPIRED, CANCELLED)
MAX_BATCH = 5000
MAX_CARD_CENTI = 100_00
#: Refusals that may be guesses: counted against the member's attempts.
GUESSES = ("VOUCHER_CODE_INVALID", "VOUCHER_NOT_FOUND")
#: The throttle scope of wrong codes (core's attempts throttle; key: "<community>:<member>").
GUESS_SCOPE = "credits.voucher"


def end_of_day(day: date, time_zone: str) -> datetime:
    """The first moment after ``day`` in the community's time zone (cards are valid all day)."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=ZoneInfo(time_zone))


async def issue(community: dict, *, count: int, amount: int, expires_on: date,
                label: str = "", actor: int | None = None) -> dict:
    """Issue a batch of ``count`` cards worth ``amount`` hundredths each, valid through
    ``expires_on`` (community local date). Returns the batch row."""
    if not isinstance(count, int) or not 1 <= count <= MAX_BATCH:
        raise invalid("count", "Issue 1 to {max} cards at a time.", code="OUT_OF_RANGE",
                      max=MAX_BATCH)
    if amount <= 0:
        raise errors.zero_amount("credits")
    if amount > MAX_CARD_CENTI:
        raise invalid("credits", "At most {max} credits.", code="AMOUNT_TOO_LARGE",
                      max=format_centi(MAX_CARD_CENTI))
    label = validate_text(label, "label", max_length=100, required=False)
    expires_at = end_of_day(expires_on, community["time_zone"])
    now = _now()
    if expires_at <= now:
        raise invalid("expiresOn", "The expiry date has already passed.",
                      code="EXPIRY_IN_PAST")
    total = count * amount
    settings = ledger.settings_of(community["id"])
    async with atomic():
        batch = (await CreditVoucherBatch.insert(CreditVoucherBatch(
            community=community["id"], label=label, count=count, amount_centi=amount,
            expires_at=expires_at, created_by=actor, created_at=now,
        )).returning(*CreditVoucherBatch.all_columns()))[0]
        reserve = await accounts.builtin(community["id"], VOUCHER_RESERVE)
        reserve = await ledger.lock_account(reserve["id"])
        free = reserve["balance_centi"] - reserve["held_centi"]
        if free < total and settings.voucher_auto_fund:
            issuance = await accounts.builtin(community["id"], ISSUANCE)
            await ledger.post(community, [Line(issuance, free - total),
                                          Line(reserve, total - free)],
                              kind="funding", reason=f"Voucher batch {batch['id']}",
                              key=f"voucher-batch:{batch['id']}:funding",
                              source_kind="voucher_batch", source_id=batch["id"], actor=actor)
        await ledger.move(reserve, held=total, check_floor=True, limits=Limits(0, None),
                          hint={"field": "count"})
        await CreditVoucher.insert(*[CreditVoucher(
            community=community["id"], batch=batch["id"], code=code, amount_centi=amount,
            status=OPEN, expires_at=expires_at) for code in await _fresh_codes(
                community["id"], count)])
    return batch


async def _fresh_codes(community_id: int, count: int) -> list[str]:
    found: set[str] = set()
    while len(found) < count:
        wanted = {codes.new_code() for _ in range(count - len(found))} - found
        taken = await CreditVoucher.select(CreditVoucher.code).where(
            (CreditVoucher.community == community_id)
            & CreditVoucher.code.is_in(list(wanted)))
        found |= wanted - {row["code"] for row in taken}
    return list(found)


async def _check_rate(community: dict, member_id: int, now: datetime) -> None:
    settings = ledger.settings_of(community["id"])
    await throttle_check(
        GUESS_SCOPE, f"{community['id']}:{member_id}", limit=settings.voucher_guess_limit,
        window=timedelta(minutes=settings.voucher_guess_window_minutes), now=now,
        error=YizhanError("VOUCHER_RATE_LIMITED",
                          "Too many wrong codes. Please try again in {minutes} minutes.",
                          kind="limit", minutes=settings.voucher_guess_window_minutes))


def card_code(text: str, template: str) -> str:
    """The normalized card code in what was typed or scanned: the card's QR payload (made with
    ``voucher_qr_template``) or the code itself (any case, with or without dashes)."""
    stripped = (text or "").strip()
    regex = ""
    for part in re.split(r"(\{community\}|\{code\})", template):
        if part == "{community}":
            regex += r"[a-z0-9][a-z0-9_-]{0,39}"
        elif part == "{code}":
            regex += r"(?P<code>[0-9A-Za-z -]{12,20})"
        else:
            regex += re.escape(part)
    found = re.match("^" + regex + "$", stripped)
    return codes.normalize(found.group("code") if found else stripped)


async def redeem_for(community: dict, text: str, target: dict, *, actor: dict,
                     redeemed_for: str, hint: dict | None = None,
                     then: Callable[[dict, Posted], Awaitable[Any]] | None = None,
                     ) -> tuple[dict, Posted]:
    """Redeem a card into ``target`` (a system account: a shop's, for goods at its till) on
    behalf of its holder, who needs no account; ``actor`` (the shop's staff) is recorded and
    its wrong codes are counted. A card is redeemable once in all, this way or into a member's
    account (:func:`redeem`): the first to claim it wins, the other gets
    VOUCHER_ALREADY_REDEEMED and nothing changes. ``then(card, payment)`` runs inside the
    redemption's database transaction (the caller's own record of it)."""
    now = _now()
    await _check_rate(community, actor["id"], now)
    settings = ledger.settings_of(community["id"])
    try:
        return await _redeem(community, None, card_code(text, settings.voucher_qr_template),
                             now, target=target, actor=actor, redeemed_for=redeemed_for,
                             hint=hint, then=then)
    except YizhanError as error:
        if error.code in GUESSES:
            await throttle_failure(GUESS_SCOPE, f"{community['id']}:{actor['id']}", now)
        raise


async def redeem(community: dict, member: dict, text: str) -> tuple[dict, Posted]:
    """Redeem a card for ``member``: (the voucher, the payment). A used, expired, cancelled or
    unknown code is refused with its own code and changes nothing; wrong codes count against
    the member (VOUCHER_RATE_LIMITED past the limit)."""
    now = _now()
    await _check_rate(community, member["id"], now)
    try:
        return await _redeem(community, member, card_code(
            text, ledger.settings_of(community["id"]).voucher_qr_template), now)
    except YizhanError as error:
        if error.code in GUESSES:
            await throttle_failure(GUESS_SCOPE, f"{community['id']}:{member['id']}", now)
        raise


def last_day(voucher: dict, time_zone: str) -> date:
    """The last local day a card is valid."""
    return (voucher["expires_at"].astimezone(ZoneInfo(time_zone)) - timedelta(days=1)).date()


def _refusal(voucher: dict, now: datetime, time_zone: str) -> YizhanError | None:
    status = voucher["status"]
    if status == REDEEMED:
        return YizhanError("VOUCHER_ALREADY_REDEEMED", "This card was already used.",
                           field="code")
    if status == CANCELLED:
        return YizhanError("VOUCHER_CANCELLED", "This card was cancelled.", field="code")
    if status == EXPIRED or voucher["expires_at"] <= now:
        return YizhanError("VOUCHER_EXPIRED", "This card expired on {date}.", field="code",
                           date=last_day(voucher, time_zone).isoformat())
    return None


async def _redeem(community: dict, member: dict | None, code: str, now: datetime, *,
                  target: dict | None = None, actor: dict | None = None,
                  redeemed_for: str = "", hint: dict | None = None,
                  then: Callable[[dict, Posted], Awaitable[Any]] | None = None,
                  ) -> tuple[dict, Posted]:
    if not codes.is_well_formed(code):
        raise YizhanError("VOUCHER_CODE_INVALID",
                          "This is not a valid card code. Please check it and type it again.",
                          field="code")
    settings = ledger.settings_of(community["id"])
    async with atomic():
        voucher = await CreditVoucher.select().where(
            (CreditVoucher.community == community["id"]) & (CreditVoucher.code == code)).first()
        if voucher is None:
            raise YizhanError("VOUCHER_NOT_FOUND", "There is no card with this code.",
                              field="code")
        refusal = _refusal(voucher, now, community["time_zone"])
        if refusal is not None:
            raise refusal
        limit = settings.voucher_limit_per_member if member is not None else 0
        if limit and member is not None and await CreditVoucher.count().where(
                (CreditVoucher.batch == voucher["batch"])
                & (CreditVoucher.redeemed_by == member["id"])) >= limit:
            raise YizhanError("VOUCHER_LIMIT_REACHED",
                              "You have already used {limit} card(s) of this kind.",
                              field="code", limit=limit)
        taken = await CreditVoucher.update({
            CreditVoucher.status: REDEEMED,
            CreditVoucher.redeemed_by: member["id"] if member is not None else None,
            CreditVoucher.redeemed_for: redeemed_for,
            CreditVoucher.redeemed_at: now, CreditVoucher.closed_at: now,
        }).where((CreditVoucher.id == voucher["id"]) & (CreditVoucher.status == OPEN)
                 ).returning(CreditVoucher.id)
        if not taken:  # someone else redeemed it a moment ago
            again = await CreditVoucher.select().where(CreditVoucher.id == voucher["id"]).first()
            raise _refusal(again, now, community["time_zone"]) or YizhanError(
                "VOUCHER_ALREADY_REDEEMED", "This card was already used.", field="code")
        amount = voucher["amount_centi"]
        reserve = await accounts.builtin(community["id"], VOUCHER_RESERVE)
        if target is None:
            target = await accounts.member_account(community["id"], member["id"])
        who = member if member is not None else actor
        posted = await ledger.post(community, [
            Line(reserve, -amount, checked=False, release_held=amount),
            Line(target, amount)], kind="voucher_redemption",
            reason="Experience card", key=f"voucher:{voucher['id']}",
            source_kind="voucher", source_id=voucher["id"], actor=who["id"] if who else None,
            hint=hint or {"field": "code", "payee_is_actor": True},
            reason_msgid="Experience card")
        await CreditVoucher.update({CreditVoucher.tx: posted.transaction["id"]}).where(
            CreditVoucher.id == voucher["id"])
        voucher = await CreditVoucher.select().where(CreditVoucher.id == voucher["id"]).first()
        if then is not None:
            await then(voucher, posted)
    return voucher, posted


async def _close(community_id: int, query_filter, status: str, now: datetime) -> int:
    """Close open vouchers matching ``query_filter`` as ``status``; release the reserve."""
    async with atomic():
        closed = await CreditVoucher.update({
            CreditVoucher.status: status, CreditVoucher.closed_at: now,
        }).where((CreditVoucher.community == community_id) & (CreditVoucher.status == OPEN)
                 & query_filter).returning(CreditVoucher.amount_centi)
        total = sum(row["amount_centi"] for row in closed)
        if total:
            reserve = await accounts.builtin(community_id, VOUCHER_RESERVE)
            await ledger.move(reserve, held=-total, limits=Limits(None, None))
    return len(closed)


async def cancel(community: dict, *, batch_id: int | None = None,
                 codes_text: list[str] | None = None) -> int:
    """Cancel the open cards of a batch, or the listed codes; returns how many."""
    if batch_id is None and not codes_text:
        raise invalid("batchId", "Name a batch or some codes.", code="REQUIRED")
    if batch_id is not None:
        if not await CreditVoucherBatch.exists().where(
                (CreditVoucherBatch.community == community["id"])
                & (CreditVoucherBatch.id == batch_id)):
            raise YizhanError("NOT_FOUND", "No such {what}.", field="batchId",
                              kind="not_found", what="voucher batch")
        condition = CreditVoucher.batch == batch_id
    else:
        wanted = [codes.normalize(c) for c in codes_text or []]
        bad = [c for c in wanted if not codes.is_well_formed(c)]
        if bad:
            raise YizhanError("VOUCHER_CODE_INVALID",
                              "This is not a valid card code. Please check it and type it "
                              "again.", field="codes")
        condition = CreditVoucher.code.is_in(wanted)
    return await _close(community["id"], condition, CANCELLED, _now())


async def expire_due(now: datetime) -> int:
    """Sweep: open cards past their date become ``expired``; their reserve is released."""
    due = await CreditVoucher.select(CreditVoucher.community).where(
        (CreditVoucher.status == OPEN) & (CreditVoucher.expires_at <= now)).distinct()
    count = 0
    for row in due:
        count += await _close(row["community"], CreditVoucher.expires_at <= now, EXPIRED, now)
    return count


async def batch_counts(batch_id: int) -> dict[str, int]:
    """How many cards of a batch are open, redeemed, expired, cancelled."""
    rows = await CreditVoucher.select(CreditVoucher.status).where(CreditVoucher.batch == batch_id)
    out = dict.fromkeys(STATUSES, 0)
    for row in rows:
        out[row["status"]] += 1
    return out


async def list_batches(community_id: int, *, before_id: int | None = None,
                       limit: int = 20) -> list[dict]:
    """Batches of a community, newest first."""
    query = CreditVoucherBatch.select().where(CreditVoucherBatch.community == community_id)
    if before_id is not None:
        query = query.where(CreditVoucherBatch.id < before_id)
    return await query.order_by(CreditVoucherBatch.id, ascending=False).limit(limit)


async def get_batch(community_id: int, batch_id: int) -> dict:
    """A batch of the community, or NOT_FOUND."""
    row = await CreditVoucherBatch.select().where(
        (CreditVoucherBatch.community == community_id) & (CreditVoucherBatch.id == batch_id)
    ).first()
    if row is None:
        raise YizhanError("NOT_FOUND", "No such {what}.", field="batchId", kind="not_found",
                          what="voucher batch")
    return row


async def list_vouchers(community_id: int, *, batch_id: int | None = None,
                        status: str | None = None, after_id: int | None = None,
                        limit: int = 50) -> list[dict]:
    """Cards of a community (optionally of one batch, in one state), by id."""
    query = CreditVoucher.select().where(CreditVoucher.community == community_id)
    if batch_id is not None:
        query = query.where(CreditVoucher.batch == batch_id)
    if status:
        if status not in STATUSES:
            raise invalid("status", "Unknown status {status}.", code="INVALID_STATUS",
                          status=status)
        query = query.where(CreditVoucher.status == status)
    if after_id is not None:
        query = query.where(CreditVoucher.id > after_id)
    return await query.order_by(CreditVoucher.id).limit(limit)
