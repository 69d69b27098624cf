"""Schema descriptions from Python docstrings: one place to document an API type or field.

A client reads the schema's descriptions (GraphiQL, ``schema.graphql``, generated clients); a
developer reads the Python. Rather than writing both, a description the code does not give
explicitly (``strawberry.field(description=…)``, ``strawberry.type(description=…)``) is taken
from the docstrings, after the schema is built:

- a type, input or enum: its class docstring;
- a field with a resolver: the resolver's docstring up to its first section; its arguments from
  the ``Args:`` section (Google style, ``name: text``, continued on indented lines);
- a plain field, input field or enum value: the *attribute docstring*, the string literal on
  the line after the attribute (the convention Sphinx and PEP 257 use)::

      @strawberry.type
      class Need(Node):
          \"\"\"Something a resident asked neighbours to do.\"\"\"

          title: str
          \"\"\"What is needed, in the requester's words.\"\"\"

Plugins get this for free: their types are in the same schema.
"""

from __future__ import annotations

import ast
import inspect
import re
import sys
from enum import Enum
from functools import cache

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
)
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.enum import StrawberryEnumDefinition

_SECTION = re.compile(r"^(Args|Arguments|Returns|Raises|Yields|Example|Examples|Note):\s*$")
_ARG = re.compile(r"^(\w+)(?: \([^)]*\))?:\s*(.*)$")


def _clean(text: str | None) -> str | None:
    if not text:
        return None
    return inspect.cleandoc(text).strip() or None


def own_docstring(cls: type) -> str | None:
    """The class's own docstring (not inherited, not the one ``dataclass`` makes up)."""
    doc = cls.__dict__.get("__doc__")
    if not doc or doc.startswith(f"{cls.__name__}("):
        return None
    return _clean(doc)


def split_docstring(doc: str | None) -> tuple[str | None, dict[str, str]]:
    """A docstring's text before its first section, and the ``Args:`` entries by name."""
    if not doc:
        return None, {}
    summary: list[str] = []
    args: dict[str, str] = {}
    section = current = None
    entry_indent = None
    for line in inspect.cleandoc(doc).splitlines():
        indent = len(line) - len(line.lstrip())
        header = _SECTION.match(line.strip())
        if header and indent == 0:
            section, current, entry_indent = header.group(1), None, None
        elif section is None:
            summary.append(line)
        elif section in ("Args", "Arguments") and line.strip():
            entry = _ARG.match(line.strip())
            if entry and (entry_indent is None or indent <= entry_indent):
                entry_indent = indent
                current = entry.group(1)
                args[current] = entry.group(2).strip()
            elif current:
                args[current] = f"{args[current]} {line.strip()}"
    return _clean("\n".join(summary)), args


def _docstrings_in_body(body: list[ast.stmt]) -> dict[str, str]:
    found = {}
    for statement, following in zip(body, body[1:], strict=False):
        name = None
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            name = statement.target.id
        elif (isinstance(statement, ast.Assign) and len(statement.targets) == 1
              and isinstance(statement.targets[0], ast.Name)):
            name = statement.targets[0].id
        if (name and isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)):
            text = _clean(following.value.value)
            if text:
                found[name] = text
    return found


@cache
def _module_attribute_docstrings(module_name: str) -> dict[str, dict[str, str]]:
    """Attribute docstrings of every class in a module by qualified name (parsed once)."""
    module = sys.modules.get(module_name)
    try:
        tree = ast.parse(inspect.getsource(module))
    except (OSError, TypeError, SyntaxError):
        return {}
    classes: dict[str, dict[str, str]] = {}

    def visit(body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, ast.ClassDef):
                classes[prefix + node.name] = _docstrings_in_body(node.body)
                visit(node.body, f"{prefix}{node.name}.")

    visit(tree.body, "")
    return classes


def attribute_docstrings(cls: type) -> dict[str, str]:
    """``{attribute: docstring}`` for the string literals after attributes in the class body,
    base classes included (a subclass's own wins)."""
    found: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if klass is object or klass.__module__ == "builtins":
            continue
        found.update(_module_attribute_docstrings(klass.__module__).get(klass.__qualname__, {}))
    return found


def _describe_fields(schema, definition: StrawberryObjectDefinition, graphql_type) -> None:
    convert = schema.config.name_converter
    attributes = attribute_docstrings(definition.origin)
    for field in definition.fields:
        target = graphql_type.fields.get(convert.get_graphql_name(field))
        if target is None:
            continue
        summary, arg_docs = None, {}
        if field.base_resolver is not None:
            summary, arg_docs = split_docstring(field.base_resolver.wrapped_func.__doc__)
        if not target.description:
            target.description = summary or attributes.get(field.python_name)
        if not hasattr(target, "args"):
            continue
        for argument in field.arguments:
            arg = target.args.get(convert.get_graphql_name(argument))
            if arg is not None and not arg.description:
                arg.description = arg_docs.get(argument.python_name)


def _describe_enum(definition: StrawberryEnumDefinition, graphql_type: GraphQLEnumType) -> None:
    enum_class: type[Enum] = definition.wrapped_cls
    if not graphql_type.description:
        graphql_type.description = own_docstring(enum_class)
    attributes = attribute_docstrings(enum_class)
    for value in definition.values:
        target = graphql_type.values.get(value.name)
        if target is not None and not target.description:
            target.description = attributes.get(value.name)


def _type_docstring(definition: StrawberryObjectDefinition) -> str | None:
    doc = own_docstring(definition.origin)
    generic = definition.concrete_of
    if doc is None and generic is not None:  # Connection[Need]: the generic's, and the type
        doc = own_docstring(generic.origin)
        items = [t for t in (definition.type_var_map or {}).values()
                 if hasattr(t, "__name__")]
        if doc and items:
            doc = f"{doc.rstrip('.')} ({', '.join(t.__name__ for t in items)})."
    return doc


_ROOTS = {
    "Query": "Every read: core's fields and those of each installed plugin.",
    "Mutation": "Every change: one `input` argument each, and a payload with `errors`.",
    "Subscription": "Live events over WebSocket (graphql-transport-ws).",
}


def describe_from_docstrings(schema) -> None:
    """Fill every description the code left empty from its docstrings (see the module)."""
    for name, text in _ROOTS.items():
        root = schema._schema.get_type(name)
        if root is not None and not root.description:
            root.description = text
    for concrete in schema.schema_converter.type_map.values():
        definition, graphql_type = concrete.definition, concrete.implementation
        if isinstance(definition, StrawberryEnumDefinition):
            _describe_enum(definition, graphql_type)
        elif isinstance(definition, StrawberryObjectDefinition) and isinstance(
                graphql_type, GraphQLObjectType | GraphQLInterfaceType
                | GraphQLInputObjectType):
            if not graphql_type.description:
                graphql_type.description = _type_docstring(definition)
            _describe_fields(schema, definition, graphql_type)
