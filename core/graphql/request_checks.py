"""Checks on a whole operation before it runs (queries, mutations and subscriptions alike;
subscriptions also check their token at ``connection_init`` and in their resolvers):

* text that is not Unicode (a lone surrogate such as ``"\\ud800"``) anywhere in the document
  or its variables is refused with ``INVALID_TEXT`` before any resolver sees it;
* a bad token is refused with ``INVALID_TOKEN`` even on public fields (a client must learn
  its login is gone rather than silently read as anonymous);
* introspection (``__schema``, ``__type``) is refused with ``INTROSPECTION_DISABLED`` unless
  the ``introspection`` setting allows it (default: allowed, except in production mode;
  ``admins`` allows it for community admins and service tokens).

A refusal here is a pre-execution error: the answer carries ``errors`` and no ``data``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from graphql import FieldNode, GraphQLError, visit
from graphql.language import Visitor
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType as StrawberryOperationType

from yizhan.core.config import get_settings
from yizhan.core.errors import YizhanError

_SURROGATE = re.compile("[\ud800-\udfff]")


def has_lone_surrogate(value: Any) -> bool:
    """True when a string anywhere in ``value`` (dicts, lists, keys too) has a surrogate
    code point, which no valid UTF-8 text carries."""
    if isinstance(value, str):
        return _SURROGATE.search(value) is not None
    if isinstance(value, dict):
        return any(has_lone_surrogate(k) or has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(has_lone_surrogate(v) for v in value)
    return False


class _Introspection(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found = False

    def enter_field(self, node: FieldNode, *_args: Any) -> None:
        if node.name.value in ("__schema", "__type"):
            self.found = True


def asks_introspection(document: Any) -> bool:
    """True when the document selects ``__schema`` or ``__type`` (``__typename`` is fine)."""
    if document is None:
        return False
    visitor = _Introspection()
    visit(document, visitor)
    return visitor.found


def introspection_mode() -> str:
    """``on``, ``off`` or ``admins``, from the ``introspection`` setting (default: ``off`` in
    production, else ``on``)."""
    settings = get_settings()
    mode = (settings.introspection or "").strip().lower()
    if mode in ("on", "off", "admins"):
        return mode
    return "off" if settings.production else "on"


async def _is_admin(context: Any) -> bool:
    from yizhan.core.tables import Member

    principal = await context.principal()
    if principal is None:
        return False
    if principal.token_kind == "service":
        return True
    return bool(principal.person_id and await Member.exists().where(
        (Member.person == principal.person_id) & (Member.role == "admin")
        & (Member.status == "verified")))


async def refusal(execution_context: Any) -> YizhanError | None:
    """Why the request must not run, or None."""
    if has_lone_surrogate(execution_context.query) or has_lone_surrogate(
            execution_context.variables) or has_lone_surrogate(
            execution_context.operation_name):
        return YizhanError("INVALID_TEXT", "This text is not valid Unicode.")
    context = execution_context.context
    try:
        await context.principal()
    except YizhanError as error:  # INVALID_TOKEN, or a service token acting for a stranger
        return error
    mode = introspection_mode()
    if mode != "on" and asks_introspection(execution_context.graphql_document):
        if mode == "off" or not await _is_admin(context):
            return YizhanError("INTROSPECTION_DISABLED",
                               "Introspection is turned off on this server.",
                               kind="permission")
    return None


class RequestGuards(SchemaExtension):
    """Refuse a query or mutation before it runs (see the module's docstring)."""

    async def on_execute(self) -> Iterator[None]:  # type: ignore[override]
        """Set a pre-execution error as the result, which skips execution."""
        context = self.execution_context
        if context.operation_type == StrawberryOperationType.QUERY and getattr(
                context.context, "request", None) is not None:
            context.context.memberships_with_token = True
        error = await refusal(context)
        if error is not None:
            context.result = ExecutionResult(
                data=None, errors=[GraphQLError(error.message, original_error=error)])
        yield
