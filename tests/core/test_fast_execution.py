"""The fast GraphQL executor answers exactly like graphql-core.

Three layers of proof:

* every operation the test suite sends runs in ``verify`` mode (tests/conftest.py): graphql-core
  executes it with its resolvers recorded, then graphql-core and the fast executor both complete
  the *recorded* resolver results, and a test fails when data or errors (message, path,
  locations, original error, extensions) differ. Resolvers run once, so a mutation's effects
  happen once and both executors complete the same payload;
* here, every GraphQL document written in the test suite (collected from tests/ by reading the
  Python source) is run the same way against a community with data, as an admin, with its
  variables filled from their types — so a document a test only sends under some condition is
  still compared;
* here, a small schema built to misbehave (nulls in non-null fields at every depth, values that
  do not serialise, the wrong object type, refusals with codes, async failures, interfaces,
  fragments, directives, generators) compares the two executors directly, error by error.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import enum
from pathlib import Path
from typing import Any

import pytest
import strawberry
from graphql import (
    GraphQLEnumType,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    OperationDefinitionNode,
    parse,
    type_from_ast,
    validate,
)

from yizhan.core.errors import YizhanError, forbidden
from yizhan.core.graphql import execution
from yizhan.core.graphql.context import Context
from yizhan.core.graphql.errors import ErrorCodes
from yizhan.core.graphql.execution import FastExecutor, compare
from yizhan.core.graphql.ids import to_gid
from yizhan.core.plugins import get_registry
from yizhan.core.services import people

TESTS = Path(__file__).resolve().parents[1]

# --- the misbehaving schema --------------------------------------------------------------


@strawberry.enum
class Colour(enum.Enum):
    """A colour."""

    RED = "red"
    BLUE = "blue"


@strawberry.interface
class Thing:
    """Something with a name."""

    name: str


@strawberry.type
class Leaf(Thing):
    """A leaf of the tree."""

    size: int
    maybe_size: int | None
    colour: Colour
    maybe_colour: Colour | None

    @strawberry.field
    def refused(self) -> str | None:
        """Always refused, with a code."""
        raise forbidden("Not for you.")

    @strawberry.field
    async def later(self) -> str:
        """An async field; fails for the leaf named ``bad``."""
        await asyncio.sleep(0)
        if self.name == "bad":
            raise YizhanError("LATE", "Too late.", kind="permission")
        return self.name.upper()


@strawberry.type
class Other:
    """Not a leaf."""

    name: str


@strawberry.type
class Branch:
    """A branch with leaves."""

    name: str
    leaves: list[Leaf]
    maybe_leaves: list[Leaf | None] | None
    first: Leaf
    maybe_first: Leaf | None
    things: list[Thing]
    tags: list[str]


def leaf(name: str, size: Any = 1, colour: Any = Colour.RED) -> Leaf:
    return Leaf(name=name, size=size, maybe_size=size, colour=colour, maybe_colour=colour)


GOOD = [leaf("a"), leaf("b", 2, Colour.BLUE)]
GONE = leaf("gone")  # an object missing an attribute its type promises
del GONE.maybe_size
BRANCHES = {
    "good": Branch(name="good", leaves=GOOD, maybe_leaves=[*GOOD, None], first=GOOD[0],
                   maybe_first=None, things=list(GOOD), tags=["x", "y"]),
    # a null where a non-null is due, deep inside a list of non-null items
    "null_size": Branch(name="null", leaves=[leaf("a"), leaf("n", None)],
                        maybe_leaves=[leaf("n", None)], first=leaf("n", None),
                        maybe_first=leaf("n", None), things=[], tags=[]),
    # values that do not serialise
    "bad_values": Branch(name="bad", leaves=[leaf("s", "many"), leaf("c", colour="green")],
                         maybe_leaves=[leaf("s", "many"), GONE, leaf("f", 1.5)],
                         first=leaf("c", colour="green"),
                         maybe_first=leaf("s", 2**40), things=[leaf("x")], tags=[1, None]),
    # the wrong object type, an async failure, a tuple and a generator for lists
    "wrong": Branch(name="wrong", leaves=(leaf("bad"), leaf("ok")),
                    maybe_leaves=[Other(name="o")], first=Other(name="o"),  # type: ignore
                    maybe_first=leaf("bad"), things=[Other(name="o")],  # type: ignore
                    tags=(t for t in ["g"])),  # type: ignore
    "missing": Branch(name=None, leaves=None, maybe_leaves=None, first=None,  # type: ignore
                      maybe_first=None, things=None, tags=None),  # type: ignore
}


@strawberry.type
class Query:
    """Root."""

    @strawberry.field
    def branch(self, name: str) -> Branch | None:
        """One branch."""
        return BRANCHES[name]

    @strawberry.field
    def sure_branch(self, name: str) -> Branch:
        """One branch, non-null."""
        return BRANCHES[name]

    @strawberry.field
    async def branches(self) -> list[Branch | None]:
        """Every branch."""
        return list(BRANCHES.values())


def _schema(executor: type | None) -> strawberry.Schema:
    return strawberry.Schema(query=Query, types=[Leaf, Other], extensions=[ErrorCodes],
                             execution_context_class=executor)


PLAIN, FAST = _schema(None), _schema(FastExecutor)

FIELDS = """name size maybeSize colour maybeColour refused later ... on Thing { name }
            __typename"""
DOCUMENTS = [
    f"{{ branch(name: \"{name}\") {{ name tags leaves {{ {FIELDS} }} maybeLeaves {{ {FIELDS} }}"
    f" first {{ {FIELDS} }} maybeFirst {{ {FIELDS} }} things {{ name __typename"
    f" ... on Leaf {{ size }} }} }} }}"
    for name in BRANCHES
] + [
    f'{{ sureBranch(name: "{name}") {{ name first {{ size }} }} other: branch(name: "good")'
    f" {{ name }} }}" for name in BRANCHES
] + [
    f"{{ branches {{ name leaves {{ {FIELDS} }} maybeFirst {{ later maybeSize }} }} }}",
    """query ($skip: Boolean!) { branch(name: "good") { a: name b: name
         leaves { ...L x: size @skip(if: $skip) y: colour @include(if: $skip) } } }
       fragment L on Leaf { name size }""",
]


@pytest.mark.parametrize("document", DOCUMENTS)
async def test_fast_executor_completes_like_graphql_core(document: str) -> None:
    results = []
    for schema in (PLAIN, FAST):
        results.append(await schema.execute(document, variable_values={"skip": True},
                                            context_value=Context()))
    plain, fast = results
    assert plain.errors or plain.data  # the case says something
    assert compare(plain, fast) is None, compare(plain, fast)


async def test_the_misbehaving_schema_covers_every_error_behaviour() -> None:
    """The cases above really do bubble nulls, refuse with codes and keep partial data."""

    async def run(document: str) -> tuple[Any, list[tuple]]:
        result = await FAST.execute(document, context_value=Context())
        return result.data, [(e.path, e.extensions["code"]) for e in result.errors]

    data, errors = await run(DOCUMENTS[0])  # partial data: refusals null their own field
    assert data["branch"]["leaves"][1] == {
        "name": "b", "size": 2, "maybeSize": 2, "colour": "BLUE", "maybeColour": "BLUE",
        "refused": None, "later": "B", "__typename": "Leaf"}
    assert (["branch", "first", "refused"], "FORBIDDEN") in errors
    data, errors = await run(DOCUMENTS[1])  # a null size bubbles up to the nullable branch
    assert data == {"branch": None}
    assert (["branch", "leaves", 1, "size"], "INTERNAL_ERROR") in errors
    data, errors = await run(DOCUMENTS[3])  # the wrong object type
    assert data == {"branch": None}
    assert (["branch", "first"], "INTERNAL_ERROR") in errors
    data, errors = await run(DOCUMENTS[-2])  # async failures inside a list of branches
    assert (["branches", 3, "leaves", 0, "later"], "LATE") in errors or (
        ["branches", 3, "maybeFirst", "later"], "LATE") in errors
    assert data["branches"][0]["name"] == "good"


async def test_verify_mode_catches_a_fast_executor_that_differs(monkeypatch) -> None:
    """The suite-wide check is live: a fast executor that changes a value is reported."""
    monkeypatch.setattr(FastExecutor, "_complete", lambda self, t, f, p, r: "changed")
    schema = _schema(None)
    schema._get_execute_function = lambda: execution.verifying_execute  # type: ignore
    before = len(execution.MISMATCHES)
    result = await schema.execute('{ branch(name: "good") { leaves { name } } }',
                                  context_value=Context())
    assert result.data["branch"]["leaves"][0] == {"name": "a"}  # graphql-core's answer
    assert len(execution.MISMATCHES) == before + 1
    execution.MISMATCHES.pop()


# --- every document of the test suite ----------------------------------------------------


def suite_documents() -> list[str]:
    """GraphQL operations written as string literals (and f-strings, placeholders filled)
    in the test suite's Python files."""
    found: dict[str, None] = {}
    for path in sorted(TESTS.rglob("*.py")):
        try:
            tree = ast.parse(path.read_text())
        except SyntaxError:  # pragma: no cover
            continue
        for node in ast.walk(tree):
            text = None
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value
            elif isinstance(node, ast.JoinedStr):
                text = "".join(v.value if isinstance(v, ast.Constant) else '"X"'
                               for v in node.values)
            if not text or "{" not in text or not any(
                    word in text for word in ("query", "mutation", "{ ")):
                continue
            try:
                document = parse(text)
            except GraphQLError:
                continue
            if any(isinstance(d, OperationDefinitionNode) and d.operation.value != "subscription"
                   for d in document.definitions):
                found[text] = None
    return list(found)


def _value_for(type_: Any, name: str, ids: dict[str, str]) -> Any:
    if isinstance(type_, GraphQLNonNull):
        return _value_for(type_.of_type, name, ids)
    if isinstance(type_, GraphQLList):
        return [_value_for(type_.of_type, name, ids)]
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLInputObjectType):
        return {key: _value_for(field.type, key, ids) for key, field in type_.fields.items()
                if isinstance(field.type, GraphQLNonNull)}
    if isinstance(type_, GraphQLScalarType):
        lowered = name.lower()
        if type_.name == "ID":
            for kind, gid in ids.items():
                if kind.lower() in lowered:
                    return gid
            return ids["need"]
        if type_.name == "String":
            return "testville" if "community" in lowered or lowered in ("c", "slug") else "x"
        return {"Int": 3, "Float": 1.5, "Boolean": False}.get(type_.name, "2026-11-02")
    return None


async def test_every_document_of_the_suite_runs_alike_on_both_executors(
        app, admin, resident, community, enable_plugin) -> None:
    from yizhan.core.graphql.schema import build_schema

    documents = suite_documents()
    assert len(documents) > 100, len(documents)  # the collector still finds the suite's
    for name in get_registry().order:
        if name != "core":
            with contextlib.suppress(YizhanError):  # a plugin another one needs comes first
                await enable_plugin(community, name)
    posted = await resident.gql.data(
        """mutation ($c: String!) { postNeed(input: {community: $c, title: "Shopping",
           category: "errand", windowStart: "2026-11-03T10:00:00+08:00",
           windowEnd: "2026-11-03T12:00:00+08:00", estimatedMinutes: 30}) {
           need { id } errors { code } } }""", {"c": "testville"})
    ids = {"need": posted["postNeed"]["need"]["id"], "member": resident.id,
           "building": to_gid("Building", community["buildings"]["A"]["id"])}
    schema = build_schema()
    schema.verify_execution = True  # whatever YIZHAN_GRAPHQL_EXECUTION says
    token = (await people.create_login_token(admin.person["id"]))[0]
    ran = answered = 0
    for text in documents:
        document = parse(text)
        if validate(schema._schema, document):
            continue
        variables = {}
        for definition in document.definitions:
            for var in getattr(definition, "variable_definitions", None) or ():
                type_ = type_from_ast(schema._schema, var.type)
                variables[var.variable.name.value] = _value_for(type_, var.variable.name.value,
                                                                ids)
        caller = Context(connection_params={"authorization": f"Bearer {token}",
                                            "accept-language": "en"})
        result = await schema.execute(text, variable_values=variables, context_value=caller)
        if any(word in text for word in ("logout", "revoke", "Token")):  # it may end ours
            token = (await people.create_login_token(admin.person["id"]))[0]
        ran += 1
        answered += bool(result.data) and not result.errors
    assert ran > 200 and answered > 200, (ran, answered)  # most get past their refusals
    assert not execution.MISMATCHES  # also checked after every test by tests/conftest.py
