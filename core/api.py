"""The public API of core for plugin authors: import from here, nothing else is promised.

Everything a plugin needs — the hook marker and spec, errors, the transaction, the clock,
community and member look-ups, the notice board, notifications, the outbox, GraphQL helpers —
is re-exported here, so core can move its insides without breaking plugins.
"""

from __future__ import annotations

from yizhan.core.errors import (
    plugin_disabled,
)
from yizhan.core.services.communities import (
    get_community,
    get_community_by_id,
)
from yizhan.core.switches import switches


async def community_with_plugin(slug_or_id: str | int, plugin: str) -> dict:
    """A community row (by slug or id), refused with PLUGIN_DISABLED where ``plugin`` is off."""
    community = (await get_community_by_id(slug_or_id) if isinstance(slug_or_id, int)
                 else await get_community(slug_or_id))
    if not switches.enabled(community["id"], plugin):
        raise plugin_disabled(plugin)
    return community


def plugin_settings(community_id: int, plugin: str):
    """``plugin``'s validated settings in a community."""
    return switches.settings(community_id, plugin)


__all__ = [name for name in dir() if not name.startswith("_")]
