"""The ``yizhan`` command: the admin CLI. Plugins add commands through
``yizhan_register_commands``."""

from __future__ import annotations

import sys

import typer

from yizhan.cli import admin, platform
from yizhan.cli.output import fail
from yizhan.core.plugins import PluginError, get_registry

app = typer.Typer(
    name="yizhan",
    help="Yizhan (驿站): run and administer a neighbourhood time bank.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
platform.register(app)
admin.register(app)


def build_app() -> typer.Typer:
    """The CLI with every installed plugin's commands added."""
    get_registry().register_results("yizhan_register_commands", app=app)
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
