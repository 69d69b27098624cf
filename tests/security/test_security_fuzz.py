"""A bounded property-based fuzz: hypothesis builds operations for every root field of the
schema with arguments drawn from their GraphQL input types (valid values, edge values and
garbage), sends them to the app as an anonymous caller and as an admin, and asserts the answer
is never a 5xx, never ``INTERNAL_ERROR`` and never a traceback."""

from __future__ import annotations

import asyncio
import json
import time

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLUnionType,
    get_named_type,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yizhan.core.graphql.ids import to_gid
from yizhan.core.graphql.schema import build_schema

#: Wall-clock budget of the whole fuzz (the suite must stay quick).
BUDGET_SECONDS = 45
EXAMPLES = 300

TEXT = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["testville", "", " ", "A", "\u202e", "\u0085", "\x00", "9" * 50,
                     "resident1", "zh_Hans", "errand", "1e2", "١", "Need:1", "\U0001f600"]),
)
GIDS = st.one_of(
    st.sampled_from([to_gid(t, n) for t in ("Need", "Member", "Building", "Community",
                                            "Notice", "Notification", "CreditVoucher",
                                            "Merchant", "Webhook", "BadgeDefinition")
                     for n in (1, 2, 3, 2**63)]),
    st.text(max_size=10),
)
SCALARS = {
    "String": TEXT,
    "ID": GIDS,
    "Int": st.one_of(st.integers(-(2**31), 2**31 - 1), st.sampled_from([0, 1, -1, 100, 101])),
    "Float": st.floats(allow_nan=False, allow_infinity=False),
    "Boolean": st.booleans(),
    "Credits": st.one_of(st.sampled_from(["0", "0.20", "1", "10.00", "-1", "1e2", "0.001",
                                          " 1", "99999999999"]), st.text(max_size=6)),
    "Yuan": st.sampled_from(["0", "1.50", "-1", "1e9", "abc", "100000000"]),
    "Date": st.one_of(st.dates().map(str), st.sampled_from(["2026-11-02", "0001-01-01",
                                                            "9999-12-31", "x"])),
    "DateTime": st.one_of(
        st.datetimes().map(lambda d: d.isoformat() + "Z"),
        st.sampled_from(["2026-11-02T10:00:00+08:00", "9999-12-31T23:59:59-12:00",
                         "0001-01-01T00:00:00+14:00", "tomorrow"])),
    "JSON": st.one_of(st.none(), st.integers(), st.text(max_size=5),
                      st.dictionaries(st.text(max_size=5), st.integers(), max_size=2)),
}


def value_of(type_, depth: int = 0):
    """A strategy for a value of an input type (sometimes of the wrong shape: garbage)."""
    if isinstance(type_, GraphQLNonNull):
        return value_of(type_.of_type, depth)
    inner = _value_of(type_, depth)
    return st.one_of(inner, st.none()) if depth < 3 else inner


def _value_of(type_, depth: int):
    if isinstance(type_, GraphQLList):
        return st.lists(value_of(type_.of_type, depth + 1), max_size=3)
    if isinstance(type_, GraphQLEnumType):
        return st.one_of(st.sampled_from(list(type_.values)), st.just("NOPE"))
    if isinstance(type_, GraphQLInputObjectType):
        if depth > 3:
            return st.just({})
        fields = {name: value_of(f.type, depth + 1) for name, f in type_.fields.items()}
        return st.fixed_dictionaries({}, optional=fields)
    if isinstance(type_, GraphQLScalarType):
        return SCALARS.get(type_.name, TEXT)
    return st.none()


def selection(type_) -> str:
    named = get_named_type(type_)
    if isinstance(named, GraphQLObjectType | GraphQLUnionType) or hasattr(named, "fields"):
        return " { __typename }"
    return ""


def operations(schema) -> list[tuple[str, str, dict]]:
    """(kind, field, {arg: (type string, strategy)}) for every root field."""
    found = []
    for kind, root in (("query", schema.query_type), ("mutation", schema.mutation_type)):
        for name, field in root.fields.items():
            found.append((kind, name, field))
    return found


def operation_strategy(schema):
    @st.composite
    def build(draw):
        kind, name, field = draw(st.sampled_from(operations(schema)))
        variables, declared, passed = {}, [], []
        for arg_name, arg in field.args.items():
            if not isinstance(arg.type, GraphQLNonNull) and draw(st.booleans()):
                continue
            variables[arg_name] = draw(value_of(arg.type))
            declared.append(f"${arg_name}: {arg.type}")
            passed.append(f"{arg_name}: ${arg_name}")
        head = f"{kind}({', '.join(declared)})" if declared else kind
        args = f"({', '.join(passed)})" if passed else ""
        return f"{head} {{ {name}{args}{selection(field.type)} }}", variables

    return build()


async def test_fuzzed_operations_never_fail_on_our_side(app, community, admin, enable_plugin):
    for plugin in ("credits", "badges", "webhooks", "merchants"):
        await enable_plugin(community, plugin)
    schema = build_schema()._schema
    loop = asyncio.get_running_loop()
    started = time.monotonic()
    seen: list[str] = []

    def send(document: str, variables: dict, token: str | None) -> tuple[int, str]:
        headers = {"content-type": "application/json", "accept-language": "en"}
        if token:
            headers["authorization"] = f"Bearer {token}"
        future = asyncio.run_coroutine_threadsafe(app.post(
            "/graphql", content=json.dumps({"query": document, "variables": variables}),
            headers=headers), loop)
        response = future.result(timeout=60)
        return response.status_code, response.text

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(operation_strategy(schema), st.booleans())
    def fuzz(operation, as_admin):
        if time.monotonic() - started > BUDGET_SECONDS:
            return
        document, variables = operation
        status, text = send(document, variables, admin.token if as_admin else None)
        seen.append(document.split("{")[1].split("(")[0].strip())
        assert status < 500, (document, variables, text)
        assert "INTERNAL_ERROR" not in text, (document, variables, text)
        assert "Traceback" not in text, (document, variables, text)

    await asyncio.to_thread(fuzz)
    assert len(seen) >= 100 and len(set(seen)) >= 20, (len(seen), sorted(set(seen)))
