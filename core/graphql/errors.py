"""How refusals reach a client.

A mutation's payload carries ``errors: [UserError]`` for what the user can fix. Authentication,
permission, plugin-disabled, rate-limit and not-found refusals are GraphQL errors with
``extensions.code``. Anything unexpected becomes ``INTERNAL_ERROR`` with no traceback (it is
logged on the server).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from yizhan.core.errors import YizhanError
from yizhan.core.i18n import translate

log = logging.getLogger("yizhan.graphql")
P = TypeVar("P")


@strawberry.type
class UserError:
    """A problem with the input the user can fix: the ``field`` at fault, a stable ``code``,
    and a ``message`` in the member's language."""

    field: str | None
    code: str
    message: str


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
                locale = info.context.locale if info is not None else None
                return payload_type(errors=user_errors(error, locale))  # type: ignore[call-arg]

        return wrapper

    return decorate


def _format(error: GraphQLError, locale: str | None, production: bool) -> GraphQLError:
    original = error.original_error
    if isinstance(original, YizhanError):
        extensions = {"code": original.code}
        if original.field:
            extensions["field"] = original.field
        message = translate(original.message, locale, **original.params)
    elif original is None:
        return GraphQLError(error.message, error.nodes, error.source, error.positions,
                            error.path, extensions={"code": "GRAPHQL_VALIDATION_FAILED",
                                                    **(error.extensions or {})})
    else:
        log.error("unexpected error in %s", error.path, exc_info=original)
        extensions = {"code": "INTERNAL_ERROR"}
        message = translate("Something went wrong on our side. It has been logged.", locale)
    return GraphQLError(message, error.nodes, error.source, error.positions, error.path,
                        extensions=extensions)


class ErrorCodes(SchemaExtension):
    """Give every GraphQL error an ``extensions.code`` and a translated message."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not getattr(result, "errors", None):
            return
        context = self.execution_context.context
        locale = getattr(context, "locale", None)
        result.errors = [_format(e, locale, False) for e in result.errors]
