"""Assembling the one schema: core's root types merged with every installed plugin's.

Strawberry's ``merge_types`` only warns when two types define the same field; here a clash is
an error naming both plugins. Every installed plugin is in the schema; a plugin that is off in
a community answers ``PLUGIN_DISABLED`` there.
"""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from yizhan.core.config import get_settings
from yizhan.core.errors import YizhanError
from yizhan.core.graphql.contributions import GraphQLContribution
from yizhan.core.graphql.descriptions import describe_from_docstrings
from yizhan.core.graphql.errors import (
    ErrorCodes,
    ParserCacheWithCodes,
    is_request_error,
    root_cause,
)
from yizhan.core.graphql.mutations import CoreMutation
from yizhan.core.graphql.queries import CoreQuery
from yizhan.core.graphql.request_checks import RequestGuards
from yizhan.core.graphql.scalars import DATE_SCALARS
from yizhan.core.graphql.subscriptions import CoreSubscription
from yizhan.core.graphql.types import Building, Community, Member, Need, Notice
from yizhan.core.metrics import MetricsExtension
from yizhan.core.plugins import PluginError, PluginRegistry, get_registry


def _fields(root: type) -> list[str]:
    return [f.python_name for f in root.__strawberry_definition__.fields]


def _merge(name: str, parts: list[tuple[str, type]]) -> type | None:
    owners: dict[str, str] = {}
    for plugin, root in parts:
        for field in _fields(root):
            if field in owners:
                raise PluginError(
                    f"GraphQL field {name}.{field} is defined by both {owners[field]!r} "
                    f"and {plugin!r}")
            owners[field] = plugin
    if not parts:
        return None
    return merge_types(name, tuple(root for _, root in parts))


class YizhanSchema(strawberry.Schema):
    """Logs only unexpected errors: a refusal (a ``YizhanError``) or a malformed query is the
    client's business, not a server fault worth a traceback in the log."""

    def process_errors(self, errors: list[GraphQLError],
                       execution_context: ExecutionContext | None = None) -> None:
        unexpected = [e for e in errors if e.original_error is not None
                      and not isinstance(root_cause(e), YizhanError)
                      and not is_request_error(e)]
        if unexpected:
            super().process_errors(unexpected, execution_context)


def _shared(extension: object):
    return lambda: extension


def contributions(registry: PluginRegistry) -> dict[str, GraphQLContribution]:
    """Core's GraphQL contribution, then each plugin's by name: the schema depends on which
    plugins are installed, not on the order optional integrations (``works_with``) register
    them in."""
    found = {"core": GraphQLContribution(CoreQuery, CoreMutation, CoreSubscription)}
    answers = registry.register_results("yizhan_register_graphql")
    for plugin in sorted(answers, key=lambda name: (name != "core", name)):
        if answers[plugin] is not None:
            found[plugin] = answers[plugin]
    return found


def build_schema(registry: PluginRegistry | None = None) -> strawberry.Schema:
    """The schema for the installed plugins, with caches and query limits."""
    registry = registry or get_registry()
    settings = get_settings()
    parts = contributions(registry)
    query = _merge("Query", [(p, c.query) for p, c in parts.items() if c.query])
    mutation = _merge("Mutation", [(p, c.mutation) for p, c in parts.items() if c.mutation])
    subscription = _merge("Subscription",
                          [(p, c.subscription) for p, c in parts.items() if c.subscription])
    # One instance of each for every request: the caches must persist, and the limiters' rule
    # classes must stay the same objects or the validation cache never hits.
    shared = [
        QueryDepthLimiter(max_depth=settings.max_depth),
        MaxAliasesLimiter(max_alias_count=settings.max_aliases),
        MaxTokensLimiter(max_token_count=settings.max_tokens),
        ParserCacheWithCodes(maxsize=256),
        ValidationCache(maxsize=256),
    ]
    extra = [Community, Building, Member, Need, Notice]
    for contribution in parts.values():
        extra.extend(contribution.types)
    schema = YizhanSchema(
        scalar_overrides=DATE_SCALARS,
        config=StrawberryConfig(disable_field_suggestions=settings.production),
        query=query,
        mutation=mutation,
        subscription=subscription,
        types=extra,
        extensions=[MetricsExtension, ErrorCodes, RequestGuards,
                    *(_shared(ext) for ext in shared)],
    )
    describe_from_docstrings(schema)
    return schema


def print_sdl(registry: PluginRegistry | None = None) -> str:
    """The schema in SDL, as committed in ``schema.graphql``."""
    return build_schema(registry).as_str() + "\n"
