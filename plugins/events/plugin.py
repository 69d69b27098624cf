"""The events plugin: its spec and hook implementations (the entry-point module).

Hooks: settings, Piccolo app, GraphQL, CLI (``yizhan events …``), routes (the iCalendar
feeds), deadlines (invitations, reminders, automatic closing, the series horizon, reward
retries), indicators and demo data. It works with the credits plugin when that is on (rewards,
fees, volunteering hours) and records attendance and referrals without it.
"""

from __future__ import annotations

from yizhan.core.api import PluginSpec, hookimpl

PLUGIN = PluginSpec(
    name="events",
    version="0.1.0",
    description="Neighbourhood events and series (the weekly cashflow game, feasts, "
                "volunteering): sign-up with waitlist, invitations and reminders, check-in "
                "codes, first-time and referral rewards, figures and iCalendar feeds.",
    works_with=("credits",),
)


@hookimpl
def yizhan_register_settings():
    """The per-community settings model."""
    from yizhan.plugins.events.settings import EventsSettings

    return EventsSettings


@hookimpl
def yizhan_register_piccolo_app():
    """Tables and migrations."""
    return "yizhan.plugins.events.piccolo_app"


@hookimpl
def yizhan_register_graphql():
    """Events, occurrences, sign-ups, check-in, attendance, figures and feed URLs."""
    from yizhan.plugins.events.schema import contribution

    return contribution()


@hookimpl
def yizhan_register_commands(app):
    """``yizhan events create|list|checkin|close|stats``."""
    from yizhan.plugins.events.cli import events_app

    app.add_typer(events_app, name="events")


@hookimpl
def yizhan_register_routes():
    """``/events/<community>.ics`` (public) and ``/events/<community>/me/<secret>.ics``."""
    from yizhan.plugins.events.routes import ROUTES

    return ROUTES


@hookimpl
async def yizhan_deadline_due(ctx, deadline):
    """Invitations, reminders, automatic closing, the series horizon and reward retries."""
    from yizhan.plugins.events import service

    await service.deadline_due(ctx, deadline)


@hookimpl
async def yizhan_member_left(ctx, member, removed_by):
    """A member who left (or was removed) gives up their coming places: each goes to the first
    in line, and any fee is refunded."""
    from yizhan.plugins.events import signups

    await signups.member_left(ctx.community, member)


@hookimpl
def yizhan_register_indicators():
    """Sign-ups, attendance, no-shows, first-timers, referrals and conversion."""
    from yizhan.plugins.events.stats import INDICATORS

    return INDICATORS


@hookimpl
async def yizhan_seed_demo(ctx, members):
    """The Saturday cashflow game with past sessions, the 百家宴 feast and 粽香传情."""
    from yizhan.plugins.events.demo import seed_demo

    await seed_demo(ctx.community, members)
