"""A faster completion of GraphQL results, proven against graphql-core's own.

Most of a feed page's fields are *basic*: Strawberry fields with no resolver, whose value is
an attribute of the parent object (``title``, ``requester { displayName }`` …). graphql-core
treats each of them like any field — a response path, a resolve-info object, the resolver
through Strawberry's wrapper, then ``complete_value``'s chain of type checks — which is over
half of a request's time. :class:`FastExecutor` reads such fields with ``getattr`` and
completes the common cases (non-null, null, scalars and enums, plain object types, lists)
inline. Everything else — fields with resolvers, introspection, abstract types, ``@defer``/
``@stream``, subscriptions, middleware, and *every* value that would raise or need a closer
look (a null in a non-null field, a scalar that does not serialise, a wrong object type) — is
handed to graphql-core's own code at the point where nothing has run yet, so errors, their
messages, paths and null bubbling are graphql-core's.

``YIZHAN_GRAPHQL_EXECUTION`` chooses: ``fast`` (the default), ``plain`` (graphql-core only, for
debugging), or ``verify``: each operation runs on graphql-core with its resolvers recorded,
then both executors complete the *same* recorded resolver results again, and any difference
in data or errors is logged and kept in :data:`MISMATCHES` (the test suite runs in this mode
and fails a test that produced one). Resolvers run once, so mutations are compared honestly.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    OperationType,
)
from graphql.execution import ExecutionResult, execute
from graphql.execution.middleware import MiddlewareManager
from graphql.pyutils import Path, Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

log = logging.getLogger("yizhan.graphql")

PlainExecutor = StrawberryGraphQLCoreExecutionContext

#: Attribute values a leaf completes inline (never awaitable, never an exception).
_PLAIN_VALUES = frozenset({str, int, float, bool, datetime, date, Decimal})
_SLOW: Any = object()  # "let graphql-core complete this value"
_NOT_BASIC: Any = object()
_basic_names: dict[int, tuple[Any, Any]] = {}  # id(field) -> (field, python name | _NOT_BASIC)


def _basic_name(field_def: Any) -> Any:
    """The attribute a field reads when it is a plain Strawberry field, else ``_NOT_BASIC``."""
    found = _basic_names.get(id(field_def))
    if found is not None and found[0] is field_def:
        return found[1]
    name = _NOT_BASIC
    definition = field_def.extensions.get("strawberry-definition") if field_def.extensions \
        else None
    if (definition is not None and getattr(field_def.resolve, "_is_default", False)
            and definition.is_basic_field and definition.default_resolver is getattr
            and not field_def.args):
        name = definition.python_name
    _basic_names[id(field_def)] = (field_def, name)
    return name


def _strawberry_is_type_of(check: Any) -> bool:
    """Strawberry's own ``is_type_of`` (an isinstance test that ignores ``info``)."""
    return getattr(check, "__module__", "") == "strawberry.schema.schema_converter"


class FastExecutor(PlainExecutor):
    """graphql-core's executor with basic fields completed inline (see the module text)."""

    #: Middleware that declares it leaves default resolvers alone (the verifier's replay)
    #: keeps the fast path on; any other middleware turns it off for the operation.
    _yizhan_fast: bool | None = None

    def _fast_allowed(self) -> bool:
        allowed = self._yizhan_fast
        if allowed is None:
            manager = self.middleware_manager
            resolvers = manager._middleware_resolvers if manager is not None else None
            allowed = (self.operation.operation != OperationType.SUBSCRIPTION and (
                not resolvers or all(getattr(m, "keeps_default_resolvers", False)
                                     for m in manager.middlewares)))
            self._yizhan_fast = allowed
        return allowed

    def execute_fields(self, parent_type: GraphQLObjectType, source_value: Any,
                       path: Path | None, grouped_field_set: Any,
                       position_context: Any) -> Any:
        allowed = self._yizhan_fast
        if allowed is None:
            allowed = self._fast_allowed()
        if position_context is not None or not allowed:
            return super().execute_fields(parent_type, source_value, path, grouped_field_set,
                                          position_context)
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        type_name = parent_type.name
        try:
            for response_name, field_details_list, field_def, name, leaf, obj in self._plan(
                    parent_type, grouped_field_set):
                if obj is not None:  # an attribute holding a plain object (or null)
                    value = getattr(source_value, name, _SLOW)
                    if value is None:
                        if not obj[0]:
                            results[response_name] = None
                            continue
                    elif (value is not _SLOW and not is_awaitable(value)
                          and obj[2](value, None) is True):
                        # the same steps as _execute_basic and _complete, without the calls
                        field_path = Path(path, response_name, type_name)
                        try:
                            grouped, defer_usages, _ = self.collect_subfields(
                                obj[1], field_details_list)
                            if not defer_usages:
                                result = self.execute_fields(obj[1], value, field_path,
                                                             grouped, None)
                                if is_awaitable(result):
                                    result = self._await_completed(
                                        result, field_def.type, field_details_list,
                                        field_path)
                                    awaitable_fields.append(response_name)
                                results[response_name] = result
                                continue
                        except Exception as raw_error:
                            self.handle_field_error(raw_error, field_def.type,
                                                    field_details_list, field_path)
                            results[response_name] = None
                            continue
                    # anything else goes the general way below
                elif leaf is not None:  # a plain scalar or enum attribute: the common case
                    value = getattr(source_value, name, _SLOW)
                    if value is None:
                        if not leaf[0]:  # nullable: null it is
                            results[response_name] = None
                            continue
                    elif type(value) in _PLAIN_VALUES or isinstance(value, Enum):
                        try:
                            coerced = leaf[1](value)
                        except Exception:
                            coerced = None
                        if coerced is not None and coerced is not Undefined:
                            results[response_name] = coerced
                            continue
                    # anything else (a missing attribute, a null for a non-null field, a value
                    # that does not serialise …) takes the general way below, which reads the
                    # attribute again and lets graphql-core raise its own error
                field_path = Path(path, response_name, type_name)
                if name is _NOT_BASIC:
                    result = self.execute_field(parent_type, source_value, field_details_list,
                                                field_path, position_context)
                else:
                    result = self._execute_basic(parent_type, field_def, name, source_value,
                                                 field_details_list, field_path)
                if result is not Undefined:
                    results[response_name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[f] for f in awaitable_fields])
            raise
        if not awaitable_fields:
            return results
        return self._gather_fields(results, awaitable_fields)

    def _plan(self, parent_type: GraphQLObjectType, grouped_field_set: Any) -> list[tuple]:
        """For each response key: its fields, definition and attribute (or ``_NOT_BASIC``);
        worked out once per selection set and operation, not once per list item."""
        plans = self.__dict__.setdefault("_yizhan_plans", {})
        key = (id(parent_type), id(grouped_field_set))
        found = plans.get(key)
        if found is not None and found[0] is grouped_field_set:
            return found[1]
        plan = []
        for response_name, field_details_list in grouped_field_set.items():
            field_def = self.schema.get_field(parent_type, field_details_list[0].node.name.value)
            name = _basic_name(field_def) if field_def is not None else _NOT_BASIC
            leaf = obj = None
            if name is not _NOT_BASIC:
                type_ = field_def.type
                non_null = isinstance(type_, GraphQLNonNull)
                named = type_.of_type if non_null else type_
                if isinstance(named, GraphQLScalarType | GraphQLEnumType):
                    leaf = (non_null, named.coerce_output_value)
                elif (isinstance(named, GraphQLObjectType) and named.is_type_of is not None
                        and _strawberry_is_type_of(named.is_type_of)):
                    obj = (non_null, named, named.is_type_of)
            plan.append((response_name, field_details_list, field_def, name, leaf, obj))
        plans[key] = (grouped_field_set, plan)
        return plan

    async def _gather_fields(self, results: dict[str, Any], awaitable_fields: list[str]
                             ) -> dict[str, Any]:
        from graphql.pyutils import gather_with_cancel

        if len(awaitable_fields) == 1:
            field = awaitable_fields[0]
            results[field] = await results[field]
        else:
            awaited = await gather_with_cancel(*(results[f] for f in awaitable_fields))
            results.update(zip(awaitable_fields, awaited, strict=True))
        return results

    def _execute_basic(self, parent_type: GraphQLObjectType, field_def: Any, name: str,
                       source: Any, field_details_list: Any, path: Path) -> Any:
        """``execute_field`` for a basic field: the same error handling, no resolve info
        unless graphql-core's completion is needed."""
        return_type = field_def.type
        try:
            result = getattr(source, name)
            if self.is_awaitable(result):
                info = self.build_resolve_info(field_def, [d.node for d in field_details_list],
                                               parent_type, path)
                return self.complete_awaitable_value(return_type, field_details_list, info,
                                                     path, result, None)
            completed = self._complete(return_type, field_details_list, path, result)
            if completed is _SLOW:
                info = self.build_resolve_info(field_def, [d.node for d in field_details_list],
                                               parent_type, path)
                completed = self.complete_value(return_type, field_details_list, info, path,
                                                result, None)
            if self.is_awaitable(completed):
                return self._await_completed(completed, return_type, field_details_list, path)
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None
        return completed

    async def _await_completed(self, completed: Awaitable[Any], return_type: Any,
                               field_details_list: Any, path: Path) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None

    def _complete(self, return_type: Any, field_details_list: Any, path: Path,
                  result: Any) -> Any:
        """The completed value, or ``_SLOW`` — decided before anything below has run."""
        if type(return_type) is GraphQLNonNull:
            if result is None or result is Undefined:
                return _SLOW
            return_type = return_type.of_type
        elif result is None or result is Undefined:
            return None
        if isinstance(result, Exception):
            return _SLOW
        if isinstance(return_type, GraphQLScalarType | GraphQLEnumType):
            try:
                coerced = return_type.coerce_output_value(result)
            except Exception:
                return _SLOW  # graphql-core raises the very same error
            if coerced is None or coerced is Undefined:
                return _SLOW
            return coerced
        if isinstance(return_type, GraphQLObjectType):
            check = return_type.is_type_of
            if check is not None and not (_strawberry_is_type_of(check)
                                          and check(result, None) is True):
                return _SLOW
            grouped, defer_usages, _ = self.collect_subfields(return_type, field_details_list)
            if defer_usages:
                return _SLOW
            return self.execute_fields(return_type, result, path, grouped, None)
        if isinstance(return_type, GraphQLList):
            return self._complete_list(return_type.of_type, field_details_list, path, result)
        return _SLOW  # interfaces and unions

    def _complete_list(self, item_type: Any, field_details_list: Any, path: Path,
                       items: Any) -> Any:
        if type(items) not in (list, tuple) or any(d.node.directives
                                                   for d in field_details_list):
            return _SLOW  # async iterables, generators, @stream: graphql-core's way
        is_awaitable = self.is_awaitable
        if any(is_awaitable(item) for item in items):
            return _SLOW
        completed_results: list[Any] = []
        awaitable_indices: list[int] = []
        try:
            for index, item in enumerate(items):
                item_path = Path(path, index, None)
                try:
                    completed = self._complete(item_type, field_details_list, item_path, item)
                    if completed is _SLOW:
                        completed = self._complete_slowly(item_type, field_details_list,
                                                          path, item_path, item)
                    if is_awaitable(completed):
                        completed = self._await_completed(completed, item_type,
                                                          field_details_list, item_path)
                        awaitable_indices.append(index)
                except Exception as raw_error:
                    self.handle_field_error(raw_error, item_type, field_details_list,
                                            item_path)
                    completed = None
                completed_results.append(completed)
        except Exception:
            if awaitable_indices:
                self.settle_in_background([completed_results[i] for i in awaitable_indices])
            raise
        if not awaitable_indices:
            return completed_results
        return self._gather_items(completed_results, awaitable_indices)

    async def _gather_items(self, completed_results: list[Any], indices: list[int]
                            ) -> list[Any]:
        from graphql.pyutils import gather_with_cancel

        if len(indices) == 1:
            completed_results[indices[0]] = await completed_results[indices[0]]
        else:
            awaited = await gather_with_cancel(*(completed_results[i] for i in indices))
            for index, value in zip(indices, awaited, strict=True):
                completed_results[index] = value
        return completed_results

    def _complete_slowly(self, item_type: Any, field_details_list: Any, field_path: Path,
                         item_path: Path, item: Any) -> Any:
        """graphql-core's completion of one list item, with the field's resolve info."""
        parent_type = self.schema.get_type(field_path.typename) if field_path.typename \
            else None
        field_def = self.schema.get_field(parent_type, field_details_list[0].node.name.value)
        info = self.build_resolve_info(field_def, [d.node for d in field_details_list],
                                       parent_type, field_path)
        return self.complete_value(item_type, field_details_list, info, item_path, item, None)


# --- verify mode -------------------------------------------------------------------------

#: Differences found in ``verify`` mode: (document, what differed). Tests assert it is empty.
MISMATCHES: list[tuple[str, str]] = []


def _is_default(info: Any) -> bool:
    field = info.parent_type.fields.get(info.field_name)
    return field is None or field.resolve is None or getattr(field.resolve, "_is_default",
                                                             False)


class _Recorder:
    """Middleware recording what every resolver (other than a default one) returned."""

    def __init__(self) -> None:
        self.seen: dict[tuple, tuple[str, Any]] = {}

    def resolve(self, next_: Callable, root: Any, info: Any, **args: Any) -> Any:
        if _is_default(info):
            return next_(root, info, **args)
        key = tuple(info.path.as_list())
        try:
            result = next_(root, info, **args)
        except Exception as error:
            self.seen[key] = ("raise", error)
            raise
        if info.is_awaitable(result):
            return self._record_async(key, result)
        self.seen[key] = ("value", result)
        return result

    async def _record_async(self, key: tuple, awaitable: Awaitable[Any]) -> Any:
        try:
            value = await awaitable
        except Exception as error:
            self.seen[key] = ("async-raise", error)
            raise
        self.seen[key] = ("async-value", value)
        return value


class _Replayer:
    """Middleware answering every recorded resolver with what it gave the first time, in the
    same shape (a value, an exception, or an awaitable of either)."""

    keeps_default_resolvers = True

    def __init__(self, recorder: _Recorder) -> None:
        self.seen = recorder.seen

    def resolve(self, next_: Callable, root: Any, info: Any, **args: Any) -> Any:
        if _is_default(info):
            return next_(root, info, **args)
        found = self.seen.get(tuple(info.path.as_list()))
        if found is None:  # not reached the first time (a sibling failed first): run it
            return next_(root, info, **args)
        how, value = found
        if how == "raise":
            raise value
        if how == "value":
            return value
        return self._later(how, value)

    @staticmethod
    async def _later(how: str, value: Any) -> Any:
        if how == "async-raise":
            raise value
        return value


def _errors(result: ExecutionResult) -> list[tuple]:
    return [(e.message, e.path, [tuple(loc) for loc in e.locations or ()],
             type(e.original_error).__name__, repr(e.original_error), e.extensions)
            for e in result.errors or ()]


def compare(plain: ExecutionResult, fast: ExecutionResult) -> str | None:
    """What differs between two results (data, then errors in order), or None."""
    if plain.data != fast.data:
        return f"data differs:\n  plain {plain.data!r}\n  fast  {fast.data!r}"
    if _errors(plain) != _errors(fast):
        return f"errors differ:\n  plain {_errors(plain)!r}\n  fast  {_errors(fast)!r}"
    return None


async def _settle(result: Any) -> ExecutionResult:
    while hasattr(result, "__await__"):
        result = await result
    return result


def verifying_execute(schema: Any, document: Any, **kwargs: Any) -> Any:
    """``execute`` for ``verify`` mode (see the module text); answers the first run."""
    manager = kwargs.pop("middleware", None)
    middlewares = tuple(manager.middlewares) if manager is not None else ()
    kwargs.pop("executor_class", None)
    recorder = _Recorder()

    async def run() -> ExecutionResult:
        first = await _settle(execute(schema, document, executor_class=PlainExecutor,
                                      middleware=MiddlewareManager(recorder, *middlewares),
                                      **kwargs))
        operation = next((d for d in document.definitions
                          if getattr(d, "operation", None) is not None), None)
        if operation is None or operation.operation == OperationType.SUBSCRIPTION:
            return first
        replayed = {}
        for executor in (PlainExecutor, FastExecutor):
            replayed[executor] = await _settle(execute(
                schema, document, executor_class=executor,
                middleware=MiddlewareManager(_Replayer(recorder), *middlewares), **kwargs))
        found = compare(replayed[PlainExecutor], replayed[FastExecutor])
        if found is None and replayed[PlainExecutor].data != first.data:
            found = "the replay harness differs from the first run: " + compare(
                first, replayed[PlainExecutor])
        if found is not None:
            from graphql import print_ast

            text = print_ast(document)
            MISMATCHES.append((text, found))
            log.error("fast GraphQL execution differs from graphql-core on %s: %s", text,
                      found)
        return first

    return run()
