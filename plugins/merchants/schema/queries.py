"""The merchants plugin's root query fields: thin, they check who may see and call the service."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import strawberry
from strawberry.types import Info

from yizhan.core.api import (
    Connection,
    build_connection,
    from_cursor,
    not_found,
    page_size,
    pk_of,
)
from yizhan.core.api import format_centi as credits
from yizhan.plugins.merchants import (
    NAME,
    board,
    profile,
    redemptions,
    settlement,
    shops,
)
from yizhan.plugins.merchants.money import format_fen
from yizhan.plugins.merchants.schema.common import (
    MerchantStatus,
    _admin,
    _community_of,
    _may_see_shop,
    _redemption_reader,
    _staff_or_admin,
)
from yizhan.plugins.merchants.schema.types import (
    CommunityProfile,
    Merchant,
    MerchantBoard,
    MerchantBoardEntry,
    MerchantRedemption,
    MerchantSettlement,
    MonthlyRedemptions,
    _settlement,
)

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


@strawberry.input
class GeoPoint:
    """A point in degrees, as decimal strings (e.g. from the phone's location)."""

    latitude: str
    """Degrees north, a decimal string (`31.2304`)."""
    longitude: str
    """Degrees east, a decimal string (`121.4737`)."""


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
        """Args:
            kind: Only shops of this kind (`supermarket` …).
            status: Only shops in this state (ENDED: admins only).
            near: Nearest first from this point (shops without a location last)."""
        row = await info.context.plugin_community(community, NAME)
        size = page_size(first)
        if status is MerchantStatus.ENDED:
            await _admin(info, row)
        statuses = [status.value] if status else [shops.ACTIVE, shops.SUSPENDED]
        rows, distances = await shops.merchants_page(
            row, statuses=statuses, kind=kind,
            near=(near.latitude, near.longitude) if near is not None else None,
            after=from_cursor(after) or 0, limit=size + 1)
        return build_connection(rows, size, lambda r: Merchant.from_row(
            r, distances.get(r["id"])), key="_pos")

    @strawberry.field(description="One partner shop (public; an ended one for admins).")
    async def merchant(self, info: Info, id: strawberry.ID) -> Merchant:
        """Args:
            id: The shop's global id."""
        community, row = await _find_shop(info, id, "id")
        if not await _may_see_shop(info, community, row):
            raise not_found("merchant", "id")
        return Merchant.from_row(row)

    @strawberry.field(description="The shops I am staff of.")
    async def my_merchants(self, info: Info, community: str) -> list[Merchant]:
        row = await info.context.plugin_community(community, NAME)
        member = await info.context.require_verified(row)
        if member.get("id") is None:
            return []
        return [Merchant.from_row(r) for r in await shops.shops_of_member(row, member["id"])]

    @strawberry.field(description="My redemptions, newest first.")
    async def my_redemptions(self, info: Info, community: str, first: int | None = None,
                             after: str | None = None) -> Connection[MerchantRedemption]:
        row = await info.context.plugin_community(community, NAME)
        member = await info.context.require_verified(row)
        size = page_size(first)
        if member.get("id") is None:
            return build_connection([], size, MerchantRedemption.from_row)
        found = await redemptions.of_member(row, member["id"], before_id=from_cursor(after),
                                            limit=size + 1)
        return build_connection(found, size, MerchantRedemption.from_row)

    @strawberry.field(description="A shop's redemptions of one local day, newest first "
                                  "(today by default; its staff and admins).")
    async def merchant_redemptions(self, info: Info, merchant_id: strawberry.ID,
                                   day: date | None = None, first: int | None = None,
                                   after: str | None = None) -> Connection[MerchantRedemption]:
        """Args:
            merchant_id: The shop.
            day: The community local day (left out: today)."""
        community, shop = await _find_shop(info, merchant_id)
        await _staff_or_admin(info, community, shop["id"])
        size = page_size(first)
        day = day or shops.local_date(community)
        start = shops.day_start(community, day)
        end = shops.day_start(community, day + timedelta(days=1))
        found = await redemptions.of_merchant(community, shop["id"], start, end,
                                              before_id=from_cursor(after), limit=size + 1)
        return build_connection(found, size, MerchantRedemption.from_row)

    @strawberry.field(description="One redemption (the resident, the shop's staff, admins).")
    async def merchant_redemption(self, info: Info, id: strawberry.ID) -> MerchantRedemption:
        """Args:
            id: The redemption's global id."""
        community, row = await _find_redemption(info, id, "id")
        await _redemption_reader(info, community, row)
        return MerchantRedemption.from_row(row)

    @strawberry.field(description="A month's board of partner shops (public; the current "
                                  "month by default, `2026-11`).")
    async def merchant_board(self, info: Info, community: str, month: str | None = None
                             ) -> MerchantBoard:
        """Args:
            month: The month, `2026-11` (left out: the current one)."""
        row = await info.context.plugin_community(community, NAME)
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
        """Args:
            merchant_id: The shop.
            month: The month, `2026-11` (left out: the current one)."""
        community, shop = await _find_shop(info, merchant_id)
        await _staff_or_admin(info, community, shop["id"])
        return _settlement(community, await settlement.statement(community, shop["id"], month))

    @strawberry.field(description="The community in aggregate figures, for pitching shops "
                                  "(admins).")
    async def community_profile(self, info: Info, community: str) -> CommunityProfile:
        row = await info.context.plugin_community(community, NAME)
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


