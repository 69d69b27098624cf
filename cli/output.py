"""Printing for the CLI: aligned tables for people, ``--json`` for scripts, one-line errors."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import Any

import typer

JSON_OPTION = typer.Option(False, "--json", help="Print JSON for scripts.")
COMMUNITY_OPTION = typer.Option(..., "--community", "-c", help="Community slug.")


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "-"
    if isinstance(value, dict):
        return ", ".join(f"{k}={_cell(v)}" for k, v in value.items()) or "-"
    return str(value)


def table(rows: list[dict[str, Any]], columns: list[str]) -> None:
    """Print ``rows`` as an aligned table of ``columns``."""
    if not rows:
        typer.echo("(none)")
        return
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    typer.echo("  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True)))
    for row in cells:
        typer.echo("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)))


def emit(data: Any, as_json: bool, columns: list[str] | None = None) -> None:
    """Print ``data`` as JSON or, for people, as a table (lists) or key: value lines."""
    if as_json:
        typer.echo(json.dumps(data, default=str, ensure_ascii=False, indent=2))
    elif isinstance(data, list):
        table(data, columns or (list(data[0]) if data else []))
    elif isinstance(data, dict):
        for key, value in data.items():
            typer.echo(f"{key}: {_cell(value)}")
    else:
        typer.echo(str(data))


def fail(code: str, message: str) -> None:
    """Print one clear line to stderr and exit non-zero."""
    typer.echo(f"error: {message} [{code}]", err=True)
    sys.exit(1)
