"""Every hook of the Yizhan plugin contract.

Three kinds:

* **Registration** hooks are called once when the platform starts (or the CLI loads). Their
  names start ``yizhan_register_``; each plugin's answer is kept under the plugin's name.
* **Domain events** are called inside the database transaction of the action that caused them,
  so whatever a plugin writes commits or rolls back with the action. They are called only for
  plugins enabled in the action's community. An implementation may be ``async``; the caller
  awaits it. Raising a :class:`~yizhan.core.errors.YizhanError` refuses the whole action.
* **Decisions** let plugins steer core: re-rank candidates for a need, veto an action.

Order: pluggy calls the most recently registered plugin first. Yizhan registers plugins in
dependency order (a plugin after those it ``requires``), so a dependent plugin sees an event
before the plugin it depends on. Do not rely on order between unrelated plugins.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from yizhan.core.deadlines import Deadline
    from yizhan.core.events import EventContext
    from yizhan.core.indicators import Indicator
    from yizhan.core.jobs import Job
    from yizhan.core.matching import Candidate
    from yizhan.core.metrics import MetricGauge
    from yizhan.core.plugins import Veto

hookspec = pluggy.HookspecMarker("yizhan")


# --- Registration -----------------------------------------------------------------------


@hookspec
def yizhan_register_graphql() -> Any:
    """Contribute GraphQL root fields. Called once when the schema is built.

    Return a :class:`~yizhan.core.graphql.contributions.GraphQLContribution` with optional
    ``query``, ``mutation`` and ``subscription`` Strawberry types (their fields are merged into
    the roots) and ``types`` (extra types to include). A root field already defined by another
    plugin is an error naming both plugins. Resolvers must call ``info.context.require_plugin``
    (or load the community with ``info.context.plugin_community(slug, plugin)``, or an object
    with ``object_in_community`` of :mod:`yizhan.core.api`) so the field answers
    ``PLUGIN_DISABLED`` where the plugin is off.
    """


@hookspec
def yizhan_register_commands(app: Any) -> None:
    """Add Typer commands or sub-apps to the ``yizhan`` CLI ``app``. Called when the CLI starts.

    Return nothing; call ``app.add_typer(...)`` or ``app.command()(...)``.
    """


@hookspec
def yizhan_register_piccolo_app() -> str | None:
    """Return the dotted path of the module holding the plugin's Piccolo ``APP_CONFIG``.

    Its tables and migrations join the registry: ``yizhan db migrate`` migrates them.
    """


@hookspec
def yizhan_register_settings() -> Any:
    """Return the plugin's per-community settings model: a pydantic ``BaseModel`` subclass.

    Every field needs a default; validation errors are shown to the admin who sets a value.
    """


@hookspec
def yizhan_register_jobs() -> list[Job] | None:
    """Return periodic :class:`~yizhan.core.jobs.Job` objects (name, interval, async function).

    Jobs run in the server's background loop and in ``yizhan jobs run``; a lease row makes sure
    two processes never run the same job at once. Jobs must be idempotent sweeps of what is due.
    """


@hookspec
def yizhan_register_indicators() -> list[Indicator] | None:
    """Return the plugin's :class:`~yizhan.core.indicators.Indicator` objects: named figures
    (key, titles in Chinese and English, unit, definition) each computed for one community — or
    the whole deployment — over a period, with SQL aggregates.

    Called once when the registry loads; a key already contributed by another plugin is an error
    naming both. Indicators of a plugin that is off in a community are not computed there. The
    insights plugin shows, stores and charts them.
    """


@hookspec
def yizhan_register_metrics() -> list[MetricGauge] | None:
    """Return :class:`~yizhan.core.metrics.MetricGauge` objects: gauges measured at each scrape
    of ``GET /metrics`` (a backlog, a queue length). Called at every scrape; ``compute`` may be
    async and should be one cheap SQL aggregate. A gauge that raises is logged and skipped."""


@hookspec
def yizhan_register_exports() -> dict[str, Any] | None:
    """Return ``{name: export}`` for ``yizhan export NAME -c SLUG -o FILE``: ``export(community)``
    is an async generator of CSV rows (lists), the header first, reading the community's rows
    page by page (never all at once). Core has ``members`` and ``needs``; the credits plugin
    adds ``ledger``. Called when the command runs."""


@hookspec
def yizhan_register_checks() -> list[Any] | None:
    """Return :class:`~yizhan.core.checks.Check` objects that ``yizhan check`` runs: each looks
    at the deployment (settings, database, backlog) and returns findings — a stable code, a
    level (``critical`` or ``warning``), what is wrong and a one-line fix."""


@hookspec
def yizhan_register_routes() -> list[Any] | None:
    """Return Litestar route handlers for plain HTTP pages (public credential URLs, a proof
    page behind a QR code). Called once when the app is built. Paths must start with
    ``/<plugin name>/``; the handler must check the community's switch itself (use
    :func:`yizhan.core.api.community_with_plugin`)."""


@hookspec
def yizhan_register_hookspecs(pm: pluggy.PluginManager) -> None:
    """Add the plugin's own hook specifications (``pm.add_hookspecs(module)``), as pytest's
    ``addhooks`` does. Called before any other plugin is registered."""


# --- Domain events (inside the action's transaction) -------------------------------------


@hookspec
def yizhan_community_created(ctx: EventContext, community: Any) -> None:
    """A community was created. ``community`` is the row (a dict).

    Unlike the other domain events this one reaches every installed plugin, since nothing is
    switched on in a brand-new community yet (e.g. a deployment policy plugin may switch on a
    default set of plugins here, inside the same transaction).
    """


@hookspec
def yizhan_plugin_enabled(ctx: EventContext, plugin: str) -> None:
    """``plugin`` was switched on in ``ctx.community``: set up its accounts or defaults."""


@hookspec
def yizhan_plugin_disabled(ctx: EventContext, plugin: str) -> None:
    """``plugin`` was switched off in ``ctx.community``. Called for the plugins still on
    (the plugin being switched off is called too, so it can tidy up); its deadlines wait."""


@hookspec
def yizhan_member_joined(ctx: EventContext, member: dict) -> None:
    """A person asked to join ``ctx.community`` (status ``pending``)."""


@hookspec
def yizhan_member_declined(ctx: EventContext, member: dict, reason: str) -> None:
    """A leader or admin declined ``member``'s request to join, saying ``reason``."""


@hookspec
def yizhan_member_left(ctx: EventContext, member: dict, removed_by: dict | None) -> None:
    """``member`` left ``ctx.community`` or was removed by a leader or admin: ``member['status']``
    is ``left`` or ``removed``; ``removed_by`` is the remover's member row (None when the
    member left, or when the admin CLI removed them). The row stays; core refuses while the
    member has needs open, and plugins close what else the member still has."""


@hookspec
def yizhan_member_role_changed(ctx: EventContext, member: dict, previous_role: str) -> None:
    """``member``'s role changed from ``previous_role`` to ``member['role']``."""


@hookspec
def yizhan_member_verified(ctx: EventContext, member: dict, verifier: dict | None) -> None:
    """A leader or admin verified ``member`` by real name (``verifier`` is None from the CLI)."""


@hookspec
def yizhan_need_posted(ctx: EventContext, need: dict) -> None:
    """A need was posted (possibly by a leader on a member's behalf: see ``posted_by``)."""


@hookspec
def yizhan_need_accepted(ctx: EventContext, need: dict) -> None:
    """A helper accepted ``need`` (``need['helper']`` is set). Refuse by raising, e.g. when
    the payer cannot cover the credits."""


@hookspec
def yizhan_need_withdrawn(ctx: EventContext, need: dict, helper: int) -> None:
    """The helper ``helper`` withdrew their acceptance; the need is open again."""


@hookspec
def yizhan_need_done(ctx: EventContext, need: dict) -> None:
    """The helper marked ``need`` done; it waits for the requester's confirmation."""


@hookspec
def yizhan_need_confirmed(ctx: EventContext, need: dict) -> None:
    """``need`` was confirmed — by the requester (or someone allowed to confirm for them), or
    automatically by core (``ctx.actor`` None) when nobody confirmed or objected in time: the
    help happened. Credits pay here."""


@hookspec
def yizhan_need_cancelled(ctx: EventContext, need: dict, previous_status: str) -> None:
    """``need`` was cancelled from ``previous_status`` (``open`` or ``accepted``; ``done`` when
    a plugin settled it that way, e.g. a dispute's outcome)."""


@hookspec
def yizhan_need_expired(ctx: EventContext, need: dict) -> None:
    """Nobody took ``need`` before its window ended; the sweep closed it."""


@hookspec
def yizhan_need_escalated(ctx: EventContext, need: dict, leaders: list[dict]) -> None:
    """Nobody accepted ``need`` in time; its building ``leaders`` were notified."""


@hookspec
def yizhan_need_reminded(ctx: EventContext, need: dict, stage: str) -> None:
    """Core reminded someone about ``need`` (the notifications are written). ``stage``:
    ``confirm`` (the requester, before the automatic confirmation), ``overdue_helper`` (an
    accepted need's time passed), ``overdue_leader`` (its building's leaders, who may mark it
    done for the helper or cancel it), ``second_leader`` (a need whose poster helped waits for
    another leader's confirmation)."""


@hookspec
def yizhan_seed_demo(ctx: EventContext, members: dict[str, dict]) -> None:
    """``yizhan demo`` built its community: add the plugin's demo data (shops, badges …).

    Called once, inside the demo's transaction, after core's people and needs exist and every
    installed plugin was switched on. ``members`` maps the demo's usernames (``sun``, ``wang``,
    ``zhao``, ``zhang``, ``li``, ``chen``, ``liu``) to their member rows.
    """


@hookspec
def yizhan_deadline_due(ctx: EventContext, deadline: Deadline) -> None:
    """A :class:`~yizhan.core.deadlines.Deadline` the plugin scheduled has fallen due.

    Called only for the plugin that scheduled it (``deadline.plugin``), exactly once, inside a
    transaction of its own, within one sweep interval after ``deadline.due_at`` — also with
    several processes sweeping and for deadlines that fell due while every process was down.
    Raising rolls the transaction back and the deadline is tried again later (after 1, 2, 4 …
    minutes, at most ten times). Deadlines of a plugin that is off in the community wait until
    it is on again. ``ctx.actor`` is None and ``ctx.now`` the sweep's time.
    """


# --- Decisions --------------------------------------------------------------------------


@hookspec
def yizhan_rank_candidates(ctx: EventContext, need: dict, candidates: list[Candidate]) -> None:
    """Adjust the ranking of helpers for ``need``: add to ``candidate.score`` and append to
    ``candidate.reasons``. Every enabled plugin is called; core sorts by score afterwards.
    An implementation may be ``async`` (e.g. to read its own tables); core awaits it."""


@hookspec
def yizhan_nominate_candidates(ctx: EventContext, need: dict) -> list[int]:
    """Member ids worth scoring as helpers for ``need`` beyond core's own pool (members with
    the skill, of the building, free in the window, and the lowest ids). Core never scores
    every member of a large community, so a plugin whose ``yizhan_rank_candidates`` boosts
    members for its own reasons names them here (e.g. badges: certified experts of the need's
    category). Return a short list (at most a few hundred); ids not verified in the need's
    community, and the requester, are dropped. May be ``async``."""


@hookspec(firstresult=True)
def yizhan_veto(ctx: EventContext, action: str, subject: dict) -> Veto | None:
    """Refuse ``action`` on ``subject`` (a need or member row, or the values of one to be made).

    Actions: ``need.post``, ``need.accept``, ``need.withdraw``, ``need.done``,
    ``need.confirm``, ``need.auto_confirm``, ``need.cancel``, ``member.join``,
    ``member.verify``, ``member.decline``, ``member.role``, ``member.leave``,
    ``member.remove``. A plugin may hold a need this way (an open dispute blocks its
    confirmation, manual or automatic, until it is decided).

    Return a :class:`~yizhan.core.plugins.Veto` (code and message) to refuse, or None to let it
    pass. The first veto wins. Called inside the action's transaction, before anything is
    written. Must not be ``async`` (a coroutine is never None, so it would always win): such a
    plugin is refused when it loads.
    """


# --- Delivery ---------------------------------------------------------------------------


@hookspec
def yizhan_deliver_notification(notification: dict, text: str, title: str) -> None:
    """Deliver a notification through another channel (SMS, WeChat, e-mail).

    Called after the action committed (never for one that rolled back), once per
    notification, for the plugins on in the notification's community, with its ``title`` and
    ``text`` rendered in the recipient's language (their own, else their community's). An
    implementation may be ``async``. The in-app inbox is always written; an exception here is
    logged and never undoes it.
    """
