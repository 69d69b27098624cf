"""Core's own entry in the plugin registry: always on, with community settings and jobs."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field

from yizhan.core.jobs import Job
from yizhan.core.plugins import PluginSpec, hookimpl

PLUGIN = PluginSpec(
    name="core",
    version="0.1.0",
    description="Communities, buildings, members, needs, notices and notifications.",
)


class CoreSettings(BaseModel):
    """Per-community settings of core (``yizhan plugins config core --community SLUG``)."""

    #: Minutes an open need may wait for a helper before its building leaders are told.
    escalate_after_minutes: int = Field(default=120, ge=5, le=7 * 24 * 60)
    #: The most credits one need may offer.
    max_credits_per_need: Decimal = Field(default=Decimal("10"), ge=0, le=100, decimal_places=2)
    #: How far ahead a need's time window may end, in days.
    max_window_days: int = Field(default=30, ge=1, le=365)


@hookimpl
def yizhan_register_settings():
    """Core's community settings."""
    return CoreSettings


@hookimpl
def yizhan_register_jobs():
    """Core's sweeps: fire due deadlines, escalate needs nobody took, expire needs whose
    window passed, forget old failed logins."""
    from yizhan.core import deadlines
    from yizhan.core.services import needs, people

    return [
        Job("core.deadlines", 5, deadlines.run_due),
        Job("core.escalate_needs", 60, needs.escalate_due),
        Job("core.expire_needs", 60, needs.expire_due),
        Job("core.purge_login_attempts", 3600, people.purge_login_attempts),
    ]


@hookimpl
def yizhan_register_indicators():
    """Core's indicators: members, needs, hours of help."""
    from yizhan.core.core_indicators import INDICATORS

    return INDICATORS
