"""The hello plugin's per-community settings."""

from __future__ import annotations

from pydantic import BaseModel, Field


class HelloSettings(BaseModel):
    """``yizhan plugins config hello -c SLUG greeting=Hi max_entries=50``."""

    #: The word the ``hello`` query greets with.
    greeting: str = Field(default="Hello", min_length=1, max_length=40)
    #: How many guestbook entries a community may hold.
    max_entries: int = Field(default=1000, ge=1, le=100_000)
