"""``yizhan plugins new NAME``: write a new plugin distribution from the templates.

The result is a complete, installable plugin laid out like the built-ins — its own
``pyproject.toml`` with the ``yizhan`` entry point, ``plugin.py``, ``tables.py``, ``service.py``,
``schema.py``, ``settings.py``, ``cli.py``, ``piccolo_app.py``, a first migration, a Chinese
message catalog and tests using ``yizhan.testing`` — whose tests pass as soon as it is
installed. Templates live in ``cli/templates/plugin``; ``{{ key }}`` marks what is filled in.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import typer

from yizhan.cli.output import JSON_OPTION, emit, fail

TEMPLATES = Path(__file__).parent / "templates" / "plugin"
NAME = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
MAX_NAME = 24
RESERVED = {"core", "yizhan", "plugins", "plugin", "test", "tests", "testing", "api"}
_PLACEHOLDER = re.compile(r"\{\{ (\w+) \}\}")


class ScaffoldError(ValueError):
    """A name or directory ``yizhan plugins new`` cannot use; ``code`` says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Names:
    """Every spelling of a plugin's name the templates need."""

    name: str       # plugin, Piccolo app and table prefix: tool_shed
    package: str    # Python package: yizhan_tool_shed
    dist: str       # distribution and folder: yizhan-tool-shed
    Pascal: str     # noqa: N815 - class names: ToolShed
    camel: str      # GraphQL fields: toolShed

    @classmethod
    def of(cls, name: str) -> Names:
        """Check ``name`` and derive its spellings."""
        check_name(name)
        words = name.split("_")
        return cls(name=name, package=f"yizhan_{name}", dist=f"yizhan-{name.replace('_', '-')}",
                   Pascal="".join(w.title() for w in words),
                   camel=words[0] + "".join(w.title() for w in words[1:]))


def check_name(name: str) -> None:
    """Refuse a name that is not a short lowercase identifier, or is taken."""
    if not NAME.match(name or "") or len(name) > MAX_NAME:
        raise ScaffoldError("INVALID_NAME", f"Plugin names are 2-{MAX_NAME} lowercase letters, "
                                            "digits and single underscores, starting with a "
                                            f"letter (like tool_shed); got {name!r}.")
    if len(name) < 2 or keyword.iskeyword(name) or name in RESERVED:
        raise ScaffoldError("INVALID_NAME", f"{name!r} cannot be a plugin name.")
    if name in _installed_plugins():
        raise ScaffoldError("NAME_TAKEN", f"A plugin named {name!r} is already installed.")


def _installed_plugins() -> set[str]:
    try:
        from yizhan.core.plugins import get_registry

        return set(get_registry().plugins)
    except Exception:  # noqa: BLE001 - a broken plugin elsewhere must not stop scaffolding
        return set()


def _version(dist: str, default: str) -> str:
    try:
        return version(dist)
    except PackageNotFoundError:
        return default


def placeholders(names: Names, now: datetime) -> dict[str, str]:
    """What ``{{ key }}`` becomes in the templates."""
    return {
        "name": names.name, "package": names.package, "dist": names.dist,
        "Pascal": names.Pascal, "camel": names.camel,
        "migration_id": now.strftime("%Y-%m-%dT%H:%M:%S:%f"),
        "migration_module": f"{names.name}_{now:%Y_%m_%dt%H_%M_%S_%f}",
        "yizhan_version": _version("yizhan", "0.1.0"),
        "piccolo_version": _version("piccolo", "1.38.0"),
    }


def render(text: str, values: dict[str, str]) -> str:
    """Fill every ``{{ key }}`` of ``text``; an unknown key is a bug in the template."""
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


def _target(relative: Path, values: dict[str, str]) -> Path:
    parts = [values["package"] if p == "package" else p for p in relative.parts]
    file = parts[-1].removesuffix(".tmpl")
    if file == "initial.py":
        file = f"{values['migration_module']}.py"
    elif file == "test_plugin.py":
        file = f"test_{values['name']}.py"
    return Path(*parts[:-1], file)


def write_plugin(name: str, directory: Path, now: datetime | None = None) -> Path:
    """Write the distribution of plugin ``name`` into ``directory/yizhan-NAME``; return it."""
    names = Names.of(name)
    values = placeholders(names, now or datetime.now(UTC))
    root = Path(directory) / names.dist
    if root.exists() and any(root.iterdir()):
        raise ScaffoldError("DIRECTORY_EXISTS", f"{root} already exists and is not empty.")
    for template in sorted(TEMPLATES.rglob("*.tmpl")):
        target = root / _target(template.relative_to(TEMPLATES), values)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render(template.read_text(encoding="utf-8"), values),
                          encoding="utf-8")
    return root


def new(name: str = typer.Argument(..., help="The plugin's name, e.g. tool_shed."),
        directory: Path = typer.Option(Path("."), "--directory", "-d",
                                       help="Where to create the yizhan-NAME folder."),
        as_json: bool = JSON_OPTION) -> None:
    """Write a new plugin distribution (tables, migration, GraphQL, hook, setting, CLI,
    tests) ready to install with `pip install -e`."""
    try:
        root = write_plugin(name, directory)
    except ScaffoldError as error:
        fail(error.code, str(error))
        return
    if as_json:
        emit({"created": str(root), "next": [f"pip install -e {root}", "yizhan db migrate",
                                             f"yizhan plugins enable {name} -c SLUG",
                                             f"pytest {root / 'tests'}"]}, True)
        return
    typer.echo(f"Created {root}")
    typer.echo("Next:")
    typer.echo(f"  pip install -e '{root}[test]'   # the plugin, pytest and Yizhan's fixtures")
    typer.echo("  yizhan db migrate")
    typer.echo(f"  yizhan plugins enable {name} -c SLUG")
    typer.echo(f"  pytest {root / 'tests'}")
