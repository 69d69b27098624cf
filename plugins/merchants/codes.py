"""Redemption codes: short, easy to type, hard to guess, with a check character for typos.

Eight characters from 32 (digits 2-9 and letters without I and O, so nothing reads as 0/O or
1/I): seven random ones (35 bits from ``secrets``) and a Luhn mod 32 check character, which
catches every single mistyped character and most swapped neighbours. Shown as ``K7QM-3XZD``.
A code lives a few minutes and a member has one live code at a time, so guessing one is
hopeless; wrong codes are also counted against the staff member who submits them.

The QR code holds the community's ``qr_template`` with ``{community}`` and ``{code}`` filled
in; staff may submit that payload or the typed code.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
_INDEX = {ch: i for i, ch in enumerate(ALPHABET)}
LENGTH = 8


def _luhn_sum(text: str, start_factor: int) -> int:
    total, factor, n = 0, start_factor, len(ALPHABET)
    for ch in reversed(text):
        addend = factor * _INDEX[ch]
        total += addend // n + addend % n
        factor = 1 if factor == 2 else 2
    return total


def check_char(payload: str) -> str:
    """The Luhn mod 32 check character of ``payload``."""
    n = len(ALPHABET)
    return ALPHABET[(n - _luhn_sum(payload, 2) % n) % n]


def new_code() -> str:
    """A fresh random code (eight characters, no dash)."""
    payload = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH - 1))
    return payload + check_char(payload)


def normalize(text: str) -> str:
    """What a person typed, uppercased, without spaces and dashes."""
    return "".join(ch for ch in (text or "").upper() if ch not in " -_\t\r\n")


def is_well_formed(code: str) -> bool:
    """True for eight characters of the alphabet whose check character matches."""
    return (len(code) == LENGTH and all(ch in _INDEX for ch in code)
            and _luhn_sum(code, 1) % len(ALPHABET) == 0)


def display(code: str) -> str:
    """``K7QM3XZD`` as ``K7QM-3XZD``."""
    return f"{code[:4]}-{code[4:]}"


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
