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
