"""How refusals reach a client.

A mutation's payload carries ``errors: [UserError]`` for what the user can fix. Authentication,
permission, plugin-disabled, rate-limit and not-found refusals are GraphQL errors with
``extensions.code``. Anything unexpected becomes ``INTERNAL_ERROR`` with no traceback (it is
logged on the server).
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, TypeVar

import strawberry
from graphql import GraphQLError
from strawberry.extensions import ParserCache, SchemaExtension

from yizhan.core.config import get_settings
from yizhan.core.errors import YizhanError
from yizhan.core.i18n import translate

log = logging.getLogger("yizhan.graphql")
P = TypeVar("P")


@strawberry.type
class UserError:
    """A problem with the input the user can fix: the ``field`` at fault, a stable ``code``,
    and a ``message`` in the member's language."""

    field: str | None
    """The input field at fault, as named in the input (`windowEnd`); null when it is not one
    field."""
    code: str
    """A stable code to branch on (`OUT_OF_RANGE`, `INSUFFICIENT_CREDITS` …)."""
    message: str
    """What went wrong, in the member's language, to show as is."""


def user_errors(error: YizhanError, locale: str | None) -> list[UserError]:
    """The error (and any others it carries) as payload errors."""
    found = [error, *error.params.get("_others", [])]
    return [UserError(field=e.field, code=e.code,
                      message=translate(e.message, locale, **e.params)) for e in found]


def payload(payload_type: type[P]) -> Callable[[Callable[..., Awaitable[P]]],
                                               Callable[..., Awaitable[P]]]:
    """Decorate a mutation resolver: user errors become ``payload_type(errors=[…])``."""

    def decorate(resolver: Callable[..., Awaitable[P]]) -> Callable[..., Awaitable[P]]:
        @functools.wraps(resolver)
        async def wrapper(*args: Any, **kwargs: Any) -> P:
            try:
                return await resolver(*args, **kwargs)
            except YizhanError as error:
                if error.top_level:
                    raise
                info = kwargs.get("info")
                locale = await _locale_of(info.context) if info is not None else None
                return payload_type(errors=user_errors(error, locale))  # type: ignore[call-arg]

        return wrapper

    return decorate


async def _locale_of(context: Any) -> str | None:
    """The caller's language, resolving their token first when the context can."""
    resolve = getattr(context, "resolved_locale", None)
    if resolve is not None:
        return await resolve()
    return getattr(context, "locale", None)


#: PostgreSQL's SQLSTATE for a character it cannot store (a NUL in text).
_BAD_CHARACTER = "22021"

#: What graphql-core and scalars raise while checking a request before running it (a bad
#: variable value such as ``"LOST"`` for an enum or ``"x"`` for a date).
_REQUEST_ERRORS = (GraphQLError, ValueError, TypeError, OverflowError)


def root_cause(error: GraphQLError) -> BaseException | None:
    """The exception behind an error, past graphql-core's wrapping (a bad variable's error
    wraps the scalar's own error, which wraps what the scalar raised)."""
    original = error.original_error
    while isinstance(original, GraphQLError) and original.original_error is not None:
        original = original.original_error
    return original


def is_request_error(error: GraphQLError) -> bool:
    """True for a mistake in the request itself (a variable that does not fit its type),
    found before execution: the client's business, not a fault to log."""
    return error.path is None and isinstance(root_cause(error), _REQUEST_ERRORS)


#: graphql-core's hints at names that exist ("Did you mean 'needs'?").
_HINT = re.compile(r" ?Did you mean [^?]*\?")


def _format(error: GraphQLError, locale: str | None, production: bool) -> GraphQLError:
    original = root_cause(error)
    if production:  # no hints at the schema's names
        error.message = _HINT.sub("", error.message)
    if isinstance(original, YizhanError):
        extensions = {"code": original.code}
        if original.field:
            extensions["field"] = original.field
        message = translate(original.message, locale, **original.params)
    elif original is None or (error.path is None and isinstance(original, _REQUEST_ERRORS)):
        # Parsing, validation and variable coercion: the request does not fit the schema.
        return GraphQLError(error.message, error.nodes, error.source, error.positions,
                            error.path, extensions={"code": "GRAPHQL_VALIDATION_FAILED",
                                                    **(error.extensions or {})})
    elif getattr(original, "sqlstate", None) == _BAD_CHARACTER:
        # A look-up with a NUL somewhere no service checked: PostgreSQL refuses the text.
        extensions = {"code": "INVALID_TEXT"}
        message = translate("Remove the control characters from this text.", locale)
    else:
        log.error("unexpected error in %s", error.path, exc_info=original)
        extensions = {"code": "INTERNAL_ERROR"}
        message = translate("Something went wrong on our side. It has been logged.", locale)
    return GraphQLError(message, error.nodes, error.source, error.positions, error.path,
                        extensions=extensions)


class ParserCacheWithCodes(ParserCache):
    """Strawberry's parser cache, except that a document that does not parse is left to
    Strawberry's own parser.

    The stock cache raises syntax (and too-many-tokens) errors from its ``on_parse`` hook,
    outside the operation, so :class:`ErrorCodes` never sees them and the client gets an error
    without ``extensions.code``. Leaving the document unset makes Strawberry parse it again
    inside the operation, where the error is reported like every other.
    """

    def on_parse(self) -> Iterator[None]:
        """Parse from the cache; on a syntax error, leave the document for Strawberry."""
        context = self.execution_context
        try:
            context.graphql_document = self.cached_parse_document(
                context.query, **context.parse_options)
        except GraphQLError:
            context.graphql_document = None
        yield


class ErrorCodes(SchemaExtension):
    """Give every GraphQL error an ``extensions.code`` and a translated message."""

    async def on_operation(self) -> AsyncIterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not getattr(result, "errors", None):
            return
        locale = await _locale_of(self.execution_context.context)
        production = get_settings().production
        result.errors = [_format(e, locale, production) for e in result.errors]

    async def on_stream_result(self, result: Any) -> AsyncIterator[None]:
        """The same for each result of a subscription (sent before the operation ends)."""
        if getattr(result, "errors", None):
            locale = await _locale_of(self.execution_context.context)
            result.errors = [_format(e, locale, get_settings().production)
                             for e in result.errors]
        yield
