"""The ``yizhan`` command: the admin CLI. Plugins add commands through
``yizhan_register_commands``."""

from __future__ import annotations

import sys

import typer

from yizhan.cli import admin, operations, platform
from yizhan.cli.output import fail
from yizhan.cli.runner import set_operator_name
from yizhan.core.plugins import PluginError, PluginRegistry, get_registry


def _new_app() -> typer.Typer:
    cli = typer.Typer(
        name="yizhan",
        help="Yizhan (驿站): run and administer a neighbourhood time bank.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,  # usage errors as plain lines, fit for scripts and logs
    )
    cli.callback()(_root)
    platform.register(cli)
    admin.register(cli)
    operations.register(cli, admin.member_app)
    return cli


def _root(operator: str = typer.Option(
        None, "--operator", envvar="YIZHAN_OPERATOR", metavar="NAME",
        help="Your name, recorded in the audit log with every change this command makes "
             "(default: $YIZHAN_OPERATOR, else your OS user name).")) -> None:
    """Yizhan (驿站): run and administer a neighbourhood time bank."""
    set_operator_name(operator)


#: Core's commands only; :func:`build_app` adds the installed plugins' commands to it once.
app = _new_app()
_plugins_added = False


def make_app(registry: PluginRegistry | None = None) -> typer.Typer:
    """A fresh CLI with core's commands and those of every plugin in ``registry`` (default:
    the installed plugins). Tests and embedding use this; it never touches :data:`app`."""
    cli = _new_app()
    (registry or get_registry()).register_results("yizhan_register_commands", app=cli)
    return cli


def build_app() -> typer.Typer:
    """The CLI with every installed plugin's commands added (once, however often called)."""
    global _plugins_added
    if not _plugins_added:
        get_registry().register_results("yizhan_register_commands", app=app)
        _plugins_added = True
    return app


def main() -> None:
    """Console entry point."""
    try:
        cli = build_app()
    except PluginError as error:
        fail("PLUGIN_ERROR", str(error))
        return
    cli(prog_name="yizhan")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
