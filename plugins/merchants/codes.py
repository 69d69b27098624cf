"""Redemption codes: short, easy to type, hard to guess, with a check character for typos.

Eight characters of core's typeable scheme (``typeable_codes``, from yizhan.core.api): seven random
ones (35 bits) and a check character that catches every single mistyped character. Shown as
``K7QM-3XZD``.
A code lives a few minutes and a member has one live code at a time, so guessing one is
hopeless; wrong codes are also counted against the staff member who submits them.

The QR code holds the community's ``qr_template`` with ``{community}`` and ``{code}`` filled
in; staff may submit that payload or the typed code.
"""

from __future__ import annotations

import re

from yizhan.core.api import typeable_codes

__all__ = ["ALPHABET", "LENGTH", "display", "extract", "is_well_formed", "new_code",
           "normalize", "qr_payload"]

ALPHABET = typeable_codes.ALPHABET
display = typeable_codes.display
normalize = typeable_codes.normalize
LENGTH = 8


def new_code() -> str:
    """A fresh random code (eight characters, no dash)."""
    return typeable_codes.new_code(LENGTH)


def is_well_formed(code: str) -> bool:
    """True for eight characters of the alphabet whose check character matches."""
    return typeable_codes.is_well_formed(code, LENGTH)


def qr_payload(template: str, community_slug: str, code: str) -> str:
    """What the QR code of ``code`` holds."""
    return template.replace("{community}", community_slug).replace("{code}", code)


def _template_pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{community\}|\{code\})", template)
    regex = ""
    for part in parts:
        if part == "{community}":
            regex += r"[a-z0-9][a-z0-9_-]{0,39}"
        elif part == "{code}":
            regex += r"(?P<code>[0-9A-Za-z-]{8,9})"
        else:
            regex += re.escape(part)
    return re.compile("^" + regex + "$")


def extract(text: str, template: str) -> str:
    """The normalized code in what staff submitted: a QR payload made with ``template``, or the
    code as typed (any case, with or without the dash and spaces)."""
    stripped = (text or "").strip()
    found = _template_pattern(template).match(stripped)
    if found:
        return normalize(found.group("code"))
    return normalize(stripped)
