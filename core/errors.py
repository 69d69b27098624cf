"""Errors with a stable machine code and a translatable human message.

Every refusal in Yizhan is a :class:`YizhanError`. Its ``code`` is stable (clients branch on
it, ``docs/api.md`` lists them all); its message is looked up in the message catalogs by the
English ``message`` text and rendered in the member's locale.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class YizhanError(Exception):
    """A refusal a user can understand: a stable ``code``, a message, the ``field`` at fault."""

    #: Errors of these kinds are GraphQL errors (with ``extensions.code``), not payload errors.
    TOP_LEVEL_KINDS = ("auth", "permission", "plugin", "limit", "not_found")

    def __init__(
        self,
        code: str,
        message: str,
        *,
        field: str | None = None,
        kind: str = "user",
        **params: Any,
    ) -> None:
        self.code = code
        self.message = message
        self.field = field
        self.kind = kind
        self.params = params
        super().__init__(f"{code}: {message.format(**params) if params else message}")

    @property
    def top_level(self) -> bool:
        """True when this is an authentication, permission or plugin error, not a user mistake."""
        return self.kind in self.TOP_LEVEL_KINDS


def unauthenticated() -> YizhanError:
    """The request carries no valid token where one is needed."""
    return YizhanError("UNAUTHENTICATED", "Please log in first.", kind="auth")


def forbidden(message: str = "You are not allowed to do this.", **params: Any) -> YizhanError:
    """The actor is known but lacks the role for the action."""
    return YizhanError("FORBIDDEN", message, kind="permission", **params)


def not_found(what: str, field: str | None = None) -> YizhanError:
    """An id or slug that does not exist (or is not visible to the actor).

    ``what`` is an English noun ("need", "member") and is translated too: put it in your
    ``locale/zh_Hans.po`` as a msgid of its own.
    """
    return YizhanError("NOT_FOUND", "No such {what}.", field=field, kind="not_found", what=what,
                       _translate=("what",))


def invalid(field: str, message: str, code: str = "INVALID_INPUT", **params: Any) -> YizhanError:
    """A value the user typed that cannot be accepted."""
    return YizhanError(code, message, field=field, **params)


def plugin_disabled(plugin: str) -> YizhanError:
    """A field of a plugin that is off for this community."""
    return YizhanError(
        "PLUGIN_DISABLED",
        "The {plugin} module is not enabled in this community.",
        kind="plugin",
        plugin=plugin,
    )


@dataclass
class ErrorList:
    """Collects several field errors before refusing, so a form shows them all at once."""

    errors: list[YizhanError] = field(default_factory=list)

    def add(self, error: YizhanError) -> None:
        """Record one error."""
        self.errors.append(error)

    def raise_if_any(self) -> None:
        """Raise the first error, carrying the others, if anything was recorded."""
        if self.errors:
            first = self.errors[0]
            first.params.setdefault("_others", self.errors[1:])
            raise first
