"""Badge definitions: create and change badges (admins), one expert certification per
category and one mutual-aid star per community, and the default badges of a new community."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from yizhan.core.api import (
    atomic,
    invalid,
    not_found,
    require_admin,
    translate,
    validate_slug,
    validate_text,
)
from yizhan.core.api import now as _now
from yizhan.plugins.badges.common import (
    DEFAULT_EXPERTS,
    EXPERT_CRITERIA,
    KINDS,
    MAX_LINK_LENGTH,
    STAR_CRITERIA,
    STAR_DESCRIPTION,
    STAR_NAME,
    STAR_SLUG,
    _event,
    _settings,
)
from yizhan.plugins.badges.tables import (
    BadgeDefinition,
)


def _url(value: str | None, field: str) -> str:
    cleaned = validate_text(value, field, max_length=MAX_LINK_LENGTH, required=False)
    if not cleaned:
        return ""
    parsed = urlparse(cleaned)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or " " in cleaned:
        raise invalid(field, "Not a web address: it must start with http:// or https://.",
                      code="INVALID_URL")
    return cleaned


async def get_definition(community: dict, definition_id: int | None = None, *,
                         slug: str | None = None, field: str = "badgeId") -> dict:
    """A badge of ``community`` by id or slug, or NOT_FOUND."""
    query = BadgeDefinition.select().where(BadgeDefinition.community == community["id"])
    if definition_id is not None:
        query = query.where(BadgeDefinition.id == definition_id)
    else:
        query = query.where(BadgeDefinition.slug == (slug or "").strip().lower())
    row = await query.first()
    if row is None:
        raise not_found("badge", field)
    return row


async def list_definitions(community: dict, kind: str | None = None,
                           include_retired: bool = False) -> list[dict]:
    """The community's badges: experts by category, then the star, then custom ones."""
    query = BadgeDefinition.select().where(BadgeDefinition.community == community["id"])
    if kind:
        if kind not in KINDS:
            raise invalid("kind", "Unknown badge kind {kind}.", code="INVALID_KIND", kind=kind)
        query = query.where(BadgeDefinition.kind == kind)
    if not include_retired:
        query = query.where(BadgeDefinition.active == True)  # noqa: E712
    rows = await query.order_by(BadgeDefinition.id)
    order = {k: i for i, k in enumerate(KINDS)}
    return sorted(rows, key=lambda r: (order[r["kind"]], r["category"], r["slug"]))


async def define(community: dict, actor: dict | None, *, slug: str, kind: str | None = None,
                 name: str | None = None, category: str | None = None,
                 description: str | None = None, criteria: str | None = None,
                 image_url: str | None = None, validity_days: int | None = None,
                 active: bool | None = None) -> dict:
    """Create a badge or change one (found by ``slug``); admins only (``actor`` None: CLI).

    One expert certification per category and one mutual-aid star per community. A badge's
    kind never changes; retire a badge with ``active=False`` (awards keep their history).
    """
    if actor is not None:
        require_admin(actor)
    slug = validate_slug(slug, "slug")
    async with atomic():
        existing = await BadgeDefinition.select().where(
            (BadgeDefinition.community == community["id"]) & (BadgeDefinition.slug == slug)
        ).first()
        kind = _kind(existing, kind)
        values = _texts(existing, name=name, description=description, criteria=criteria,
                        image_url=image_url)
        values.update(_validity(community, existing, kind, validity_days))
        if active is not None:
            values[BadgeDefinition.active] = bool(active)
        if category is not None or existing is None:
            values[BadgeDefinition.category] = _category(kind, category)
        await _check_unique(community, kind, values, existing)
        if existing is None:
            return await _create(community, actor, slug, kind, values)
        return await _update(community, actor, existing, values)


def _kind(existing: dict | None, kind: str | None) -> str:
    """The badge's kind: the one asked for a new badge, the stored one (unchanged) otherwise."""
    if existing is None and kind is None:
        raise invalid("kind", "Say which kind of badge this is: expert, star or custom.",
                      code="REQUIRED")
    if kind is not None and kind not in KINDS:
        raise invalid("kind", "Unknown badge kind {kind}.", code="INVALID_KIND", kind=kind)
    if existing is not None and kind is not None and kind != existing["kind"]:
        raise invalid("kind", "A badge's kind cannot change; define a new badge instead.",
                      code="KIND_FIXED")
    return existing["kind"] if existing else kind


def _texts(existing: dict | None, *, name: str | None, description: str | None,
           criteria: str | None, image_url: str | None) -> dict[Any, Any]:
    """The validated name, description, criteria and image given (a new badge needs a name)."""
    values: dict[Any, Any] = {}
    if name is not None or existing is None:
        values[BadgeDefinition.name] = validate_text(name, "name", max_length=80)
    if description is not None:
        values[BadgeDefinition.description] = validate_text(description, "description",
                                                            max_length=1000, required=False)
    if criteria is not None:
        values[BadgeDefinition.criteria] = validate_text(criteria, "criteria", max_length=2000,
                                                         required=False)
    if image_url is not None:
        values[BadgeDefinition.image_url] = _url(image_url, "imageUrl")
    return values


def _validity(community: dict, existing: dict | None, kind: str,
              validity_days: int | None) -> dict[Any, Any]:
    """Days an award stays valid: as given (0 is forever), else the default for a new badge."""
    if validity_days is not None:
        if not isinstance(validity_days, int) or not 0 <= validity_days <= 3650:
            raise invalid("validityDays", "Validity must be 0 (forever) to 3650 days.",
                          code="OUT_OF_RANGE")
        return {BadgeDefinition.validity_days: validity_days}
    if existing is None:
        return {BadgeDefinition.validity_days: (
            _settings(community).default_validity_days if kind == "expert" else 0)}
    return {}


def _category(kind: str, category: str | None) -> str:
    """The skill category: required for an expert certification, none for the star."""
    cleaned = (category or "").strip().lower()
    if kind == "expert":
        cleaned = validate_slug(cleaned, "category") if cleaned else ""
        if not cleaned:
            raise invalid("category", "An expert certification needs a skill category.",
                          code="REQUIRED")
    elif kind == "star" and cleaned:
        raise invalid("category", "The mutual-aid star has no skill category.",
                      code="INVALID_INPUT")
    elif cleaned:
        cleaned = validate_slug(cleaned, "category")
    return cleaned


async def _create(community: dict, actor: dict | None, slug: str, kind: str,
                  values: dict[Any, Any]) -> dict:
    now = _now()
    row = {c._meta.name: value for c, value in values.items()}
    created = (await BadgeDefinition.insert(BadgeDefinition(
        community=community["id"], slug=slug, kind=kind, created_at=now,
        updated_at=now, created_by=actor["id"] if actor else None, **row,
    )).returning(*BadgeDefinition.all_columns()))[0]
    await _event(community["id"], "definition", created["id"], "defined", actor)
    return created


async def _update(community: dict, actor: dict | None, existing: dict,
                  values: dict[Any, Any]) -> dict:
    if values:
        values[BadgeDefinition.updated_at] = _now()
        await BadgeDefinition.update(values).where(BadgeDefinition.id == existing["id"])
        changed = sorted(c._meta.name for c in values if c._meta.name != "updated_at")
        await _event(community["id"], "definition", existing["id"], "updated", actor,
                     ", ".join(changed))
    return await get_definition(community, existing["id"])


async def _check_unique(community: dict, kind: str, values: dict[Any, Any],
                        existing: dict | None) -> None:
    others = BadgeDefinition.select(BadgeDefinition.id).where(
        (BadgeDefinition.community == community["id"]) & (BadgeDefinition.kind == kind))
    if existing is not None:
        others = others.where(BadgeDefinition.id != existing["id"])
    if kind == "star" and await others.first():
        raise invalid("kind", "This community already has its mutual-aid star badge.",
                      code="STAR_EXISTS")
    category = values.get(BadgeDefinition.category)
    if kind == "expert" and category is not None and await others.where(
            BadgeDefinition.category == category).first():
        raise invalid("category", "There is already an expert certification for {category}.",
                      code="CATEGORY_TAKEN", category=category)


async def seed_defaults(community: dict) -> int:
    """Create the mutual-aid star and the default expert certifications that are missing,
    named in the community's language. Idempotent; returns how many were made."""
    locale = community["locale"]
    made = 0
    wanted = [(STAR_SLUG, "star", "", STAR_NAME, STAR_DESCRIPTION, STAR_CRITERIA)]
    wanted += [(f"expert-{category}", "expert", category, name, description, EXPERT_CRITERIA)
               for category, name, description in DEFAULT_EXPERTS]
    existing = await BadgeDefinition.select(
        BadgeDefinition.slug, BadgeDefinition.kind, BadgeDefinition.category
    ).where(BadgeDefinition.community == community["id"])
    slugs = {r["slug"] for r in existing}
    taken = {(r["kind"], r["category"]) for r in existing if r["kind"] in ("expert", "star")}
    for slug, kind, category, name, description, criteria in wanted:
        if slug in slugs or (kind, category if kind == "expert" else "") in taken:
            continue
        await define(community, None, slug=slug, kind=kind, category=category,
                     name=translate(name, locale), description=translate(description, locale),
                     criteria=translate(criteria, locale))
        made += 1
    return made

