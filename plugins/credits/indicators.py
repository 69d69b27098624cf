"""The credits plugin's indicators: credits issued, spent and circulating, vouchers, expiry.

Each is one SQL aggregate over the ledger's postings, transactions, vouchers or lots, scoped by
community (or none: the whole deployment) and the period. Transactions are placed in time by
``created_us`` (microseconds since the epoch, the time they were chained).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from yizhan.core.api import Indicator, IndicatorScope, indicator_community_sql
from yizhan.plugins.credits.chain import to_us
from yizhan.plugins.credits.tables import CreditLot, CreditPosting, CreditTransaction, CreditVoucher

#: How far after the period ``credits.expiring_soon`` looks.
EXPIRING_WINDOW = timedelta(days=30)


def _credits(centi: object) -> Decimal:
    return (Decimal(int(centi or 0)) / 100).quantize(Decimal("0.01"))


async def _sum(table: type, sql: str, *args: object) -> Decimal:
    rows = await table.raw(sql, *args)
    return _credits(rows[0]["total"] if rows else 0)


def _window(scope: IndicatorScope) -> tuple[int, int]:
    return to_us(scope.start), to_us(scope.end)


async def _issued(scope: IndicatorScope) -> Decimal:
    where, args = indicator_community_sql("p.community", scope)
    return -await _sum(
        CreditPosting,
        "SELECT COALESCE(SUM(p.amount_centi), 0) AS total FROM yz_credit_posting p "
        "JOIN yz_credit_account a ON a.id = p.account "
        "JOIN yz_credit_tx t ON t.id = p.tx AND t.community = p.community "
        f"WHERE {where} AND a.kind = 'system' AND a.code <> 'expired' "
        "AND p.amount_centi < 0 AND t.kind <> 'funding' "
        "AND t.created_us >= {} AND t.created_us < {}", *args, *_window(scope))


async def _spent(scope: IndicatorScope) -> Decimal:
    where, args = indicator_community_sql("p.community", scope)
    return -await _sum(
        CreditPosting,
        "SELECT COALESCE(SUM(p.amount_centi), 0) AS total FROM yz_credit_posting p "
        "JOIN yz_credit_account a ON a.id = p.account "
        "JOIN yz_credit_tx t ON t.id = p.tx AND t.community = p.community "
        f"WHERE {where} AND a.kind = 'member' AND p.amount_centi < 0 "
        "AND t.kind NOT IN ('expiry', 'reversal') "
        "AND t.created_us >= {} AND t.created_us < {}", *args, *_window(scope))


async def _tx_total(scope: IndicatorScope, kind: str) -> Decimal:
    where, args = indicator_community_sql("community", scope)
    return await _sum(
        CreditTransaction,
        "SELECT COALESCE(SUM(amount_centi), 0) AS total FROM yz_credit_tx "
        f"WHERE {where} AND kind = {{}} AND created_us >= {{}} AND created_us < {{}}",
        *args, kind, *_window(scope))


async def _paid_for_help(scope: IndicatorScope) -> Decimal:
    return await _tx_total(scope, "need_payment")


async def _expired(scope: IndicatorScope) -> Decimal:
    return await _tx_total(scope, "expiry")


async def _circulating(scope: IndicatorScope) -> Decimal:
    where, args = indicator_community_sql("p.community", scope)
    return await _sum(
        CreditPosting,
        "SELECT COALESCE(SUM(p.amount_centi), 0) AS total FROM yz_credit_posting p "
        "JOIN yz_credit_account a ON a.id = p.account "
        "JOIN yz_credit_tx t ON t.id = p.tx AND t.community = p.community "
        f"WHERE {where} AND a.kind = 'member' AND t.created_us < {{}}",
        *args, to_us(scope.end))


async def _vouchers_redeemed(scope: IndicatorScope) -> int:
    where, args = indicator_community_sql("community", scope)
    rows = await CreditVoucher.raw(
        f"SELECT COUNT(*) AS n FROM yz_credit_voucher WHERE {where} "
        "AND redeemed_at >= {} AND redeemed_at < {}", *args, scope.start, scope.end)
    return int(rows[0]["n"]) if rows else 0


async def _expiring_soon(scope: IndicatorScope) -> Decimal:
    where, args = indicator_community_sql("community", scope)
    return await _sum(
        CreditLot,
        "SELECT COALESCE(SUM(remaining_centi), 0) AS total FROM yz_credit_lot "
        f"WHERE {where} AND remaining_centi > 0 AND expires_at >= {{}} AND expires_at < {{}}",
        *args, scope.end, scope.end + EXPIRING_WINDOW)


INDICATORS = [
    Indicator("credits.issued", "Credits issued", "发放的时间币", "credits",
              "Credits members received from the community's system accounts (fund, "
              "vouchers, leader pool, compensation) during the period.", _issued),
    Indicator("credits.spent", "Credits spent", "花出的时间币", "credits",
              "Credits that left members' accounts during the period (paying for help, "
              "shops, transfers), not counting expiry and reversals.", _spent),
    Indicator("credits.paid_for_help", "Credits paid for help", "互助支付的时间币", "credits",
              "Credits paid to helpers for needs confirmed during the period.", _paid_for_help),
    Indicator("credits.circulating", "Credits in circulation", "流通中的时间币", "credits",
              "The sum of every member's balance at the end of the period.", _circulating),
    Indicator("credits.vouchers_redeemed", "Vouchers redeemed", "兑换的体验卡", "count",
              "Experience-card vouchers redeemed during the period.", _vouchers_redeemed),
    Indicator("credits.expired", "Credits expired", "过期的时间币", "credits",
              "Credits that expired unspent during the period.", _expired,
              higher_is_better=False),
    Indicator("credits.expiring_soon", "Credits expiring soon", "即将过期的时间币", "credits",
              "Unspent credits (as they stand when computed) that expire within 30 days "
              "after the period.", _expiring_soon, higher_is_better=False),
]
