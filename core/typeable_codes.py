"""Codes people type from paper or a screen: unguessable, unambiguous, typo-checked.

Characters come from 32 (digits 2-9 and letters without I and O, so nothing reads as 0/O or
1/I): ``length - 1`` random ones from ``secrets`` and a Luhn mod 32 check character, which
catches every single mistyped character and most swapped neighbours. Used by the credits
plugin's vouchers (12 characters) and the merchants plugin's redemption codes (8).
"""

from __future__ import annotations

import secrets

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
_INDEX = {ch: i for i, ch in enumerate(ALPHABET)}


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


def new_code(length: int) -> str:
    """A fresh random code of ``length`` characters (the last is the check), no dashes."""
    payload = "".join(secrets.choice(ALPHABET) for _ in range(length - 1))
    return payload + check_char(payload)


def normalize(text: str) -> str:
    """What a person typed, uppercased, without spaces and dashes."""
    return "".join(ch for ch in (text or "").upper() if ch not in " -_\t\r\n")


def is_well_formed(code: str, length: int) -> bool:
    """True for ``length`` characters of the alphabet whose check character matches."""
    return (len(code) == length and all(ch in _INDEX for ch in code)
            and _luhn_sum(code, 1) % len(ALPHABET) == 0)


def display(code: str) -> str:
    """A code in groups of four: ``K7QM3XZD92HT`` as ``K7QM-3XZD-92HT``."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))
