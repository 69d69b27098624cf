"""The arithmetic of a redemption (``pricing.price``), example by example and as properties
that hold for any order, rate, rules and balance."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yizhan.core.errors import YizhanError
from yizhan.plugins.merchants import codes
from yizhan.plugins.merchants.pricing import RuleTerms, price

DEAL = RuleTerms(id=1, kind="threshold", min_order_fen=100_00, credits_centi=200,
                 discount_fen=30_00)


def plain(order: int, **kw):
    args = {"fen_per_credit": 1000, "available_centi": 10_000, "limit_centi": None,
            "leader_bp": 0, **kw}
    return price(order, "daily", kw.pop("rules", []), **{k: v for k, v in args.items()
                                                         if k != "rules"})


def test_the_issues_example_twenty_credits_take_thirty_yuan_off_a_hundred():
    deal = RuleTerms(id=7, kind="threshold", min_order_fen=100_00, credits_centi=20_00,
                     discount_fen=30_00)
    b = price(100_00, "daily", [deal], fen_per_credit=1000, available_centi=20_00,
              limit_centi=None, leader_bp=0)
    assert (b.credits_centi, b.discount_fen, b.value_fen, b.to_pay_fen, b.rule_id) == (
        20_00, 30_00, 200_00, 70_00, 7)


def test_a_plain_redemption_rounds_down_to_the_hundredth_credit():
    b = plain(43_27)
    assert (b.credits_centi, b.value_fen, b.discount_fen, b.to_pay_fen) == (432, 43_20,
                                                                            43_20, 7)


def test_a_rate_that_is_not_whole_yuan():
    b = plain(10_00, fen_per_credit=1250)
    assert (b.credits_centi, b.value_fen, b.to_pay_fen) == (80, 10_00, 0)
    b = plain(10_01, fen_per_credit=1250)
    assert (b.credits_centi, b.value_fen, b.to_pay_fen) == (80, 10_00, 1)


def test_the_leader_bonus_is_a_percentage_of_the_order_within_what_is_left():
    b = price(150_00, "daily", [DEAL], fen_per_credit=1000, available_centi=200,
              limit_centi=None, leader_bp=500)
    assert (b.leader_bonus_fen, b.to_pay_fen) == (7_50, 112_50)
    b = plain(10_00, leader_bp=500)
    assert (b.discount_fen, b.leader_bonus_fen, b.to_pay_fen) == (10_00, 0, 0)


@pytest.mark.parametrize(("order", "category", "rules", "available", "limit", "code"), [
    (50_00, "daily", [DEAL], 10_000, None, "BELOW_THRESHOLD"),
    (150_00, "daily", [DEAL], 199, None, "INSUFFICIENT_CREDITS"),
    (150_00, "daily", [DEAL], 10_000, 100, "CODE_LIMIT_EXCEEDED"),
    (50_00, "daily", [], 0, None, "INSUFFICIENT_CREDITS"),
    (50_00, "daily", [], -300, None, "INSUFFICIENT_CREDITS"),
    (9, "daily", [], 10_000, None, "ORDER_TOO_SMALL"),
    (0, "daily", [], 10_000, None, "ZERO_AMOUNT"),
    (50_00, "tobacco", [RuleTerms(2, "category", category="tobacco", accepted=False)], 10_000,
     None, "CATEGORY_REFUSED"),
    (50_00, "toys", [RuleTerms(3, "category", category="daily")], 10_000, None,
     "CATEGORY_REFUSED"),
])
def test_refusals(order, category, rules, available, limit, code):
    with pytest.raises(YizhanError) as refused:
        price(order, category, rules, fen_per_credit=1000, available_centi=available,
              limit_centi=limit, leader_bp=0)
    assert refused.value.code == code


rates = st.integers(min_value=1, max_value=1_000_000)
orders = st.integers(min_value=1, max_value=10_000_000)
caps = st.lists(st.integers(min_value=1, max_value=100_000), max_size=1)
limits = st.one_of(st.none(), st.integers(min_value=1, max_value=100_000))
percents = st.integers(min_value=0, max_value=5000)


@settings(max_examples=300, deadline=None)
@given(order=orders, rate=rates, cap=caps, limit=limits, available=st.integers(-5000, 100_000),
       bp=percents)
def test_a_plain_redemption_never_gives_more_than_it_takes(order, rate, cap, limit,
                                                           available, bp):
    rules = [RuleTerms(i, "cap", cap_centi=c) for i, c in enumerate(cap)]
    try:
        b = price(order, "daily", rules, fen_per_credit=rate, available_centi=available,
                  limit_centi=limit, leader_bp=bp)
    except YizhanError as error:
        assert error.code in ("ORDER_TOO_SMALL", "INSUFFICIENT_CREDITS")
        return
    assert 0 < b.credits_centi <= available
    assert all(b.credits_centi <= c for c in cap)
    assert limit is None or b.credits_centi <= limit
    # The credits are worth what they take off, and never more than the order.
    assert b.discount_fen == b.value_fen == b.credits_centi * rate // 100 <= order
    # Their exact worth never exceeds the order, and one more hundredth would, unless something
    # else bound them.
    assert b.credits_centi * rate <= order * 100
    bound = min([available, *cap, *([limit] if limit else [])])
    assert b.credits_centi == bound or (b.credits_centi + 1) * rate > order * 100
    assert 0 <= b.leader_bonus_fen <= order * bp // 10_000
    assert b.to_pay_fen == order - b.discount_fen - b.leader_bonus_fen >= 0


@settings(max_examples=300, deadline=None)
@given(order=orders, tiers=st.lists(st.tuples(st.integers(1, 1_000_000),
                                              st.integers(1, 10_000)), min_size=1, max_size=4,
                                    unique_by=lambda t: t[0]),
       bp=percents)
def test_a_deal_spends_its_credits_and_takes_its_discount(order, tiers, bp):
    # Tiers as the rules' checks allow them: discounts grow with the minimum, never above it.
    tiers = sorted(tiers)
    rules, discount = [], 0
    for index, (minimum, credits) in enumerate(tiers):
        discount = min(minimum, discount + 1 + minimum // 10)
        rules.append(RuleTerms(index, "threshold", min_order_fen=minimum,
                               credits_centi=credits, discount_fen=discount))
    try:
        b = price(order, "daily", rules, fen_per_credit=1000, available_centi=10_000,
                  limit_centi=None, leader_bp=bp)
    except YizhanError as error:
        assert error.code == "BELOW_THRESHOLD" and order < tiers[0][0]
        return
    reached = [r for r in rules if r.min_order_fen <= order]
    assert b.rule_id == reached[-1].id
    assert (b.credits_centi, b.discount_fen) == (reached[-1].credits_centi,
                                                 reached[-1].discount_fen)
    assert b.to_pay_fen >= 0 and b.to_pay_fen + b.discount_fen + b.leader_bonus_fen == order


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 6), st.sampled_from(codes.ALPHABET))
def test_a_single_mistyped_character_is_always_caught(position, replacement):
    code = codes.new_code()
    typo = code[:position] + replacement + code[position + 1:]
    assert codes.is_well_formed(code)
    assert codes.is_well_formed(typo) == (typo == code)
