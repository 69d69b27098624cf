"""Hooks the disputes plugin offers to other plugins (added through
``yizhan_register_hookspecs``). Only plugins enabled in the dispute's community are called."""

from __future__ import annotations

from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("yizhan")


@hookspec
def yizhan_dispute_decided(ctx: Any, dispute: dict, outcome: str) -> None:
    """A dispute was decided — by its mediator, an admin, or the deadline's default outcome
    (``ctx.actor`` None) — or an admin overturned its decision (called again with the new
    outcome). ``dispute`` is the row as written (``need``, ``helper``, ``requester``,
    ``category``, ``outcome``, ``compensation_centi``, ``redo_need`` …); ``outcome`` is
    ``redo``, ``compensate``, ``redo_and_compensate`` (upheld) or ``dismissed``.

    Called inside the decision's transaction: raising refuses the decision. An
    implementation may be ``async``. Badges flags an upheld dispute's certified expert for
    re-check here.
    """
