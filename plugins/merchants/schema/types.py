"""The merchants plugin's GraphQL object types."""

from __future__ import annotations

import base64
from datetime import date, datetime

import strawberry
from strawberry.types import Info

from yizhan.core.api import (
    Credits,
    Member,
    Node,
    member_by_id,
    node_in_community,
    run_cpu,
    to_gid,
)
from yizhan.core.api import format_centi as credits
from yizhan.plugins.merchants import (
    NAME,
    board,
    pdf,
    rules,
    settlement,
    shops,
)
from yizhan.plugins.merchants.money import format_fen
from yizhan.plugins.merchants.schema.common import (
    GuaranteeStatus,
    MerchantRuleKind,
    MerchantStatus,
    RedemptionStatus,
    Yuan,
    _admin,
    _e6,
    _loaders,
    _may_see_shop,
    _redemption_reader,
    _sees_shop_books,
    _viewer,
)
from yizhan.plugins.merchants.settings import fen
from yizhan.plugins.merchants.tables import Merchant as MerchantTable
from yizhan.plugins.merchants.tables import MerchantRule as RuleTable
from yizhan.plugins.merchants.tables import Rating as RatingTable
from yizhan.plugins.merchants.tables import Redemption as RedemptionTable

# --- types -----------------------------------------------------------------------------------


@strawberry.type
class MerchantRule(Node):
    """A rule of a shop, valid from ``validFrom`` through ``validUntil`` (local dates; null:
    open-ended) unless withdrawn. Only the fields of its kind are set. Public, as its shop is
    (`node(id:)` answers null for a rule of an ended shop to all but admins)."""

    kind: MerchantRuleKind
    """What the rule decides; only the fields of this kind are set."""
    valid_from: date
    """The first day it applies (community local date)."""
    valid_until: date | None
    """The last day it applies (null: open-ended)."""
    cap: Credits | None = strawberry.field(description="CAP: the most credits per order.")
    min_order: Yuan | None = strawberry.field(description="THRESHOLD: the smallest order.")
    credits: Credits | None = strawberry.field(description="THRESHOLD: credits the deal "
                                                           "spends.")
    discount: Yuan | None = strawberry.field(description="THRESHOLD: what the deal takes "
                                                         "off.")
    category: str | None = strawberry.field(description="CATEGORY: the product category.")
    accepted: bool | None = strawberry.field(description="CATEGORY: accepted or refused.")
    note: str
    """The admin's remark (empty when none)."""
    created_at: datetime
    """When it was added."""
    withdrawn_at: datetime | None
    """When an admin withdrew it (null while it stands)."""
    _row: strawberry.Private[dict]

    @classmethod
    async def load_node(cls, info: Info, pk: int) -> MerchantRule | None:
        """For ``node(id:)``: whoever may see its shop."""
        found = await node_in_community(info, RuleTable, pk, NAME)
        if found is None:
            return None
        community, row = found
        shop = await _loaders(info).merchant.load(row["merchant"])
        return cls.from_row(row) if await _may_see_shop(info, community, shop) else None

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

    @strawberry.field(description="What one credit is worth under this rule, in yuan: a "
                                  "deal's discount divided by its credits; otherwise the "
                                  "community's rate.")
    async def yuan_per_credit(self, info: Info) -> Yuan:
        community = await info.context.loaders.community.load(self._row["community"])
        return str(rules.effective_rate(self._row, fen(shops.settings_of(
            community).yuan_per_credit)))

    @strawberry.field(description="THRESHOLD: the admin confirmed the deal although its "
                                  "credits are worth more than its discount.")
    def below_credit_value(self) -> bool:
        return bool(self._row.get("over_value_confirmed"))


@strawberry.type
class MerchantRatingSummary:
    """How residents rated a shop."""

    count: int
    """How many ratings it has."""
    average: str | None = strawberry.field(description="Average stars with two decimals.")


@strawberry.type
class MerchantStep:
    """One step in a shop's history: who, when, why."""

    action: str
    """What happened: `registered`, `updated`, `staff_added`, `staff_removed`, `suspended`,
    `suspended_by_board`, `reinstated`, `ended` …"""
    note: str
    """The reason or remark given (empty when none)."""
    at: datetime
    """When it happened."""
    _actor: strawberry.Private[int | None]

    @strawberry.field(description="Who took the step (null for the CLI and the sweep).")
    async def actor(self, info: Info) -> Member | None:
        return await member_by_id(info, self._actor)


@strawberry.type
class Merchant(Node):
    """A partner shop that takes time credits. Public, but an ended partnership is seen by
    admins only (`node(id:)` answers null to others)."""

    name: str
    """The shop's name."""
    kind: str
    """What sort of shop (`supermarket`, `barber` …), free-form for filtering."""
    address: str
    """Where it is."""
    contact: str
    """How to reach it (a phone number …)."""
    description: str
    """What the shop offers (empty when none)."""
    latitude: str | None
    """Degrees north as a decimal string (null when not given)."""
    longitude: str | None
    """Degrees east as a decimal string (null when not given)."""
    starts_on: date = strawberry.field(description="The first day of the partnership.")
    status: MerchantStatus
    """Whether it takes credits now."""
    status_reason: str = strawberry.field(description="Why it was suspended or ended.")
    status_changed_at: datetime | None
    """When the status last changed (null: never)."""
    suspended_by_board: bool = strawberry.field(
        description="Suspended by the monthly board (rated below the bar).")
    distance_meters: int | None = strawberry.field(
        description="From the point asked for in `merchants(near:)`, when both are known.")
    _row: strawberry.Private[dict]

    @classmethod
    async def load_node(cls, info: Info, pk: int) -> Merchant | None:
        """For ``node(id:)``: the rule of ``merchant(id:)``."""
        found = await node_in_community(info, MerchantTable, pk, NAME)
        if found is None:
            return None
        community, row = found
        return cls.from_row(row) if await _may_see_shop(info, community, row) else None

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
        """Args:
            upcoming: True: also rules that start later (not withdrawn, not over)."""
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
class MerchantRating(Node):
    """A resident's rating of one redemption: seen with the redemption (the resident, the
    shop's staff, admins)."""

    stars: int
    """1 to 5 stars."""
    smooth: bool = strawberry.field(description="Was the redemption smooth?")
    discount_real: bool = strawberry.field(description="Was the discount real?")
    comment: str
    """The resident's words (empty when none)."""
    created_at: datetime
    """When it was given."""

    @classmethod
    async def load_node(cls, info: Info, pk: int) -> MerchantRating | None:
        """For ``node(id:)``: the rule of its redemption."""
        found = await node_in_community(info, RatingTable, pk, NAME)
        if found is None:
            return None
        community, row = found
        redemption = await RedemptionTable.select().where(
            RedemptionTable.id == row["redemption"]).first()
        if redemption is None:
            return None
        await _redemption_reader(info, community, redemption)
        return cls.from_row(row)

    @classmethod
    def from_row(cls, row: dict) -> MerchantRating:
        """Build from a ``yz_merchant_rating`` row."""
        return cls(id=to_gid("MerchantRating", row["id"]), stars=row["stars"],
                   smooth=row["smooth"], discount_real=row["discount_real"],
                   comment=row["comment"], created_at=row["created_at"])


@strawberry.type
class MerchantRedemption(Node):
    """A receipt: credits spent at a shop and what they gave. Seen by the resident, the shop's
    staff and admins."""

    number: int = strawberry.field(description="The receipt number.")
    created_at: datetime
    """When the credits were spent."""
    category: str
    """The order's product category (`daily` …)."""
    order_amount: Yuan
    """The order's full price."""
    credits: Credits = strawberry.field(description="Credits spent.")
    credit_value: Yuan = strawberry.field(description="The credits' value at the community "
                                                      "rate.")
    discount: Yuan = strawberry.field(description="What the credits took off the order.")
    leader_bonus: Yuan = strawberry.field(description="The building leader's extra discount.")
    to_pay: Yuan = strawberry.field(description="What is left to pay in money.")
    yuan_per_credit: Yuan = strawberry.field(description="The rate used.")
    leader_bonus_percent: str
    """The building leader's extra discount in percent (0 for others)."""
    status: RedemptionStatus
    """Whether it stands or was voided."""
    voided_at: datetime | None
    """When it was voided (null while it stands)."""
    void_reason: str
    """Why it was voided (empty while it stands)."""
    ledger_seq: int | None = strawberry.field(
        description="The ledger transaction's place in the chain (check it with "
                    "`creditProof(seq:)`).")
    void_ledger_seq: int | None
    """The reversal's place in the chain, once voided (null otherwise)."""
    _row: strawberry.Private[dict]

    @classmethod
    async def load_node(cls, info: Info, pk: int) -> MerchantRedemption | None:
        """For ``node(id:)``: the rule of ``merchantRedemption``."""
        found = await node_in_community(info, RedemptionTable, pk, NAME)
        if found is None:
            return None
        community, row = found
        await _redemption_reader(info, community, row)
        return cls.from_row(row)

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
    """When the code stops working if unused."""
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
    """Place on the board, 1 first."""
    average_rating: str | None = strawberry.field(description="Average stars that month.")
    ratings: int
    """Ratings that month."""
    redemptions: int
    """Redemptions that month (voided ones left out)."""
    redemption_value: Yuan
    """What those redemptions were worth at the community rate."""
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
    """The month, `2026-11`."""
    closed: bool = strawberry.field(description="Closed by the monthly sweep (figures "
                                                "frozen); false while the month is open.")
    closed_at: datetime | None
    """When the monthly sweep closed it (null while open)."""
    suspend_below: str
    """The average rating below which a shop is flagged (and proposed for suspension)."""
    min_ratings: int
    """How many residents must have rated a shop before it can be flagged."""
    entries: list[MerchantBoardEntry]
    """The shops, best first."""


@strawberry.type
class MerchantGuarantee:
    """The first month's guaranteed volume as it bears on a statement."""

    status: GuaranteeStatus
    """Where the guarantee stands."""
    target: Yuan
    """The guaranteed volume."""
    period_start: datetime | None
    """When the guarantee period starts (null: no guarantee)."""
    period_end: datetime | None
    """When it ends (null: no guarantee)."""
    achieved: Yuan = strawberry.field(description="Net value redeemed in the period.")
    settles_in: str | None = strawberry.field(description="The month whose statement shows "
                                                          "the top-up.")
    top_up: Yuan = strawberry.field(description="What the community owes the shop on this "
                                                "statement.")


@strawberry.type
class MerchantSettlement:
    """A shop's monthly statement."""

    month: str
    """The month, `2026-11`."""
    redemptions: int
    """Redemptions in the month."""
    credits_redeemed: Credits
    """Credits spent in them."""
    value: Yuan
    """Their value at the community rate."""
    voids: int
    """Redemptions voided in the month."""
    credits_voided: Credits
    """Credits given back by the voids."""
    voided_value: Yuan
    """The voids' value at the community rate."""
    net_credits: Credits
    """Credits redeemed less credits voided."""
    net_value: Yuan
    """Value redeemed less value voided: what the community settles."""
    order_total: Yuan
    """The orders' full prices, in total."""
    discount_given: Yuan
    """What the credits took off the orders."""
    leader_bonus_given: Yuan
    """The building leaders' extra discounts."""
    account_balance: Credits = strawberry.field(description="The settlement account's "
                                                            "balance now.")
    guarantee: MerchantGuarantee
    """The first month's guarantee as it bears on this statement."""
    lines: list[MerchantRedemption]
    """Every redemption of the month, oldest first."""
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
    """The month, `2026-11`."""
    redemptions: int
    """Redemptions that month."""
    credits: Credits
    """Credits spent in them."""
    value: Yuan
    """Their value at the community rate."""
    residents: int = strawberry.field(description="Distinct residents who redeemed.")


@strawberry.type
class CommunityProfile:
    """A community in aggregate figures, to show a shop when pitching a partnership."""

    households: int
    """Households in the community's buildings."""
    buildings: int
    """How many buildings it has."""
    verified_members: int
    """How many verified members it has."""
    active_helpers: int = strawberry.field(description="Members who gave confirmed help in "
                                                       "the last `activeHelperDays` days.")
    active_helper_days: int
    """The window for `activeHelpers`, in days."""
    help_hours: str = strawberry.field(description="Hours of confirmed help, all time.")
    needs_confirmed: int
    """Needs confirmed, all time."""
    active_merchants: int
    """Partner shops taking credits now."""
    redemptions_by_month: list[MonthlyRedemptions]
    """Redemptions at partner shops per month, recent months."""


