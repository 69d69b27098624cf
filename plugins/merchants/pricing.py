"""The arithmetic of one redemption: which rule applies, how many credits, what comes off.

Pure functions over integers (fen and hundredths of a credit); ``docs/merchants.md`` states the
same rules with examples. Given the order ``O`` (fen), the rate ``R`` (fen per credit), the
shop's rules in force, what the resident may spend ``A`` (their own credits, never their credit
limit) and the code's limit ``L`` (hundredths; None for none):

1. **Category.** A refused category is refused; where the shop lists accepted categories, any
   other is refused too (CATEGORY_REFUSED).
2. **Threshold deal.** If the shop has threshold rules, the order must reach the lowest
   (BELOW_THRESHOLD); the deal used is the one with the highest minimum the order reaches.
   It spends exactly its ``credits`` ``C`` and takes its ``discount`` ``D`` off:
   credits = C, discount = D. C above L is refused (CODE_LIMIT_EXCEEDED), above A refused
   (INSUFFICIENT_CREDITS).
3. **Plain redemption** (no threshold rules): credits = min(floor(O × 100 / R), cap, L, A) in
   hundredths — as many as the order is worth, within the shop's cap, the code's limit and
   what the resident has; discount = floor(credits × R / 100), the credits' value.
   Zero credits is refused (ORDER_TOO_SMALL, or INSUFFICIENT_CREDITS when A ≤ 0).
4. **Leader bonus.** A building leader (head or deputy) also gets ``P`` percent of the order
   off, paid by the shop: bonus = min(floor(O × P / 100), O − discount).
5. **To pay** in money: O − discount − bonus (never negative).

The credits' value at the community rate, floor(credits × R / 100), is what the monthly board,
the guarantee and the settlement count, whatever discount a deal gave.
"""

from __future__ import annotations

from dataclasses import dataclass

from yizhan.core.api import YizhanError, format_centi
from yizhan.plugins.merchants.money import credits_for, format_fen, value_of


@dataclass(frozen=True)
class RuleTerms:
    """The part of a rule the arithmetic needs."""

    id: int
    kind: str
    cap_centi: int = 0
    min_order_fen: int = 0
    credits_centi: int = 0
    discount_fen: int = 0
    category: str = ""
    accepted: bool = True


@dataclass(frozen=True)
class Breakdown:
    """What a redemption gives: every amount in fen or hundredths of a credit."""

    order_fen: int
    credits_centi: int
    value_fen: int
    discount_fen: int
    leader_bonus_fen: int
    to_pay_fen: int
    fen_per_credit: int
    leader_bp: int
    rule_id: int | None


def check_category(category: str, rules: list[RuleTerms]) -> None:
    """Refuse ``category`` where a rule in force refuses it or accepted ones do not list it."""
    refused = {r.category for r in rules if r.kind == "category" and not r.accepted}
    accepted = sorted({r.category for r in rules if r.kind == "category" and r.accepted})
    if category in refused:
        raise YizhanError("CATEGORY_REFUSED", "This shop does not take credits for {category}.",
                          field="category", category=category)
    if accepted and category not in accepted:
        raise YizhanError("CATEGORY_REFUSED",
                          "This shop takes credits only for: {accepted}.", field="category",
                          category=category, accepted=", ".join(accepted))


def _insufficient(needed: int, available: int) -> YizhanError:
    return YizhanError("INSUFFICIENT_CREDITS",
                       "Not enough credits: {needed} needed, {available} available.",
                       field="code", needed=format_centi(needed),
                       available=format_centi(max(available, 0)))


def price(order_fen: int, category: str, rules: list[RuleTerms], *, fen_per_credit: int,
          available_centi: int, limit_centi: int | None, leader_bp: int) -> Breakdown:
    """The breakdown of a redemption (see the module doc), or the refusal."""
    if order_fen <= 0:
        raise YizhanError("ZERO_AMOUNT", "The amount must be more than zero.",
                          field="orderAmount")
    check_category(category, rules)
    thresholds = sorted((r for r in rules if r.kind == "threshold"),
                        key=lambda r: r.min_order_fen)
    rule_id = None
    if thresholds:
        reached = [r for r in thresholds if r.min_order_fen <= order_fen]
        if not reached:
            raise YizhanError("BELOW_THRESHOLD",
                              "Credits are taken here on orders of {minimum} yuan or more.",
                              field="orderAmount", minimum=format_fen(thresholds[0].min_order_fen))
        deal = reached[-1]
        credits, discount, rule_id = deal.credits_centi, deal.discount_fen, deal.id
        if limit_centi is not None and credits > limit_centi:
            raise YizhanError("CODE_LIMIT_EXCEEDED",
                              "This deal needs {needed} credits; the code allows {limit}.",
                              field="code", needed=format_centi(credits),
                              limit=format_centi(limit_centi))
        if credits > available_centi:
            raise _insufficient(credits, available_centi)
    else:
        caps = [r.cap_centi for r in rules if r.kind == "cap"]
        wanted = min([credits_for(order_fen, fen_per_credit), *caps,
                      *([limit_centi] if limit_centi is not None else [])])
        if wanted <= 0:
            raise YizhanError("ORDER_TOO_SMALL",
                              "The order is worth less than 0.01 credit: nothing to redeem.",
                              field="orderAmount")
        if available_centi <= 0:
            raise _insufficient(wanted, available_centi)
        credits = min(wanted, available_centi)
        discount = value_of(credits, fen_per_credit)
    bonus = min(order_fen * leader_bp // 10_000, order_fen - discount) if leader_bp else 0
    return Breakdown(order_fen=order_fen, credits_centi=credits,
                     value_fen=value_of(credits, fen_per_credit), discount_fen=discount,
                     leader_bonus_fen=bonus, to_pay_fen=order_fen - discount - bonus,
                     fen_per_credit=fen_per_credit, leader_bp=leader_bp, rule_id=rule_id)
