"""The monthly board of partner shops, and the sweep that closes each month.

**Figures.** For a month (in the community's time zone) each shop gets: the ratings residents
gave that month (their number and average stars), the redemptions made that month and not
voided, and their value (credits at the community rate, as kept on each redemption).

**Ranking.** Rated shops first, by average stars (exactly: stars total / ratings), then more
ratings, then more redemption value; then shops without ratings by redemption value; ties by
name. Ranks are unique.

**One resident, one voice.** A resident's ratings of one shop count once a month: their
latest rating of that shop in the month. A line's ``ratings`` is the number of distinct
residents who rated the shop; its average is over their latest ratings.

**Named, reviewed, suspended.** A shop whose average is below ``suspend_below`` with at least
``suspend_min_ratings`` distinct residents rating it that month is named (``flagged``). When a
month ends the sweep closes its board once (a row per community and month, claimed with an
insert that a second worker cannot repeat) and posts it on the notice board. A named shop that
is still active (``auto_suspend``) is not suspended at once: its line's suspension waits for
the admins' review (``review`` ``pending``) for ``suspend_review_hours``; an admin confirms it
(suspended now) or overturns it (the shop stays active); when the time runs out unanswered a
deadline applies it. Running the sweep again changes nothing; an admin reinstating a shop is
never undone by a later run for the same month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from yizhan.core.api import (
    YizhanError,
    atomic,
    cancel_deadline,
    communities_with_plugin,
    post_notice,
    require_admin,
    schedule_deadline,
    translate,
    validate_text,
)
from yizhan.core.api import now as _now
from yizhan.plugins.merchants import NAME, months, shops
from yizhan.plugins.merchants.money import format_fen
from yizhan.plugins.merchants.months import Month
from yizhan.plugins.merchants.settlement import local_time as settlement_time
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
    #: The admins' review of the suspension the board proposed (closed boards): ``pending``,
    #: ``confirmed``, ``overturned``, ``applied`` or empty.
    review: str = ""
    review_due_at: datetime | None = None

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
    ratings = await Rating.select(Rating.merchant, Rating.member, Rating.stars).where(
        (Rating.community == community["id"]) & (Rating.created_at >= period.start)
        & (Rating.created_at < period.end)).order_by(Rating.created_at, Rating.id)
    sales = await Redemption.select(Redemption.merchant, Redemption.value_fen).where(
        (Redemption.community == community["id"]) & (Redemption.status == "completed")
        & (Redemption.created_at >= period.start) & (Redemption.created_at < period.end))
    latest: dict[int, dict[int, int]] = {}  # shop -> resident -> their latest stars
    for row in ratings:
        latest.setdefault(row["merchant"], {})[row["member"]] = row["stars"]
    stars = {shop_id: list(by_member.values()) for shop_id, by_member in latest.items()}
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
                 value_fen=e["value_fen"], flagged=e["flagged"], suspended=e["suspended"],
                 review=e["review"], review_due_at=e["review_due_at"])
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
        due = now + timedelta(hours=settings.suspend_review_hours)
        reviewed = {line.merchant["id"] for line in lines if line.flagged
                    and settings.auto_suspend and line.merchant["status"] == shops.ACTIVE}
        if lines:
            await BoardEntry.insert(*[BoardEntry(
                board=row["id"], community=community["id"], merchant=line.merchant["id"],
                rank=line.rank, ratings=line.ratings, stars_total=line.stars_total,
                redemptions=line.redemptions, value_fen=line.value_fen, flagged=line.flagged,
                suspended=False, review=PENDING if line.merchant["id"] in reviewed else "",
                review_due_at=due if line.merchant["id"] in reviewed else None)
                for line in lines])
        for line in lines:
            if line.merchant["id"] not in reviewed:
                continue
            await schedule_deadline(community["id"], NAME, REVIEW_DEADLINE,
                                    f"{row['id']}:{line.merchant['id']}", due,
                                    {"board": row["id"], "merchant": line.merchant["id"]})
            await shops.event(community["id"], line.merchant["id"], "flagged_by_board", None,
                              suspension_reason(community, line, period.label, settings))
        if any(line.ratings or line.redemptions for line in lines):
            notice = await post_notice(community["id"], *_notice(
                community, period, lines, reviewed, due), source=NAME)
            await Board.update({Board.notice: notice["id"]}).where(Board.id == row["id"])
        return (await get_board(community, period.label)) or row, True


def suspension_reason(community: dict, line: Line, month: str, settings) -> str:
    """Why the board names a shop (the reason its suspension records)."""
    return translate("Rated {average} on average by {count} residents in {month}, below {bar}.",
                     community["locale"], average=line.average, count=line.ratings,
                     month=month, bar=str(settings.suspend_below))


# --- the admins' review of a suspension the board proposes --------------------------------

PENDING, CONFIRMED, OVERTURNED, APPLIED = "pending", "confirmed", "overturned", "applied"
REVIEW_DEADLINE = "board_suspension"


async def _entry(community: dict, merchant_id: int, label: str | None) -> tuple[dict, dict]:
    """(board, entry) of a shop's pending review: the given month, or its latest pending."""
    query = BoardEntry.select().where((BoardEntry.community == community["id"])
                                      & (BoardEntry.merchant == merchant_id)
                                      & (BoardEntry.review == PENDING))
    if label:
        found = await get_board(community, months.parse(label, community["time_zone"]).label)
        query = query.where(BoardEntry.board == (found["id"] if found else -1))
    entry = await query.order_by(BoardEntry.id, ascending=False).first()
    if entry is None:
        raise YizhanError("NO_PENDING_SUSPENSION",
                          "No suspension of this shop is waiting for review.",
                          field="merchantId")
    board_row = await Board.select().where(Board.id == entry["board"]).first()
    return board_row, entry


async def _apply(community: dict, board_row: dict, entry: dict, actor: dict | None,
                 outcome: str, note: str) -> dict:
    """Close a pending review as ``outcome`` (suspending the shop unless overturned)."""
    now = _now()
    closed = await BoardEntry.update({
        BoardEntry.review: outcome, BoardEntry.reviewed_by: actor["id"] if actor else None,
        BoardEntry.reviewed_at: now, BoardEntry.review_note: note,
        BoardEntry.suspended: outcome != OVERTURNED,
    }).where((BoardEntry.id == entry["id"]) & (BoardEntry.review == PENDING)).returning(
        BoardEntry.id)
    if not closed:
        raise YizhanError("NO_PENDING_SUSPENSION",
                          "No suspension of this shop is waiting for review.",
                          field="merchantId")
    await cancel_deadline(NAME, REVIEW_DEADLINE, f"{board_row['id']}:{entry['merchant']}")
    shop = await shops.get(community, entry["merchant"])
    settings = shops.settings_of(community)
    if outcome == OVERTURNED:
        await shops.event(community["id"], shop["id"], "board_overturned", actor, note)
    elif shop["status"] == shops.ACTIVE:
        line = Line(merchant=shop, rank=entry["rank"], ratings=entry["ratings"],
                    stars_total=entry["stars_total"], redemptions=entry["redemptions"],
                    value_fen=entry["value_fen"], flagged=True)
        await shops.suspend(community, None, shop["id"], suspension_reason(
            community, line, board_row["month"], settings), by_board=True)
    else:
        await BoardEntry.update({BoardEntry.suspended: False}).where(
            BoardEntry.id == entry["id"])
    return await shops.get(community, shop["id"])


async def review(community: dict, actor: dict | None, merchant_id: int, *, confirm: bool,
                 month: str | None = None, note: str = "") -> dict:
    """An admin confirms (the shop is suspended now) or overturns (it stays active) the
    suspension the board proposed; returns the shop. NO_PENDING_SUSPENSION when none waits."""
    if actor is not None:
        require_admin(actor)
    note = validate_text(note, "note", max_length=500, required=False)
    async with atomic():
        await shops.lock(merchant_id)
        board_row, entry = await _entry(community, merchant_id, month)
        return await _apply(community, board_row, entry, actor, CONFIRMED if confirm
                            else OVERTURNED, note)


async def pending_reviews(community: dict) -> list[dict]:
    """Lines waiting for the admins' review, soonest due first (each with its ``month`` and
    ``merchant`` row)."""
    entries = await BoardEntry.select().where(
        (BoardEntry.community == community["id"]) & (BoardEntry.review == PENDING)).order_by(
        BoardEntry.review_due_at)
    boards = {b["id"]: b for b in await Board.select().where(
        Board.id.is_in([e["board"] for e in entries] or [-1]))}
    shops_by_id = {m["id"]: m for m in await Merchant.select().where(
        Merchant.id.is_in([e["merchant"] for e in entries] or [-1]))}
    return [{**e, "month": boards[e["board"]]["month"], "merchant": shops_by_id[e["merchant"]]}
            for e in entries]


async def review_due(community: dict, payload: dict) -> None:
    """The review time ran out (a deadline): the proposed suspension applies."""
    entry = await BoardEntry.select().where(
        (BoardEntry.board == payload["board"]) & (BoardEntry.merchant == payload["merchant"])
        & (BoardEntry.review == PENDING)).first()
    if entry is None:
        return
    board_row = await Board.select().where(Board.id == entry["board"]).first()
    await _apply(community, board_row, entry, None, APPLIED, "")


#: The most ranked lines the notice shows (named shops are always listed).
NOTICE_LINES = 30


def _notice(community: dict, period: Month, lines: list[Line],
            reviewed: set[int] | None = None, due: datetime | None = None) -> tuple[str, str]:
    """The notice: the shops named below the bar first, then the top of the ranking."""
    locale = community["locale"]
    title = translate("Partner shop ratings for {month}", locale, month=period.label)
    body = []
    for line in lines:
        if line.flagged:
            body.append(translate("Rated below the bar by {count} residents: {name}. Suspended "
                                  "on {date} unless the community's admins overturn it.",
                                  locale, name=line.merchant["name"], count=line.ratings,
                                  date=settlement_time(community, due))
                        if reviewed and line.merchant["id"] in reviewed and due else
                        translate("Rated below the bar: {name}.", locale,
                                  name=line.merchant["name"]))
    body.append(translate("How residents rated the shops that take time credits:", locale))
    for line in lines[:NOTICE_LINES]:
        if line.ratings:
            body.append(translate(
                "{rank}. {name}: {average} stars from {count} residents, {value} yuan redeemed",
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
    for community in await communities_with_plugin(NAME):
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
