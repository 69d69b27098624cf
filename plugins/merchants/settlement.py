"""A shop's monthly settlement statement: what was redeemed and voided, its value, and the
guaranteed volume of the first month.

**Redemptions** are those made in the month (community time zone); a void happens the same day,
so a month's figures do not change once it is over. *Gross* counts every redemption, *voided*
those voided, *net* the difference. Value is credits at the community rate as kept on each
redemption.

**Guarantee.** A shop's first month runs from local midnight of its first day to the same day
of the next month (see :func:`yizhan.plugins.merchants.shops.guarantee_period`). If the net
value redeemed in that period is below the shop's guarantee, the community owes the difference:
the **top-up**, shown on the statement of the month in which the period ends. Statements of
months the period touches show how it stands (``running`` until it ends, then ``met`` or
``shortfall``).

The credits themselves stay in the shop's settlement account of the credits ledger (its balance
is on the statement); the statement is what the community and the shop settle in money.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from yizhan.core.api import format_centi, translate
from yizhan.core.api import now as _now
from yizhan.plugins.credits import service as credits
from yizhan.plugins.merchants import months, shops
from yizhan.plugins.merchants.money import format_fen
from yizhan.plugins.merchants.months import Month
from yizhan.plugins.merchants.tables import Redemption


@dataclass
class Guarantee:
    """Where the first month's guarantee stands for a statement."""

    status: str  # none | running | met | shortfall
    target_fen: int = 0
    period_start: datetime | None = None
    period_end: datetime | None = None
    achieved_fen: int = 0
    settles_in: str | None = None
    top_up_fen: int = 0


@dataclass
class Statement:
    """A shop's month in figures (fen and hundredths), with its redemptions oldest first."""

    merchant: dict
    month: Month
    lines: list[dict] = field(default_factory=list)
    redemptions: int = 0
    credits_centi: int = 0
    value_fen: int = 0
    voids: int = 0
    voided_centi: int = 0
    voided_value_fen: int = 0
    order_fen: int = 0
    discount_fen: int = 0
    leader_bonus_fen: int = 0
    account_balance_centi: int = 0
    guarantee: Guarantee = field(default_factory=lambda: Guarantee("none"))

    @property
    def net_centi(self) -> int:
        """Credits redeemed less voided."""
        return self.credits_centi - self.voided_centi

    @property
    def net_value_fen(self) -> int:
        """Value redeemed less voided."""
        return self.value_fen - self.voided_value_fen


async def _net_value(merchant_id: int, start: datetime, end: datetime) -> int:
    rows = await Redemption.select(Redemption.value_fen).where(
        (Redemption.merchant == merchant_id) & (Redemption.status == "completed")
        & (Redemption.created_at >= start) & (Redemption.created_at < end))
    return sum(r["value_fen"] for r in rows)


async def guarantee_for(community: dict, shop: dict, period: Month,
                        now: datetime | None = None) -> Guarantee:
    """The first month's guarantee as it bears on the statement of ``period``."""
    target = shop["guarantee_fen"]
    if not target:
        return Guarantee("none")
    start, end = shops.guarantee_period(community, shop)
    if end <= period.start or start >= period.end:
        return Guarantee("none", target_fen=target, period_start=start, period_end=end)
    achieved = await _net_value(shop["id"], start, end)
    settles_in = months.containing(end - timedelta(microseconds=1),
                                   community["time_zone"]).label
    if (now or _now()) < end:
        status = "running"
    else:
        status = "met" if achieved >= target else "shortfall"
    top_up = max(target - achieved, 0) if settles_in == period.label and status != "running" \
        else 0
    return Guarantee(status, target_fen=target, period_start=start, period_end=end,
                     achieved_fen=achieved, settles_in=settles_in, top_up_fen=top_up)


async def statement(community: dict, merchant_id: int, label: str | None = None) -> Statement:
    """The settlement statement of a shop for a month (the current one by default)."""
    shop = await shops.get(community, merchant_id)
    period = months.parse(label, community["time_zone"])
    lines = await Redemption.select().where(
        (Redemption.merchant == merchant_id) & (Redemption.created_at >= period.start)
        & (Redemption.created_at < period.end)).order_by(Redemption.id)
    out = Statement(merchant=shop, month=period, lines=lines)
    for row in lines:
        out.redemptions += 1
        out.credits_centi += row["credits_centi"]
        out.value_fen += row["value_fen"]
        if row["status"] == "voided":
            out.voids += 1
            out.voided_centi += row["credits_centi"]
            out.voided_value_fen += row["value_fen"]
        else:
            out.order_fen += row["order_fen"]
            out.discount_fen += row["discount_fen"]
            out.leader_bonus_fen += row["leader_bonus_fen"]
    out.account_balance_centi = await credits.account_balance(community, shop["account_code"])
    out.guarantee = await guarantee_for(community, shop, period)
    return out


def local_time(community: dict, when: datetime | None) -> str:
    """A moment as local ``YYYY-MM-DD HH:MM`` (empty for None)."""
    if when is None:
        return ""
    return when.astimezone(ZoneInfo(community["time_zone"])).strftime("%Y-%m-%d %H:%M")


COLUMNS = ("Receipt", "Time", "Category", "Order (yuan)", "Credits", "Value (yuan)",
           "Discount (yuan)", "Leader bonus (yuan)", "To pay (yuan)", "Status", "Voided at")


_SUMMED = ("order_fen", "credits_centi", "value_fen", "discount_fen", "leader_bonus_fen",
           "to_pay_fen")


def _sums(rows: list[dict], sign: int = 1) -> list[str]:
    totals = {key: sign * sum(r[key] for r in rows) for key in _SUMMED}
    return [format_fen(totals["order_fen"]), format_centi(totals["credits_centi"]),
            format_fen(totals["value_fen"]), format_fen(totals["discount_fen"]),
            format_fen(totals["leader_bonus_fen"]), format_fen(totals["to_pay_fen"])]


def csv_text(community: dict, st: Statement, locale: str | None = None) -> str:
    """The statement as CSV: one row per redemption, then rows labelled Gross, Voided (as
    negative amounts) and Net summing the same columns, and the guarantee's top-up (in the
    value column, its state in the status column). Headings in ``locale``."""
    locale = locale or community["locale"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([translate(c, locale) for c in COLUMNS])
    for row in st.lines:
        writer.writerow([
            row["id"], local_time(community, row["created_at"]), row["category"],
            format_fen(row["order_fen"]), format_centi(row["credits_centi"]),
            format_fen(row["value_fen"]), format_fen(row["discount_fen"]),
            format_fen(row["leader_bonus_fen"]), format_fen(row["to_pay_fen"]),
            translate(row["status"], locale), local_time(community, row["voided_at"])])
    voided = [r for r in st.lines if r["status"] == "voided"]
    kept = [r for r in st.lines if r["status"] != "voided"]
    writer.writerow([translate("Gross", locale), "", "", *_sums(st.lines), "", ""])
    writer.writerow([translate("Voided", locale), "", "", *_sums(voided, -1), "", ""])
    writer.writerow([translate("Net", locale), "", "", *_sums(kept), "", ""])
    writer.writerow([translate("Guarantee top-up", locale), "", "", "", "",
                     format_fen(st.guarantee.top_up_fen), "", "", "",
                     translate(st.guarantee.status, locale), ""])
    return buffer.getvalue()
