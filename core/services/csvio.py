"""CSV import of members and CSV export of members, needs and the ledger.

Import (``yizhan member import FILE -c SLUG [--dry-run]``) reads a spreadsheet an admin already
has — columns ``name, real_name, phone, building, role, status`` (``username`` optional) — and
is all-or-nothing: every row is checked first and every problem is reported with its line
number; only a file without problems is written, in one transaction (and a problem found while
writing, such as a building's third deputy, rolls everything back and is reported the same
way). People imported have no password: they log in after an admin sets one, or by phone
once a login channel exists.

Export streams rows page by page (keyset), so a community of 100,000 members never sits in
memory.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from yizhan.core import db
from yizhan.core.errors import YizhanError
from yizhan.core.i18n import translate
from yizhan.core.services import members, people
from yizhan.core.services import validation as v
from yizhan.core.services.validation import format_centi
from yizhan.core.tables import Building, HelpRecord, Member, Need, Person

COLUMNS = ("name", "real_name", "phone", "building", "role", "status")
OPTIONAL = ("username",)
STATUSES = ("verified", "pending")
PAGE = 1000


@dataclass
class LineError:
    """What is wrong on one line of the file (line 1 is the header)."""

    line: int
    field: str
    code: str
    message: str


@dataclass
class ImportResult:
    """The outcome of an import: rows read, errors, whether anything was written."""

    rows: int = 0
    imported: int = 0
    dry_run: bool = False
    errors: list[LineError] = field(default_factory=list)


class ImportRejected(Exception):
    """Raised inside the transaction to roll back an import that failed while writing."""

    def __init__(self, errors: list[LineError]) -> None:
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


@dataclass
class _Row:
    line: int
    username: str
    name: str
    real_name: str
    phone: str
    building: str
    role: str
    status: str


def _error(line: int, fld: str, code: str, message: str, **params: Any) -> LineError:
    return LineError(line, fld, code, translate(message, "en", **params))


def _read(text: str, result: ImportResult) -> list[_Row]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        result.errors.append(_error(1, "header", "MISSING_COLUMNS",
                                    "The header lacks the columns {columns}.",
                                    columns=", ".join(missing)))
        return []
    reader.fieldnames = header
    rows = []
    for record in reader:
        line = reader.line_num
        cell = {k: (record.get(k) or "").strip() for k in (*COLUMNS, *OPTIONAL)}
        if not any(cell.values()):
            continue
        phone = people.normalize_phone(cell["phone"]) if cell["phone"] else ""
        rows.append(_Row(line, cell["username"] or phone, cell["name"], cell["real_name"],
                         phone, cell["building"], (cell["role"] or "resident").lower(),
                         (cell["status"] or "pending").lower()))
    return rows


async def _check(community: dict, rows: list[_Row], result: ImportResult) -> None:
    buildings = {b["name"]: b["id"] for b in await Building.select(
        Building.id, Building.name).where(Building.community == community["id"])}
    usernames = [r.username for r in rows if r.username]
    phones = [r.phone for r in rows if r.phone]
    taken_names = {p["username"] for p in await Person.select(Person.username).where(
        Person.username.is_in(usernames or [""]))}
    taken_phones = {p["phone"] for p in await Person.select(Person.phone).where(
        Person.phone.is_in(phones or [""]))}
    seen_names: dict[str, int] = {}
    seen_phones: dict[str, int] = {}
    add = result.errors.append
    for r in rows:
        if not r.name:
            add(_error(r.line, "name", "REQUIRED", "The name is missing."))
        elif len(r.name) > 60:
            add(_error(r.line, "name", "TOO_LONG", "The name is longer than 60 characters."))
        if not r.phone:
            add(_error(r.line, "phone", "REQUIRED", "The phone number is missing."))
        elif not people.PHONE.match(r.phone):
            add(_error(r.line, "phone", "INVALID_PHONE", "Not a phone number."))
        elif r.phone in taken_phones:
            add(_error(r.line, "phone", "PHONE_TAKEN",
                       "Phone {phone} already belongs to someone.", phone=r.phone))
        elif r.phone in seen_phones:
            add(_error(r.line, "phone", "DUPLICATE", "Phone {phone} is also on line {other}.",
                       phone=r.phone, other=seen_phones[r.phone]))
        if r.phone:
            seen_phones.setdefault(r.phone, r.line)
        if r.username and r.username != r.phone:
            if not people.USERNAME.match(r.username):
                add(_error(r.line, "username", "INVALID_USERNAME",
                           "Use 2-40 letters, digits, '.', '-' or '_'."))
            elif r.username in taken_names:
                add(_error(r.line, "username", "USERNAME_TAKEN",
                           "User name {username} is taken.", username=r.username))
            elif r.username in seen_names:
                add(_error(r.line, "username", "DUPLICATE",
                           "User name {username} is also on line {other}.",
                           username=r.username, other=seen_names[r.username]))
            seen_names.setdefault(r.username, r.line)
        elif r.username in taken_names:
            add(_error(r.line, "phone", "USERNAME_TAKEN", "User name {username} is taken.",
                       username=r.username))
        if r.building and r.building not in buildings:
            add(_error(r.line, "building", "UNKNOWN_BUILDING",
                       "No building named {building} in this community.", building=r.building))
        if r.role not in v.ROLES:
            add(_error(r.line, "role", "INVALID_ROLE",
                       "Role is resident, deputy_leader, building_leader or admin."))
        if r.status not in STATUSES:
            add(_error(r.line, "status", "INVALID_STATUS", "Status is verified or pending."))
        elif r.status == "verified" and not r.real_name:
            add(_error(r.line, "real_name", "REQUIRED",
                       "A verified member needs a real name."))
        elif r.status == "pending" and r.role != "resident":
            add(_error(r.line, "role", "INVALID_ROLE",
                       "Only a verified member can have a role other than resident."))
        if r.real_name and len(r.real_name) > 60:
            add(_error(r.line, "real_name", "TOO_LONG",
                       "The real name is longer than 60 characters."))
    for r in rows:
        r.building = buildings.get(r.building) if r.building else None  # type: ignore[assignment]


async def import_members(community: dict, text: str, dry_run: bool = False) -> ImportResult:
    """Check every row of ``text`` (CSV) and, unless ``dry_run`` or a row is wrong, add them
    all in one transaction."""
    result = ImportResult(dry_run=dry_run)
    rows = _read(text, result)
    result.rows = len(rows)
    if result.errors:
        return result
    await _check(community, rows, result)
    if result.errors or dry_run:
        return result
    try:
        async with db.atomic():
            for r in rows:
                try:
                    person = await people.create_person(r.username, r.name, None,
                                                        phone=r.phone)
                    await members.add_member(
                        community, person["id"], r.building,  # type: ignore[arg-type]
                        r.role, r.real_name if r.status == "verified" else None)
                except YizhanError as error:
                    raise ImportRejected([LineError(
                        r.line, error.field or "", error.code,
                        translate(error.message, "en", **error.params))]) from error
    except ImportRejected as rejected:
        result.errors = rejected.errors
        return result
    result.imported = len(rows)
    return result


# --- export ---------------------------------------------------------------------------


async def _pages(query_for_after) -> AsyncIterator[list[dict]]:
    after = 0
    while True:
        rows = await query_for_after(after)
        if rows:
            yield rows
        if len(rows) < PAGE:
            return
        after = rows[-1]["id"]


async def export_members(community: dict) -> AsyncIterator[list[Any]]:
    """Header, then one row per member: id, name, real name, phone, building, role, status,
    requested and verified times."""
    yield ["id", "username", "name", "real_name", "phone", "building", "role", "status",
           "requested_at", "verified_at"]
    names = {b["id"]: b["name"] for b in await Building.select(
        Building.id, Building.name).where(Building.community == community["id"])}

    def page(after: int):
        return Member.select(
            Member.id, Member.person.username, Member.person.display_name,
            Member.person.real_name, Member.person.phone, Member.building, Member.role,
            Member.status, Member.requested_at, Member.verified_at,
        ).where((Member.community == community["id"]) & (Member.id > after)).order_by(
            Member.id).limit(PAGE)

    async for rows in _pages(page):
        for m in rows:
            yield [m["id"], m["person.username"], m["person.display_name"],
                   m["person.real_name"], m["person.phone"] or "",
                   names.get(m["building"], ""), m["role"], m["status"], m["requested_at"],
                   m["verified_at"]]


async def export_needs(community: dict) -> AsyncIterator[list[Any]]:
    """Header, then one row per need with its times and the confirmed minutes."""
    yield ["id", "title", "category", "status", "requester", "posted_by", "helper",
           "building", "estimated_minutes", "credits", "late_night", "weekend",
           "created_at", "accepted_at", "closed_at", "escalated_at", "minutes_confirmed"]
    names = {b["id"]: b["name"] for b in await Building.select(
        Building.id, Building.name).where(Building.community == community["id"])}

    def page(after: int):
        return Need.select().where(
            (Need.community == community["id"]) & (Need.id > after)).order_by(
            Need.id).limit(PAGE)

    async for rows in _pages(page):
        minutes = {r["need"]: r["minutes"] for r in await HelpRecord.select(
            HelpRecord.need, HelpRecord.minutes).where(
            HelpRecord.need.is_in([n["id"] for n in rows]))}
        for n in rows:
            yield [n["id"], n["title"], n["category"], n["status"], n["requester"],
                   n["posted_by"], n["helper"] or "", names.get(n["building"], ""),
                   n["estimated_minutes"], format_centi(n["credits_centi"]), n["late_night"],
                   n["weekend"], n["created_at"], n["accepted_at"] or "",
                   n["closed_at"] or "", n["escalated_at"] or "", minutes.get(n["id"], "")]


def exports() -> dict[str, Any]:
    """Every export by name: core's ``members`` and ``needs`` and the plugins' (the credits
    plugin's ``ledger``) from ``yizhan_register_exports``."""
    from yizhan.core.plugins import get_registry

    found: dict[str, Any] = {"members": export_members, "needs": export_needs}
    for answer in get_registry().register_results("yizhan_register_exports").values():
        found.update(answer or {})
    return found


async def write_csv(rows: AsyncIterator[list[Any]], handle: io.TextIOBase) -> int:
    """Write ``rows`` (header first) to ``handle``; returns the data rows written."""
    writer = csv.writer(handle)
    count = -1
    async for row in rows:
        writer.writerow(["" if c is None else c.isoformat() if hasattr(c, "isoformat") else c
                         for c in row])
        count += 1
    return max(count, 0)
