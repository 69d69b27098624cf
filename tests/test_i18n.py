"""Member-facing text: every English message in core, the CLI and every installed plugin has
a Chinese translation, and members read messages in their own language.

Messages are found with :mod:`ast`, in calls of the shapes core uses for member-facing text:

* ``YizhanError(code, message)`` and ``Veto(code, message)``
* ``invalid(field, message)``, ``forbidden(message)`` (and the default of a ``message``
  parameter, such as ``forbidden``'s own)
* ``notify(community, member, kind, subject, message)``
* ``translate(message, locale)``
* ``not_found(what)`` (``what``, an English noun, is translated too)

Only string literals are checked; a message built at run time cannot be, so write them as
literals with ``{placeholders}``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from yizhan.core.plugins import get_registry

ROOT = Path(__file__).resolve().parent.parent
CORE_DIRS = [ROOT / "core", ROOT / "cli"]
CORE_LOCALE = ROOT / "core" / "locale"
PLACEHOLDER = re.compile(r"\{(\w+)\}")

#: Call name -> (position of the message, keyword names that carry a message).
SHAPES: dict[str, tuple[tuple[int, ...], tuple[str, ...]]] = {
    "YizhanError": ((1,), ("message",)),
    "Veto": ((1,), ("message",)),
    "invalid": ((1,), ("message",)),
    "forbidden": ((0,), ("message",)),
    "notify": ((3, 4), ("subject", "message")),
    "translate": ((0,), ("message",)),
    "not_found": ((0,), ("what",)),
}


@dataclass(frozen=True)
class Message:
    """A msgid and where it was found."""

    msgid: str
    where: str


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _literal(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.strip():
        return node.value
    return None


def messages_in(path: Path, root: Path) -> Iterator[Message]:
    """Every member-facing message literal in one Python file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        where = f"{path.relative_to(root)}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Call):
            shape = SHAPES.get(_name(node.func) or "")
            if shape is None:
                continue
            positions, keywords = shape
            found = [node.args[i] for i in positions if i < len(node.args)]
            found += [k.value for k in node.keywords if k.arg in keywords]
            for value in found:
                text = _literal(value)
                if text is not None:
                    yield Message(text, where)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            args = node.args.args + node.args.kwonlyargs
            defaults = ([None] * (len(node.args.args) - len(node.args.defaults))
                        + list(node.args.defaults) + list(node.args.kw_defaults))
            for arg, default in zip(args, defaults, strict=True):
                text = _literal(default) if arg.arg == "message" else None
                if text is not None:
                    yield Message(text, where)


def messages_under(folders: list[Path], root: Path) -> list[Message]:
    """Messages of every ``.py`` file under ``folders`` (migrations excluded)."""
    found = []
    for folder in folders:
        files = [folder] if folder.is_file() else sorted(folder.rglob("*.py"))
        for path in files:
            if "migrations" in path.parts:
                continue
            found.extend(messages_in(path, root))
    return found


def catalog(path: Path) -> dict[str, str]:
    """msgid -> msgstr of a ``.po`` file (empty when the file is missing)."""
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        return {str(m.id): str(m.string) for m in read_po(handle) if m.id}


def _untranslated(messages: list[Message], *catalogs: Path) -> list[str]:
    known: dict[str, str] = {}
    for po in catalogs:
        known.update({k: v for k, v in catalog(po).items() if v})
    return sorted({f"{m.msgid!r} ({m.where})" for m in messages if not known.get(m.msgid)})


def test_the_extractor_finds_every_shape(tmp_path):
    source = tmp_path / "sample.py"
    source.write_text('''
def forbidden(message="Default refusal."):
    pass
raise YizhanError("CODE", "Error text {x}.", x=1)
raise invalid("field", "Invalid text.")
raise forbidden("Forbidden text.")
raise forbidden(message="Keyword text.")
Veto("CODE", "Veto text.")
await notify(1, 2, "kind", "Subject text", "Body text {title}.", title="t")
await notify(1, 2, "kind", subject="Keyword subject", message="Keyword body")
translate("Translated text.", "en")
not_found("widget")
YizhanError("CODE", computed_at_run_time)
''')
    found = {m.msgid for m in messages_in(source, tmp_path)}
    assert found == {"Default refusal.", "Error text {x}.", "Invalid text.", "Forbidden text.",
                     "Keyword text.", "Veto text.", "Subject text", "Body text {title}.",
                     "Keyword subject", "Keyword body", "Translated text.", "widget"}


def test_core_and_cli_messages_have_chinese():
    messages = messages_under(CORE_DIRS, ROOT)
    assert len(messages) > 50  # the extractor really reads core
    missing = _untranslated(messages, CORE_LOCALE / "zh_Hans.po")
    assert not missing, "add to core/locale/zh_Hans.po:\n" + "\n".join(missing)


def test_core_chinese_keeps_every_placeholder():
    zh = catalog(CORE_LOCALE / "zh_Hans.po")
    broken = [msgid for msgid, text in zh.items()
              if set(PLACEHOLDER.findall(msgid)) != set(PLACEHOLDER.findall(text))]
    assert not broken, f"placeholders differ in core/locale/zh_Hans.po: {broken}"


def test_core_english_catalog_covers_the_same_messages():
    zh, en = catalog(CORE_LOCALE / "zh_Hans.po"), catalog(CORE_LOCALE / "en.po")
    assert sorted(set(zh) - set(en)) == []
    assert sorted(set(en) - set(zh)) == []


def _plugin_packages() -> list[tuple[str, Path]]:
    registry = get_registry()
    found = []
    for name in registry.order:
        if name == "core":
            continue
        module_file = Path(registry.plugins[name].module.__file__)
        found.append((name, module_file.parent))
    return found


@pytest.mark.parametrize("name, folder", _plugin_packages(),
                         ids=[name for name, _ in _plugin_packages()])
def test_every_plugin_message_has_chinese(name, folder):
    # Catalogs are merged at run time, so a message core already translates (word for word,
    # e.g. "Too long: at most {max} characters.") needs no second entry.
    messages = messages_under([folder], folder.parent)
    missing = _untranslated(messages, folder / "locale" / "zh_Hans.po",
                            CORE_LOCALE / "zh_Hans.po")
    assert not missing, (f"plugin {name}: add to {folder / 'locale' / 'zh_Hans.po'}:\n"
                         + "\n".join(missing))


@pytest.mark.parametrize("name, folder", _plugin_packages(),
                         ids=[name for name, _ in _plugin_packages()])
def test_every_plugin_translation_keeps_its_placeholders(name, folder):
    zh = catalog(folder / "locale" / "zh_Hans.po")
    broken = [msgid for msgid, text in zh.items() if text
              and set(PLACEHOLDER.findall(msgid)) != set(PLACEHOLDER.findall(text))]
    assert not broken, f"plugin {name}: placeholders differ: {broken}"


# --- Members read messages in their language (through GraphQL) -------------------------



LATIN = re.compile(r"[A-Za-z]")
POST = """mutation($input: PostNeedInput!) { postNeed(input: $input) {
  need { id } errors { field code message } } }"""
STEP = """mutation($input: NeedActionInput!) {{ {name}(input: $input) {{
  need {{ status }} errors {{ code message }} }} }}"""
MISSING_NEED = """query { need(id: "TmVlZDo5OTk") { id } }"""


def _need(**overrides):
    from datetime import timedelta

    from yizhan.core import clock

    start = clock.now() + timedelta(hours=1)
    values = {"community": "testville", "title": "Soy sauce", "category": "errand",
              "windowStart": start.isoformat(),
              "windowEnd": (start + timedelta(hours=2)).isoformat(),
              "estimatedMinutes": 10}
    values.update(overrides)
    return {"input": values}


async def _person_locale(actor, locale: str) -> None:
    from yizhan.core.tables import Person

    await Person.update({Person.locale: locale}).where(Person.id == actor.person["id"])


async def test_accept_language_chooses_the_language_of_a_payload_error(resident):
    for language, message in (("en", "This field cannot be empty."),
                              ("en-US,en;q=0.9", "This field cannot be empty."),
                              ("zh-CN,zh;q=0.9", "此项不能为空。"),
                              ("zh_Hans", "此项不能为空。")):
        result = await resident.gql.data(POST, _need(title=" "),
                                         **{"Accept-Language": language})
        assert result["postNeed"]["errors"] == [
            {"field": "title", "code": "REQUIRED", "message": message}], language


async def test_accept_language_chooses_the_language_of_a_graphql_error(resident):
    for language, message in (("en", "No such need."), ("zh-CN", "找不到该需求。")):
        result = await resident.gql.execute(MISSING_NEED, **{"Accept-Language": language})
        (error,) = result["errors"]
        assert (error["extensions"]["code"], error["message"]) == ("NOT_FOUND", message)


async def test_the_persons_own_locale_wins_over_accept_language(resident, neighbour):
    await _person_locale(resident, "zh_Hans")
    await _person_locale(neighbour, "en")
    zh = await resident.gql.data(POST, _need(title=""), **{"Accept-Language": "en"})
    en = await neighbour.gql.data(POST, _need(title=""), **{"Accept-Language": "zh-CN"})
    assert zh["postNeed"]["errors"][0] == {"field": "title", "code": "REQUIRED",
                                           "message": "此项不能为空。"}
    assert en["postNeed"]["errors"][0] == {"field": "title", "code": "REQUIRED",
                                           "message": "This field cannot be empty."}
    # Also for GraphQL errors raised before the resolver looked the person up.
    top = await resident.gql.execute(MISSING_NEED, **{"Accept-Language": "en"})
    assert top["errors"][0]["message"] == "找不到该需求。"


async def test_without_any_preference_the_communitys_language_is_used(resident):
    # testville's language is English; the platform default would be Chinese.
    result = await resident.gql.data(POST, _need(title=""), **{"Accept-Language": ""})
    assert result["postNeed"]["errors"][0]["message"] == "This field cannot be empty."


async def test_need_status_and_action_words_are_translated(resident, neighbour):
    await _person_locale(resident, "zh_Hans")
    await _person_locale(neighbour, "zh_Hans")
    gid = (await resident.gql.data(POST, _need()))["postNeed"]["need"]["id"]

    async def run(actor, name):
        return (await actor.gql.data(STEP.format(name=name), {"input": {"needId": gid}}))[name]

    cancel = """mutation($input: CancelNeedInput!) { cancelNeed(input: $input) {
      need { status } errors { code message } } }"""
    await run(neighbour, "acceptNeed")
    refusals = [await run(resident, "confirmNeed")]  # accepted: cannot be confirmed
    await run(neighbour, "markNeedDone")
    refusals += [await run(neighbour, "withdrawFromNeed"),  # done: cannot be withdrawn
                 await run(neighbour, "markNeedDone"),  # done: cannot be marked done
                 (await resident.gql.data(cancel, {"input": {"needId": gid}}))["cancelNeed"]]
    await run(resident, "confirmNeed")
    refusals.append(await run(neighbour, "markNeedDone"))  # closed
    codes = [r["errors"][0]["code"] for r in refusals]
    assert codes == ["INVALID_TRANSITION"] * 4 + ["NEED_CLOSED"]
    messages = [r["errors"][0]["message"] for r in refusals]
    assert messages == ["「已接单」状态的需求不能确认。", "「待确认」状态的需求不能退出。",
                        "「待确认」状态的需求不能标记为完成。", "「待确认」状态的需求不能取消。",
                        "这个需求已关闭（已确认）。"]
    assert all(not LATIN.search(m) for m in messages), messages


async def test_notifications_are_rendered_in_the_readers_language(resident, neighbour):
    await _person_locale(resident, "zh_Hans")
    gid = (await resident.gql.data(POST, _need(title="买酱油")))["postNeed"]["need"]["id"]
    await neighbour.gql.data(STEP.format(name="acceptNeed"), {"input": {"needId": gid}})
    inbox = """query { notifications(community: "testville") { nodes { kind title body } } }"""
    nodes = (await resident.gql.data(inbox, **{"Accept-Language": "en"}))[
        "notifications"]["nodes"]
    assert nodes[0] == {"kind": "need.accepted", "title": "需求已被接受",
                        "body": "有邻居接受了您的需求\u201c买酱油\u201d。"}
    await _person_locale(resident, "en")
    nodes = (await resident.gql.data(inbox))["notifications"]["nodes"]
    assert nodes[0]["title"] == "Need accepted"
