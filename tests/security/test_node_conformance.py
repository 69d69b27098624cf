"""Global Object Identification across the whole schema: every built-in type with an id is a
``Node`` that ``node(id:)`` can fetch (core's own types by core, a plugin's through the type's
``load_node`` classmethod). Each plugin's tests prove its ``load_node`` applies the same checks
as its own query."""

from __future__ import annotations

import pytest
from graphql import GraphQLObjectType

from yizhan.core.graphql.schema import build_schema

CORE_TYPES = {"AuditEntry", "Building", "Community", "Member", "Need", "Notice", "Notification"}


def _types_with_ids() -> list[tuple[str, object, object]]:
    schema = build_schema()
    found = []
    for name, graphql_type in sorted(schema._schema.type_map.items()):
        if not isinstance(graphql_type, GraphQLObjectType) or "id" not in graphql_type.fields:
            continue
        origin = getattr(schema.get_type_by_name(name), "origin", None)
        if origin is None or not origin.__module__.startswith("yizhan."):
            continue  # third-party plugins installed for the suite answer for themselves
        found.append((name, graphql_type, origin))
    return found


TYPES = _types_with_ids()


def test_the_schema_has_types_with_ids_to_check() -> None:
    assert len(TYPES) > 20


@pytest.mark.parametrize(("name", "graphql_type", "origin"), TYPES, ids=[t[0] for t in TYPES])
def test_every_type_with_an_id_is_a_node_that_node_can_load(name, graphql_type, origin) -> None:
    assert str(graphql_type.fields["id"].type) == "ID!"
    assert "Node" in [i.name for i in graphql_type.interfaces], f"{name} does not implement Node"
    if name not in CORE_TYPES:
        assert callable(getattr(origin, "load_node", None)), (
            f"{name} has no load_node classmethod for node(id:)")
