"""``clash``: defines the root field ``probeEcho`` that ``probe`` already defines."""

from __future__ import annotations

import strawberry

from yizhan.core.api import GraphQLContribution, PluginSpec, hookimpl

PLUGIN = PluginSpec(name="clash", version="0.0.1", description="Clashes with probe.")


@strawberry.type
class ClashQuery:
    """The clashing root field."""

    @strawberry.field
    def probe_echo(self, community: str, text: str) -> str:
        return text


@hookimpl
def yizhan_register_graphql():
    """Contributes ``probeEcho`` again."""
    return GraphQLContribution(query=ClashQuery)
