"""The monthly board of partner shops, and the sweep that closes each month.

**Figures.** For a month (in the community's time zone) each shop gets: the ratings residents
gave that month (their number and average stars), the redemptions made that month and not
voided, and their value (credits at the community rate, as kept on each redemption).

**Ranking.** Rated shops first, by average stars (exactly: stars total / ratings), then more
ratings, then more redemption value; then shops without ratings by redemption value; ties by
name. Ranks are unique.

**Named and suspended.** A shop whose average is below ``suspend_below`` with at least
``suspend_min_ratings`` ratings that month is named (``flagged``). When a month ends the sweep
closes its board once (a row per community and month, claimed with an insert that a second
worker cannot repeat), suspends the named shops that are still active (``auto_suspend``), tells
their staff, and posts the board on the notice board. Running it again changes nothing; an admin
reinstating a shop is never undone by a later run for the same month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from yizhan.core.api import (
    YizhanError,
    atomic,
    list_communities,
    plugin_enabled,
    post_notice,
    translate,
)
from yizhan.core.api import now as _now
from yizhan.plugins.merchants import NAME, months, shops
from yizhan.plugins.merchants.money import format_fen
from yizhan.plugins.merchants.months import Month
from yizhan.plugins.merchants.tables import Board, BoardEntry, Merchant, Rating, Redemption


@dataclass
class Line:
    """A shop's line on a board."""

    merchant: dict
    rank: int
    ratings: int
    stars_total: int
    redemptions: int
    value_fen: int
    flagged: bool
    suspended: bool = False

    @property
    def average(self) -> str | None:
        """The average stars with two decimals, or None without ratings."""
        return average_text(self.stars_total, self.ratings)


def average_text(stars_total: int, ratings: int) -> str | None:
    """``stars_total / ratings`` rounded half up to two decimals (None for no ratings)."""
    if not ratings:
        return None
    return str((Decimal(stars_total) / ratings).quantize(Decimal("0.01"), ROUND_HALF_UP))


def under_threshold(stars_total: int, ratings: int, settings) -> bool:
    """True when the ratings name a shop: enough of them, and the average below the bar."""
    bar = int(settings.suspend_below * 100)
    return ratings >= settings.suspend_min_ratings and stars_total * 100 < bar * ratings


async def _shops_in(community: dict, period: Month) -> list[dict]:
    rows = await Merchant.select().where(
        (Merchant.community == community["id"]) & (Merchant.created_at < period.end))
    return [r for r in rows if r["status"] != shops.ENDED or r["status_at"] >= period.start]


async def compute(community: dict, period: Month) -> list[Line]:
    """Every shop's line for ``period``, ranked (see the module doc)."""
    settings = shops.settings_of(community)
    found = await _shops_in(community, period)
    ratings = await Rating.select(Rating.merchant, Rating.stars).where(
        (Rating.community == community["id"]) & (Rating.created_at >= period.start)
        & (Rating.created_at < period.end))
    sales = await Redemption.select(Redemption.merchant, Redemption.value_fen).where(
        (Redemption.community == community["id"]) & (Redemption.status == "completed")
        & (Redemption.created_at >= period.start) & (Redemption.created_at < period.end))
    stars: dict[int, list[int]] = {}
    for row in ratings:
        stars.setdefault(row["merchant"], []).append(row["stars"])
    value: dict[int, list[int]] = {}
    for row in sales:
        value.setdefault(row["merchant"], []).append(row["value_fen"])
    lines = []
    for shop in found:
        given = stars.get(shop["id"], [])
        sold = value.get(shop["id"], [])
        lines.append(Line(merchant=shop, rank=0, ratings=len(given), stars_total=sum(given),
                          redemptions=len(sold), value_fen=sum(sold),
                          flagged=under_threshold(sum(given), len(given), settings)))

    def key(line: Line) -> tuple:
        if line.ratings:
            return (0, -Fraction(line.stars_total, line.ratings), -line.ratings,
                    -line.value_fen, line.merchant["name"], line.merchant["id"])
        return (1, 0, 0, -line.value_fen, line.merchant["name"], line.merchant["id"])

    lines.sort(key=key)
    for rank, line in enumerate(lines, start=1):
        line.rank = rank
    return lines


async def get_board(community: dict, label: str) -> dict | None:
    """The closed board of a month, if the sweep made it."""
    return await Board.select().where(
        (Board.community == community["id"]) & (Board.month == label)).first()


async def closed_lines(community: dict, board_row: dict) -> list[Line]:
    """The lines of a closed board, as they were when it closed."""
    entries = await BoardEntry.select().where(BoardEntry.board == board_row["id"]).order_by(
        BoardEntry.rank)
    by_id = {r["id"]: r for r in await Merchant.select().where(
        Merchant.id.is_in([e["merchant"] for e in entries] or [-1]))}
    return [Line(merchant=by_id[e["merchant"]], rank=e["rank"], ratings=e["ratings"],
                 stars_total=e["stars_total"], redemptions=e["redemptions"],
                 value_fen=e["value_fen"], flagged=e["flagged"], suspended=e["suspended"])
            for e in entries]


async def board(community: dict, label: str | None = None) -> tuple[Month, dict | None,
                                                                     list[Line]]:
    """A month's board (the current month by default): (month, the closed board row or None
    while the month is open or not yet closed, lines)."""
    period = months.parse(label, community["time_zone"])
    closed = await get_board(community, period.label)
    if closed is not None:
        return period, closed, await closed_lines(community, closed)
    return period, None, await compute(community, period)


async def close_month(community: dict, label: str | None = None,
                      now: datetime | None = None) -> tuple[dict, bool]:
    """Close a finished month's board (default: the month that ended last): rank, name,
    suspend, post. Returns (board row, made now); idempotent per community and month.
    Refuses a month that has not ended (PERIOD_NOT_OVER)."""
    now = now or _now()
    tz = community["time_zone"]
    period = months.parse(label, tz) if label else months.previous(
        months.containing(now, tz), tz)
    if period.end > now:
        raise YizhanError("PERIOD_NOT_OVER", "The month {month} has not ended yet.",
                          field="month", month=period.label)
    settings = shops.settings_of(community)
    async with atomic():
        claimed = await Board.insert(Board(
            community=community["id"], month=period.label, ran_at=now,
        )).on_conflict(target=(Board.community, Board.month), action="DO NOTHING").returning(
            *Board.all_columns())
        if not claimed:
            existing = await get_board(community, period.label)
            assert existing is not None
            return existing, False
        row = claimed[0]
        lines = await compute(community, period)
        for line in lines:
            if line.flagged and settings.auto_suspend and line.merchant["status"] == shops.ACTIVE:
                await shops.suspend(community, None, line.merchant["id"], translate(
                    "Rated {average} on average by {count} residents in {month}, below {bar}.",
                    community["locale"], average=line.average, count=line.ratings,
                    month=period.label, bar=str(settings.suspend_below)), by_board=True)
                line.suspended = True
        if lines:
            await BoardEntry.insert(*[BoardEntry(
                board=row["id"], community=community["id"], merchant=line.merchant["id"],
                rank=line.rank, ratings=line.ratings, stars_total=line.stars_total,
                redemptions=line.redemptions, value_fen=line.value_fen, flagged=line.flagged,
                suspended=line.suspended) for line in lines])
        if any(line.ratings or line.redemptions for line in lines):
            notice = await post_notice(community["id"], *_notice(community, period, lines),
                                       source=NAME)
            await Board.update({Board.notice: notice["id"]}).where(Board.id == row["id"])
        return (await get_board(community, period.label)) or row, True


#: The most ranked lines the notice shows (named shops are always listed).
NOTICE_LINES = 30


def _notice(community: dict, period: Month, lines: list[Line]) -> tuple[str, str]:
    """The notice: the shops named below the bar first, then the top of the ranking."""
    locale = community["locale"]
    title = translate("Partner shop ratings for {month}", locale, month=period.label)
    body = []
    for line in lines:
        if line.flagged:
            body.append(translate("Rated below the bar: {name}. Suspended until the community "
                                  "reviews it.", locale, name=line.merchant["name"])
                        if line.suspended else
                        translate("Rated below the bar: {name}.", locale,
                                  name=line.merchant["name"]))
    body.append(translate("How residents rated the shops that take time credits:", locale))
    for line in lines[:NOTICE_LINES]:
        if line.ratings:
            body.append(translate(
                "{rank}. {name}: {average} stars from {count} ratings, {value} yuan redeemed",
                locale, rank=line.rank, name=line.merchant["name"], average=line.average,
                count=line.ratings, value=format_fen(line.value_fen)))
        else:
            body.append(translate("{rank}. {name}: no ratings, {value} yuan redeemed", locale,
                                  rank=line.rank, name=line.merchant["name"],
                                  value=format_fen(line.value_fen)))
    text = "\n".join(body)
    return title, text if len(text) <= 5000 else text[:4999] + "…"


async def sweep(now: datetime) -> int:
    """Job: for every community with merchants on, close the board of the month that ended
    last if it had shops then and was not closed. Returns boards made."""
    made = 0
    for community in await list_communities():
        if not plugin_enabled(community["id"], NAME):
            continue
        tz = community["time_zone"]
        period = months.previous(months.containing(now, tz), tz)
        if await get_board(community, period.label) is not None:
            continue
        if not await Merchant.exists().where(
                (Merchant.community == community["id"]) & (Merchant.created_at < period.end)):
            continue
        _, created = await close_month(community, period.label, now=now)
        made += int(created)
    return made
