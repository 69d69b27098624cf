"""Member-facing text in Simplified Chinese and English, from gettext catalogs (Babel).

Messages are written in English in code (the msgid); ``locale/<locale>.po`` files beside core
and beside each plugin translate them. The locale is the member's own, else the community's,
else Simplified Chinese.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

SUPPORTED = ("zh_Hans", "en")
DEFAULT = "zh_Hans"


def normalize(locale: str | None) -> str:
    """Map ``zh``, ``zh-CN``, ``zh_Hans``, ``en-US`` … to a supported locale."""
    if not locale:
        return DEFAULT
    low = locale.replace("-", "_").lower()
    if low.startswith("zh"):
        return "zh_Hans"
    if low.startswith("en"):
        return "en"
    return DEFAULT


#: The plugins' catalog folders, handed down by the plugin registry when it loads (this module
#: sits below the registry and never imports it).
_plugin_dirs: Callable[[], Iterable[Path]] = list


def use_catalog_dirs(source: Callable[[], Iterable[Path]]) -> None:
    """Take the plugins' ``locale/`` folders from ``source`` (called by the plugin registry when
    it is loaded or replaced); forgets the merged catalogs."""
    global _plugin_dirs
    _plugin_dirs = source
    catalog.cache_clear()


def _catalog_dirs() -> list[Path]:
    return [Path(__file__).parent / "locale", *_plugin_dirs()]


@lru_cache(maxsize=8)
def catalog(locale: str) -> dict[str, str]:
    """All translations for ``locale`` merged from core and the installed plugins."""
    merged: dict[str, str] = {}
    for folder in _catalog_dirs():
        path = folder / f"{locale}.po"
        if path.exists():
            with path.open("rb") as handle:
                for message in read_po(handle, locale="zh_Hans_CN" if locale != "en" else "en"):
                    if message.id and message.string:
                        merged[_key(str(message.id), message.context)] = str(message.string)
    return merged


def _key(msgid: str, context: str | None) -> str:
    """Catalog key: gettext's ``context EOT msgid`` when there is a ``msgctxt``."""
    return f"{context}\x04{msgid}" if context else msgid


def translate(message: str, locale: str | None, **params: Any) -> str:
    """``message`` in ``locale`` with ``{name}`` placeholders filled from ``params``.

    Parameters named in ``_translate`` are words to translate too: ``not_found("need")``
    gives "No such {what}." with ``what="need"``, and in Chinese both are looked up.
    ``_translate`` is a tuple of parameter names, or a dict of name -> ``msgctxt`` when the
    same English word needs different translations (a need's status "accepted" versus the
    action "accepted"). Other parameters starting with ``_`` are not placeholders.
    """
    messages = catalog(normalize(locale))
    text = messages.get(message, message)
    clean = {k: v for k, v in params.items() if not k.startswith("_")}
    words = params.get("_translate", ())
    contexts = words if isinstance(words, dict) else dict.fromkeys(words)
    for name, context in contexts.items():
        value = clean.get(name)
        if isinstance(value, str):
            clean[name] = messages.get(_key(value, context), value)
    try:
        return text.format(**clean)
    except (KeyError, IndexError, ValueError):
        return text
