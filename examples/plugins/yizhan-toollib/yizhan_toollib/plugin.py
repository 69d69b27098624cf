"""The tool library's spec and hook implementations (its ``yizhan`` entry-point module)."""

from __future__ import annotations

from yizhan.core.api import GraphQLContribution, Job, PluginSpec, hookimpl

from yizhan_toollib import NAME

PLUGIN = PluginSpec(
    name=NAME,
    version="0.1.0",
    description="A neighbourhood tool library: lend drills and ladders, with due dates, "
                "reminders and, where credits is on, a small deposit.",
    # Credits is optional: deposits are taken only where it is on (see deposits.py), so it
    # is not listed in ``requires``.
)


@hookimpl
def yizhan_register_piccolo_app():
    """Tools and loans, and their migrations."""
    return "yizhan_toollib.piccolo_app"


@hookimpl
def yizhan_register_settings():
    """Loan lengths, reminders, deposits, limits — per community."""
    from yizhan_toollib.settings import ToolLibrarySettings

    return ToolLibrarySettings


@hookimpl
def yizhan_register_graphql():
    """Browsing tools, borrowing and lending them."""
    from yizhan_toollib import schema

    return GraphQLContribution(query=schema.ToolLibraryQuery,
                               mutation=schema.ToolLibraryMutation,
                               types=[schema.Tool, schema.ToolLoan])


@hookimpl
def yizhan_register_jobs():
    """``toollib.remind``: due-date reminders and deposits waiting to move, every 5 minutes."""
    from yizhan_toollib import reminders

    return [Job("toollib.remind", 300, reminders.run)]


@hookimpl
def yizhan_register_commands(app):
    """``yizhan toollib tools|overdue -c SLUG``."""
    from yizhan_toollib.cli import toollib_app

    app.add_typer(toollib_app, name="toollib")


@hookimpl
async def yizhan_rank_candidates(ctx, need, candidates):
    """Neighbours who lend a tool the need calls for (a drill for a repair) rank higher."""
    from yizhan_toollib import matching

    await matching.rank(ctx, need, candidates)
