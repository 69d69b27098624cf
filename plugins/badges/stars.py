"""The mutual-aid stars (互助之星): leaderboards and the quarterly sweep that names the stars.

**Score.** For a period, a member's score is the minutes of help they gave through needs
confirmed in it, plus 60 (one hour's worth) for every distinct household (requester) they
helped — so helping many neighbours counts as well as helping long. Only verified members are
ranked, and a member against whom a dispute was upheld in the period (as reported through the
``yizhan_badges_upheld_disputes`` hook) is left out.

**Ties** are broken by, in order: more distinct households helped, more minutes given, and then
the member who joined the community first (the lower member id). Ranks are therefore unique.

**Stars.** After each quarter ends (in the community's time zone), the sweep takes the top
``stars_per_quarter`` members who gave at least ``star_min_minutes``, awards each the
mutual-aid star badge (a signed credential), records the prize of the moment (text, sponsor,
credits — paid through the credits service when credits is on), tells the stars and posts them
on the notice board. One round per community and quarter: running it again does nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from yizhan.core.api import (
    HOUSEHOLD_MINUTES,
    EventContext,
    Period,
    YizhanError,
    atomic,
    await_all,
    communities_with_plugin,
    format_centi,
    get_member,
    get_person,
    helpers_between,
    hook,
    list_members,
    notify,
    parse_period,
    period_containing,
    plugin_enabled,
    plugin_settings,
    post_notice,
    previous_period,
    top_helpers_of_period,
    translate,
)
from yizhan.core.api import now as _now
from yizhan.plugins.badges import NAME, service
from yizhan.plugins.badges.tables import BadgeDefinition, BadgeKey, StarRound, StarWinner


@dataclass
class Standing:
    """A member's place in a period: the figures and the score they were ranked on."""

    member_id: int
    minutes_given: int
    households_helped: int
    needs_helped: int
    score: int
    rank: int = 0


def score(minutes_given: int, households_helped: int) -> int:
    """Minutes given plus 60 per distinct household helped."""
    return minutes_given + HOUSEHOLD_MINUTES * households_helped


async def upheld_disputes(community: dict, member_ids: list[int], start: datetime,
                          end: datetime) -> set[int]:
    """Members any enabled plugin reports a dispute upheld against in ``[start, end)``."""
    if not member_ids:
        return set()
    ctx = EventContext(community=community)
    answers = await await_all(hook(ctx, "yizhan_badges_upheld_disputes")(
        ctx=ctx, member_ids=list(member_ids), start=start, end=end))
    return {int(m) for answer in answers for m in (answer or [])}


async def standings(community: dict, start: datetime, end: datetime,
                    min_minutes: int = 0) -> list[Standing]:
    """Every eligible member ranked for ``[start, end)``, best first (see the module doc),
    straight from the help records — the reference :func:`top_standings` (which leaderboards
    and the sweep use) is tested against; it reads every record of the span."""
    totals = await helpers_between(community["id"], start, end)
    verified = {m["id"] for m in await list_members(community, status="verified",
                                                    limit=1_000_000)}
    ids = [m for m in totals if m in verified]
    excluded = await upheld_disputes(community, ids, start, end)
    found = [
        Standing(member_id=m, minutes_given=totals[m]["minutes_given"],
                 households_helped=totals[m]["households_helped"],
                 needs_helped=totals[m]["needs_helped"],
                 score=score(totals[m]["minutes_given"], totals[m]["households_helped"]))
        for m in ids if m not in excluded and totals[m]["minutes_given"] >= min_minutes
    ]
    found.sort(key=lambda s: (-s.score, -s.households_helped, -s.minutes_given, s.member_id))
    for rank, standing in enumerate(found, start=1):
        standing.rank = rank
    return found


def period_of(community: dict, kind: str, label: str | None = None,
              now: datetime | None = None) -> Period:
    """The named period (``2026Q4`` / ``2026-11``), or the current one."""
    if kind not in ("month", "quarter"):
        raise YizhanError("INVALID_PERIOD", "A leaderboard is for a month or a quarter.",
                          field="period")
    tz = community["time_zone"]
    if label:
        return parse_period(kind, label, tz)
    return period_containing(kind, now or _now(), tz)


async def top_standings(community: dict, period: Period, size: int,
                        min_minutes: int = 0) -> list[Standing]:
    """The first ``size`` of :func:`standings` for ``period``, read page by page from core's
    running figures per helper and period (members with an upheld dispute are skipped), so
    the cost does not grow with the community."""
    found: list[Standing] = []
    offset, page = 0, max(size * 2, 20)
    while len(found) < size:
        rows = await top_helpers_of_period(community["id"], period.label,
                                           min_minutes=min_minutes, limit=page, offset=offset)
        excluded = await upheld_disputes(community, [r["member_id"] for r in rows],
                                         period.start, period.end)
        found.extend(Standing(member_id=r["member_id"], minutes_given=r["minutes_given"],
                              households_helped=r["households_helped"],
                              needs_helped=r["needs_helped"], score=r["score"])
                     for r in rows if r["member_id"] not in excluded)
        if len(rows) < page:
            break
        offset += page
    found = found[:size]
    for rank, standing in enumerate(found, start=1):
        standing.rank = rank
    return found


async def leaderboard(community: dict, kind: str, label: str | None = None
                      ) -> tuple[Period, list[Standing]]:
    """The top members of a month or quarter (current unless ``label`` names one)."""
    period = period_of(community, kind, label)
    size = plugin_settings(community["id"], NAME).leaderboard_size
    return period, await top_standings(community, period, size)


# --- the quarterly round --------------------------------------------------------------------


def hours_text(minutes: int) -> str:
    """Minutes as hours with one decimal, exactly (``90`` -> ``"1.5"``)."""
    return str((Decimal(minutes) / 60).quantize(Decimal("0.1")))


async def pay_star_prize(ctx: EventContext, member_id: int, centi: int,
                         label: str) -> tuple[str, str]:
    """The one place badges touches credits: pay a star's credit prize through the credits
    service (``award``, from the issuance account, idempotent per quarter and member) when
    credits is on. Returns (``none``/``paid``/``skipped``/``failed``, a note)."""
    if centi <= 0:
        return "none", ""
    if not ctx.enabled("credits"):
        return "skipped", "the credits module is off in this community"
    try:
        from yizhan.plugins.credits import service as credits
    except ImportError:
        return "skipped", "the credits module is not installed"
    reason = f"{translate(service.STAR_NAME, ctx.community['locale'])} {label}"
    try:
        posted = await credits.award(
            ctx.community, member_id, centi, reason=reason,
            key=f"badges:star:{label}:{member_id}", source_kind="badges.star",
            source_id=label)
    except YizhanError as error:
        return "failed", error.code
    return "paid", f"transaction {posted.transaction['id']}"


async def _star_definition(community: dict) -> dict | None:
    row = await BadgeDefinition.select().where(
        (BadgeDefinition.community == community["id"]) & (BadgeDefinition.kind == "star")
    ).first()
    if row is None:
        await service.seed_defaults(community)
        row = await BadgeDefinition.select().where(
            (BadgeDefinition.community == community["id"]) & (BadgeDefinition.kind == "star")
        ).first()
    return row


async def get_round(community: dict, label: str) -> dict | None:
    """The star round of a quarter, if it ran."""
    return await StarRound.select().where(
        (StarRound.community == community["id"]) & (StarRound.period == label)).first()


async def winners(round_id: int) -> list[dict]:
    """The stars of a round, by rank."""
    return await StarWinner.select().where(StarWinner.round == round_id).order_by(
        StarWinner.rank)


async def list_rounds(community: dict, limit: int = 20) -> list[dict]:
    """The community's star rounds, newest quarter first."""
    return await StarRound.select().where(StarRound.community == community["id"]).order_by(
        StarRound.period, ascending=False).limit(limit)


async def run_round(community: dict, label: str | None = None, *, actor: dict | None = None,
                    now: datetime | None = None) -> tuple[dict | None, bool]:
    """Name the stars of a finished quarter (default: the one that ended last).

    Returns (round, made now). Idempotent: a quarter that already has its round is returned
    unchanged. Refuses a quarter that has not ended (``PERIOD_NOT_OVER``). Returns
    ``(None, False)`` when the community's star badge is retired.
    """
    now = now or _now()
    tz = community["time_zone"]
    period = (parse_period("quarter", label, tz, "quarter") if label
              else previous_period(period_containing("quarter", now, tz), tz))
    if period.end > now:
        raise YizhanError("PERIOD_NOT_OVER", "The quarter {period} has not ended yet.",
                          field="quarter", period=period.label)
    settings = plugin_settings(community["id"], NAME)
    async with atomic():
        existing = await get_round(community, period.label)
        if existing is not None:
            return existing, False
        definition = await _star_definition(community)
        if definition is None or not definition["active"]:
            return None, False
        centi = int(settings.star_prize_credits * 100)
        round_row = (await StarRound.insert(StarRound(
            community=community["id"], period=period.label, starts_at=period.start,
            ends_at=period.end, ran_at=now, ran_by=actor["id"] if actor else None,
            prize=settings.star_prize, sponsor=settings.star_sponsor,
            prize_credits_centi=centi,
        )).returning(*StarRound.all_columns()))[0]
        chosen = await top_standings(community, period, settings.stars_per_quarter,
                                     settings.star_min_minutes)
        ctx = EventContext(community=community, actor=actor, now=now)
        lines = []
        for standing in chosen:
            lines.append(await _name_star(community, ctx, definition, round_row, standing,
                                          centi))
        if chosen:
            notice = await post_notice(community["id"], *_notice_text(
                community, period.label, lines, settings, centi), source=NAME)
            await StarRound.update({StarRound.notice: notice["id"]}).where(
                StarRound.id == round_row["id"])
        return await get_round(community, period.label), True


async def _name_star(community: dict, ctx: EventContext, definition: dict, round_row: dict,
                     standing: Standing, centi: int) -> str:
    locale = community["locale"]
    label = round_row["period"]
    member = await get_member(community, standing.member_id)
    person = await get_person(member["person"])
    narrative = translate(
        "Gave {hours} hours of help to {households} households in {period}.", locale,
        hours=hours_text(standing.minutes_given), households=standing.households_helped,
        period=label)
    award = await service.give_award(
        community, definition, member, source="star", actor=None, note=label, period=label,
        evidence=[{"type": ["Evidence"], "name": f"{definition['name']} {label}",
                   "narrative": narrative}])
    status, note = await pay_star_prize(ctx, member["id"], centi, label)
    await StarWinner.insert(StarWinner(
        round=round_row["id"], community=community["id"], member=member["id"],
        rank=standing.rank, minutes_given=standing.minutes_given,
        households_helped=standing.households_helped, needs_helped=standing.needs_helped,
        score=standing.score, award=award["id"], credits_status=status, credits_note=note))
    await notify(community["id"], member["id"], "badges.star", "Mutual-aid star",
                 "You are one of the mutual-aid stars of {period}. Thank you!", period=label)
    return translate("{rank}. {name}: {hours} hours, {households} households helped", locale,
                     rank=standing.rank, name=person["display_name"],
                     hours=hours_text(standing.minutes_given),
                     households=standing.households_helped)


def _notice_text(community: dict, label: str, lines: list[str], settings: Any,
                 centi: int) -> tuple[str, str]:
    locale = community["locale"]
    title = translate("Mutual-aid stars of {period}", locale, period=label)
    body = [translate("Thank you to the neighbours who helped the most this quarter:", locale),
            *lines]
    if settings.star_prize:
        body.append(translate("Prize: {prize}", locale, prize=settings.star_prize))
    if settings.star_sponsor:
        body.append(translate("Sponsored by {sponsor}", locale, sponsor=settings.star_sponsor))
    if centi and plugin_enabled(community["id"], "credits"):
        body.append(translate("Each star receives {credits} time credits.", locale,
                              credits=format_centi(centi)))
    return title, "\n".join(body)


async def _first_enabled(community_id: int) -> datetime | None:
    row = await BadgeKey.select(BadgeKey.created_at).where(
        BadgeKey.community == community_id).order_by(BadgeKey.id).first()
    return row["created_at"] if row else None


async def sweep(now: datetime) -> int:
    """Job: for every community with badges on, name the stars of the quarter that ended last
    (if badges was already on when it ended and the round did not run). Returns rounds made."""
    made = 0
    for community in await communities_with_plugin(NAME):
        tz = community["time_zone"]
        period = previous_period(period_containing("quarter", now, tz), tz)
        if await get_round(community, period.label) is not None:
            continue
        enabled_at = await _first_enabled(community["id"])
        if enabled_at is None or enabled_at >= period.end:
            continue
        _, created = await run_round(community, period.label, now=now)
        made += int(created)
    return made
