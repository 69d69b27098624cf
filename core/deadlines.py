"""Deadlines as data: schedule in the action's transaction, fire exactly once when due.

A plugin calls :func:`schedule` inside the transaction of the action that creates a deadline
(a dispute opened: decide within 24 hours), :func:`schedule` again to move it, :func:`cancel`
when it no longer applies. The sweep (core's job ``core.deadlines``, run by every server and by
``yizhan jobs run``) claims each due row with a conditional update and calls
``yizhan_deadline_due`` for the plugin that scheduled it, in that same transaction: a deadline
fires once even with several processes sweeping, and one that fell due while every process was
down fires at the next sweep. Deadlines of a plugin that is off in the community wait.
"""

from __future__ import annotations

import inspect
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from yizhan.core import clock, db
from yizhan.core.tables import ScheduledDeadline

log = logging.getLogger(__name__)

#: Rows claimed per sweep; the rest wait for the next one.
BATCH = 200
#: After this many failed attempts a deadline is marked ``failed`` and left alone.
MAX_ATTEMPTS = 10


@dataclass(frozen=True)
class Deadline:
    """A scheduled deadline as the ``yizhan_deadline_due`` hook receives it."""

    id: int
    community_id: int
    plugin: str
    kind: str
    subject: str
    due_at: datetime
    payload: dict[str, Any] = field(default_factory=dict)
    status: str = "pending"
    attempts: int = 0


def _from_row(row: dict[str, Any]) -> Deadline:
    payload = row.get("payload") or "{}"
    return Deadline(
        id=row["id"], community_id=row["community"], plugin=row["plugin"], kind=row["kind"],
        subject=row["subject"], due_at=row["due_at"],
        payload=json.loads(payload) if isinstance(payload, str) else dict(payload),
        status=row["status"], attempts=row["attempts"])


async def schedule(community_id: int, plugin: str, kind: str, subject: str | int,
                   due_at: datetime, payload: dict[str, Any] | None = None) -> Deadline:
    """Set deadline ``kind`` of ``subject`` for ``plugin`` at ``due_at``; returns it.

    One pending deadline per (plugin, kind, subject): scheduling again moves it (and replaces
    its payload). Joins the caller's transaction (or opens one).
    """
    if due_at.tzinfo is None:
        raise ValueError("deadlines need a timezone-aware due_at")
    subject = str(subject)
    body = json.dumps(payload or {}, ensure_ascii=False, sort_keys=True)
    async with db.atomic():
        moved = await ScheduledDeadline.update({
            ScheduledDeadline.due_at: due_at, ScheduledDeadline.fire_at: due_at,
            ScheduledDeadline.payload: body, ScheduledDeadline.attempts: 0,
        }).where(_key(plugin, kind, subject)).returning(*ScheduledDeadline.all_columns())
        if moved:
            return _from_row(moved[0])
        rows = await ScheduledDeadline.insert(ScheduledDeadline(
            community=community_id, plugin=plugin, kind=kind, subject=subject, due_at=due_at,
            fire_at=due_at, payload=body, status="pending", created_at=clock.now(),
        )).returning(*ScheduledDeadline.all_columns())
        return _from_row(rows[0])


def _key(plugin: str, kind: str, subject: str) -> Any:
    return ((ScheduledDeadline.plugin == plugin) & (ScheduledDeadline.kind == kind)
            & (ScheduledDeadline.subject == subject)
            & (ScheduledDeadline.status == "pending"))


async def cancel(plugin: str, kind: str, subject: str | int) -> bool:
    """Cancel the pending deadline ``kind`` of ``subject``; True if there was one."""
    async with db.atomic():
        rows = await ScheduledDeadline.update({ScheduledDeadline.status: "cancelled"}).where(
            _key(plugin, kind, str(subject))).returning(ScheduledDeadline.id)
    return bool(rows)


async def cancel_all(plugin: str, subject: str | int) -> int:
    """Cancel every pending deadline of ``subject`` (all kinds); how many there were."""
    async with db.atomic():
        rows = await ScheduledDeadline.update({ScheduledDeadline.status: "cancelled"}).where(
            (ScheduledDeadline.plugin == plugin) & (ScheduledDeadline.subject == str(subject))
            & (ScheduledDeadline.status == "pending")).returning(ScheduledDeadline.id)
    return len(rows)


_CANCEL_ALL_SQL = ("UPDATE yz_deadline SET status = 'cancelled' WHERE plugin = {} AND "
                   "subject = {} AND status = 'pending'")


async def cancel_all_at_commit(plugin: str, subject: str | int) -> None:
    """:func:`cancel_all`, written with the action's other writes just before the commit
    (:func:`yizhan.core.db.write_at_commit`) — for an action that closes its subject and
    schedules nothing for it afterwards."""
    await db.write_at_commit(_CANCEL_ALL_SQL, plugin, str(subject))


async def pending(plugin: str, subject: str | int, kind: str | None = None) -> list[Deadline]:
    """The pending deadlines of ``subject`` (of one ``kind``, or all), soonest first."""
    query = ScheduledDeadline.select(*ScheduledDeadline.all_columns()).where(
        (ScheduledDeadline.plugin == plugin) & (ScheduledDeadline.subject == str(subject))
        & (ScheduledDeadline.status == "pending"))
    if kind is not None:
        query = query.where(ScheduledDeadline.kind == kind)
    return [_from_row(r) for r in await query.order_by(ScheduledDeadline.due_at)]


async def overdue(now: datetime, grace: timedelta = timedelta(minutes=5)) -> int:
    """How many pending deadlines are more than ``grace`` past due (for checks and metrics)."""
    return await ScheduledDeadline.count().where(
        (ScheduledDeadline.status == "pending") & (ScheduledDeadline.due_at < now - grace))


def _implementations() -> dict[str, Any]:
    from yizhan.core.plugins import get_registry

    hook = get_registry().pm.hook.yizhan_deadline_due
    return {impl.plugin_name: impl.function for impl in hook.get_hookimpls()}


async def _due_ids(now: datetime, owners: list[str]) -> list[int]:
    """Ids of due pending deadlines whose plugin implements the hook and is on in the
    deadline's community (or is not a switchable plugin: core, and hook holders in tests)."""
    from piccolo.query import WhereRaw

    from yizhan.core.plugins import CORE, get_registry

    if not owners:
        return []
    query = ScheduledDeadline.select(ScheduledDeadline.id).where(
        (ScheduledDeadline.status == "pending") & (ScheduledDeadline.fire_at <= now)
        & ScheduledDeadline.plugin.is_in(owners))
    switchable = [n for n in get_registry().plugins if n != CORE and n in owners]
    if switchable:
        names = ", ".join("{}" for _ in switchable)
        query = query.where(WhereRaw(
            f"(yz_deadline.plugin NOT IN ({names}) OR EXISTS (SELECT 1 FROM yz_plugin_state s "
            "WHERE s.community = yz_deadline.community AND s.plugin = yz_deadline.plugin "
            "AND s.enabled))", *switchable))
    rows = await query.order_by(ScheduledDeadline.fire_at).order_by(
        ScheduledDeadline.id).limit(BATCH)
    return [r["id"] for r in rows]


async def _fire(deadline_id: int, now: datetime, implementations: dict[str, Any]) -> bool:
    """Claim and fire one deadline in its own transaction; False if another runner had it."""
    from yizhan.core import audit
    from yizhan.core.events import EventContext
    from yizhan.core.tables import Community

    async with db.atomic():
        claimed = await ScheduledDeadline.update({
            ScheduledDeadline.status: "fired", ScheduledDeadline.fired_at: now,
        }).where((ScheduledDeadline.id == deadline_id)
                 & (ScheduledDeadline.status == "pending")).returning(
            *ScheduledDeadline.all_columns())
        if not claimed:
            return False
        deadline = _from_row(claimed[0])
        community = await Community.select().where(
            Community.id == deadline.community_id).first()
        ctx = EventContext(community=community, actor=None, now=now, operator=audit.SYSTEM)
        with audit.acting_as(audit.SYSTEM):
            result = implementations[deadline.plugin](ctx=ctx, deadline=deadline)
            if inspect.isawaitable(result):
                await result
    return True


async def _record_failure(deadline_id: int, now: datetime, error: BaseException) -> None:
    async with db.atomic():
        row = await ScheduledDeadline.select(ScheduledDeadline.attempts).where(
            ScheduledDeadline.id == deadline_id).first()
        if row is None:
            return
        attempts = row["attempts"] + 1
        await ScheduledDeadline.update({
            ScheduledDeadline.attempts: attempts,
            ScheduledDeadline.last_error: f"{type(error).__name__}: {error}"[:500],
            ScheduledDeadline.fire_at: now + timedelta(minutes=2 ** min(attempts - 1, 6)),
            ScheduledDeadline.status: "failed" if attempts >= MAX_ATTEMPTS else "pending",
        }).where((ScheduledDeadline.id == deadline_id)
                 & (ScheduledDeadline.status == "pending"))


async def run_due(now: datetime) -> int:
    """Fire every due deadline (core's ``core.deadlines`` job); how many fired."""
    implementations = _implementations()
    fired = 0
    for deadline_id in await _due_ids(now, sorted(implementations)):
        try:
            if await _fire(deadline_id, now, implementations):
                fired += 1
        except Exception as error:  # the deadline stays pending and is tried again later
            log.exception("deadline %s failed", deadline_id)
            await _record_failure(deadline_id, now, error)
    return fired
