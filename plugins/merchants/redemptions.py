"""Spending credits at a shop: the resident's one-time code, the staff's submission, the
same-day void and the resident's rating.

A submission is one database transaction: the code is claimed with a conditional update (so
the same code submitted twice at the same moment succeeds once: the second waits for the
first's row and then finds it used), the redemption row is written, and the credits move from
the resident to the shop's settlement account through the credits service (one ledger
transaction, idempotent per code). Any refusal rolls everything back: nothing changes.
Residents spend their own credits only, never their credit limit; a concurrent spend that would
take them below zero is caught after the ledger moved and rolls the whole submission back.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from yizhan.core.api import (
    LEADER_ROLES,
    YizhanError,
    atomic,
    before_commit,
    credits_to_centi,
    forbidden,
    format_centi,
    get_member,
    invalid,
    is_admin,
    not_found,
    notify,
    publish,
    require_person,
    require_verified,
    throttle_check,
    throttle_failure,
    translate,
    validate_slug,
    validate_text,
)
from yizhan.core.api import now as _now
from yizhan.plugins.credits import service as credits
from yizhan.plugins.merchants import codes, pricing, rules, shops
from yizhan.plugins.merchants.money import format_fen, yuan_to_fen
from yizhan.plugins.merchants.settings import basis_points, fen
from yizhan.plugins.merchants.tables import Rating, Redemption, RedemptionCode

LIVE, USED, REPLACED, EXPIRED = "live", "used", "replaced", "expired"
COMPLETED, VOIDED = "completed", "voided"
MAX_CODE_CENTI = 1000_00
#: Refusals that may be guesses: counted against the staff member who submitted them.
GUESSES = ("CODE_INVALID", "CODE_NOT_FOUND", "CODE_OTHER_COMMUNITY")
#: The throttle scope of wrong codes (core's attempts throttle; key: "<community>:<staff>").
GUESS_SCOPE = "merchants.code"


def own_credits(balance: credits.Balance) -> int:
    """What a member may spend at a shop: their balance less what is held (no credit limit).
    Below zero when they owe (the shop's check after a concurrent spend needs the sign);
    ``balance.spendable`` is the same number floored at zero, as the API shows it."""
    return balance.balance - balance.held


def _insufficient(needed: int | None, available: int) -> YizhanError:
    if needed is None:
        return YizhanError("INSUFFICIENT_CREDITS", "You have no credits to spend.",
                           field="maxCredits")
    return YizhanError("INSUFFICIENT_CREDITS",
                       "Not enough credits: {needed} needed, {available} available.",
                       field="code", needed=format_centi(needed),
                       available=format_centi(max(available, 0)))


# --- codes -------------------------------------------------------------------------------


async def request_code(community: dict, member: dict, *, max_credits: Any = None,
                       merchant_id: int | None = None) -> dict:
    """A new one-time code for ``member`` (verified), valid ``code_valid_minutes``; any live
    code they had is replaced. ``max_credits`` (a decimal string) caps what the code may
    spend; ``merchant_id`` binds it to one shop."""
    require_verified(member)
    require_person(member)
    settings = shops.settings_of(community)
    limit = 0
    if max_credits is not None:
        limit = credits_to_centi(max_credits, "maxCredits", maximum=MAX_CODE_CENTI)
        if limit == 0:
            raise invalid("maxCredits", "The amount must be more than zero.",
                          code="ZERO_AMOUNT")
    if merchant_id is not None:
        shops.check_open(community, await shops.get(community, merchant_id))
    own = own_credits(await credits.balance(community, member["id"]))
    if own <= 0:
        raise _insufficient(None, own)
    if limit > own:
        raise YizhanError("INSUFFICIENT_CREDITS",
                          "Not enough credits: {needed} needed, {available} available.",
                          field="maxCredits", needed=format_centi(limit),
                          available=format_centi(own))
    now = _now()
    async with atomic():
        recent = await RedemptionCode.count().where(
            (RedemptionCode.community == community["id"])
            & (RedemptionCode.member == member["id"])
            & (RedemptionCode.created_at > now - timedelta(hours=1)))
        if recent >= settings.code_requests_per_hour:
            raise YizhanError("CODE_REQUEST_LIMIT",
                              "Too many codes in an hour. Please use the one you have or try "
                              "again later.", kind="limit")
        expires = now + timedelta(minutes=settings.code_valid_minutes)
        for _ in range(20):
            await _retire_live_codes(community, member["id"], now)
            inserted = await RedemptionCode.insert(RedemptionCode(
                community=community["id"], member=member["id"], code=codes.new_code(),
                merchant=merchant_id, max_credits_centi=limit, status=LIVE, created_at=now,
                expires_at=expires,
            )).on_conflict(action="DO NOTHING").returning(*RedemptionCode.all_columns())
            if inserted:
                return inserted[0]
            # The random code was taken, or a concurrent request of the same member just made
            # a live code (one live code per member, a unique index): retire it and retry.
        raise RuntimeError("no free redemption code after 20 attempts")


async def _retire_live_codes(community: dict, member_id: int, now: datetime) -> None:
    """The member's live code becomes ``replaced`` (or ``expired`` when its time was up)."""
    mine = ((RedemptionCode.community == community["id"])
            & (RedemptionCode.member == member_id) & (RedemptionCode.status == LIVE))
    await RedemptionCode.update({RedemptionCode.status: EXPIRED}).where(
        mine & (RedemptionCode.expires_at <= now))
    await RedemptionCode.update({RedemptionCode.status: REPLACED}).where(mine)


def qr_payload(community: dict, code_row: dict) -> str:
    """What the QR code of a code holds (the community's ``qr_template``)."""
    return codes.qr_payload(shops.settings_of(community).qr_template, community["slug"],
                            code_row["code"])


def _code_refusal(row: dict, now: datetime, merchant_id: int) -> YizhanError | None:
    if row["status"] == USED:
        return YizhanError("CODE_USED", "This code was already used.", field="code")
    if row["status"] == REPLACED:
        return YizhanError("CODE_REPLACED", "This code was replaced by a newer one: ask for "
                           "the code on the resident's screen now.", field="code")
    if row["status"] == EXPIRED or row["expires_at"] <= now:
        return YizhanError("CODE_EXPIRED", "This code has expired: the resident can ask for "
                           "a new one.", field="code")
    if row["merchant"] is not None and row["merchant"] != merchant_id:
        return YizhanError("CODE_OTHER_MERCHANT", "This code is for another shop.",
                           field="code")
    return None


# --- submitting --------------------------------------------------------------------------


async def _check_guesses(community: dict, member_id: int, now: datetime) -> None:
    settings = shops.settings_of(community)
    await throttle_check(
        GUESS_SCOPE, f"{community['id']}:{member_id}", limit=settings.staff_guess_limit,
        window=timedelta(minutes=settings.staff_guess_window_minutes), now=now,
        error=YizhanError("CODE_GUESS_LIMIT",
                          "Too many wrong codes. Please try again in {minutes} minutes.",
                          kind="limit", minutes=settings.staff_guess_window_minutes))


async def submit(community: dict, staff: dict, merchant_id: int, code_text: str,
                 order_amount: Any, category: str) -> dict:
    """Staff of a shop submit a resident's code with the order: the rules apply, the credits
    move, both sides get the receipt. Returns the redemption row. Refusals change nothing;
    wrong codes count against the staff member (CODE_GUESS_LIMIT past the limit)."""
    require_person(staff)
    settings = shops.settings_of(community)
    order_fen = yuan_to_fen(order_amount, "orderAmount", maximum=fen(settings.max_order_yuan))
    if order_fen == 0:
        raise invalid("orderAmount", "The amount must be more than zero.", code="ZERO_AMOUNT")
    category = validate_slug(category, "category")
    await shops.get(community, merchant_id)
    if not await shops.is_staff(merchant_id, staff["id"]):
        raise forbidden("Only staff of this shop can take its redemptions.")
    now = _now()
    await _check_guesses(community, staff["id"], now)
    code = codes.extract(code_text, settings.qr_template)
    try:
        return await _submit(community, staff, merchant_id, code, order_fen, category, now)
    except YizhanError as error:
        if error.code in GUESSES:
            await throttle_failure(GUESS_SCOPE, f"{community['id']}:{staff['id']}", now)
        raise


async def _submit(community: dict, staff: dict, merchant_id: int, code: str, order_fen: int,
                  category: str, now: datetime) -> dict:
    if not codes.is_well_formed(code):
        raise YizhanError("CODE_INVALID", "This is not a redemption code: check it for a typo.",
                          field="code")
    settings = shops.settings_of(community)
    async with atomic():
        row = await RedemptionCode.select().where(RedemptionCode.code == code).first()
        if row is None:
            raise YizhanError("CODE_NOT_FOUND", "No such redemption code.", field="code")
        if row["community"] != community["id"]:
            raise YizhanError("CODE_OTHER_COMMUNITY",
                              "This code is from another community.", field="code")
        shop = await shops.get(community, merchant_id)
        shops.check_open(community, shop, now)
        refusal = _code_refusal(row, now, merchant_id)
        if refusal is not None:
            raise refusal
        resident = await get_member(community, row["member"])
        if resident["status"] != "verified":
            raise YizhanError("RESIDENT_NOT_VERIFIED",
                              "The code's owner is no longer a verified member.", field="code")
        if resident["id"] == staff["id"]:
            raise YizhanError("SELF_REDEMPTION",
                              "Staff cannot take their own redemption: ask a colleague.",
                              field="code")
        in_force = await rules.in_force(community, merchant_id, shops.local_date(community, now))
        leader_bp = (basis_points(settings.leader_extra_discount_percent)
                     if resident["role"] in LEADER_ROLES else 0)
        breakdown = pricing.price(
            order_fen, category, [rules.terms(r) for r in in_force],
            fen_per_credit=fen(settings.yuan_per_credit),
            available_centi=own_credits(await credits.balance(community, resident["id"])),
            limit_centi=row["max_credits_centi"] or None, leader_bp=leader_bp)
        claimed = await RedemptionCode.update({
            RedemptionCode.status: USED, RedemptionCode.used_at: now,
        }).where((RedemptionCode.id == row["id"]) & (RedemptionCode.status == LIVE)
                 & (RedemptionCode.expires_at > now)).returning(RedemptionCode.id)
        if not claimed:  # another submission took it meanwhile
            fresh = await RedemptionCode.select().where(RedemptionCode.id == row["id"]).first()
            raise _code_refusal(fresh, now, merchant_id) or YizhanError(
                "CODE_USED", "This code was already used.", field="code")
        redemption = (await Redemption.insert(Redemption(
            community=community["id"], merchant=merchant_id, member=resident["id"],
            code=row["id"], staff=staff["id"], category=category,
            order_fen=breakdown.order_fen, credits_centi=breakdown.credits_centi,
            value_fen=breakdown.value_fen, discount_fen=breakdown.discount_fen,
            leader_bonus_fen=breakdown.leader_bonus_fen, to_pay_fen=breakdown.to_pay_fen,
            fen_per_credit=breakdown.fen_per_credit, leader_bp=breakdown.leader_bp,
            rule=breakdown.rule_id, status=COMPLETED, created_at=now,
        )).returning(*Redemption.all_columns()))[0]
        posted = await _charge(community, shop, resident, staff, redemption, row)
        await Redemption.update({Redemption.tx: posted.transaction["id"]}).where(
            Redemption.id == redemption["id"])
        _record_seq(posted, redemption["id"], Redemption.tx_seq)
        await _receipt(community, shop, resident, redemption)
        await publish(community["id"], "merchants.redemption", {
            "redemption": redemption["id"], "merchant": merchant_id,
            "credits_centi": breakdown.credits_centi, "value_fen": breakdown.value_fen})
    return await get(community, redemption["id"])


async def _charge(community: dict, shop: dict, resident: dict, staff: dict, redemption: dict,
                  code_row: dict) -> credits.Posted:
    """Move the credits in one ledger transaction; refuse if the resident ends below zero."""
    amount = redemption["credits_centi"]
    try:
        posted = await credits.charge(
            community, resident["id"], amount, to_code=shop["account_code"],
            reason=translate("Redemption at {name}", community["locale"], name=shop["name"]),
            key=f"merchants:code:{code_row['id']}", kind="merchant_redemption",
            source_kind="merchants.redemption", source_id=redemption["id"], actor=staff["id"])
    except YizhanError as error:
        if error.code == "CREDIT_LIMIT_REACHED":
            own = own_credits(await credits.balance(community, resident["id"]))
            raise _insufficient(amount, own) from None
        raise
    after = own_credits(await credits.balance(community, resident["id"]))
    if after < 0:  # a concurrent spend got there first: undo the whole submission
        raise _insufficient(amount, after + amount)
    return posted


def _record_seq(posted: credits.Posted, redemption_id: int, column: Any) -> None:
    """Keep the ledger transaction's place in the chain on the redemption: the credits plugin
    links its transactions just before the commit, in the order registered, so this runs
    after it and reads the place it got."""

    async def store() -> None:
        seq = posted.transaction.get("seq")
        if seq is not None:
            await Redemption.update({column: seq}).where(Redemption.id == redemption_id)

    before_commit(store)


def receipt_params(shop: dict, redemption: dict) -> dict[str, str]:
    """The figures of a receipt as text (yuan and credits with two decimals)."""
    return {"name": shop["name"], "number": str(redemption["id"]),
            "order": format_fen(redemption["order_fen"]),
            "credits": format_centi(redemption["credits_centi"]),
            "value": format_fen(redemption["value_fen"]),
            "discount": format_fen(redemption["discount_fen"]),
            "bonus": format_fen(redemption["leader_bonus_fen"]),
            "to_pay": format_fen(redemption["to_pay_fen"])}


async def _receipt(community: dict, shop: dict, resident: dict, redemption: dict) -> None:
    params = receipt_params(shop, redemption)
    if redemption["leader_bonus_fen"]:
        await notify(community["id"], resident["id"], "merchants.receipt", "Receipt from {name}",
                     "Receipt {number}: order {order} yuan; {credits} credits used (worth "
                     "{value} yuan) took {discount} yuan off; leader bonus {bonus} yuan; "
                     "{to_pay} yuan to pay.", **params)
    else:
        await notify(community["id"], resident["id"], "merchants.receipt", "Receipt from {name}",
                     "Receipt {number}: order {order} yuan; {credits} credits used (worth "
                     "{value} yuan) took {discount} yuan off; {to_pay} yuan to pay.", **params)


# --- voiding -----------------------------------------------------------------------------


async def void(community: dict, actor: dict | None, redemption_id: int, reason: str) -> dict:
    """Void a redemption the day it was made (the shop's staff or an admin; None is the CLI):
    a reversing ledger entry gives the credits back. The resident is told."""
    reason = validate_text(reason, "reason", max_length=200)
    now = _now()
    async with atomic():
        row = await get(community, redemption_id)
        if actor is not None and not is_admin(actor) and not await shops.is_staff(
                row["merchant"], actor["id"]):
            raise forbidden("Only staff of this shop can void its redemptions.")
        if row["status"] == VOIDED:
            raise YizhanError("ALREADY_VOIDED", "This redemption was already voided.",
                              field="redemptionId")
        if shops.local_date(community, row["created_at"]) != shops.local_date(community, now):
            raise YizhanError("VOID_TOO_LATE",
                              "A redemption can only be voided on the day it was made.",
                              field="redemptionId")
        actor_id = actor["id"] if actor else None
        claimed = await Redemption.update({
            Redemption.status: VOIDED, Redemption.voided_at: now,
            Redemption.voided_by: actor_id, Redemption.void_reason: reason,
        }).where((Redemption.id == redemption_id) & (Redemption.status == COMPLETED)
                 ).returning(Redemption.id)
        if not claimed:
            raise YizhanError("ALREADY_VOIDED", "This redemption was already voided.",
                              field="redemptionId")
        posted = await credits.reverse(community, row["tx"], reason=reason, actor=actor_id,
                                       key=f"merchants:void:{redemption_id}")
        await Redemption.update({Redemption.void_tx: posted.transaction["id"]}).where(
            Redemption.id == redemption_id)
        _record_seq(posted, redemption_id, Redemption.void_tx_seq)
        shop = await shops.get(community, row["merchant"])
        await notify(community["id"], row["member"], "merchants.voided", "Redemption voided",
                     "{name} voided receipt {number}: your {credits} credits are back. "
                     "Reason: {reason}", name=shop["name"], number=str(redemption_id),
                     credits=format_centi(row["credits_centi"]), reason=reason)
        await publish(community["id"], "merchants.redemption_voided", {
            "redemption": redemption_id, "merchant": row["merchant"]})
    return await get(community, redemption_id)


# --- rating ------------------------------------------------------------------------------


async def rate(community: dict, member: dict, redemption_id: int, *, stars: int, smooth: bool,
               discount_real: bool, comment: str = "") -> dict:
    """The resident rates their redemption once, within ``rating_window_days``: 1-5 stars, was
    it smooth, was the discount real, a comment. Returns the rating row."""
    if not isinstance(stars, int) or isinstance(stars, bool) or not 1 <= stars <= 5:
        raise invalid("stars", "Give 1 to 5 stars.", code="OUT_OF_RANGE")
    comment = validate_text(comment, "comment", max_length=500, required=False)
    now = _now()
    async with atomic():
        row = await get(community, redemption_id)
        if row["member"] != member.get("id"):
            raise forbidden("Only the resident who redeemed can rate it.")
        days = shops.settings_of(community).rating_window_days
        if now > row["created_at"] + timedelta(days=days):
            raise YizhanError("RATING_CLOSED",
                              "Redemptions can be rated within {days} days.",
                              field="redemptionId", days=days)
        inserted = await Rating.insert(Rating(
            community=community["id"], merchant=row["merchant"], redemption=redemption_id,
            member=member["id"], stars=stars, smooth=bool(smooth),
            discount_real=bool(discount_real), comment=comment, created_at=now,
        )).on_conflict(target=Rating.redemption, action="DO NOTHING").returning(
            *Rating.all_columns())
        if not inserted:
            raise YizhanError("ALREADY_RATED", "You already rated this redemption.",
                              field="redemptionId")
        return inserted[0]


# --- reading -----------------------------------------------------------------------------


async def get(community: dict, redemption_id: int, field: str = "redemptionId") -> dict:
    """A redemption of ``community``, or NOT_FOUND."""
    row = await Redemption.select().where(
        (Redemption.id == redemption_id) & (Redemption.community == community["id"])).first()
    if row is None:
        raise not_found("redemption", field)
    return row


async def of_member(community: dict, member_id: int, *, before_id: int | None = None,
                    limit: int = 20) -> list[dict]:
    """A member's redemptions, newest first (keyset by id)."""
    query = Redemption.select().where(
        (Redemption.community == community["id"]) & (Redemption.member == member_id))
    if before_id is not None:
        query = query.where(Redemption.id < before_id)
    return await query.order_by(Redemption.id, ascending=False).limit(limit)


async def of_merchant(community: dict, merchant_id: int, start: datetime, end: datetime, *,
                      before_id: int | None = None, limit: int = 20) -> list[dict]:
    """A shop's redemptions made in ``[start, end)``, newest first (keyset by id)."""
    query = Redemption.select().where(
        (Redemption.community == community["id"]) & (Redemption.merchant == merchant_id)
        & (Redemption.created_at >= start) & (Redemption.created_at < end))
    if before_id is not None:
        query = query.where(Redemption.id < before_id)
    return await query.order_by(Redemption.id, ascending=False).limit(limit)


async def ratings_of(redemption_ids: list[int]) -> dict[int, dict]:
    """The ratings of some redemptions, by redemption id."""
    if not redemption_ids:
        return {}
    rows = await Rating.select().where(Rating.redemption.is_in(list(redemption_ids)))
    return {row["redemption"]: row for row in rows}


async def rating_summary(merchant_ids: list[int]) -> dict[int, tuple[int, int]]:
    """All-time (ratings, stars total) of some shops."""
    if not merchant_ids:
        return {}
    rows = await Rating.select(Rating.merchant, Rating.stars).where(
        Rating.merchant.is_in(list(merchant_ids)))
    out: dict[int, tuple[int, int]] = {}
    for row in rows:
        count, total = out.get(row["merchant"], (0, 0))
        out[row["merchant"]] = (count + 1, total + row["stars"])
    return out


async def find(redemption_id: int) -> dict | None:
    """A redemption by id in any community (the GraphQL layer checks the community's
    switch)."""
    return await Redemption.select().where(Redemption.id == redemption_id).first()
