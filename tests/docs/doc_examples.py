"""Examples in README.md and docs/*.md, extracted so the suite runs them against a fresh demo.

Every fenced ```graphql block is run (each operation in it, in order) and every ``yizhan …``
line of a ```sh / ```console / ```bash block is run by the CLI. A block may be preceded by a
directive in an HTML comment (invisible on GitHub)::

    <!-- example: as=li fill=…:open_need expect=WINDOW_IN_PAST -->

Directive keys:

* ``as=USER`` — run GraphQL logged in as this demo user (password ``yizhan-demo``).
* ``fill=TEXT:LOOKUP[,TEXT:LOOKUP…]`` — replace the quoted placeholder ``"TEXT"`` with a value
  the demo has (:data:`LOOKUPS`); naming a placeholder twice gives the first operation the first
  lookup, the second the second, and so on.
* ``expect=CODE`` — the example shows a refusal: the code must be in the answer.
* ``dates=keep`` — leave datetimes as written (by default they are moved by whole days so the
  earliest is tomorrow, keeping times of day: examples never expire).
* ``excerpt-of=PATH`` (```python blocks) — every code line of the block (comments aside) is a
  line of the file or folder at PATH, or of the plugin ``yizhan plugins new thanks`` writes
  (``excerpt-of=scaffold``). Every other python block must at least be valid Python.
* ``synopsis`` — a shell block of usage lines (``yizhan x y ARG [--opt …]``): not run, but
  every command must exist and every ``--option`` it names must be one the command takes.
* ``skip="why"`` — not run here (say why: long-running, needs the network …).

Nothing else is special: blocks without a directive run anonymously and must succeed.
"""

from __future__ import annotations

import re
import shlex
import textwrap
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FENCE = re.compile(r"^\s*```(\w*)\s*$")
DIRECTIVE = re.compile(r"^<!--\s*example:(.*?)-->\s*$")
RUNNABLE = {"graphql", "sh", "console", "bash", "shell", "python"}
DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:\d{2})")


@dataclass
class Example:
    """One runnable block: where it is, its language, its text and its directive."""

    path: Path
    line: int
    lang: str
    code: str
    directive: dict[str, str] = field(default_factory=dict)

    @property
    def where(self) -> str:
        """``file:line`` for messages."""
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def doc_files() -> list[Path]:
    """README.md and every page under docs/."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def parse_directive(text: str) -> dict[str, str]:
    """``as=li expect=CODE`` -> {"as": "li", "expect": "CODE"}."""
    found = {}
    for word in shlex.split(text):
        key, _, value = word.partition("=")
        found[key.strip()] = value.strip()
    return found


def examples(path: Path) -> list[Example]:
    """The runnable blocks of a markdown file, with their directives."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[Example] = []
    directive: dict[str, str] = {}
    i = 0
    while i < len(lines):
        match = DIRECTIVE.match(lines[i].strip())
        if match:
            directive = parse_directive(match.group(1))
            i += 1
            continue
        fence = FENCE.match(lines[i])
        if fence and fence.group(1):
            lang, start = fence.group(1), i + 1
            i += 1
            body = []
            while i < len(lines) and not lines[i].lstrip().startswith("```"):
                body.append(lines[i])
                i += 1
            if lang in RUNNABLE:
                found.append(Example(path, start, lang, textwrap.dedent("\n".join(body)),
                                     directive))
            directive = {}
        elif lines[i].strip():
            directive = {} if not lines[i].lstrip().startswith("<!--") else directive
        i += 1
    return found


def cli_commands(code: str, console: bool = False) -> list[list[str]]:
    """The ``yizhan …`` commands of a shell block (``$`` prompts, ``\\`` continuations and
    trailing ``# comments`` handled). In a ``console`` block only ``$``-prompted lines are
    commands; the others are their output."""
    commands = []
    joined: list[str] = []
    for raw in code.splitlines():
        line = raw.strip()
        if joined:
            joined.append(line)
        elif line.startswith("$ yizhan ") or (line.startswith("yizhan ") and not console):
            joined = [line.removeprefix("$ ")]
        else:
            continue
        if line.endswith("\\"):
            joined[-1] = joined[-1][:-1]
            continue
        words = shlex.split(" ".join(joined), comments=True)
        commands.append(words[1:])
        joined = []
    return commands


OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*)")


def synopsis_lines(code: str) -> list[tuple[list[str], list[str]]]:
    """(command words, options named) of each ``yizhan …`` usage line: the command words are
    the leading lowercase words (``badges``, ``define``), before arguments and options."""
    found = []
    for line in code.splitlines():
        line = line.strip().removeprefix("$ ")
        if not line.startswith("yizhan "):
            continue
        words = []
        for word in line.split()[1:]:
            if not re.fullmatch(r"[a-z][a-z0-9-]*", word):
                break
            words.append(word)
        found.append((words, OPTION.findall(line.split("#")[0])))
    return found


def shift_dates(code: str, now: datetime) -> str:
    """Move every datetime in ``code`` by the same whole number of days so the earliest is
    tomorrow or later (times of day and offsets kept)."""
    stamps = DATETIME.findall(code)
    if not stamps:
        return code
    parsed = {s: datetime.fromisoformat(s.replace("Z", "+00:00")) for s in stamps}
    earliest = min(parsed.values())
    days = max(0, (now.astimezone(UTC) - earliest.astimezone(UTC)).days + 2)
    if not days:
        return code
    shift = timedelta(days=days)
    return DATETIME.sub(lambda m: (parsed[m.group(0)] + shift).isoformat(), code)


def split_operations(document: str) -> list[str]:
    """The operations of a GraphQL document, each as a document of its own."""
    from graphql import parse, print_ast
    from graphql.language import DocumentNode, OperationDefinitionNode

    tree = parse(document)
    fragments = [d for d in tree.definitions if not isinstance(d, OperationDefinitionNode)]
    return [print_ast(DocumentNode(definitions=[op, *fragments])) for op in tree.definitions
            if isinstance(op, OperationDefinitionNode)]


def _needs(status: str, extra: str = "") -> str:
    return ('{ viewer { memberships { id community { slug } } } '
            f'needs(community: "shuixie", filter: {{status: [{status}]{extra}}}, first: 50) '
            '{ nodes { id requester { id } postedBy { id } helper { id } } } }')


def _mine(data: dict) -> str | None:
    return next((m["id"] for m in data["viewer"]["memberships"]
                 if m["community"]["slug"] == "shuixie"), None) if data.get("viewer") else None


def _open_need(data: dict) -> str:
    me = _mine(data)
    return next(n["id"] for n in data["needs"]["nodes"]
                if me not in (n["requester"]["id"], n["postedBy"]["id"]))


def _posted_for_someone(data: dict) -> str:
    me = _mine(data)
    return next(n["id"] for n in data["needs"]["nodes"]
                if n["postedBy"]["id"] == me and n["requester"]["id"] != me)


def _first(data: dict) -> str:
    return data["needs"]["nodes"][0]["id"]


def _expert_badge(data: dict) -> str:
    return next(b["id"] for b in data["badgeDefinitions"] if b["kind"] == "EXPERT")


def _undisputed(data: dict) -> str:
    disputed = {d["need"]["id"] for d in data["myDisputes"]["nodes"]}
    return next(n["id"] for n in data["needs"]["nodes"] if n["id"] not in disputed)


_UNDISPUTED = ('{ needs(community: "shuixie", filter: {status: [DONE, CONFIRMED], mine: true}, '
               'first: 50) { nodes { id } } '
               'myDisputes(community: "shuixie", first: 100) { nodes { need { id } } } }')
_OPEN_DISPUTES = '{ %s(community: "shuixie", status: OPEN) { nodes { id } } }'


def _first_dispute(data: dict) -> str:
    (found,) = data.values()
    return found["nodes"][0]["id"]
def _next_game(data: dict) -> str:
    return data["upcomingEvents"]["nodes"][0]["id"]


#: Lookups for ``fill``: name -> (GraphQL query run as the example's user, picking function).
LOOKUPS = {
    "open_need": (_needs("OPEN"), _open_need),
    "posted_for_someone": (_needs("OPEN"), _posted_for_someone),
    "helping_need": (_needs("ACCEPTED", ", helping: true"), _first),
    "my_done_need": (_needs("DONE", ", mine: true"), _first),
    "expert_badge": ('{ badgeDefinitions(community: "shuixie") { id kind } }', _expert_badge),
    "undisputed_need": (_UNDISPUTED, _undisputed),
    "my_open_dispute": (_OPEN_DISPUTES % "myDisputes", _first_dispute),
    "mediated_dispute": (_OPEN_DISPUTES % "disputesIMediate", _first_dispute),
    "next_game": ('{ upcomingEvents(community: "shuixie", kind: GAME, first: 1) '
                  '{ nodes { id } } }', _next_game),
}


def code_lines(text: str) -> list[str]:
    """Stripped lines of Python without comments, blank lines and ``...`` placeholders."""
    found = []
    for line in text.splitlines():
        stripped = re.sub(r"\s+#.*$", "", line).strip()
        if stripped and not stripped.startswith("#") and stripped not in ("...", "…"):
            found.append(stripped)
    return found
