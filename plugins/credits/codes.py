"""Voucher codes: unguessable, easy to type, with a check character for typos.

Twelve characters from 32 (digits 2-9 and letters without I and O, so nothing reads as 0/O or
1/I): eleven random ones (55 bits from ``secrets``) and a Luhn mod 32 check character, which
catches every single mistyped character and most swapped neighbours. Shown in groups of four:
``K7QM-3XZD-92HT``.
"""

from __future__ import annotations

import secrets

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
_INDEX = {ch: i for i, ch in enumerate(ALPHABET)}
LENGTH = 12


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
    """A fresh random code (12 characters, no dashes)."""
    payload = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH - 1))
    return payload + check_char(payload)


def normalize(text: str) -> str:
    """What a person typed, uppercased, without spaces and dashes."""
    return "".join(ch for ch in (text or "").upper() if ch not in " -_\t\n")


def is_well_formed(code: str) -> bool:
    """True for 12 characters of the alphabet whose check character matches."""
    return (len(code) == LENGTH and all(ch in _INDEX for ch in code)
            and _luhn_sum(code, 1) % len(ALPHABET) == 0)


def display(code: str) -> str:
    """``K7QM3XZD92HT`` as ``K7QM-3XZD-92HT``."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))
