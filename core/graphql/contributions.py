"""What a plugin's ``yizhan_register_graphql`` hook returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class GraphQLContribution:
    """Root fields (``query``/``mutation``/``subscription`` Strawberry types) and extra types."""

    query: type | None = None
    mutation: type | None = None
    subscription: type | None = None
    types: list[Any] = field(default_factory=list)
