"""Meta-tests, as Datasette has: every hook is documented in docs/hooks.md, and every hook has
a test (a test marked ``@pytest.mark.hook("name")`` somewhere under ``tests/``)."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

from yizhan.core import hookspecs

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "hooks.md"
TESTS = ROOT / "tests"
HEADING = re.compile(r"^### (yizhan_\w+)\s*$", re.MULTILINE)


def specified() -> dict[str, inspect.Signature]:
    """Every hook specified in ``core/hookspecs.py`` with its signature."""
    return {name: inspect.signature(fn) for name, fn in vars(hookspecs).items()
            if name.startswith("yizhan_") and hasattr(fn, "yizhan_spec")}


def documented() -> dict[str, str]:
    """``### yizhan_…`` sections of docs/hooks.md: name -> the section's text."""
    text = DOCS.read_text(encoding="utf-8")
    matches = list(HEADING.finditer(text))
    sections = {}
    for match, following in zip(matches, [*matches[1:], None], strict=True):
        end = following.start() if following else len(text)
        sections[match.group(1)] = text[match.end():end]
    return sections


def _hook_mark_names(tree: ast.Module) -> set[str]:
    """Names aliased to ``pytest.mark.hook`` in a module (``hook = pytest.mark.hook``)."""
    aliases = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and _is_mark(node.value):
            aliases.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return aliases


def _is_mark(node: ast.expr) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "hook"
            and isinstance(node.value, ast.Attribute) and node.value.attr == "mark")


def marked_hooks() -> dict[str, list[str]]:
    """Hook name -> tests (``file::function``) marked with it, across the whole suite."""
    found: dict[str, list[str]] = {}
    for path in sorted(TESTS.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        aliases = _hook_mark_names(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if not node.name.startswith("test"):
                continue
            for decorator in node.decorator_list:
                if not isinstance(decorator, ast.Call):
                    continue
                func = decorator.func
                if not (_is_mark(func) or isinstance(func, ast.Name) and func.id in aliases):
                    continue
                for arg in decorator.args:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        where = f"{path.relative_to(ROOT)}::{node.name}"
                        found.setdefault(arg.value, []).append(where)
    return found


def test_every_hook_is_documented():
    missing = sorted(set(specified()) - set(documented()))
    assert not missing, f"add a `### name` section to docs/hooks.md for: {missing}"


def test_every_documented_hook_exists():
    unknown = sorted(set(documented()) - set(specified()))
    assert not unknown, f"docs/hooks.md documents hooks core/hookspecs.py lacks: {unknown}"


def test_every_hook_section_names_its_arguments_and_answer_rule():
    sections = documented()
    problems = []
    for name, signature in specified().items():
        text = sections.get(name, "")
        for parameter in signature.parameters:
            if f"`{parameter}`" not in text:
                problems.append(f"{name}: argument `{parameter}` not described")
        if "First answer wins" not in text:
            problems.append(f"{name}: does not say whether the first answer wins")
        if "```python" not in text:
            problems.append(f"{name}: no example implementation")
    assert not problems, "\n".join(problems)


def test_first_answer_hooks_are_documented_as_such():
    first = {name for name, fn in vars(hookspecs).items()
             if hasattr(fn, "yizhan_spec") and fn.yizhan_spec.get("firstresult")}
    sections = documented()
    for name in specified():
        says_yes = "**First answer wins**: **yes**" in sections[name]
        assert says_yes == (name in first), name


def test_every_hook_has_a_test():
    marks = marked_hooks()
    missing = sorted(set(specified()) - set(marks))
    assert not missing, (
        "these hooks have no test marked @pytest.mark.hook(name): " + ", ".join(missing))


def test_hook_marks_name_real_hooks(probe_registry):
    # A typo in a mark would hide a missing test. Plugins' own hook specs count as real.
    real = set(specified()) | {name for name in dir(probe_registry.pm.hook)
                               if name.startswith("yizhan_")}
    wrong = {name: where for name, where in marked_hooks().items() if name not in real}
    assert not wrong, f"marks naming no hook: {wrong}"
