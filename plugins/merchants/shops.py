"""Partner shops: registering them, their staff, and the state of the partnership.

::

    register ──▶ active ──suspend (reason)──▶ suspended ──reinstate──▶ active
                   └──────────end (reason)──────────┴──▶ ended (final)

A shop is suspended by an admin or by the monthly board's sweep; only an admin (or the CLI)
reinstates it. Every step is kept in ``yz_merchant_event`` with who, when and why. Staff are
members who take redemptions for one shop — that is the whole of their role.

``actor`` is the acting member row; None means the CLI (the platform operator).
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from yizhan.core.api import (
    YizhanError,
    atomic,
    get_member,
    invalid,
    lock_row,
    not_found,
    notify,
    plugin_settings,
    require_admin,
    validate_slug,
    validate_text,
)
from yizhan.core.api import now as _now
from yizhan.plugins.credits import service as credits
from yizhan.plugins.merchants import NAME
from yizhan.plugins.merchants.money import yuan_to_fen
from yizhan.plugins.merchants.tables import Merchant, MerchantEvent, MerchantStaff

ACTIVE, SUSPENDED, ENDED = "active", "suspended", "ended"
STATUSES = (ACTIVE, SUSPENDED, ENDED)
MAX_GUARANTEE_FEN = 100_000_000
#: How far from today a partnership's first day may be.
START_RANGE_DAYS = 366


def settings_of(community: dict) -> Any:
    """The community's merchants settings."""
    return plugin_settings(community["id"], NAME)


def local_date(community: dict, when: datetime | None = None) -> date:
    """The community's local date at ``when`` (now by default)."""
    return (when or _now()).astimezone(ZoneInfo(community["time_zone"])).date()


def day_start(community: dict, day: date) -> datetime:
    """The first moment of a local ``day``, as an aware datetime."""
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(community["time_zone"]))


def _actor_id(actor: dict | None) -> int | None:
    return actor["id"] if actor else None


def _require_admin(actor: dict | None) -> None:
    if actor is not None:
        require_admin(actor)


async def event(community_id: int, merchant_id: int, action: str, actor: dict | None,
                note: str = "") -> None:
    """Record a step in a shop's history."""
    await MerchantEvent.insert(MerchantEvent(
        community=community_id, merchant=merchant_id, action=action,
        actor=_actor_id(actor), note=note, at=_now()))


async def history(community: dict, merchant_id: int) -> list[dict]:
    """A shop's steps, oldest first."""
    return await MerchantEvent.select().where(
        (MerchantEvent.community == community["id"])
        & (MerchantEvent.merchant == merchant_id)).order_by(MerchantEvent.id)


async def get(community: dict, merchant_id: int, field: str = "merchantId") -> dict:
    """A shop of ``community`` by id, or NOT_FOUND (never another community's)."""
    row = await Merchant.select().where(
        (Merchant.id == merchant_id) & (Merchant.community == community["id"])).first()
    if row is None:
        raise not_found("merchant", field)
    return row


async def lock(merchant_id: int) -> None:
    """Lock a shop's row until the transaction ends (PostgreSQL; SQLite writes queue)."""
    await lock_row("yz_merchant", merchant_id)


async def list_merchants(community: dict, *, statuses: list[str] | None = None,
                         kind: str | None = None, offset: int = 0,
                         limit: int | None = None) -> list[dict]:
    """The community's shops (optionally of some states and one kind), by name then id (with
    ``limit``: at most that many after the first ``offset``, in SQL)."""
    for status in statuses or []:
        if status not in STATUSES:
            raise invalid("status", "Unknown status {status}.", code="INVALID_STATUS",
                          status=status)
    query = Merchant.select().where(Merchant.community == community["id"])
    if statuses:
        query = query.where(Merchant.status.is_in(list(statuses)))
    if kind:
        query = query.where(Merchant.kind == validate_slug(kind, "kind"))
    query = query.order_by(Merchant.name).order_by(Merchant.id)
    if limit is not None:
        query = query.offset(offset).limit(limit)
    return await query


async def merchants_page(community: dict, *, statuses: list[str], kind: str | None,
                         near: tuple[Any, Any] | None, after: int, limit: int,
                         ) -> tuple[list[dict], dict[int, int]]:
    """One page of the community's shops: by name, or nearest first from ``near`` (latitude,
    longitude as decimal strings; shops without a location last). Rows after keyset position
    ``after`` (0: from the start), at most ``limit``, each with its position ``_pos``; and the
    distance in metres of each located shop by id. By name, only the page is read."""
    if near is None:
        page = await list_merchants(community, statuses=statuses, kind=kind, offset=after,
                                    limit=limit)
        return [{**row, "_pos": index} for index, row in enumerate(page, start=after + 1)], {}
    found = await list_merchants(community, statuses=statuses, kind=kind)
    distances: dict[int, int] = {}
    if near is not None:
        lat, lon = location(*near)
        for shop in found:
            if shop["latitude_e6"] is not None:
                distances[shop["id"]] = distance_m(
                    lat, lon, shop["latitude_e6"], shop["longitude_e6"])
        found.sort(key=lambda s: (s["id"] not in distances, distances.get(s["id"], 0),
                                  s["name"], s["id"]))
    rows = [{**row, "_pos": index} for index, row in enumerate(found, start=1) if index > after]
    return rows[:limit], distances


def _coordinate(value: Any, field: str, limit: int) -> int:
    try:
        amount = Decimal(str(value).strip())
        if not amount.is_finite() or isinstance(value, float):
            raise InvalidOperation
        micro = amount * 1_000_000
        if micro != micro.to_integral_value():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        raise invalid(field, "Give a location in degrees with at most six decimals, as a "
                             "string.", code="INVALID_LOCATION") from None
    if abs(micro) > limit * 1_000_000:
        raise invalid(field, "Give a location in degrees with at most six decimals, as a "
                             "string.", code="INVALID_LOCATION")
    return int(micro)


def location(latitude: Any, longitude: Any) -> tuple[int | None, int | None]:
    """Parse a latitude/longitude pair (decimal strings) into millionths of a degree; both or
    neither (INVALID_LOCATION)."""
    if latitude is None and longitude is None:
        return None, None
    if latitude is None or longitude is None:
        raise invalid("latitude" if latitude is None else "longitude",
                      "Give both latitude and longitude, or neither.", code="INVALID_LOCATION")
    return _coordinate(latitude, "latitude", 90), _coordinate(longitude, "longitude", 180)


def _start(community: dict, starts_on: date | None) -> date:
    today = local_date(community)
    if starts_on is None:
        return today
    if abs((starts_on - today).days) > START_RANGE_DAYS:
        raise invalid("startsOn", "The partnership must start within a year of today.",
                      code="OUT_OF_RANGE")
    return starts_on


async def _name_free(community: dict, name: str, merchant_id: int | None = None) -> None:
    query = Merchant.exists().where(
        (Merchant.community == community["id"]) & (Merchant.name == name)
        & (Merchant.status != ENDED))
    if merchant_id is not None:
        query = query.where(Merchant.id != merchant_id)
    if await query:
        raise YizhanError("NAME_TAKEN", "A partner shop with this name already exists.",
                          field="name")


async def register(community: dict, actor: dict | None, *, name: str, kind: str,
                   address: str, contact: str, starts_on: date | None = None,
                   description: str = "", latitude: Any = None, longitude: Any = None,
                   guarantee: Any = None) -> dict:
    """Register a partner shop (admins). Opens its settlement account in the credits ledger.

    ``guarantee`` (yuan, a decimal string) overrides the community's ``guarantee_yuan`` for
    this shop; 0 means no guarantee.
    """
    _require_admin(actor)
    name = validate_text(name, "name", max_length=80)
    kind = validate_slug(kind, "kind")
    address = validate_text(address, "address", max_length=200)
    contact = validate_text(contact, "contact", max_length=100)
    description = validate_text(description, "description", max_length=1000, required=False)
    lat, lon = location(latitude, longitude)
    start = _start(community, starts_on)
    settings = settings_of(community)
    guarantee_fen = (int(settings.guarantee_yuan * 100) if guarantee is None
                     else yuan_to_fen(guarantee, "guarantee", maximum=MAX_GUARANTEE_FEN))
    now = _now()
    async with atomic():
        await _name_free(community, name)
        row = (await Merchant.insert(Merchant(
            community=community["id"], name=name, kind=kind, address=address, contact=contact,
            description=description, latitude_e6=lat, longitude_e6=lon, starts_on=start,
            status=ACTIVE, status_at=now, guarantee_fen=guarantee_fen,
            created_by=_actor_id(actor), created_at=now, updated_at=now,
        )).returning(*Merchant.all_columns()))[0]
        code = f"merchants.shop_{row['id']}"
        await credits.open_system_account(community, code, owner=NAME, name=name)
        await Merchant.update({Merchant.account_code: code}).where(Merchant.id == row["id"])
        await event(community["id"], row["id"], "registered", actor)
        return await get(community, row["id"])


async def update(community: dict, actor: dict | None, merchant_id: int, *,
                 name: str | None = None, kind: str | None = None, address: str | None = None,
                 contact: str | None = None, description: str | None = None,
                 latitude: Any = None, longitude: Any = None,
                 clear_location: bool = False) -> dict:
    """Change a shop's details (admins); what is None stays."""
    _require_admin(actor)
    values: dict[Any, Any] = {}
    if name is not None:
        values[Merchant.name] = validate_text(name, "name", max_length=80)
    if kind is not None:
        values[Merchant.kind] = validate_slug(kind, "kind")
    if address is not None:
        values[Merchant.address] = validate_text(address, "address", max_length=200)
    if contact is not None:
        values[Merchant.contact] = validate_text(contact, "contact", max_length=100)
    if description is not None:
        values[Merchant.description] = validate_text(description, "description", max_length=1000,
                                               required=False)
    if clear_location:
        values[Merchant.latitude_e6] = None
        values[Merchant.longitude_e6] = None
    elif latitude is not None or longitude is not None:
        values[Merchant.latitude_e6], values[Merchant.longitude_e6] = location(latitude,
                                                                               longitude)
    async with atomic():
        row = await get(community, merchant_id)
        if row["status"] == ENDED:
            raise YizhanError("MERCHANT_ENDED", "The partnership with {name} has ended.",
                              field="merchantId", name=row["name"])
        if not values:
            return row
        if Merchant.name in values:
            await _name_free(community, values[Merchant.name], merchant_id)
        values[Merchant.updated_at] = _now()
        await Merchant.update(values).where(Merchant.id == merchant_id)
        await event(community["id"], merchant_id, "updated", actor,
                    ", ".join(sorted(c._meta.name for c in values if c is not Merchant.updated_at)))
        return await get(community, merchant_id)


# --- staff -------------------------------------------------------------------------------


async def staff_rows(merchant_id: int) -> list[dict]:
    """The shop's current staff rows, by when they were added."""
    return await MerchantStaff.select().where(
        (MerchantStaff.merchant == merchant_id) & MerchantStaff.removed_at.is_null()
    ).order_by(MerchantStaff.id)


async def is_staff(merchant_id: int, member_id: int | None) -> bool:
    """True when ``member_id`` currently works for the shop."""
    if member_id is None:
        return False
    return await MerchantStaff.exists().where(
        (MerchantStaff.merchant == merchant_id) & (MerchantStaff.member == member_id)
        & MerchantStaff.removed_at.is_null())


async def staffed_by(member_ids: list[int]) -> dict[int, set[int]]:
    """For each member, the shops they currently work for (ids)."""
    if not member_ids:
        return {}
    rows = await MerchantStaff.select(MerchantStaff.member, MerchantStaff.merchant).where(
        MerchantStaff.member.is_in(list(member_ids)) & MerchantStaff.removed_at.is_null())
    out: dict[int, set[int]] = {}
    for row in rows:
        out.setdefault(row["member"], set()).add(row["merchant"])
    return out


async def shops_of_member(community: dict, member_id: int) -> list[dict]:
    """The shops a member currently works for (not ended)."""
    ids = [r["merchant"] for r in await MerchantStaff.select(MerchantStaff.merchant).where(
        (MerchantStaff.community == community["id"]) & (MerchantStaff.member == member_id)
        & MerchantStaff.removed_at.is_null())]
    if not ids:
        return []
    return await Merchant.select().where(
        Merchant.id.is_in(ids) & (Merchant.status != ENDED)).order_by(Merchant.name)


async def add_staff(community: dict, actor: dict | None, merchant_id: int,
                    member_id: int) -> dict:
    """Make a verified member staff of the shop (admins); they are told."""
    _require_admin(actor)
    async with atomic():
        shop = await get(community, merchant_id)
        if shop["status"] == ENDED:
            raise YizhanError("MERCHANT_ENDED", "The partnership with {name} has ended.",
                              field="merchantId", name=shop["name"])
        member = await get_member(community, member_id, "memberId")
        if member["status"] != "verified":
            raise invalid("memberId", "Only verified members can be staff of a shop.",
                          code="NOT_VERIFIED")
        await lock(merchant_id)
        if await is_staff(merchant_id, member_id):
            raise YizhanError("ALREADY_STAFF", "This member is already staff of {name}.",
                              field="memberId", name=shop["name"])
        row = (await MerchantStaff.insert(MerchantStaff(
            community=community["id"], merchant=merchant_id, member=member_id,
            added_by=_actor_id(actor), added_at=_now(),
        )).returning(*MerchantStaff.all_columns()))[0]
        await event(community["id"], merchant_id, "staff_added", actor, f"member {member_id}")
        await notify(community["id"], member_id, "merchants.staff_added", "Shop staff",
                     "You can now take credit redemptions for {name}.", name=shop["name"])
        return row


async def remove_staff(community: dict, actor: dict | None, merchant_id: int,
                       member_id: int) -> dict:
    """Stop a member being staff of the shop (admins)."""
    _require_admin(actor)
    async with atomic():
        shop = await get(community, merchant_id)
        removed = await MerchantStaff.update({
            MerchantStaff.removed_at: _now(), MerchantStaff.removed_by: _actor_id(actor),
        }).where((MerchantStaff.merchant == merchant_id) & (MerchantStaff.member == member_id)
                 & MerchantStaff.removed_at.is_null()).returning(*MerchantStaff.all_columns())
        if not removed:
            raise YizhanError("NOT_STAFF", "This member is not staff of {name}.",
                              field="memberId", name=shop["name"])
        await event(community["id"], merchant_id, "staff_removed", actor, f"member {member_id}")
        return removed[0]


# --- states ------------------------------------------------------------------------------


async def _change(community: dict, actor: dict | None, merchant_id: int, frm: tuple[str, ...],
                  to: str, reason: str, *, by_board: bool = False) -> dict | None:
    """Move the shop from one of ``frm`` to ``to``; None when it was not in ``frm``."""
    changed = await Merchant.update({
        Merchant.status: to, Merchant.status_reason: reason,
        Merchant.status_by: _actor_id(actor), Merchant.status_at: _now(),
        Merchant.status_by_board: by_board, Merchant.updated_at: _now(),
    }).where((Merchant.id == merchant_id) & (Merchant.community == community["id"])
             & Merchant.status.is_in(list(frm))).returning(Merchant.id)
    return await get(community, merchant_id) if changed else None


def _state_refusal(shop: dict, wanted: str) -> YizhanError:
    if shop["status"] == ENDED:
        return YizhanError("MERCHANT_ENDED", "The partnership with {name} has ended.",
                           field="merchantId", name=shop["name"])
    if wanted == SUSPENDED:
        return YizhanError("ALREADY_SUSPENDED", "{name} is already suspended.",
                           field="merchantId", name=shop["name"])
    return YizhanError("NOT_SUSPENDED", "{name} is not suspended.", field="merchantId",
                       name=shop["name"])


async def suspend(community: dict, actor: dict | None, merchant_id: int, reason: str, *,
                  by_board: bool = False) -> dict:
    """Suspend an active shop with a reason (admins, or the monthly sweep): it refuses
    redemptions until reinstated. Its staff are told."""
    _require_admin(actor)
    reason = validate_text(reason, "reason", max_length=500)
    async with atomic():
        shop = await get(community, merchant_id)
        changed = await _change(community, actor, merchant_id, (ACTIVE,), SUSPENDED, reason,
                                by_board=by_board)
        if changed is None:
            raise _state_refusal(shop, SUSPENDED)
        await event(community["id"], merchant_id, "suspended_by_board" if by_board
                    else "suspended", actor, reason)
        for row in await staff_rows(merchant_id):
            await notify(community["id"], row["member"], "merchants.suspended",
                         "Shop suspended", "{name} is suspended and cannot take credits: "
                         "{reason}", name=shop["name"], reason=reason)
        return changed


async def reinstate(community: dict, actor: dict | None, merchant_id: int,
                    note: str = "") -> dict:
    """Reinstate a suspended shop (admins): it takes credits again. Its staff are told."""
    _require_admin(actor)
    note = validate_text(note, "note", max_length=500, required=False)
    async with atomic():
        shop = await get(community, merchant_id)
        changed = await _change(community, actor, merchant_id, (SUSPENDED,), ACTIVE, note)
        if changed is None:
            raise _state_refusal(shop, ACTIVE)
        await event(community["id"], merchant_id, "reinstated", actor, note)
        for row in await staff_rows(merchant_id):
            await notify(community["id"], row["member"], "merchants.reinstated",
                         "Shop reinstated", "{name} takes credits again.", name=shop["name"])
        return changed


async def end(community: dict, actor: dict | None, merchant_id: int, reason: str) -> dict:
    """End the partnership (admins). Final: the shop's history, statements and ledger account
    stay; it takes no more credits."""
    _require_admin(actor)
    reason = validate_text(reason, "reason", max_length=500)
    async with atomic():
        shop = await get(community, merchant_id)
        changed = await _change(community, actor, merchant_id, (ACTIVE, SUSPENDED), ENDED,
                                reason)
        if changed is None:
            raise _state_refusal(shop, ENDED)
        await event(community["id"], merchant_id, "ended", actor, reason)
        return changed


def check_open(community: dict, shop: dict, now: datetime | None = None) -> None:
    """Refuse a redemption at a shop that is suspended, ended or not started yet."""
    if shop["status"] == SUSPENDED:
        raise YizhanError("MERCHANT_SUSPENDED",
                          "{name} is suspended and cannot take credits right now.",
                          field="merchantId", name=shop["name"])
    if shop["status"] == ENDED:
        raise YizhanError("MERCHANT_ENDED", "The partnership with {name} has ended.",
                          field="merchantId", name=shop["name"])
    if shop["starts_on"] > local_date(community, now):
        raise YizhanError("MERCHANT_NOT_STARTED",
                          "{name} takes credits from {date}.", field="merchantId",
                          name=shop["name"], date=shop["starts_on"].isoformat())


def guarantee_period(community: dict, shop: dict) -> tuple[datetime, datetime]:
    """The first month of a partnership, in UTC: from local midnight of its first day to local
    midnight of the same day of the next month; when the next month has no such day (31
    January), through its last day."""
    start = shop["starts_on"]
    year, month = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
    day = start.day
    while True:
        try:
            end = date(year, month, day)
            break
        except ValueError:
            day -= 1
    if end.day != start.day:  # 31 January -> the period ends after 28/29 February
        end = end + timedelta(days=1)
    return (day_start(community, start).astimezone(UTC),
            day_start(community, end).astimezone(UTC))


async def find(merchant_id: int) -> dict | None:
    """A shop by id in any community (the GraphQL layer checks the community's switch)."""
    return await Merchant.select().where(Merchant.id == merchant_id).first()


def distance_m(a_lat: int, a_lon: int, b_lat: int, b_lon: int) -> int:
    """Metres between two points given in millionths of a degree (great-circle distance; for
    sorting and display only, never stored)."""
    lat1, lon1, lat2, lon2 = (math.radians(x / 1_000_000) for x in (a_lat, a_lon, b_lat, b_lon))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return round(2 * 6_371_000 * math.asin(math.sqrt(min(1.0, h))))
