"""Communities and their buildings."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from yizhan.core import audit, clock, db
from yizhan.core.errors import YizhanError, invalid, not_found
from yizhan.core.events import EventContext, emit
from yizhan.core.i18n import normalize
from yizhan.core.services import validation as v
from yizhan.core.tables import Building, Community, PluginState


async def create_community(slug: str, name: str, time_zone: str = "Asia/Shanghai",
                           locale: str = "zh_Hans") -> dict:
    """Create a community; refuses a taken slug or an unknown time zone."""
    slug = v.slug(slug)
    name = v.text(name, "name", max_length=100)
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise invalid("timeZone", "Unknown time zone {tz}.", code="INVALID_TIME_ZONE",
                        tz=time_zone) from None
    async with db.atomic():
        if await Community.exists().where(Community.slug == slug):
            raise YizhanError("SLUG_TAKEN", "A community with this slug already exists.",
                              field="slug")
        row = (await Community.insert(
            Community(slug=slug, name=name, time_zone=time_zone, locale=normalize(locale),
                      created_at=clock.now())
        ).returning(*Community.all_columns()))[0]
        # Nothing is switched on in a new community yet: every installed plugin hears this.
        await emit(EventContext(community=row), "yizhan_community_created", all_installed=True,
                   community=row)
    return row


#: Communities by slug. Rows never change after creation, so every process may keep them.
_by_slug: dict[str, dict] = {}


def forget_cached() -> None:
    """Drop the cache (tests that empty the database call this)."""
    _by_slug.clear()


async def get_community(slug: str, field: str = "community") -> dict:
    """The community with ``slug``, or NOT_FOUND."""
    key = (v.searchable(slug) or "").lower()
    row = _by_slug.get(key)
    if not key:
        raise not_found("community", field)
    if row is None:
        row = await Community.select().where(Community.slug == key).first()
        if row is None:
            raise not_found("community", field)
        _by_slug[key] = row
    return dict(row)


async def get_community_by_id(community_id: int) -> dict:
    """The community with ``community_id``, or NOT_FOUND."""
    row = await Community.select().where(Community.id == community_id).first()
    if row is None:
        raise not_found("community")
    return row


async def list_communities() -> list[dict]:
    """All communities, by slug."""
    return await Community.select().order_by(Community.slug)


async def communities_with_plugin(plugin: str) -> list[dict]:
    """Every community where ``plugin`` is on (every community for ``core``), by id.

    The one way for a plugin's sweep to visit "each community where I am on"."""
    query = Community.select().order_by(Community.id)
    if plugin != "core":
        on = PluginState.select(PluginState.community).where(
            (PluginState.plugin == plugin) & (PluginState.enabled == True))  # noqa: E712
        query = query.where(Community.id.is_in([r["community"] for r in await on] or [-1]))
    return await query


async def create_building(community: dict, name: str, households: int = 0,
                          actor: dict | None = None) -> dict:
    """Add a building (``actor``: the admin, None for the CLI); names are unique within the
    community."""
    name = v.text(name, "name", max_length=60)
    if households < 0 or households > 100_000:
        raise invalid("households", "Households must be between 0 and 100000.",
                        code="OUT_OF_RANGE")
    async with db.atomic():
        if await Building.exists().where(
            (Building.community == community["id"]) & (Building.name == name)
        ):
            raise YizhanError("NAME_TAKEN", "A building with this name already exists.",
                              field="name")
        row = (await Building.insert(
            Building(community=community["id"], name=name, households=households,
                     created_at=clock.now())
        ).returning(*Building.all_columns()))[0]
        await audit.record(EventContext(community=community, actor=actor), "building.created",
                           "Building", row["id"], {"name": name, "households": households})
        return row


async def get_building(community: dict, building_id: int | None = None, *,
                       name: str | None = None, field: str = "building") -> dict:
    """A building of ``community`` by id or name, or NOT_FOUND (never another community's)."""
    query = Building.select().where(Building.community == community["id"])
    if building_id is not None:
        query = query.where(Building.id == building_id)
    elif v.searchable(name):
        query = query.where(Building.name == v.searchable(name))
    else:
        raise not_found("building", field)
    row = await query.first()
    if row is None:
        raise not_found("building", field)
    return row


async def building_names(community: dict, ids) -> dict[int, str]:
    """{id: name} of the community's buildings among ``ids`` (None and other communities'
    left out): a page's buildings without loading every building of a big community."""
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    rows = await Building.select(Building.id, Building.name).where(
        (Building.community == community["id"]) & Building.id.is_in(wanted))
    return {r["id"]: r["name"] for r in rows}


async def list_buildings(community: dict) -> list[dict]:
    """The community's buildings, by name."""
    return await Building.select().where(Building.community == community["id"]).order_by(
        Building.name
    )
