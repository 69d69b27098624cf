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
    #: Hours after a need is marked done until it is confirmed automatically (helper paid),
    #: unless its requester confirmed or a dispute holds it.
    auto_confirm_after_hours: int = Field(default=48, ge=1, le=24 * 30)
    #: Hours before the automatic confirmation to remind the requester (0: no reminder).
    confirm_reminder_hours_before: int = Field(default=24, ge=0, le=24 * 30)
    #: Hours after an accepted need's window ended to remind its helper.
    overdue_helper_after_hours: int = Field(default=2, ge=0, le=24 * 30)
    #: Hours after an accepted need's window ended to ask its building's leaders to mark it
    #: done for the helper or cancel it.
    overdue_leader_after_hours: int = Field(default=24, ge=0, le=24 * 30)
    #: Let a leader who posted a need for someone also help on it, provided another leader
    #: confirms it (no automatic confirmation then). Off: the poster cannot be the helper.
    proxy_helper_needs_second_leader: bool = False


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
async def yizhan_deadline_due(ctx, deadline):
    """Core's own deadlines (reminders, automatic confirmation, overdue needs): dispatched
    by kind to the services."""
    from yizhan.core.services import needs

    await needs.deadline_due(ctx, deadline)


@hookimpl
def yizhan_register_indicators():
    """Core's indicators: members, needs, hours of help."""
    from yizhan.core.core_indicators import INDICATORS

    return INDICATORS
