"""The audit trail: every state-changing action, who did it and how, in the action's transaction.

One mechanism: :func:`yizhan.core.events.emit` records every domain event it sends (the event's
name is the action, its ``need``/``member``/``community``/``plugin`` argument the subject), so
each step that already tells plugins what happened is logged without a line of its own. Actions
that have no event (a building added, a notice posted, a plugin configured, a token issued) and
plugins' own actions call :func:`record` (``record_audit`` in :mod:`yizhan.core.api`).

*Who* comes from two places: the member acting (``ctx.actor``) and the :class:`Operator` — how
the action came in — which the entry points set for the task they run: the GraphQL context when
it resolves a token (``api`` or ``service``), the CLI runner with the operator's name (``cli``,
from ``--operator``/``YIZHAN_OPERATOR``, else the OS user), jobs and deadlines as ``system``.
The table refuses updates (and on PostgreSQL deletes) by trigger: the log is append-only.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from yizhan.core import clock, db
from yizhan.core.tables import AuditEntry

VIA = ("api", "service", "cli", "system", "internal")


@dataclass(frozen=True)
class Operator:
    """How an action came in: ``via`` one of :data:`VIA`, the person behind it, and a name
    (the CLI operator's, or the service token's)."""

    via: str
    person_id: int | None = None
    name: str = ""


SYSTEM = Operator("system", name="system")
#: Services called directly from Python (tests, scripts) with nobody declared.
INTERNAL = Operator("internal")

_current: ContextVar[Operator | None] = ContextVar("yizhan_operator", default=None)


def current() -> Operator:
    """The operator of the running task (:data:`INTERNAL` when none was declared)."""
    return _current.get() or INTERNAL


def set_operator(operator: Operator) -> None:
    """Declare who the running task acts for (the entry point does this once)."""
    _current.set(operator)


@contextmanager
def acting_as(operator: Operator) -> Iterator[None]:
    """Run a block as ``operator`` (jobs and deadlines run as :data:`SYSTEM`)."""
    token = _current.set(operator)
    try:
        yield
    finally:
        _current.reset(token)


def _small(value: Any) -> Any:
    if isinstance(value, str):
        return value[:200]
    if isinstance(value, bool | int | float) or value is None:
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)[:200]


async def record(ctx: Any, action: str, subject_type: str = "", subject_id: Any = "",
                 details: dict[str, Any] | None = None, *,
                 community_id: int | None = None) -> dict:
    """Append one entry for ``action`` on ``subject_type``/``subject_id``, by ``ctx.actor``
    through ``ctx.operator`` (``ctx`` an :class:`~yizhan.core.events.EventContext`, or None
    for an action outside any community), with a small JSON of ``details``. Joins the
    caller's transaction."""
    (community, at, via, operator, member, person, action, subject_type, subject_id,
     body) = _values(ctx, action, subject_type, subject_id, details, community_id)
    async with db.atomic():
        return (await AuditEntry.insert(AuditEntry(
            community=community, at=at, via=via, operator=operator, actor_member=member,
            actor_person=person, action=action, subject_type=subject_type,
            subject_id=subject_id, details=body,
        )).returning(*AuditEntry.all_columns()))[0]


_INSERT = ("INSERT INTO yz_audit (community, at, via, operator, actor_member, actor_person, "
           "action, subject_type, subject_id, details) "
           "VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {})")


def _values(ctx: Any, action: str, subject_type: str, subject_id: Any,
            details: dict[str, Any] | None, community_id: int | None) -> list[Any]:
    operator = getattr(ctx, "operator", None) or current()
    actor = getattr(ctx, "actor", None)
    member = actor.get("id") if actor else None
    person = operator.person_id or (actor.get("person") if actor else None)
    if community_id is None and ctx is not None:
        community_id = ctx.community_id
    body = json.dumps({k: _small(v) for k, v in (details or {}).items()},
                      ensure_ascii=False, sort_keys=True)
    return [community_id, clock.now(), operator.via, operator.name[:60], member, person,
            action[:60], subject_type[:40],
            str(subject_id if subject_id is not None else "")[:60], body]


#: Arguments that name an event's subject, in order of preference, and their type names.
SUBJECTS = (("need", "Need"), ("member", "Member"), ("community", "Community"),
            ("plugin", "Plugin"))
#: Domain-event hooks that are not actions (nothing is logged for them).
NOT_ACTIONS = frozenset({"yizhan_seed_demo"})


def event_action(name: str) -> str:
    """``yizhan_need_posted`` -> ``need.posted``; ``yizhan_member_role_changed`` ->
    ``member.role_changed``."""
    bare = name.removeprefix("yizhan_")
    head, _, tail = bare.partition("_")
    return f"{head}.{tail}" if tail else head


def event_subject(kwargs: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    """(subject type, subject id, details) of a domain event's keyword arguments."""
    subject_type, subject_id = "", ""
    for key, type_name in SUBJECTS:
        value = kwargs.get(key)
        if isinstance(value, dict) and "id" in value:
            subject_type, subject_id = type_name, str(value["id"])
            break
        if isinstance(value, str | int) and not isinstance(value, bool):
            subject_type, subject_id = type_name, str(value)
            break
    details: dict[str, Any] = {}
    for key, value in kwargs.items():
        if isinstance(value, dict):
            if key == "need":
                details["status"] = value.get("status")
            elif key == "member":
                details["status"] = value.get("status")
                details["role"] = value.get("role")
            elif "id" in value and key != subject_type.lower():
                details[key] = value["id"]
        elif isinstance(value, list):
            details[key] = [item.get("id") if isinstance(item, dict) else _small(item)
                            for item in value][:20]
        elif key != subject_type.lower():
            details[key] = value
    return subject_type, subject_id, details


async def record_event(ctx: Any, name: str, kwargs: dict[str, Any]) -> None:
    """Log domain event ``name`` (called by :func:`~yizhan.core.events.emit`)."""
    if name in NOT_ACTIONS:
        return
    subject_type, subject_id, details = event_subject(kwargs)
    # written with the action's other writes just before the commit (one round trip on
    # PostgreSQL); nothing reads an action's own entry back inside its transaction
    await db.write_at_commit(_INSERT, *_values(ctx, event_action(name), subject_type,
                                               subject_id, details, None))


async def entries(community_id: int, *, actor_member: int | None = None,
                  operator: str | None = None, action: str | None = None,
                  subject_type: str | None = None, subject_id: str | None = None,
                  since: datetime | None = None, until: datetime | None = None,
                  before_id: int | None = None, limit: int = 50) -> list[dict]:
    """A community's entries, newest first, filtered; keyset paging by id (``before_id``).

    ``action`` matches exactly, or a prefix when it ends with ``.`` or ``*`` (``need.``)."""
    query = AuditEntry.select().where(AuditEntry.community == community_id)
    if actor_member is not None:
        query = query.where(AuditEntry.actor_member == actor_member)
    if operator:
        query = query.where(AuditEntry.operator == operator)
    if action:
        if action.endswith(("*", ".")):
            query = query.where(AuditEntry.action.like(action.rstrip("*") + "%"))
        else:
            query = query.where(AuditEntry.action == action)
    if subject_type:
        query = query.where(AuditEntry.subject_type == subject_type)
    if subject_id is not None:
        query = query.where(AuditEntry.subject_id == str(subject_id))
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if until is not None:
        query = query.where(AuditEntry.at < until)
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    return await query.order_by(AuditEntry.id, ascending=False).limit(limit)


def decode(row: dict) -> dict:
    """An entry with its details as a dict (for printing)."""
    details = row.get("details") or "{}"
    return {**row, "details": json.loads(details) if isinstance(details, str) else details}
