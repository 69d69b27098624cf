"""Shared pieces of the merchants GraphQL: the Yuan scalar, enums, per-request loaders and
who-may-see checks."""

from __future__ import annotations

from decimal import Decimal
from enum import Enum
from typing import NewType

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from yizhan.core.api import (
    by_id_loader,
    forbidden,
    is_admin,
    require_admin_of,
)
from yizhan.plugins.merchants import (
    NAME,
    redemptions,
    shops,
)
from yizhan.plugins.merchants.tables import Merchant as MerchantTable
from yizhan.plugins.merchants.tables import MerchantRule as RuleTable

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
    """Takes credits now (within its rules)."""
    SUSPENDED = "suspended"
    """Takes no credits until an admin reinstates it (by an admin, or by the monthly board)."""
    ENDED = "ended"
    """The partnership is over for good; seen by admins only."""


@strawberry.enum
class MerchantRuleKind(Enum):
    """What a rule decides."""

    CAP = "cap"
    """The most credits one order may spend."""
    THRESHOLD = "threshold"
    """A deal: an order of at least `minOrder` gets `discount` off for `credits`."""
    CATEGORY = "category"
    """Whether credits are accepted for a product category."""


@strawberry.enum
class RedemptionStatus(Enum):
    """Whether a redemption stands."""

    COMPLETED = "completed"
    """The credits were spent and stand."""
    VOIDED = "voided"
    """Undone the same day by the shop's staff or an admin; the credits went back."""


@strawberry.enum
class GuaranteeStatus(Enum):
    """Where a shop's first-month guarantee stands for a statement."""

    NONE = "none"
    """The shop has no first-month guarantee."""
    RUNNING = "running"
    """The guarantee period has not ended yet."""
    MET = "met"
    """The shop reached the guaranteed volume: nothing is owed."""
    SHORTFALL = "shortfall"
    """The shop fell short: the community owes it the difference (`topUp`)."""


# --- loaders ---------------------------------------------------------------------------------


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
        self.merchant = by_id_loader(MerchantTable)
        self.rule = by_id_loader(RuleTable)
        self.rules = DataLoader(_rules_of)
        self.rating = DataLoader(_ratings_of)
        self.summary = DataLoader(_summaries)
        self.shops_of = DataLoader(_shops_of)


def _loaders(info: Info) -> _Loaders:
    """This request's merchants loaders (kept with core's, dropped with the request)."""
    return info.context.loaders.of_plugin(NAME, _Loaders)




async def _community_of(info: Info, community_id: int) -> dict:
    community = await info.context.loaders.community.load(community_id)
    info.context.require_plugin(community, NAME)
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
    if is_admin(member):
        return True
    return member.get("id") is not None and shop["id"] in await _loaders(info).shops_of.load(
        member["id"])


async def _staff_or_admin(info: Info, community: dict, merchant_id: int) -> dict:
    """The caller, if staff of the shop or an admin; FORBIDDEN otherwise."""
    member = await info.context.require_verified(community)
    if is_admin(member) or await shops.is_staff(merchant_id, member.get("id")):
        return member
    raise forbidden("Only staff of this shop or an admin can see this.")


async def _admin(info: Info, community: dict) -> dict:
    return await require_admin_of(info, community)


async def _may_see_shop(info: Info, community: dict, shop: dict) -> bool:
    """The rule of ``merchant(id:)``: every shop is public but an ended one (admins)."""
    return shop["status"] != shops.ENDED or is_admin(await _viewer(info, community))


async def _redemption_reader(info: Info, community: dict, redemption: dict) -> dict:
    """The rule of ``merchantRedemption``: the resident who spent the credits, the shop's staff
    and admins, all verified (NOT_VERIFIED / FORBIDDEN otherwise)."""
    member = await info.context.require_verified(community)
    if member.get("id") != redemption["member"]:
        await _staff_or_admin(info, community, redemption["merchant"])
    return member


