"""``yizhan plugins new NAME``: a plugin distribution whose own tests pass once installed.

The full test does what docs/plugins.md tells a newcomer: scaffold, ``pip install -e`` into a
fresh virtualenv (one that sees the Yizhan installed here, and nothing of the new plugin leaks
into this environment), ``yizhan plugins list`` shows it, its tests pass.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import site
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from yizhan.cli import scaffold
from yizhan.cli.main import make_app

REPO = Path(__file__).resolve().parents[2]


def _new(*args: str):
    return CliRunner().invoke(make_app(), ["plugins", "new", *args])


@pytest.mark.parametrize("name", ["Bad", "9lives", "a", "tool__shed", "tool_", "core",
                                  "class", "x" * 25, "tool-shed"])
def test_bad_names_are_refused_and_nothing_is_written(tmp_path, name):
    result = _new(name, "--directory", str(tmp_path))
    assert result.exit_code == 1
    assert "[INVALID_NAME]" in result.output
    assert list(tmp_path.iterdir()) == []


def test_the_name_of_an_installed_plugin_is_refused(tmp_path):
    result = _new("webhooks", "-d", str(tmp_path))
    assert result.exit_code == 1 and "[NAME_TAKEN]" in result.output
    assert list(tmp_path.iterdir()) == []


def test_an_existing_folder_is_not_overwritten(tmp_path):
    (tmp_path / "yizhan-tool-shed").mkdir()
    (tmp_path / "yizhan-tool-shed" / "mine.txt").write_text("keep me")
    result = _new("tool_shed", "-d", str(tmp_path))
    assert result.exit_code == 1 and "[DIRECTORY_EXISTS]" in result.output
    assert [p.name for p in (tmp_path / "yizhan-tool-shed").iterdir()] == ["mine.txt"]


def test_the_layout_is_that_of_the_built_ins(tmp_path):
    result = _new("tool_shed", "-d", str(tmp_path))
    assert result.exit_code == 0, result.output
    root = tmp_path / "yizhan-tool-shed"
    files = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    (migration,) = [f for f in files if f.startswith("yizhan_tool_shed/migrations/tool_shed_")]
    assert files == sorted([
        "README.md", "pyproject.toml", "tests/test_tool_shed.py",
        "yizhan_tool_shed/__init__.py", "yizhan_tool_shed/cli.py",
        "yizhan_tool_shed/locale/zh_Hans.po", "yizhan_tool_shed/migrations/__init__.py",
        migration, "yizhan_tool_shed/piccolo_app.py", "yizhan_tool_shed/plugin.py",
        "yizhan_tool_shed/schema.py", "yizhan_tool_shed/service.py",
        "yizhan_tool_shed/settings.py", "yizhan_tool_shed/tables.py"])
    project = tomllib.loads((root / "pyproject.toml").read_text())
    assert project["project"]["entry-points"]["yizhan"] == {
        "tool_shed": "yizhan_tool_shed.plugin"}
    text = "\n".join(p.read_text() for p in root.rglob("*") if p.is_file())
    assert "{{" not in text  # every placeholder was filled
    if shutil.which("ruff") or (Path(sys.executable).parent / "ruff").exists():
        ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
        lint = subprocess.run([ruff, "check", "."], cwd=root, capture_output=True, text=True)
        assert lint.returncode == 0, lint.stdout


def test_the_wheel_carries_the_templates():
    """setuptools packs a package's data by the globs in pyproject.toml (relative to the
    package folder); every template must match one, or ``plugins new`` breaks when installed
    from a wheel."""
    data = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    patterns = data.get("package-data", {})
    cli = REPO / data["package-dir"]["yizhan.cli"]
    covered: set[str] = set()
    for key in ("*", "yizhan.cli"):
        for pattern in patterns.get(key, []):
            covered.update(glob.glob(str(cli / pattern), recursive=True))
    templates = {str(p) for p in scaffold.TEMPLATES.rglob("*.tmpl")}
    assert templates and templates <= covered, sorted(templates - covered)


def _fresh_venv(where: Path) -> Path:
    """A new virtualenv that sees this interpreter's packages (Yizhan, pytest) through a .pth
    file, so installing into it never touches the environment running these tests."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True)
    return where / "bin" / "python"


def _link_parent(python: Path) -> None:
    purelib = subprocess.run([str(python), "-c", "import sysconfig; "
                              "print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    lines = "".join(f"import site; site.addsitedir({p!r})\n" for p in site.getsitepackages())
    Path(purelib, "_yizhan_parent.pth").write_text(lines)


def _clean_env() -> dict[str, str]:
    """The environment without this session's databases: the plugin's tests make their own."""
    return {k: v for k, v in os.environ.items()
            if k not in ("YIZHAN_DATABASE_URL", "YIZHAN_TEST_DATABASE_URL", "PYTHONPATH")}


def test_a_scaffolded_plugin_installs_lists_and_passes_its_own_tests(tmp_path):
    result = _new("tool_shed", "--directory", str(tmp_path))
    assert result.exit_code == 0, result.output
    root = tmp_path / "yizhan-tool-shed"
    python = _fresh_venv(tmp_path / "venv")
    env = _clean_env()
    # Installed as a newcomer would (build isolation fetches setuptools for the build).
    install = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
         "-e", str(root)], capture_output=True, text=True, env=env, timeout=300)
    assert install.returncode == 0, install.stdout + install.stderr
    _link_parent(python)

    listed = subprocess.run([str(python), "-m", "yizhan.cli.main", "plugins", "list",
                             "--json"], capture_output=True, text=True, env=env, timeout=60)
    assert listed.returncode == 0, listed.stderr
    entry = next(p for p in json.loads(listed.stdout) if p["name"] == "tool_shed")
    assert entry["source"] == "yizhan-tool-shed (entry point tool_shed)"
    assert "yizhan_need_confirmed" in entry["hooks"]

    tests = subprocess.run([str(python), "-m", "pytest", "-q", "-p", "no:randomly"],
                           cwd=root, capture_output=True, text=True, env=env, timeout=300)
    assert tests.returncode == 0, tests.stdout[-3000:] + tests.stderr[-2000:]
    assert " passed" in tests.stdout and "failed" not in tests.stdout

    # The written migration is exactly what Piccolo would generate for tables.py.
    again = subprocess.run(
        [str(python), "-m", "piccolo.main", "migrations", "new", "tool_shed", "--auto"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
        env={**env, "PICCOLO_CONF": "yizhan.core.piccolo_conf",
             "YIZHAN_DATABASE_URL": f"sqlite:///{tmp_path}/piccolo-check.db"})
    assert "No changes detected" in again.stdout, again.stdout + again.stderr

    # Nothing of it leaked into the environment running this test.
    here = subprocess.run([sys.executable, "-m", "pip", "show", "yizhan-tool-shed"],
                          capture_output=True, text=True)
    assert here.returncode != 0
