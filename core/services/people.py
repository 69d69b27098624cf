"""People, passwords and tokens: who is calling.

Passwords are hashed with Argon2id (argon2-cffi). Tokens are 32 random bytes shown once and
stored as their SHA-256 only; login tokens expire, service tokens (for an integration such as a
mini-program backend) last until revoked. Failed logins are counted per identifier in the
database, so the limit holds across server processes.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from yizhan.core import attempts, audit, clock, db
from yizhan.core.config import get_settings
from yizhan.core.errors import YizhanError, invalid, not_found
from yizhan.core.i18n import normalize
from yizhan.core.offload import run_cpu
from yizhan.core.services import validation as v
from yizhan.core.tables import Person, Token

_hasher = PasswordHasher()
#: The longest lifetime of a login token made without a password (a year).
MAX_TTL_HOURS = 24 * 366
USERNAME = re.compile(r"^[A-Za-z0-9_.-]{2,40}$")
PHONE = re.compile(r"^\+?[0-9]{6,15}$")
#: The throttle scope of failed logins (core/attempts.py).
LOGIN = "login"
#: Verified against when nobody has the identifier, so a wrong username costs the same time
#: as a wrong password. Computed on first use: hashing at import slowed every CLI command.
_DUMMY_HASH: str | None = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = _hasher.hash("not-a-password")
    return _DUMMY_HASH


@dataclass
class Principal:
    """Who a request is from: a person (login token) or an integration (service token)."""

    person_id: int | None
    token_kind: str
    service_community: int | None = None
    token_id: int | None = None
    #: The person's own language setting ("" when unset), read with the token.
    locale: str = ""
    #: A service token's name (what the audit log shows for it).
    token_name: str = ""


def hash_token(token: str) -> str:
    """The stored form of a bearer token."""
    return hashlib.sha256(token.encode()).hexdigest()


async def hash_password(password: str) -> str:
    """The Argon2id hash of ``password`` (computed off the event loop)."""
    return await run_cpu(_hasher.hash, password)


async def create_person(username: str, display_name: str, password: str | None = None,
                        phone: str | None = None, real_name: str = "", locale: str = "",
                        quiet_phone: bool = False, password_hash: str | None = None) -> dict:
    """Create a person who can log in; refuses a taken username or phone, a weak password.

    ``password_hash`` (from :func:`hash_password`) instead of ``password`` lets a caller that
    creates many people with one password (the demo) hash it once."""
    username = (username or "").strip()
    if not USERNAME.match(username):
        raise invalid("username", "Use 2-40 letters, digits, '.', '-' or '_'.",
                      code="INVALID_USERNAME")
    display_name = v.text(display_name, "displayName", max_length=60)
    real_name = v.text(real_name, "realName", max_length=60, required=False)
    if phone:
        phone = normalize_phone(phone)
        if not PHONE.match(phone):
            raise invalid("phone", "Not a phone number.", code="INVALID_PHONE")
    if password is not None and len(password) < 8:
        raise invalid("password", "A password needs at least 8 characters.",
                      code="WEAK_PASSWORD")
    if password is not None and len(password) > 256:
        raise invalid("password", "Too long: at most {max} characters.", code="TOO_LONG",
                      max=256)
    if password_hash is None:
        password_hash = await hash_password(password) if password else ""
    async with db.atomic():
        if await Person.exists().where(Person.username == username):
            raise YizhanError("USERNAME_TAKEN", "This username is taken.", field="username")
        if phone and await Person.exists().where(Person.phone == phone):
            if not quiet_phone:
                raise YizhanError("PHONE_TAKEN", "This phone number is already registered.",
                                  field="phone")
            phone = None  # self-registration must not tell a stranger whose number this is
        return (await Person.insert(Person(
            username=username, display_name=display_name, real_name=real_name,
            phone=phone or None, password_hash=password_hash,
            locale=normalize(locale) if locale else "", created_at=clock.now(),
        )).returning(*Person.all_columns()))[0]


async def get_person(person_id: int) -> dict:
    """The person with ``person_id``, or NOT_FOUND."""
    row = await Person.select().where(Person.id == person_id).first()
    if row is None:
        raise not_found("person")
    return row


def normalize_phone(phone: str) -> str:
    """A phone number as stored, without spaces or dashes: ``+86 138-0013-8000`` becomes
    ``+8613800138000``."""
    return (phone or "").strip().replace(" ", "").replace("-", "")


async def find_person(identifier: str) -> dict | None:
    """A person by username or phone (written with or without spaces or dashes)."""
    identifier = v.searchable(identifier) or ""
    if not identifier:
        return None
    return await Person.select().where(
        (Person.username == identifier) | (Person.phone == normalize_phone(identifier))
    ).first()


async def set_password(person_id: int, password: str) -> None:
    """Replace a person's password."""
    if len(password) < 8:
        raise invalid("password", "A password needs at least 8 characters.",
                      code="WEAK_PASSWORD")
    await Person.update({Person.password_hash: await hash_password(password)}).where(
        Person.id == person_id
    )


async def _issue(person_id: int | None, kind: str, name: str, community: int | None,
                 ttl: timedelta | None) -> tuple[str, dict]:
    token = "yz_" + secrets.token_urlsafe(32)
    now = clock.now()
    row = (await Token.insert(Token(
        person=person_id, community=community, kind=kind, name=name,
        token_hash=hash_token(token), created_at=now,
        expires_at=now + ttl if ttl else None,
    )).returning(*Token.all_columns()))[0]
    return token, row


LOGIN_LIMITED = "Too many failed logins. Try again in {minutes} minutes."


async def claim_attempts(scope: str, limits: list[tuple[str, int]], window: timedelta,
                         message: str = LOGIN_LIMITED) -> list[int]:
    """Claim one attempt of ``scope`` against each ``(key, limit)`` before checking it
    (:func:`yizhan.core.attempts.claim`), refusing with RATE_LIMITED and ``message``."""
    minutes = int(window.total_seconds() // 60)
    return await attempts.claim(scope, limits, window=window, error=YizhanError(
        "RATE_LIMITED", message, kind="limit", minutes=minutes))


def address_key(prefix: str, address: str | None) -> str:
    """The attempt-counter key of a client address (``prefix:address``)."""
    return f"{prefix}:{(address or 'unknown')[:50]}"


def _verify(stored: str | None, password: str) -> bool:
    """Check a password against a stored hash (or against a dummy one, taking the same time,
    when there is none). Runs in a worker thread."""
    try:
        if not stored:
            _hasher.verify(_dummy_hash(), password or "x")
            return False
        return _hasher.verify(stored, password or "")
    except (VerificationError, InvalidHashError):
        return False


async def login(identifier: str, password: str, address: str | None = None
                ) -> tuple[str, dict]:
    """Check a password and issue a login token; refuses after too many failures for the
    account (or identifier) or from the client ``address``. Each attempt is claimed before
    its password is checked, and the hashing runs in a worker thread."""
    settings = get_settings()
    person = await find_person(identifier)
    # Failures count per person (by username and phone alike), else per unknown identifier.
    key = (f"person:{person['id']}" if person
           else v.CONTROL.sub("", (identifier or "").strip().lower())[:60])
    window = timedelta(minutes=settings.login_window_minutes)
    claimed = await claim_attempts(
        LOGIN, [(key, settings.login_max_failures),
                (address_key("ip", address), settings.login_max_failures_per_address)], window)
    if not await run_cpu(_verify, person["password_hash"] if person else None, password):
        raise YizhanError("INVALID_CREDENTIALS", "Wrong username or password.",
                          field="password")
    async with db.atomic():
        await attempts.clear(LOGIN, key)
        await attempts.release(claimed)
        token, _ = await _issue(person["id"], "login", "login", None,
                                timedelta(hours=settings.token_ttl_hours))
    return token, person


async def create_service_token(name: str, community_id: int | None) -> tuple[str, dict]:
    """An integration's token, scoped to one community, valid until revoked."""
    name = v.text(name, "name", max_length=60)
    async with db.atomic():
        token, row = await _issue(None, "service", name, community_id, None)
        await audit.record(None, "token.created", "Token", row["id"],
                           {"kind": "service", "name": name}, community_id=community_id)
        return token, row


async def create_login_token(person_id: int, ttl_hours: int | None = None) -> tuple[str, dict]:
    """A login token for a person without asking the password (admin CLI, tests); its
    lifetime is 1 hour to a year (default: the ``token_ttl_hours`` setting)."""
    hours = get_settings().token_ttl_hours if ttl_hours is None else ttl_hours
    if isinstance(hours, bool) or not isinstance(hours, int) or not 1 <= hours <= MAX_TTL_HOURS:
        raise invalid("hours", "A token lasts from 1 to {max} hours.", code="INVALID_HOURS",
                      max=MAX_TTL_HOURS)
    async with db.atomic():
        token, row = await _issue(person_id, "login", "cli", None, timedelta(hours=hours))
        await audit.record(None, "token.created", "Token", row["id"],
                           {"kind": "login", "person": person_id})
        return token, row


async def revoke_token(token_id: int | None = None, token: str | None = None) -> bool:
    """Revoke a token by id or by its value; True if one was revoked."""
    query = Token.update({Token.revoked_at: clock.now()}).where(Token.revoked_at.is_null())
    if token is not None:
        query = query.where(Token.token_hash == hash_token(token))
    elif token_id is not None:
        query = query.where(Token.id == token_id)
    else:
        return False
    async with db.atomic():
        revoked = await query.returning(Token.id, Token.community, Token.kind)
        for row in revoked:
            await audit.record(None, "token.revoked", "Token", row["id"], {"kind": row["kind"]},
                               community_id=row["community"])
        return bool(revoked)


async def resolve_token(token: str) -> Principal | None:
    """The principal a bearer token stands for, or None if unknown, expired or revoked."""
    rows = await db.raw(_TOKEN_SQL, hash_token(token))  # every request: SQL written once
    row = rows[0] if rows else None
    if row is None or row["revoked_at"] is not None:
        return None
    if row["expires_at"] is not None and row["expires_at"] <= clock.now():
        return None
    return Principal(row["person"], row["kind"], row["community"], row["id"],
                     row["locale"] or "", row["name"] or "")


async def resolve_token_and_memberships(token: str
                                        ) -> tuple[Principal | None, dict[int, dict] | None]:
    """:func:`resolve_token` and, for a login token, every membership row of its person by
    community id (``SELECT * FROM yz_member`` rows) — one statement instead of a token look-up
    followed by a membership look-up per community. None for a service token's memberships
    (those follow their own rules). Read afresh every time: nothing is cached, so a revoked
    token, a removed member or a changed role counts from the next request on."""
    rows = await db.raw(_TOKEN_MEMBERS_SQL, hash_token(token))
    if not rows:
        return None, None
    first = rows[0]
    if first["t_revoked_at"] is not None or (
            first["t_expires_at"] is not None and first["t_expires_at"] <= clock.now()):
        return None, None
    principal = Principal(first["t_person"], first["t_kind"], first["t_community"],
                          first["t_id"], first["t_locale"] or "", first["t_name"] or "")
    if principal.token_kind != "login":
        return principal, None
    columns = [k for k in first if not k.startswith("t_")]
    return principal, {row["community"]: {k: row[k] for k in columns}
                       for row in rows if row["id"] is not None}


#: The token and its person's memberships (one row per membership, at least one row).
_TOKEN_MEMBERS_SQL = """SELECT t.id AS t_id, t.person AS t_person, t.community AS t_community,
       t.kind AS t_kind, t.name AS t_name, t.expires_at AS t_expires_at,
       t.revoked_at AS t_revoked_at, p.locale AS t_locale, m.*
FROM yz_token t LEFT JOIN yz_person p ON p.id = t.person
LEFT JOIN yz_member m ON m.person = t.person AND t.kind = 'login'
WHERE t.token_hash = {}"""

_TOKEN_SQL = """SELECT t.id, t.person, t.community, t.kind, t.name, t.expires_at, t.revoked_at,
       p.locale AS locale
FROM yz_token t LEFT JOIN yz_person p ON p.id = t.person
WHERE t.token_hash = {}"""


async def list_tokens(person_id: int | None = None) -> list[dict]:
    """Tokens (never their values), newest first."""
    query = Token.select(Token.id, Token.person, Token.community, Token.kind, Token.name,
                         Token.created_at, Token.expires_at, Token.revoked_at)
    if person_id is not None:
        query = query.where(Token.person == person_id)
    return await query.order_by(Token.id, ascending=False)


async def purge_login_attempts(now: datetime) -> int:
    """Sweep: forget failed logins older than the rate-limit window (they no longer count), and
    other failed attempts (codes) older than the longest window any scope may use."""
    cutoff = now - timedelta(minutes=get_settings().login_window_minutes)
    return (await attempts.purge(LOGIN, cutoff)
            + await attempts.purge(None, now - attempts.MAX_WINDOW))
