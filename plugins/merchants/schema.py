"""GraphQL for partner shops: residents find shops and their rules, ask for a code, see their
redemptions and rate them; staff submit and void redemptions and see the day's; admins
register shops, staff and rules, suspend and reinstate, and read the board, the statements and
the community profile. Resolvers stay thin: they resolve the community, check the switch
(``PLUGIN_DISABLED``) and who may act, and call the service.
"""

from __future__ import annotations

import base64
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import NewType

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from yizhan.core.api import (
    GraphQLContribution,
    UserError,
    forbidden,
    not_found,
    payload,
    pk_of,
    run_cpu,
)
from yizhan.core.graphql import connections
from yizhan.core.graphql.connections import Connection
from yizhan.core.graphql.ids import from_cursor, to_gid
from yizhan.core.graphql.scalars import Credits, credits
from yizhan.core.graphql.types import Member, member_by_id
from yizhan.core.services import validation as v
from yizhan.plugins.merchants import (
    board,
    codes,
    pdf,
    profile,
    redemptions,
    rules,
    settlement,
    shops,
)
from yizhan.plugins.merchants.money import format_fen
from yizhan.plugins.merchants.tables import Merchant as MerchantTable
from yizhan.plugins.merchants.tables import MerchantRule as RuleTable

PLUGIN = shops.PLUGIN

Yuan = strawberry.scalar(
    NewType("Yuan", str),
    name="Yuan",
    description="An exact amount of money in yuan with two decimals, as a string: \"30.00\".",
    serialize=lambda value: str(value),
    # Passed on as sent: ``yuan_to_fen`` refuses floats (and anything else not exact).
    parse_value=lambda value: value,
)


def _e6(value: int | None) -> str | None:
    return None if value is None else str(Decimal(value) / 1_000_000)


# --- enums -----------------------------------------------------------------------------------


@strawberry.enum
class MerchantStatus(Enum):
    """Where a partnership stands."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    ENDED = "ended"


@strawberry.enum
class MerchantRuleKind(Enum):
    """What a rule decides."""

    CAP = "cap"
    THRESHOLD = "threshold"
    CATEGORY = "category"


@strawberry.enum
class RedemptionStatus(Enum):
    """Whether a redemption stands."""

    COMPLETED = "completed"
    VOIDED = "voided"


@strawberry.enum
class GuaranteeStatus(Enum):
    """Where a shop's first-month guarantee stands for a statement."""

    NONE = "none"
    RUNNING = "running"
    MET = "met"
    SHORTFALL = "shortfall"


# --- loaders ---------------------------------------------------------------------------------


async def _by_id(table, ids) -> list[dict | None]:
    rows = await table.select().where(table.id.is_in(list(set(ids))))
    found = {row["id"]: row for row in rows}
    return [found.get(i) for i in ids]


async def _rules_of(merchant_ids) -> list[list[dict]]:
    rows = await RuleTable.select().where(RuleTable.merchant.is_in(list(set(merchant_ids))))
    out: dict[int, list[dict]] = {}
    for row in sorted(rows, key=lambda r: r["id"]):
        out.setdefault(row["merchant"], []).append(row)
    return [out.get(i, []) for i in merchant_ids]


async def _ratings_of(redemption_ids) -> list[dict | None]:
    found = await redemptions.ratings_of(list(set(redemption_ids)))
    return [found.get(i) for i in redemption_ids]


async def _summaries(merchant_ids) -> list[tuple[int, int]]:
    found = await redemptions.rating_summary(list(set(merchant_ids)))
    return [found.get(i, (0, 0)) for i in merchant_ids]


async def _shops_of(member_ids) -> list[set[int]]:
    found = await shops.staffed_by(list(set(member_ids)))
    return [found.get(i, set()) for i in member_ids]


class _Loaders:
    """Batched look-ups for one request: a page of shops costs one query for their rules and
    one for their ratings, not one per shop."""

    def __init__(self) -> None:
        self.merchant = DataLoader(lambda ids: _by_id(MerchantTable, ids))
        self.rule = DataLoader(lambda ids: _by_id(RuleTable, ids))
        self.rules = DataLoader(_rules_of)
        self.rating = DataLoader(_ratings_of)
        self.summary = DataLoader(_summaries)
        self.shops_of = DataLoader(_shops_of)


def _loaders(info: Info) -> _Loaders:
    """This request's merchants loaders (kept with core's, dropped with the request)."""
    return info.context.loaders.of_plugin("merchants", _Loaders)




async def _community_of(info: Info, community_id: int) -> dict:
    community = await info.context.loaders.community.load(community_id)
    info.context.require_plugin(community, PLUGIN)
    return community


async def _viewer(info: Info, community: dict) -> dict | None:
    """The caller's membership, or None (anonymous, or not a member)."""
    if await info.context.principal() is None:
        return None
    return await info.context.member(community)


async def _sees_shop_books(info: Info, shop: dict) -> bool:
    """True when the caller is an admin of the shop's community or staff of the shop."""
    community = await info.context.loaders.community.load(shop["community"])
    member = await _viewer(info, community)
    if not member:
        return False
    if v.is_admin(member):
        return True
    return member.get("id") is not None and shop["id"] in await _loaders(info).shops_of.load(
        member["id"])


async def _staff_or_admin(info: Info, community: dict, merchant_id: int) -> dict:
    """The caller, if staff of the shop or an admin; FORBIDDEN otherwise."""
    member = await info.context.require_verified(community)
    if v.is_admin(member) or await shops.is_staff(merchant_id, member.get("id")):
        return member
    raise forbidden("Only staff of this shop or an admin can see this.")


async def _admin(info: Info, community: dict) -> dict:
    member = await info.context.require_member(community)
    return v.require_admin(member)


# --- types -----------------------------------------------------------------------------------


@strawberry.type
class MerchantRule:
    """A rule of a shop, valid from ``validFrom`` through ``validUntil`` (local dates; null:
    open-ended) unless withdrawn. Only the fields of its kind are set."""

    id: strawberry.ID
    kind: MerchantRuleKind
    valid_from: date
    valid_until: date | None
    cap: Credits | None = strawberry.field(description="CAP: the most credits per order.")
    min_order: Yuan | None = strawberry.field(description="THRESHOLD: the smallest order.")
    credits: Credits | None = strawberry.field(description="THRESHOLD: credits the deal "
                                                           "spends.")
    discount: Yuan | None = strawberry.field(description="THRESHOLD: what the deal takes "
                                                         "off.")
    category: str | None = strawberry.field(description="CATEGORY: the product category.")
    accepted: bool | None = strawberry.field(description="CATEGORY: accepted or refused.")
    note: str
    created_at: datetime
    withdrawn_at: datetime | None
    _row: strawberry.Private[dict]

    @classmethod
    def from_row(cls, row: dict) -> MerchantRule:
        """Build from a ``yz_merchant_rule`` row."""
        kind = row["kind"]
        return cls(
            id=to_gid("MerchantRule", row["id"]), kind=MerchantRuleKind(kind),
            valid_from=row["valid_from"], valid_until=row["valid_until"],
            cap=credits(row["cap_centi"]) if kind == rules.CAP else None,
            min_order=format_fen(row["min_order_fen"]) if kind == rules.THRESHOLD else None,
            credits=credits(row["credits_centi"]) if kind == rules.THRESHOLD else None,
            discount=format_fen(row["discount_fen"]) if kind == rules.THRESHOLD else None,
            category=row["category"] if kind == rules.CATEGORY else None,
            accepted=row["accepted"] if kind == rules.CATEGORY else None, note=row["note"],
            created_at=row["created_at"], withdrawn_at=row["withdrawn_at"], _row=row)

    @strawberry.field(description="The rule in words, in the caller's language.")
    async def description(self, info: Info) -> str:
        return rules.describe(self._row, await info.context.resolved_locale())


@strawberry.type
class MerchantRatingSummary:
    """How residents rated a shop."""

    count: int
    average: str | None = strawberry.field(description="Average stars with two decimals.")


@strawberry.type
class MerchantStep:
    """One step in a shop's history: who, when, why."""

    action: str
    note: str
    at: datetime
    _actor: strawberry.Private[int | None]

    @strawberry.field(description="Who took the step (null for the CLI and the sweep).")
    async def actor(self, info: Info) -> Member | None:
        return await member_by_id(info, self._actor)


@strawberry.type
class Merchant:
    """A partner shop that takes time credits."""

    id: strawberry.ID
    name: str
    kind: str
    address: str
    contact: str
    description: str
    latitude: str | None
    longitude: str | None
    starts_on: date = strawberry.field(description="The first day of the partnership.")
    status: MerchantStatus
    status_reason: str = strawberry.field(description="Why it was suspended or ended.")
    status_changed_at: datetime | None
    suspended_by_board: bool = strawberry.field(
        description="Suspended by the monthly board (rated below the bar).")
    distance_meters: int | None = strawberry.field(
        description="From the point asked for in `merchants(near:)`, when both are known.")
    _row: strawberry.Private[dict]

    @classmethod
    def from_row(cls, row: dict, distance: int | None = None) -> Merchant:
        """Build from a ``yz_merchant`` row."""
        return cls(
            id=to_gid("Merchant", row["id"]), name=row["name"], kind=row["kind"],
            address=row["address"], contact=row["contact"], description=row["description"],
            latitude=_e6(row["latitude_e6"]), longitude=_e6(row["longitude_e6"]),
            starts_on=row["starts_on"], status=MerchantStatus(row["status"]),
            status_reason=row["status_reason"], status_changed_at=row["status_at"],
            suspended_by_board=row["status"] == shops.SUSPENDED and row["status_by_board"],
            distance_meters=distance, _row=row)

    @strawberry.field(description="Rules in force today (with `upcoming`, also those that "
                                  "start later).")
    async def rules(self, info: Info, upcoming: bool = False) -> list[MerchantRule]:
        community = await info.context.loaders.community.load(self._row["community"])
        today = shops.local_date(community)
        found = await _loaders(info).rules.load(self._row["id"])
        if upcoming:
            chosen = [r for r in found if r["withdrawn_at"] is None
                      and (r["valid_until"] is None or r["valid_until"] >= today)]
        else:
            chosen = rules.in_force_on(found, today)
        return [MerchantRule.from_row(r) for r in sorted(
            chosen, key=lambda r: (r["valid_from"], r["id"]))]

    @strawberry.field(description="All ratings residents gave.")
    async def rating(self, info: Info) -> MerchantRatingSummary:
        count, total = await _loaders(info).summary.load(self._row["id"])
        return MerchantRatingSummary(count=count, average=board.average_text(total, count))

    @strawberry.field(description="True when the caller is staff of this shop.")
    async def viewer_is_staff(self, info: Info) -> bool:
        community = await info.context.loaders.community.load(self._row["community"])
        member = await _viewer(info, community)
        if not member or member.get("id") is None:
            return False
        return self._row["id"] in await _loaders(info).shops_of.load(member["id"])

    @strawberry.field(description="Credits in the shop's settlement account (its staff and "
                                  "admins; null for others).")
    async def settlement_balance(self, info: Info) -> Credits | None:
        from yizhan.plugins.credits import service as credits_service

        if not await _sees_shop_books(info, self._row):
            return None
        community = await info.context.loaders.community.load(self._row["community"])
        return credits(await credits_service.account_balance(community,
                                                             self._row["account_code"]))

    @strawberry.field(description="The guaranteed volume of the first month (admins and the "
                                  "shop's staff; null for others).")
    async def guarantee(self, info: Info) -> Yuan | None:
        if not await _sees_shop_books(info, self._row):
            return None
        return format_fen(self._row["guarantee_fen"])

    @strawberry.field(description="The shop's staff (admins).")
    async def staff(self, info: Info) -> list[Member]:
        community = await info.context.loaders.community.load(self._row["community"])
        await _admin(info, community)
        found = [await member_by_id(info, r["member"]) for r in await shops.staff_rows(
            self._row["id"])]
        return [m for m in found if m is not None]

    @strawberry.field(description="Every step of the partnership, oldest first (admins).")
    async def history(self, info: Info) -> list[MerchantStep]:
        community = await info.context.loaders.community.load(self._row["community"])
        await _admin(info, community)
        return [MerchantStep(action=s["action"], note=s["note"], at=s["at"], _actor=s["actor"])
                for s in await shops.history(community, self._row["id"])]


@strawberry.type
class MerchantRating:
    """A resident's rating of one redemption."""

    id: strawberry.ID
    stars: int
    smooth: bool = strawberry.field(description="Was the redemption smooth?")
    discount_real: bool = strawberry.field(description="Was the discount real?")
    comment: str
    created_at: datetime

    @classmethod
    def from_row(cls, row: dict) -> MerchantRating:
        """Build from a ``yz_merchant_rating`` row."""
        return cls(id=to_gid("MerchantRating", row["id"]), stars=row["stars"],
                   smooth=row["smooth"], discount_real=row["discount_real"],
                   comment=row["comment"], created_at=row["created_at"])


@strawberry.type
class MerchantRedemption:
    """A receipt: credits spent at a shop and what they gave. Seen by the resident, the shop's
    staff and admins."""

    id: strawberry.ID
    number: int = strawberry.field(description="The receipt number.")
    created_at: datetime
    category: str
    order_amount: Yuan
    credits: Credits = strawberry.field(description="Credits spent.")
    credit_value: Yuan = strawberry.field(description="The credits' value at the community "
                                                      "rate.")
    discount: Yuan = strawberry.field(description="What the credits took off the order.")
    leader_bonus: Yuan = strawberry.field(description="The building leader's extra discount.")
    to_pay: Yuan = strawberry.field(description="What is left to pay in money.")
    yuan_per_credit: Yuan = strawberry.field(description="The rate used.")
    leader_bonus_percent: str
    status: RedemptionStatus
    voided_at: datetime | None
    void_reason: str
    ledger_seq: int | None = strawberry.field(
        description="The ledger transaction's place in the chain (check it with "
                    "`creditProof(seq:)`).")
    void_ledger_seq: int | None
    _row: strawberry.Private[dict]

    @classmethod
    def from_row(cls, row: dict) -> MerchantRedemption:
        """Build from a ``yz_merchant_redemption`` row."""
        return cls(
            id=to_gid("MerchantRedemption", row["id"]), number=row["id"],
            created_at=row["created_at"], category=row["category"],
            order_amount=format_fen(row["order_fen"]), credits=credits(row["credits_centi"]),
            credit_value=format_fen(row["value_fen"]), discount=format_fen(row["discount_fen"]),
            leader_bonus=format_fen(row["leader_bonus_fen"]),
            to_pay=format_fen(row["to_pay_fen"]),
            yuan_per_credit=format_fen(row["fen_per_credit"]),
            leader_bonus_percent=format_fen(row["leader_bp"]),
            status=RedemptionStatus(row["status"]), voided_at=row["voided_at"],
            void_reason=row["void_reason"], ledger_seq=row["tx_seq"],
            void_ledger_seq=row["void_tx_seq"], _row=row)

    @strawberry.field(description="The shop.")
    async def merchant(self, info: Info) -> Merchant:
        return Merchant.from_row(await _loaders(info).merchant.load(self._row["merchant"]))

    @strawberry.field(description="The resident who spent the credits.")
    async def resident(self, info: Info) -> Member | None:
        return await member_by_id(info, self._row["member"])

    @strawberry.field(description="The staff member who took it.")
    async def staff(self, info: Info) -> Member | None:
        return await member_by_id(info, self._row["staff"])

    @strawberry.field(description="The threshold deal applied, if any.")
    async def rule(self, info: Info) -> MerchantRule | None:
        if self._row["rule"] is None:
            return None
        row = await _loaders(info).rule.load(self._row["rule"])
        return MerchantRule.from_row(row) if row else None

    @strawberry.field(description="The resident's rating, once given.")
    async def rating(self, info: Info) -> MerchantRating | None:
        row = await _loaders(info).rating.load(self._row["id"])
        return MerchantRating.from_row(row) if row else None


@strawberry.type
class RedemptionCode:
    """A one-time code to show at a shop: type it or scan its QR code."""

    code: str = strawberry.field(description="As shown, e.g. `K7QM-3XZD`.")
    qr_payload: str = strawberry.field(description="What the QR code holds.")
    expires_at: datetime
    max_credits: Credits | None = strawberry.field(
        description="The most credits it may spend (null: what the rules give, within your "
                    "credits).")
    _merchant: strawberry.Private[int | None]

    @strawberry.field(description="The one shop it is for (null: any).")
    async def merchant(self, info: Info) -> Merchant | None:
        if self._merchant is None:
            return None
        return Merchant.from_row(await _loaders(info).merchant.load(self._merchant))


@strawberry.type
class MerchantBoardEntry:
    """A shop's line on the monthly board."""

    rank: int
    average_rating: str | None = strawberry.field(description="Average stars that month.")
    ratings: int
    redemptions: int
    redemption_value: Yuan
    flagged: bool = strawberry.field(description="Rated below the bar: named on the board.")
    suspended: bool = strawberry.field(description="Suspended by the sweep when the month "
                                                   "closed.")
    _merchant: strawberry.Private[dict]

    @strawberry.field(description="The shop.")
    def merchant(self) -> Merchant:
        return Merchant.from_row(self._merchant)


@strawberry.type
class MerchantBoard:
    """A month's ranking of partner shops by rating, number of ratings and redemption value."""

    month: str
    closed: bool = strawberry.field(description="Closed by the monthly sweep (figures "
                                                "frozen); false while the month is open.")
    closed_at: datetime | None
    suspend_below: str
    min_ratings: int
    entries: list[MerchantBoardEntry]


@strawberry.type
class MerchantGuarantee:
    """The first month's guaranteed volume as it bears on a statement."""

    status: GuaranteeStatus
    target: Yuan
    period_start: datetime | None
    period_end: datetime | None
    achieved: Yuan = strawberry.field(description="Net value redeemed in the period.")
    settles_in: str | None = strawberry.field(description="The month whose statement shows "
                                                          "the top-up.")
    top_up: Yuan = strawberry.field(description="What the community owes the shop on this "
                                                "statement.")


@strawberry.type
class MerchantSettlement:
    """A shop's monthly statement."""

    month: str
    redemptions: int
    credits_redeemed: Credits
    value: Yuan
    voids: int
    credits_voided: Credits
    voided_value: Yuan
    net_credits: Credits
    net_value: Yuan
    order_total: Yuan
    discount_given: Yuan
    leader_bonus_given: Yuan
    account_balance: Credits = strawberry.field(description="The settlement account's "
                                                            "balance now.")
    guarantee: MerchantGuarantee
    lines: list[MerchantRedemption]
    _statement: strawberry.Private[settlement.Statement]
    _community: strawberry.Private[dict]

    @strawberry.field(description="The shop.")
    def merchant(self) -> Merchant:
        return Merchant.from_row(self._statement.merchant)

    @strawberry.field(description="The statement as CSV (headings in the caller's language).")
    async def csv(self, info: Info) -> str:
        return settlement.csv_text(self._community, self._statement,
                                   await info.context.resolved_locale())

    @strawberry.field(description="The statement as a PDF, base64-encoded.")
    async def pdf_base64(self, info: Info) -> str:
        data, _ = await run_cpu(pdf.render, self._community, self._statement,
                                await info.context.resolved_locale())
        return base64.b64encode(data).decode("ascii")


def _settlement(community: dict, st: settlement.Statement) -> MerchantSettlement:
    g = st.guarantee
    return MerchantSettlement(
        month=st.month.label, redemptions=st.redemptions,
        credits_redeemed=credits(st.credits_centi), value=format_fen(st.value_fen),
        voids=st.voids, credits_voided=credits(st.voided_centi),
        voided_value=format_fen(st.voided_value_fen), net_credits=credits(st.net_centi),
        net_value=format_fen(st.net_value_fen), order_total=format_fen(st.order_fen),
        discount_given=format_fen(st.discount_fen),
        leader_bonus_given=format_fen(st.leader_bonus_fen),
        account_balance=credits(st.account_balance_centi),
        guarantee=MerchantGuarantee(
            status=GuaranteeStatus(g.status), target=format_fen(g.target_fen),
            period_start=g.period_start, period_end=g.period_end,
            achieved=format_fen(g.achieved_fen), settles_in=g.settles_in,
            top_up=format_fen(g.top_up_fen)),
        lines=[MerchantRedemption.from_row(r) for r in st.lines], _statement=st,
        _community=community)


@strawberry.type
class MonthlyRedemptions:
    """Redemptions at every partner shop in one month (voided ones left out)."""

    month: str
    redemptions: int
    credits: Credits
    value: Yuan
    residents: int = strawberry.field(description="Distinct residents who redeemed.")


@strawberry.type
class CommunityProfile:
    """A community in aggregate figures, to show a shop when pitching a partnership."""

    households: int
    buildings: int
    verified_members: int
    active_helpers: int = strawberry.field(description="Members who gave confirmed help in "
                                                       "the last `activeHelperDays` days.")
    active_helper_days: int
    help_hours: str = strawberry.field(description="Hours of confirmed help, all time.")
    needs_confirmed: int
    active_merchants: int
    redemptions_by_month: list[MonthlyRedemptions]


# --- queries ---------------------------------------------------------------------------------


async def _find_shop(info: Info, gid: str, field: str = "merchantId") -> tuple[dict, dict]:
    row = await shops.find(pk_of(gid, "Merchant", field))
    if row is None:
        raise not_found("merchant", field)
    return await _community_of(info, row["community"]), row


async def _find_redemption(info: Info, gid: str, field: str = "redemptionId"
                           ) -> tuple[dict, dict]:
    row = await redemptions.find(pk_of(gid, "MerchantRedemption", field))
    if row is None:
        raise not_found("redemption", field)
    return await _community_of(info, row["community"]), row


def _positioned(rows: list[dict], after: str | None) -> list[dict]:
    start = from_cursor(after) or 0
    return [{**row, "_pos": index} for index, row in enumerate(rows, start=1)
            if index > start]


@strawberry.input
class GeoPoint:
    """A point in degrees, as decimal strings (e.g. from the phone's location)."""

    latitude: str
    longitude: str


@strawberry.type
class MerchantsQuery:
    """The merchants plugin's root query fields."""

    @strawberry.field(description="Partner shops of a community (public): active and "
                                  "suspended ones by name, or nearest first with `near`. "
                                  "Admins may ask for ended ones with `status`.")
    async def merchants(self, info: Info, community: str, kind: str | None = None,
                        status: MerchantStatus | None = None, near: GeoPoint | None = None,
                        first: int | None = None, after: str | None = None
                        ) -> Connection[Merchant]:
        row = await info.context.plugin_community(community, PLUGIN)
        size = connections.page_size(first)
        if status is MerchantStatus.ENDED:
            await _admin(info, row)
        statuses = [status.value] if status else [shops.ACTIVE, shops.SUSPENDED]
        found = await shops.list_merchants(row, statuses=statuses, kind=kind)
        distances: dict[int, int] = {}
        if near is not None:
            lat, lon = shops.location(near.latitude, near.longitude)
            for shop in found:
                if shop["latitude_e6"] is not None:
                    distances[shop["id"]] = shops.distance_m(
                        lat, lon, shop["latitude_e6"], shop["longitude_e6"])
            found.sort(key=lambda s: (s["id"] not in distances, distances.get(s["id"], 0),
                                      s["name"], s["id"]))
        rows = _positioned(found, after)[:size + 1]
        return connections.build(rows, size, lambda r: Merchant.from_row(
            r, distances.get(r["id"])), key="_pos")

    @strawberry.field(description="One partner shop (public; an ended one for admins).")
    async def merchant(self, info: Info, id: strawberry.ID) -> Merchant:
        community, row = await _find_shop(info, id, "id")
        if row["status"] == shops.ENDED:
            member = await _viewer(info, community)
            if not v.is_admin(member):
                raise not_found("merchant", "id")
        return Merchant.from_row(row)

    @strawberry.field(description="The shops I am staff of.")
    async def my_merchants(self, info: Info, community: str) -> list[Merchant]:
        row = await info.context.plugin_community(community, PLUGIN)
        member = await info.context.require_member(row)
        if member.get("id") is None:
            return []
        return [Merchant.from_row(r) for r in await shops.shops_of_member(row, member["id"])]

    @strawberry.field(description="My redemptions, newest first.")
    async def my_redemptions(self, info: Info, community: str, first: int | None = None,
                             after: str | None = None) -> Connection[MerchantRedemption]:
        row = await info.context.plugin_community(community, PLUGIN)
        member = await info.context.require_member(row)
        size = connections.page_size(first)
        if member.get("id") is None:
            return connections.build([], size, MerchantRedemption.from_row)
        found = await redemptions.of_member(row, member["id"], before_id=from_cursor(after),
                                            limit=size + 1)
        return connections.build(found, size, MerchantRedemption.from_row)

    @strawberry.field(description="A shop's redemptions of one local day, newest first "
                                  "(today by default; its staff and admins).")
    async def merchant_redemptions(self, info: Info, merchant_id: strawberry.ID,
                                   day: date | None = None, first: int | None = None,
                                   after: str | None = None) -> Connection[MerchantRedemption]:
        community, shop = await _find_shop(info, merchant_id)
        await _staff_or_admin(info, community, shop["id"])
        size = connections.page_size(first)
        day = day or shops.local_date(community)
        start = shops.day_start(community, day)
        end = shops.day_start(community, day + timedelta(days=1))
        found = await redemptions.of_merchant(community, shop["id"], start, end,
                                              before_id=from_cursor(after), limit=size + 1)
        return connections.build(found, size, MerchantRedemption.from_row)

    @strawberry.field(description="One redemption (the resident, the shop's staff, admins).")
    async def merchant_redemption(self, info: Info, id: strawberry.ID) -> MerchantRedemption:
        community, row = await _find_redemption(info, id, "id")
        member = await info.context.require_member(community)
        if member.get("id") != row["member"]:
            await _staff_or_admin(info, community, row["merchant"])
        return MerchantRedemption.from_row(row)

    @strawberry.field(description="A month's board of partner shops (public; the current "
                                  "month by default, `2026-11`).")
    async def merchant_board(self, info: Info, community: str, month: str | None = None
                             ) -> MerchantBoard:
        row = await info.context.plugin_community(community, PLUGIN)
        period, closed, lines = await board.board(row, month)
        settings = shops.settings_of(row)
        return MerchantBoard(
            month=period.label, closed=closed is not None,
            closed_at=closed["ran_at"] if closed else None,
            suspend_below=str(settings.suspend_below), min_ratings=settings.suspend_min_ratings,
            entries=[MerchantBoardEntry(
                rank=line.rank, average_rating=line.average, ratings=line.ratings,
                redemptions=line.redemptions, redemption_value=format_fen(line.value_fen),
                flagged=line.flagged, suspended=line.suspended, _merchant=line.merchant)
                for line in lines])

    @strawberry.field(description="A shop's settlement statement for a month (the current "
                                  "month by default; its staff and admins).")
    async def merchant_settlement(self, info: Info, merchant_id: strawberry.ID,
                                  month: str | None = None) -> MerchantSettlement:
        community, shop = await _find_shop(info, merchant_id)
        await _staff_or_admin(info, community, shop["id"])
        return _settlement(community, await settlement.statement(community, shop["id"], month))

    @strawberry.field(description="The community in aggregate figures, for pitching shops "
                                  "(admins).")
    async def community_profile(self, info: Info, community: str) -> CommunityProfile:
        row = await info.context.plugin_community(community, PLUGIN)
        await _admin(info, row)
        p = await profile.profile(row)
        return CommunityProfile(
            households=p.households, buildings=p.buildings, verified_members=p.verified_members,
            active_helpers=p.active_helpers, active_helper_days=p.active_helper_days,
            help_hours=str((Decimal(p.help_minutes) / 60).quantize(Decimal("0.01"))),
            needs_confirmed=p.needs_confirmed, active_merchants=p.active_merchants,
            redemptions_by_month=[MonthlyRedemptions(
                month=m.month, redemptions=m.redemptions, credits=credits(m.credits_centi),
                value=format_fen(m.value_fen), residents=m.residents) for m in p.by_month])


# --- mutations -------------------------------------------------------------------------------


@strawberry.input
class RegisterMerchantInput:
    """Register a partner shop (admins). ``guarantee`` overrides the community's guaranteed
    volume for its first month (0: none)."""

    community: str
    name: str
    kind: str
    address: str
    contact: str
    starts_on: date | None = None
    description: str = ""
    latitude: str | None = None
    longitude: str | None = None
    guarantee: Yuan | None = None


@strawberry.input
class UpdateMerchantInput:
    """Change a shop's details (admins); what is left out stays."""

    merchant_id: strawberry.ID
    name: str | None = None
    kind: str | None = None
    address: str | None = None
    contact: str | None = None
    description: str | None = None
    latitude: str | None = None
    longitude: str | None = None
    clear_location: bool = False


@strawberry.type
class MerchantPayload:
    """The shop after the change."""

    merchant: Merchant | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class MerchantStaffInput:
    """A member and a shop (admins)."""

    merchant_id: strawberry.ID
    member_id: strawberry.ID


@strawberry.input
class AddMerchantRuleInput:
    """A new rule (admins). Give the fields of its kind only: CAP ``cap``; THRESHOLD
    ``minOrder``, ``credits``, ``discount``; CATEGORY ``category`` and ``accepted`` (default
    true). ``validFrom`` defaults to today; no ``validUntil`` means open-ended."""

    merchant_id: strawberry.ID
    kind: MerchantRuleKind
    valid_from: date | None = None
    valid_until: date | None = None
    cap: Credits | None = None
    min_order: Yuan | None = None
    credits: Credits | None = None
    discount: Yuan | None = None
    category: str | None = None
    accepted: bool | None = None
    note: str = ""


@strawberry.type
class MerchantRulePayload:
    """The rule."""

    rule: MerchantRule | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class WithdrawMerchantRuleInput:
    """Withdraw a rule (admins): it stops applying at once."""

    rule_id: strawberry.ID


@strawberry.input
class SuspendMerchantInput:
    """Suspend a shop with a reason its staff see (admins)."""

    merchant_id: strawberry.ID
    reason: str


@strawberry.input
class ReinstateMerchantInput:
    """Reinstate a suspended shop (admins)."""

    merchant_id: strawberry.ID
    note: str = ""


@strawberry.input
class EndMerchantPartnershipInput:
    """End a partnership for good (admins)."""

    merchant_id: strawberry.ID
    reason: str


@strawberry.input
class RequestRedemptionCodeInput:
    """Ask for a one-time code (verified members). ``maxCredits`` caps what it may spend;
    ``merchantId`` binds it to one shop. A new code replaces any live one."""

    community: str
    max_credits: Credits | None = None
    merchant_id: strawberry.ID | None = None


@strawberry.type
class RedemptionCodePayload:
    """The code to show."""

    code: RedemptionCode | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class SubmitRedemptionInput:
    """Take a resident's code (the shop's staff): the code as typed or the QR payload, the
    order amount and its product category (a slug such as ``daily``)."""

    merchant_id: strawberry.ID
    code: str
    order_amount: Yuan
    category: str


@strawberry.type
class MerchantRedemptionPayload:
    """The receipt."""

    redemption: MerchantRedemption | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class VoidRedemptionInput:
    """Void a redemption the day it was made (the shop's staff or an admin)."""

    redemption_id: strawberry.ID
    reason: str


@strawberry.input
class RateRedemptionInput:
    """Rate my redemption once: 1-5 stars, was it smooth, was the discount real."""

    redemption_id: strawberry.ID
    stars: int
    smooth: bool
    discount_real: bool
    comment: str = ""


@strawberry.type
class MerchantRatingPayload:
    """The rating and the redemption it is for."""

    rating: MerchantRating | None = None
    redemption: MerchantRedemption | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class MerchantsMutation:
    """The merchants plugin's mutations."""

    @strawberry.mutation(description="Register a partner shop (admins).")
    @payload(MerchantPayload)
    async def register_merchant(self, info: Info, input: RegisterMerchantInput
                                ) -> MerchantPayload:
        row = await info.context.plugin_community(input.community, PLUGIN)
        admin = await _admin(info, row)
        shop = await shops.register(
            row, admin, name=input.name, kind=input.kind, address=input.address,
            contact=input.contact, starts_on=input.starts_on, description=input.description,
            latitude=input.latitude, longitude=input.longitude, guarantee=input.guarantee)
        return MerchantPayload(merchant=Merchant.from_row(shop))

    @strawberry.mutation(description="Change a shop's details (admins).")
    @payload(MerchantPayload)
    async def update_merchant(self, info: Info, input: UpdateMerchantInput) -> MerchantPayload:
        community, shop = await _find_shop(info, input.merchant_id)
        admin = await _admin(info, community)
        changed = await shops.update(
            community, admin, shop["id"], name=input.name, kind=input.kind,
            address=input.address, contact=input.contact, description=input.description,
            latitude=input.latitude, longitude=input.longitude,
            clear_location=input.clear_location)
        return MerchantPayload(merchant=Merchant.from_row(changed))

    @strawberry.mutation(description="Make a verified member staff of a shop (admins).")
    @payload(MerchantPayload)
    async def add_merchant_staff(self, info: Info, input: MerchantStaffInput
                                 ) -> MerchantPayload:
        community, shop = await _find_shop(info, input.merchant_id)
        admin = await _admin(info, community)
        await shops.add_staff(community, admin, shop["id"],
                              pk_of(input.member_id, "Member", "memberId"))
        return MerchantPayload(merchant=Merchant.from_row(await shops.get(community,
                                                                          shop["id"])))

    @strawberry.mutation(description="Stop a member being staff of a shop (admins).")
    @payload(MerchantPayload)
    async def remove_merchant_staff(self, info: Info, input: MerchantStaffInput
                                    ) -> MerchantPayload:
        community, shop = await _find_shop(info, input.merchant_id)
        admin = await _admin(info, community)
        await shops.remove_staff(community, admin, shop["id"],
                                 pk_of(input.member_id, "Member", "memberId"))
        return MerchantPayload(merchant=Merchant.from_row(await shops.get(community,
                                                                          shop["id"])))

    @strawberry.mutation(description="Add a rule to a shop (admins).")
    @payload(MerchantRulePayload)
    async def add_merchant_rule(self, info: Info, input: AddMerchantRuleInput
                                ) -> MerchantRulePayload:
        community, shop = await _find_shop(info, input.merchant_id)
        admin = await _admin(info, community)
        row = await rules.add(
            community, admin, shop["id"], input.kind.value, validFrom=input.valid_from,
            validUntil=input.valid_until, cap=input.cap, minOrder=input.min_order,
            credits=input.credits, discount=input.discount, category=input.category,
            accepted=input.accepted, note=input.note)
        return MerchantRulePayload(rule=MerchantRule.from_row(row))

    @strawberry.mutation(description="Withdraw a shop's rule (admins).")
    @payload(MerchantRulePayload)
    async def withdraw_merchant_rule(self, info: Info, input: WithdrawMerchantRuleInput
                                     ) -> MerchantRulePayload:
        found = await rules.find(pk_of(input.rule_id, "MerchantRule", "ruleId"))
        if found is None:
            raise not_found("merchant rule", "ruleId")
        community = await _community_of(info, found["community"])
        admin = await _admin(info, community)
        return MerchantRulePayload(rule=MerchantRule.from_row(
            await rules.withdraw(community, admin, found["id"])))

    @strawberry.mutation(description="Suspend a shop (admins).")
    @payload(MerchantPayload)
    async def suspend_merchant(self, info: Info, input: SuspendMerchantInput
                               ) -> MerchantPayload:
        community, shop = await _find_shop(info, input.merchant_id)
        admin = await _admin(info, community)
        return MerchantPayload(merchant=Merchant.from_row(
            await shops.suspend(community, admin, shop["id"], input.reason)))

    @strawberry.mutation(description="Reinstate a suspended shop (admins).")
    @payload(MerchantPayload)
    async def reinstate_merchant(self, info: Info, input: ReinstateMerchantInput
                                 ) -> MerchantPayload:
        community, shop = await _find_shop(info, input.merchant_id)
        admin = await _admin(info, community)
        return MerchantPayload(merchant=Merchant.from_row(
            await shops.reinstate(community, admin, shop["id"], input.note)))

    @strawberry.mutation(description="End a partnership for good (admins).")
    @payload(MerchantPayload)
    async def end_merchant_partnership(self, info: Info, input: EndMerchantPartnershipInput
                                       ) -> MerchantPayload:
        community, shop = await _find_shop(info, input.merchant_id)
        admin = await _admin(info, community)
        return MerchantPayload(merchant=Merchant.from_row(
            await shops.end(community, admin, shop["id"], input.reason)))

    @strawberry.mutation(description="Ask for a one-time redemption code (verified members).")
    @payload(RedemptionCodePayload)
    async def request_redemption_code(self, info: Info, input: RequestRedemptionCodeInput
                                      ) -> RedemptionCodePayload:
        row = await info.context.plugin_community(input.community, PLUGIN)
        member = await info.context.require_verified(row)
        merchant_id = None
        if input.merchant_id is not None:
            merchant_id = pk_of(input.merchant_id, "Merchant", "merchantId")
        code = await redemptions.request_code(row, member, max_credits=input.max_credits,
                                              merchant_id=merchant_id)
        return RedemptionCodePayload(code=RedemptionCode(
            code=codes.display(code["code"]), qr_payload=redemptions.qr_payload(row, code),
            expires_at=code["expires_at"],
            max_credits=credits(code["max_credits_centi"]) if code["max_credits_centi"]
            else None, _merchant=code["merchant"]))

    @strawberry.mutation(description="Take a resident's code at the till (the shop's staff).")
    @payload(MerchantRedemptionPayload)
    async def submit_redemption(self, info: Info, input: SubmitRedemptionInput
                                ) -> MerchantRedemptionPayload:
        community, shop = await _find_shop(info, input.merchant_id)
        member = await info.context.require_verified(community)
        row = await redemptions.submit(community, member, shop["id"], input.code,
                                       input.order_amount, input.category)
        return MerchantRedemptionPayload(redemption=MerchantRedemption.from_row(row))

    @strawberry.mutation(description="Void a redemption the day it was made (the shop's "
                                     "staff or an admin).")
    @payload(MerchantRedemptionPayload)
    async def void_redemption(self, info: Info, input: VoidRedemptionInput
                              ) -> MerchantRedemptionPayload:
        community, row = await _find_redemption(info, input.redemption_id)
        member = await info.context.require_verified(community)
        voided = await redemptions.void(community, member, row["id"], input.reason)
        return MerchantRedemptionPayload(redemption=MerchantRedemption.from_row(voided))

    @strawberry.mutation(description="Rate my redemption (once).")
    @payload(MerchantRatingPayload)
    async def rate_redemption(self, info: Info, input: RateRedemptionInput
                              ) -> MerchantRatingPayload:
        community, row = await _find_redemption(info, input.redemption_id)
        member = await info.context.require_member(community)
        rating = await redemptions.rate(community, member, row["id"], stars=input.stars,
                                        smooth=input.smooth, discount_real=input.discount_real,
                                        comment=input.comment)
        return MerchantRatingPayload(rating=MerchantRating.from_row(rating),
                                     redemption=MerchantRedemption.from_row(row))


def contribution() -> GraphQLContribution:
    """What the merchants plugin adds to the schema."""
    return GraphQLContribution(query=MerchantsQuery, mutation=MerchantsMutation)
