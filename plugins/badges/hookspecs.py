"""Hooks the badges plugin offers to other plugins (added through ``yizhan_register_hookspecs``).

Only plugins enabled in the community are called.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("yizhan")


@hookspec
def yizhan_badges_upheld_disputes(ctx: Any, member_ids: list[int], start: datetime,
                                  end: datetime) -> list[int] | None:
    """Which of ``member_ids`` had a dispute upheld against them (as the helper) that was
    decided in ``[start, end)`` in ``ctx.community``.

    Called by the mutual-aid star sweep and the leaderboards: a member any plugin names here is
    not eligible for that period. Return the member ids (or None for none). Every enabled
    implementation is asked and the answers are joined; an implementation may be ``async``.
    A disputes plugin is the expected implementer.
    """
