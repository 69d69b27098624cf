"""Emitting domain events and asking decision hooks, for one community at a time.

Hooks of plugins that are off in the community are not called (pluggy's subset callers,
cached per set of disabled plugins).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from yizhan.core import audit, clock
from yizhan.core.errors import YizhanError
from yizhan.core.plugins import Veto, await_all, get_registry
from yizhan.core.switches import switches


@dataclass
class EventContext:
    """What every domain-event and decision hook receives.

    ``community`` is the community row (a dict with ``id``, ``slug``, ``time_zone`` …),
    ``actor`` the member row acting (None for the CLI, jobs and services), ``now`` the clock's
    time when the action started, ``operator`` how the action came in (an
    :class:`~yizhan.core.audit.Operator`: through the API with a login or service token, the CLI
    with the operator's name, or the system) — what the audit log records besides the actor.
    """

    community: dict[str, Any]
    actor: dict[str, Any] | None = None
    now: datetime = field(default_factory=clock.now)
    operator: audit.Operator = field(default_factory=audit.current)

    @property
    def community_id(self) -> int:
        """The community's id."""
        return self.community["id"]

    def enabled(self, plugin: str) -> bool:
        """True if ``plugin`` is on in this community."""
        return switches.enabled(self.community_id, plugin)

    def settings(self, plugin: str) -> Any:
        """``plugin``'s validated settings in this community."""
        return switches.settings(self.community_id, plugin)


def hook(ctx: EventContext, name: str, *, extra_enabled: str | None = None,
         all_installed: bool = False) -> Any:
    """The caller for hook ``name`` restricted to plugins on in ``ctx.community``.

    ``extra_enabled`` counts one more plugin as on (the one being switched on);
    ``all_installed`` calls every installed plugin (a new community has nothing on yet).
    """
    if all_installed:
        return get_registry().caller(name, frozenset())
    disabled = switches.disabled(ctx.community_id)
    if extra_enabled and extra_enabled in disabled:
        disabled = disabled - {extra_enabled}
    return get_registry().caller(name, disabled)


async def emit(ctx: EventContext, name: str, *, extra_enabled: str | None = None,
               all_installed: bool = False, **kwargs: Any) -> list[Any]:
    """Call domain event ``name`` for the enabled plugins and await async implementations,
    and append it to the audit log (in the same transaction)."""
    caller = hook(ctx, name, extra_enabled=extra_enabled, all_installed=all_installed)
    results = await await_all(caller(ctx=ctx, **kwargs))
    await audit.record_event(ctx, name, kwargs)
    return results


def check_veto(ctx: EventContext, action: str, subject: dict[str, Any]) -> None:
    """Ask the veto hook about ``action``; raise the first veto as a :class:`YizhanError`."""
    veto: Veto | None = hook(ctx, "yizhan_veto")(ctx=ctx, action=action, subject=subject)
    if veto is not None:
        raise YizhanError(veto.code, veto.message, kind="user", **veto.params)
