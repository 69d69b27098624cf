"""One throttle for failed attempts: logins, voucher codes, redemption codes — anything guessable.

A failure is a row of ``yz_attempt`` (scope, key, at). :func:`check` refuses once ``limit``
failures of ``(scope, key)`` fall within ``window``; :func:`fail` records one (in its own
transaction, so it stays even though the action that failed rolls back); :func:`clear` forgets
them after a success. The ``core.purge_login_attempts`` job deletes rows too old to count.

Scopes in use: ``login`` (key: the person or the identifier typed), ``credits.voucher`` and
``merchants.code`` (key: ``<community id>:<member id>``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from yizhan.core import clock, db
from yizhan.core.errors import YizhanError
from yizhan.core.tables import Attempt

#: The longest window any scope may use (plugins' settings allow at most a day): rows older
#: than this never count again.
MAX_WINDOW = timedelta(days=1)


def member_key(community_id: int, member_id: int | None) -> str:
    """The key of a member of a community: ``"<community id>:<member id>"``."""
    return f"{community_id}:{member_id}"


async def failures(scope: str, key: str, window: timedelta, now: datetime | None = None) -> int:
    """Failures of ``(scope, key)`` within ``window`` before ``now`` (the clock's by default)."""
    since = (now or clock.now()) - window
    return await Attempt.count().where(
        (Attempt.scope == scope) & (Attempt.key == key) & (Attempt.at > since))


async def check(scope: str, key: str, *, limit: int, window: timedelta, error: YizhanError,
                now: datetime | None = None) -> None:
    """Raise ``error`` when ``(scope, key)`` has ``limit`` failures or more within ``window``."""
    if await failures(scope, key, window, now) >= limit:
        raise error


async def claim(scope: str, limits: list[tuple[str, int]], *, window: timedelta,
                error: YizhanError, now: datetime | None = None) -> list[int]:
    """Count one attempt against each ``(key, limit)`` of ``scope`` *before* the attempt is
    checked, atomically, or raise ``error`` (counting nothing) when a key already has
    ``limit`` attempts within ``window``. Parallel attempts cannot all slip under the limit, as
    they can between :func:`check` and :func:`fail`. Returns the claimed rows' ids: delete them
    with :func:`release` when the attempt succeeded and should not count."""
    at = now or clock.now()
    since = at - window
    claimed: list[int] = []
    async with db.atomic():  # SQLite: an immediate transaction, so claims are serialized
        for key, limit in sorted(limits):
            if db.is_postgres():  # serialize count and insert per key across connections
                await db.raw("SELECT pg_advisory_xact_lock(hashtext({}))", f"{scope}:{key}")
            count = await Attempt.count().where(
                (Attempt.scope == scope) & (Attempt.key == key[:120]) & (Attempt.at > since))
            if count >= limit:
                raise error
        for key, _ in limits:
            row = (await Attempt.insert(Attempt(scope=scope, key=key[:120], at=at))
                   .returning(Attempt.id))[0]
            claimed.append(row["id"])
    return claimed


async def release(ids: list[int]) -> None:
    """Forget claimed attempts by id (the attempt succeeded)."""
    if ids:
        async with db.atomic():
            await Attempt.delete().where(Attempt.id.is_in(list(ids)))


async def fail(scope: str, key: str, now: datetime | None = None) -> None:
    """Record one failure of ``(scope, key)`` (committed at once, whatever the caller does)."""
    async with db.atomic():
        await Attempt.insert(Attempt(scope=scope, key=key[:120], at=now or clock.now()))


async def clear(scope: str, key: str) -> None:
    """Forget the failures of ``(scope, key)`` (after a success)."""
    async with db.atomic():
        await Attempt.delete().where((Attempt.scope == scope) & (Attempt.key == key))


async def count(scope: str | None = None) -> int:
    """How many failures are stored (of ``scope``, or of every scope)."""
    query = Attempt.count()
    return await (query.where(Attempt.scope == scope) if scope else query)


async def purge(scope: str | None, before: datetime) -> int:
    """Delete failures older than ``before`` (of ``scope``, or of every scope); their number."""
    condition = Attempt.at < before
    if scope is not None:
        condition = condition & (Attempt.scope == scope)
    async with db.atomic():
        return len(await Attempt.delete().where(condition).returning(Attempt.id))
