"""Docs that cannot lie: every GraphQL example and every ``yizhan …`` command in README.md and
docs/*.md runs against a fresh demo served by a real ``yizhan serve`` (see doc_examples.py for
the directives that fill ids, log in and expect refusals). An example that stops working fails
here, naming its file and line."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import httpx
import pytest
from doc_examples import (
    LOOKUPS,
    ROOT,
    Example,
    cli_commands,
    code_lines,
    doc_files,
    examples,
    shift_dates,
    split_operations,
    synopsis_lines,
)

#: Commands that would not return (a server) or change the developer's machine: only their
#: ``--help`` runs.
NOT_RUN = {("serve",), ("plugins", "new")}
#: Commands whose exit status reports a finding rather than a mistake.
EXIT_REPORTS = {("check",): {0, 1}}


class Runner:
    """Runs the examples of one file against one demo, collecting failures."""

    def __init__(self, server, cli) -> None:
        self.server = server
        self.cli = cli
        self.http = httpx.Client(timeout=30)
        self.tokens: dict[str, str] = {}
        self.failures: list[str] = []

    def graphql(self, query: str, user: str | None = None) -> dict:
        headers = {"Accept-Language": "en"}
        if user:
            headers["Authorization"] = f"Bearer {self.token(user)}"
        response = self.http.post(self.server.graphql_url, json={"query": query},
                                  headers=headers)
        return response.json()

    def wait_for_demo(self) -> None:
        """The server learns of the demo's plugin switches within its poll interval."""
        import time

        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            answer = self.graphql('{ community(slug: "shuixie") { enabledPlugins } }')
            if "credits" in ((answer.get("data") or {}).get("community") or {}).get(
                    "enabledPlugins", []):
                return
            time.sleep(0.1)
        raise AssertionError("the server never saw the demo's plugins")

    def token(self, user: str) -> str:
        if user not in self.tokens:
            login = ("mutation($u: String!) { login(input: {identifier: $u, "
                     'password: "yizhan-demo"}) { token errors { code } } }')
            answer = self.http.post(self.server.graphql_url, json={
                "query": login, "variables": {"u": user}}).json()
            self.tokens[user] = answer["data"]["login"]["token"]
        return self.tokens[user]

    def fill(self, operation: str, index: int, example: Example) -> str:
        spec = example.directive.get("fill")
        if not spec:
            return operation
        by_placeholder: dict[str, list[str]] = {}
        for pair in spec.split(","):
            placeholder, _, lookup = pair.rpartition(":")
            by_placeholder.setdefault(placeholder, []).append(lookup)
        for placeholder, lookups in by_placeholder.items():
            lookup = lookups[min(index, len(lookups) - 1)]
            query, pick = LOOKUPS[lookup]
            value = pick(self.graphql(query, example.directive.get("as"))["data"])
            operation = operation.replace(f'"{placeholder}"', json.dumps(value))
        return operation

    def run_graphql(self, example: Example) -> None:
        from graphql import parse

        code = example.code
        if example.directive.get("dates") != "keep":
            code = shift_dates(code, datetime.now(UTC))
        operations = split_operations(code)
        for index, operation in enumerate(operations):
            if parse(operation).definitions[0].operation.value == "subscription":
                self.validate_subscription(operation, example)
                continue
            operation = self.fill(operation, index, example)
            answer = self.graphql(operation, example.directive.get("as"))
            self.judge(answer, example)

    def validate_subscription(self, operation: str, example: Example) -> None:
        from graphql import parse, validate

        from yizhan.core.graphql.schema import build_schema

        schema = build_schema()._schema
        errors = validate(schema, parse(operation))
        if errors:
            self.failures.append(f"{example.where}: {errors[0].message}")

    def judge(self, answer: dict, example: Example) -> None:
        expected = example.directive.get("expect")
        codes = [e.get("extensions", {}).get("code") for e in answer.get("errors") or []]
        for payload in (answer.get("data") or {}).values():
            if isinstance(payload, dict) and isinstance(payload.get("errors"), list):
                codes += [e.get("code") for e in payload["errors"]]
        if expected:
            if expected not in codes:
                self.failures.append(f"{example.where}: expected {expected}, got {answer}")
        elif codes or "data" not in answer or answer.get("errors"):
            self.failures.append(f"{example.where}: {json.dumps(answer, ensure_ascii=False)}")

    def check_synopsis(self, example: Example) -> None:
        for words, options in synopsis_lines(example.code):
            # The longest prefix of words that is a command (the rest are arguments).
            for size in range(len(words), 0, -1):
                help_run = self.cli(*words[:size], "--help")
                if help_run.exit_code == 0:
                    break
            else:
                self.failures.append(f"{example.where}: no command `yizhan {words[0]}`")
                continue
            missing = [o for o in options if o not in help_run.stdout]
            if missing:
                self.failures.append(f"{example.where}: `yizhan {' '.join(words[:size])}` "
                                     f"takes no {', '.join(missing)}")

    def run_shell(self, example: Example) -> None:
        if "synopsis" in example.directive:
            self.check_synopsis(example)
            return
        for args in cli_commands(example.code, console=example.lang == "console"):
            if any(tuple(args[:len(skip)]) == skip for skip in NOT_RUN):
                help_run = self.cli(*args[:len(args) and 1], "--help")
                if help_run.exit_code != 0:
                    self.failures.append(f"{example.where}: yizhan {args[0]} --help failed")
                continue
            result = self.cli(*args)
            allowed = next((codes for cmd, codes in EXIT_REPORTS.items()
                            if tuple(args[:len(cmd)]) == cmd), {0})
            if result.exit_code in allowed and result.exception is None:
                result.exit_code = 0
            expected = example.directive.get("expect")
            if expected:
                if f"[{expected}]" not in result.stderr:
                    self.failures.append(f"{example.where}: `yizhan {' '.join(args)}` "
                                         f"should fail with {expected}: {result.stderr}")
            elif result.exit_code != 0:
                self.failures.append(f"{example.where}: `yizhan {' '.join(args)}` exited "
                                     f"{result.exit_code}: {result.stderr.strip()}")


def _examples_of(path) -> list[Example]:
    return [e for e in examples(path) if "skip" not in e.directive and e.lang != "python"]


DOCS = [p for p in doc_files() if _examples_of(p)]


@pytest.mark.parametrize("path", DOCS, ids=[p.name for p in DOCS])
def test_every_example_in_the_docs_runs(path, yizhan_server, cli, clock, tmp_path,
                                        monkeypatch):
    monkeypatch.chdir(tmp_path)  # commands that write files write them here
    clock.set(datetime.now(UTC))  # the in-process CLI and the server share one time
    created = cli("demo", "--json")
    assert created.exit_code == 0, created.stderr
    runner = Runner(yizhan_server, cli)
    runner.wait_for_demo()
    for example in _examples_of(path):
        if example.lang == "graphql":
            runner.run_graphql(example)
        else:
            runner.run_shell(example)
    assert not runner.failures, "\n".join(runner.failures)


def test_skipped_examples_say_why():
    unexplained = [e.where for p in doc_files() for e in examples(p)
                   if "skip" in e.directive and not e.directive["skip"].strip()]
    assert not unexplained, unexplained


def test_a_broken_example_is_caught(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("Intro\n\n<!-- example: as=li expect=NEED_TAKEN -->\n```graphql\n"
                    "{ x }\n```\n\n```sh\nyizhan community list --json  # all\n"
                    "$ yizhan member add a -c b \\\n   --name A\nout\n```\n",
                    encoding="utf-8")
    found = examples(page)
    assert [(e.lang, e.directive) for e in found] == [
        ("graphql", {"as": "li", "expect": "NEED_TAKEN"}), ("sh", {})]
    assert cli_commands(found[1].code) == [["community", "list", "--json"],
                                           ["member", "add", "a", "-c", "b", "--name", "A"]]
    moved = shift_dates('"2026-11-23T21:00:00+08:00" "2026-11-23T22:30:00+08:00"',
                        datetime(2026, 12, 1, tzinfo=UTC))
    assert re.findall(r"T(\d\d:\d\d)", moved) == ["21:00", "22:30"]
    assert "2026-12-0" in moved and "2026-11-23" not in moved


PYTHON = [e for p in doc_files() for e in examples(p) if e.lang == "python"]


@pytest.mark.parametrize("example", PYTHON, ids=[e.where for e in PYTHON])
def test_python_in_the_docs_is_valid_and_excerpts_are_true(example, scaffold):
    import ast

    ast.parse(example.code)  # fragments must at least be valid Python
    source = example.directive.get("excerpt-of")
    if not source:
        return
    target = scaffold if source == "scaffold" else ROOT / source
    files = [target] if target.is_file() else sorted(target.rglob("*.py"))
    known = {line for f in files for line in code_lines(f.read_text(encoding="utf-8"))}
    missing = [line for line in code_lines(example.code) if line not in known]
    assert not missing, f"{example.where}: not in {source}: {missing}"


@pytest.fixture(scope="session")
def scaffold(tmp_path_factory):
    """The plugin ``yizhan plugins new thanks`` writes (the plugin guide's running example)."""
    from typer.testing import CliRunner

    from yizhan.cli.main import make_app

    folder = tmp_path_factory.mktemp("scaffold")
    result = CliRunner().invoke(make_app(), ["plugins", "new", "thanks", "--directory",
                                             str(folder)])
    assert result.exit_code == 0, result.output
    return folder / "yizhan-thanks"
