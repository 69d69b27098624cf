"""``probe``: a test plugin that implements every hook of the contract and records each call.

The contract tests load it (with :mod:`yz_probe_child`) through
``PluginRegistry.load(extra_modules=[...])`` and ``set_registry``. What it does on a call is
steered through :data:`RECORD`: raise an error from a domain event (after writing a notice, to
prove its own write rolls back with the action), veto an action, boost a candidate.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import pluggy
import strawberry
import typer
from litestar import get
from pydantic import BaseModel, Field
from strawberry.types import Info

from yizhan.core import db
from yizhan.core.api import (
    GraphQLContribution,
    Indicator,
    Job,
    PluginSpec,
    Veto,
    YizhanError,
    community_with_plugin,
    hookimpl,
    plugin_settings,
    post_notice,
)

PLUGIN = PluginSpec(name="probe", version="1.2.3",
                    description="Records every hook call (contract tests).")

hookspec = pluggy.HookspecMarker("yizhan")


@dataclass
class Call:
    """One recorded hook call."""

    hook: str
    plugin: str
    community: str | None
    in_transaction: bool
    info: dict[str, Any] = field(default_factory=dict)


@dataclass
class Recorder:
    """What the probe plugins saw, and how they should behave."""

    calls: list[Call] = field(default_factory=list)
    fail_on: dict[str, YizhanError] = field(default_factory=dict)
    vetoes: dict[str, Veto] = field(default_factory=dict)
    boost: dict[int, float] = field(default_factory=dict)
    switch_on_new_communities: bool = False
    jobs_run: int = 0

    def reset(self) -> None:
        """Forget everything (each test starts clean)."""
        self.__init__()

    def of(self, hook: str, plugin: str = "probe") -> list[Call]:
        """Calls of ``hook`` recorded by ``plugin``."""
        return [c for c in self.calls if c.hook == hook and c.plugin == plugin]


RECORD = Recorder()


async def record(hook: str, ctx: Any, by: str = "probe", **info: Any) -> None:
    """Note the call (made to plugin ``by``); raise the error a test asked for, after a write
    of the probe's own."""
    slug = ctx.community["slug"] if ctx is not None else None
    RECORD.calls.append(Call(hook, by, slug, db.in_transaction(), info))
    error = RECORD.fail_on.get(hook)
    if error is not None and by == "probe":
        await post_notice(ctx.community_id, f"probe wrote this in {hook}", source="probe")
        raise error


# --- Registration -----------------------------------------------------------------------


class ProbeSettings(BaseModel):
    """The probe's per-community settings."""

    #: Points the probe adds to a boosted candidate.
    boost: int = Field(default=5, ge=0, le=100)
    label: str = Field(default="probe", min_length=1, max_length=20)


@strawberry.type
class ProbeQuery:
    """The probe's root query field."""

    @strawberry.field(description="Echo a text back (probe plugin).")
    async def probe_echo(self, info: Info, community: str, text: str) -> str:
        row = await info.context.plugin_community(community, "probe")
        return f"{plugin_settings(row['id'], 'probe').label}: {text}"


class ProbeSpecs:
    """Hook specifications the probe adds (as pytest's ``addhooks``)."""

    @hookspec(firstresult=True)
    def yizhan_probe_greeting(self, name: str) -> str | None:
        """Greet ``name``; the first answer wins."""


@hookimpl
def yizhan_register_hookspecs(pm):
    """Add :class:`ProbeSpecs`."""
    pm.add_hookspecs(ProbeSpecs)


@hookimpl
def yizhan_register_graphql():
    """The ``probeEcho`` query."""
    return GraphQLContribution(query=ProbeQuery)


@hookimpl
def yizhan_register_commands(app):
    """``yizhan probe-ping``."""

    @app.command("probe-ping")
    def probe_ping(name: str = typer.Argument("world")) -> None:
        """Answer pong (probe plugin)."""
        typer.echo(f"pong {name}")


@hookimpl
def yizhan_register_settings():
    """:class:`ProbeSettings`."""
    return ProbeSettings


async def _sweep(now) -> int:
    RECORD.jobs_run += 1
    RECORD.calls.append(Call("job:probe.sweep", "probe", None, db.in_transaction(),
                             {"now": now}))
    return 7


@hookimpl
def yizhan_register_jobs():
    """One sweep that says it acted on 7 things."""
    return [Job("probe.sweep", 60, _sweep)]


async def _probe_notices(scope) -> int:
    from yizhan.core.tables import Notice

    return await Notice.count().where(
        (Notice.community == scope.community_id) & (Notice.source == "probe")
        & (Notice.created_at >= scope.start) & (Notice.created_at < scope.end))


@hookimpl
def yizhan_register_indicators():
    """One indicator: the probe's own notices in the period."""
    return [Indicator("probe.notices", "Probe notices", "探针公告", "count",
                      "Notices the probe posted in the period.", _probe_notices)]


@get("/probe/ping/{community:str}")
async def probe_ping_route(community: str) -> dict[str, str]:
    """A plain HTTP page that checks the community's switch itself."""
    row = await community_with_plugin(community, "probe")
    return {"pong": row["slug"]}


@hookimpl
def yizhan_register_routes():
    """``GET /probe/ping/{community}``."""
    return [probe_ping_route]


# --- Domain events ----------------------------------------------------------------------


@hookimpl
async def yizhan_community_created(ctx, community):
    """Recorded (reaches every installed plugin); may switch the probe on right away."""
    await record("yizhan_community_created", ctx, slug=community["slug"])
    if RECORD.switch_on_new_communities:
        from yizhan.core.services import plugin_admin

        await plugin_admin.enable(community, "probe")


@hookimpl
async def yizhan_plugin_enabled(ctx, plugin):
    """Recorded."""
    await record("yizhan_plugin_enabled", ctx, plugin=plugin)


@hookimpl
async def yizhan_plugin_disabled(ctx, plugin):
    """Recorded (the plugin being switched off is called too)."""
    await record("yizhan_plugin_disabled", ctx, plugin=plugin)


@hookimpl
async def yizhan_member_declined(ctx, member, reason):
    """Recorded."""
    await record("yizhan_member_declined", ctx, member=member["id"], reason=reason,
                 status=member["status"])


@hookimpl
async def yizhan_member_left(ctx, member, removed_by):
    """Recorded."""
    await record("yizhan_member_left", ctx, member=member["id"], status=member["status"],
                 removed_by=removed_by["id"] if removed_by else None)


@hookimpl
async def yizhan_member_role_changed(ctx, member, previous_role):
    """Recorded."""
    await record("yizhan_member_role_changed", ctx, member=member["id"], role=member["role"],
                 previous=previous_role)


@hookimpl
async def yizhan_deadline_due(ctx, deadline):
    """Recorded; posts a notice (so a rolled-back firing is visible as none)."""
    await record("yizhan_deadline_due", ctx, id=deadline.id, kind=deadline.kind,
                 subject=deadline.subject, payload=deadline.payload)
    await post_notice(ctx.community_id, f"deadline {deadline.kind} {deadline.subject}",
                      source="probe-deadline")


@hookimpl
async def yizhan_member_joined(ctx, member):
    """Recorded."""
    await record("yizhan_member_joined", ctx, member=member["id"], status=member["status"])


@hookimpl
async def yizhan_member_verified(ctx, member, verifier):
    """Recorded."""
    await record("yizhan_member_verified", ctx, member=member["id"],
                 verifier=verifier["id"] if verifier else None, status=member["status"])


@hookimpl
async def yizhan_need_posted(ctx, need):
    """Recorded (the need row is already written in this transaction)."""
    await record("yizhan_need_posted", ctx, need=need["id"], title=need["title"],
                 visible=await _need_status(need["id"]))


async def _need_status(need_id: int) -> str | None:
    from yizhan.core.tables import Need

    row = await Need.select(Need.status).where(Need.id == need_id).first()
    return row["status"] if row else None


@hookimpl
async def yizhan_need_accepted(ctx, need):
    """Recorded."""
    await record("yizhan_need_accepted", ctx, need=need["id"], helper=need["helper"],
                 status=await _need_status(need["id"]))


@hookimpl
async def yizhan_need_withdrawn(ctx, need, helper):
    """Recorded."""
    await record("yizhan_need_withdrawn", ctx, need=need["id"], helper=helper,
                 status=need["status"])


@hookimpl
async def yizhan_need_done(ctx, need):
    """An ``async`` implementation that really awaits something before recording."""
    await asyncio.sleep(0)
    await record("yizhan_need_done", ctx, need=need["id"], status=need["status"])


@hookimpl
def yizhan_need_confirmed(ctx, need):
    """A plain (sync) implementation returning a coroutine is awaited too."""
    return record("yizhan_need_confirmed", ctx, need=need["id"], status=need["status"])


@hookimpl
async def yizhan_need_cancelled(ctx, need, previous_status):
    """Recorded."""
    await record("yizhan_need_cancelled", ctx, need=need["id"], previous=previous_status)


@hookimpl
async def yizhan_need_expired(ctx, need):
    """Recorded."""
    await record("yizhan_need_expired", ctx, need=need["id"], status=need["status"])


@hookimpl
async def yizhan_need_escalated(ctx, need, leaders):
    """Recorded."""
    await record("yizhan_need_escalated", ctx, need=need["id"],
                 leaders=[leader["id"] for leader in leaders])


@hookimpl
async def yizhan_need_reminded(ctx, need, stage):
    """Recorded (with the stage and whether anyone is acting)."""
    await record("yizhan_need_reminded", ctx, need=need["id"], stage=stage,
                 status=need["status"], actor=ctx.actor)


# --- Decisions and delivery -------------------------------------------------------------


@hookimpl
def yizhan_nominate_candidates(ctx, need):
    """Nominate the members a test named for a boost (matching then always scores them)."""
    RECORD.calls.append(Call("yizhan_nominate_candidates", "probe", ctx.community["slug"],
                             db.in_transaction(), {"need": need["id"]}))
    return list(RECORD.boost)


@hookimpl
def yizhan_rank_candidates(ctx, need, candidates):
    """Add the probe's ``boost`` setting to the members a test named."""
    RECORD.calls.append(Call("yizhan_rank_candidates", "probe", ctx.community["slug"],
                             db.in_transaction(), {"need": need["id"]}))
    points = plugin_settings(ctx.community_id, "probe").boost
    for candidate in candidates:
        if candidate.member["id"] in RECORD.boost:
            candidate.add(points * RECORD.boost[candidate.member["id"]], "probe")


@hookimpl
def yizhan_veto(ctx, action, subject):
    """Refuse what a test asked to refuse."""
    RECORD.calls.append(Call("yizhan_veto", "probe", ctx.community["slug"],
                             db.in_transaction(), {"action": action}))
    return RECORD.vetoes.get(action)


@hookimpl
async def yizhan_deliver_notification(notification, text, title):
    """Record the delivery, whether a transaction is still open, and the row's visibility."""
    from yizhan.core.tables import Notification

    stored = await Notification.exists().where(Notification.id == notification["id"])
    RECORD.calls.append(Call("yizhan_deliver_notification", "probe", None,
                             db.in_transaction(),
                             {"id": notification["id"], "kind": notification["kind"],
                              "member": notification["member"], "text": text, "title": title,
                              "stored": stored}))
