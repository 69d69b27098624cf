"""The insights plugin's spec and hook implementations (its entry-point module)."""

from __future__ import annotations

from yizhan.core.api import Job, PluginSpec, hookimpl
from yizhan.plugins.insights import NAME

PLUGIN = PluginSpec(
    name=NAME,
    version="0.1.0",
    description="Key indicators of every plugin per month and quarter, stored when a month "
                "closes and refreshed every few minutes while it runs, and a monthly report "
                "with charts for the admins.",
)


@hookimpl
def yizhan_register_piccolo_app():
    """The stored values of closed periods."""
    return "yizhan.plugins.insights.piccolo_app"


@hookimpl
def yizhan_register_settings():
    """Public indicators, trend months, notifying admins, refresh interval."""
    from yizhan.plugins.insights.settings import InsightsSettings

    return InsightsSettings


@hookimpl
def yizhan_register_graphql():
    """``indicators``, ``indicatorSeries``, ``indicatorDefinitions`` and ``monthlyReport``."""
    from yizhan.core.api import GraphQLContribution
    from yizhan.plugins.insights.schema import InsightsQuery

    return GraphQLContribution(query=InsightsQuery)


@hookimpl
def yizhan_register_jobs():
    """``insights.close_months``: store the months and quarters that ended (hourly);
    ``insights.refresh_running``: recompute the running month's snapshots that are older than
    ``running_refresh_minutes`` (checked every minute)."""
    from yizhan.plugins.insights import service

    return [Job("insights.close_months", 3600, service.close_due),
            Job("insights.refresh_running", 60, service.refresh_due)]


@hookimpl
def yizhan_register_commands(app):
    """``yizhan insights …`` and ``yizhan report monthly``."""
    from yizhan.plugins.insights.cli import insights_app, report_app

    app.add_typer(insights_app, name="insights")
    app.add_typer(report_app, name="report")
