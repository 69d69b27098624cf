"""The hello plugin's spec and hook implementations (its entry-point module)."""

from __future__ import annotations

from yizhan.core.api import GraphQLContribution, PluginSpec, hookimpl
from yizhan_hello import NAME

PLUGIN = PluginSpec(
    name=NAME,
    version="0.1.0",
    description="A greeting and a guestbook: the smallest third-party plugin.",
)


@hookimpl
def yizhan_register_graphql():
    """The ``hello`` query and the ``signGuestbook`` mutation."""
    from yizhan_hello.schema import GuestbookEntry, HelloMutation, HelloQuery

    return GraphQLContribution(query=HelloQuery, mutation=HelloMutation, types=[GuestbookEntry])


@hookimpl
def yizhan_register_piccolo_app():
    """The guestbook table and its migration."""
    return "yizhan_hello.piccolo_app"


@hookimpl
def yizhan_register_settings():
    """The greeting word and the guestbook's size limit."""
    from yizhan_hello.settings import HelloSettings

    return HelloSettings


@hookimpl
def yizhan_register_commands(app):
    """``yizhan hello count -c SLUG``."""
    from yizhan_hello.cli import hello_app

    app.add_typer(hello_app, name="hello")
