"""A shop's rules: a cap per order, threshold deals, categories accepted or refused — each valid
from one local day through another (or open-ended) until withdrawn.

A rule is checked when it is saved, against the shop's other rules whose windows overlap it:

* every amount must be positive (NEGATIVE_AMOUNT, ZERO_AMOUNT) and a deal cannot take more off
  than its minimum order (DISCOUNT_EXCEEDS_ORDER); a rule cannot start in the past or end
  before it starts (INVALID_WINDOW); fields of another kind of rule are refused
  (NOT_APPLICABLE);
* two caps at once, two deals with the same minimum, a deal needing more credits than a cap
  allows, a bigger order getting a smaller discount than a smaller one, and a category both
  accepted and refused contradict each other (RULE_CONFLICT); the same category decision twice
  is RULE_DUPLICATE;
* a threshold deal whose credits are worth more, at the community's ``yuan_per_credit``, than
  the discount they buy (the seed's "20 credits off 30 yuan": 200 yuan of credits for 30 yuan
  off) is refused (DISCOUNT_BELOW_CREDIT_VALUE) unless the admin confirms it explicitly; every
  rule shows its effective rate (:func:`effective_rate`).

Rules are never edited: withdraw one and add another, so every receipt can name the rule it
used as it was.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from yizhan.core.api import (
    YizhanError,
    atomic,
    credits_to_centi,
    format_centi,
    invalid,
    not_found,
    now,
    require_admin,
    translate,
    validate_slug,
    validate_text,
)
from yizhan.plugins.merchants import shops
from yizhan.plugins.merchants.money import format_fen, yuan_to_fen
from yizhan.plugins.merchants.pricing import RuleTerms
from yizhan.plugins.merchants.settings import fen
from yizhan.plugins.merchants.tables import MerchantRule

CAP, THRESHOLD, CATEGORY = "cap", "threshold", "category"
KINDS = (CAP, THRESHOLD, CATEGORY)
MAX_RULE_CENTI = 1000_00
#: Fields each kind of rule takes (GraphQL names).
FIELDS = {CAP: {"cap"}, THRESHOLD: {"minOrder", "credits", "discount"},
          CATEGORY: {"category", "accepted"}}


def terms(row: dict) -> RuleTerms:
    """The arithmetic's view of a rule row."""
    return RuleTerms(id=row["id"], kind=row["kind"], cap_centi=row["cap_centi"],
                     min_order_fen=row["min_order_fen"], credits_centi=row["credits_centi"],
                     discount_fen=row["discount_fen"], category=row["category"],
                     accepted=row["accepted"])


def _until(row: dict) -> date:
    return row["valid_until"] or date.max


def overlaps(a: dict, b: dict) -> bool:
    """True when two rules' windows share a day."""
    return a["valid_from"] <= _until(b) and b["valid_from"] <= _until(a)


def in_force_on(rows: list[dict], day: date) -> list[dict]:
    """The rules of ``rows`` that apply on ``day`` (not withdrawn, inside their window)."""
    return [r for r in rows if r["withdrawn_at"] is None and r["valid_from"] <= day <= _until(r)]


async def get(community: dict, rule_id: int, field: str = "ruleId") -> dict:
    """A rule of a shop of ``community``, or NOT_FOUND."""
    row = await MerchantRule.select().where(
        (MerchantRule.id == rule_id) & (MerchantRule.community == community["id"])).first()
    if row is None:
        raise not_found("merchant rule", field)
    return row


async def of_merchant(merchant_id: int) -> list[dict]:
    """Every rule of a shop (withdrawn and past ones included), oldest first."""
    return await MerchantRule.select().where(MerchantRule.merchant == merchant_id).order_by(
        MerchantRule.id)


async def in_force(community: dict, merchant_id: int, day: date | None = None) -> list[dict]:
    """The shop's rules that apply on ``day`` (today, locally, by default)."""
    return in_force_on(await of_merchant(merchant_id), day or shops.local_date(community))


async def current_and_future(community: dict, merchant_id: int) -> list[dict]:
    """Rules not withdrawn that apply today or later, by start then id."""
    today = shops.local_date(community)
    rows = [r for r in await of_merchant(merchant_id)
            if r["withdrawn_at"] is None and _until(r) >= today]
    return sorted(rows, key=lambda r: (r["valid_from"], r["id"]))


def _credits(value: Any, field: str) -> int:
    centi = credits_to_centi(value, field, maximum=MAX_RULE_CENTI)
    if centi == 0:
        raise invalid(field, "The amount must be more than zero.", code="ZERO_AMOUNT")
    return centi


def _yuan(value: Any, field: str, maximum: int) -> int:
    fen = yuan_to_fen(value, field, maximum=maximum)
    if fen == 0:
        raise invalid(field, "The amount must be more than zero.", code="ZERO_AMOUNT")
    return fen


def _window(community: dict, valid_from: date | None, valid_until: date | None
            ) -> tuple[date, date | None]:
    today = shops.local_date(community)
    start = valid_from or today
    if start < today:
        raise invalid("validFrom", "A rule cannot start in the past.", code="INVALID_WINDOW")
    if valid_until is not None and valid_until < start:
        raise invalid("validUntil", "A rule cannot end before it starts.",
                      code="INVALID_WINDOW")
    return start, valid_until


def parse(community: dict, kind: str, given: dict[str, Any]) -> dict[str, Any]:
    """Check a new rule's fields (GraphQL names: ``cap``, ``minOrder``, ``credits``,
    ``discount``, ``category``, ``accepted``, ``validFrom``, ``validUntil``, ``note``) and
    return the row's values. Refuses fields of another kind (NOT_APPLICABLE)."""
    if kind not in KINDS:
        raise invalid("kind", "A rule is a cap, a threshold or a category.",
                      code="INVALID_KIND")
    present = {k for k, value in given.items() if value is not None
               and k not in ("validFrom", "validUntil", "note")}
    extra = sorted(present - FIELDS[kind])
    if extra:
        raise invalid(extra[0], "This field does not belong to a {rule_kind} rule.",
                      code="NOT_APPLICABLE", rule_kind=kind,
                      _translate={"rule_kind": "merchant rule kind"})
    for name in sorted(FIELDS[kind] - {"accepted"}):
        if given.get(name) is None:
            raise invalid(name, "This field cannot be empty.", code="REQUIRED")
    start, until = _window(community, given.get("validFrom"), given.get("validUntil"))
    values: dict[str, Any] = {
        "kind": kind, "valid_from": start, "valid_until": until,
        "note": validate_text(given.get("note"), "note", max_length=200, required=False),
        "cap_centi": 0, "min_order_fen": 0, "credits_centi": 0, "discount_fen": 0,
        "category": "", "accepted": True}
    if kind == CAP:
        values["cap_centi"] = _credits(given["cap"], "cap")
    elif kind == THRESHOLD:
        maximum = shops.settings_of(community).max_order_yuan * 100
        values["min_order_fen"] = _yuan(given["minOrder"], "minOrder", int(maximum))
        values["credits_centi"] = _credits(given["credits"], "credits")
        values["discount_fen"] = _yuan(given["discount"], "discount", int(maximum))
        if values["discount_fen"] > values["min_order_fen"]:
            raise invalid("discount", "A deal cannot take more off than its minimum order "
                          "({minimum} yuan).", code="DISCOUNT_EXCEEDS_ORDER",
                          minimum=format_fen(values["min_order_fen"]))
    else:
        values["category"] = validate_slug(given["category"], "category")
        values["accepted"] = True if given.get("accepted") is None else bool(given["accepted"])
    return values


def _window_text(row: dict) -> str:
    until = row["valid_until"].isoformat() if row["valid_until"] else "…"
    return f"{row['valid_from'].isoformat()} – {until}"


def _where(other: dict) -> dict[str, Any]:
    """The conflicting rule's number and window, for the message."""
    return {"rule": other["id"], "window": _window_text(other)}


def conflicts(new: dict, others: list[dict]) -> None:
    """Refuse ``new`` if it contradicts a rule in ``others`` whose window overlaps it."""
    for other in others:
        if other["withdrawn_at"] is not None or not overlaps(new, other):
            continue
        kinds = {new["kind"], other["kind"]}
        if kinds == {CAP}:
            raise YizhanError("RULE_CONFLICT", "Rule #{rule} already caps credits per order "
                              "({window}): withdraw it first or choose another window.",
                              field="cap", **_where(other))
        if kinds == {THRESHOLD}:
            if new["min_order_fen"] == other["min_order_fen"]:
                raise YizhanError("RULE_CONFLICT", "Rule #{rule} already has a deal for orders "
                                  "of {minimum} yuan or more ({window}).", field="minOrder",
                                  minimum=format_fen(other["min_order_fen"]), **_where(other))
            low, high = sorted((new, other), key=lambda r: r["min_order_fen"])
            if high["discount_fen"] <= low["discount_fen"]:
                raise YizhanError("RULE_CONFLICT", "With rule #{rule} ({window}) a bigger "
                                  "order would get no bigger discount: a deal for a higher "
                                  "minimum must take more off.", field="discount",
                                  **_where(other))
        if kinds == {CAP, THRESHOLD}:
            cap, deal = (new, other) if new["kind"] == CAP else (other, new)
            if deal["credits_centi"] > cap["cap_centi"]:
                raise YizhanError("RULE_CONFLICT", "Rule #{rule} ({window}) conflicts: the "
                                  "deal needs {needed} credits but the cap allows {cap} per "
                                  "order.", field="cap" if new is cap else "credits",
                                  needed=format_centi(deal["credits_centi"]),
                                  cap=format_centi(cap["cap_centi"]), **_where(other))
        if kinds == {CATEGORY} and new["category"] == other["category"]:
            if new["accepted"] != other["accepted"]:
                raise YizhanError("RULE_CONFLICT", "Rule #{rule} ({window}) decides the other "
                                  "way for {category}.", field="accepted",
                                  category=new["category"], **_where(other))
            raise YizhanError("RULE_DUPLICATE", "Rule #{rule} ({window}) already says this.",
                              field="category", **_where(other))


def effective_rate(row: dict, fen_per_credit: int) -> Decimal:
    """What one credit is worth under a rule, in yuan: a threshold deal's discount divided by
    its credits; under any other rule, the community's rate (credits count at full value)."""
    if row["kind"] == THRESHOLD and row["credits_centi"]:
        return (Decimal(row["discount_fen"]) / Decimal(row["credits_centi"])).quantize(
            Decimal("0.01"), ROUND_HALF_UP)
    return (Decimal(fen_per_credit) / 100).quantize(Decimal("0.01"))


def check_value(community: dict, values: dict, confirmed: bool) -> bool:
    """Refuse (DISCOUNT_BELOW_CREDIT_VALUE) a threshold deal whose credits are worth more, at
    the community's rate, than the discount they buy — unless the admin confirms it
    explicitly. Returns whether the rule needed that confirmation."""
    if values["kind"] != THRESHOLD:
        return False
    rate = fen(shops.settings_of(community).yuan_per_credit)
    worth = values["credits_centi"] * rate // 100
    if worth <= values["discount_fen"]:
        return False
    if confirmed:
        return True
    raise YizhanError(
        "DISCOUNT_BELOW_CREDIT_VALUE",
        "{credits} credits are worth {worth} yuan at {rate} yuan per credit, more than the "
        "{discount} yuan they take off ({effective} yuan per credit). Confirm explicitly to "
        "add it anyway.", field="discount", credits=format_centi(values["credits_centi"]),
        worth=format_fen(worth), rate=format_fen(rate),
        discount=format_fen(values["discount_fen"]),
        effective=str(effective_rate(values, rate)))


async def add(community: dict, actor: dict | None, merchant_id: int, kind: str, *,
              confirm_below_value: bool = False, **given: Any) -> dict:
    """Add a rule to a shop (admins) after checking it (see the module doc). A threshold deal
    whose credits are worth more than its discount needs ``confirm_below_value``."""
    if actor is not None:
        require_admin(actor)
    values = parse(community, kind, given)
    async with atomic():
        shop = await shops.get(community, merchant_id)
        if shop["status"] == shops.ENDED:
            raise YizhanError("MERCHANT_ENDED", "The partnership with {name} has ended.",
                              field="merchantId", name=shop["name"])
        await shops.lock(merchant_id)
        new = {**values, "id": 0, "withdrawn_at": None}
        conflicts(new, await of_merchant(merchant_id))
        values["over_value_confirmed"] = check_value(community, values, confirm_below_value)
        row = (await MerchantRule.insert(MerchantRule(
            community=community["id"], merchant=merchant_id, created_by=actor["id"] if actor
            else None, created_at=now(), **values,
        )).returning(*MerchantRule.all_columns()))[0]
        await shops.event(community["id"], merchant_id, "rule_added", actor,
                          f"rule {row['id']}: {describe(row, 'en')}")
        return row


async def withdraw(community: dict, actor: dict | None, rule_id: int) -> dict:
    """Withdraw a rule (admins): it stops applying at once. Receipts that used it keep it."""
    if actor is not None:
        require_admin(actor)
    async with atomic():
        row = await get(community, rule_id)
        done = await MerchantRule.update({
            MerchantRule.withdrawn_at: now(),
            MerchantRule.withdrawn_by: actor["id"] if actor else None,
        }).where((MerchantRule.id == rule_id) & MerchantRule.withdrawn_at.is_null()
                 ).returning(MerchantRule.id)
        if not done:
            raise YizhanError("ALREADY_WITHDRAWN", "This rule was already withdrawn.",
                              field="ruleId")
        await shops.event(community["id"], row["merchant"], "rule_withdrawn", actor,
                          f"rule {rule_id}")
        return await get(community, rule_id)


def describe(row: dict, locale: str | None) -> str:
    """A rule in words, in ``locale``."""
    if row["kind"] == CAP:
        return translate("At most {credits} credits per order", locale,
                         credits=format_centi(row["cap_centi"]))
    if row["kind"] == THRESHOLD:
        return translate("{credits} credits take {discount} yuan off orders of {minimum} yuan "
                         "or more", locale, credits=format_centi(row["credits_centi"]),
                         discount=format_fen(row["discount_fen"]),
                         minimum=format_fen(row["min_order_fen"]))
    if row["accepted"]:
        return translate("Credits accepted for {category}", locale, category=row["category"])
    return translate("No credits for {category}", locale, category=row["category"])


async def find(rule_id: int) -> dict | None:
    """A rule by id in any community (the GraphQL layer checks the community's switch)."""
    return await MerchantRule.select().where(MerchantRule.id == rule_id).first()
